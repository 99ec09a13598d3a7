package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/queue"
	"github.com/crsplatform/crs/payments"
	"github.com/crsplatform/crs/referrals"
)

// RefreshVolumesWorker reconciles one contract after its referrals changed (the debounced job the
// referrals domain inserts with each send and withdrawal).
type RefreshVolumesWorker struct {
	river.WorkerDefaults[referrals.RefreshVolumesArgs]
	deps Deps
}

// Work implements river.Worker.
func (w *RefreshVolumesWorker) Work(ctx context.Context, job *river.Job[referrals.RefreshVolumesArgs]) error {
	_, err := w.deps.Payments.Reconcile(ctx, actor.System("refresh-volumes"), payments.ReconcileParams{ContractIDs: []uuid.UUID{job.Args.ContractID}})
	return err
}

// ReconcileAllArgs asks for every live contract to be reconciled (the nightly run).
type ReconcileAllArgs struct{}

// Kind implements river.JobArgs.
func (ReconcileAllArgs) Kind() string { return "reconcile_all" }

// InsertOpts puts the run on the reports queue, once per hour at most. The uniqueness never blocks a
// rescued or retried run: River retries the same job row (it is not a new insert), and a run killed
// with its worker is rescued once its timeout (Deps.ReportTimeout) has passed, not after hours.
func (ReconcileAllArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queue.QueueReports, UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// ReconcileAllWorker reconciles every live contract. A run that fails or is killed leaves the previous
// snapshots intact (one transaction) and River retries it.
type ReconcileAllWorker struct {
	river.WorkerDefaults[ReconcileAllArgs]
	deps Deps
}

// Timeout implements river.Worker: the run of every contract is a heavy job.
func (w *ReconcileAllWorker) Timeout(*river.Job[ReconcileAllArgs]) time.Duration {
	return w.deps.reportTimeout()
}

// Work implements river.Worker.
func (w *ReconcileAllWorker) Work(ctx context.Context, _ *river.Job[ReconcileAllArgs]) error {
	res, err := w.deps.Payments.Reconcile(ctx, actor.System("nightly-reconciliation"), payments.ReconcileParams{})
	if err != nil {
		return err
	}
	w.deps.Logger.InfoContext(ctx, "reconciled volumes", slog.String("as_of", res.AsOf.String()),
		slog.Int("contracts", len(res.Pictures)), slog.Int("new_alerts", len(res.NewAlerts)))
	return nil
}
