package db

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
)

// roleName is what GrantApp accepts as a role: a plain identifier, so that it needs no quoting rules
// beyond pgx's.
var roleName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// ValidRoleName reports whether name can be given to GrantApp.
func ValidRoleName(name string) bool { return roleName.MatchString(name) }

// AppendOnlyTables are the tables the application may only add to and read: no UPDATE, DELETE or
// TRUNCATE (their triggers refuse those too, even to the owner).
var AppendOnlyTables = []string{"audit_events"}

// schemaStateTables record how far the schema is migrated: the application reads them (serve refuses
// an old schema) but only migrations write them.
var schemaStateTables = []string{"goose_db_version", "river_migration"}

// GrantApp gives role what `serve` and `worker` need on the migrated schema and nothing more: reading
// and writing the business tables and River's, INSERT and SELECT only on the append-only tables,
// SELECT only on the migration state; no DDL (it owns nothing), so it can neither alter nor drop a
// table nor disable a trigger. Run it as the schema's owner after MigrateAll; default privileges make
// the owner's later tables readable and writable by role too (each migration run grants again, so the
// append-only rule holds for new tables listed in AppendOnlyTables).
func GrantApp(ctx context.Context, sqlDB *sql.DB, role string) error {
	if !ValidRoleName(role) {
		return fmt.Errorf("grant application privileges: %q is not a plain role name", role)
	}
	r := pgx.Identifier{role}.Sanitize()
	stmts := []string{
		"GRANT USAGE ON SCHEMA public TO " + r,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + r,
		"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + r,
		"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + r,
		"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO " + r,
	}
	for _, t := range AppendOnlyTables {
		stmts = append(stmts, "REVOKE UPDATE, DELETE, TRUNCATE ON "+pgx.Identifier{t}.Sanitize()+" FROM "+r)
	}
	for _, t := range schemaStateTables {
		stmts = append(stmts, "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "+pgx.Identifier{t}.Sanitize()+" FROM "+r)
	}
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("grant application privileges: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("grant application privileges to %s: %s: %w", role, s, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("grant application privileges: %w", err)
	}
	return nil
}

// EnsureRole creates a login role without any special attribute (no superuser, no CREATEDB, no
// CREATEROLE, no replication, no BYPASSRLS) unless it exists; password may be empty (trust or peer
// authentication). It needs a connection allowed to create roles.
func EnsureRole(ctx context.Context, sqlDB *sql.DB, role, password string) error {
	if !ValidRoleName(role) {
		return fmt.Errorf("create role: %q is not a plain role name", role)
	}
	stmt := "CREATE ROLE " + pgx.Identifier{role}.Sanitize() + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
	if password != "" {
		stmt += " PASSWORD " + quoteLiteral(password)
	}
	// Concurrent callers (several test binaries) may race: the loser's duplicate is not an error.
	_, err := sqlDB.ExecContext(ctx, `DO $crs_role$ BEGIN
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = `+quoteLiteral(role)+`) THEN `+stmt+`; END IF;
		EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
		END $crs_role$`)
	if err != nil {
		return fmt.Errorf("create role %s: %w", role, err)
	}
	return nil
}

func quoteLiteral(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}
