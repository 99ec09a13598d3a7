package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// errNoPayments is returned by the payment workers of a process wired without the payments service.
var errNoPayments = errors.New("the payments service is not wired into jobs.Deps")

// addPaymentWorkers registers the workers of the payment clocks and year-end settlement.
func addPaymentWorkers(w *river.Workers, d Deps) {
	river.AddWorker(w, NewPaymentClocksWorker(d))
	river.AddWorker(w, NewSettleYearsWorker(d))
}

// paymentJobs runs the payment clocks hourly and the year-end settlement every six hours, both also
// when the leader starts.
func paymentJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) { return PaymentClocksArgs{}, nil },
			&river.PeriodicJobOpts{ID: "payment_clocks", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(6*time.Hour), func() (river.JobArgs, *river.InsertOpts) { return SettleYearsArgs{}, nil },
			&river.PeriodicJobOpts{ID: "settle_years", RunOnStart: true}),
	}
}

// PaymentClocksArgs asks for overdue payment requests to be flagged.
type PaymentClocksArgs struct{}

// Kind implements river.JobArgs.
func (PaymentClocksArgs) Kind() string { return "payment_clocks" }

// InsertOpts makes the job unique per hour, however many times the schedule fires.
func (PaymentClocksArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// PaymentClocksWorker flags approved requests unpaid after the payment terms and queries unanswered
// after five working days, once each, and notifies (payments.Service.FlagOverdueRequests).
type PaymentClocksWorker struct {
	river.WorkerDefaults[PaymentClocksArgs]
	deps Deps
}

// NewPaymentClocksWorker returns the worker (for tests and wiring).
func NewPaymentClocksWorker(d Deps) *PaymentClocksWorker { return &PaymentClocksWorker{deps: d} }

// Work implements river.Worker.
func (w *PaymentClocksWorker) Work(ctx context.Context, _ *river.Job[PaymentClocksArgs]) error {
	if w.deps.Payments == nil {
		return errNoPayments
	}
	flagged, err := w.deps.Payments.FlagOverdueRequests(ctx)
	if err != nil {
		return err
	}
	if w.deps.Logger != nil && len(flagged) > 0 {
		w.deps.Logger.InfoContext(ctx, "flagged overdue payment requests", slog.Int("requests", len(flagged)))
	}
	return nil
}

// SettleYearsArgs asks for the ended contract years to be settled (recoveries of negative balances).
type SettleYearsArgs struct{}

// Kind implements river.JobArgs.
func (SettleYearsArgs) Kind() string { return "settle_years" }

// InsertOpts makes the job unique per hour.
func (SettleYearsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// SettleYearsWorker records the recoveries of ended contract years whose balance is negative
// (payments.Service.SettleEndedYears); it is idempotent.
type SettleYearsWorker struct {
	river.WorkerDefaults[SettleYearsArgs]
	deps Deps
}

// NewSettleYearsWorker returns the worker (for tests and wiring).
func NewSettleYearsWorker(d Deps) *SettleYearsWorker { return &SettleYearsWorker{deps: d} }

// Work implements river.Worker.
func (w *SettleYearsWorker) Work(ctx context.Context, _ *river.Job[SettleYearsArgs]) error {
	if w.deps.Payments == nil {
		return errNoPayments
	}
	recs, err := w.deps.Payments.SettleEndedYears(ctx)
	if err != nil {
		return err
	}
	if w.deps.Logger != nil && len(recs) > 0 {
		w.deps.Logger.InfoContext(ctx, "recorded recoveries", slog.Int("recoveries", len(recs)))
	}
	return nil
}
