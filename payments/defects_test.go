package payments_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/factory"
	"github.com/crsplatform/crs/internal/httpserver"
)

// A settlement read by anyone, admins and commissioners included, records nothing: no recovery, no
// audit record, no notification. The command records the recovery, once.
func TestSettlementReadNeverWrites(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	b.payYear() // no referrals: band 1, £300,000 against £460,000 paid
	writes := func() (recoveries, audits, notices int) {
		return b.count(`SELECT count(*) FROM recoveries`),
			b.count(`SELECT count(*) FROM audit_events WHERE entity_type = 'recovery'`),
			b.count(`SELECT count(*) FROM notifications WHERE kind = 'recovery_recorded'`)
	}
	for _, u := range []struct {
		name string
		s    settlementJSON
	}{{"admin", b.settlement(b.admin, b.contract, 1)}, {"commissioner", b.settlement(b.commJ, b.contract, 1)}} {
		if u.s.BalancePence != -16_000_000 || u.s.Outcome != "RECOVERY" || u.s.Recovery != nil {
			t.Errorf("%s reads %+v", u.name, u.s)
		}
	}
	if r, a, n := writes(); r != 0 || a != 0 || n != 0 {
		t.Fatalf("reading the settlement wrote %d recoveries, %d audit records, %d notifications", r, a, n)
	}

	record := settlementPath(b.contract, 1)
	b.env.Post(b.primeUser.Token, record, nil).ExpectProblem(http.StatusForbidden, "role_not_allowed")
	b.env.Post(b.commK.Token, record, nil).ExpectProblem(http.StatusNotFound, "not_found")
	b.env.Post(b.otherUser.Token, record, nil).ExpectProblem(http.StatusNotFound, "not_found")
	b.env.Post(b.commJ.Token, settlementPath(b.contract, 2), nil).ExpectProblem(http.StatusConflict, "year_not_ended")
	var s settlementJSON
	b.env.Post(b.commJ.Token, record, nil).Expect(http.StatusOK).JSON(&s)
	if s.Recovery == nil || s.Recovery.AmountPence != 16_000_000 || s.Recovery.Status != "OUTSTANDING" {
		t.Fatalf("recorded %+v", s.Recovery)
	}
	b.env.Post(b.admin.Token, record, nil).Expect(http.StatusOK).JSON(&s)
	if s.Recovery == nil || s.Recovery.Version != 1 {
		t.Errorf("recorded again %+v", s.Recovery)
	}
	if r, a, n := writes(); r != 1 || a != 1 || n != 2 {
		t.Errorf("after recording twice: %d recoveries, %d audit records, %d notifications; want 1, 1, 2 (prime and commissioner)", r, a, n)
	}
	if got := b.settlement(b.primeUser, b.contract, 1); got.Recovery == nil || got.Recovery.ID != s.Recovery.ID {
		t.Errorf("prime reads %+v", got.Recovery)
	}
}

// For an ended year, the contract volumes as at a day count only the payments made by that day, as
// the return's Reconciliation sheet does.
func TestContractVolumesAsOfCountsPaymentsMadeByThen(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	factory.Referrals(t, b.env.DB.Gorm, b.contract, factory.ReferralOpts{SentOn: calendar.NewDate(2024, 9, 2), Count: 380})
	// Eleven months paid on 6 March 2026, March 2025 a week later.
	for m := calendar.NewMonth(2024, 4); m.Before(calendar.NewMonth(2025, 3)); m = m.Next() {
		b.paid(b.contract, m.String(), 3833333)
	}
	b.setNow(time.Date(2026, time.March, 13, 12, 0, 0, 0, time.UTC))
	b.paid(b.contract, "2025-03", 3833337)
	paidAsOf := func(day string) int64 {
		t.Helper()
		var v struct {
			Current struct {
				CountedYTD int `json:"counted_ytd"`
				Binding    *struct {
					EntitlementsPaidPence int64 `json:"entitlements_paid_pence"`
					BalancePence          int64 `json:"balance_pence"`
				} `json:"binding"`
			} `json:"current"`
		}
		path := fmt.Sprintf("%s/contracts/%s/volumes?year=1&as_of=%s", httpserver.APIPrefix, b.contract, day)
		b.env.Get(b.admin.Token, path).Expect(http.StatusOK).JSON(&v)
		if v.Current.CountedYTD != 380 || v.Current.Binding == nil {
			t.Fatalf("as of %s: %+v", day, v.Current)
		}
		return v.Current.Binding.EntitlementsPaidPence
	}
	for _, c := range []struct {
		day  string
		want int64
	}{
		{"2025-06-30", 0},
		{"2026-03-05", 0},
		{"2026-03-06", 11 * 3833333},
		{"2026-03-12", 11 * 3833333},
		{"2026-03-13", 46_000_000},
	} {
		if got := paidAsOf(c.day); got != c.want {
			t.Errorf("paid as of %s = %d, want %d", c.day, got, c.want)
		}
	}
}

