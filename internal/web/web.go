package web

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"slices"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/httpserver"
)

// ServiceName is the name shown in the header and in every page title.
const ServiceName = "Commissioned Rehabilitative Services"

// Identity is how the header names the signed-in user.
type Identity struct {
	Name         string
	Organisation string
}

// IdentityFunc looks up the signed-in user's name and organisation for the header. It returns an
// error only when the lookup fails (a signed-in user always has a name).
type IdentityFunc func(ctx context.Context, a actor.Actor) (Identity, error)

// Config wires the platform.
type Config struct {
	// Server is the HTTP server the pages are mounted on.
	Server *httpserver.Server
	// Identity names the signed-in user in the header.
	Identity IdentityFunc
	Logger   *slog.Logger
}

// NavItem is one entry of the primary navigation, shown to the roles listed.
type NavItem struct {
	Text string
	Href string
	// Roles see the item; empty means every signed-in role.
	Roles []actor.Role
	// Order places the item; lower comes first.
	Order int
}

// Panel is one block of a role's home page: a heading, an optional sentence and links, each with an
// optional count ("3 drafts").
type Panel struct {
	Heading string
	Text    string
	Links   []PanelLink
}

// PanelLink is one line of a Panel.
type PanelLink struct {
	Text string
	Href string
	// Count, when not nil, is shown before the text in bold.
	Count *int
}

// HomePanel builds a panel of a role's home page; Build returns ok false to show nothing.
type HomePanel struct {
	Roles []actor.Role
	Order int
	Build func(ctx context.Context, a actor.Actor) (p Panel, ok bool, err error)
}

// Platform is the web layer: templates, assets, navigation and home panels.
type Platform struct {
	cfg    Config
	base   *template.Template
	own    *Templates
	assets *assetSet

	mu     sync.RWMutex
	nav    []NavItem
	panels []HomePanel
}

// New parses the platform's templates (panicking on a template error: a programming error found at
// start-up), loads the assets and mounts the platform's own routes: assets, home, accessibility
// statement, cookies, API reference, and HTML error pages for browser requests.
func New(cfg Config) *Platform {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	assets, err := loadAssets()
	if err != nil {
		panic(fmt.Sprintf("web: assets: %v", err))
	}
	p := &Platform{cfg: cfg, assets: assets}
	p.base = template.Must(template.New("base").Funcs(p.funcs()).ParseFS(templateFS, "templates/layout.html", "templates/components.html"))
	p.own = p.MustParse(templateFS, "templates/home.html", "templates/error.html", "templates/accessibility.html",
		"templates/cookies.html", "templates/api-docs.html")
	p.mount(cfg.Server.Echo)
	cfg.Server.HTMLErrors = p.renderError
	return p
}

// AddNav adds items to the primary navigation.
func (p *Platform) AddNav(items ...NavItem) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nav = append(p.nav, items...)
	slices.SortStableFunc(p.nav, func(a, b NavItem) int { return a.Order - b.Order })
}

// AddHomePanel adds a panel to the home page of the panel's roles.
func (p *Platform) AddHomePanel(panels ...HomePanel) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.panels = append(p.panels, panels...)
	slices.SortStableFunc(p.panels, func(a, b HomePanel) int { return a.Order - b.Order })
}

func allows(roles []actor.Role, r actor.Role) bool {
	return len(roles) == 0 || slices.Contains(roles, r)
}

// navFor returns the navigation for a role, marking the item whose Href prefixes path as current.
func (p *Platform) navFor(r actor.Role, path string) []NavLink {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []NavLink
	best := -1
	for _, it := range p.nav {
		if !allows(it.Roles, r) {
			continue
		}
		out = append(out, NavLink{Text: it.Text, Href: it.Href})
		if isUnder(path, it.Href) && (best < 0 || len(it.Href) > len(out[best].Href)) {
			best = len(out) - 1
		}
	}
	if best >= 0 {
		out[best].Current = true
	}
	return out
}

func isUnder(path, href string) bool {
	if href == "/" {
		return path == "/"
	}
	return path == href || (len(path) > len(href) && path[:len(href)] == href && path[len(href)] == '/')
}

// Echo returns the Echo instance pages are mounted on.
func (p *Platform) Echo() *echo.Echo { return p.cfg.Server.Echo }

// Server returns the HTTP server.
func (p *Platform) Server() *httpserver.Server { return p.cfg.Server }
