package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
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
		t.Fatal("browser test: chromium is not installed (make deps installs it)")
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
	webtest.WithAndWithoutJS(t, func(t *testing.T, noJS bool) {
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

		b.ClickLink("API reference")
		b.ExpectHeading("API reference")
		b.ExpectText("openapi.json")

		b.Visit("/no-such-page")
		b.ExpectHeading("Page not found")

		b.ClickButton("Sign out")
		b.ExpectHeading("Sign in")
	})
}

// TestFindAServiceAndStartAReferral is the practitioner's first journey, with JavaScript on and off:
// filter the catalogue for a woman of 30 on licence in London, remove a filter, open a service, start
// a referral with a wrong then a right CRN, and land on the draft's address.
func TestFindAServiceAndStartAReferral(t *testing.T) {
	t.Parallel()
	srv := startWebServer(t)
	webtest.WithAndWithoutJS(t, func(t *testing.T, noJS bool) {
		b := webtest.New(t, srv.URL, webtest.Opts{NoJS: noJS})
		b.SignIn("practitioner@demo.test", srv.Password)
		b.ExpectText("Start a referral")
		b.ClickLink("Find a service")
		b.ExpectHeading("Find a service")

		b.Fill("Age", "thirty")
		b.ClickButton("Apply filters")
		b.ExpectText("There is a problem", "Age must be a whole number between 0 and 130")

		b.Select("Region", "London")
		b.Check("Female")
		b.Fill("Age", "30")
		b.Check("Licence")
		b.Select("Service category", "Accommodation")
		b.ClickButton("Apply filters")
		b.ExpectText("Selected filters", "London", "Accommodation")
		if strings.Contains(b.Text(), "0 services") {
			t.Fatalf("no accommodation service in London for a woman of 30 on licence:\n%s", b.Text())
		}
		b.ClickLink("Remove this filter Licence")
		if strings.Contains(b.Path(), "setting=") {
			t.Errorf("the licence filter is still applied: %s", b.Path())
		}
		b.ClickLink("Remove this filter 30")
		b.ExpectText("London")

		title := b.FirstResultTitle()
		b.ClickLink(title)
		b.ExpectHeading(title)
		b.ExpectText("Who it is for", "Referral window", "Desired outcomes")

		b.ClickLink("Start a referral")
		b.ExpectHeading("What is the person's CRN?")
		b.Fill("Case reference number (CRN)", "12345")
		b.ClickButton("Start referral")
		b.ExpectText("There is a problem", "Enter a CRN in the correct format, like X123456")
		b.Fill("Case reference number (CRN)", "X123456")
		b.ClickButton("Start referral")
		if p := b.Path(); !strings.HasPrefix(p, "/referrals/") || !strings.HasSuffix(p, "/draft") {
			t.Fatalf("after starting a referral the browser is on %s, want /referrals/{id}/draft", p)
		}
	})
}
