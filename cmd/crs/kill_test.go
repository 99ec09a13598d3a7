package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/config"
	"github.com/crsplatform/crs/internal/dbtest"
	"github.com/crsplatform/crs/jobs"
	"github.com/crsplatform/crs/payments/returns"
)

// runAsBinary makes the test binary run the crs command itself (main) when re-executed by a test, so
// that tests can start real `crs` processes and kill them.
const runAsBinary = "CRS_TEST_RUN_AS_BINARY"

func TestMain(m *testing.M) {
	if os.Getenv(runAsBinary) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// startWorker starts `crs worker` as a separate process with env (and short job timeouts, so that a
// job whose worker died is rescued within seconds rather than minutes).
func startWorker(t *testing.T, env map[string]string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "worker")
	cmd.Env = append(os.Environ(), runAsBinary+"=1", "CRS_METRICS_ADDR=off", "CRS_LOG_LEVEL=warn",
		"CRS_JOB_TIMEOUT=30s", "CRS_REPORT_JOB_TIMEOUT=30s", "CRS_JOB_RESCUE_AFTER=30s",
		"CRS_DB_LOCK_TIMEOUT=2m", "CRS_DB_STATEMENT_TIMEOUT=5m")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = io.Discard, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, &out
}

// TestKilledWorkerWorkIsRescued starts a real `crs worker` process, kills it with SIGKILL while it is
// building an Excel return and reconciling every contract, and shows that a second worker retries
// both and completes them, with one return and one snapshot per contract and day (no duplicates).
// The first worker is held mid-job by a lock the test takes on the referrals table.
func TestKilledWorkerWorkIsRescued(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL, ownerURL := dbtest.URLs(t)
	if code, _, stderr := runCmd(t, map[string]string{"DATABASE_URL": dbURL, "CRS_MIGRATE_DATABASE_URL": ownerURL}, "", "seed", "demo", "--scale", "0.01"); code != 0 {
		t.Fatalf("seed demo: %d %s", code, stderr)
	}
	cfg, err := config.Load(envOf(map[string]string{"DATABASE_URL": dbURL}))
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(ctx, cfg, newLogger(cfg, "json", io.Discard), appOpts{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	g := a.db.Gorm

	// Hold the referrals table: both jobs read it after they have started.
	hold := g.Begin()
	defer hold.Rollback()
	if err := hold.Exec(`LOCK TABLE referrals IN ACCESS EXCLUSIVE MODE`).Error; err != nil {
		t.Fatal(err)
	}
	period := calendar.BusinessDay(time.Now()).CalendarMonth().Prev().String()
	ret, err := a.returns.Request(ctx, actor.System("kill-test"), returns.RequestParams{Scope: "region", Region: "J", Period: period})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Transaction(func(tx *gorm.DB) error { return a.inserter.InsertTx(ctx, tx, jobs.ReconcileAllArgs{}, nil) }); err != nil {
		t.Fatal(err)
	}
	type jobState struct {
		Kind    string
		State   string
		Attempt int
		Errors  string
	}
	jobsOf := func() map[string]jobState {
		t.Helper()
		var rows []jobState
		if err := g.Raw(`SELECT kind, state, attempt, coalesce(errors::text, '') AS errors FROM river_job WHERE kind IN ('build_return', 'reconcile_all') AND (kind <> 'build_return' OR args->>'return_id' = ?)`,
			ret.ID.String()).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		out := map[string]jobState{}
		for _, r := range rows {
			out[r.Kind] = r
		}
		return out
	}
	waitFor := func(what string, limit time.Duration, ok func(map[string]jobState) bool, out *syncBuffer) map[string]jobState {
		t.Helper()
		deadline := time.Now().Add(limit)
		for {
			js := jobsOf()
			if ok(js) {
				return js
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %s; jobs %+v; worker log:\n%s", what, limit, js, out.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	first, out1 := startWorker(t, map[string]string{"DATABASE_URL": dbURL})
	returnStatus := func() string {
		t.Helper()
		var status string
		if err := g.Raw(`SELECT status FROM returns WHERE id = ?`, ret.ID).Scan(&status).Error; err != nil {
			t.Fatal(err)
		}
		return status
	}
	waitFor("the first worker starts both jobs", 2*time.Minute, func(js map[string]jobState) bool {
		return js["build_return"].State == "running" && js["reconcile_all"].State == "running" && returnStatus() == string(returns.StatusRunning)
	}, out1)
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	js := jobsOf()
	if js["build_return"].State != "running" || js["reconcile_all"].State != "running" {
		t.Fatalf("after the kill: %+v, want both jobs left running by the dead worker", js)
	}
	if status := returnStatus(); status != string(returns.StatusRunning) {
		t.Fatalf("return %s after the kill, want running", status)
	}
	if err := hold.Rollback().Error; err != nil {
		t.Fatal(err)
	}

	_, out2 := startWorker(t, map[string]string{"DATABASE_URL": dbURL})
	js = waitFor("the second worker rescues and completes both jobs", 4*time.Minute, func(js map[string]jobState) bool {
		return js["build_return"].State == "completed" && js["reconcile_all"].State == "completed"
	}, out2)
	if js["build_return"].Attempt != 2 || js["reconcile_all"].Attempt != 2 {
		t.Errorf("jobs %+v, want each completed at its second attempt (the first died with its worker)", js)
	}
	var got returns.Return
	if got, err = a.returns.Get(ctx, actor.System("kill-test"), ret.ID); err != nil || got.Status != returns.StatusReady || got.FileSize == 0 {
		t.Fatalf("return after the rescue: %+v %v, want ready with a file", got, err)
	}
	counts := map[string]int{}
	for what, q := range map[string]string{
		"returns":             `SELECT count(*) FROM returns`,
		"build jobs":          `SELECT count(*) FROM river_job WHERE kind = 'build_return'`,
		"duplicate snapshots": `SELECT count(*) FROM (SELECT 1 FROM volume_snapshots GROUP BY contract_id, year_number, as_of HAVING count(*) > 1) d`,
		"snapshots today":     `SELECT count(*) FROM volume_snapshots WHERE as_of = (now() AT TIME ZONE 'Europe/London')::date`,
	} {
		var n int
		if err := g.Raw(q).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		counts[what] = n
	}
	if counts["returns"] != 1 || counts["build jobs"] != 1 || counts["duplicate snapshots"] != 0 || counts["snapshots today"] == 0 {
		t.Errorf("after the rescue: %v; want one return, one build job, no duplicate snapshot and today's snapshots", counts)
	}
	t.Logf("after the rescue: %v", counts)
}
