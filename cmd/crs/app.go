package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
	"riverqueue.com/riverui"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/auth"
	"github.com/crsplatform/crs/internal/config"
	"github.com/crsplatform/crs/internal/db"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/idempotency"
	"github.com/crsplatform/crs/internal/notify"
	"github.com/crsplatform/crs/internal/queue"
	"github.com/crsplatform/crs/internal/reference"
	"github.com/crsplatform/crs/internal/web"
	"github.com/crsplatform/crs/jobs"
	"github.com/crsplatform/crs/payments"
	"github.com/crsplatform/crs/payments/returns"
	"github.com/crsplatform/crs/referrals"
	"github.com/crsplatform/crs/suppliers"
)

// app is the wired platform: database, services, HTTP server and River clients.
type app struct {
	cfg      config.Config
	logger   *slog.Logger
	db       *db.DB
	registry *prometheus.Registry
	inserter *queue.Inserter
	river    *river.Client[pgx.Tx]
	metrics  *queue.Metrics
	server   *httpserver.Server
	auth     *auth.Service
	ref      *reference.Data
	// Domain services, for the demo seed and the workers.
	suppliers *suppliers.Service
	contracts *contracts.Service
	referrals *referrals.Service
	payments  *payments.Service
	returns   *returns.Service
	work      bool
}

// appOpts choose what the process runs.
type appOpts struct {
	// Work makes this process work River jobs.
	Work bool
	// SkipSchemaCheck is for commands that migrate.
	SkipSchemaCheck bool
}

