package auth_test

import (
	"net/http"
	"testing"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
)

// TestRefusedSignInsAreThrottled sends sign-in bodies the binder refuses (a NUL in the password,
// invalid UTF-8, a NUL in the email) and checks each answers a field-level 400, never a 500, and
// counts as a failed attempt for the account it names, so that the account locks as it would
// after wrong passwords.
func TestRefusedSignInsAreThrottled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{})
	bodies := []string{
		`{"email":"` + u.Email + `","password":"a\u0000b"}`,
		"{\"email\":\"" + u.Email + "\",\"password\":\"\xff\xfe\"}",
		`{"email":"` + u.Email + `\u0000","password":"x"}`,
		`{"email":"` + u.Email + `","password":"` + string(make([]byte, 0)) + `x","EXTRA":1}`,
		`{"email":"` + u.Email + `","password":"a\u0000"}`,
	}
	wantField := []string{"password", "password", "email", "EXTRA", "password"}
	for i, body := range bodies {
		p := b.env.Post("", "/api/v1/auth/token", body).ExpectProblem(http.StatusBadRequest, "")
		if len(p.Errors) != 1 || p.Errors[0].Field != wantField[i] {
			t.Fatalf("body %d: errors %+v, want one on %s", i, p.Errors, wantField[i])
		}
	}
	// Five refused attempts: the right password is now refused too.
	login(b.env, u.Email, apitest.Password).ExpectProblem(http.StatusTooManyRequests, "login_throttled")
}
