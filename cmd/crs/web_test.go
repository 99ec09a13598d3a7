package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/crsplatform/crs/cmd/crs/demo"
	"github.com/crsplatform/crs/internal/config"
	"github.com/crsplatform/crs/internal/dbtest"
	"github.com/crsplatform/crs/internal/webtest"
)

// webServer is the real server (`crs serve --with-workers`, the binary's own wiring) on port 0, on a
// fresh database holding the demo catalogue and the demo accounts.
type webServer struct {
	URL      string
	Password string
}

func startWebServer(t *testing.T) webServer {
	t.Helper()
	if !webtest.Available() {
		t.Skip("browser test: chromium is not installed")
	}
	dbURL := dbtest.URL(t)
	cfg, err := config.Load(envOf(map[string]string{"DATABASE_URL": dbURL}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := newApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), appOpts{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = demo.SeedCatalogue(ctx, demo.Deps{DB: a.db.Gorm, Auth: a.auth, Ref: a.ref, Suppliers: a.suppliers, Contracts: a.contracts,
		Password: cfg.DemoPassword, Pool: a.db.Pool})
	a.close()
	if err != nil {
		t.Fatalf("seed the demo catalogue: %v", err)
	}
	url, stop := startServe(t, dbURL)
	t.Cleanup(func() { stop() })
	return webServer{URL: url, Password: cfg.DemoPassword}
}

// TestWebFoundation walks the platform's own pages as a practitioner, with JavaScript on and off:
// sign-in (with an error first), home, the footer's pages, an unknown address, sign-out.
func TestWebFoundation(t *testing.T) {
	t.Parallel()
	srv := startWebServer(t)
	for _, noJS := range []bool{false, true} {
		name := "javascript on"
		if noJS {
			name = "javascript off"
		}
		t.Run(name, func(t *testing.T) {
			b := webtest.New(t, srv.URL, webtest.Opts{NoJS: noJS})
			b.Visit("/")
			b.ExpectHeading("Sign in")

			b.Fill("Email address", "practitioner@demo.test")
			b.Fill("Password", "not the password")
			b.ClickButton("Sign in")
			b.ExpectHeading("Sign in")
			if got := b.Title(); got != "Error: Sign in - Commissioned Rehabilitative Services" {
				t.Errorf("title after a failed sign-in = %q", got)
			}
			b.ExpectText("There is a problem", "The email address or password is wrong")

			b.Fill("Password", srv.Password)
			b.ClickButton("Sign in")
			b.ExpectHeading("Home")
			b.ExpectText("practitioner@demo.test")
			if b.ScriptsRan() == noJS {
				t.Errorf("page scripts ran = %v with JavaScript off = %v", b.ScriptsRan(), noJS)
			}

			b.ClickLink("Accessibility statement")
			b.ExpectHeading("Accessibility statement")
			b.ClickLink("Cookies")
			b.ExpectHeading("Cookies")
			b.ExpectText("crs_session")

			b.Visit("/no-such-page")
			b.ExpectHeading("Page not found")

			b.ClickButton("Sign out")
			b.ExpectHeading("Sign in")
		})
	}
}
