// Package config reads the platform's configuration from the environment and validates it at start,
// naming the variable at fault. Secrets are never part of a config's String form.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/robfig/cron/v3"
)

// Config is the whole platform configuration. Field tags name the environment variables.
type Config struct {
	// DatabaseURL is the PostgreSQL connection URL. crs dev fills it from its private cluster.
	DatabaseURL string `env:"DATABASE_URL"`
	// MigrateDatabaseURL is the connection URL of the role that owns the schema, used by `crs migrate`
	// (and `crs dev`); empty means DATABASE_URL. serve and worker connect with DATABASE_URL, which
	// should be a role without DDL rights (see README, "Database roles").
	MigrateDatabaseURL string `env:"CRS_MIGRATE_DATABASE_URL"`
	// AppRole is the role DATABASE_URL connects as; `crs migrate up` grants it the application's
	// privileges (and no more) after migrating. Empty grants nothing (see README, "Database roles").
	AppRole string `env:"CRS_APP_ROLE"`
	// DBMaxConns is the pool size shared by GORM, River and the HTTP handlers.
	DBMaxConns int32 `env:"CRS_DB_MAX_CONNS" envDefault:"20"`
	// DBConnectTimeout bounds each new connection (a database that accepts TCP but never answers).
	DBConnectTimeout time.Duration `env:"CRS_DB_CONNECT_TIMEOUT" envDefault:"5s"`
	// DBStatementTimeout is PostgreSQL's statement_timeout for the application's connections.
	DBStatementTimeout time.Duration `env:"CRS_DB_STATEMENT_TIMEOUT" envDefault:"60s"`
	// DBLockTimeout is PostgreSQL's lock_timeout: how long a statement waits for a row or table lock.
	DBLockTimeout time.Duration `env:"CRS_DB_LOCK_TIMEOUT" envDefault:"10s"`
	// Addr is the HTTP listen address.
	Addr string `env:"CRS_ADDR" envDefault:"127.0.0.1:8080"`
	// PublicURL is how people reach the server (used in e-mails and printed at start); defaults to http://Addr.
	PublicURL string `env:"CRS_PUBLIC_URL"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"CRS_LOG_LEVEL" envDefault:"info"`
	// LogFormat is json or text; empty means text for `crs dev` and json for every other command.
	LogFormat string `env:"CRS_LOG_FORMAT"`
	// MetricsAddr is where /metrics is served, apart from the API; "off" serves none.
	MetricsAddr string `env:"CRS_METRICS_ADDR" envDefault:"127.0.0.1:9090"`
	// TrustedProxies are the CIDR ranges of reverse proxies whose X-Forwarded-For names the client;
	// empty means clients connect directly and the peer address is the client's.
	TrustedProxies []string `env:"CRS_TRUSTED_PROXIES"`

	// BodyLimit caps request bodies, e.g. "1M".
	BodyLimit       string        `env:"CRS_BODY_LIMIT" envDefault:"1M"`
	ReadTimeout     time.Duration `env:"CRS_READ_TIMEOUT" envDefault:"15s"`
	WriteTimeout    time.Duration `env:"CRS_WRITE_TIMEOUT" envDefault:"60s"`
	IdleTimeout     time.Duration `env:"CRS_IDLE_TIMEOUT" envDefault:"120s"`
	ShutdownTimeout time.Duration `env:"CRS_SHUTDOWN_TIMEOUT" envDefault:"30s"`

	// TokenTTL is how long an API token lives; SessionTTL how long a browser session lives.
	TokenTTL   time.Duration `env:"CRS_TOKEN_TTL" envDefault:"12h"`
	SessionTTL time.Duration `env:"CRS_SESSION_TTL" envDefault:"8h"`
	// SecureCookies marks the session cookie Secure; it is on whenever PublicURL is https.
	SecureCookies bool `env:"CRS_SECURE_COOKIES" envDefault:"false"`
	// LoginMaxFailures failed sign-ins within LoginWindow lock the account for LoginLockout.
	LoginMaxFailures int           `env:"CRS_LOGIN_MAX_FAILURES" envDefault:"5"`
	LoginWindow      time.Duration `env:"CRS_LOGIN_WINDOW" envDefault:"15m"`
	LoginLockout     time.Duration `env:"CRS_LOGIN_LOCKOUT" envDefault:"15m"`
	// LoginMaxFailuresPerClient failed sign-ins from one client address within LoginWindow refuse that
	// address's sign-ins for LoginLockout, whichever accounts it tries.
	LoginMaxFailuresPerClient int `env:"CRS_LOGIN_MAX_FAILURES_PER_CLIENT" envDefault:"20"`

	// DemoPassword is the password of the seeded demo accounts.
	DemoPassword string `env:"CRS_DEMO_PASSWORD" envDefault:"crs-demo-2026"`

	// MaxWorkers is the number of River jobs worked at once by one process.
	MaxWorkers int `env:"CRS_MAX_WORKERS" envDefault:"10"`
	// JobTimeout bounds a quick job (e-mail, a contract's volume refresh, housekeeping).
	JobTimeout time.Duration `env:"CRS_JOB_TIMEOUT" envDefault:"2m"`
	// ReportJobTimeout bounds a heavy job (an Excel return, the reconciliation of every contract);
	// past it the job's work is cancelled and River retries it.
	ReportJobTimeout time.Duration `env:"CRS_REPORT_JOB_TIMEOUT" envDefault:"15m"`
	// JobRescueAfter is how long a job may stay running before River rescues it (retries it) as the
	// job of a worker that died; a job is never rescued before its own timeout has passed.
	JobRescueAfter time.Duration `env:"CRS_JOB_RESCUE_AFTER" envDefault:"5m"`
	// ReconcileSchedule is the cron schedule of the reconciliation of every live contract.
	ReconcileSchedule string `env:"CRS_RECONCILE_SCHEDULE" envDefault:"0 2 * * *"`
	// ReturnsSchedule is the cron schedule of the monthly Excel returns for the previous month.
	ReturnsSchedule string `env:"CRS_RETURNS_SCHEDULE" envDefault:"0 4 1 * *"`
	// PaymentTermsDays is the number of days after a valid request by which an approved request is paid.
	PaymentTermsDays int `env:"CRS_PAYMENT_TERMS_DAYS" envDefault:"30"`
	// ActionPlanAutoApprove approves submitted action plans without the practitioner.
	ActionPlanAutoApprove bool `env:"CRS_ACTION_PLAN_AUTO_APPROVE" envDefault:"false"`

	// SMTPAddr (host:port) turns e-mail on; empty keeps notifications in-app only.
	SMTPAddr     string `env:"CRS_SMTP_ADDR"`
	SMTPFrom     string `env:"CRS_SMTP_FROM" envDefault:"crs-noreply@localhost"`
	SMTPUsername string `env:"CRS_SMTP_USERNAME"`
	SMTPPassword string `env:"CRS_SMTP_PASSWORD"`
}

