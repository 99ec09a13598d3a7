package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crsplatform/crs/internal/config"
	"github.com/crsplatform/crs/internal/dbtest"
)

// BenchmarkSeedDemo loads the full-size demo (about 107,000 referrals) and then times the referral
// lists each demo account opens most, reporting the seed's and the slowest list's milliseconds. The
// tests load a small share of the demo; this is where its full-size figures are measured (the
// referral list was expected to answer within 2 s for every account and filter).
func BenchmarkSeedDemo(b *testing.B) {
	dbURL, ownerURL := dbtest.URLs(b)
	start := time.Now()
	code, out, stderr := runCmd(b, map[string]string{"DATABASE_URL": dbURL, "CRS_MIGRATE_DATABASE_URL": ownerURL}, "", "seed", "demo")
	if code != 0 || !strings.Contains(out, "prime@demo.test") {
		b.Fatalf("seed demo: %d %q %q", code, out, stderr)
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds()), "seed_ms")
	base, stop := startServe(b, dbURL)
	defer stop()
	cfg, _ := config.Load(envOf(nil))
	queries := []string{"", "?limit=500", "?overdue=true", "?overdue=false&concluded=false", "?status=IN_DELIVERY,ASSESSMENT_BOOKED",
		"?sort=reference", "?sort=sent_at_asc&limit=20", "?concluded=true", "?unassigned=true", "?q=a"}
	var slowest time.Duration
	for _, email := range []string{"admin@demo.test", "commissioner@demo.test", "practitioner@demo.test", "prime@demo.test", "subcontractor@demo.test"} {
		resp, err := http.Post(base+"/api/v1/auth/token", "application/json",
			strings.NewReader(`{"email":"`+email+`","password":"`+cfg.DemoPassword+`"}`))
		if err != nil {
			b.Fatal(err)
		}
		var tok struct{ Token string }
		_ = json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		for _, q := range queries {
			req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/referrals"+q, nil)
			req.Header.Set("Authorization", "Bearer "+tok.Token)
			t0 := time.Now()
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			r.Body.Close()
			took := time.Since(t0)
			if r.StatusCode != http.StatusOK {
				b.Fatalf("GET /referrals%s as %s: %d", q, email, r.StatusCode)
			}
			if took > slowest {
				slowest = took
			}
			b.Logf("GET /referrals%-40s as %-24s %s", q, email, took.Round(time.Millisecond))
		}
	}
	b.ReportMetric(float64(slowest.Milliseconds()), "slowest_list_ms")
}
