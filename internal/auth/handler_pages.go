package auth

import (
	"context"
	"embed"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

type loginView struct {
	Email string
	Next  string
}

type pages struct {
	h *Handler
	w *web.Platform
	t *web.Templates
}

func (p *pages) loginPage(c echo.Context) error {
	return p.w.Render(c, http.StatusOK, p.t, "login", web.Page{Title: "Sign in",
		Body: loginView{Next: web.SafePath(c.QueryParam("next"))}})
}

func (p *pages) loginSubmit(c echo.Context) error {
	email, password, next := c.FormValue("email"), c.FormValue("password"), web.SafePath(c.FormValue("next"))
	iss, err := p.h.svc.Login(httpserver.Ctx(c), email, password, TokenSession)
	if err != nil {
		var errs web.Errors
		status := http.StatusUnauthorized
		switch apperr.KindOf(err) {
		case apperr.KindTooManyRequests:
			errs.Add("email", "email", "Too many failed sign-ins. Wait a few minutes and try again")
			status = http.StatusTooManyRequests
		case apperr.KindInvalid:
			if email == "" {
				errs.Add("email", "email", "Enter your email address")
			}
			if password == "" {
				errs.Add("password", "password", "Enter your password")
			}
			if !errs.Any() {
				errs.Add("email", "email", "Enter an email address in the correct format, like name@example.com")
			}
			status = http.StatusBadRequest
		case apperr.KindUnauthenticated:
			errs.Add("email", "email", "The email address or password is wrong")
		default:
			return err
		}
		return p.w.Render(c, status, p.t, "login", web.Page{Title: "Sign in", Errors: errs, Body: loginView{Email: email, Next: next}})
	}
	p.h.server.SetSessionCookie(c, iss.Value, iss.ExpiresAt)
	return c.Redirect(http.StatusSeeOther, next)
}

func (p *pages) logout(c echo.Context) error {
	if token := httpserver.SessionToken(c); token != "" {
		if err := p.h.svc.Revoke(httpserver.Ctx(c), token); err != nil {
			return err
		}
	}
	p.h.server.ClearSessionCookie(c)
	return c.Redirect(http.StatusSeeOther, "/login")
}

// RegisterPages adds the sign-in and sign-out pages on the web platform's layout. Sign-out is a POST
// with the session's CSRF token. The home page belongs to the web platform.
func RegisterPages(w *web.Platform, h *Handler) {
	p := &pages{h: h, w: w, t: w.MustParse(templateFS, "templates/login.html")}
	e := w.Echo()
	e.GET("/login", p.loginPage)
	e.POST("/login", p.loginSubmit)
	e.POST("/logout", p.logout, h.server.RequireAuth())
}

// Identity returns the web header's lookup of the signed-in user: the display name, and the
// organisation: "Probation service" for practitioners, "Commissioning" for commissioners, "National
// administration" for admins, and for supplier users the name supplierName gives (the suppliers
// domain knows it; nil leaves it out).
func Identity(s *Service, supplierName func(ctx context.Context, a actor.Actor) (string, error)) web.IdentityFunc {
	return func(ctx context.Context, a actor.Actor) (web.Identity, error) {
		u, err := s.Me(ctx, a)
		if err != nil {
			return web.Identity{}, err
		}
		id := web.Identity{Name: u.DisplayName}
		switch a.Role {
		case actor.RolePractitioner:
			id.Organisation = "Probation service"
		case actor.RoleCommissioner:
			id.Organisation = "Commissioning"
		case actor.RoleAdmin:
			id.Organisation = "National administration"
		case actor.RoleSupplier:
			if supplierName != nil {
				if id.Organisation, err = supplierName(ctx, a); err != nil {
					return web.Identity{}, err
				}
			}
		}
		return id, nil
	}
}
