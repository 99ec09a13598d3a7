package queue_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/db"
	"github.com/crsplatform/crs/internal/dbtest"
	"github.com/crsplatform/crs/internal/queue"
)

type noteArgs struct {
	Note string `json:"note"`
}

func (noteArgs) Kind() string { return "test_note" }

func countJobs(t *testing.T, db *gorm.DB, kind string) int64 {
	t.Helper()
	var n int64
	if err := db.Table("river_job").Where("kind = ?", kind).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInsertTxFollowsTheTransaction(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ins, err := queue.NewInserter(d.SQL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	errRollback := errors.New("roll back")
	err = d.Gorm.Transaction(func(tx *gorm.DB) error {
		if err := ins.InsertTx(ctx, tx, noteArgs{Note: "lost"}, nil); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	if n := countJobs(t, d.Gorm, "test_note"); n != 0 {
		t.Fatalf("%d jobs after rollback, want 0", n)
	}
	err = d.Gorm.Transaction(func(tx *gorm.DB) error {
		return ins.InsertTx(ctx, tx, noteArgs{Note: "kept"}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := countJobs(t, d.Gorm, "test_note"); n != 1 {
		t.Fatalf("%d jobs after commit, want 1", n)
	}
	if err := ins.InsertTx(ctx, d.Gorm, noteArgs{}, nil); err == nil {
		t.Fatal("InsertTx outside a transaction succeeded")
	}
}

type slowWorker struct {
	river.WorkerDefaults[noteArgs]
	started  chan struct{}
	finished atomic.Bool
}

func (w *slowWorker) Work(ctx context.Context, _ *river.Job[noteArgs]) error {
	close(w.started)
	time.Sleep(500 * time.Millisecond)
	w.finished.Store(true)
	return nil
}

func TestStopDrainsRunningJobs(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	w := &slowWorker{started: make(chan struct{})}
	client := runOneJob(t, d, w, w.started)
	ctx := context.Background()
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := client.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	if !w.finished.Load() {
		t.Fatal("Stop returned before the running job finished")
	}
	var state string
	if err := d.Gorm.Table("river_job").Select("state").Where("kind = ?", "test_note").Scan(&state).Error; err != nil {
		t.Fatal(err)
	}
	if state != "completed" {
		t.Fatalf("job state %q after a graceful stop, want completed", state)
	}
}

type stubbornWorker struct {
	river.WorkerDefaults[noteArgs]
	started chan struct{}
}

func (w *stubbornWorker) Work(ctx context.Context, _ *river.Job[noteArgs]) error {
	close(w.started)
	<-ctx.Done() // works until cancelled
	return ctx.Err()
}

// TestStopAndCancelReleasesAJobPastTheDeadline is what the shutdown does when CRS_SHUTDOWN_TIMEOUT
// passes with a job still running: Stop gives up, StopAndCancel cancels the job, and the job goes
// back to the queue (available, its attempt not counted) for another worker instead of staying
// running until River's rescuer finds it.
func TestStopAndCancelReleasesAJobPastTheDeadline(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	w := &stubbornWorker{started: make(chan struct{})}
	client := runOneJob(t, d, w, w.started)
	ctx := context.Background()
	expired, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := client.Stop(expired); err == nil {
		t.Fatal("Stop returned nil with a job that never ends")
	}
	cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
	defer ccancel()
	if err := client.StopAndCancel(cctx); err != nil {
		t.Fatal(err)
	}
	var job struct {
		State   string
		Attempt int
	}
	if err := d.Gorm.Table("river_job").Select("state, attempt").Where("kind = ?", "test_note").Scan(&job).Error; err != nil {
		t.Fatal(err)
	}
	if job.State != "available" || job.Attempt != 0 {
		t.Fatalf("job %+v after StopAndCancel, want available with its attempt not counted", job)
	}
}

// runOneJob starts a worker client with w as its only worker, inserts one test_note job and returns
// once the job has started (started is closed by the worker).
func runOneJob(t *testing.T, d *db.DB, w river.Worker[noteArgs], started <-chan struct{}) *river.Client[pgx.Tx] {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	client, err := queue.NewWorkerClient(d.Pool, queue.WorkerConfig{MaxWorkers: 2, Workers: workers, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Insert(ctx, noteArgs{Note: "one job"}, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("job never started")
	}
	return client
}
