// Package config reads the platform's configuration from the environment and validates it at start,
// naming the variable at fault. Secrets are never part of a config's String form.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Config is the whole platform configuration. Field tags name the environment variables.
type Config struct {
	// DatabaseURL is the PostgreSQL connection URL. crs dev fills it from its private cluster.
	DatabaseURL string `env:"DATABASE_URL"`
	// DBMaxConns is the pool size shared by GORM, River and the HTTP handlers.
	DBMaxConns int32 `env:"CRS_DB_MAX_CONNS" envDefault:"20"`
	// Addr is the HTTP listen address.
	Addr string `env:"CRS_ADDR" envDefault:"127.0.0.1:8080"`
	// PublicURL is how people reach the server (used in e-mails and printed at start); defaults to http://Addr.
	PublicURL string `env:"CRS_PUBLIC_URL"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"CRS_LOG_LEVEL" envDefault:"info"`
	// LogFormat is json or text.
	LogFormat string `env:"CRS_LOG_FORMAT" envDefault:"json"`

	// BodyLimit caps request bodies, e.g. "1M".
	BodyLimit       string        `env:"CRS_BODY_LIMIT" envDefault:"1M"`
	ReadTimeout     time.Duration `env:"CRS_READ_TIMEOUT" envDefault:"15s"`
	WriteTimeout    time.Duration `env:"CRS_WRITE_TIMEOUT" envDefault:"60s"`
	IdleTimeout     time.Duration `env:"CRS_IDLE_TIMEOUT" envDefault:"120s"`
	ShutdownTimeout time.Duration `env:"CRS_SHUTDOWN_TIMEOUT" envDefault:"30s"`

	// TokenTTL is how long an API token lives; SessionTTL how long a browser session lives.
	TokenTTL   time.Duration `env:"CRS_TOKEN_TTL" envDefault:"12h"`
	SessionTTL time.Duration `env:"CRS_SESSION_TTL" envDefault:"8h"`
	// SecureCookies marks the session cookie Secure; turn it on behind HTTPS.
	SecureCookies bool `env:"CRS_SECURE_COOKIES" envDefault:"false"`
	// LoginMaxFailures failed sign-ins within LoginWindow lock the account for LoginLockout.
	LoginMaxFailures int           `env:"CRS_LOGIN_MAX_FAILURES" envDefault:"5"`
	LoginWindow      time.Duration `env:"CRS_LOGIN_WINDOW" envDefault:"15m"`
	LoginLockout     time.Duration `env:"CRS_LOGIN_LOCKOUT" envDefault:"15m"`

	// DemoPassword is the password of the seeded demo accounts.
	DemoPassword string `env:"CRS_DEMO_PASSWORD" envDefault:"crs-demo-2026"`

	// MaxWorkers is the number of River jobs worked at once by one process.
	MaxWorkers int `env:"CRS_MAX_WORKERS" envDefault:"10"`
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
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad("DATABASE_URL", "must be a postgres:// URL")
		}
	}
	if c.DBMaxConns < 2 || c.DBMaxConns > 500 {
		bad("CRS_DB_MAX_CONNS", "must be between 2 and 500, got %d", c.DBMaxConns)
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("CRS_ADDR", "must be host:port, got %q", c.Addr)
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
	case "json", "text":
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
	} {
		if d <= 0 {
			bad(name, "must be a positive duration")
		}
	}
	if c.LoginMaxFailures < 1 {
		bad("CRS_LOGIN_MAX_FAILURES", "must be at least 1")
	}
	if len(c.DemoPassword) < 8 {
		bad("CRS_DEMO_PASSWORD", "must be at least 8 characters")
	}
	if c.MaxWorkers < 1 || c.MaxWorkers > 1000 {
		bad("CRS_MAX_WORKERS", "must be between 1 and 1000")
	}
	if fields := strings.Fields(c.ReconcileSchedule); len(fields) != 5 {
		bad("CRS_RECONCILE_SCHEDULE", "must be a five-field cron schedule")
	}
	if fields := strings.Fields(c.ReturnsSchedule); len(fields) != 5 {
		bad("CRS_RETURNS_SCHEDULE", "must be a five-field cron schedule")
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
