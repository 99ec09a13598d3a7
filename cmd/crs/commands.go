package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/cmd/crs/demo"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/auth"
	"github.com/crsplatform/crs/internal/db"
	"github.com/crsplatform/crs/internal/pgcluster"
)

func newFlags(name string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

func cmdServe(ctx context.Context, e env, args []string) error {
	fs := newFlags("serve", e)
	withWorkers := fs.Bool("with-workers", false, "also work background jobs in this process")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, "json", e.stderr)
	a, err := newApp(ctx, cfg, logger, appOpts{Work: *withWorkers})
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
	fmt.Fprintf(e.stdout, "crs listening on %s\n", publicURL(cfg, ln))
	if metrics != "" {
		fmt.Fprintf(e.stdout, "crs metrics on %s\n", metrics)
	}
	return a.serve(ctx, ln)
}

func cmdWorker(ctx context.Context, e env, args []string) error {
	fs := newFlags("worker", e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, "json", e.stderr)
	a, err := newApp(ctx, cfg, logger, appOpts{Work: true})
	if err != nil {
		return err
	}
	defer a.close()
	metrics, err := a.serveMetrics(ctx)
	if err != nil {
		return err
	}
	if err := a.startWorkers(ctx); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "crs worker running")
	if metrics != "" {
		fmt.Fprintf(e.stdout, "crs metrics on %s\n", metrics)
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	a.stopWorkers(sctx)
	return nil
}

func cmdMigrate(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: crs migrate up|down [--all]|status", errUsage)
	}
	fs := newFlags("migrate "+args[0], e)
	all := fs.Bool("all", false, "with down: roll back every migration, River's schema included")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	if err := cfg.RequireDatabase(); err != nil {
		return err
	}
	// Migrations run as the schema's owner (CRS_MIGRATE_DATABASE_URL), not as the application's role.
	d, err := db.Open(ctx, db.Config{URL: cfg.MigrateURL(), MaxConns: 4, ConnectTimeout: cfg.DBConnectTimeout})
	if err != nil {
		return err
	}
	defer d.Close()
	logger := newLogger(cfg, "json", e.stderr)
	switch args[0] {
	case "up":
		if err := db.MigrateAll(ctx, d.SQL, logger); err != nil {
			return err
		}
		if cfg.AppRole != "" {
			if err := db.GrantApp(ctx, d.SQL, cfg.AppRole); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "granted the application's privileges to %s (CRS_APP_ROLE)\n", cfg.AppRole)
		}
	case "down":
		if err := db.MigrateDown(ctx, d.SQL, *all, logger); err != nil {
			return err
		}
	case "status":
	default:
		return fmt.Errorf("%w: crs migrate up|down [--all]|status", errUsage)
	}
	s, err := db.Status(ctx, d.SQL)
	if err != nil {
		return err
	}
	state := "up to date"
	if !s.UpToDate() {
		state = fmt.Sprintf("%d pending (run `crs migrate up`)", len(s.Pending))
	}
	fmt.Fprintf(e.stdout, "schema: platform version %d of %d, river version %d of %d: %s\n", s.Current, s.Latest, s.RiverCurrent, s.RiverTarget, state)
	return nil
}

func cmdSeed(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "demo" {
		return fmt.Errorf("%w: crs seed demo [--scale S]", errUsage)
	}
	fs := newFlags("seed demo", e)
	scale := fs.Float64("scale", 1, "share of the full demo's referral volumes, above 0 and at most 1 (tests load a small share)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *scale <= 0 || *scale > 1 || fs.NArg() > 0 {
		return fmt.Errorf("%w: crs seed demo [--scale S], with S above 0 and at most 1", errUsage)
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, "json", e.stderr)
	// The seed's bulk load sets indexes and foreign keys aside while it copies: the owner's work.
	cfg.DatabaseURL = cfg.MigrateURL()
	a, err := newApp(ctx, cfg, logger, appOpts{})
	if err != nil {
		return err
	}
	defer a.close()
	empty, err := demo.Empty(ctx, a.db.Gorm)
	if err != nil {
		return err
	}
	if !empty {
		return fmt.Errorf("the database already holds data; the demo dataset goes into an empty database (crs dev --reset starts afresh)")
	}
	accounts, err := a.seedDemo(ctx, *scale)
	if err != nil {
		return err
	}
	printAccounts(e, accounts, cfg.DemoPassword)
	return nil
}

