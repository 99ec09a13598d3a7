// Package dbtest gives each test a fresh PostgreSQL database cloned from a migrated template (River's
// schema included). It connects to the cluster named by CRS_TEST_DATABASE_URL (make test starts one),
// or else starts a private test cluster itself under /dev/shm (or the temporary directory) and leaves
// it running for the next test binary. Import it only from _test.go files.
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

type migrator struct{}

func (migrator) Hash() (string, error) { return db.MigrationHash() }

func (migrator) Migrate(ctx context.Context, sqlDB *sql.DB, _ pgtestdb.Config) error {
	return db.MigrateAll(ctx, sqlDB, nil)
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

// URL returns the URL of a fresh, migrated database for the test, dropped when the test passes (kept,
// with its URL logged, when it fails).
func URL(t testing.TB) string {
	t.Helper()
	conf, err := base()
	if err != nil {
		t.Fatalf("test database: %v", err)
	}
	inst := pgtestdb.Custom(t, conf, migrator{})
	return inst.URL()
}

// New returns a fresh, migrated database for the test, opened with the platform's pool.
func New(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), db.Config{URL: URL(t), MaxConns: 8})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(d.Close)
	return d
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
