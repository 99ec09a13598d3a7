package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/httpserver"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates are one package's pages, each parsed once at start-up with the layout and components.
type Templates struct {
	pages map[string]*template.Template
}

// MustParse parses each page file together with the platform's layout and components; a page is
// named after its file without the extension ("templates/find.html" is "find"). Each page file
// defines "content" (the page's body inside <main>). A template error panics: it is a programming
// error found at start-up, before the server listens.
func (p *Platform) MustParse(fsys fs.FS, files ...string) *Templates {
	t, err := p.Parse(fsys, files...)
	if err != nil {
		panic(err.Error())
	}
	return t
}

// Parse is MustParse returning the error instead of panicking.
func (p *Platform) Parse(fsys fs.FS, files ...string) (*Templates, error) {
	out := &Templates{pages: make(map[string]*template.Template, len(files))}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), path.Ext(f))
		t, err := p.base.Clone()
		if err != nil {
			return nil, fmt.Errorf("web: clone layout for %s: %w", f, err)
		}
		if _, err := t.ParseFS(fsys, f); err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", f, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("web: %s does not define \"content\"", f)
		}
		out.pages[name] = t
	}
	return out, nil
}

// Link is a link with its text.
type Link struct {
	Text string
	Href string
}

// NavLink is a navigation entry; Current marks the page's own section.
type NavLink struct {
	Text    string
	Href    string
	Current bool
}

// Page is what every template receives: the page's own view in Body, plus what the layout needs.
type Page struct {
	// Title is the page's heading and, with the service name, its <title>.
	Title string
	// Caption, when set, is shown above the heading (the person or record the page is about).
	Caption string
	// Errors are the form's errors; when any, the title starts "Error: " and the summary shows them.
	Errors Errors
	// Back is a back link above the content; Breadcrumbs a trail (use one or the other).
	Back        *Link
	Breadcrumbs []Link
	// Wide pages use the full width (tables, filters) instead of two thirds.
	Wide bool
	// Body is the page's own view struct.
	Body any

	// Filled by Render.
	User     *Identity
	Role     actor.Role
	Nav      []NavLink
	CSRF     string
	Flash    *Flash
	Path     string
	platform *Platform
}

// HeadTitle is the document title: "Error: " when the form has errors, the page title, the service.
func (pg Page) HeadTitle() string {
	t := pg.Title + " - " + ServiceName
	if pg.Errors.Any() {
		t = "Error: " + t
	}
	return t
}

// Asset returns the fingerprinted URL of a vendored asset.
func (pg Page) Asset(name string) string { return pg.platform.assets.url(name) }

// Render writes a page with the status: it fills the layout's parts (user, navigation, CSRF token,
// flash message) from the request and executes the page's template into a buffer first, so that a
// template error becomes the 500 page instead of half a page.
func (p *Platform) Render(c echo.Context, status int, t *Templates, name string, pg Page) error {
	tmpl, ok := t.pages[name]
	if !ok {
		return fmt.Errorf("web: no page %q", name)
	}
	if err := p.fill(c, &pg); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "layout", pg); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

func (p *Platform) fill(c echo.Context, pg *Page) error {
	pg.platform = p
	pg.Path = c.Request().URL.Path
	if f, ok := takeFlash(c); ok {
		pg.Flash = &f
	}
	a, ok := httpserver.Actor(c)
	if !ok {
		return nil
	}
	pg.Role = a.Role
	pg.Nav = p.navFor(a.Role, pg.Path)
	pg.CSRF = CSRFToken(c)
	if p.cfg.Identity != nil {
		id, err := p.cfg.Identity(httpserver.Ctx(c), a)
		if err != nil {
			return fmt.Errorf("web: identity: %w", err)
		}
		pg.User = &id
	} else {
		pg.User = &Identity{Name: a.Email}
	}
	return nil
}

// CSRFToken returns the CSRF token of the request's session, for forms; "" without a session.
func CSRFToken(c echo.Context) string {
	s := httpserver.SessionToken(c)
	if s == "" {
		return ""
	}
	return httpserver.CSRFToken(s)
}

// Redirect answers 303 See Other to a path on this site, the end of every successful form POST.
func Redirect(c echo.Context, to string) error {
	return c.Redirect(http.StatusSeeOther, SafePath(to))
}

// SafePath keeps a redirect target on this site: anything but a local absolute path is "/".
func SafePath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	return next
}

var errDict = errors.New("dict needs key and value pairs with string keys")

// dict builds a map for passing several values to a component: (dict "Name" "crn" "Label" "CRN").
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errDict
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errDict
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

func (p *Platform) funcs() template.FuncMap {
	return template.FuncMap{
		"dict":     dict,
		"list":     func(v ...any) []any { return v },
		"asset":    p.assets.url,
		"service":  func() string { return ServiceName },
		"add":      func(a, b int) int { return a + b },
		"contains": func(list []string, s string) bool { return containsString(list, s) },
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
