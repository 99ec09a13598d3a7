package config

import (
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Load(envOf(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Addr != "127.0.0.1:8080" || cfg.DBMaxConns != 20 || cfg.BodyLimitBytes() != 1<<20 {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad addr", map[string]string{"CRS_ADDR": "8080"}, "CRS_ADDR"},
		{"bad database url", map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
		{"unparsable pool size", map[string]string{"CRS_DB_MAX_CONNS": "many"}, "CRS_DB_MAX_CONNS"},
		{"pool too small", map[string]string{"CRS_DB_MAX_CONNS": "1"}, "CRS_DB_MAX_CONNS"},
		{"bad duration", map[string]string{"CRS_TOKEN_TTL": "soon"}, "CRS_TOKEN_TTL"},
		{"negative duration", map[string]string{"CRS_READ_TIMEOUT": "-1s"}, "CRS_READ_TIMEOUT"},
		{"bad log level", map[string]string{"CRS_LOG_LEVEL": "loud"}, "CRS_LOG_LEVEL"},
		{"bad body limit", map[string]string{"CRS_BODY_LIMIT": "lots"}, "CRS_BODY_LIMIT"},
		{"short demo password", map[string]string{"CRS_DEMO_PASSWORD": "abc"}, "CRS_DEMO_PASSWORD"},
		{"bad cron", map[string]string{"CRS_RECONCILE_SCHEDULE": "nightly"}, "CRS_RECONCILE_SCHEDULE"},
		{"cron out of range", map[string]string{"CRS_RETURNS_SCHEDULE": "0 25 * * *"}, "CRS_RETURNS_SCHEDULE"},
		{"bad port in database url", map[string]string{"DATABASE_URL": "postgres://u@localhost:99999/crs"}, "DATABASE_URL"},
		{"bad port in migrate url", map[string]string{"CRS_MIGRATE_DATABASE_URL": "postgres://u@localhost:port/crs"}, "CRS_MIGRATE_DATABASE_URL"},
		{"bad connect timeout", map[string]string{"CRS_DB_CONNECT_TIMEOUT": "0s"}, "CRS_DB_CONNECT_TIMEOUT"},
		{"lock timeout above statement timeout", map[string]string{"CRS_DB_LOCK_TIMEOUT": "2m", "CRS_DB_STATEMENT_TIMEOUT": "1m"}, "CRS_DB_LOCK_TIMEOUT"},
		{"bad metrics addr", map[string]string{"CRS_METRICS_ADDR": "9090"}, "CRS_METRICS_ADDR"},
		{"bad trusted proxy", map[string]string{"CRS_TRUSTED_PROXIES": "10.0.0.1"}, "CRS_TRUSTED_PROXIES"},
		{"rescue before timeout", map[string]string{"CRS_JOB_RESCUE_AFTER": "10s", "CRS_JOB_TIMEOUT": "1m"}, "CRS_JOB_RESCUE_AFTER"},
		{"bad log format", map[string]string{"CRS_LOG_FORMAT": "xml"}, "CRS_LOG_FORMAT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(envOf(c.env))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not name %s", err, c.want)
			}
		})
	}
}

func TestDatabaseURLErrorHidesThePassword(t *testing.T) {
	t.Parallel()
	_, err := Load(envOf(map[string]string{"DATABASE_URL": "postgres://u:s3cret@localhost:99999/crs"}))
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("Load = %v, want an error without the password", err)
	}
}

func TestSecureCookieFollowsThePublicURL(t *testing.T) {
	t.Parallel()
	for url, want := range map[string]bool{"": false, "http://crs.example": false, "https://crs.example": true, "HTTPS://crs.example": true} {
		cfg, err := Load(envOf(map[string]string{"CRS_PUBLIC_URL": url}))
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.SecureCookie(); got != want {
			t.Errorf("CRS_PUBLIC_URL=%q: SecureCookie() = %v, want %v", url, got, want)
		}
	}
}

func TestRequireDatabase(t *testing.T) {
	t.Parallel()
	cfg, err := Load(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.RequireDatabase(); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Fatalf("RequireDatabase() = %v, want an error naming DATABASE_URL", err)
	}
}

func TestSecretsNotInNames(t *testing.T) {
	t.Parallel()
	names := strings.Join(Names(), ",")
	for _, want := range []string{"DATABASE_URL", "CRS_ADDR", "CRS_SMTP_PASSWORD"} {
		if !strings.Contains(names, want) {
			t.Errorf("Names() lacks %s", want)
		}
	}
}
