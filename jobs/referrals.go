package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/crsplatform/crs/referrals"
)

// errNoReferrals is returned by the referral workers of a process wired without the referrals service.
var errNoReferrals = errors.New("the referrals service is not wired into jobs.Deps")

// addReferralWorkers registers the workers of the jobs package referrals inserts or schedules.
func addReferralWorkers(w *river.Workers, d Deps) {
	river.AddWorker(w, NewReferralEmailWorker(d))
	river.AddWorker(w, NewStaleDraftsWorker(d))
}

// ReferralEmailWorker e-mails a contract's referral mailbox about a referral event
// (referrals.NotifyArgs). Without a mailer (no CRS_SMTP_ADDR) it completes without sending; a contract
// without a mailbox gets nothing either. A failed send is retried by River.
type ReferralEmailWorker struct {
	river.WorkerDefaults[referrals.NotifyArgs]
	deps Deps
}

// NewReferralEmailWorker returns the worker.
func NewReferralEmailWorker(d Deps) *ReferralEmailWorker { return &ReferralEmailWorker{deps: d} }

// Work implements river.Worker.
func (w *ReferralEmailWorker) Work(ctx context.Context, job *river.Job[referrals.NotifyArgs]) error {
	if w.deps.Mailer == nil {
		return nil
	}
	if w.deps.Referrals == nil {
		return errNoReferrals
	}
	email, ok, err := w.deps.Referrals.NotificationEmail(ctx, job.Args)
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	return w.deps.Mailer.Send(ctx, email.To, email.Subject, email.Body)
}

// StaleDraftsArgs asks for the drafts unchanged for 90 days to be deleted.
type StaleDraftsArgs struct{}

// Kind implements river.JobArgs.
func (StaleDraftsArgs) Kind() string { return "referral_stale_drafts" }

// InsertOpts makes the job unique per hour, however many times the schedule fires.
func (StaleDraftsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// StaleDraftsWorker deletes the stale drafts (referrals.Service.DeleteStaleDrafts).
type StaleDraftsWorker struct {
	river.WorkerDefaults[StaleDraftsArgs]
	deps Deps
}

// NewStaleDraftsWorker returns the worker.
func NewStaleDraftsWorker(d Deps) *StaleDraftsWorker { return &StaleDraftsWorker{deps: d} }

// Work implements river.Worker.
func (w *StaleDraftsWorker) Work(ctx context.Context, _ *river.Job[StaleDraftsArgs]) error {
	if w.deps.Referrals == nil {
		return errNoReferrals
	}
	n, err := w.deps.Referrals.DeleteStaleDrafts(ctx)
	if err != nil {
		return err
	}
	if w.deps.Logger != nil {
		w.deps.Logger.InfoContext(ctx, "deleted stale drafts", slog.Int("drafts", n))
	}
	return nil
}

// staleDraftsJob deletes stale drafts every six hours and when the leader starts.
func staleDraftsJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(6*time.Hour), func() (river.JobArgs, *river.InsertOpts) { return StaleDraftsArgs{}, nil },
		&river.PeriodicJobOpts{ID: "referral_stale_drafts", RunOnStart: true})
}
