// Package db opens the platform's one PostgreSQL pool and the views of it the rest of the code uses:
// pgx for River's worker client, database/sql for goose and River's insert-only client, and GORM for
// the services. It also owns the migrations (MigrateAll) and the schema check that serve and worker
// run before starting.
package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Config configures the pool.
type Config struct {
	// URL is the PostgreSQL connection URL.
	URL string
	// MaxConns is the pool size (pgxpool's default of 4 is far too small for a server).
	MaxConns int32
	// Logger receives slow-query warnings; nil discards them.
	Logger *slog.Logger
	// ConnectTimeout bounds each new connection; zero means 10 s, so that a database that accepts
	// TCP but never answers cannot hang a process.
	ConnectTimeout time.Duration
	// StatementTimeout and LockTimeout become PostgreSQL's statement_timeout and lock_timeout on every
	// connection; zero leaves the server's setting (none by default).
	StatementTimeout, LockTimeout time.Duration
}

// DB bundles the pool and its database/sql and GORM views. Close it once.
type DB struct {
	Pool *pgxpool.Pool
	SQL  *sql.DB
	Gorm *gorm.DB
}

// Open connects to PostgreSQL and checks the connection.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	pcfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	if cfg.MaxConns > 0 {
		pcfg.MaxConns = cfg.MaxConns
	}
	pcfg.MaxConnIdleTime = 5 * time.Minute
	pcfg.ConnConfig.ConnectTimeout = cmp.Or(cfg.ConnectTimeout, 10*time.Second)
	pcfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	pcfg.ConnConfig.RuntimeParams["application_name"] = "crs"
	if cfg.StatementTimeout > 0 {
		pcfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(cfg.StatementTimeout.Milliseconds(), 10)
	}
	if cfg.LockTimeout > 0 {
		pcfg.ConnConfig.RuntimeParams["lock_timeout"] = strconv.FormatInt(cfg.LockTimeout.Milliseconds(), 10)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, pcfg.ConnConfig.ConnectTimeout)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database %s:%d within %s: %w", pcfg.ConnConfig.Host, pcfg.ConnConfig.Port, pcfg.ConnConfig.ConnectTimeout, err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	gl := logger.Discard
	if cfg.Logger != nil {
		gl = newSlowQueryLogger(cfg.Logger, 500*time.Millisecond)
	}
	gdb, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		Logger:                                   gl,
		SkipDefaultTransaction:                   true,
		DisableAutomaticPing:                     true,
		DisableForeignKeyConstraintWhenMigrating: true,
		NowFunc:                                  func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		_ = sqlDB.Close()
		pool.Close()
		return nil, fmt.Errorf("open gorm: %w", err)
	}
	return &DB{Pool: pool, SQL: sqlDB, Gorm: gdb}, nil
}

// Close closes the database/sql view and the pool.
func (d *DB) Close() {
	_ = d.SQL.Close()
	d.Pool.Close()
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	return d.Pool.Ping(ctx)
}

// SQLTx returns the *sql.Tx underneath a GORM transaction, so that River's insert-only client can
// insert jobs in the same transaction as the GORM writes. It fails when tx is not a transaction.
func SQLTx(tx *gorm.DB) (*sql.Tx, error) {
	switch c := tx.Statement.ConnPool.(type) {
	case *sql.Tx:
		return c, nil
	case *gorm.PreparedStmtTX:
		if t, ok := c.Tx.(*sql.Tx); ok {
			return t, nil
		}
	}
	return nil, errors.New("not inside a database transaction")
}
