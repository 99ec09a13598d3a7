package httpserver

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/crsplatform/crs/internal/apperr"
)

func TestProblemForDatabaseFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		err        error
		status     int
		code       string
		retryAfter bool
	}{
		{"lock timeout", fmt.Errorf("update contract: %w", &pgconn.PgError{Code: "55P03"}), http.StatusConflict, "resource_locked", true},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, http.StatusServiceUnavailable, "timeout", true},
		{"server shutting down", &pgconn.PgError{Code: "57P01"}, http.StatusServiceUnavailable, "service_unavailable", true},
		{"connection refused", &pgconn.ConnectError{}, http.StatusServiceUnavailable, "service_unavailable", true},
		{"wrapped in an internal apperr", &apperr.Error{Kind: apperr.KindInternal, Code: "internal_error", Err: fmt.Errorf("x: %w", &pgconn.PgError{Code: "08006"})}, http.StatusServiceUnavailable, "service_unavailable", true},
		{"a bug", errors.New("nil map"), http.StatusInternalServerError, "internal_error", false},
		{"a conflict stays a conflict", apperr.Conflict("taken", "taken"), http.StatusConflict, "taken", false},
	}
	for _, c := range cases {
		p := problemFor(c.err)
		if p.Status != c.status || p.Code != c.code || (p.retryAfter > 0) != c.retryAfter {
			t.Errorf("%s: %d %s retry-after %d; want %d %s (retry-after %v)", c.name, p.Status, p.Code, p.retryAfter, c.status, c.code, c.retryAfter)
		}
	}
}
