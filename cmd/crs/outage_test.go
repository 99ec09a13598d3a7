package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/crsplatform/crs/internal/pgcluster"
)

// TestRequestsWhileTheDatabaseIsDownAnswer503 stops and restarts a private PostgreSQL cluster under a
// running server: meanwhile requests answer 503 with Retry-After and a problem that says the service
// is temporarily unavailable (never 500), and once PostgreSQL is back they are served again.
func TestRequestsWhileTheDatabaseIsDownAnswer503(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := os.TempDir()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		root = "/dev/shm"
	}
	dir, err := os.MkdirTemp(root, "crs-outage-")
	if err != nil {
		t.Fatal(err)
	}
	c := &pgcluster.Cluster{Dir: dir, Test: true}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.Stop(context.Background())
		_ = os.RemoveAll(dir)
	})
	if err := c.EnsureDatabase(ctx, "crs"); err != nil {
		t.Fatal(err)
	}
	dbURL := c.URL("crs")
	if code, _, stderr := runCmd(t, map[string]string{"DATABASE_URL": dbURL}, "", "migrate", "up"); code != 0 {
		t.Fatalf("migrate: %d %s", code, stderr)
	}
	base, stop := startServe(t, dbURL)
	defer stop()
	// signIn answers the status, the headers and the decoded problem of one refused sign-in.
	type answer struct {
		StatusCode int
		Header     http.Header
	}
	signIn := func() (answer, map[string]any) {
		t.Helper()
		resp, err := http.Post(base+"/api/v1/auth/token", "application/json", strings.NewReader(`{"email":"nobody@example.org","password":"wrong password"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return answer{StatusCode: resp.StatusCode, Header: resp.Header}, body
	}
	if resp, _ := signIn(); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("sign-in with a wrong password before the outage: %d, want 401", resp.StatusCode)
	}

	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for range 3 { // a dead pooled connection, then refused new ones: the same answer each time
		resp, body := signIn()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
			resp.Header.Get("Content-Type") != "application/problem+json" || body["code"] != "service_unavailable" ||
			!strings.Contains(body["detail"].(string), "temporarily unavailable") {
			t.Fatalf("sign-in while PostgreSQL is down: %d, Retry-After %q, %v; want 503 with Retry-After and a problem",
				resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	r, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz while PostgreSQL is down: %d, want 503", r.StatusCode)
	}

	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// Served again once the pool has replaced its dead connections (each failure is a 503 meanwhile).
	for attempt := 1; ; attempt++ {
		resp, body := signIn()
		if resp.StatusCode == http.StatusUnauthorized {
			break
		}
		if resp.StatusCode != http.StatusServiceUnavailable || attempt == 50 {
			t.Fatalf("sign-in after PostgreSQL restarted (attempt %d): %d %v", attempt, resp.StatusCode, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
