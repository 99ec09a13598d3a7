package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/crsplatform/crs/internal/webtest"
)

// screenshotPages are the main pages of the demo `make screenshots` photographs, as the practitioner.
var screenshotPages = []struct {
	File string
	Path string
}{
	{"login.png", "/login"},
	{"home-practitioner.png", "/"},
	{"find-a-service.png", "/services"},
	{"find-a-service-filtered.png", "/services?region=J&sex=FEMALE&age=30&setting=licence&service_category=ACCOMMODATION"},
	{"service.png", ""},
	{"api-reference.png", "/api-docs"},
	{"not-found.png", "/no-such-page"},
}

// TestScreenshots writes a PNG of each main page to $CRS_SCREENSHOTS (make screenshots); without the
// variable it does nothing.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("CRS_SCREENSHOTS")
	if dir == "" {
		t.Skip("set CRS_SCREENSHOTS to a folder (make screenshots)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	srv := startWebServer(t)
	b := webtest.New(t, srv.URL, webtest.Opts{Width: 1200, Height: 800})
	shoot := func(file string) {
		b.SaveScreenshot(filepath.Join(dir, file))
		t.Logf("wrote %s", file)
	}
	b.Visit("/login")
	shoot("login.png")
	b.SignIn("practitioner@demo.test", srv.Password)
	for _, p := range screenshotPages[1:] {
		if p.Path == "" { // the first service of the filtered list
			b.Visit(screenshotPages[3].Path)
			b.ClickLink(b.FirstResultTitle())
		} else {
			b.Visit(p.Path)
		}
		shoot(p.File)
	}
}
