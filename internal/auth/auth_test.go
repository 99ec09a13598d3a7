package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/auth"
	"github.com/crsplatform/crs/internal/httpserver"
)

type testBundle struct {
	env   *apitest.Env
	admin apitest.User
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	env := apitest.New(t)
	return &testBundle{env: env, admin: env.Admin()}
}

func login(env *apitest.Env, email, password string) *apitest.Response {
	return env.Post("", "/api/v1/auth/token", map[string]string{"email": email, "password": password})
}

func TestTokens(t *testing.T) {
	t.Parallel()

	t.Run("good credentials give a token that shows the user's role and scope", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		u := b.env.NewUser(actor.RoleCommissioner, apitest.UserOpts{Regions: []string{"J", "K"}})
		var tok struct {
			Token     string    `json:"token"`
			TokenType string    `json:"token_type"`
			ExpiresAt time.Time `json:"expires_at"`
		}
		login(b.env, u.Email, apitest.Password).Expect(http.StatusCreated).JSON(&tok)
		if tok.TokenType != "Bearer" || !strings.HasPrefix(tok.Token, "crs_") || !tok.ExpiresAt.After(time.Now()) {
			t.Fatalf("token response %+v", tok)
		}
		me := b.env.Get(tok.Token, "/api/v1/me").Expect(http.StatusOK).Map()
		if me["role"] != "commissioner" || len(me["regions"].([]any)) != 2 || me["email"] != u.Email {
			t.Fatalf("me = %v", me)
		}
		if _, ok := me["password_hash"]; ok {
			t.Fatal("me shows the password hash")
		}
	})

	t.Run("the email is matched without regard to case", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		u := b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{})
		login(b.env, strings.ToUpper(u.Email), apitest.Password).Expect(http.StatusCreated)
	})

	t.Run("a wrong password or unknown email answers 401", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		login(b.env, b.admin.Email, "wrong password!").ExpectProblem(http.StatusUnauthorized, "invalid_credentials")
		login(b.env, "nobody@example.org", "wrong password!").ExpectProblem(http.StatusUnauthorized, "invalid_credentials")
		p := login(b.env, "", "").ExpectProblem(http.StatusBadRequest, "required")
		if !apitest.HasFieldError(p, "email", "required") || !apitest.HasFieldError(p, "password", "required") {
			t.Fatalf("field errors %+v", p.Errors)
		}
	})

	t.Run("missing, malformed and unknown tokens answer 401", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.env.Get("", "/api/v1/me").ExpectProblem(http.StatusUnauthorized, "unauthenticated")
		b.env.Get("not-a-token", "/api/v1/me").ExpectProblem(http.StatusUnauthorized, "unauthenticated")
		b.env.Get("crs_"+strings.Repeat("A", 43), "/api/v1/me").ExpectProblem(http.StatusUnauthorized, "unauthenticated")
	})

	t.Run("an expired token answers 401", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.env.Get(b.admin.Token, "/api/v1/me").Expect(http.StatusOK)
		b.env.Now = func() time.Time { return time.Now().UTC().Add(2 * time.Hour) }
		b.env.Get(b.admin.Token, "/api/v1/me").ExpectProblem(http.StatusUnauthorized, "unauthenticated")
	})

	t.Run("a revoked token answers 401", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/v1/auth/token", Token: b.admin.Token}).Expect(http.StatusNoContent)
		b.env.Get(b.admin.Token, "/api/v1/me").ExpectProblem(http.StatusUnauthorized, "unauthenticated")
	})

	t.Run("repeated failures lock the account, even for the right password, until the lockout passes", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		u := b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{})
		for i := 0; i < 5; i++ {
			login(b.env, u.Email, "wrong password!").ExpectProblem(http.StatusUnauthorized, "invalid_credentials")
		}
		r := login(b.env, u.Email, apitest.Password)
		r.ExpectProblem(http.StatusTooManyRequests, "login_throttled")
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After header")
		}
		b.env.Now = func() time.Time { return time.Now().UTC().Add(16 * time.Minute) }
		login(b.env, u.Email, apitest.Password).Expect(http.StatusCreated)
	})

	t.Run("a deactivated user's tokens stop working", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		u := b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{})
		b.env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/v1/users/" + u.ID.String(), Token: b.admin.Token,
			Headers: map[string]string{"If-Match": `"v1"`}, Body: map[string]any{"active": false}}).Expect(http.StatusOK)
		b.env.Get(u.Token, "/api/v1/me").ExpectProblem(http.StatusUnauthorized, "unauthenticated")
		login(b.env, u.Email, apitest.Password).ExpectProblem(http.StatusUnauthorized, "invalid_credentials")
	})
}

