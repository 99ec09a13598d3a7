package auth

import (
	"embed"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/httpserver"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are parsed once at start-up; a parse error is a programming error.
var pages = map[string]*template.Template{
	"login": template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/login.html")),
	"home":  template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/home.html")),
}

type pageData struct {
	Title string
	Error string
	Email string
	Next  string
	User  *User
	CSRF  string
}

func render(c echo.Context, status int, name string, d pageData) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().WriteHeader(status)
	return pages[name].ExecuteTemplate(c.Response(), name+".html", d)
}

// safeNext keeps redirects on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	return next
}

func (h *Handler) loginPage(c echo.Context) error {
	return render(c, http.StatusOK, "login", pageData{Title: "Sign in", Next: safeNext(c.QueryParam("next"))})
}

func (h *Handler) loginSubmit(c echo.Context) error {
	email, password, next := c.FormValue("email"), c.FormValue("password"), safeNext(c.FormValue("next"))
	iss, err := h.svc.Login(httpserver.Ctx(c), email, password, TokenSession)
	if err != nil {
		msg := "The email or password is wrong."
		status := http.StatusUnauthorized
		switch apperr.KindOf(err) {
		case apperr.KindTooManyRequests:
			msg, status = "Too many failed sign-ins. Wait a few minutes and try again.", http.StatusTooManyRequests
		case apperr.KindInvalid:
			msg, status = "Enter your email and password.", http.StatusBadRequest
		case apperr.KindUnauthenticated:
		default:
			return err
		}
		return render(c, status, "login", pageData{Title: "Sign in", Error: msg, Email: email, Next: next})
	}
	h.server.SetSessionCookie(c, iss.Value, iss.ExpiresAt)
	return c.Redirect(http.StatusSeeOther, next)
}

func (h *Handler) logout(c echo.Context) error {
	if token := httpserver.SessionToken(c); token != "" {
		if err := h.svc.Revoke(httpserver.Ctx(c), token); err != nil {
			return err
		}
	}
	h.server.ClearSessionCookie(c)
	return c.Redirect(http.StatusSeeOther, "/login")
}

func (h *Handler) home(c echo.Context) error {
	d := pageData{Title: "Home"}
	if a, ok := httpserver.Actor(c); ok {
		u, err := h.svc.Me(httpserver.Ctx(c), a)
		if err != nil {
			return err
		}
		d.User = &u
		d.CSRF = httpserver.CSRFToken(httpserver.SessionToken(c))
	}
	return render(c, http.StatusOK, "home", d)
}

// RegisterPages adds the browser pages: sign-in, sign-out and the home page. Sign-out is a POST with
// the session's CSRF token.
func RegisterPages(e *echo.Echo, h *Handler) {
	e.GET("/login", h.loginPage)
	e.POST("/login", h.loginSubmit)
	e.POST("/logout", h.logout, h.server.RequireAuth())
	e.GET("/", h.home, h.server.OptionalAuth())
}
