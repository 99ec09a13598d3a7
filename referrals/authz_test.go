package referrals_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/httpserver"
)

// want is the answer a caller should get: a status and, for errors, the problem code and a word of
// its detail (to tell "referral not found" from "appointment not found").
type want struct {
	status int
	code   string
	detail string
}

var (
	ok         = want{status: http.StatusOK}
	hidden     = want{http.StatusNotFound, "not_found", "referral"}
	roleDenied = want{http.StatusForbidden, "role_not_allowed", ""}
	notOwner   = want{http.StatusForbidden, "not_referral_owner", ""}
	anonymous  = want{http.StatusUnauthorized, "unauthenticated", ""}
)

func conflict(code string) want { return want{http.StatusConflict, code, ""} }
func invalid(code string) want  { return want{http.StatusBadRequest, code, ""} }

// TestAuthorisationMatrix calls every referral endpoint as every role, in and out of scope, on a sent
// referral (and a draft). Bodies are chosen so that a caller who gets past scope and role checks is
// refused by a later rule (400 or 409) and nothing changes: the answer then proves the checks passed.
func TestAuthorisationMatrix(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.sent(crn())
	d := b.createDraft(b.pp, b.contract, crn())
	users := map[string]apitest.User{
		"owner": b.pp, "colleague": b.practitioner("J"), "other region practitioner": b.practitioner("K"),
		"prime": b.primeUser, "subcontractor": b.subUser, "other supplier": b.otherUser,
		"commissioner": b.commissioner("J"), "other commissioner": b.commissioner("K"), "admin": b.admin,
		"anonymous": {},
	}
	// readers: everyone in scope reads; out of scope is 404.
	readers := map[string]want{"owner": ok, "colleague": ok, "other region practitioner": hidden, "prime": ok, "subcontractor": ok,
		"other supplier": hidden, "commissioner": ok, "other commissioner": hidden, "admin": ok, "anonymous": anonymous}
	// practitionerOnly: the owner gets the given answer; every other role is refused by the route.
	practitionerOnly := func(owner want) map[string]want {
		return map[string]want{"owner": owner, "colleague": notOwner, "other region practitioner": hidden, "prime": roleDenied,
			"subcontractor": roleDenied, "other supplier": roleDenied, "commissioner": roleDenied, "other commissioner": roleDenied,
			"admin": roleDenied, "anonymous": anonymous}
	}
	supplierOnly := func(inChain want) map[string]want {
		return map[string]want{"owner": roleDenied, "colleague": roleDenied, "other region practitioner": roleDenied, "prime": inChain,
			"subcontractor": inChain, "other supplier": hidden, "commissioner": roleDenied, "other commissioner": roleDenied,
			"admin": roleDenied, "anonymous": anonymous}
	}
	slotBody := slot(testNow.Add(48 * time.Hour))
	missing := uuid.NewString()
	cases := []struct {
		method, path string
		body         any
		ifMatch      int
		want         map[string]want
	}{
		{http.MethodPost, base, map[string]any{"contract_id": b.contract.String(), "crn": "bad"}, 0, map[string]want{
			"owner": invalid("invalid_crn"), "colleague": invalid("invalid_crn"), "other region practitioner": invalid("invalid_crn"),
			"prime": roleDenied, "subcontractor": roleDenied, "other supplier": roleDenied, "commissioner": roleDenied,
			"other commissioner": roleDenied, "admin": roleDenied, "anonymous": anonymous}},
		{http.MethodGet, base, nil, 0, map[string]want{"owner": ok, "colleague": ok, "other region practitioner": ok, "prime": ok,
			"subcontractor": ok, "other supplier": ok, "commissioner": ok, "other commissioner": ok, "admin": ok, "anonymous": anonymous}},
		{http.MethodGet, path(r.ID), nil, 0, readers},
		{http.MethodGet, path(r.ID, "/history"), nil, 0, readers},
		{http.MethodGet, path(r.ID, "/amendments"), nil, 0, readers},
		{http.MethodGet, path(r.ID, "/case-notes"), nil, 0, map[string]want{"owner": ok, "colleague": notOwner, "other region practitioner": hidden,
			"prime": ok, "subcontractor": ok, "other supplier": hidden, "commissioner": ok, "other commissioner": hidden, "admin": ok, "anonymous": anonymous}},
		{http.MethodGet, path(r.ID, "/caseworkers"), nil, 0, map[string]want{"owner": roleDenied, "colleague": roleDenied,
			"other region practitioner": roleDenied, "prime": ok, "subcontractor": ok, "other supplier": hidden, "commissioner": roleDenied,
			"other commissioner": roleDenied, "admin": ok, "anonymous": anonymous}},
		{http.MethodPost, path(r.ID, "/case-notes"), map[string]any{"subject": "", "body": ""}, 0, map[string]want{"owner": invalid("required"),
			"colleague": notOwner, "other region practitioner": hidden, "prime": invalid("required"), "subcontractor": invalid("required"),
			"other supplier": hidden, "commissioner": roleDenied, "other commissioner": roleDenied, "admin": roleDenied, "anonymous": anonymous}},
		{http.MethodPatch, path(r.ID), map[string]any{"risk_summary": "x"}, r.Version, practitionerOnly(conflict("invalid_transition"))},
		{http.MethodDelete, path(r.ID), nil, r.Version, practitionerOnly(conflict("invalid_transition"))},
		{http.MethodPost, path(r.ID, "/send"), nil, r.Version, practitionerOnly(conflict("invalid_transition"))},
		{http.MethodPost, path(r.ID, "/withdraw"), map[string]any{"reason_code": "XXX"}, r.Version, practitionerOnly(invalid("unknown_withdrawal_reason"))},
		{http.MethodPost, path(r.ID, "/amendments"), map[string]any{"reason": ""}, r.Version, practitionerOnly(invalid("required"))},
		{http.MethodPost, path(r.ID, "/action-plans/"+missing+"/approve"), nil, r.Version, practitionerOnly(want{http.StatusNotFound, "not_found", "action plan"})},
		{http.MethodPost, path(r.ID, "/caseworker"), map[string]any{"caseworker_id": b.otherUser.ID.String()}, r.Version,
			supplierOnly(invalid("caseworker_not_in_supply_chain"))},
		{http.MethodPost, path(r.ID, "/assessment"), slotBody, r.Version, supplierOnly(conflict("invalid_transition"))},
		{http.MethodPost, path(r.ID, "/sessions"), map[string]any{"session_number": 1, "starts_at": slotBody["starts_at"], "duration_minutes": 60,
			"method": "PHONE"}, r.Version, supplierOnly(conflict("action_plan_not_approved"))},
		{http.MethodPost, path(r.ID, "/appointments/"+missing+"/reschedule"), map[string]any{"starts_at": slotBody["starts_at"],
			"duration_minutes": 60, "method": "PHONE", "requested_by": "SUPPLIER", "reason": "x"}, r.Version,
			supplierOnly(want{http.StatusNotFound, "not_found", "appointment"})},
		{http.MethodPost, path(r.ID, "/appointments/"+missing+"/attendance"), map[string]any{"attendance": "YES"}, r.Version,
			supplierOnly(want{http.StatusNotFound, "not_found", "appointment"})},
		{http.MethodPost, path(r.ID, "/action-plans"), map[string]any{"activities": []map[string]any{{"description": "x"}}, "number_of_sessions": 1}, r.Version,
			supplierOnly(conflict("assessment_not_attended"))},
		{http.MethodPost, path(r.ID, "/end-of-service-report"), map[string]any{"outcomes": []map[string]any{}}, r.Version,
			supplierOnly(conflict("invalid_transition"))},
	}
	// Another practitioner's draft does not exist for anyone but its author.
	draftHidden := map[string]want{"colleague": hidden, "other region practitioner": hidden, "prime": hidden, "commissioner": hidden, "admin": hidden}
	for _, rest := range []string{"", "/history", "/amendments", "/case-notes"} {
		cases = append(cases, struct {
			method, path string
			body         any
			ifMatch      int
			want         map[string]want
		}{http.MethodGet, path(d.ID, rest), nil, 0, draftHidden})
	}
	for _, m := range []struct{ method, rest string }{{http.MethodPost, "/send"}, {http.MethodDelete, ""}} {
		cases = append(cases, struct {
			method, path string
			body         any
			ifMatch      int
			want         map[string]want
		}{m.method, path(d.ID, m.rest), nil, d.Version, map[string]want{"colleague": hidden, "other region practitioner": hidden}})
	}

	documented := map[string]bool{}
	for _, c := range cases {
		documented[c.method+" "+routeOf(c.path)] = true
		for who, w := range c.want {
			u := users[who]
			req := apitest.Request{Method: c.method, Path: c.path, Token: u.Token, Body: c.body, Headers: map[string]string{}}
			if c.ifMatch > 0 {
				req.Headers["If-Match"] = httpserver.ETag(c.ifMatch)
			}
			res := b.env.Do(req)
			if res.Status != w.status {
				t.Errorf("%s %s as %s: %d, want %d: %s", c.method, c.path, who, res.Status, w.status, res.Body)
				continue
			}
			if w.code == "" {
				continue
			}
			p := res.Problem()
			if p.Code != w.code && !apitest.HasFieldError(p, fieldOf(p, w.code), w.code) {
				t.Errorf("%s %s as %s: code %s, want %s: %s", c.method, c.path, who, p.Code, w.code, res.Body)
			}
			if w.detail != "" && !strings.HasPrefix(p.Detail, w.detail) {
				t.Errorf("%s %s as %s: detail %q, want it to start with %q", c.method, c.path, who, p.Detail, w.detail)
			}
		}
	}
	// every route the package registers is in the matrix
	for _, route := range b.env.Server.Doc.Routes() {
		if strings.Contains(route, "/api/v1/referrals") && !documented[route] {
			t.Errorf("route %s is not in the matrix", route)
		}
	}
	// and nothing changed
	var got struct{ Status string }
	b.env.Get(b.pp.Token, path(r.ID)).Expect(http.StatusOK).JSON(&got)
	if got.Status != "SENT" {
		t.Errorf("the matrix changed the referral: %s", got.Status)
	}
}

// routeOf turns a request path into its documented route.
func routeOf(p string) string {
	parts := strings.Split(p, "/")
	names := []string{"id", "plan_id", "appointment_id"}
	for i, s := range parts {
		if _, err := uuid.Parse(s); err == nil {
			switch parts[i-1] {
			case "referrals":
				parts[i] = "{" + names[0] + "}"
			case "action-plans":
				parts[i] = "{" + names[1] + "}"
			case "appointments":
				parts[i] = "{" + names[2] + "}"
			}
		}
	}
	return strings.Join(parts, "/")
}

// fieldOf returns the field of the problem's error with the code.
func fieldOf(p httpserver.Problem, code string) string {
	for _, f := range p.Errors {
		if f.Code == code {
			return f.Field
		}
	}
	return fmt.Sprintf("<no field with %s>", code)
}
