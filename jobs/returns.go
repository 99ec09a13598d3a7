package jobs

import (
	"context"
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/crsplatform/crs/payments/returns"
)

// BuildReturnWorker builds a requested Excel return.
type BuildReturnWorker struct {
	river.WorkerDefaults[returns.BuildArgs]
	deps Deps
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
