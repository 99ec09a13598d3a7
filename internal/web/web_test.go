package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/internal/web"
)

func TestFormats(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p    money.Pence
		want string
	}{{0, "£0.00"}, {5, "£0.05"}, {123456, "£1,234.56"}, {100000000, "£1,000,000.00"}, {-250, "-£2.50"}} {
		if got := web.Pounds(c.p); got != c.want {
			t.Errorf("Pounds(%d) = %q, want %q", c.p, got, c.want)
		}
	}
	if got := web.Date(calendar.NewDate(2026, time.December, 4)); got != "4 December 2026" {
		t.Errorf("Date = %q", got)
	}
	if got := web.Date(calendar.Date{}); got != "" {
		t.Errorf("zero Date = %q", got)
	}
	for _, c := range []struct {
		h, m int
		want string
	}{{14, 30, "2:30pm"}, {9, 0, "9am"}, {12, 0, "12pm"}, {0, 5, "12:05am"}} {
		if got := web.Time(time.Date(2026, 1, 1, c.h, c.m, 0, 0, time.UTC)); got != c.want {
			t.Errorf("Time(%d:%d) = %q, want %q", c.h, c.m, got, c.want)
		}
	}
	// Summer time: 13:30 UTC on 1 July is 2:30pm in London.
	if got := web.DateTime(time.Date(2026, 7, 1, 13, 30, 0, 0, time.UTC)); got != "1 July 2026 at 2:30pm" {
		t.Errorf("DateTime = %q", got)
	}
}

func TestDateInputParse(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		in   web.DateInput
		want string
		msg  string
	}{
		{"a real date", web.DateInput{Day: "4", Month: "12", Year: "2026"}, "2026-12-04", ""},
		{"nothing typed", web.DateInput{}, "", "Enter date of birth"},
		{"no month", web.DateInput{Day: "4", Year: "2026"}, "", "Date of birth must include a month"},
		{"no day and no year", web.DateInput{Month: "4"}, "", "Date of birth must include a day and a year"},
		{"31 February", web.DateInput{Day: "31", Month: "2", Year: "2026"}, "", "Date of birth must be a real date"},
		{"month 13", web.DateInput{Day: "1", Month: "13", Year: "2026"}, "", "Date of birth must be a real date"},
		{"two-digit year", web.DateInput{Day: "1", Month: "1", Year: "26"}, "", "Date of birth must be a real date"},
		{"words", web.DateInput{Day: "first", Month: "1", Year: "2026"}, "", "Date of birth must be a real date"},
	} {
		d, msg := c.in.Parse("Date of birth")
		got := ""
		if !d.IsZero() {
			got = d.String()
		}
		if got != c.want || msg != c.msg {
			t.Errorf("%s: got %q %q, want %q %q", c.name, got, msg, c.want, c.msg)
		}
	}
}

