package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crsplatform/crs/internal/db"
	"github.com/crsplatform/crs/internal/dbtest"
)

// TestShutdownCancelsWhatOutlivesTheTimeout holds a lock that a request waits for (with lock and
// statement timeouts far longer than the shutdown timeout) and stops the server: the shutdown must
// cancel the request when CRS_SHUTDOWN_TIMEOUT passes and exit, instead of waiting for the database.
func TestShutdownCancelsWhatOutlivesTheTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := dbtest.URL(t)
	base, stop := startServeEnv(t, dbURL, map[string]string{"CRS_SHUTDOWN_TIMEOUT": "500ms", "CRS_DB_LOCK_TIMEOUT": "10m", "CRS_DB_STATEMENT_TIMEOUT": "10m"})
	d, err := db.Open(ctx, db.Config{URL: dbURL, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	hold := d.Gorm.Begin()
	defer hold.Rollback()
	if err := hold.Exec(`LOCK TABLE login_attempts IN ACCESS EXCLUSIVE MODE`).Error; err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		resp, err := http.Post(base+"/api/v1/auth/token", "application/json", strings.NewReader(`{"email":"a@example.org","password":"wrong password"}`))
		if err != nil {
			done <- 0 // the connection was closed under it: also an end
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	for waiting := 0; waiting == 0; time.Sleep(20 * time.Millisecond) {
		if err := d.Gorm.Raw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'crs'
			AND wait_event_type = 'Lock'`).Scan(&waiting).Error; err != nil {
			t.Fatal(err)
		}
	}
	if code := stop(); code != 0 { // stop fails the test if the server has not exited within 30 s
		t.Errorf("exit code %d", code)
	}
	select {
	case status := <-done:
		if status == http.StatusOK || status == http.StatusUnauthorized {
			t.Errorf("the request waiting on the lock answered %d; it should have been cancelled", status)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the request waiting on the lock never ended")
	}
}
