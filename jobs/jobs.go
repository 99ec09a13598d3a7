// Package jobs holds the platform's River workers and their periodic schedules. Workers are thin and
// idempotent: they load by id and call a domain service; job args are small, stable and snake_case.
// The domain packages define the args of the jobs they insert (a lower package cannot import this
// one); this package registers a worker for each.
package jobs

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/robfig/cron/v3"

	"github.com/crsplatform/crs/internal/auth"
	"github.com/crsplatform/crs/internal/idempotency"
	"github.com/crsplatform/crs/internal/notify"
	"github.com/crsplatform/crs/payments"
	"github.com/crsplatform/crs/payments/returns"
	"github.com/crsplatform/crs/referrals"
)

// Deps are the services workers call.
type Deps struct {
	Auth        *auth.Service
	Idempotency *idempotency.Store
	Logger      *slog.Logger
	// Referrals serves the referral workers (e-mail about referral events, stale drafts).
	Referrals *referrals.Service
	// Mailer sends e-mail; nil when no SMTP server is configured (notify.NewSMTPMailer).
	Mailer notify.Mailer
	// Payments reconciles volumes and manages payment requests.
	Payments *payments.Service
	// Returns builds the Excel returns.
	Returns *returns.Service
	// Directory finds recipients' e-mail addresses.
	Directory *notify.Directory
	// ReportTimeout bounds the heavy jobs (an Excel return, the reconciliation of every contract);
	// zero means 15 minutes. Other jobs have the client's job timeout.
	ReportTimeout time.Duration
}

// reportTimeout is the timeout of a heavy job.
func (d Deps) reportTimeout() time.Duration {
	if d.ReportTimeout > 0 {
		return d.ReportTimeout
	}
	return 15 * time.Minute
}

// Schedules are the cron schedules of the periodic jobs.
type Schedules struct {
	Reconcile string
	Returns   string
}

// Workers registers every worker.
func Workers(d Deps) *river.Workers {
	w := river.NewWorkers()
	river.AddWorker(w, &PurgeWorker{deps: d})
	addReferralWorkers(w, d)
	addPaymentWorkers(w, d)
	river.AddWorker(w, &EmailWorker{directory: d.Directory, mailer: d.Mailer})
	river.AddWorker(w, &RefreshVolumesWorker{deps: d})
	river.AddWorker(w, &ReconcileAllWorker{deps: d})
	river.AddWorker(w, &BuildReturnWorker{deps: d})
	river.AddWorker(w, &MonthlyReturnsWorker{deps: d})
	return w
}

// Periodic returns the periodic jobs; River's elected leader enqueues them.
func Periodic(s Schedules) ([]*river.PeriodicJob, error) {
	hourly := river.PeriodicInterval(time.Hour)
	jobs := []*river.PeriodicJob{
		river.NewPeriodicJob(hourly, func() (river.JobArgs, *river.InsertOpts) { return PurgeArgs{}, nil },
			&river.PeriodicJobOpts{ID: "purge", RunOnStart: true}),
		staleDraftsJob(),
	}
	jobs = append(jobs, paymentJobs()...)
	reconcile, err := Schedule(s.Reconcile)
	if err != nil {
		return nil, err
	}
	jobs = append(jobs, river.NewPeriodicJob(reconcile, func() (river.JobArgs, *river.InsertOpts) { return ReconcileAllArgs{}, nil },
		&river.PeriodicJobOpts{ID: "reconcile_all"}))
	monthly, err := Schedule(s.Returns)
	if err != nil {
		return nil, err
	}
	jobs = append(jobs, river.NewPeriodicJob(monthly, func() (river.JobArgs, *river.InsertOpts) { return returns.MonthlyArgs{}, nil },
		&river.PeriodicJobOpts{ID: "monthly_returns"}))
	return jobs, nil
}

// Schedule parses a five-field cron schedule (UTC) for a periodic job.
func Schedule(spec string) (river.PeriodicSchedule, error) {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("cron schedule %q: %w", spec, err)
	}
	return sched, nil
}
