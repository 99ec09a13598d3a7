package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/auth"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/factory"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/ids"
)

// The write protocol (docs/ARCHITECTURE.md, "Write protocol"): routes that change data but are
// neither creations nor changes of a versioned resource, each with its reason.
var unversionedWrites = map[string]string{
	"POST /auth/token":                        "signs in: no resource yet",
	"DELETE /auth/token":                      "signs out: the token is the caller's own",
	"POST /notifications/:id/read":            "a notification has no version: marking it read twice is harmless",
	"POST /notifications/read-all":            "a notification has no version: marking it read twice is harmless",
	"POST /referrals/:id/case-notes":          "creates a case note; the referral's version does not change",
	"POST /reconciliations":                   "a command that recomputes figures: running it twice is harmless",
	"POST /contracts/:id/years/:n/settlement": "a command that records an ended year's recovery once: running it twice records nothing more",
	"POST /returns/:id/retry":                 "a command that builds a failed or stuck return again; a ready or building one answers 409",
	"POST /contracts":                         "",
	"POST /suppliers":                         "",
	"POST /users":                             "",
	"POST /referrals":                         "",
	"POST /payment-requests":                  "",
	"POST /returns":                           "",
}

// TestEveryRouteFollowsTheWriteProtocol walks every registered API route: each PATCH, PUT and DELETE
// and each POST on an existing resource declares If-Match (or is listed above with its reason), each
// creating POST declares Idempotency-Key, none declares both, and the served document says so.
func TestEveryRouteFollowsTheWriteProtocol(t *testing.T) {
	t.Parallel()
	a := testApp(t)
	doc := documentOf(t, a)
	var changes int
	for _, rt := range a.server.API.Routes() {
		key := rt.Method + " " + rt.Path
		if rt.Method == http.MethodGet || rt.Method == http.MethodHead {
			if rt.IfMatch || rt.Idempotent {
				t.Errorf("%s: a read declares If-Match or Idempotency-Key", key)
			}
			continue
		}
		changes++
		reason, exempt := unversionedWrites[key]
		creating := exempt && reason == ""
		switch {
		case rt.IfMatch && rt.Idempotent:
			t.Errorf("%s declares both If-Match and Idempotency-Key", key)
		case creating && !rt.Idempotent:
			t.Errorf("%s creates a resource but does not take Idempotency-Key", key)
		case !exempt && !rt.IfMatch:
			t.Errorf("%s changes an existing resource but does not require If-Match", key)
		case exempt && rt.IfMatch:
			t.Errorf("%s is listed as unversioned but requires If-Match", key)
		}
		if got := doc.headerRequired(rt, "If-Match"); got != rt.IfMatch {
			t.Errorf("%s: the document's If-Match header required = %v, want %v", key, got, rt.IfMatch)
		}
	}
	if changes < 40 {
		t.Fatalf("only %d routes change data: is every domain registered?", changes)
	}
	for key := range unversionedWrites {
		found := slices.ContainsFunc(a.server.API.Routes(), func(rt httpserver.Route) bool { return rt.Method+" "+rt.Path == key })
		if !found {
			t.Errorf("%s is listed as unversioned but is not registered", key)
		}
	}
}

// TestEveryIfMatchRouteEnforcesIt sends every route that requires If-Match a request without it
// (428), with one naming no version (412) and with a stale version of a real resource in the
// caller's scope (412), and checks that the resource did not change.
func TestEveryIfMatchRouteEnforcesIt(t *testing.T) {
	t.Parallel()
	a := testApp(t)
	f := newProtocolFixture(t, a)
	cases := f.cases()
	for _, rt := range a.server.API.Routes() {
		if !rt.IfMatch {
			continue
		}
		key := rt.Method + " " + rt.Path
		c, ok := cases[key]
		if !ok {
			t.Errorf("%s requires If-Match but has no case here: add one", key)
			continue
		}
		delete(cases, key)
		path := httpserver.APIPrefix + rt.Path
		for name, value := range c.params {
			path = strings.Replace(path, ":"+name, value, 1)
		}
		t.Run(key, func(t *testing.T) {
			before := f.version(c.table, c.id)
			for _, tc := range []struct {
				name, ifMatch string
				status        int
				code          string
			}{
				{"missing", "", http.StatusPreconditionRequired, "if_match_required"},
				{"naming no version", `"nonsense"`, http.StatusPreconditionFailed, "version_mismatch"},
				{"stale", httpserver.ETag(before + 1), http.StatusPreconditionFailed, "version_mismatch"},
			} {
				status, code, body := f.send(rt.Method, path, c.token, c.body, tc.ifMatch)
				if status != tc.status || code != tc.code {
					t.Errorf("%s If-Match: %d %s, want %d %s: %s", tc.name, status, code, tc.status, tc.code, body)
				}
			}
			if after := f.version(c.table, c.id); after != before {
				t.Errorf("version moved from %d to %d", before, after)
			}
		})
	}
	for key := range cases {
		t.Errorf("case %s names no If-Match route", key)
	}
}

