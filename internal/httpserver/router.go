package httpserver

import (
	"net/http"
	"regexp"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/openapi"
)

// APIPrefix is the prefix of every JSON API route.
const APIPrefix = "/api/v1"

// Router registers API routes and documents them.
type Router struct {
	e      *echo.Echo
	doc    *openapi.Document
	srv    *Server
	routes []Route
}

// Routes returns the routes registered so far, in order, with paths relative to APIPrefix: what a
// test walks to check a rule over every route.
func (r *Router) Routes() []Route { return slices.Clone(r.routes) }

// Route is one API route and its documentation.
type Route struct {
	Method string
	// Path is relative to /api/v1, in Echo form: "/suppliers/:id".
	Path    string
	Handler echo.HandlerFunc
	Summary string
	Tag     string
	// Public routes need no authentication.
	Public bool
	// Roles, when set, are the only roles allowed; others get 403.
	Roles []actor.Role
	// Request and Response are values of the body types, for the document.
	Request  any
	Response any
	// Status is the success status (200 when zero).
	Status int
	Query  []openapi.Param
	// IfMatch marks a change to an existing versioned resource: middleware answers 428 without an
	// If-Match header and 412 when it names no version, and hands the version to the handler
	// (ExpectedVersion), whose service compares it with the stored one inside its transaction.
	IfMatch bool
	// Idempotent enables Idempotency-Key handling.
	Idempotent bool
	// Produces lists non-JSON content types the route can answer with.
	Produces []string
}

var echoParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// OpenAPIPath converts an Echo path to OpenAPI form.
func OpenAPIPath(p string) string { return echoParam.ReplaceAllString(p, "{$1}") }

// Add registers and documents a route.
func (r *Router) Add(rt Route) {
	path := APIPrefix + rt.Path
	var mws []echo.MiddlewareFunc
	if !rt.Public {
		mws = append(mws, r.srv.RequireAuth())
	}
	if len(rt.Roles) > 0 {
		mws = append(mws, requireRoles(rt.Roles))
	}
	if rt.IfMatch {
		mws = append(mws, requireIfMatch)
	}
	if rt.Idempotent {
		mws = append(mws, r.srv.idempotent())
	}
	r.e.Add(rt.Method, path, rt.Handler, mws...)
	r.routes = append(r.routes, rt)
	status := rt.Status
	if status == 0 {
		status = http.StatusOK
	}
	r.doc.Add(openapi.Operation{
		Method: rt.Method, Path: OpenAPIPath(path), Summary: rt.Summary, Tag: rt.Tag, Public: rt.Public,
		Request: rt.Request, Response: rt.Response, Status: status, Query: rt.Query, IfMatch: rt.IfMatch,
		Idempotent: rt.Idempotent, Produces: rt.Produces, Restricted: len(rt.Roles) > 0,
		Description: rolesDescription(rt.Roles),
	})
}

func rolesDescription(roles []actor.Role) string {
	if len(roles) == 0 {
		return ""
	}
	s := "Roles: "
	for i, r := range roles {
		if i > 0 {
			s += ", "
		}
		s += string(r)
	}
	return s + "."
}

func requireRoles(roles []actor.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			a := MustActor(c)
			if !slices.Contains(roles, a.Role) {
				return apperr.Forbidden("role_not_allowed", "your role cannot do this")
			}
			return next(c)
		}
	}
}

// Param is a documented query parameter.
type Param = openapi.Param

// PageQuery documents the cursor pagination parameters.
var PageQuery = []Param{
	{Name: "limit", Type: "integer", Description: "page size, 1 to 500 (default 50)"},
	{Name: "cursor", Type: "string", Description: "next_cursor of the previous page"},
}

// WithPaging appends the pagination parameters to a route's query parameters.
func WithPaging(params ...Param) []Param {
	return append(params, PageQuery...)
}
