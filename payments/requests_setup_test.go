package payments_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/factory"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/payments"
)

// payNow is the clock payment tests start at: Friday 6 March 2026, noon UTC. February 2026 is the
// last ended month.
var payNow = time.Date(2026, time.March, 6, 12, 0, 0, 0, time.UTC)

const requestsPath = httpserver.APIPrefix + "/payment-requests"

// payBundle is one payment test's server, clock and cast.
type payBundle struct {
	t     *testing.T
	env   *apitest.Env
	svc   *payments.Service
	clock *atomic.Pointer[time.Time]
	// prime holds the contracts; sub is a subcontractor on them; other an unrelated supplier.
	prime, sub, other uuid.UUID
	// contract is a region J contract from 1 April 2024 to 31 March 2027 with DOMAIN's worked example
	// bands and basis band 3 (£460,000 a year: £38,333.33 a month, £38,333.37 in March).
	contract                                               uuid.UUID
	admin, commJ, commK, primeUser, subUser, otherUser, pp apitest.User
}

func setupPayments(t *testing.T) *payBundle {
	t.Helper()
	env := apitest.New(t)
	clock := &atomic.Pointer[time.Time]{}
	start := payNow
	clock.Store(&start)
	// Only the payments service runs on the test clock; tokens keep real time.
	svc := payments.NewService(env.DB.Gorm, payments.Config{Inserter: env.Inserter, Now: func() time.Time { return *clock.Load() }})
	payments.Register(env.Server.API, payments.NewHandler(svc))
	db := env.DB.Gorm
	b := &payBundle{t: t, env: env, svc: svc, clock: clock}
	b.prime, b.sub, b.other = factory.Supplier(t, db, factory.SupplierOpts{}), factory.Supplier(t, db, factory.SupplierOpts{}),
		factory.Supplier(t, db, factory.SupplierOpts{})
	b.contract = b.newContract(factory.ContractOpts{})
	b.admin = env.Admin()
	b.commJ = env.NewUser(actor.RoleCommissioner, apitest.UserOpts{Regions: []string{"J"}})
	b.commK = env.NewUser(actor.RoleCommissioner, apitest.UserOpts{Regions: []string{"K"}})
	b.primeUser = env.NewUser(actor.RoleSupplier, apitest.UserOpts{SupplierID: b.prime})
	b.subUser = env.NewUser(actor.RoleSupplier, apitest.UserOpts{SupplierID: b.sub})
	b.otherUser = env.NewUser(actor.RoleSupplier, apitest.UserOpts{SupplierID: b.other})
	b.pp = env.NewUser(actor.RolePractitioner, apitest.UserOpts{Regions: []string{"J"}})
	return b
}

// newContract inserts a contract of the prime (defaults: region J, 1 April 2024 to 31 March 2027,
// the worked example's bands) with the bundle's subcontractor in its supply chain.
func (b *payBundle) newContract(o factory.ContractOpts) uuid.UUID {
	b.t.Helper()
	if o.Prime == uuid.Nil {
		o.Prime = b.prime
	}
	if o.Start.IsZero() {
		o.Start, o.End = calendar.NewDate(2024, 4, 1), calendar.NewDate(2027, 3, 31)
	}
	id := factory.Contract(b.t, b.env.DB.Gorm, o)
	if err := b.env.DB.Gorm.Exec(`INSERT INTO contract_subcontractors (id, contract_id, supplier_id, added_on) VALUES (?, ?, ?, ?)`,
		ids.New(), id, b.sub, o.Start).Error; err != nil {
		b.t.Fatalf("add subcontractor: %v", err)
	}
	return id
}

func (b *payBundle) setNow(t time.Time) { b.clock.Store(&t) }

// requestJSON is a payment request as the API answers it.
type requestJSON struct {
	ID               uuid.UUID `json:"id"`
	ContractID       uuid.UUID `json:"contract_id"`
	Kind             string    `json:"kind"`
	Period           *string   `json:"period"`
	Year             *int      `json:"year"`
	AmountPence      int64     `json:"amount_pence"`
	Status           string    `json:"status"`
	Version          int       `json:"version"`
	Overdue          bool      `json:"overdue"`
	OverdueClock     *string   `json:"overdue_clock"`
	PaidOn           *string   `json:"paid_on"`
	PaymentDueOn     *string   `json:"payment_due_on"`
	ResponseDueOn    *string   `json:"response_due_on"`
	OverdueFlaggedAt *string   `json:"overdue_flagged_at"`
	Queries          int       `json:"queries"`
	RejectionReason  *string   `json:"rejection_reason"`
	Messages         []struct {
		Kind       string `json:"kind"`
		Body       string `json:"body"`
		AuthorRole string `json:"author_role"`
	} `json:"messages"`
	History []struct {
		From *string `json:"from_status"`
		To   string  `json:"to_status"`
		Note *string `json:"note"`
	} `json:"history"`
}

// monthly is a monthly request body.
func monthly(contract uuid.UUID, period string, amount int64) map[string]any {
	return map[string]any{"contract_id": contract, "period": period, "amount_pence": amount, "invoice_reference": "INV-" + period}
}

