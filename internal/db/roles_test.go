package db_test

import (
	"strings"
	"testing"

	"github.com/crsplatform/crs/internal/dbtest"
)

// TestApplicationRoleHasOnlyTheApplicationsPrivileges connects as the application's role (what serve
// and worker use) and checks that it works the tables but changes no schema, no migration state and
// no audit record.
func TestApplicationRoleHasOnlyTheApplicationsPrivileges(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	var super, owns bool
	if err := d.Gorm.Raw(`SELECT rolsuper, EXISTS (SELECT FROM pg_tables WHERE tableowner = current_user) FROM pg_roles WHERE rolname = current_user`).
		Row().Scan(&super, &owns); err != nil {
		t.Fatal(err)
	}
	if super || owns {
		t.Fatalf("the application's role is superuser %v, owns tables %v; want neither", super, owns)
	}
	for _, stmt := range []string{
		"SELECT count(*) FROM river_job",
		"INSERT INTO login_attempts (email, failures, first_failure_at) VALUES ('x@example.org', 1, now())",
		"UPDATE login_attempts SET failures = 2",
		"DELETE FROM login_attempts",
		"SELECT max(version_id) FROM goose_db_version",
	} {
		if err := d.Gorm.Exec(stmt).Error; err != nil {
			t.Errorf("%s: %v; the application needs it", stmt, err)
		}
	}
	for _, stmt := range []string{
		"CREATE TABLE intruder (id int)",
		"ALTER TABLE users ADD COLUMN intruder int",
		"DROP TABLE login_attempts",
		"CREATE INDEX intruder ON users (email)",
		"DELETE FROM goose_db_version",
		"UPDATE river_migration SET version = version",
		"TRUNCATE users CASCADE",
	} {
		err := d.Gorm.Exec(stmt).Error
		if err == nil || !strings.Contains(err.Error(), "permission denied") && !strings.Contains(err.Error(), "must be owner") {
			t.Errorf("%s: err = %v, want a refusal of privilege", stmt, err)
		}
	}
}
