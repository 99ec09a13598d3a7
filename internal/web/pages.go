package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/httpserver"
)

// APIDocsPath is the API reference page.
const APIDocsPath = "/api-docs"

func (p *Platform) mount(e *echo.Echo) {
	e.GET(AssetsPrefix+"*", p.assets.serve)
	e.GET("/", p.home, p.cfg.Server.OptionalAuth())
	e.GET("/accessibility", p.static("accessibility", "Accessibility statement"), p.cfg.Server.OptionalAuth())
	e.GET("/cookies", p.cookies, p.cfg.Server.OptionalAuth())
	e.GET(APIDocsPath, p.apiDocs, p.cfg.Server.OptionalAuth())
}

// SignedIn guards pages: an anonymous visitor is sent to the sign-in page and back afterwards, a role
// not listed (none listed: every role) gets the 403 page, a bad CSRF token on a form the 403 page.
func (p *Platform) SignedIn(roles ...actor.Role) echo.MiddlewareFunc {
	auth := p.cfg.Server.RequireAuth()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return auth(func(c echo.Context) error {
			if a := httpserver.MustActor(c); len(roles) > 0 && !a.Is(roles...) {
				return apperr.Forbidden("role_not_allowed", "your role cannot use this page")
			}
			return next(c)
		})
	}
}

type homeView struct {
	Panels []Panel
	Email  string
}

func (p *Platform) home(c echo.Context) error {
	a, ok := httpserver.Actor(c)
	if !ok {
		return Redirect(c, "/login")
	}
	panels, err := p.panelsFor(httpserver.Ctx(c), a)
	if err != nil {
		return err
	}
	return p.Render(c, http.StatusOK, p.own, "home", Page{Title: "Home", Body: homeView{Panels: panels, Email: a.Email}})
}

func (p *Platform) panelsFor(ctx context.Context, a actor.Actor) ([]Panel, error) {
	p.mu.RLock()
	hps := append([]HomePanel(nil), p.panels...)
	p.mu.RUnlock()
	var out []Panel
	for _, hp := range hps {
		if !allows(hp.Roles, a.Role) {
			continue
		}
		panel, ok, err := hp.Build(ctx, a)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, panel)
		}
	}
	return out, nil
}

func (p *Platform) static(name, title string) echo.HandlerFunc {
	return func(c echo.Context) error {
		return p.Render(c, http.StatusOK, p.own, name, Page{Title: title, Back: &Link{Text: "Home", Href: "/"}})
	}
}

func (p *Platform) cookies(c echo.Context) error {
	t := Table{Caption: "Cookies this service sets", Head: []Header{{Text: "Name"}, {Text: "Purpose"}, {Text: "Expires"}},
		Rows: [][]Cell{
			{{Text: httpserver.SessionCookie}, {Text: "Keeps you signed in"}, {Text: "When you sign out, or after 8 hours"}},
			{{Text: flashCookie}, {Text: "Shows a confirmation message after you save something"}, {Text: "On the next page you see"}},
		}}
	return p.Render(c, http.StatusOK, p.own, "cookies", Page{Title: "Cookies", Back: &Link{Text: "Home", Href: "/"}, Body: t})
}

func (p *Platform) apiDocs(c echo.Context) error {
	return p.Render(c, http.StatusOK, p.own, "api-docs", Page{Title: "API reference", Wide: true,
		Breadcrumbs: []Link{{Text: "Home", Href: "/"}}})
}

type errorView struct {
	Status    int
	RequestID string
}

// renderError renders the HTML error page of a browser's page request; a GET without a session is
// sent to sign in instead.
func (p *Platform) renderError(c echo.Context, err error, prob httpserver.Problem) bool {
	status := prob.Status
	if status == http.StatusUnauthorized && c.Request().Method == http.MethodGet {
		next := c.Request().URL.RequestURI()
		_ = c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
		return true
	}
	var title string
	switch {
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		status, title = http.StatusNotFound, "Page not found"
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		title = "You cannot use this page"
	case status == http.StatusServiceUnavailable:
		title = "Sorry, the service is unavailable"
	case status >= 500:
		title = "Sorry, there is a problem with the service"
	default:
		// Other 4xx (a malformed request the pages did not expect): the generic problem page.
		title = "Sorry, there is a problem with the service"
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code == http.StatusServiceUnavailable {
		status = http.StatusServiceUnavailable
	}
	if _, ok := httpserver.Actor(c); !ok && status != http.StatusUnauthorized {
		// An address no route matched ran no middleware: name the user in the header all the same.
		_ = p.cfg.Server.OptionalAuth()(func(echo.Context) error { return nil })(c)
	}
	pg := Page{Title: title, Body: errorView{Status: status, RequestID: prob.RequestID}}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return true
	}
	if rerr := p.Render(c, status, p.own, "error", pg); rerr != nil {
		p.cfg.Logger.ErrorContext(c.Request().Context(), "render error page", "error", rerr.Error())
		return false
	}
	return true
}