// newApp opens the database, checks its schema and wires every service, handler and worker.
func newApp(ctx context.Context, cfg config.Config, logger *slog.Logger, opts appOpts) (*app, error) {
	if err := cfg.RequireDatabase(); err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, db.Config{URL: cfg.DatabaseURL, MaxConns: cfg.DBMaxConns, Logger: logger,
		ConnectTimeout: cfg.DBConnectTimeout, StatementTimeout: cfg.DBStatementTimeout, LockTimeout: cfg.DBLockTimeout})
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, logger: logger, db: d, work: opts.Work}
	if err := a.wire(ctx, opts); err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) wire(ctx context.Context, opts appOpts) error {
	if !opts.SkipSchemaCheck {
		if err := db.CheckSchema(ctx, a.db.SQL); err != nil {
			return err
		}
	}
	a.registry = prometheus.NewRegistry()
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		queue.NewPoolCollector(a.db.Pool))
	now := func() time.Time { return time.Now().UTC() }
	idem := &idempotency.Store{DB: a.db.Gorm, Now: now}
	a.auth = auth.NewService(a.db.Gorm, auth.Config{
		TokenTTL: a.cfg.TokenTTL, SessionTTL: a.cfg.SessionTTL, MaxFailures: a.cfg.LoginMaxFailures,
		MaxClientFailures: a.cfg.LoginMaxFailuresPerClient, Window: a.cfg.LoginWindow, Lockout: a.cfg.LoginLockout, Now: now,
	})
	auditSvc := audit.NewService(a.db.Gorm)
	ref, err := reference.Load(ctx, a.db.Gorm)
	if err != nil {
		return err
	}
	a.ref = ref
	inserter, err := queue.NewInserter(a.db.SQL)
	if err != nil {
		return err
	}
	a.inserter = inserter

	// Domain services, in import order.
	a.suppliers = suppliers.NewService(a.db.Gorm, a.ref, now)
	a.contracts = contracts.NewService(a.db.Gorm, contracts.Config{Reference: a.ref, Now: now})
	a.referrals = referrals.NewService(a.db.Gorm, referrals.Config{Reference: a.ref, Inserter: a.inserter, Now: now,
		AutoApproveActionPlans: a.cfg.ActionPlanAutoApprove})
	a.payments = payments.NewService(a.db.Gorm, payments.Config{Inserter: a.inserter, Now: now, PaymentTermsDays: a.cfg.PaymentTermsDays})
	a.returns = returns.NewService(a.db.Gorm, returns.Config{Pool: a.db.Pool, Reference: a.ref, Payments: a.payments, Inserter: a.inserter, Now: now,
		StuckAfter: a.cfg.ReportJobTimeout})

	periodic, err := jobs.Periodic(jobs.Schedules{Reconcile: a.cfg.ReconcileSchedule, Returns: a.cfg.ReturnsSchedule})
	if err != nil {
		return err
	}
	wc := queue.WorkerConfig{Logger: a.logger, MaxWorkers: a.cfg.MaxWorkers, JobTimeout: a.cfg.JobTimeout, RescueAfter: a.cfg.JobRescueAfter}
	if opts.Work {
		wc.Workers = jobs.Workers(jobs.Deps{Auth: a.auth, Idempotency: idem, Logger: a.logger, Referrals: a.referrals, ReportTimeout: a.cfg.ReportJobTimeout,
			Payments: a.payments, Returns: a.returns, Directory: notify.NewDirectory(a.db.Gorm),
			Mailer: notify.NewSMTPMailer(notify.SMTPConfig{Addr: a.cfg.SMTPAddr, From: a.cfg.SMTPFrom, Username: a.cfg.SMTPUsername, Password: a.cfg.SMTPPassword})})
		wc.Periodic = periodic
		a.metrics = queue.NewMetrics(a.registry)
	}
	a.river, err = queue.NewWorkerClient(a.db.Pool, wc)
	if err != nil {
		return err
	}

	a.server = httpserver.New(httpserver.Config{
		Addr: a.cfg.Addr, BodyLimit: a.cfg.BodyLimit, ReadTimeout: a.cfg.ReadTimeout, WriteTimeout: a.cfg.WriteTimeout,
		IdleTimeout: a.cfg.IdleTimeout, SecureCookies: a.cfg.SecureCookie(), TrustedProxies: a.cfg.TrustedProxies, Version: version, Logger: a.logger,
		Registry: a.registry, Auth: a.auth, Idempotency: idem,
		ReadinessChecks: func(ctx context.Context) error {
			if err := a.db.Ping(ctx); err != nil {
				return errors.New("database unreachable")
			}
			return db.CheckSchema(ctx, a.db.SQL)
		},
	})
	authHandler := auth.NewHandler(a.auth, a.server)
	auth.Register(a.server.API, authHandler)
	w := web.New(web.Config{Server: a.server, Logger: a.logger, Identity: auth.Identity(a.auth,
		func(ctx context.Context, ac actor.Actor) (string, error) {
			s, err := a.suppliers.Get(ctx, ac, ac.SupplierID)
			return s.LegalName, err
		})})
	auth.RegisterPages(w, authHandler)
	contracts.RegisterPages(w, a.contracts, a.ref)
	referrals.RegisterPages(w, a.referrals, a.contracts)
	audit.Register(a.server.API, audit.NewHandler(auditSvc))
	reference.Register(a.server.API, reference.NewHandler(a.ref))
	notify.Register(a.server.API, notify.NewHandler(notify.NewService(a.db.Gorm, now)))
	suppliers.Register(a.server.API, suppliers.NewHandler(a.suppliers))
	contracts.Register(a.server.API, contracts.NewHandler(a.contracts))
	referrals.Register(a.server.API, referrals.NewHandler(a.referrals))
	payments.Register(a.server.API, payments.NewHandler(a.payments))
	returns.Register(a.server.API, returns.NewHandler(a.returns))
	return nil
}

