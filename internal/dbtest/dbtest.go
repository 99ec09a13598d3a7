// Package dbtest gives each test a fresh PostgreSQL database cloned from a migrated template (River's
// schema included). It connects to the cluster named by CRS_TEST_DATABASE_URL (make test starts one),
// or else starts a private test cluster itself under /dev/shm (or the temporary directory) and leaves
// it running for the next test binary. Import it only from _test.go files.
//
// As in production, two roles: OwnerRole owns the schema and runs the migrations; tests connect as
// AppRole, which has only the application's privileges (db.GrantApp), so a test sees what serve and
// worker may and may not do.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver pgtestdb opens
	"github.com/peterldowns/pgtestdb"

	"github.com/crsplatform/crs/internal/db"
	"github.com/crsplatform/crs/internal/pgcluster"
)

// EnvURL names the variable holding the test cluster's base URL.
const EnvURL = "CRS_TEST_DATABASE_URL"

// The test roles: OwnerRole owns every test database and migrates the template; AppRole is what the
// application connects as.
const (
	OwnerRole     = "crs_test_owner"
	ownerPassword = "crs-test-owner"
	AppRole       = "crs_test_app"
	appPassword   = "crs-test-app"
)

type migrator struct{}

func (migrator) Hash() (string, error) {
	h, err := db.MigrationHash()
	return h + "-grants-v2", err
}

func (migrator) Migrate(ctx context.Context, sqlDB *sql.DB, _ pgtestdb.Config) error {
	if err := db.MigrateAll(ctx, sqlDB, nil); err != nil {
		return err
	}
	if err := db.GrantApp(ctx, sqlDB, AppRole); err != nil {
		return err
	}
	// The test factories number their referrals from this sequence (package factory).
	_, err := sqlDB.ExecContext(ctx, `CREATE SEQUENCE factory_referral_seq;
		GRANT USAGE, SELECT, UPDATE ON SEQUENCE factory_referral_seq TO `+AppRole)
	return err
}

var (
	baseOnce sync.Once
	baseConf pgtestdb.Config
	baseErr  error
)

func base() (pgtestdb.Config, error) {
	baseOnce.Do(func() {
		raw := os.Getenv(EnvURL)
		if raw == "" {
			raw, baseErr = startCluster()
			if baseErr != nil {
				return
			}
		}
		u, err := url.Parse(raw)
		if err != nil {
			baseErr = fmt.Errorf("%s: %w", EnvURL, err)
			return
		}
		pw, _ := u.User.Password()
		baseConf = pgtestdb.Config{
			DriverName: "pgx", Host: u.Hostname(), Port: u.Port(), User: u.User.Username(), Password: pw,
			Database: "postgres", Options: "sslmode=disable", ForceTerminateConnections: true,
			TestRole: &pgtestdb.Role{Username: OwnerRole, Password: ownerPassword, Capabilities: pgtestdb.DefaultRoleCapabilities},
		}
		admin, err := baseConf.Connect()
		if err != nil {
			baseErr = fmt.Errorf("connect to the test cluster: %w", err)
			return
		}
		defer admin.Close()
		if err := db.EnsureRole(context.Background(), admin, AppRole, appPassword); err != nil {
			baseErr = err
		}
	})
	return baseConf, baseErr
}

func startCluster() (string, error) {
	root := os.TempDir()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		root = "/dev/shm"
	}
	c := &pgcluster.Cluster{Dir: filepath.Join(root, "crs-test-"+strconv.Itoa(os.Getuid())), Test: true}
	if err := c.EnsureRunning(context.Background()); err != nil {
		return "", fmt.Errorf("start the test cluster (set %s to use another): %w", EnvURL, err)
	}
	return c.URL("postgres"), nil
}

// URL returns the URL of a fresh, migrated database for the test, connecting as AppRole, dropped when
// the test passes (kept, with its URL logged, when it fails).
func URL(t testing.TB) string {
	t.Helper()
	app, _ := URLs(t)
	return app
}

// URLs returns the URLs of a fresh, migrated database for the test: as AppRole (what serve and worker
// connect with) and as OwnerRole (what migrations and the demo seed's bulk load need).
func URLs(t testing.TB) (app, owner string) {
	t.Helper()
	conf, err := base()
	if err != nil {
		t.Fatalf("test database: %v", err)
	}
	owner = pgtestdb.Custom(t, conf, migrator{}).URL()
	u, err := url.Parse(owner)
	if err != nil {
		t.Fatalf("test database URL: %v", err)
	}
	u.User = url.UserPassword(AppRole, appPassword)
	return u.String(), owner
}

// New returns a fresh, migrated database for the test, opened with the platform's pool as AppRole.
func New(t testing.TB) *db.DB {
	t.Helper()
	app, owner := URLs(t)
	d, err := db.Open(context.Background(), db.Config{URL: app, MaxConns: 8})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(d.Close)
	owners.Store(d, owner)
	return d
}

// owners maps each database New opened to its owner's URL.
var owners sync.Map

// Owner opens the database d (from New) as its owner, OwnerRole, for tests that check what the owner
// (migrations) may do that the application may not.
func Owner(t testing.TB, d *db.DB) *db.DB {
	t.Helper()
	owner, ok := owners.Load(d)
	if !ok {
		t.Fatal("dbtest.Owner: the database was not opened by dbtest.New")
	}
	o, err := db.Open(context.Background(), db.Config{URL: owner.(string), MaxConns: 2})
	if err != nil {
		t.Fatalf("open test database as its owner: %v", err)
	}
	t.Cleanup(o.Close)
	return o
}

// Empty returns the URL of a fresh database with no schema at all, for migration tests.
func Empty(t testing.TB) string {
	t.Helper()
	conf, err := base()
	if err != nil {
		t.Fatalf("test database: %v", err)
	}
	return pgtestdb.Custom(t, conf, pgtestdb.NoopMigrator{}).URL()
}
