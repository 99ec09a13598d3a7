package httpserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/idempotency"
)

// IdempotencyHeader names the header of idempotent creating requests.
const IdempotencyHeader = "Idempotency-Key"

type teeWriter struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

// idempotent replays the stored response of a request repeated with the same Idempotency-Key, refuses
// the key reused for a different request (422) or while the first is still running (409), and
// otherwise runs the request and stores its response. Server errors release the key for a retry.
func (s *Server) idempotent() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			key := c.Request().Header.Get(IdempotencyHeader)
			if key == "" || s.cfg.Idempotency == nil {
				return next(c)
			}
			if len(key) > 255 {
				return apperr.Invalid("invalid Idempotency-Key", apperr.FieldError{Field: IdempotencyHeader, Code: "invalid_idempotency_key", Message: "Idempotency-Key must be at most 255 characters"})
			}
			a := MustActor(c)
			body, err := io.ReadAll(c.Request().Body)
			if err != nil {
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "the request body is too large")
			}
			c.Request().Body = io.NopCloser(bytes.NewReader(body))
			h := sha256.New()
			h.Write([]byte(c.Request().Method + " " + c.Request().URL.RequestURI() + "\n"))
			h.Write(body)
			ctx := c.Request().Context()
			state, stored, err := s.cfg.Idempotency.Begin(ctx, a.UserID, key, c.Request().Method, c.Request().URL.Path, h.Sum(nil))
			if err != nil {
				return err
			}
			switch state {
			case idempotency.Replay:
				hdr := c.Response().Header()
				if stored.Location != "" {
					hdr.Set(echo.HeaderLocation, stored.Location)
				}
				hdr.Set("Idempotent-Replayed", "true")
				return c.Blob(stored.Status, stored.ContentType, stored.Body)
			case idempotency.Mismatch:
				return apperr.Unprocessable("idempotency_key_reused", "this Idempotency-Key was used for a different request")
			case idempotency.InFlight:
				return apperr.Conflict("idempotency_request_in_progress", "a request with this Idempotency-Key is still being processed")
			}
			tee := &teeWriter{ResponseWriter: c.Response().Writer}
			c.Response().Writer = tee
			if err := next(c); err != nil {
				c.Error(err)
			}
			// The outcome is stored even when the client has gone (its request context cancelled):
			// a change that committed must replay on the client's retry, not answer 409 for minutes.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			status := c.Response().Status
			if status >= 500 || status == http.StatusTooManyRequests {
				if rerr := s.cfg.Idempotency.Release(ctx, a.UserID, key); rerr != nil {
					s.cfg.Logger.ErrorContext(ctx, "release idempotency key", slog.String("error", rerr.Error()))
				}
				return nil
			}
			hdr := c.Response().Header()
			if cerr := s.cfg.Idempotency.Complete(ctx, a.UserID, key, idempotency.Stored{
				Status: status, ContentType: hdr.Get(echo.HeaderContentType), Location: hdr.Get(echo.HeaderLocation), Body: tee.buf.Bytes(),
			}); cerr != nil {
				s.cfg.Logger.ErrorContext(ctx, "store idempotent response", slog.String("error", cerr.Error()))
			}
			return nil
		}
	}
}
