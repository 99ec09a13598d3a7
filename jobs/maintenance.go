package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// PurgeArgs asks for expired tokens and idempotency keys to be deleted.
type PurgeArgs struct{}

// Kind implements river.JobArgs.
func (PurgeArgs) Kind() string { return "maintenance_purge" }

// InsertOpts makes the purge unique per hour.
func (PurgeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// PurgeWorker deletes expired tokens and idempotency keys.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	deps Deps
}

// Work implements river.Worker.
func (w *PurgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	tokens, err := w.deps.Auth.PurgeExpiredTokens(ctx)
	if err != nil {
		return err
	}
	keys, err := w.deps.Idempotency.Purge(ctx)
	if err != nil {
		return err
	}
	w.deps.Logger.InfoContext(ctx, "purged expired records", slog.Int64("tokens", tokens), slog.Int64("idempotency_keys", keys))
	return nil
}
