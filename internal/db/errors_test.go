package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crsplatform/crs/internal/db"
	"github.com/crsplatform/crs/internal/dbtest"
)

// TestClassifyRecognisesTimeoutsAndLocks provokes a real lock timeout and a real statement timeout and
// checks that Classify names them (the HTTP layer answers 409 and 503 for them, not 500).
func TestClassifyRecognisesTimeoutsAndLocks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.New(t)
	short, err := db.Open(ctx, db.Config{URL: dbtest.URL(t), MaxConns: 2, LockTimeout: 100 * time.Millisecond, StatementTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer short.Close()
	hold := short.Gorm.Begin()
	defer hold.Rollback()
	if err := hold.Exec(`LOCK TABLE login_attempts IN ACCESS EXCLUSIVE MODE`).Error; err != nil {
		t.Fatal(err)
	}
	err = short.Gorm.Exec(`DELETE FROM login_attempts`).Error
	if got := db.Classify(err); got != db.FailureLocked {
		t.Errorf("a statement past lock_timeout: Classify(%v) = %v, want FailureLocked", err, got)
	}
	hold.Rollback()
	err = short.Gorm.Exec(`SELECT pg_sleep(5)`).Error
	if got := db.Classify(err); got != db.FailureTimeout {
		t.Errorf("a statement past statement_timeout: Classify(%v) = %v, want FailureTimeout", err, got)
	}
	if got := db.Classify(d.Gorm.Exec(`SELECT 1/0`).Error); got != db.FailureNone {
		t.Errorf("division by zero classified %v, want FailureNone (a bug, 500)", got)
	}
	if got := db.Classify(errors.New("something else")); got != db.FailureNone {
		t.Errorf("another error classified %v", got)
	}
}