// openAPIDoc is the part of the served document the protocol test reads.
type openAPIDoc struct {
	Paths map[string]map[string]struct {
		Parameters []struct {
			Name     string `json:"name"`
			In       string `json:"in"`
			Required bool   `json:"required"`
		} `json:"parameters"`
	} `json:"paths"`
}

func documentOf(t *testing.T, a *app) openAPIDoc {
	t.Helper()
	raw, err := json.Marshal(a.server.Doc)
	if err != nil {
		t.Fatal(err)
	}
	var d openAPIDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// headerRequired reports whether the route's operation has the header as a required parameter.
func (d openAPIDoc) headerRequired(rt httpserver.Route, header string) bool {
	op := d.Paths[httpserver.OpenAPIPath(httpserver.APIPrefix+rt.Path)][strings.ToLower(rt.Method)]
	for _, p := range op.Parameters {
		if p.In == "header" && strings.EqualFold(p.Name, header) {
			return p.Required
		}
	}
	return false
}

// protocolFixture is one resource of each versioned kind, in the scope of one user of each role.
type protocolFixture struct {
	t    *testing.T
	a    *app
	db   *gorm.DB
	now  time.Time
	tok  map[actor.Role]string
	ids  map[string]uuid.UUID
	prim uuid.UUID
}

func newProtocolFixture(t *testing.T, a *app) *protocolFixture {
	t.Helper()
	f := &protocolFixture{t: t, a: a, db: a.db.Gorm, now: time.Now().UTC(), tok: map[actor.Role]string{}, ids: map[string]uuid.UUID{}}
	f.prim = factory.Supplier(t, f.db, factory.SupplierOpts{})
	f.ids["other_supplier"] = factory.Supplier(t, f.db, factory.SupplierOpts{})
	f.ids["contract"] = factory.Contract(t, f.db, factory.ContractOpts{Prime: f.prim, Region: "J"})
	pp := f.user(actor.RolePractitioner, nil, "J")
	supplierUser := f.user(actor.RoleSupplier, &f.prim)
	commissioner := f.user(actor.RoleCommissioner, nil, "J")
	f.user(actor.RoleAdmin, nil)
	f.ids["supplier_user"] = supplierUser
	f.ids["commissioner"] = commissioner
	today := calendar.Today(f.now)
	factory.Referrals(t, f.db, f.ids["contract"], factory.ReferralOpts{SentOn: today, Practitioner: pp})
	factory.Referrals(t, f.db, f.ids["contract"], factory.ReferralOpts{Draft: true, Practitioner: pp})
	f.ids["referral"] = f.one(`SELECT id FROM referrals WHERE contract_id = ? AND status <> 'DRAFT'`, f.ids["contract"])
	f.ids["draft"] = f.one(`SELECT id FROM referrals WHERE contract_id = ? AND status = 'DRAFT'`, f.ids["contract"])
	f.ids["request"] = ids.New()
	f.exec(`INSERT INTO payment_requests (id, contract_id, region_code, kind, period, amount_pence, invoice_reference, status,
		submitted_by, submitted_at, valid_at, version, created_at, updated_at)
		VALUES (?, ?, 'J', 'MONTHLY', ?, 100000, 'INV-1', 'SUBMITTED', ?, ?, ?, 1, ?, ?)`,
		f.ids["request"], f.ids["contract"], today.FirstOfMonth().AddDays(-1).FirstOfMonth(), supplierUser, f.now, f.now, f.now, f.now)
	f.ids["recovery"] = ids.New()
	f.exec(`INSERT INTO recoveries (id, contract_id, region_code, year_number, amount_pence, status, recorded_at, version)
		VALUES (?, ?, 'J', 1, 5000, 'OUTSTANDING', ?, 1)`, f.ids["recovery"], f.ids["contract"], f.now)
	f.exec(`INSERT INTO contract_subcontractors (id, contract_id, supplier_id, added_on) VALUES (?, ?, ?, ?)`,
		ids.New(), f.ids["contract"], f.ids["other_supplier"], today)
	return f
}

// user inserts an active user of the role and keeps its token; it returns the user's id.
func (f *protocolFixture) user(role actor.Role, supplier *uuid.UUID, regions ...string) uuid.UUID {
	f.t.Helper()
	id := ids.New()
	if regions == nil {
		regions = []string{}
	}
	f.exec(`INSERT INTO users (id, email, display_name, password_hash, role, supplier_id, regions, active, version, created_at, updated_at)
		VALUES (?, ?, ?, 'x', ?, ?, ?, true, 1, ?, ?)`, id, string(role)+"-"+id.String()[24:]+"@example.org", "Protocol "+string(role),
		string(role), supplier, pq.StringArray(regions), f.now, f.now)
	iss, err := f.a.auth.IssueToken(context.Background(), id, auth.TokenAPI)
	if err != nil {
		f.t.Fatalf("issue token: %v", err)
	}
	f.tok[role] = iss.Value
	return id
}

func (f *protocolFixture) exec(sql string, args ...any) {
	f.t.Helper()
	if err := f.db.Exec(sql, args...).Error; err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *protocolFixture) one(sql string, args ...any) uuid.UUID {
	f.t.Helper()
	var id uuid.UUID
	if err := f.db.Raw(sql, args...).Row().Scan(&id); err != nil || id == uuid.Nil {
		f.t.Fatalf("%s: %v (%s)", sql, err, id)
	}
	return id
}

// version reads the version of a row.
func (f *protocolFixture) version(table string, id uuid.UUID) int {
	f.t.Helper()
	var v int
	if err := f.db.Raw(`SELECT version FROM `+table+` WHERE id = ?`, id).Row().Scan(&v); err != nil || v < 1 {
		f.t.Fatalf("version of %s %s: %v", table, id, err)
	}
	return v
}

// send sends a JSON request through the app's server and returns the status, the problem code and
// the body.
func (f *protocolFixture) send(method, path, token string, body any, ifMatch string) (int, string, string) {
	f.t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			f.t.Fatal(err)
		}
		r = strings.NewReader(string(raw))
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	rec := httptest.NewRecorder()
	f.a.server.Echo.ServeHTTP(rec, req)
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &p)
	return rec.Code, p.Code, rec.Body.String()
}