// roleName is a PostgreSQL role name that needs no quoting.
var roleName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// Load reads the configuration from environment variables through getenv (os.Getenv in production) and
// validates it. The error names the variable at fault.
func Load(getenv func(string) string) (Config, error) {
	envs := map[string]string{}
	for _, name := range Names() {
		if v := getenv(name); v != "" {
			envs[name] = v
		}
	}
	cfg, err := env.ParseAsWithOptions[Config](env.Options{Environment: envs})
	if err != nil {
		return Config{}, fmt.Errorf("configuration: %w", namedParseError(err))
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}

// namedParseError rewrites the library's parse errors, which name the Go field, to name the variable.
func namedParseError(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	t := reflect.TypeOf(Config{})
	out := make([]error, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := t.FieldByName(pe.Name); ok {
				out = append(out, fmt.Errorf("%s: cannot parse as %s: %w", f.Tag.Get("env"), pe.Type, pe.Err))
				continue
			}
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

// Names lists every environment variable the configuration reads.
func Names() []string {
	params, err := env.GetFieldParams(&Config{})
	if err != nil {
		panic(err) // the struct tags are fixed at compile time
	}
	names := make([]string, 0, len(params))
	for _, p := range params {
		names = append(names, p.Key)
	}
	return names
}

// Validate checks values that parse but make no sense, naming the variable.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	for name, raw := range map[string]string{"DATABASE_URL": c.DatabaseURL, "CRS_MIGRATE_DATABASE_URL": c.MigrateDatabaseURL} {
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad(name, "must be a postgres:// URL")
			continue
		}
		// pgx parses host, port and options; its message may quote the URL, password included.
		if _, err := pgxpool.ParseConfig(raw); err != nil {
			bad(name, "not a valid PostgreSQL URL (check the host, port and options)")
		}
	}
	if c.AppRole != "" && !roleName.MatchString(c.AppRole) {
		bad("CRS_APP_ROLE", "must be a plain role name (letters, digits, underscores), got %q", c.AppRole)
	}
	if c.DBMaxConns < 2 || c.DBMaxConns > 500 {
		bad("CRS_DB_MAX_CONNS", "must be between 2 and 500, got %d", c.DBMaxConns)
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("CRS_ADDR", "must be host:port, got %q", c.Addr)
	}
	if c.MetricsAddr != "off" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			bad("CRS_METRICS_ADDR", "must be host:port or off, got %q", c.MetricsAddr)
		}
	}
	for _, p := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(strings.TrimSpace(p)); err != nil {
			bad("CRS_TRUSTED_PROXIES", "must be comma-separated CIDR ranges such as 10.0.0.0/8, got %q", p)
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || u.Host == "" {
			bad("CRS_PUBLIC_URL", "must be an absolute URL")
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("CRS_LOG_LEVEL", "must be debug, info, warn or error, got %q", c.LogLevel)
	}
	switch c.LogFormat {
	case "", "json", "text":
	default:
		bad("CRS_LOG_FORMAT", "must be json or text, got %q", c.LogFormat)
	}
	if _, err := ParseBytes(c.BodyLimit); err != nil {
		bad("CRS_BODY_LIMIT", "%v", err)
	}
	for name, d := range map[string]time.Duration{
		"CRS_READ_TIMEOUT": c.ReadTimeout, "CRS_WRITE_TIMEOUT": c.WriteTimeout, "CRS_IDLE_TIMEOUT": c.IdleTimeout,
		"CRS_SHUTDOWN_TIMEOUT": c.ShutdownTimeout, "CRS_TOKEN_TTL": c.TokenTTL, "CRS_SESSION_TTL": c.SessionTTL,
		"CRS_LOGIN_WINDOW": c.LoginWindow, "CRS_LOGIN_LOCKOUT": c.LoginLockout,
		"CRS_DB_CONNECT_TIMEOUT": c.DBConnectTimeout, "CRS_DB_STATEMENT_TIMEOUT": c.DBStatementTimeout,
		"CRS_DB_LOCK_TIMEOUT": c.DBLockTimeout, "CRS_JOB_TIMEOUT": c.JobTimeout, "CRS_REPORT_JOB_TIMEOUT": c.ReportJobTimeout,
		"CRS_JOB_RESCUE_AFTER": c.JobRescueAfter,
	} {
		if d <= 0 {
			bad(name, "must be a positive duration")
		}
	}
	if c.LoginMaxFailures < 1 {
		bad("CRS_LOGIN_MAX_FAILURES", "must be at least 1")
	}
	if c.LoginMaxFailuresPerClient < 1 {
		bad("CRS_LOGIN_MAX_FAILURES_PER_CLIENT", "must be at least 1")
	}
	if c.JobRescueAfter > 0 && c.JobTimeout > 0 && c.JobRescueAfter < c.JobTimeout {
		bad("CRS_JOB_RESCUE_AFTER", "must be at least CRS_JOB_TIMEOUT (%s): a job still within its timeout is not stuck", c.JobTimeout)
	}
	if c.DBLockTimeout > 0 && c.DBStatementTimeout > 0 && c.DBLockTimeout > c.DBStatementTimeout {
		bad("CRS_DB_LOCK_TIMEOUT", "must not exceed CRS_DB_STATEMENT_TIMEOUT (%s)", c.DBStatementTimeout)
	}
	if len(c.DemoPassword) < 8 {
		bad("CRS_DEMO_PASSWORD", "must be at least 8 characters")
	}
	if c.MaxWorkers < 1 || c.MaxWorkers > 1000 {
		bad("CRS_MAX_WORKERS", "must be between 1 and 1000")
	}
	for name, spec := range map[string]string{"CRS_RECONCILE_SCHEDULE": c.ReconcileSchedule, "CRS_RETURNS_SCHEDULE": c.ReturnsSchedule} {
		if len(strings.Fields(spec)) != 5 {
			bad(name, "must be a five-field cron schedule (minute hour day month weekday), got %q", spec)
		} else if _, err := cron.ParseStandard(spec); err != nil {
			bad(name, "not a valid cron schedule: %v", err)
		}
	}
	if c.PaymentTermsDays < 1 || c.PaymentTermsDays > 365 {
		bad("CRS_PAYMENT_TERMS_DAYS", "must be between 1 and 365")
	}
	if c.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
			bad("CRS_SMTP_ADDR", "must be host:port")
		}
	}
	return errors.Join(errs...)
}

