package jobs_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/factory"
	"github.com/crsplatform/crs/jobs"
	"github.com/crsplatform/crs/payments"
)

func TestPaymentJobsAreScheduled(t *testing.T) {
	t.Parallel()
	periodic, err := jobs.Periodic(jobs.Schedules{Reconcile: "0 2 * * *", Returns: "0 6 1 * *"})
	if err != nil {
		t.Fatal(err)
	}
	// Two payment jobs join the platform's periodic jobs; the workers are registered for their kinds.
	if len(periodic) < 2 {
		t.Fatalf("%d periodic jobs", len(periodic))
	}
	w := jobs.Workers(jobs.Deps{})
	if w == nil {
		t.Fatal("no workers")
	}
	ctx := context.Background()
	if err := jobs.NewPaymentClocksWorker(jobs.Deps{}).Work(ctx, &river.Job[jobs.PaymentClocksArgs]{}); err == nil {
		t.Error("clocks worker without the payments service succeeded")
	}
	if err := jobs.NewSettleYearsWorker(jobs.Deps{}).Work(ctx, &river.Job[jobs.SettleYearsArgs]{}); err == nil {
		t.Error("settlement worker without the payments service succeeded")
	}
}

func TestPaymentClocksWorkerFlagsOverdueRequests(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	clock := &atomic.Pointer[time.Time]{}
	start := time.Date(2026, time.March, 6, 12, 0, 0, 0, time.UTC)
	clock.Store(&start)
	svc := payments.NewService(env.DB.Gorm, payments.Config{Inserter: env.Inserter, Now: func() time.Time { return *clock.Load() }})
	db := env.DB.Gorm
	prime := factory.Supplier(t, db, factory.SupplierOpts{})
	contract := factory.Contract(t, db, factory.ContractOpts{Prime: prime, Start: calendar.NewDate(2025, 4, 1), End: calendar.NewDate(2028, 3, 31)})
	primeUser := env.NewUser(actor.RoleSupplier, apitest.UserOpts{SupplierID: prime})
	commissioner := env.NewUser(actor.RoleCommissioner, apitest.UserOpts{Regions: []string{"J"}})
	ctx := context.Background()
	r, err := svc.SubmitRequest(ctx, primeUser.Actor(), payments.SubmitParams{ContractID: contract, Kind: payments.KindMonthly,
		Period: calendar.NewMonth(2026, time.February), Amount: 3833333, InvoiceReference: "INV-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApproveRequest(ctx, commissioner.Actor(), r.ID, r.Version); err != nil {
		t.Fatal(err)
	}
	later := start.AddDate(0, 0, 31)
	clock.Store(&later)
	w := jobs.NewPaymentClocksWorker(jobs.Deps{Payments: svc})
	for range 2 { // idempotent: the second run flags nothing new
		if err := w.Work(ctx, &river.Job[jobs.PaymentClocksArgs]{}); err != nil {
			t.Fatal(err)
		}
	}
	var flagged, notified int
	db.Raw(`SELECT count(*) FROM payment_requests WHERE overdue_flagged_at IS NOT NULL`).Scan(&flagged)
	db.Raw(`SELECT count(*) FROM notifications WHERE kind = 'payment_request_overdue' AND user_id = ?`, primeUser.ID).Scan(&notified)
	if flagged != 1 || notified != 1 {
		t.Errorf("%d flagged, prime notified %d times; want 1 and 1", flagged, notified)
	}
	if err := jobs.NewSettleYearsWorker(jobs.Deps{Payments: svc}).Work(ctx, &river.Job[jobs.SettleYearsArgs]{}); err != nil {
		t.Fatal(err)
	}
}
