package audit_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/dbtest"
	"github.com/crsplatform/crs/internal/ids"
)

func TestAuditTrailIsAppendOnly(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ctx := actor.WithRequestID(context.Background(), "req-1")
	id := ids.New()
	err := d.Gorm.Transaction(func(tx *gorm.DB) error {
		return audit.Record(ctx, tx, actor.System("test"), audit.Change{Action: "thing.created", EntityType: "thing", EntityID: id, After: map[string]int{"n": 1}})
	})
	if err != nil {
		t.Fatal(err)
	}
	events, err := audit.ForEntity(ctx, d.Gorm, "thing", id)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].RequestID != "req-1" || string(events[0].After) != `{"n": 1}` || events[0].ActorEmail != "system:test" {
		t.Fatalf("events %+v", events)
	}
	// The application's role may not change the trail, nor switch its trigger off or drop it.
	for _, stmt := range []string{
		"UPDATE audit_events SET action = 'tampered'",
		"DELETE FROM audit_events",
		"TRUNCATE audit_events",
		"ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete",
		"DROP TRIGGER audit_events_no_update_delete ON audit_events",
	} {
		err := d.Gorm.Exec(stmt).Error
		if err == nil || !strings.Contains(err.Error(), "permission denied") && !strings.Contains(err.Error(), "must be owner") {
			t.Errorf("%s as the application: err = %v, want a refusal of privilege", stmt, err)
		}
	}
	// Even the schema's owner meets the append-only trigger.
	owner := dbtest.Owner(t, d)
	for _, stmt := range []string{"UPDATE audit_events SET action = 'tampered'", "DELETE FROM audit_events", "TRUNCATE audit_events"} {
		err := owner.Gorm.Exec(stmt).Error
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s as the owner: err = %v, want the append-only refusal", stmt, err)
		}
	}
	events, _ = audit.ForEntity(ctx, d.Gorm, "thing", id)
	if len(events) != 1 || events[0].Action != "thing.created" {
		t.Fatalf("trail changed: %+v", events)
	}
}

func TestAuditRolledBackWithTheChange(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ctx := context.Background()
	id := ids.New()
	_ = d.Gorm.Transaction(func(tx *gorm.DB) error {
		if err := audit.Record(ctx, tx, actor.System("test"), audit.Change{Action: "thing.created", EntityType: "thing", EntityID: id}); err != nil {
			return err
		}
		return gorm.ErrInvalidTransaction // the change fails: its audit record must go too
	})
	events, err := audit.ForEntity(ctx, d.Gorm, "thing", id)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 0 {
		t.Fatalf("audit record survived a rollback: %+v", events)
	}
}
