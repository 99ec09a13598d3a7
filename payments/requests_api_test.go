package payments_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/factory"
	"github.com/crsplatform/crs/internal/httpserver"
)

func TestSubmitMonthlyRequest(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	r := b.submitted(b.contract, "2026-02", 3833333)
	if r.Status != "SUBMITTED" || r.Version != 1 || r.Kind != "MONTHLY" || r.Period == nil || *r.Period != "2026-02" {
		t.Fatalf("submitted %+v", r)
	}
	if len(r.History) != 1 || r.History[0].From != nil || r.History[0].To != "SUBMITTED" {
		t.Errorf("history %+v", r.History)
	}
	// The region's commissioner hears of it in-app and by e-mail; the other region's does not.
	if n := b.count(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'payment_request_submitted'`, b.commJ.ID); n != 1 {
		t.Errorf("%d notifications to the region's commissioner", n)
	}
	if n := b.count(`SELECT count(*) FROM notifications WHERE user_id = ?`, b.commK.ID); n != 0 {
		t.Errorf("%d notifications to another region's commissioner", n)
	}
	if n := b.count(`SELECT count(*) FROM river_job WHERE kind = 'notify_email' AND args::text LIKE ?`, "%"+b.commJ.ID.String()+"%"); n != 1 {
		t.Errorf("%d e-mail jobs", n)
	}
	if n := b.count(`SELECT count(*) FROM audit_events WHERE entity_id = ? AND action = 'payment_request.submitted'`, r.ID); n != 1 {
		t.Errorf("%d audit records", n)
	}
	// The same body with the same Idempotency-Key replays the first answer.
	req := apitest.Request{Method: http.MethodPost, Path: requestsPath, Token: b.primeUser.Token, Body: monthly(b.contract, "2026-01", 3833333),
		Headers: map[string]string{httpserver.IdempotencyHeader: "k-2026-01"}}
	first := b.env.Do(req).Expect(http.StatusCreated)
	again := b.env.Do(req).Expect(http.StatusCreated)
	if again.Header.Get("Idempotent-Replayed") != "true" || string(first.Body) != string(again.Body) {
		t.Errorf("no replay: %s", again.Body)
	}
}

func TestSubmitRefusals(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	shared := b.newContract(factory.ContractOpts{Start: calendar.NewDate(2024, 6, 26), End: calendar.NewDate(2027, 6, 25)})
	// June 2025 is shared: CY1's 25 days (£38,333.33 x 25/30 = 3194444 plus CY1's remainder of 5p) and
	// CY2's 5 days (638888).
	juneWhole := int64(3194444 + 5 + 638888)
	cases := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		detail string
	}{
		{"month not ended", monthly(b.contract, "2026-03", 100), http.StatusBadRequest, "month_not_ended", ""},
		{"month after the contract", monthly(b.contract, "2027-04", 100), http.StatusBadRequest, "month_outside_contract", ""},
		{"month before the contract", monthly(b.contract, "2024-03", 100), http.StatusBadRequest, "month_outside_contract", ""},
		{"zero amount", monthly(b.contract, "2026-02", 0), http.StatusBadRequest, "amount_not_positive", ""},
		{"negative amount", monthly(b.contract, "2026-02", -5), http.StatusBadRequest, "amount_not_positive", ""},
		{"one penny above the entitlement", monthly(b.contract, "2026-02", 3833334), http.StatusBadRequest, "amount_exceeds_entitlement", "£38,333.33"},
		{"one penny above the March entitlement with the remainder", monthly(b.contract, "2025-03", 3833338), http.StatusBadRequest,
			"amount_exceeds_entitlement", "£38,333.37"},
		{"one penny above a shared month's two parts", monthly(shared, "2025-06", juneWhole+1), http.StatusBadRequest, "amount_exceeds_entitlement", ""},
		{"malformed period", monthly(b.contract, "2026-13", 100), http.StatusBadRequest, "invalid_period", ""},
		{"period not a month", monthly(b.contract, "2026-02-01", 100), http.StatusBadRequest, "invalid_period", ""},
		{"no period", map[string]any{"contract_id": b.contract, "amount_pence": 100, "invoice_reference": "X"}, http.StatusBadRequest, "invalid_period", ""},
		{"no invoice reference", map[string]any{"contract_id": b.contract, "period": "2026-02", "amount_pence": 100, "invoice_reference": "  "},
			http.StatusBadRequest, "invoice_reference_required", ""},
		{"unknown kind", map[string]any{"contract_id": b.contract, "kind": "WEEKLY", "period": "2026-02", "amount_pence": 100, "invoice_reference": "X"},
			http.StatusBadRequest, "invalid_kind", ""},
		{"unknown field", map[string]any{"contract_id": b.contract, "period": "2026-02", "amount_pence": 100, "invoice_reference": "X", "paid": true},
			http.StatusBadRequest, "unknown_field", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := b.submit(b.primeUser, c.body).ExpectProblem(c.status, c.code)
			if c.detail != "" && !strings.Contains(p.Detail, c.detail) {
				t.Errorf("detail %q does not state %s", p.Detail, c.detail)
			}
		})
	}
	// Exactly the shared month's two parts is accepted.
	b.submitted(shared, "2025-06", juneWhole)

	// On 31 March 2026 at 23:30 UTC it is already 1 April in London: March has ended.
	b.setNow(time.Date(2026, time.March, 31, 23, 30, 0, 0, time.UTC))
	b.submitted(b.contract, "2026-03", 3833337)
}

func TestOneLiveRequestPerMonth(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	r := b.submitted(b.contract, "2026-01", 1000)
	b.submit(b.primeUser, monthly(b.contract, "2026-01", 1000)).ExpectProblem(http.StatusConflict, "request_exists")
	r = b.step(b.commJ, r, "reject", map[string]any{"reason": "The invoice is for the wrong month."})
	// A rejected request can be replaced, for the whole entitlement.
	r2 := b.submitted(b.contract, "2026-01", 3833333)
	b.step(b.primeUser, r2, "withdraw", map[string]any{"reason": "Resubmitting with the right invoice."})
	r3 := b.submitted(b.contract, "2026-01", 3833333)
	b.inState(b.contract, "2025-12", 3833333, "PAID")
	b.submit(b.primeUser, monthly(b.contract, "2025-12", 1)).ExpectProblem(http.StatusConflict, "request_exists")
	if r.Status != "REJECTED" || r3.Status != "SUBMITTED" {
		t.Fatalf("statuses %s %s", r.Status, r3.Status)
	}
}

func TestConcurrentSubmissionsCreateOneRequest(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	const n = 20
	answers := make([]*apitest.Response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			answers[i] = b.env.Do(apitest.Request{Method: http.MethodPost, Path: requestsPath, Token: b.primeUser.Token,
				Body: monthly(b.contract, "2026-02", 3833333)})
		})
	}
	wg.Wait()
	created, refused := 0, 0
	for _, a := range answers {
		switch a.Status {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			var p httpserver.Problem
			if err := json.Unmarshal(a.Body, &p); err != nil || p.Code != "request_exists" {
				t.Errorf("409 with %s", a.Body)
			}
			refused++
		default:
			t.Errorf("answer %d: %s", a.Status, a.Body)
		}
	}
	if created != 1 || refused != n-1 {
		t.Errorf("%d created, %d refused; want 1 and %d", created, refused, n-1)
	}
	if got := b.count(`SELECT count(*) FROM payment_requests WHERE contract_id = ? AND period = '2026-02-01'`, b.contract); got != 1 {
		t.Errorf("%d requests stored", got)
	}
}

func TestReviewThreadAndHistory(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	r := b.submitted(b.contract, "2026-02", 3833333)
	r = b.step(b.commJ, r, "queries", map[string]any{"message": "Which invoice covers the second week?"})
	if r.Status != "QUERIED" || r.ResponseDueOn == nil || *r.ResponseDueOn != "2026-03-13" {
		t.Fatalf("queried %+v", r)
	}
	if n := b.count(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'payment_request_query'`, b.primeUser.ID); n != 1 {
		t.Errorf("%d notifications to the prime", n)
	}
	r = b.step(b.primeUser, r, "responses", map[string]any{"message": "INV-2026-02 covers the whole month."})
	r = b.step(b.admin, r, "queries", map[string]any{"message": "Please confirm the VAT treatment."})
	r = b.step(b.primeUser, r, "responses", map[string]any{"message": "No VAT is charged."})
	r = b.step(b.commJ, r, "approve", nil)
	if r.PaymentDueOn == nil || *r.PaymentDueOn != "2026-04-05" {
		t.Errorf("payment due %v, want 2026-04-05 (30 days from the last answer)", r.PaymentDueOn)
	}
	r = b.step(b.admin, r, "pay", map[string]any{"paid_on": "2026-03-06", "remittance_reference": "BACS-0042"})
	if r.Status != "PAID" || r.PaidOn == nil || *r.PaidOn != "2026-03-06" || r.Queries != 2 || r.Version != 7 {
		t.Fatalf("paid %+v", r)
	}
	var got requestJSON
	b.env.Get(b.primeUser.Token, requestsPath+"/"+r.ID.String()).Expect(http.StatusOK).JSON(&got)
	kinds := []string{}
	for _, m := range got.Messages {
		kinds = append(kinds, m.Kind+":"+m.AuthorRole)
	}
	if strings.Join(kinds, ",") != "QUERY:commissioner,RESPONSE:supplier,QUERY:admin,RESPONSE:supplier" {
		t.Errorf("thread %v", kinds)
	}
	steps := []string{}
	for _, e := range got.History {
		steps = append(steps, e.To)
	}
	if strings.Join(steps, ",") != "SUBMITTED,QUERIED,RESPONDED,QUERIED,RESPONDED,APPROVED,PAID" {
		t.Errorf("history %v", steps)
	}
	if n := b.count(`SELECT count(*) FROM audit_events WHERE entity_id = ?`, r.ID); n != 7 {
		t.Errorf("%d audit records, want 7", n)
	}
}