func TestUsers(t *testing.T) {
	t.Parallel()
	valid := func() map[string]any {
		return map[string]any{"email": "new.user@example.org", "display_name": "New User", "role": "practitioner",
			"regions": []string{"J"}, "password": "a long enough password"}
	}

	t.Run("admin creates a user who can then sign in", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		r := b.env.Post(b.admin.Token, "/api/v1/users", valid()).Expect(http.StatusCreated)
		if r.Header.Get("ETag") != `"v1"` || !strings.HasPrefix(r.Header.Get("Location"), "/api/v1/users/") {
			t.Fatalf("headers %v", r.Header)
		}
		login(b.env, "new.user@example.org", "a long enough password").Expect(http.StatusCreated)
		var audit struct {
			Items []struct {
				Action  string `json:"action"`
				ActorID string `json:"actor_id"`
			} `json:"items"`
		}
		b.env.Get(b.admin.Token, "/api/v1/audit?entity_type=user&entity_id="+r.Map()["id"].(string)).Expect(http.StatusOK).JSON(&audit)
		if len(audit.Items) != 1 || audit.Items[0].Action != "user.created" || audit.Items[0].ActorID != b.admin.ID.String() {
			t.Fatalf("audit %+v", audit)
		}
	})

	t.Run("invalid users are refused with field codes", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		cases := []struct {
			name   string
			change func(m map[string]any)
			field  string
			code   string
		}{
			{"bad email", func(m map[string]any) { m["email"] = "not-an-email" }, "email", "invalid_email"},
			{"short password", func(m map[string]any) { m["password"] = "short" }, "password", "password_too_short"},
			{"unknown role", func(m map[string]any) { m["role"] = "superuser" }, "role", "invalid_role"},
			{"practitioner without regions", func(m map[string]any) { delete(m, "regions") }, "regions", "required"},
			{"unknown region", func(m map[string]any) { m["regions"] = []string{"Z"} }, "regions[0]", "unknown_region"},
			{"supplier without organisation", func(m map[string]any) { m["role"] = "supplier"; delete(m, "regions") }, "supplier_id", "required"},
			{"admin with regions", func(m map[string]any) { m["role"] = "admin" }, "regions", "not_allowed"},
			{"missing name", func(m map[string]any) { m["display_name"] = " " }, "display_name", "required"},
		}
		for _, c := range cases {
			body := valid()
			c.change(body)
			p := b.env.Post(b.admin.Token, "/api/v1/users", body).ExpectProblem(http.StatusBadRequest, "")
			if !apitest.HasFieldError(p, c.field, c.code) {
				t.Errorf("%s: want %s %s, got %+v", c.name, c.field, c.code, p.Errors)
			}
		}
		b.env.Post(b.admin.Token, "/api/v1/users", valid()).Expect(http.StatusCreated)
		p := b.env.Post(b.admin.Token, "/api/v1/users", valid()).ExpectProblem(http.StatusConflict, "email_taken")
		if !apitest.HasFieldError(p, "email", "email_taken") {
			t.Fatalf("duplicate email: %+v", p.Errors)
		}
	})

	t.Run("non-admins cannot manage users", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.env.NewUser(actor.RoleCommissioner, apitest.UserOpts{})
		b.env.Post(c.Token, "/api/v1/users", valid()).ExpectProblem(http.StatusForbidden, "role_not_allowed")
		b.env.Get(c.Token, "/api/v1/users").ExpectProblem(http.StatusForbidden, "role_not_allowed")
		b.env.Get(c.Token, "/api/v1/audit").ExpectProblem(http.StatusForbidden, "role_not_allowed")
	})

	t.Run("an Idempotency-Key replay returns the original response; reuse with another body answers 422", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		req := apitest.Request{Method: http.MethodPost, Path: "/api/v1/users", Token: b.admin.Token, Body: valid(),
			Headers: map[string]string{"Idempotency-Key": "key-1"}}
		first := b.env.Do(req).Expect(http.StatusCreated)
		second := b.env.Do(req).Expect(http.StatusCreated)
		if string(first.Body) != string(second.Body) || second.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay differs: %s vs %s", first.Body, second.Body)
		}
		if first.Header.Get("Location") != second.Header.Get("Location") {
			t.Fatal("replay lost the Location header")
		}
		var n int64
		b.env.DB.Gorm.Table("users").Where("email = ?", "new.user@example.org").Count(&n)
		if n != 1 {
			t.Fatalf("%d users created", n)
		}
		other := valid()
		other["email"] = "other@example.org"
		req.Body = other
		b.env.Do(req).ExpectProblem(http.StatusUnprocessableEntity, "idempotency_key_reused")
	})

	t.Run("updates need a current If-Match", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		u := b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{})
		path := "/api/v1/users/" + u.ID.String()
		patch := func(etag string, body any) *apitest.Response {
			h := map[string]string{}
			if etag != "" {
				h["If-Match"] = etag
			}
			return b.env.Do(apitest.Request{Method: http.MethodPatch, Path: path, Token: b.admin.Token, Headers: h, Body: body})
		}
		patch("", map[string]any{"display_name": "Renamed"}).ExpectProblem(http.StatusPreconditionRequired, "if_match_required")
		r := patch(`"v1"`, map[string]any{"display_name": "Renamed"}).Expect(http.StatusOK)
		if r.Header.Get("ETag") != `"v2"` || r.Map()["display_name"] != "Renamed" {
			t.Fatalf("update: %s %v", r.Body, r.Header)
		}
		patch(`"v1"`, map[string]any{"display_name": "Again"}).ExpectProblem(http.StatusPreconditionFailed, "version_mismatch")
		patch(`"v2"`, map[string]any{"regions": []string{}}).ExpectProblem(http.StatusBadRequest, "required")
		b.env.Get(b.admin.Token, path).Expect(http.StatusOK)
		b.env.Get(b.admin.Token, "/api/v1/users/"+"01900000-0000-7000-8000-00000000ffff").ExpectProblem(http.StatusNotFound, "not_found")
	})

	t.Run("lists page with a cursor", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		for i := 0; i < 4; i++ {
			b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{})
		}
		seen := map[string]bool{}
		path := "/api/v1/users?role=practitioner&limit=3"
		for pages := 0; ; pages++ {
			var p struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
				NextCursor *string `json:"next_cursor"`
			}
			b.env.Get(b.admin.Token, path).Expect(http.StatusOK).JSON(&p)
			for _, it := range p.Items {
				if seen[it.ID] {
					t.Fatalf("user %s seen twice", it.ID)
				}
				seen[it.ID] = true
			}
			if p.NextCursor == nil {
				break
			}
			if pages > 3 {
				t.Fatal("too many pages")
			}
			path = "/api/v1/users?role=practitioner&limit=3&cursor=" + url.QueryEscape(*p.NextCursor)
		}
		if len(seen) != 4 {
			t.Fatalf("saw %d practitioners, want 4", len(seen))
		}
		b.env.Get(b.admin.Token, "/api/v1/users?cursor=garbage").ExpectProblem(http.StatusBadRequest, "invalid_cursor")
		b.env.Get(b.admin.Token, "/api/v1/users?limit=0").ExpectProblem(http.StatusBadRequest, "invalid_limit")
	})
}

