package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/crsplatform/crs/payments/returns"
)

// BuildReturnWorker builds a requested Excel return.
type BuildReturnWorker struct {
	river.WorkerDefaults[returns.BuildArgs]
	deps Deps
}

// Timeout implements river.Worker: a build past it is cancelled and retried, and a build whose worker
// died is rescued once it has passed.
func (w *BuildReturnWorker) Timeout(*river.Job[returns.BuildArgs]) time.Duration {
	return w.deps.reportTimeout()
}

// Work implements river.Worker.
func (w *BuildReturnWorker) Work(ctx context.Context, job *river.Job[returns.BuildArgs]) error {
	return w.deps.Returns.Build(ctx, job.Args.ReturnID, job.Attempt)
}

// MonthlyReturnsWorker requests the national and every regional return for the previous month.
type MonthlyReturnsWorker struct {
	river.WorkerDefaults[returns.MonthlyArgs]
	deps Deps
}

// Work implements river.Worker.
func (w *MonthlyReturnsWorker) Work(ctx context.Context, _ *river.Job[returns.MonthlyArgs]) error {
	rs, err := w.deps.Returns.RequestMonthly(ctx)
	if err != nil {
		return err
	}
	w.deps.Logger.InfoContext(ctx, "requested monthly returns", slog.Int("returns", len(rs)))
	return nil
}
