package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/crsplatform/crs/cmd/crs/demo"
	"github.com/crsplatform/crs/internal/config"
	"github.com/crsplatform/crs/internal/db"
	"github.com/crsplatform/crs/internal/pgcluster"
)

// cmdDev is the embedded default: a private PostgreSQL cluster under the data directory, migrated and
// seeded on first run, with the HTTP server and the workers in this one process. It stops HTTP, then
// River, then PostgreSQL on Ctrl-C or SIGTERM.
func cmdDev(ctx context.Context, e env, args []string) error {
	fs := newFlags("dev", e)
	dataDir := fs.String("data-dir", ".crs", "where the private PostgreSQL cluster lives")
	reset := fs.Bool("reset", false, "wipe the data directory first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, "text", e.stderr) // people read dev's logs: text unless CRS_LOG_FORMAT says json
	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		return err
	}
	cluster := &pgcluster.Cluster{Dir: filepath.Join(dir, "pg")}
	if *reset {
		if err := cluster.Stop(ctx); err != nil {
			return err
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("reset %s: %w", dir, err)
		}
		fmt.Fprintf(e.stdout, "wiped %s\n", dir)
	}
	start := time.Now()
	first := !cluster.Initialised()
	if first {
		fmt.Fprintf(e.stdout, "creating a private PostgreSQL cluster in %s\n", cluster.Dir)
	}
	// The cluster must stop even when ctx is already cancelled.
	if err := cluster.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	defer func() {
		if err := cluster.Stop(context.Background()); err != nil {
			logger.Error("stop PostgreSQL", slog.String("error", err.Error()))
			return
		}
		fmt.Fprintln(e.stdout, "PostgreSQL stopped")
	}()
	if err := cluster.EnsureDatabase(ctx, "crs"); err != nil {
		return err
	}
	// The cluster's superuser owns the schema and migrates it (and loads the demo); the platform itself
	// connects as devAppRole, which has only the application's privileges, as in production.
	ownerURL := cluster.URL("crs")
	cfg.MigrateDatabaseURL = ownerURL
	cfg.DatabaseURL = withUser(ownerURL, devAppRole)
	logger.Info("postgres started", slog.Int("port", cluster.Port), slog.String("took", time.Since(start).Round(time.Millisecond).String()))

	mig, err := db.Open(ctx, db.Config{URL: ownerURL, MaxConns: 4})
	if err != nil {
		return err
	}
	err = db.MigrateAll(ctx, mig.SQL, logger)
	if err == nil {
		err = db.EnsureRole(ctx, mig.SQL, devAppRole, "")
	}
	if err == nil {
		err = db.GrantApp(ctx, mig.SQL, devAppRole)
	}
	mig.Close()
	if err != nil {
		return err
	}
	var accounts []demo.Account
	if accounts, err = seedIfEmpty(ctx, cfg, logger, e); err != nil {
		return err
	}
	a, err := newApp(ctx, cfg, logger, appOpts{Work: true})
	if err != nil {
		return err
	}
	defer a.close()
	ln, err := listen(cfg.Addr)
	if err != nil {
		return err
	}
	metrics, err := a.serveMetrics(ctx)
	if err != nil {
		ln.Close()
		return err
	}
	fmt.Fprintf(e.stdout, "\nCRS is running at %s (ready in %s)\n", publicURL(cfg, ln), time.Since(start).Round(10*time.Millisecond))
	fmt.Fprintf(e.stdout, "  sign in:   %s/login\n  API:       %s/openapi.json\n  jobs (admin): %s/admin/jobs\n", publicURL(cfg, ln), publicURL(cfg, ln), publicURL(cfg, ln))
	if metrics != "" {
		fmt.Fprintf(e.stdout, "  metrics:   %s\n", metrics)
	}
	printAccounts(e, accounts, cfg.DemoPassword)
	fmt.Fprintln(e.stdout, "\nPress Ctrl-C to stop.")
	return a.serve(ctx, ln)
}

// devAppRole is the role `crs dev` runs the platform as (the cluster trusts local connections).
const devAppRole = "crs_app"

// withUser returns the PostgreSQL URL raw with its user replaced (and no password).
func withUser(raw, user string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.User = url.User(user)
	return u.String()
}

// seedIfEmpty loads the demo dataset into an empty database, connected as the schema's owner (its bulk
// load sets indexes aside), and returns the demo accounts either way.
func seedIfEmpty(ctx context.Context, cfg config.Config, logger *slog.Logger, e env) ([]demo.Account, error) {
	cfg.DatabaseURL = cfg.MigrateURL()
	a, err := newApp(ctx, cfg, logger, appOpts{})
	if err != nil {
		return nil, err
	}
	defer a.close()
	empty, err := demo.Empty(ctx, a.db.Gorm)
	if err != nil {
		return nil, err
	}
	if !empty {
		return demo.Accounts(ctx, a.db.Gorm)
	}
	fmt.Fprintln(e.stdout, "loading the demo dataset")
	return a.seedDemo(ctx, 1)
}
