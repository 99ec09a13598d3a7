package httpserver

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
)

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "crs_session"

// CSRFHeader carries the CSRF token on unsafe requests authenticated by the session cookie; HTML
// forms send it as the csrf_token field instead.
const CSRFHeader = "X-CSRF-Token"

// CSRFToken derives the CSRF token of a session from the session token itself: only a page that can
// read the session (the server's own) can know it, so a cross-site form cannot forge it.
func CSRFToken(session string) string {
	m := hmac.New(sha256.New, []byte(session))
	m.Write([]byte("crs-csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// SetSessionCookie sets the HttpOnly, SameSite session cookie.
func (s *Server) SetSessionCookie(c echo.Context, token string, expires time.Time) {
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: expires, HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// ClearSessionCookie removes the session cookie.
func (s *Server) ClearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// SessionToken returns the session cookie's token, if any.
func SessionToken(c echo.Context) string {
	ck, err := c.Cookie(SessionCookie)
	if err != nil {
		return ""
	}
	return ck.Value
}

// BearerToken returns the request's bearer token, if any.
func BearerToken(c echo.Context) string {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// authenticate resolves the request's credentials: a bearer token, or else the session cookie, in
// which case unsafe methods must carry the CSRF token. It reports whether credentials were present.
func (s *Server) authenticate(c echo.Context) (actor.Actor, bool, error) {
	return s.authenticateWith(c, false)
}

// sameOrigin reports whether a browser request says it comes from this site (Origin, else Referer).
func sameOrigin(c echo.Context) bool {
	src := c.Request().Header.Get("Origin")
	if src == "" {
		src = c.Request().Header.Get("Referer")
	}
	u, err := url.Parse(src)
	return err == nil && src != "" && u.Host == c.Request().Host
}

// authenticateWith is authenticate; with allowSameOrigin, a same-origin JSON request may stand in for
// the CSRF token (the River UI's own scripts cannot send our token).
func (s *Server) authenticateWith(c echo.Context, allowSameOrigin bool) (actor.Actor, bool, error) {
	token := BearerToken(c)
	viaCookie := false
	if token == "" {
		token = SessionToken(c)
		viaCookie = token != ""
	}
	if token == "" {
		return actor.Actor{}, false, nil
	}
	a, err := s.cfg.Auth.Authenticate(c.Request().Context(), token)
	if err != nil {
		return actor.Actor{}, true, err
	}
	if viaCookie && !isSafe(c.Request().Method) {
		sent := c.Request().Header.Get(CSRFHeader)
		if sent == "" {
			sent = c.FormValue("csrf_token")
		}
		jsonSameOrigin := allowSameOrigin && sameOrigin(c) && strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), "application/json")
		if !jsonSameOrigin && subtle.ConstantTimeCompare([]byte(sent), []byte(CSRFToken(token))) != 1 {
			return actor.Actor{}, true, apperr.Forbidden("csrf_token_invalid", "this request needs the page's CSRF token")
		}
	}
	return a, true, nil
}

// RequireAuth answers 401 unless the request carries valid credentials, and puts the actor on the
// context for handlers.
func (s *Server) RequireAuth() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			a, present, err := s.authenticate(c)
			if err != nil {
				return err
			}
			if !present {
				return apperr.Unauthenticated("sign in first: send Authorization: Bearer <token>")
			}
			noStore(c)
			c.Set(actorKey, a)
			return next(c)
		}
	}
}

// OptionalAuth puts the actor on the context when valid credentials are present, and otherwise lets
// the request through anonymously (pages that show a sign-in link).
func (s *Server) OptionalAuth() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if a, present, err := s.authenticate(c); present && err == nil {
				noStore(c)
				c.Set(actorKey, a)
			}
			return next(c)
		}
	}
}

// RequireAdminPage guards browser pages for admins: anonymous visitors are sent to /login, other
// users get 404 so that the page's existence does not leak.
func (s *Server) RequireAdminPage() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			a, present, err := s.authenticateWith(c, true)
			if !present || (err != nil && apperr.KindOf(err) == apperr.KindUnauthenticated) {
				if BearerToken(c) == "" && isSafe(c.Request().Method) {
					return c.Redirect(http.StatusSeeOther, "/login?next="+c.Request().URL.Path)
				}
				if err == nil {
					err = apperr.Unauthenticated("sign in first")
				}
				return err
			}
			if err != nil {
				return err
			}
			if !a.IsAdmin() {
				return apperr.NotFound("page")
			}
			noStore(c)
			c.Set(actorKey, a)
			return next(c)
		}
	}
}

// noStore forbids caches (the browser's, a proxy's) to keep the response: everything a signed-in
// user is sent may be personal data, and a shared computer's back button must not show it.
func noStore(c echo.Context) {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
}
