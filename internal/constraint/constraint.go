// Package constraint turns the PostgreSQL constraint violations a user can cause into application
// errors, so that every store translates them the same way: a value another record already has (a
// unique violation) is a 409 conflict naming the field, a broken reference or check is invalid input.
package constraint

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/crsplatform/crs/internal/apperr"
)

// Rules maps constraint names to the error a violation of each becomes.
type Rules map[string]error

// Translate returns the error rules give for the constraint err violates, or err itself when it is
// no constraint violation or one the rules do not name.
func Translate(err error, rules Rules) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || pg.ConstraintName == "" {
		return err
	}
	if e, ok := rules[pg.ConstraintName]; ok {
		return e
	}
	return err
}

// Invalid is the invalid input (400) a broken reference or check constraint stands for.
func Invalid(message, field, code, fieldMessage string) error {
	return apperr.Invalid(message, apperr.FieldError{Field: field, Code: code, Message: fieldMessage})
}

// Violates reports whether err is a violation of one of the named constraints.
func Violates(err error, names ...string) bool {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || pg.ConstraintName == "" {
		return false
	}
	for _, n := range names {
		if pg.ConstraintName == n {
			return true
		}
	}
	return false
}
