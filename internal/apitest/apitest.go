// Package apitest runs API tests through the real Echo instance, the real middleware and a fresh
// PostgreSQL database: it builds a server with authentication and audit wired, makes users of any
// role and scope with tokens, and sends requests with httptest. Domain tests register their own
// routes on Env.Server.API. Import it only from _test.go files.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/auth"
	"github.com/crsplatform/crs/internal/db"
	"github.com/crsplatform/crs/internal/dbtest"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/idempotency"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/notify"
	"github.com/crsplatform/crs/internal/queue"
	"github.com/crsplatform/crs/internal/reference"
	"github.com/crsplatform/crs/internal/web"
)

// Password is the password of every user the factories make.
const Password = "correct horse battery"

var passwordHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(Password)
	if err != nil {
		panic(err)
	}
	return h
})

// Env is one test's server and database.
type Env struct {
	T        testing.TB
	DB       *db.DB
	Server   *httpserver.Server
	Auth     *auth.Service
	Inserter *queue.Inserter
	Ref      *reference.Data
	// Web is the web platform (layout, components, error pages); domain page tests mount on it.
	Web *web.Platform
	// Now is the clock the services see; tests may move it.
	Now func() time.Time
}

// New builds the environment: a fresh database and a server with the auth and audit routes.
func New(t testing.TB) *Env {
	t.Helper()
	d := dbtest.New(t)
	env := &Env{T: t, DB: d}
	env.Now = func() time.Time { return time.Now().UTC() }
	clock := func() time.Time { return env.Now() }
	env.Auth = auth.NewService(d.Gorm, auth.Config{TokenTTL: time.Hour, SessionTTL: time.Hour, MaxFailures: 5, MaxClientFailures: 20,
		Window: 15 * time.Minute, Lockout: 15 * time.Minute, Now: clock})
	ins, err := queue.NewInserter(d.SQL)
	if err != nil {
		t.Fatalf("inserter: %v", err)
	}
	env.Inserter = ins
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	env.Server = httpserver.New(httpserver.Config{BodyLimit: "1M", Version: "test", Logger: logger, Auth: env.Auth,
		Idempotency:     &idempotency.Store{DB: d.Gorm, Now: clock},
		ReadinessChecks: func(ctx context.Context) error { return db.CheckSchema(ctx, d.SQL) }})
	h := auth.NewHandler(env.Auth, env.Server)
	auth.Register(env.Server.API, h)
	env.Web = web.New(web.Config{Server: env.Server, Identity: auth.Identity(env.Auth, nil), Logger: logger})
	auth.RegisterPages(env.Web, h)
	audit.Register(env.Server.API, audit.NewHandler(audit.NewService(d.Gorm)))
	ref, err := reference.Load(context.Background(), d.Gorm)
	if err != nil {
		t.Fatalf("reference data: %v", err)
	}
	env.Ref = ref
	reference.Register(env.Server.API, reference.NewHandler(ref))
	notify.Register(env.Server.API, notify.NewHandler(notify.NewService(d.Gorm, clock)))
	return env
}

// User is a user made by a factory, with a token.
type User struct {
	auth.User
	Token string
}

// Actor returns the user as an actor for calling services directly.
func (u User) Actor() actor.Actor { return u.User.Actor() }

// UserOpts override the factory's defaults.
type UserOpts struct {
	Email      string
	Regions    []string
	SupplierID uuid.UUID
}