// protocolCase is one If-Match route's request: who sends it, to which resource (its table and id,
// whose version must not move), with which path parameters and a body its handler accepts.
type protocolCase struct {
	token  string
	table  string
	id     uuid.UUID
	params map[string]string
	body   any
}

func (f *protocolFixture) cases() map[string]protocolCase {
	admin, comm, pp, sup := f.tok[actor.RoleAdmin], f.tok[actor.RoleCommissioner], f.tok[actor.RolePractitioner], f.tok[actor.RoleSupplier]
	contract := map[string]string{"id": f.ids["contract"].String(), "n": "1", "supplier_id": f.ids["other_supplier"].String()}
	referral := map[string]string{"id": f.ids["referral"].String(), "plan_id": ids.New().String(), "appointment_id": ids.New().String()}
	draft := map[string]string{"id": f.ids["draft"].String()}
	request := map[string]string{"id": f.ids["request"].String()}
	starts := f.now.Add(48 * time.Hour).Truncate(time.Hour).Format(time.RFC3339)
	slot := map[string]any{"starts_at": starts, "duration_minutes": 60, "method": "PHONE"}
	onContract := func(tok string, body any) protocolCase {
		return protocolCase{token: tok, table: "contracts", id: f.ids["contract"], params: contract, body: body}
	}
	onReferral := func(tok string, body any) protocolCase {
		return protocolCase{token: tok, table: "referrals", id: f.ids["referral"], params: referral, body: body}
	}
	onDraft := func(body any) protocolCase {
		return protocolCase{token: pp, table: "referrals", id: f.ids["draft"], params: draft, body: body}
	}
	onRequest := func(tok string, body any) protocolCase {
		return protocolCase{token: tok, table: "payment_requests", id: f.ids["request"], params: request, body: body}
	}
	return map[string]protocolCase{
		"PATCH /suppliers/:id": {token: admin, table: "suppliers", id: f.prim, params: map[string]string{"id": f.prim.String()},
			body: map[string]any{"trading_name": "Renamed"}},
		"POST /suppliers/:id/status": {token: admin, table: "suppliers", id: f.prim, params: map[string]string{"id": f.prim.String()},
			body: map[string]any{"status": "suspended", "reason": "audit"}},
		"PATCH /users/:id": {token: admin, table: "users", id: f.ids["commissioner"], params: map[string]string{"id": f.ids["commissioner"].String()},
			body: map[string]any{"display_name": "Renamed"}},

		"PATCH /contracts/:id":                              onContract(comm, map[string]any{"description": "changed"}),
		"POST /contracts/:id/subcontractors":                onContract(comm, map[string]any{"supplier_id": f.ids["other_supplier"].String()}),
		"DELETE /contracts/:id/subcontractors/:supplier_id": onContract(comm, map[string]any{"reason": "leaves"}),
		"PUT /contracts/:id/years/:n/bands": onContract(comm, map[string]any{"basis_band": 1,
			"bands": []map[string]any{{"number": 1, "low": 0, "high": 100, "annual_price_pence": 100000}}}),
		"POST /contracts/:id/years/:n/basis-band":     onContract(comm, map[string]any{"band_number": 1, "reason": "review"}),
		"POST /contracts/:id/years/:n/cap-variations": onContract(comm, map[string]any{"new_cap": 900, "reason": "demand"}),
		"PUT /contracts/:id/years/:n/pricing-inputs":  onContract(comm, map[string]any{"inputs": []any{}}),

		"PATCH /referrals/:id":                              onDraft(map[string]any{"risk_summary": "low"}),
		"DELETE /referrals/:id":                             onDraft(nil),
		"POST /referrals/:id/send":                          onDraft(nil),
		"POST /referrals/:id/withdraw":                      onReferral(pp, map[string]any{"reason_code": "MOV"}),
		"POST /referrals/:id/amendments":                    onReferral(pp, map[string]any{"reason": "new address", "access_needs": "none"}),
		"POST /referrals/:id/action-plans/:plan_id/approve": onReferral(pp, nil),
		"POST /referrals/:id/caseworker":                    onReferral(sup, map[string]any{"caseworker_id": f.ids["supplier_user"].String()}),
		"POST /referrals/:id/assessment":                    onReferral(sup, slot),
		"POST /referrals/:id/sessions":                      onReferral(sup, map[string]any{"session_number": 1, "starts_at": starts, "duration_minutes": 60, "method": "PHONE"}),
		"POST /referrals/:id/appointments/:appointment_id/reschedule": onReferral(sup, map[string]any{"starts_at": starts,
			"duration_minutes": 60, "method": "PHONE", "requested_by": "SUPPLIER", "reason": "illness"}),
		"POST /referrals/:id/appointments/:appointment_id/attendance": onReferral(sup, map[string]any{"attendance": "YES"}),
		"POST /referrals/:id/action-plans": onReferral(sup, map[string]any{"activities": []map[string]any{{"description": "weekly"}},
			"number_of_sessions": 4}),
		"POST /referrals/:id/end-of-service-report": onReferral(sup, map[string]any{"outcomes": []any{}}),

		"POST /payment-requests/:id/approve":   onRequest(comm, nil),
		"POST /payment-requests/:id/reject":    onRequest(comm, map[string]any{"reason": "not payable"}),
		"POST /payment-requests/:id/queries":   onRequest(comm, map[string]any{"message": "why?"}),
		"POST /payment-requests/:id/responses": onRequest(sup, map[string]any{"message": "because"}),
		"POST /payment-requests/:id/withdraw":  onRequest(sup, map[string]any{"reason": "mistake"}),
		"POST /payment-requests/:id/pay": onRequest(admin, map[string]any{"paid_on": calendar.Today(f.now).String(),
			"remittance_reference": "REM-1"}),
		"POST /recoveries/:id/settle": {token: admin, table: "recoveries", id: f.ids["recovery"],
			params: map[string]string{"id": f.ids["recovery"].String()}, body: map[string]any{"reference": "CN-1"}},
	}
}
