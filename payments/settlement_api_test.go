package payments_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/factory"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/payments/volumes"
)

type settlementJSON struct {
	Year struct {
		Number int `json:"number"`
	} `json:"year"`
	CountedVolume         int           `json:"counted_volume"`
	BindingBand           int           `json:"binding_band"`
	Rule                  string        `json:"rule"`
	OverCapReferrals      int           `json:"over_cap_referrals"`
	PricePence            int64         `json:"price_pence"`
	EntitlementsPaidPence int64         `json:"entitlements_paid_pence"`
	BalancePence          int64         `json:"balance_pence"`
	Outcome               string        `json:"outcome"`
	BalancingRequests     []requestJSON `json:"balancing_requests"`
	Recovery              *recoveryJSON `json:"recovery"`
}

type recoveryJSON struct {
	ID                  uuid.UUID `json:"id"`
	Year                int       `json:"year"`
	AmountPence         int64     `json:"amount_pence"`
	Status              string    `json:"status"`
	SettlementReference *string   `json:"settlement_reference"`
	Version             int       `json:"version"`
}

func settlementPath(contract uuid.UUID, year int) string {
	return fmt.Sprintf("%s/contracts/%s/years/%d/settlement", httpserver.APIPrefix, contract, year)
}

func (b *payBundle) settlement(u apitest.User, contract uuid.UUID, year int) settlementJSON {
	b.t.Helper()
	var s settlementJSON
	b.env.Get(u.Token, settlementPath(contract, year)).Expect(http.StatusOK).JSON(&s)
	return s
}

// payYear pays every month of the main contract's CY1 (April 2024 to March 2025) its entitlement.
func (b *payBundle) payYear() {
	b.t.Helper()
	for m := calendar.NewMonth(2024, 4); m.Before(calendar.NewMonth(2025, 3)); m = m.Next() {
		b.paid(b.contract, m.String(), 3833333)
	}
	b.paid(b.contract, "2025-03", 3833337)
}

func balancing(contract uuid.UUID, year int, amount int64) map[string]any {
	return map[string]any{"contract_id": contract, "kind": "BALANCING", "year": year, "amount_pence": amount, "invoice_reference": "BAL-1"}
}