func TestIfMatchAndActionInputs(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	r := b.submitted(b.contract, "2026-02", 3833333)
	path := requestsPath + "/" + r.ID.String()
	b.env.Post(b.commJ.Token, path+"/approve", nil).ExpectProblem(http.StatusPreconditionRequired, "if_match_required")
	stale := r
	stale.Version = 9
	b.act(b.commJ, stale, "approve", nil).ExpectProblem(http.StatusPreconditionFailed, "version_mismatch")
	b.act(b.commJ, r, "reject", map[string]any{"reason": " "}).ExpectProblem(http.StatusBadRequest, "reason_required")
	b.act(b.commJ, r, "queries", map[string]any{"message": ""}).ExpectProblem(http.StatusBadRequest, "message_required")
	// Roles that see the request but may not take the action.
	b.act(b.primeUser, r, "approve", nil).ExpectProblem(http.StatusForbidden, "role_not_allowed")
	b.act(b.commJ, r, "withdraw", nil).ExpectProblem(http.StatusForbidden, "role_not_allowed")
	r = b.step(b.commJ, r, "approve", nil)
	b.act(b.commJ, r, "pay", map[string]any{"paid_on": "2026-03-06", "remittance_reference": "R"}).ExpectProblem(http.StatusForbidden, "role_not_allowed")
	b.act(b.admin, r, "pay", map[string]any{"paid_on": "2026-03-07", "remittance_reference": "R"}).ExpectProblem(http.StatusBadRequest, "paid_on_in_future")
	b.act(b.admin, r, "pay", map[string]any{"paid_on": "2026-03-05", "remittance_reference": "R"}).ExpectProblem(http.StatusBadRequest, "paid_on_before_approval")
	b.act(b.admin, r, "pay", map[string]any{"paid_on": "2026-03-06"}).ExpectProblem(http.StatusBadRequest, "remittance_reference_required")
	b.act(b.admin, r, "pay", map[string]any{"paid_on": "06/03/2026", "remittance_reference": "R"}).ExpectProblem(http.StatusBadRequest, "invalid_date")
	b.step(b.admin, r, "pay", map[string]any{"paid_on": "2026-03-06", "remittance_reference": "R"})
}

