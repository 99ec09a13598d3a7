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