func TestSettlementRecordsARecovery(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	b.env.Get(b.admin.Token, settlementPath(b.contract, 2)).ExpectProblem(http.StatusConflict, "year_not_ended")
	b.env.Get(b.admin.Token, settlementPath(b.contract, 7)).ExpectProblem(http.StatusNotFound, "not_found")
	// DOMAIN's example: 380 counted referrals bind band 1 (£300,000); £460,000 paid: -£160,000.
	factory.Referrals(t, b.env.DB.Gorm, b.contract, factory.ReferralOpts{SentOn: calendar.NewDate(2024, 9, 2), Count: 380})
	b.payYear()
	// The figures are read by anyone in scope; nothing is recorded until a commissioner, an admin or
	// the job records the settlement.
	s := b.settlement(b.primeUser, b.contract, 1)
	if s.CountedVolume != 380 || s.BindingBand != 1 || s.Rule != volumes.RuleWithinBand || s.PricePence != 30_000_000 ||
		s.EntitlementsPaidPence != 46_000_000 || s.BalancePence != -16_000_000 || s.Outcome != "RECOVERY" || s.Recovery != nil {
		t.Fatalf("settlement %+v", s)
	}
	b.env.Post(b.commJ.Token, settlementPath(b.contract, 1), nil).Expect(http.StatusOK).JSON(&s)
	if s.Recovery == nil || s.Recovery.AmountPence != 16_000_000 || s.Recovery.Status != "OUTSTANDING" {
		t.Fatalf("recovery %+v", s.Recovery)
	}
	again := b.settlement(b.admin, b.contract, 1)
	if again.Recovery == nil || again.Recovery.ID != s.Recovery.ID || again.Recovery.Version != 1 {
		t.Errorf("second computation %+v", again.Recovery)
	}
	if n := b.count(`SELECT count(*) FROM recoveries WHERE contract_id = ?`, b.contract); n != 1 {
		t.Errorf("%d recoveries", n)
	}
	if n := b.count(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'recovery_recorded'`, b.primeUser.ID); n != 1 {
		t.Errorf("%d notifications to the prime", n)
	}
	// No balancing payment is due.
	b.submit(b.primeUser, balancing(b.contract, 1, 1)).ExpectProblem(http.StatusBadRequest, "no_balance_due")

	// Lists are scoped; only admins settle, once.
	var page struct {
		Items []recoveryJSON `json:"items"`
	}
	for _, c := range []struct {
		u    apitest.User
		want int
	}{{b.primeUser, 1}, {b.commJ, 1}, {b.admin, 1}, {b.subUser, 0}, {b.otherUser, 0}, {b.commK, 0}} {
		b.env.Get(c.u.Token, httpserver.APIPrefix+"/recoveries").Expect(http.StatusOK).JSON(&page)
		if len(page.Items) != c.want {
			t.Errorf("%s lists %d recoveries, want %d", c.u.Email, len(page.Items), c.want)
		}
	}
	b.env.Get(b.pp.Token, httpserver.APIPrefix+"/recoveries").ExpectProblem(http.StatusForbidden, "role_not_allowed")
	settle := httpserver.APIPrefix + "/recoveries/" + s.Recovery.ID.String() + "/settle"
	v := s.Recovery.Version
	b.env.Post(b.admin.Token, settle, map[string]any{"reference": "X"}).ExpectProblem(http.StatusPreconditionRequired, "if_match_required")
	b.env.Send(http.MethodPost, settle, b.admin.Token, map[string]any{"reference": "X"}, v+1).ExpectProblem(http.StatusPreconditionFailed, "version_mismatch")
	b.env.Send(http.MethodPost, settle, b.subUser.Token, map[string]any{"reference": "X"}, v).ExpectProblem(http.StatusNotFound, "not_found")
	b.env.Send(http.MethodPost, settle, b.commJ.Token, map[string]any{"reference": "X"}, v).ExpectProblem(http.StatusForbidden, "role_not_allowed")
	b.env.Send(http.MethodPost, settle, b.admin.Token, map[string]any{"reference": ""}, v).ExpectProblem(http.StatusBadRequest, "reference_required")
	var rec recoveryJSON
	b.env.Send(http.MethodPost, settle, b.admin.Token, map[string]any{"reference": "CREDIT-NOTE-17"}, v).Expect(http.StatusOK).JSON(&rec)
	v++
	if rec.Status != "SETTLED" || rec.SettlementReference == nil || *rec.SettlementReference != "CREDIT-NOTE-17" {
		t.Errorf("settled %+v", rec)
	}
	b.env.Send(http.MethodPost, settle, b.admin.Token, map[string]any{"reference": "AGAIN"}, v).ExpectProblem(http.StatusConflict, "invalid_transition")
	b.env.Get(b.admin.Token, httpserver.APIPrefix+"/recoveries?status=OUTSTANDING").Expect(http.StatusOK).JSON(&page)
	if len(page.Items) != 0 {
		t.Errorf("%d outstanding after settling", len(page.Items))
	}
}

func TestBalancingRequest(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	// 900 counted: band 4 (£540,000), 50 over the cap; £460,000 paid: +£80,000 due.
	factory.Referrals(t, b.env.DB.Gorm, b.contract, factory.ReferralOpts{SentOn: calendar.NewDate(2024, 11, 4), Count: 900})
	b.submit(b.primeUser, balancing(b.contract, 2, 100)).ExpectProblem(http.StatusBadRequest, "year_not_ended")
	b.payYear()
	s := b.settlement(b.admin, b.contract, 1)
	if s.BindingBand != 4 || s.Rule != volumes.RuleAboveCap || s.OverCapReferrals != 50 || s.BalancePence != 8_000_000 ||
		s.Outcome != "BALANCING_PAYMENT_DUE" || s.Recovery != nil {
		t.Fatalf("settlement %+v", s)
	}
	b.submit(b.primeUser, balancing(b.contract, 1, 7_999_999)).ExpectProblem(http.StatusBadRequest, "amount_must_equal_balance")
	b.submit(b.primeUser, balancing(b.contract, 1, 8_000_001)).ExpectProblem(http.StatusBadRequest, "amount_must_equal_balance")
	b.submit(b.primeUser, map[string]any{"contract_id": b.contract, "kind": "BALANCING", "period": "2025-03", "amount_pence": 1,
		"invoice_reference": "X"}).ExpectProblem(http.StatusBadRequest, "period_not_allowed")
	var r requestJSON
	b.submit(b.primeUser, balancing(b.contract, 1, 8_000_000)).Expect(http.StatusCreated).JSON(&r)
	if r.Kind != "BALANCING" || r.Year == nil || *r.Year != 1 || r.Period != nil {
		t.Fatalf("balancing request %+v", r)
	}
	b.submit(b.primeUser, balancing(b.contract, 1, 8_000_000)).ExpectProblem(http.StatusConflict, "request_exists")
	r = b.step(b.commJ, r, "approve", nil)
	r = b.step(b.admin, r, "pay", map[string]any{"paid_on": "2026-03-06", "remittance_reference": "BAL-REM"})
	s = b.settlement(b.primeUser, b.contract, 1)
	// A balancing payment is not an entitlement: the balance stays, and the request is shown.
	if s.BalancePence != 8_000_000 || len(s.BalancingRequests) != 1 || s.BalancingRequests[0].Status != "PAID" {
		t.Errorf("after payment %+v", s)
	}
	b.submit(b.primeUser, balancing(b.contract, 1, 8_000_000)).ExpectProblem(http.StatusConflict, "request_exists")
}

func TestSettleEndedYearsJob(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	b.payYear() // no referrals: band 1, £300,000 against £460,000 paid
	ctx := context.Background()
	recs, err := b.svc.SettleEndedYears(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].ContractID != b.contract || recs[0].YearNumber != 1 || recs[0].Amount != 16_000_000 {
		t.Fatalf("recoveries %+v", recs)
	}
	if recs, err = b.svc.SettleEndedYears(ctx); err != nil || len(recs) != 0 {
		t.Errorf("second run: %+v, %v", recs, err)
	}
	if n := b.count(`SELECT count(*) FROM audit_events WHERE action = 'recovery.recorded'`); n != 1 {
		t.Errorf("%d audit records", n)
	}
	s := b.settlement(b.primeUser, b.contract, 1)
	if s.Recovery == nil || s.Recovery.AmountPence != 16_000_000 {
		t.Errorf("recovery %+v", s.Recovery)
	}
}

func TestOverdueClocksAreFlaggedOnce(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	approved := b.inState(b.contract, "2026-01", 1000, "APPROVED")
	queried := b.inState(b.contract, "2026-02", 1000, "QUERIED") // raised on Friday 6 March: due Friday 13 March
	ctx := context.Background()
	overdue := func() []requestJSON {
		var page struct {
			Items []requestJSON `json:"items"`
		}
		b.env.Get(b.commJ.Token, requestsPath+"?overdue=true").Expect(http.StatusOK).JSON(&page)
		return page.Items
	}
	b.setNow(time.Date(2026, time.March, 13, 12, 0, 0, 0, time.UTC))
	if got := overdue(); len(got) != 0 {
		t.Fatalf("overdue on the due day: %+v", got)
	}
	if flagged, err := b.svc.FlagOverdueRequests(ctx); err != nil || len(flagged) != 0 {
		t.Fatalf("flagged %+v, %v", flagged, err)
	}
	b.setNow(time.Date(2026, time.March, 16, 9, 0, 0, 0, time.UTC))
	if got := overdue(); len(got) != 1 || got[0].ID != queried.ID || got[0].OverdueClock == nil || *got[0].OverdueClock != "QUERY_RESPONSE" {
		t.Fatalf("overdue on the next working day: %+v", got)
	}
	// Approved on 6 March: 30 days of terms end on 5 April.
	b.setNow(time.Date(2026, time.April, 6, 9, 0, 0, 0, time.UTC))
	got := overdue()
	if len(got) != 2 {
		t.Fatalf("%d overdue, want 2", len(got))
	}
	flagged, err := b.svc.FlagOverdueRequests(ctx)
	if err != nil || len(flagged) != 2 {
		t.Fatalf("flagged %+v, %v", flagged, err)
	}
	if again, err := b.svc.FlagOverdueRequests(ctx); err != nil || len(again) != 0 {
		t.Errorf("flagged again %+v, %v", again, err)
	}
	if n := b.count(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'payment_request_overdue'`, b.primeUser.ID); n != 2 {
		t.Errorf("prime told %d times", n)
	}
	if n := b.count(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'payment_request_overdue'`, b.admin.ID); n != 1 {
		t.Errorf("admin told %d times, want once (the payment)", n)
	}
	var detail requestJSON
	b.env.Get(b.admin.Token, requestsPath+"/"+approved.ID.String()).Expect(http.StatusOK).JSON(&detail)
	if !detail.Overdue || detail.OverdueFlaggedAt == nil {
		t.Errorf("approved request %+v", detail)
	}
	// Paying it ends the clock.
	b.step(b.admin, detail, "pay", map[string]any{"paid_on": "2026-04-06", "remittance_reference": "LATE-1"})
	if got := overdue(); len(got) != 1 {
		t.Errorf("%d overdue after paying", len(got))
	}
}