// NewUser inserts a user of the role (scope from opts; practitioners and commissioners default to
// region J) and issues a token for it.
func (e *Env) NewUser(role actor.Role, opts UserOpts) User {
	e.T.Helper()
	id := ids.New()
	email := opts.Email
	if email == "" {
		email = string(role) + "-" + id.String()[24:] + "@example.org"
	}
	regions := opts.Regions
	if (role == actor.RolePractitioner || role == actor.RoleCommissioner) && len(regions) == 0 {
		regions = []string{"J"}
	}
	if regions == nil {
		regions = []string{}
	}
	var supplier *uuid.UUID
	if role == actor.RoleSupplier {
		if opts.SupplierID == uuid.Nil {
			e.T.Fatalf("apitest: a supplier user needs UserOpts.SupplierID")
		}
		s := opts.SupplierID
		supplier = &s
	}
	now := time.Now().UTC()
	err := e.DB.Gorm.Exec(`INSERT INTO users (id, email, display_name, password_hash, role, supplier_id, regions, active, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, true, 1, ?, ?)`, id, email, "Test "+string(role), passwordHash(), string(role), supplier, pq.StringArray(regions), now, now).Error
	if err != nil {
		e.T.Fatalf("apitest: insert user: %v", err)
	}
	iss, err := e.Auth.IssueToken(context.Background(), id, auth.TokenAPI)
	if err != nil {
		e.T.Fatalf("apitest: issue token: %v", err)
	}
	return User{User: iss.User, Token: iss.Value}
}

// Admin makes an admin user.
func (e *Env) Admin() User { return e.NewUser(actor.RoleAdmin, UserOpts{}) }

// Request is a request to send.
type Request struct {
	Method string
	Path   string
	// Body is marshalled to JSON unless it is a string or []byte (sent as is).
	Body    any
	Token   string
	Headers map[string]string
}

// Response is a recorded response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	t      testing.TB
}

// Do sends the request through the server.
func (e *Env) Do(r Request) *Response {
	e.T.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.T.Fatalf("apitest: marshal body: %v", err)
		}
		body = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(r.Method, r.Path, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.Server.Echo.ServeHTTP(rec, req)
	return &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes(), t: e.T}
}

// Get, Post, Put, Patch and Delete are shorthands for Do.
func (e *Env) Get(token, path string) *Response {
	e.T.Helper()
	return e.Do(Request{Method: http.MethodGet, Path: path, Token: token})
}

// Post sends a JSON POST.
func (e *Env) Post(token, path string, body any) *Response {
	e.T.Helper()
	return e.Do(Request{Method: http.MethodPost, Path: path, Token: token, Body: body})
}

// Expect fails the test unless the status is as expected, showing the body.
func (r *Response) Expect(status int) *Response {
	r.t.Helper()
	if r.Status != status {
		r.t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

// JSON decodes the body into v.
func (r *Response) JSON(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map() map[string]any {
	r.t.Helper()
	var m map[string]any
	r.JSON(&m)
	return m
}

// Problem decodes a problem+json body, failing unless the content type is right.
func (r *Response) Problem() httpserver.Problem {
	r.t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, httpserver.ProblemContentType) {
		r.t.Fatalf("content type %q, want %s; body: %s", ct, httpserver.ProblemContentType, r.Body)
	}
	var p httpserver.Problem
	r.JSON(&p)
	return p
}

// ExpectProblem fails unless the response is a problem with the status and, when given, the top-level
// code or a field error with that code.
func (r *Response) ExpectProblem(status int, code string) httpserver.Problem {
	r.t.Helper()
	r.Expect(status)
	p := r.Problem()
	if code == "" || p.Code == code {
		return p
	}
	for _, f := range p.Errors {
		if f.Code == code {
			return p
		}
	}
	r.t.Fatalf("problem lacks code %q: %s", code, r.Body)
	return p
}

// HasFieldError reports whether the problem has a field error with the field and code.
func HasFieldError(p httpserver.Problem, field, code string) bool {
	for _, f := range p.Errors {
		if f.Field == field && f.Code == code {
			return true
		}
	}
	return false
}

// Send sends a request with an If-Match for the version (0: no If-Match).
func (e *Env) Send(method, path, token string, body any, version int) *Response {
	e.T.Helper()
	r := Request{Method: method, Path: path, Token: token, Body: body, Headers: map[string]string{}}
	if version > 0 {
		r.Headers["If-Match"] = httpserver.ETag(version)
	}
	return e.Do(r)
}