func TestStrictBindingAndProblems(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := []struct {
		name  string
		body  string
		ctype string
		field string
		code  string
	}{
		{"unknown field", `{"email":"a@b.org","password":"x","admin":true}`, "application/json", "admin", "unknown_field"},
		{"wrong type", `{"email":42,"password":"x"}`, "application/json", "email", "invalid_type"},
		{"malformed", `{"email":`, "application/json", "", "malformed_json"},
		{"two values", `{"email":"a@b.org","password":"x"} {}`, "application/json", "", "malformed_json"},
		{"empty", ``, "application/json", "", "body_required"},
	}
	for _, c := range cases {
		r := b.env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/token", Body: c.body, Headers: map[string]string{"Content-Type": c.ctype}})
		p := r.ExpectProblem(http.StatusBadRequest, c.code)
		if p.Type == "" || p.Title == "" || p.Status != http.StatusBadRequest || p.RequestID == "" || p.Instance != "/api/v1/auth/token" {
			t.Errorf("%s: incomplete problem %+v", c.name, p)
		}
		if !apitest.HasFieldError(p, c.field, c.code) {
			t.Errorf("%s: want field %q code %s, got %+v", c.name, c.field, c.code, p.Errors)
		}
	}
	b.env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/token", Body: "email=a", Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}).
		ExpectProblem(http.StatusBadRequest, "unsupported_media_type")
	b.env.Get(b.admin.Token, "/api/v1/no-such-route").ExpectProblem(http.StatusNotFound, "not_found")
	big := `{"email":"` + strings.Repeat("a", 2<<20) + `"}`
	b.env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/token", Body: big}).ExpectProblem(http.StatusRequestEntityTooLarge, "body_too_large")
}

