package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgconn"
)

// Failure says why a statement failed when the cause is the database's state rather than the request.
type Failure int

// The failures Classify recognises.
const (
	// FailureNone is any other error (a bug, a constraint the store did not translate, ...).
	FailureNone Failure = iota
	// FailureUnavailable: the database cannot be reached or is restarting; retry shortly.
	FailureUnavailable
	// FailureTimeout: the statement ran past statement_timeout (or the pool's connect timeout).
	FailureTimeout
	// FailureLocked: the statement waited for a lock past lock_timeout; another change holds it.
	FailureLocked
)

// Classify tells the database's unavailability, timeouts and lock waits from other errors, so that
// the HTTP layer answers 503 or 409 instead of 500.
func Classify(err error) Failure {
	if err == nil {
		return FailureNone
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == pgerrcode.LockNotAvailable:
			return FailureLocked
		case pg.Code == pgerrcode.QueryCanceled:
			return FailureTimeout
		case pgerrcode.IsConnectionException(pg.Code), pg.Code == pgerrcode.AdminShutdown, pg.Code == pgerrcode.CrashShutdown,
			pg.Code == pgerrcode.CannotConnectNow, pg.Code == pgerrcode.TooManyConnections, pg.Code == pgerrcode.ReadOnlySQLTransaction:
			return FailureUnavailable
		}
		return FailureNone
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled): // the request was cancelled under the statement (shutdown, client gone)
		return FailureUnavailable
	case errors.As(err, &connectErr), errors.Is(err, driver.ErrBadConn), errors.Is(err, io.ErrUnexpectedEOF),
		pgconn.SafeToRetry(err), strings.Contains(err.Error(), "closed pool"):
		return FailureUnavailable
	case pgconn.Timeout(err), errors.Is(err, context.DeadlineExceeded):
		return FailureTimeout
	case errors.As(err, &netErr), errors.Is(err, io.EOF), strings.Contains(err.Error(), "conn closed"):
		return FailureUnavailable
	}
	return FailureNone
}
