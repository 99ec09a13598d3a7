package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crsplatform/crs/internal/config"
	"github.com/crsplatform/crs/internal/dbtest"
	"github.com/crsplatform/crs/internal/httpserver"
)

// syncBuffer is a goroutine-safe buffer for a command's stderr.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// runCmd runs the binary's run() to completion.
func runCmd(t testing.TB, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut syncBuffer
	code := run(context.Background(), args, envOf(env), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

var (
	listening   = regexp.MustCompile(`crs listening on (http://\S+)`)
	metricsOn   = regexp.MustCompile(`crs metrics on (http://\S+)`)
	metricsURLs sync.Map // the metrics URL of each server startServe started, by its URL
)

// startServe boots `crs serve --with-workers` on port 0 (its metrics too) and returns its URL and a
// stop function that cancels it and returns the exit code.
func startServe(t testing.TB, databaseURL string) (string, func() int) {
	t.Helper()
	return startServeEnv(t, databaseURL, nil)
}

// startServeEnv is startServe with extra environment variables.
func startServeEnv(t testing.TB, databaseURL string, extra map[string]string) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	var errOut syncBuffer
	done := make(chan int, 1)
	env := map[string]string{"DATABASE_URL": databaseURL, "CRS_ADDR": "127.0.0.1:0", "CRS_METRICS_ADDR": "127.0.0.1:0", "CRS_LOG_LEVEL": "warn"}
	for k, v := range extra {
		env[k] = v
	}
	go func() {
		done <- run(ctx, []string{"serve", "--with-workers"}, envOf(env), strings.NewReader(""), pw, &errOut)
		pw.Close()
	}()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		var base string
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				base = m[1]
			}
			if m := metricsOn.FindStringSubmatch(sc.Text()); m != nil && base != "" {
				metricsURLs.Store(base, m[1])
				urlc <- base
			}
		}
	}()
	select {
	case u := <-urlc:
		return u, func() int {
			cancel()
			select {
			case code := <-done:
				return code
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not stop within 30s of cancellation")
				return -1
			}
		}
	case code := <-done:
		t.Fatalf("serve exited with %d before listening: %s", code, errOut.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start: %s", errOut.String())
	}
	return "", nil
}

func TestRunServesReadyzAndStopsGracefully(t *testing.T) {
	t.Parallel()
	url, stop := startServe(t, dbtest.URL(t))
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || body["status"] != "ready" {
		t.Fatalf("/readyz = %d %v", resp.StatusCode, body)
	}
	metrics, _ := metricsURLs.Load(url)
	for _, u := range []string{url + "/healthz", url + "/openapi.json", metrics.(string), url + "/login"} {
		r, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != http.StatusOK {
			t.Errorf("%s = %d", u, r.StatusCode)
		}
		if u == metrics && (!strings.Contains(string(b), "crs_db_pool_max_conns") || !strings.Contains(string(b), "crs_http_requests_total")) {
			t.Errorf("%s lacks the pool or request metrics", u)
		}
	}
	// The metrics are not served on the API's address (they are on their own, loopback by default).
	if r, err := http.Get(url + "/metrics"); err != nil || r.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the API address: %v %v, want 404", r.StatusCode, err)
	} else {
		r.Body.Close()
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit code %d after graceful shutdown", code)
	}
	if r, err := http.Get(url + "/healthz"); err == nil {
		r.Body.Close()
		t.Fatal("server still answers after shutdown")
	}
}

func TestServeAndWorkerRefuseASchemaBehind(t *testing.T) {
	t.Parallel()
	empty := dbtest.Empty(t)
	for _, cmd := range []string{"serve", "worker"} {
		code, _, stderr := runCmd(t, map[string]string{"DATABASE_URL": empty, "CRS_ADDR": "127.0.0.1:0"}, "", cmd)
		if code != 1 || !strings.Contains(stderr, "crs migrate up") {
			t.Errorf("%s on an unmigrated database: exit %d, stderr %q", cmd, code, stderr)
		}
	}
}

func TestMigrateCommands(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": dbtest.Empty(t)}
	code, out, stderr := runCmd(t, env, "", "migrate", "status")
	if code != 0 || !strings.Contains(out, "pending") {
		t.Fatalf("status: %d %q %q", code, out, stderr)
	}
	if code, out, stderr = runCmd(t, env, "", "migrate", "up"); code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("up: %d %q %q", code, out, stderr)
	}
	if code, out, _ = runCmd(t, env, "", "migrate", "down"); code != 0 || !strings.Contains(out, "1 pending") {
		t.Fatalf("down: %d %q", code, out)
	}
	if code, out, _ = runCmd(t, env, "", "migrate", "up"); code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("up again: %d %q", code, out)
	}
	if code, _, _ = runCmd(t, env, "", "migrate", "sideways"); code != 2 {
		t.Fatalf("unknown migrate verb: exit %d, want 2", code)
	}
}