// The portfolio is paged in SQL within the caller's scope: a supplier user pages through their
// organisation's contracts one at a time, never seeing another prime's, and a status filter still
// fills its pages.
func TestPortfolioPagesWithinScope(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	b.newContract(factory.ContractOpts{Reference: "ACC-J-P2"})
	p3 := b.newContract(factory.ContractOpts{Reference: "acc-j-p3", Start: calendar.NewDate(2025, 4, 1), End: calendar.NewDate(2027, 3, 31)})
	b.newContract(factory.ContractOpts{Reference: "ACC-J-OTHER", Prime: b.other})
	b.newContract(factory.ContractOpts{Reference: "ACC-K-P4", Region: "K"})
	// 600 counted by 6 March 2026, day 340 of 365: projected 644, inside basis band 3 (GREEN); the
	// others count nothing and fall below it (AMBER).
	factory.Referrals(t, b.env.DB.Gorm, p3, factory.ReferralOpts{SentOn: calendar.NewDate(2025, 9, 1), Count: 600})
	var main string
	if err := b.env.DB.Gorm.Raw(`SELECT reference FROM contracts WHERE id = ?`, b.contract).Scan(&main).Error; err != nil {
		t.Fatal(err)
	}
	walk := func(token, query string) []string {
		t.Helper()
		var refs []string
		cursor := ""
		for range 10 {
			var page struct {
				Items []struct {
					Reference string `json:"contract_reference"`
				} `json:"items"`
				NextCursor *string `json:"next_cursor"`
			}
			path := httpserver.APIPrefix + "/volumes?limit=1" + query
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			b.env.Get(token, path).Expect(http.StatusOK).JSON(&page)
			for _, it := range page.Items {
				refs = append(refs, it.Reference)
			}
			if page.NextCursor == nil {
				return refs
			}
			cursor = *page.NextCursor
		}
		t.Fatalf("more than 10 pages: %v", refs)
		return nil
	}
	for _, c := range []struct {
		who   string
		token string
		query string
		want  []string
	}{
		{"the prime", b.primeUser.Token, "", []string{"ACC-J-P2", "acc-j-p3", "ACC-K-P4", main}},
		{"another supplier", b.otherUser.Token, "", []string{"ACC-J-OTHER"}},
		{"the subcontractor", b.subUser.Token, "", nil},
		{"commissioner J, GREEN", b.commJ.Token, "&status=GREEN", []string{"acc-j-p3"}},
		{"commissioner J, AMBER", b.commJ.Token, "&status=AMBER", []string{"ACC-J-OTHER", "ACC-J-P2", main}},
		{"commissioner J, region K", b.commJ.Token, "&region=K", nil},
		{"commissioner K", b.commK.Token, "", []string{"ACC-K-P4"}},
		{"admin, region K", b.admin.Token, "&region=K", []string{"ACC-K-P4"}},
	} {
		if got := walk(c.token, c.query); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s pages %v, want %v", c.who, got, c.want)
		}
	}
}