func TestBrowserSession(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv := b.env.Server.Echo

	page := httptest.NewRecorder()
	srv.ServeHTTP(page, httptest.NewRequest(http.MethodGet, "/login", nil))
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `name="password"`) {
		t.Fatalf("login page: %d %s", page.Code, page.Body)
	}

	form := url.Values{"email": {b.admin.Email}, "password": {"wrong password!"}, "next": {"/admin/jobs"}}
	bad := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	srv.ServeHTTP(bad, req)
	if bad.Code != http.StatusUnauthorized || !strings.Contains(bad.Body.String(), "wrong") {
		t.Fatalf("bad login: %d", bad.Code)
	}

	form.Set("password", apitest.Password)
	ok := httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	srv.ServeHTTP(ok, req)
	if ok.Code != http.StatusSeeOther || ok.Header().Get("Location") != "/admin/jobs" {
		t.Fatalf("login: %d %v", ok.Code, ok.Header())
	}
	cookies := ok.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != httpserver.SessionCookie || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookie %+v", cookies)
	}
	session := cookies[0]

	withCookie := func(method, path string, headers map[string]string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(method, path, nil)
		r.AddCookie(session)
		for k, v := range headers {
			r.Header.Set(k, v)
		}
		srv.ServeHTTP(rec, r)
		return rec
	}
	if rec := withCookie(http.MethodGet, "/api/v1/me", nil); rec.Code != http.StatusOK {
		t.Fatalf("me with cookie: %d", rec.Code)
	}
	if rec := withCookie(http.MethodGet, "/", nil); !strings.Contains(rec.Body.String(), b.admin.Email) {
		t.Fatal("home page does not show the signed-in user")
	}
	if rec := withCookie(http.MethodDelete, "/api/v1/auth/token", nil); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "csrf_token_invalid") {
		t.Fatalf("unsafe request without CSRF token: %d %s", rec.Code, rec.Body)
	}
	if rec := withCookie(http.MethodDelete, "/api/v1/auth/token", map[string]string{httpserver.CSRFHeader: "forged"}); rec.Code != http.StatusForbidden {
		t.Fatalf("forged CSRF token: %d", rec.Code)
	}
	if rec := withCookie(http.MethodDelete, "/api/v1/auth/token", map[string]string{httpserver.CSRFHeader: httpserver.CSRFToken(session.Value)}); rec.Code != http.StatusNoContent {
		t.Fatalf("sign out with CSRF token: %d %s", rec.Code, rec.Body)
	}
	if rec := withCookie(http.MethodGet, "/api/v1/me", nil); rec.Code != http.StatusUnauthorized {
		t.Fatalf("me after sign-out: %d", rec.Code)
	}
}

func TestSafeRedirect(t *testing.T) {
	t.Parallel()
	b := setup(t)
	form := url.Values{"email": {b.admin.Email}, "password": {apitest.Password}, "next": {"//evil.example/"}}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	b.env.Server.Echo.ServeHTTP(rec, req)
	if rec.Header().Get("Location") != "/" {
		t.Fatalf("redirected to %q", rec.Header().Get("Location"))
	}
}

// TestSignInThrottlePerClient shows that one client address failing against many accounts is refused
// after the per-client limit, without locking those accounts for anyone else.
func TestSignInThrottlePerClient(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{})
	attacker := actor.WithClientAddr(context.Background(), "203.0.113.7")
	for i := range 20 { // the apitest limit, one failure per account
		_, err := b.env.Auth.Login(attacker, fmt.Sprintf("person%d@example.org", i), "wrong password!", auth.TokenAPI)
		if apperr.KindOf(err) != apperr.KindUnauthenticated {
			t.Fatalf("failure %d: %v, want invalid credentials", i+1, err)
		}
	}
	_, err := b.env.Auth.Login(attacker, u.Email, apitest.Password, auth.TokenAPI)
	if ae, ok := apperr.As(err); !ok || ae.Code != "login_throttled_client" || ae.RetryAfterSeconds <= 0 {
		t.Fatalf("the 21st attempt from the address: %v, want login_throttled_client with a wait", err)
	}
	// The person, from their own address, is not locked out.
	if _, err := b.env.Auth.Login(actor.WithClientAddr(context.Background(), "198.51.100.2"), u.Email, apitest.Password, auth.TokenAPI); err != nil {
		t.Fatalf("sign-in from another address: %v", err)
	}
}

// TestSignedInResponsesAreNotStored checks Cache-Control: no-store on responses to signed-in requests
// and on the token itself.
func TestSignedInResponsesAreNotStored(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if cc := b.env.Get(b.admin.Token, "/api/v1/me").Expect(http.StatusOK).Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("GET /me: Cache-Control %q, want no-store", cc)
	}
	if cc := login(b.env, b.admin.Email, apitest.Password).Expect(http.StatusCreated).Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("POST /auth/token: Cache-Control %q, want no-store", cc)
	}
}
