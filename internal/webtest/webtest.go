// Package webtest drives headless Chromium (chromedp) through the platform's real pages for browser
// tests: it signs in, finds elements the way a person does (link and button text, labels, legends,
// headings), checks every page it lands on with axe-core for WCAG 2.2 A and AA and fails the test on
// any violation, can run with JavaScript disabled, and saves a screenshot and the page's HTML when a
// test fails. Import it only from _test.go files.
package webtest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

//go:embed axe.min.js
var axeJS string

// ChromiumPath is where Debian's chromium package installs the browser.
const ChromiumPath = "/usr/bin/chromium"

// Opts configure a Browser.
type Opts struct {
	// NoJS disables JavaScript in the page, to prove a journey works without it.
	NoJS bool
	// Width and Height of the window; 1280 x 900 when zero.
	Width, Height int
}

// Browser is one headless Chromium tab pointed at a running server.
type Browser struct {
	t    testing.TB
	ctx  context.Context
	base string
	opts Opts
	seq  atomic.Int64
	// Visited lists the paths checked with axe, in order.
	Visited []string
}

// Available reports whether Chromium is installed; tests skip with a message when it is not.
func Available() bool {
	_, err := exec.LookPath(ChromiumPath)
	return err == nil
}

// New starts Chromium for the test (closed at cleanup) against the server at base ("http://127.0.0.1:port").
// It skips the test when Chromium is missing.
func New(t testing.TB, base string, opts Opts) *Browser {
	t.Helper()
	if !Available() {
		t.Skipf("browser test: %s is missing (apt-get install chromium)", ChromiumPath)
	}
	if opts.Width == 0 {
		opts.Width, opts.Height = 1280, 900
	}
	alloc := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("no-proxy-server", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(opts.Width, opts.Height))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), alloc...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	b := &Browser{t: t, ctx: ctx, base: strings.TrimSuffix(base, "/"), opts: opts}
	t.Cleanup(func() {
		if t.Failed() {
			b.saveArtifacts()
		}
		cancelCtx()
		cancelAlloc()
	})
	steps := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(int64(opts.Width), int64(opts.Height))}
	// The first action starts the browser and binds it to its context: that context must be the
	// browser's own (a timeout on it would close the browser).
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("webtest: start chromium: %v", err)
	}
	if opts.NoJS {
		if err := b.setScripts(b.ctx30(), false); err != nil {
			t.Fatalf("webtest: disable JavaScript: %v", err)
		}
	}
	return b
}

func (b *Browser) setScripts(ctx context.Context, on bool) error {
	return chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	}))
}

func (b *Browser) timeout(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(b.ctx, d)
	b.t.Cleanup(cancel)
	return ctx
}

func (b *Browser) ctx30() context.Context { return b.timeout(30 * time.Second) }

// Visit opens a path (or a full URL) and checks the page with axe.
func (b *Browser) Visit(path string) {
	b.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = b.base + path
	}
	if err := chromedp.Do(b.ctx30(), chromedp.Navigate(u)); err != nil {
		b.t.Fatalf("webtest: visit %s: %v", path, err)
	}
	b.CheckAccessibility()
}

// SignIn signs in on the sign-in page with an email and password, and lands on the home page.
func (b *Browser) SignIn(email, password string) {
	b.t.Helper()
	b.Visit("/login")
	b.Fill("Email address", email)
	b.Fill("Password", password)
	b.ClickButton("Sign in")
}

var spaces = regexp.MustCompile(`\s+`)

func norm(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }

// The finders mark the element they find with data-webtest so that a real mouse click or real key
// presses (chromedp's input events) can then target it; finding runs in the page through the
// DevTools protocol, which works with the page's own JavaScript disabled.
const findJS = `(function (kind, text, n) {
  const norm = s => (s || "").replace(/\s+/g, " ").trim();
  const byLabel = t => {
    const l = [...document.querySelectorAll("label")].find(l => norm(l.textContent) === t);
    return l ? (l.control || document.getElementById(l.htmlFor)) : null;
  };
  let el = null;
  switch (kind) {
  case "link": el = [...document.querySelectorAll("a[href]")].find(a => norm(a.textContent) === text); break;
  case "button": el = [...document.querySelectorAll("button, input[type=submit], a[role=button]")].find(b => norm(b.textContent || b.value) === text); break;
  case "field": el = byLabel(text); break;
  case "legend": {
    const lg = [...document.querySelectorAll("legend")].find(l => norm(l.textContent) === text);
    el = lg ? lg.closest("fieldset") : null; break;
  }
  }
  if (!el) return "";
  el.setAttribute("data-webtest", n);
  return n;
})`

