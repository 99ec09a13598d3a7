package payments_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/dbtest"
	"github.com/crsplatform/crs/internal/factory"
	"github.com/crsplatform/crs/payments"
)

// BenchmarkReconcileMillion reconciles 1,000,000 referrals across 112 contracts and compares the
// service (load the portfolio, count, compute, store snapshots, raise alerts, in one transaction)
// with the bare aggregate SQL that produces the same counts, timed in the same run on the same data.
func BenchmarkReconcileMillion(b *testing.B) {
	const contractsN, referralsN = 112, 1_000_000
	d := dbtest.New(b)
	db := d.Gorm
	today := calendar.Today(time.Now())
	start := today.AddDays(-200)
	prime := factory.Supplier(b, db, factory.SupplierOpts{})
	ids := make([]uuid.UUID, contractsN)
	for i := range ids {
		ids[i] = factory.Contract(b, db, factory.ContractOpts{Reference: fmt.Sprintf("BENCH-%03d", i), Prime: prime, Start: start,
			Bands: []factory.Band{{Low: 0, High: 4000, Price: 50_000_000}, {Low: 4001, High: 8000, Price: 60_000_000}, {Low: 8001, High: 12000, Price: 70_000_000}, {Low: 12001, High: 16000, Price: 80_000_000}}})
	}
	t0 := time.Now()
	factory.BulkReferrals(b, db, ids, referralsN, start, today.AddDays(-1))
	b.Logf("loaded %d referrals in %s", referralsN, time.Since(t0).Round(time.Millisecond))
	svc := payments.NewService(db, payments.Config{})
	ctx := context.Background()
	sys := actor.System("bench")

	idStrings := make(pq.StringArray, len(ids))
	starts, ends := make(pq.StringArray, len(ids)), make(pq.StringArray, len(ids))
	for i, id := range ids {
		idStrings[i], starts[i], ends[i] = id.String(), start.String(), today.String()
	}
	bare := func() int {
		var n []struct{ N int }
		err := db.Raw(`WITH w AS (SELECT * FROM unnest(?::uuid[], ?::date[], ?::date[]) AS w(contract_id, start_on, end_on))
			SELECT r.contract_id, date_trunc('month', r.sent_on) AS month, c.service_category_code, c.complexity_level, count(*) AS n
			FROM w JOIN referrals r ON r.contract_id = w.contract_id AND r.counted AND r.sent_on BETWEEN w.start_on AND w.end_on
			JOIN referral_service_categories c ON c.referral_id = r.id
			GROUP BY 1, 2, 3, 4`, idStrings, starts, ends).Scan(&n).Error
		if err != nil {
			b.Fatal(err)
		}
		return len(n)
	}
	bareMonthly := func() {
		var n []struct{ N int }
		if err := db.Raw(`SELECT contract_id, date_trunc('month', sent_on), count(*) AS n FROM referrals WHERE counted GROUP BY 1, 2`).Scan(&n).Error; err != nil {
			b.Fatal(err)
		}
	}
	run := func() payments.RunResult {
		res, err := svc.Reconcile(ctx, sys, payments.ReconcileParams{})
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	// Warm both paths once, then alternate them and take medians.
	bare()
	res := run()
	counted := 0
	for _, p := range res.Pictures {
		counted += p.CountedYTD
	}
	if len(res.Pictures) != contractsN || counted != referralsN-referralsN/50 {
		b.Fatalf("reconciled %d contracts and %d referrals", len(res.Pictures), counted)
	}
	const rounds = 5
	var tBare, tMonthly, tSvc []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for r := 0; r < rounds; r++ {
			s := time.Now()
			bare()
			tBare = append(tBare, time.Since(s))
			s = time.Now()
			bareMonthly()
			tMonthly = append(tMonthly, time.Since(s))
			s = time.Now()
			run()
			tSvc = append(tSvc, time.Since(s))
		}
	}
	b.StopTimer()
	mb, mm, ms := median(tBare), median(tMonthly), median(tSvc)
	b.ReportMetric(float64(ms.Milliseconds()), "reconcile-ms")
	b.ReportMetric(float64(mb.Milliseconds()), "bare-aggregate-ms")
	b.ReportMetric(float64(ms)/float64(mb), "ratio")
	fmt.Printf("reconciliation of %d referrals across %d contracts: service %s, bare aggregate (same counts, with category and complexity splits) %s, ratio %.2f (aim <= 1.5); bare monthly count alone %s, ratio %.2f\n",
		referralsN, contractsN, ms.Round(time.Millisecond), mb.Round(time.Millisecond), float64(ms)/float64(mb), mm.Round(time.Millisecond), float64(ms)/float64(mm))
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
