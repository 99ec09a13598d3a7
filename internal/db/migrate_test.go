package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crsplatform/crs/internal/db"
	"github.com/crsplatform/crs/internal/dbtest"
)

func TestMigrateUpDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := db.Open(ctx, db.Config{URL: dbtest.Empty(t), MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	if err := db.CheckSchema(ctx, d.SQL); !errors.Is(err, db.ErrSchemaBehind) {
		t.Fatalf("CheckSchema on an empty database = %v, want ErrSchemaBehind", err)
	}
	if err := db.MigrateAll(ctx, d.SQL, nil); err != nil {
		t.Fatalf("up: %v", err)
	}
	if err := db.CheckSchema(ctx, d.SQL); err != nil {
		t.Fatalf("CheckSchema after up: %v", err)
	}
	st, err := db.Status(ctx, d.SQL)
	if err != nil {
		t.Fatal(err)
	}
	if st.RiverCurrent != db.RiverSchemaVersion || st.Current != st.Latest || st.Latest < 2 {
		t.Fatalf("status after up: %+v", st)
	}

	// One step down leaves the schema behind, naming the command that fixes it.
	if err := db.MigrateDown(ctx, d.SQL, false, nil); err != nil {
		t.Fatalf("down one: %v", err)
	}
	err = db.CheckSchema(ctx, d.SQL)
	if !errors.Is(err, db.ErrSchemaBehind) {
		t.Fatalf("CheckSchema after one down = %v, want ErrSchemaBehind", err)
	}
	if want := "crs migrate up"; !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not name %q", err, want)
	}

	if err := db.MigrateDown(ctx, d.SQL, true, nil); err != nil {
		t.Fatalf("down all: %v", err)
	}
	var tables int
	if err := d.SQL.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT IN ('goose_db_version')`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Fatalf("%d tables left after down --all", tables)
	}
	if err := db.MigrateAll(ctx, d.SQL, nil); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if err := db.CheckSchema(ctx, d.SQL); err != nil {
		t.Fatalf("CheckSchema after up again: %v", err)
	}
}

func TestMigrationHashStable(t *testing.T) {
	t.Parallel()
	a, err := db.MigrationHash()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := db.MigrationHash()
	if a == "" || a != b {
		t.Fatalf("hash %q then %q", a, b)
	}
}
