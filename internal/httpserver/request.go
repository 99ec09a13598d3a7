package httpserver

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/page"
)

const actorKey = "crs.actor"

// Actor returns the authenticated actor of the request. Routes registered without Public always have
// one; on a public route it returns false.
func Actor(c echo.Context) (actor.Actor, bool) {
	a, ok := c.Get(actorKey).(actor.Actor)
	return a, ok
}

// MustActor returns the actor of an authenticated route.
func MustActor(c echo.Context) actor.Actor {
	a, ok := Actor(c)
	if !ok {
		panic("httpserver: MustActor on a route without authentication")
	}
	return a
}

// Ctx returns the request's context, carrying the request id for audit records.
func Ctx(c echo.Context) context.Context {
	return c.Request().Context()
}

// PathID parses a UUID path parameter; a malformed id answers 404, as an unknown one would.
func PathID(c echo.Context, name string) (uuid.UUID, error) {
	id, err := ids.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, apperr.NotFound("resource")
	}
	return id, nil
}

// PathInt parses a whole-number path parameter; a malformed one answers 404.
func PathInt(c echo.Context, name string) (int, error) {
	n, err := strconv.Atoi(c.Param(name))
	if err != nil || n < 1 {
		return 0, apperr.NotFound("resource")
	}
	return n, nil
}

// PageParams reads ?limit= and ?cursor=.
func PageParams(c echo.Context) (page.Params, error) {
	limit, err := page.ParseLimit(c.QueryParam("limit"))
	if err != nil {
		return page.Params{}, err
	}
	return page.Params{Limit: limit, Cursor: c.QueryParam("cursor")}, nil
}

// Query collects typed query parameters and their field errors.
type Query struct {
	c      echo.Context
	fields apperr.Fields
}

// NewQuery starts reading the request's query parameters.
func NewQuery(c echo.Context) *Query { return &Query{c: c} }

// String returns a trimmed string parameter.
func (q *Query) String(name string) string { return strings.TrimSpace(q.c.QueryParam(name)) }

// Strings returns a comma-separated or repeated parameter as a list.
func (q *Query) Strings(name string) []string {
	var out []string
	for _, v := range q.c.QueryParams()[name] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// UUID returns an optional UUID parameter.
func (q *Query) UUID(name string) uuid.UUID {
	s := q.String(name)
	if s == "" {
		return uuid.Nil
	}
	id, err := ids.Parse(s)
	if err != nil {
		q.fields.Add(name, "invalid_id", name+" must be a UUID")
	}
	return id
}

// Int returns an optional whole-number parameter (0 when absent).
func (q *Query) Int(name string) int {
	s := q.String(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		q.fields.Add(name, "invalid_integer", name+" must be a whole number")
	}
	return n
}

// Bool returns an optional boolean parameter.
func (q *Query) Bool(name string) *bool {
	s := q.String(name)
	if s == "" {
		return nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		q.fields.Add(name, "invalid_boolean", name+" must be true or false")
		return nil
	}
	return &b
}

// Time returns an optional RFC 3339 time or YYYY-MM-DD date (as UTC midnight).
func (q *Query) Time(name string) *time.Time {
	s := q.String(name)
	if s == "" {
		return nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			if t.Before(MinDate.Time()) || !t.Before(MaxDate.AddDays(1).Time()) {
				q.fields.Add(name, "date_out_of_range", name+" must be from "+MinDate.String()+" to "+MaxDate.String())
				return nil
			}
			return &t
		}
	}
	q.fields.Add(name, "invalid_time", name+" must be a date (YYYY-MM-DD) or an RFC 3339 time")
	return nil
}

// Date returns an optional YYYY-MM-DD date parameter, bounded as ParseDate bounds it.
func (q *Query) Date(name string) calendar.Date {
	s := q.String(name)
	if s == "" {
		return calendar.Date{}
	}
	d, err := ParseDate(s)
	if err != nil {
		q.fields.Add(name, dateCode(err), name+" "+err.Error())
	}
	return d
}

// Fail records a field error found by the caller.
func (q *Query) Fail(name, code, message string) { q.fields.Add(name, code, message) }

// Err returns the collected errors, or nil.
func (q *Query) Err() error { return q.fields.Err("invalid query parameters") }

// ETag formats a resource version as an ETag.
func ETag(version int) string { return fmt.Sprintf(`"v%d"`, version) }

// SetETag sets the ETag header for a resource version.
func SetETag(c echo.Context, version int) {
	c.Response().Header().Set("ETag", ETag(version))
}

// IfMatch returns the version named by the If-Match header. It answers 428 when the header is
// missing and 412 when it names no version of this resource.
func IfMatch(c echo.Context) (int, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" {
		return 0, apperr.PreconditionRequired("this update needs an If-Match header with the resource's ETag")
	}
	h = strings.TrimPrefix(h, "W/")
	var v int
	if _, err := fmt.Sscanf(h, `"v%d"`, &v); err != nil || v < 1 {
		return 0, apperr.PreconditionFailed("If-Match does not match the resource's current ETag")
	}
	return v, nil
}

const expectedVersionKey = "crs.expected_version"

// requireIfMatch is the middleware of routes registered with IfMatch: it parses the If-Match header
// (428 when missing, 412 when it names no version) and keeps the version for ExpectedVersion.
func requireIfMatch(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		v, err := IfMatch(c)
		if err != nil {
			return err
		}
		c.Set(expectedVersionKey, v)
		return next(c)
	}
}

// ExpectedVersion returns the version the client's If-Match names, as parsed by the middleware of a
// route registered with IfMatch. The service compares it with the stored version inside its
// transaction (412 when they differ).
func ExpectedVersion(c echo.Context) int {
	v, ok := c.Get(expectedVersionKey).(int)
	if !ok {
		panic("httpserver: ExpectedVersion on a route registered without IfMatch")
	}
	return v
}

// JSON writes a JSON response with the status.
func JSON(c echo.Context, status int, v any) error {
	return c.JSON(status, v)
}

// Created writes 201 with a Location header.
func Created(c echo.Context, location string, v any) error {
	c.Response().Header().Set(echo.HeaderLocation, location)
	return c.JSON(http.StatusCreated, v)
}

// WantsCSV reports whether the client asked for CSV in its Accept header.
func WantsCSV(c echo.Context) bool {
	return strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/csv")
}