// submit posts a request body as the user.
func (b *payBundle) submit(u apitest.User, body map[string]any) *apitest.Response {
	b.t.Helper()
	return b.env.Post(u.Token, requestsPath, body)
}

// submitted submits a monthly request and returns it.
func (b *payBundle) submitted(contract uuid.UUID, period string, amount int64) requestJSON {
	b.t.Helper()
	var r requestJSON
	b.submit(b.primeUser, monthly(contract, period, amount)).Expect(http.StatusCreated).JSON(&r)
	return r
}

// act posts a state change with If-Match on the request's version.
func (b *payBundle) act(u apitest.User, r requestJSON, action string, body any) *apitest.Response {
	b.t.Helper()
	return b.env.Do(apitest.Request{Method: http.MethodPost, Path: requestsPath + "/" + r.ID.String() + "/" + action, Token: u.Token, Body: body,
		Headers: map[string]string{"If-Match": httpserver.ETag(r.Version)}})
}

// step applies a state change that must succeed and returns the changed request.
func (b *payBundle) step(u apitest.User, r requestJSON, action string, body any) requestJSON {
	b.t.Helper()
	var out requestJSON
	b.act(u, r, action, body).Expect(http.StatusOK).JSON(&out)
	return out
}

// inState returns a request of the contract's month brought into the status.
func (b *payBundle) inState(contract uuid.UUID, period string, amount int64, status string) requestJSON {
	b.t.Helper()
	r := b.submitted(contract, period, amount)
	query := map[string]any{"message": "Please send the attendance evidence."}
	switch status {
	case "SUBMITTED":
	case "QUERIED":
		r = b.step(b.commJ, r, "queries", query)
	case "RESPONDED":
		r = b.step(b.commJ, r, "queries", query)
		r = b.step(b.primeUser, r, "responses", map[string]any{"message": "Evidence attached to the invoice."})
	case "APPROVED":
		r = b.step(b.commJ, r, "approve", nil)
	case "PAID":
		r = b.step(b.commJ, r, "approve", nil)
		r = b.step(b.admin, r, "pay", map[string]any{"paid_on": calendar.Today(b.now()).String(), "remittance_reference": "REM-" + period})
	case "REJECTED":
		r = b.step(b.commJ, r, "reject", map[string]any{"reason": "Wrong invoice."})
	case "WITHDRAWN":
		r = b.step(b.primeUser, r, "withdraw", nil)
	default:
		b.t.Fatalf("no state %s", status)
	}
	if r.Status != status {
		b.t.Fatalf("request in %s, want %s", r.Status, status)
	}
	return r
}

func (b *payBundle) now() time.Time { return *b.clock.Load() }

// paid submits, approves and pays a month's request for the amount.
func (b *payBundle) paid(contract uuid.UUID, period string, amount int64) requestJSON {
	b.t.Helper()
	return b.inState(contract, period, amount, "PAID")
}

// scheduleJSON is the entitlements endpoint's answer.
type scheduleJSON struct {
	Year struct {
		Number int `json:"number"`
	} `json:"year"`
	ValuePence       int64 `json:"value_pence"`
	PaidPence        int64 `json:"paid_pence"`
	ApprovedPence    int64 `json:"approved_pence"`
	RequestedPence   int64 `json:"requested_pence"`
	PaidForYearPence int64 `json:"paid_for_year_pence"`
	Months           []struct {
		Month             string `json:"month"`
		BasisBand         int    `json:"basis_band"`
		AnnualPricePence  int64  `json:"annual_price_pence"`
		CoveredDays       int    `json:"covered_days"`
		ExactPence        string `json:"exact_pence"`
		ExactPenceDecimal string `json:"exact_pence_decimal"`
		AmountPence       int64  `json:"amount_pence"`
		AdjustmentPence   int64  `json:"adjustment_pence"`
		Shared            bool   `json:"shared"`
		OtherYears        []int  `json:"other_years"`
		MonthPence        int64  `json:"month_entitlement_pence"`
		RequestedPence    int64  `json:"requested_pence"`
		ApprovedPence     int64  `json:"approved_pence"`
		PaidPence         int64  `json:"paid_pence"`
		AvailablePence    int64  `json:"available_pence"`
	} `json:"months"`
}

func (b *payBundle) schedule(u apitest.User, contract uuid.UUID, year int) scheduleJSON {
	b.t.Helper()
	var s scheduleJSON
	path := fmt.Sprintf("%s/contracts/%s/entitlements", httpserver.APIPrefix, contract)
	if year > 0 {
		path += fmt.Sprintf("?year=%d", year)
	}
	b.env.Get(u.Token, path).Expect(http.StatusOK).JSON(&s)
	return s
}

// count runs a counting query.
func (b *payBundle) count(sql string, args ...any) int {
	b.t.Helper()
	var n int
	if err := b.env.DB.Gorm.Raw(sql, args...).Scan(&n).Error; err != nil {
		b.t.Fatalf("count: %v", err)
	}
	return n
}
