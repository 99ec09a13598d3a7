package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"
)

// The vendored front-end files (copied from node_modules by `make assets`, committed) and the
// platform's own small stylesheet.
//
//go:embed all:assets
var assetFS embed.FS

// AssetsPrefix is where assets are served.
const AssetsPrefix = "/assets/"

type asset struct {
	body        []byte
	contentType string
}

// assetSet holds every asset under its fingerprinted name (content hash in the name), served with a
// year-long immutable cache lifetime, and maps plain names to fingerprinted URLs.
type assetSet struct {
	byURL map[string]asset
	urls  map[string]string
}

var (
	cssURL = regexp.MustCompile(`url\(/assets/(images/[A-Za-z0-9._-]+)\)`)
	// The GDS Transport typeface is for GOV.UK-domain services only; this service is not one, so
	// the vendored stylesheet's @font-face rules are dropped and text falls back to Arial.
	fontFace = regexp.MustCompile(`@font-face\{[^}]*\}`)
)

func loadAssets() (*assetSet, error) {
	s := &assetSet{byURL: map[string]asset{}, urls: map[string]string{}}
	files := map[string][]byte{}
	err := fs.WalkDir(assetFS, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assetFS.ReadFile(p)
		if err != nil {
			return err
		}
		files[strings.TrimPrefix(p, "assets/")] = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Images first, so that stylesheets can point at their fingerprinted names.
	var css []string
	for name, b := range files {
		if path.Ext(name) == ".css" {
			css = append(css, name)
			continue
		}
		s.add(name, b)
	}
	for _, name := range css {
		b := fontFace.ReplaceAll(files[name], nil)
		b = []byte(strings.ReplaceAll(string(b), "GDS Transport,", ""))
		b = cssURL.ReplaceAllFunc(b, func(m []byte) []byte {
			img := string(cssURL.FindSubmatch(m)[1])
			u, ok := s.urls[path.Join("vendor", img)]
			if !ok {
				u, ok = s.urls[img]
			}
			if !ok {
				// A stylesheet rule for a component this service never uses (the crown).
				return []byte("url(data:,)")
			}
			return []byte("url(" + u + ")")
		})
		s.add(name, b)
	}
	return s, nil
}

func (s *assetSet) add(name string, b []byte) {
	sum := sha256.Sum256(b)
	ext := path.Ext(name)
	fp := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
	ct := mime.TypeByExtension(ext)
	if ct == "" {
		ct = "application/octet-stream"
	}
	s.byURL[AssetsPrefix+fp] = asset{body: b, contentType: ct}
	s.urls[name] = AssetsPrefix + fp
}

// url returns the fingerprinted URL of an asset; an unknown name is a programming error caught by
// the first render of the page that names it.
func (s *assetSet) url(name string) string {
	u, ok := s.urls[name]
	if !ok {
		panic(fmt.Sprintf("web: no asset %q", name))
	}
	return u
}

func (s *assetSet) serve(c echo.Context) error {
	a, ok := s.byURL[c.Request().URL.Path]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, a.contentType, a.body)
}
