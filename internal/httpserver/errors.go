package httpserver

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/db"
)

// Problem is an RFC 9457 problem document with per-field errors.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Code      string              `json:"code,omitempty"`
	Instance  string              `json:"instance,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []apperr.FieldError `json:"errors,omitempty"`
	// retryAfter, in seconds, becomes the Retry-After header when positive.
	retryAfter int
}

// ProblemContentType is the media type of error responses.
const ProblemContentType = "application/problem+json"

func statusOf(k apperr.Kind) int {
	switch k {
	case apperr.KindInvalid:
		return http.StatusBadRequest
	case apperr.KindNotFound:
		return http.StatusNotFound
	case apperr.KindConflict:
		return http.StatusConflict
	case apperr.KindUnauthenticated:
		return http.StatusUnauthorized
	case apperr.KindForbidden:
		return http.StatusForbidden
	case apperr.KindPreconditionFailed:
		return http.StatusPreconditionFailed
	case apperr.KindPreconditionRequired:
		return http.StatusPreconditionRequired
	case apperr.KindUnprocessable:
		return http.StatusUnprocessableEntity
	case apperr.KindTooManyRequests:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}

// errorHandler turns every error into application/problem+json. Internal errors are logged once,
// with the request id, and shown to the client only as a generic message.
func errorHandler(logger *slog.Logger, s *Server) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p := problemFor(err)
		p.Instance = c.Request().URL.Path
		p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
		if p.Status >= 500 {
			level := slog.LevelError
			if p.retryAfter > 0 { // the database is unavailable or slow: not a bug in the request's code
				level = slog.LevelWarn
			}
			logger.Log(c.Request().Context(), level, "request failed",
				slog.String("request_id", p.RequestID), slog.String("method", c.Request().Method),
				slog.String("path", c.Request().URL.Path), slog.String("error", err.Error()))
		}
		if ae, ok := apperr.As(err); ok && ae.RetryAfterSeconds > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(ae.RetryAfterSeconds))
		} else if p.retryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(p.retryAfter))
		}
		if p.Status == http.StatusUnauthorized {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="crs"`)
		}
		if s.HTMLErrors != nil && WantsHTML(c) && s.HTMLErrors(c, err, p) {
			return
		}
		c.Response().Header().Set(echo.HeaderContentType, ProblemContentType)
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(p.Status)
			return
		}
		_ = c.JSON(p.Status, p) // keeps the problem content type set above
	}
}

// Seconds a client is asked to wait before retrying when the database is unavailable or busy.
const (
	retryUnavailable = 5
	retryLocked      = 1
)

func problemFor(err error) Problem {
	ae, isApp := apperr.As(err)
	if !isApp || statusOf(ae.Kind) >= 500 {
		switch db.Classify(err) {
		case db.FailureUnavailable:
			return Problem{Type: "urn:crs:problem:service_unavailable", Title: http.StatusText(http.StatusServiceUnavailable),
				Status: http.StatusServiceUnavailable, Code: "service_unavailable", retryAfter: retryUnavailable,
				Detail: "The service is temporarily unavailable (its database cannot be reached). Nothing was changed; try again shortly."}
		case db.FailureTimeout:
			return Problem{Type: "urn:crs:problem:timeout", Title: http.StatusText(http.StatusServiceUnavailable),
				Status: http.StatusServiceUnavailable, Code: "timeout", retryAfter: retryUnavailable,
				Detail: "The request took too long and was stopped; nothing was changed. Try again shortly."}
		case db.FailureLocked:
			return Problem{Type: "urn:crs:problem:resource_locked", Title: http.StatusText(http.StatusConflict),
				Status: http.StatusConflict, Code: "resource_locked", retryAfter: retryLocked,
				Detail: "Another change to the same records is in progress; nothing was changed. Try again."}
		}
	}
	if isApp {
		status := statusOf(ae.Kind)
		p := Problem{Type: "urn:crs:problem:" + ae.Code, Title: http.StatusText(status), Status: status, Code: ae.Code, Errors: ae.Fields}
		if status < 500 {
			p.Detail = ae.Message
		} else {
			p.Detail = "The server could not complete the request."
		}
		return p
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code := codeForStatus(he.Code)
		p := Problem{Type: "urn:crs:problem:" + code, Title: http.StatusText(he.Code), Status: he.Code, Code: code}
		if msg, ok := he.Message.(string); ok && he.Code < 500 {
			p.Detail = msg
		}
		return p
	}
	return Problem{Type: "urn:crs:problem:internal_error", Title: http.StatusText(http.StatusInternalServerError),
		Status: http.StatusInternalServerError, Code: "internal_error", Detail: "The server could not complete the request."}
}

func codeForStatus(status int) string {
	switch status {
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "body_too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusUnauthorized:
		return "unauthenticated"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusServiceUnavailable:
		return "unavailable"
	case http.StatusTooManyRequests:
		return "too_many_requests"
	default:
		if status >= 500 {
			return "internal_error"
		}
		return "error"
	}
}

// WantsHTML reports whether a request is a browser's page request: outside the API and the
// machine endpoints, and accepting text/html. The API keeps application/problem+json.
func WantsHTML(c echo.Context) bool {
	path := c.Request().URL.Path
	for _, prefix := range []string{APIPrefix + "/", "/openapi.json", "/healthz", "/readyz", "/metrics", AdminJobsPrefix + "/api"} {
		if path == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(path, prefix) {
			return false
		}
	}
	return strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/html")
}
