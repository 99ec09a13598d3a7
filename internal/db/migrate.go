package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strconv"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/crsplatform/crs/migrations"
)

// RiverSchemaVersion is the River schema version this binary needs; MigrateAll migrates to it.
const RiverSchemaVersion = 7

// ErrSchemaBehind is returned by CheckSchema when the database needs `crs migrate up`.
var ErrSchemaBehind = errors.New("database schema is behind this binary: run `crs migrate up`")

func gooseProvider(sqlDB *sql.DB) (*goose.Provider, error) {
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}

func riverMigrator(sqlDB *sql.DB, logger *slog.Logger) (*rivermigrate.Migrator[*sql.Tx], error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// River reports every schema version it applies at info: detail for debugging, not news.
	logger = slog.New(demoteInfo{logger.Handler()})
	m, err := rivermigrate.New(riverdatabasesql.New(sqlDB), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("river migrator: %w", err)
	}
	return m, nil
}

// MigrateAll applies every pending platform migration, then River's schema up to RiverSchemaVersion.
// It is what `crs migrate up`, `crs dev` and the test template all run.
func MigrateAll(ctx context.Context, sqlDB *sql.DB, logger *slog.Logger) error {
	p, err := gooseProvider(sqlDB)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	rm, err := riverMigrator(sqlDB, logger)
	if err != nil {
		return err
	}
	current, err := riverVersion(ctx, rm)
	if err != nil {
		return err
	}
	if current < RiverSchemaVersion {
		// One transaction per version: River's version 6 cannot share a transaction with earlier ones.
		if _, err := rm.Migrate(ctx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{TargetVersion: RiverSchemaVersion}); err != nil {
			return fmt.Errorf("apply river migrations: %w", err)
		}
	}
	return nil
}

// MigrateDown rolls back the most recent platform migration; with all, every platform migration and
// then River's schema.
func MigrateDown(ctx context.Context, sqlDB *sql.DB, all bool, logger *slog.Logger) error {
	p, err := gooseProvider(sqlDB)
	if err != nil {
		return err
	}
	if !all {
		if _, err := p.Down(ctx); err != nil {
			return fmt.Errorf("roll back migration: %w", err)
		}
		return nil
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		return fmt.Errorf("roll back migrations: %w", err)
	}
	rm, err := riverMigrator(sqlDB, logger)
	if err != nil {
		return err
	}
	current, err := riverVersion(ctx, rm)
	if err != nil {
		return err
	}
	if current > 0 {
		if _, err := rm.Migrate(ctx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{TargetVersion: -1}); err != nil {
			return fmt.Errorf("roll back river migrations: %w", err)
		}
	}
	return nil
}

func riverVersion(ctx context.Context, rm *rivermigrate.Migrator[*sql.Tx]) (int, error) {
	existing, err := rm.ExistingVersions(ctx)
	if err != nil {
		return 0, fmt.Errorf("read river schema version: %w", err)
	}
	v := 0
	for _, m := range existing {
		if m.Version > v {
			v = m.Version
		}
	}
	return v, nil
}

// SchemaStatus describes how far the database is migrated.
type SchemaStatus struct {
	// Current and Latest are the applied and newest platform migration versions.
	Current, Latest int64
	// Pending lists the platform migrations not applied yet.
	Pending []string
	// RiverCurrent and RiverTarget are River's applied and required schema versions.
	RiverCurrent, RiverTarget int
}

// UpToDate reports whether nothing is pending.
func (s SchemaStatus) UpToDate() bool {
	return len(s.Pending) == 0 && s.Current >= s.Latest && s.RiverCurrent >= s.RiverTarget
}

// Status reads the migration state of the database.
func Status(ctx context.Context, sqlDB *sql.DB) (SchemaStatus, error) {
	p, err := gooseProvider(sqlDB)
	if err != nil {
		return SchemaStatus{}, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return SchemaStatus{}, fmt.Errorf("read migration status: %w", err)
	}
	var s SchemaStatus
	for _, m := range st {
		if m.Source.Version > s.Latest {
			s.Latest = m.Source.Version
		}
		if m.State == goose.StateApplied {
			if m.Source.Version > s.Current {
				s.Current = m.Source.Version
			}
		} else {
			s.Pending = append(s.Pending, m.Source.Path)
		}
	}
	rm, err := riverMigrator(sqlDB, nil)
	if err != nil {
		return SchemaStatus{}, err
	}
	rv, err := riverVersion(ctx, rm)
	if err != nil {
		// A database River never touched has no river_migration table yet.
		rv = 0
	}
	s.RiverCurrent, s.RiverTarget = rv, RiverSchemaVersion
	return s, nil
}

// CheckSchema returns ErrSchemaBehind (wrapped with what is pending) when the database is not fully
// migrated for this binary.
func CheckSchema(ctx context.Context, sqlDB *sql.DB) error {
	s, err := Status(ctx, sqlDB)
	if err != nil {
		return err
	}
	if !s.UpToDate() {
		return fmt.Errorf("%w (platform %d of %d, river %d of %d)", ErrSchemaBehind, s.Current, s.Latest, s.RiverCurrent, s.RiverTarget)
	}
	return nil
}

// MigrationHash identifies the fully migrated schema: the migration files' names and contents and the
// River target version. Test templates are keyed on it.
func MigrationHash() (string, error) {
	h := sha256.New()
	var names []string
	if err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			names = append(names, path)
		}
		return nil
	}); err != nil {
		return "", err
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(migrations.FS, n)
		if err != nil {
			return "", err
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	h.Write([]byte("river:" + strconv.Itoa(RiverSchemaVersion)))
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// demoteInfo passes records to h with info demoted to debug (warnings and errors unchanged).
type demoteInfo struct{ h slog.Handler }

func (d demoteInfo) Enabled(ctx context.Context, l slog.Level) bool {
	if l == slog.LevelInfo {
		l = slog.LevelDebug
	}
	return d.h.Enabled(ctx, l)
}

func (d demoteInfo) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelInfo {
		r.Level = slog.LevelDebug
	}
	return d.h.Handle(ctx, r)
}

func (d demoteInfo) WithAttrs(as []slog.Attr) slog.Handler { return demoteInfo{d.h.WithAttrs(as)} }
func (d demoteInfo) WithGroup(name string) slog.Handler    { return demoteInfo{d.h.WithGroup(name)} }