func TestErrorsFromUsesTheMessageTable(t *testing.T) {
	t.Parallel()
	err := apperr.Invalid("bad", apperr.FieldError{Field: "crn", Code: "invalid_crn", Message: "crn must look like X123456"},
		apperr.FieldError{Field: "person.date_of_birth", Code: "date_of_birth_in_future", Message: "in the future"},
		apperr.FieldError{Field: "reason", Code: "some_new_code", Message: "reason is odd"})
	errs, ok := web.ErrorsFrom(err, web.FormFields{"person.date_of_birth": "dob"})
	if !ok {
		t.Fatal("an invalid error gives form errors")
	}
	want := []web.FieldError{
		{Field: "crn", ID: "crn", Message: "Enter a CRN in the correct format, like X123456"},
		{Field: "dob", ID: "dob-day", Message: "Date of birth must be in the past"},
		{Field: "reason", ID: "reason", Message: "Reason is odd"},
	}
	got := errs.List()
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("error %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if errs.For("dob") != "Date of birth must be in the past" || errs.For("nothing") != "" {
		t.Error("For finds a field's message")
	}
	if _, ok := web.ErrorsFrom(apperr.NotFound("referral"), nil); ok {
		t.Error("not found is not a form error: the 404 page shows it")
	}
	if got := web.Message("email", "required", ""); got != "Enter your email address" {
		t.Errorf("field-specific message = %q", got)
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	q := url.Values{"sex": {"FEMALE"}, "page": {"3"}}
	p := web.NewPagination("/services", q, 3, 20, 205)
	if p.From != 41 || p.To != 60 || p.Total != 205 {
		t.Errorf("range %d-%d of %d", p.From, p.To, p.Total)
	}
	if p.Prev != "/services?page=2&sex=FEMALE" || p.Next != "/services?page=4&sex=FEMALE" {
		t.Errorf("prev %q next %q", p.Prev, p.Next)
	}
	var nums []string
	for _, pl := range p.Pages {
		if pl.Ellipsis {
			nums = append(nums, "…")
			continue
		}
		n := pl.Href
		if pl.Current {
			n = "[" + n + "]"
		}
		nums = append(nums, n)
	}
	if got := strings.Join(nums, " "); got != "/services?sex=FEMALE /services?page=2&sex=FEMALE [/services?page=3&sex=FEMALE] /services?page=4&sex=FEMALE /services?page=5&sex=FEMALE … /services?page=11&sex=FEMALE" {
		t.Errorf("pages: %s", got)
	}
	if one := web.NewPagination("/x", nil, 1, 20, 7); one.Prev != "" || one.Next != "" || len(one.Pages) != 0 || one.To != 7 {
		t.Errorf("single page: %+v", one)
	}
}

func TestPlatformPages(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	srv := env.Server.Echo
	get := func(path, accept string, cookie *http.Cookie) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, path, nil)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		if cookie != nil {
			r.AddCookie(cookie)
		}
		srv.ServeHTTP(rec, r)
		return rec
	}

	t.Run("a browser gets the HTML 404 page, the API problem+json", func(t *testing.T) {
		page := get("/no-such-page", "text/html,application/xhtml+xml", nil)
		if page.Code != http.StatusNotFound || !strings.Contains(page.Body.String(), "Page not found") ||
			!strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") {
			t.Errorf("browser 404: %d %s", page.Code, page.Header().Get("Content-Type"))
		}
		api := get("/api/v1/no-such-route", "text/html", nil)
		if api.Code != http.StatusNotFound || api.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("API 404: %d %s", api.Code, api.Header().Get("Content-Type"))
		}
	})

	t.Run("anonymous visitors are sent to sign in", func(t *testing.T) {
		home := get("/", "text/html", nil)
		if home.Code != http.StatusSeeOther || home.Header().Get("Location") != "/login" {
			t.Errorf("home: %d %s", home.Code, home.Header().Get("Location"))
		}
	})

	t.Run("assets have fingerprinted names and a long cache lifetime", func(t *testing.T) {
		login := get("/login", "text/html", nil).Body.String()
		m := regexp.MustCompile(`href="(/assets/vendor/govuk-frontend\.min\.[0-9a-f]{10}\.css)"`).FindStringSubmatch(login)
		if m == nil {
			t.Fatalf("no fingerprinted stylesheet in the sign-in page:\n%s", login)
		}
		css := get(m[1], "", nil)
		if css.Code != http.StatusOK || !strings.Contains(css.Header().Get("Cache-Control"), "immutable") ||
			!strings.HasPrefix(css.Header().Get("Content-Type"), "text/css") {
			t.Errorf("stylesheet: %d %v", css.Code, css.Header())
		}
		if strings.Contains(css.Body.String(), "GDS Transport") || strings.Contains(css.Body.String(), "@font-face") {
			t.Error("the GOV.UK typeface is for GOV.UK-domain services only")
		}
		if get("/assets/vendor/govuk-frontend.min.0000000000.css", "", nil).Code != http.StatusNotFound {
			t.Error("an unknown fingerprint is not found")
		}
	})

	t.Run("a signed-in user sees their name, the footer and a 403 page for a bad form token", func(t *testing.T) {
		u := env.NewUser("practitioner", apitest.UserOpts{})
		cookie := signIn(t, env, u.Email)
		home := get("/", "text/html", cookie)
		body := home.Body.String()
		for _, want := range []string{"Test practitioner", "Probation service", "Sign out", `href="/accessibility"`, `href="/cookies"`, `href="/api-docs"`} {
			if !strings.Contains(body, want) {
				t.Errorf("home lacks %q", want)
			}
		}
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/logout", strings.NewReader("csrf_token=forged"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Accept", "text/html")
		r.AddCookie(cookie)
		srv.ServeHTTP(rec, r)
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "You cannot use this page") {
			t.Errorf("forged sign-out: %d", rec.Code)
		}
	})
}

func signIn(t *testing.T, env *apitest.Env, email string) *http.Cookie {
	t.Helper()
	form := url.Values{"email": {email}, "password": {apitest.Password}}
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	env.Server.Echo.ServeHTTP(rec, r)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "crs_session" {
			return c
		}
	}
	t.Fatalf("sign-in failed: %d", rec.Code)
	return nil
}