// seedDemo loads the demo dataset at scale (1 for the full-size demo).
func (a *app) seedDemo(ctx context.Context, scale float64) ([]demo.Account, error) {
	return demo.Seed(ctx, demo.Deps{DB: a.db.Gorm, Auth: a.auth, Ref: a.ref, Suppliers: a.suppliers, Contracts: a.contracts, Password: a.cfg.DemoPassword,
		Pool: a.db.Pool, Scale: scale})
}

func printAccounts(e env, accounts []demo.Account, password string) {
	fmt.Fprintf(e.stdout, "\nDemo accounts (password %q, from CRS_DEMO_PASSWORD):\n", password)
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	for _, acc := range accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", acc.Email, acc.Role, acc.Scope)
	}
	_ = tw.Flush()
}

func cmdUsers(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: crs users create --email E --name N --role R [--supplier-id ID] [--regions A,B]", errUsage)
	}
	fs := newFlags("users create", e)
	email := fs.String("email", "", "the user's email address")
	name := fs.String("name", "", "the user's display name")
	role := fs.String("role", "", "practitioner, supplier, commissioner or admin")
	supplier := fs.String("supplier-id", "", "the supplier organisation (supplier users)")
	regions := fs.String("regions", "", "comma-separated region codes (practitioners, commissioners)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	sc := bufio.NewScanner(e.stdin)
	if !sc.Scan() {
		return fmt.Errorf("%w: the password is read from standard input", errUsage)
	}
	password := strings.TrimRight(sc.Text(), "\r\n")
	p := auth.CreateUserParams{Email: *email, DisplayName: *name, Role: *role, Password: password}
	if *supplier != "" {
		id, err := uuid.Parse(*supplier)
		if err != nil {
			return fmt.Errorf("%w: --supplier-id must be a UUID", errUsage)
		}
		p.SupplierID = &id
	}
	for _, r := range strings.Split(*regions, ",") {
		if r = strings.TrimSpace(r); r != "" {
			p.Regions = append(p.Regions, strings.ToUpper(r))
		}
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	a, err := newApp(ctx, cfg, newLogger(cfg, "json", e.stderr), appOpts{})
	if err != nil {
		return err
	}
	defer a.close()
	u, err := a.auth.CreateUser(ctx, actor.System("cli"), p)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created user %s (%s) with id %s\n", u.Email, u.Role, u.ID)
	return nil
}

// cmdCluster manages a private cluster for the test harness: crs cluster start|stop|url --dir DIR [--test].
func cmdCluster(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: crs cluster start|stop|url --dir DIR [--test]", errUsage)
	}
	fs := newFlags("cluster "+args[0], e)
	dir := fs.String("dir", "", "the cluster directory")
	test := fs.Bool("test", false, "test settings (no fsync)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("%w: --dir is required", errUsage)
	}
	c := &pgcluster.Cluster{Dir: *dir, Test: *test}
	switch args[0] {
	case "start":
		if err := c.EnsureRunning(ctx); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, c.URL("postgres"))
	case "stop":
		return c.Stop(ctx)
	case "url":
		if !c.Running(ctx) {
			return fmt.Errorf("the cluster in %s is not running", *dir)
		}
		fmt.Fprintln(e.stdout, c.URL("postgres"))
	default:
		return fmt.Errorf("%w: crs cluster start|stop|url", errUsage)
	}
	return nil
}