func (b *Browser) find(kind, text string) string {
	b.t.Helper()
	n := fmt.Sprint(b.seq.Add(1))
	js := fmt.Sprintf("%s(%q, %q, %q)", findJS, kind, text, n)
	got, err := chromedp.Run(b.ctx30(), chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("webtest: find %s %q: %v", kind, text, err)
	}
	if got == "" {
		b.t.Fatalf("webtest: no %s %q on %s (%s)", kind, text, b.Path(), b.Heading())
	}
	return fmt.Sprintf(`[data-webtest="%s"]`, got)
}

// clickAndWait clicks an element that loads a new page, waits for it, and checks it with axe.
func (b *Browser) clickAndWait(sel string) {
	b.t.Helper()
	_, err := chromedp.Run(b.ctx30(), chromedp.WaitEvent(page.LoadEventFired,
		func(page.EventLoadEventFired) bool { return true }, chromedp.Click(chromedp.CSS(sel))))
	if err != nil {
		b.t.Fatalf("webtest: click %s on %s: %v", sel, b.Path(), err)
	}
	b.CheckAccessibility()
}

// ClickLink follows the link whose text (visually hidden text included) is text.
func (b *Browser) ClickLink(text string) {
	b.t.Helper()
	b.clickAndWait(b.find("link", text))
}

// ClickButton presses the button whose text is text and waits for the page it loads.
func (b *Browser) ClickButton(text string) {
	b.t.Helper()
	b.clickAndWait(b.find("button", text))
}

// Fill types a value into the input or textarea labelled label, replacing what it held.
func (b *Browser) Fill(label, value string) {
	b.t.Helper()
	sel := b.find("field", label)
	if err := chromedp.Do(b.ctx30(), chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), value)); err != nil {
		b.t.Fatalf("webtest: fill %q: %v", label, err)
	}
}

// FillDate fills the day, month and year inputs of the date question whose legend is legend.
func (b *Browser) FillDate(legend, day, month, year string) {
	b.t.Helper()
	fs := b.find("legend", legend)
	for _, part := range [][2]string{{"Day", day}, {"Month", month}, {"Year", year}} {
		in := fmt.Sprintf(`%s input[name$="-%s"]`, fs, strings.ToLower(part[0]))
		if err := chromedp.Do(b.ctx30(), chromedp.Clear(chromedp.CSS(in)), chromedp.SendKeys(chromedp.CSS(in), part[1])); err != nil {
			b.t.Fatalf("webtest: fill %s of %q: %v", part[0], legend, err)
		}
	}
}

// Check ticks the checkbox or chooses the radio labelled label.
func (b *Browser) Check(label string) {
	b.t.Helper()
	sel := b.find("field", label)
	if err := chromedp.Do(b.ctx30(), chromedp.Click(chromedp.CSS(sel))); err != nil {
		b.t.Fatalf("webtest: check %q: %v", label, err)
	}
}

// Select picks the option whose text is option in the select labelled label.
func (b *Browser) Select(label, option string) {
	b.t.Helper()
	sel := b.find("field", label)
	js := fmt.Sprintf(`(function(){const s=document.querySelector(%q);const o=[...s.options].find(o=>o.text.replace(/\s+/g," ").trim()===%q);if(!o)return false;s.value=o.value;return true})()`, sel, option)
	ok, err := chromedp.Run(b.ctx30(), chromedp.Evaluate[bool](js))
	if err != nil || !ok {
		b.t.Fatalf("webtest: select %q in %q: %v (no such option)", option, label, err)
	}
}

// Heading returns the text of the page's h1.
func (b *Browser) Heading() string {
	s, _ := chromedp.Run(b.ctx30(), chromedp.Evaluate[string](`(document.querySelector("h1")||{}).textContent||""`))
	return norm(s)
}

// FirstResultTitle returns the text of the first link inside a level-2 heading in main (the first
// result of a list of results).
func (b *Browser) FirstResultTitle() string {
	s, _ := chromedp.Run(b.ctx30(), chromedp.Evaluate[string](`(document.querySelector("main h2 a")||{}).textContent||""`))
	if norm(s) == "" {
		b.t.Fatalf("webtest: no result on %s", b.Path())
	}
	return norm(s)
}

// Title returns the document title.
func (b *Browser) Title() string {
	s, _ := chromedp.Run(b.ctx30(), chromedp.Evaluate[string](`document.title`))
	return s
}

// Text returns the visible text of the page's main element.
func (b *Browser) Text() string {
	s, _ := chromedp.Run(b.ctx30(), chromedp.Evaluate[string](`(document.querySelector("main")||document.body).innerText`))
	return norm(s)
}

// Path returns the current path and query.
func (b *Browser) Path() string {
	s, _ := chromedp.Run(b.ctx30(), chromedp.Evaluate[string](`location.pathname + location.search`))
	return s
}