// RequireDatabase returns an error naming DATABASE_URL when it is not set.
func (c Config) RequireDatabase() error {
	if c.DatabaseURL == "" {
		return errors.New("configuration: DATABASE_URL: required (a postgres:// URL), or use `crs dev` for the embedded default")
	}
	return nil
}

// SecureCookie reports whether the session cookie must be Secure: when asked, or whenever people
// reach the server over https.
func (c Config) SecureCookie() bool {
	return c.SecureCookies || strings.HasPrefix(strings.ToLower(c.PublicURL), "https://")
}

// MigrateURL is the URL migrations connect with: CRS_MIGRATE_DATABASE_URL, or else DATABASE_URL.
func (c Config) MigrateURL() string {
	if c.MigrateDatabaseURL != "" {
		return c.MigrateDatabaseURL
	}
	return c.DatabaseURL
}

// LogFormatOr returns the configured log format, or def when none is set.
func (c Config) LogFormatOr(def string) string {
	if c.LogFormat == "" {
		return def
	}
	return c.LogFormat
}

// BodyLimitBytes returns the body limit in bytes.
func (c Config) BodyLimitBytes() int64 {
	n, _ := ParseBytes(c.BodyLimit)
	return n
}

// ParseBytes parses sizes like "512K", "1M", "2G" or a plain number of bytes.
func ParseBytes(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	}
	var n int64
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n <= 0 {
		return 0, fmt.Errorf("must be a size such as 512K or 1M")
	}
	return n * mult, nil
}