// TestEveryTransition tries every action on a request in every status: the allowed ones succeed, the
// others answer 409 invalid_transition naming the current status.
func TestEveryTransition(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	type act struct {
		name string
		who  apitest.User
		body any
	}
	actions := []act{
		{"queries", b.commJ, map[string]any{"message": "A question."}},
		{"responses", b.primeUser, map[string]any{"message": "An answer."}},
		{"approve", b.commJ, nil},
		{"reject", b.admin, map[string]any{"reason": "Not payable."}},
		{"withdraw", b.primeUser, nil},
		{"pay", b.admin, map[string]any{"paid_on": "2026-03-06", "remittance_reference": "REM-1"}},
	}
	allowed := map[string]map[string]string{
		"SUBMITTED": {"queries": "QUERIED", "approve": "APPROVED", "reject": "REJECTED", "withdraw": "WITHDRAWN"},
		"QUERIED":   {"responses": "RESPONDED", "reject": "REJECTED", "withdraw": "WITHDRAWN"},
		"RESPONDED": {"queries": "QUERIED", "approve": "APPROVED", "reject": "REJECTED", "withdraw": "WITHDRAWN"},
		"APPROVED":  {"pay": "PAID"},
		"PAID":      {}, "REJECTED": {}, "WITHDRAWN": {},
	}
	months := []string{"2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09"}
	for status, next := range allowed {
		contract := b.newContract(factory.ContractOpts{})
		for i, a := range actions {
			r := b.inState(contract, months[i], 100000, status)
			res := b.act(a.who, r, a.name, a.body)
			if want, ok := next[a.name]; ok {
				var got requestJSON
				res.Expect(http.StatusOK).JSON(&got)
				if got.Status != want {
					t.Errorf("%s + %s = %s, want %s", status, a.name, got.Status, want)
				}
				continue
			}
			p := res.ExpectProblem(http.StatusConflict, "invalid_transition")
			if !strings.Contains(p.Detail, status) {
				t.Errorf("%s + %s: detail %q does not name the status", status, a.name, p.Detail)
			}
		}
	}
}