func TestConfigurationErrorsNameTheVariable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "DATABASE_URL"},
		{map[string]string{"DATABASE_URL": "postgres://x/y", "CRS_ADDR": "nonsense"}, "CRS_ADDR"},
		{map[string]string{"DATABASE_URL": "postgres://x/y", "CRS_DB_MAX_CONNS": "lots"}, "CRS_DB_MAX_CONNS"},
		{map[string]string{"DATABASE_URL": "postgres://u@localhost:70000/crs"}, "DATABASE_URL"},
		{map[string]string{"DATABASE_URL": "postgres://x/y", "CRS_RECONCILE_SCHEDULE": "0 2 * * 9"}, "CRS_RECONCILE_SCHEDULE"},
		{map[string]string{"DATABASE_URL": "postgres://x/y", "CRS_DB_STATEMENT_TIMEOUT": "forever"}, "CRS_DB_STATEMENT_TIMEOUT"},
	}
	for _, c := range cases {
		code, _, stderr := runCmd(t, c.env, "", "serve")
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("env %v: exit %d, stderr %q; want it to name %s", c.env, code, stderr, c.want)
		}
	}
	if code, _, _ := runCmd(t, nil, "", "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
	if code, out, _ := runCmd(t, nil, "", "version"); code != 0 || !strings.HasPrefix(out, "crs ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestUsersCreateAndSeed(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": dbtest.URL(t)}
	code, out, stderr := runCmd(t, env, "a long enough password\n", "users", "create", "--email", "ops@example.org", "--name", "Ops", "--role", "commissioner", "--regions", "a,b")
	if code != 0 || !strings.Contains(out, "created user ops@example.org") {
		t.Fatalf("users create: %d %q %q", code, out, stderr)
	}
	code, _, stderr = runCmd(t, env, "short\n", "users", "create", "--email", "x@example.org", "--name", "X", "--role", "admin")
	if code != 1 || !strings.Contains(stderr, "password") {
		t.Fatalf("short password: %d %q", code, stderr)
	}
	// The database holds a user now: the demo seed refuses to mix with real data.
	if code, _, stderr = runCmd(t, env, "", "seed", "demo"); code != 1 || !strings.Contains(stderr, "empty database") {
		t.Fatalf("seed into a used database: %d %q", code, stderr)
	}
}

func TestSeedDemoAccountsSignIn(t *testing.T) {
	t.Parallel()
	dbURL, ownerURL := dbtest.URLs(t)
	env := map[string]string{"DATABASE_URL": dbURL, "CRS_MIGRATE_DATABASE_URL": ownerURL}
	code, out, stderr := runCmd(t, env, "", "seed", "demo", "--scale", "0.01")
	if code != 0 || !strings.Contains(out, "admin@demo.test") {
		t.Fatalf("seed demo: %d %q %q", code, out, stderr)
	}
	url, stop := startServe(t, dbURL)
	defer stop()
	cfg, _ := config.Load(envOf(nil))
	for _, email := range []string{"admin@demo.test", "commissioner@demo.test", "practitioner@demo.test"} {
		body := strings.NewReader(`{"email":"` + email + `","password":"` + cfg.DemoPassword + `"}`)
		resp, err := http.Post(url+"/api/v1/auth/token", "application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		var tok struct{ Token string }
		_ = json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("%s sign-in: %d", email, resp.StatusCode)
		}
		req, _ := http.NewRequest(http.MethodGet, url+"/admin/jobs/", nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		want := http.StatusNotFound
		if email == "admin@demo.test" {
			want = http.StatusOK
		}
		if r.StatusCode != want {
			t.Errorf("%s opening /admin/jobs/: %d, want %d", email, r.StatusCode, want)
		}
	}
}

// TestServeGivesUpOnADatabaseThatNeverAnswers points serve at a server that accepts TCP connections
// and never answers: serve must fail with a clear error after CRS_DB_CONNECT_TIMEOUT, not hang.
func TestServeGivesUpOnADatabaseThatNeverAnswers(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c) // accepted, never answered
		}
	}()
	env := map[string]string{"DATABASE_URL": "postgres://crs@" + ln.Addr().String() + "/crs?sslmode=disable", "CRS_DB_CONNECT_TIMEOUT": "500ms"}
	code, _, stderr := runCmd(t, env, "", "serve")
	if code != 1 || !strings.Contains(stderr, "connect to database") {
		t.Fatalf("serve against a silent database: exit %d, stderr %q; want exit 1 and a connection error", code, stderr)
	}
}

// TestOpenAPIDocumentsEveryRoute fails when a registered /api/v1 route is undocumented or a documented
// one is not registered.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	a := testApp(t)
	registered := map[string]bool{}
	for _, r := range a.server.Echo.Routes() {
		if strings.HasPrefix(r.Path, httpserver.APIPrefix) {
			registered[r.Method+" "+httpserver.OpenAPIPath(r.Path)] = true
		}
	}
	documented := map[string]bool{}
	for _, r := range a.server.Doc.Routes() {
		documented[r] = true
	}
	var missing, extra []string
	for r := range registered {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for r := range documented {
		if !registered[r] {
			extra = append(extra, r)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("undocumented routes %v; documented but not registered %v", missing, extra)
	}
	if len(registered) < 10 {
		t.Fatalf("only %d API routes registered", len(registered))
	}
	raw, err := json.Marshal(a.server.Doc)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || len(doc.Paths) == 0 {
		t.Fatalf("document header %q with %d paths", doc.OpenAPI, len(doc.Paths))
	}
}

// testApp wires the whole platform as serve does, without workers, on a fresh test database; it is
// closed when the test ends.
func testApp(t *testing.T) *app {
	t.Helper()
	cfg, err := config.Load(envOf(map[string]string{"DATABASE_URL": dbtest.URL(t), "CRS_LOG_LEVEL": "error"}))
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(context.Background(), cfg, newLogger(cfg, "json", io.Discard), appOpts{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	return a
}