// mountJobsUI mounts River's admin UI at /admin/jobs for admins (bearer token or session cookie).
func (a *app) mountJobsUI(ctx context.Context) error {
	const prefix = httpserver.AdminJobsPrefix
	h, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(a.river, nil),
		Logger:    a.logger,
		Prefix:    prefix,
	})
	if err != nil {
		return fmt.Errorf("river UI: %w", err)
	}
	if err := h.Start(ctx); err != nil {
		return fmt.Errorf("start river UI: %w", err)
	}
	g := a.server.Echo.Group(prefix, a.server.RequireAdminPage())
	g.Any("", echo.WrapHandler(h))
	g.Any("/*", echo.WrapHandler(h))
	return nil
}

// serve runs HTTP on ln (and the workers when configured) until ctx ends, then shuts down in order
// within CRS_SHUTDOWN_TIMEOUT: HTTP first (in-flight requests finish, or are cancelled when the
// deadline passes), then River (running jobs finish, or are cancelled and released for another
// worker), then the database pool (a.close).
func (a *app) serve(ctx context.Context, ln net.Listener) error {
	uiCtx, stopUI := context.WithCancel(context.Background())
	defer stopUI()
	if err := a.mountJobsUI(uiCtx); err != nil {
		return err
	}
	if a.work {
		if err := a.startWorkers(ctx); err != nil {
			return err
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- a.server.Serve(ln) }()
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	a.logger.Info("shutting down", slog.String("within", a.cfg.ShutdownTimeout.String()))
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := a.server.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.logger.Warn("requests still running at the shutdown deadline were cancelled", slog.String("error", err.Error()))
	}
	a.stopWorkers(sctx)
	return serveErr
}

// serveMetrics serves /metrics on CRS_METRICS_ADDR, apart from the API (the default is loopback
// only), until ctx ends. It returns the address it listens on, or "" when metrics are off.
func (a *app) serveMetrics(ctx context.Context) (string, error) {
	if a.cfg.MetricsAddr == "off" {
		return "", nil
	}
	ln, err := net.Listen("tcp", a.cfg.MetricsAddr)
	if err != nil {
		return "", fmt.Errorf("listen on %s (CRS_METRICS_ADDR): %w", a.cfg.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.logger.Error("metrics server", slog.String("error", err.Error()))
		}
	}()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return "http://" + ln.Addr().String() + "/metrics", nil
}

func (a *app) startWorkers(ctx context.Context) error {
	// The client's own context is not ctx: cancelling ctx must not cancel running jobs; Stop drains them.
	if err := a.river.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	if a.metrics != nil {
		a.metrics.Observe(ctx, a.river)
	}
	return nil
}

// stopWorkers stops fetching jobs and waits for running ones until ctx ends; then it cancels them, so
// that River releases them (available again, the attempt not counted) for another worker.
func (a *app) stopWorkers(ctx context.Context) {
	if !a.work {
		return
	}
	err := a.river.Stop(ctx)
	if err == nil {
		return
	}
	a.logger.Warn("jobs still running at the shutdown deadline are cancelled", slog.String("error", err.Error()))
	cctx, cancel := context.WithTimeout(context.Background(), cancelGrace)
	defer cancel()
	if err := a.river.StopAndCancel(cctx); err != nil {
		a.logger.Error("stop workers", slog.String("error", err.Error()))
	}
}

// cancelGrace is how long cancelled requests and jobs get to unwind (release their connections, mark
// jobs available) after the shutdown deadline; it bounds each step that waits on them.
const cancelGrace = 5 * time.Second

// close closes the database pool. Connections still in use (a statement that ignores cancellation)
// are abandoned after cancelGrace rather than waited for.
func (a *app) close() {
	done := make(chan struct{})
	go func() {
		a.db.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(cancelGrace):
		a.logger.Warn("database connections still busy at exit were abandoned")
	}
}

// listen opens the HTTP listener on the configured address.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (CRS_ADDR): %w", addr, err)
	}
	return ln, nil
}

// publicURL is the URL to print for a listener.
func publicURL(cfg config.Config, ln net.Listener) string {
	if cfg.PublicURL != "" {
		return cfg.PublicURL
	}
	return "http://" + ln.Addr().String()
}