// TestAuthorisationMatrix: subcontractors, unrelated suppliers and another region's commissioners
// get 404 on every request endpoint; practitioners 403; lists are scoped in SQL.
func TestAuthorisationMatrix(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	r := b.submitted(b.contract, "2026-02", 1000)
	approved := b.inState(b.contract, "2026-01", 1000, "APPROVED")
	kContract := b.newContract(factory.ContractOpts{Region: "K"})
	otherPrimes := b.newContract(factory.ContractOpts{Prime: b.other})
	b.submitted(kContract, "2026-02", 1000)
	var otherReq requestJSON
	b.env.Post(b.otherUser.Token, requestsPath, monthly(otherPrimes, "2026-02", 1000)).Expect(http.StatusCreated).JSON(&otherReq)

	outsiders := map[string]apitest.User{"subcontractor": b.subUser, "other supplier": b.otherUser, "region K commissioner": b.commK}
	for name, u := range outsiders {
		t.Run(name, func(t *testing.T) {
			b.env.Get(u.Token, requestsPath+"/"+r.ID.String()).ExpectProblem(http.StatusNotFound, "not_found")
			for _, a := range []string{"approve", "reject", "queries", "responses", "withdraw"} {
				b.act(u, r, a, map[string]any{}).ExpectProblem(http.StatusNotFound, "not_found")
			}
			b.act(u, approved, "pay", map[string]any{"paid_on": "2026-03-06", "remittance_reference": "X"}).ExpectProblem(http.StatusNotFound, "not_found")
			b.submit(u, monthly(b.contract, "2025-11", 1000)).ExpectProblem(http.StatusNotFound, "")
			for _, p := range []string{"/entitlements", "/years/1/settlement"} {
				b.env.Get(u.Token, httpserver.APIPrefix+"/contracts/"+b.contract.String()+p).ExpectProblem(http.StatusNotFound, "not_found")
			}
		})
	}
	// Commissioners and admins may not submit; practitioners may use none of it.
	b.submit(b.commJ, monthly(b.contract, "2025-11", 1000)).ExpectProblem(http.StatusForbidden, "role_not_allowed")
	b.env.Get(b.pp.Token, requestsPath).ExpectProblem(http.StatusForbidden, "role_not_allowed")
	b.env.Get(b.pp.Token, requestsPath+"/"+r.ID.String()).ExpectProblem(http.StatusForbidden, "role_not_allowed")
	b.env.Get(b.pp.Token, httpserver.APIPrefix+"/contracts/"+b.contract.String()+"/entitlements").ExpectProblem(http.StatusForbidden, "role_not_allowed")

	listed := func(u apitest.User, query string) int {
		var page struct {
			Items []requestJSON `json:"items"`
		}
		b.env.Get(u.Token, requestsPath+query).Expect(http.StatusOK).JSON(&page)
		return len(page.Items)
	}
	for _, c := range []struct {
		name string
		u    apitest.User
		want int
	}{{"prime", b.primeUser, 3}, {"subcontractor", b.subUser, 0}, {"other supplier as prime", b.otherUser, 1},
		{"region J commissioner", b.commJ, 3}, {"region K commissioner", b.commK, 1}, {"admin", b.admin, 4}} {
		if got := listed(c.u, ""); got != c.want {
			t.Errorf("%s lists %d requests, want %d", c.name, got, c.want)
		}
	}
	if got := listed(b.commJ, "?status=APPROVED"); got != 1 {
		t.Errorf("status filter: %d", got)
	}
	if got := listed(b.admin, "?period=2026-02&contract_id="+b.contract.String()); got != 1 {
		t.Errorf("period and contract filters: %d", got)
	}
	if got := listed(b.admin, "?kind=BALANCING"); got != 0 {
		t.Errorf("kind filter: %d", got)
	}
	b.env.Get(b.admin.Token, requestsPath+"?status=LOST").ExpectProblem(http.StatusBadRequest, "invalid_status")
}

func TestListPagination(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	for _, m := range []string{"2025-06", "2025-07", "2025-08", "2025-09", "2025-10"} {
		b.submitted(b.contract, m, 1000)
	}
	var seen []string
	cursor := ""
	for range 5 {
		var page struct {
			Items      []requestJSON `json:"items"`
			NextCursor *string       `json:"next_cursor"`
		}
		b.env.Get(b.primeUser.Token, requestsPath+"?limit=2&cursor="+cursor).Expect(http.StatusOK).JSON(&page)
		for _, r := range page.Items {
			seen = append(seen, *r.Period)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	if strings.Join(seen, ",") != "2025-10,2025-09,2025-08,2025-07,2025-06" {
		t.Errorf("pages %v, want newest first without repeats", seen)
	}
}