// ExpectHeading fails the test unless the page's h1 is want.
func (b *Browser) ExpectHeading(want string) {
	b.t.Helper()
	if got := b.Heading(); got != want {
		b.t.Fatalf("webtest: heading on %s is %q, want %q", b.Path(), got, want)
	}
}

// ExpectText fails the test unless the main content contains each of the texts.
func (b *Browser) ExpectText(texts ...string) {
	b.t.Helper()
	got := b.Text()
	for _, want := range texts {
		if !strings.Contains(got, want) {
			b.t.Fatalf("webtest: %s does not say %q; it says:\n%s", b.Path(), want, got)
		}
	}
}

// ScriptsRan reports whether the page's JavaScript ran (GOV.UK Frontend marks the body).
func (b *Browser) ScriptsRan() bool {
	v, _ := chromedp.Run(b.ctx30(), chromedp.Evaluate[bool](`document.body.classList.contains("js-enabled")`))
	return v
}

type axeResult struct {
	Violations []struct {
		ID    string `json:"id"`
		Help  string `json:"help"`
		Nodes []struct {
			Target []any  `json:"target"`
			HTML   string `json:"html"`
		} `json:"nodes"`
	} `json:"violations"`
}

// CheckAccessibility runs axe-core on the current page for WCAG 2.0, 2.1 and 2.2 at levels A and AA
// and fails the test on any violation.
func (b *Browser) CheckAccessibility() {
	b.t.Helper()
	path := b.Path()
	b.Visited = append(b.Visited, path)
	ctx := b.timeout(60 * time.Second)
	if b.opts.NoJS {
		// axe needs timers, which a page without scripts never runs: let scripts run for the check
		// only. The page's own scripts loaded (or not) already, so the DOM checked is the one a
		// person without JavaScript gets.
		if err := b.setScripts(ctx, true); err != nil {
			b.t.Fatalf("webtest: enable scripts for axe: %v", err)
		}
		defer func() {
			if err := b.setScripts(ctx, false); err != nil {
				b.t.Fatalf("webtest: disable scripts again: %v", err)
			}
		}()
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeJS)); err != nil {
		b.t.Fatalf("webtest: load axe on %s: %v", path, err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](
		`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("webtest: axe on %s: %v", path, err)
	}
	if len(res.Violations) > 0 {
		var sb strings.Builder
		for _, v := range res.Violations {
			fmt.Fprintf(&sb, "\n  %s: %s", v.ID, v.Help)
			for _, n := range v.Nodes {
				fmt.Fprintf(&sb, "\n    %v %s", n.Target, n.HTML)
			}
		}
		b.t.Fatalf("webtest: axe found %d violation(s) on %s (JavaScript off: %v):%s", len(res.Violations), path, b.opts.NoJS, sb.String())
	}
}

// Screenshot returns a PNG of the whole page.
func (b *Browser) Screenshot() []byte {
	b.t.Helper()
	png, err := chromedp.Run(b.timeout(60*time.Second), chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("webtest: screenshot: %v", err)
	}
	return png
}

// SaveScreenshot writes a PNG of the whole page to file.
func (b *Browser) SaveScreenshot(file string) {
	b.t.Helper()
	if err := os.WriteFile(file, b.Screenshot(), 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// ArtifactDir is where a failing test's screenshot and HTML go: $CRS_WEBTEST_ARTIFACTS, or
// crs-webtest under the system's temporary folder.
func ArtifactDir() string {
	if d := os.Getenv("CRS_WEBTEST_ARTIFACTS"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "crs-webtest")
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

func (b *Browser) saveArtifacts() {
	dir := filepath.Join(ArtifactDir(), unsafeName.ReplaceAllString(b.t.Name(), "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Logf("webtest: artifacts: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); err == nil {
		_ = os.WriteFile(filepath.Join(dir, "page.html"), []byte(html), 0o644)
	} else {
		b.t.Logf("webtest: page HTML: %v", err)
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(dir, "page.png"), png, 0o644)
	} else {
		b.t.Logf("webtest: screenshot: %v", err)
	}
	visited, _ := json.Marshal(b.Visited)
	_ = os.WriteFile(filepath.Join(dir, "visited.json"), visited, 0o644)
	b.t.Logf("webtest: screenshot and HTML of the failing page saved in %s", dir)
}

// WithAndWithoutJS runs a journey twice, as subtests "javascript on" and "javascript off", so that
// every journey is proved to work without JavaScript too; pass noJS on to Opts.NoJS.
func WithAndWithoutJS(t *testing.T, journey func(t *testing.T, noJS bool)) {
	t.Helper()
	for _, noJS := range []bool{false, true} {
		name := "javascript on"
		if noJS {
			name = "javascript off"
		}
		t.Run(name, func(t *testing.T) { journey(t, noJS) })
	}
}
