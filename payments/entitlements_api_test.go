package payments_test

import (
	"net/http"
	"testing"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/factory"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/ids"
)

func TestEntitlementSchedule(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	s := b.schedule(b.commJ, b.contract, 0) // the current year: CY2, April 2025 to March 2026
	if s.Year.Number != 2 || len(s.Months) != 12 || s.ValuePence != 46_000_000 {
		t.Fatalf("year %d, %d months, value %d", s.Year.Number, len(s.Months), s.ValuePence)
	}
	var sum int64
	for i, m := range s.Months {
		sum += m.AmountPence
		if m.BasisBand != 3 || m.AnnualPricePence != 46_000_000 || m.ExactPence != "11500000/3" || m.ExactPenceDecimal != "3833333.333333" ||
			m.MonthPence != m.AmountPence || m.Shared {
			t.Errorf("month %d: %+v", i, m)
		}
	}
	if last := s.Months[11]; last.Month != "2026-03" || last.AmountPence != 3833337 || last.AdjustmentPence != 4 {
		t.Errorf("last month %+v", last)
	}
	if sum != s.ValuePence {
		t.Errorf("months sum to %d, value %d", sum, s.ValuePence)
	}
	// The prime sees it too, for any year.
	if cy1 := b.schedule(b.primeUser, b.contract, 1); cy1.Year.Number != 1 || cy1.Months[0].Month != "2024-04" {
		t.Errorf("CY1 %+v", cy1.Year)
	}
	b.env.Get(b.admin.Token, httpserver.APIPrefix+"/contracts/"+b.contract.String()+"/entitlements?year=9").ExpectProblem(http.StatusNotFound, "not_found")
}

func TestEntitlementScheduleSharedMonthsAndRequests(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	shared := b.newContract(factory.ContractOpts{Start: calendar.NewDate(2024, 6, 26), End: calendar.NewDate(2027, 6, 25)})
	b.paid(shared, "2025-06", 3833337)
	b.inState(shared, "2025-07", 3833333, "APPROVED")
	b.inState(shared, "2025-08", 1000, "SUBMITTED")
	b.inState(shared, "2025-09", 3833333, "REJECTED")
	cy2 := b.schedule(b.primeUser, shared, 2)
	june := cy2.Months[0]
	if june.Month != "2025-06" || !june.Shared || len(june.OtherYears) != 1 || june.OtherYears[0] != 1 || june.CoveredDays != 5 ||
		june.AmountPence != 638888 || june.ExactPence != "5750000/9" || june.ExactPenceDecimal != "638888.888889" || june.MonthPence != 3833337 {
		t.Errorf("June 2025 in CY2: %+v", june)
	}
	if june.RequestedPence != 3833337 || june.ApprovedPence != 3833337 || june.PaidPence != 3833337 || june.AvailablePence != 0 {
		t.Errorf("June 2025 requests: %+v", june)
	}
	jul, aug, sep := cy2.Months[1], cy2.Months[2], cy2.Months[3]
	if jul.RequestedPence != 3833333 || jul.ApprovedPence != 3833333 || jul.PaidPence != 0 || jul.AvailablePence != 0 {
		t.Errorf("July: %+v", jul)
	}
	if aug.RequestedPence != 1000 || aug.ApprovedPence != 0 || aug.AvailablePence != 3833333 {
		t.Errorf("August: %+v", aug)
	}
	if sep.RequestedPence != 0 || sep.ApprovedPence != 0 {
		t.Errorf("a rejected request counts: %+v", sep)
	}
	// June's payment belongs 638,888 / 3,833,337 to CY2, the rest (3,194,449) to CY1.
	if cy2.PaidPence != 3833337 || cy2.PaidForYearPence != 638888 {
		t.Errorf("CY2 paid %d, for the year %d", cy2.PaidPence, cy2.PaidForYearPence)
	}
	cy1 := b.schedule(b.primeUser, shared, 1)
	if last := cy1.Months[len(cy1.Months)-1]; last.Month != "2025-06" || last.AmountPence != 3194449 || last.AdjustmentPence != 5 || last.MonthPence != 3833337 {
		t.Errorf("June 2025 in CY1: %+v", last)
	}
	if cy1.PaidForYearPence != 3194449 {
		t.Errorf("CY1 paid for the year %d", cy1.PaidForYearPence)
	}
}

func TestEntitlementsFollowABasisBandChange(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	// Band 4 (£540,000) from 1 October 2025 in CY2.
	err := b.env.DB.Gorm.Exec(`INSERT INTO contract_basis_bands (id, contract_id, year_number, band_number, effective_from, reason, changed_at)
		VALUES (?, ?, 2, 4, '2025-10-01', 'demand above estimate', now())`, ids.New(), b.contract).Error
	if err != nil {
		t.Fatal(err)
	}
	s := b.schedule(b.admin, b.contract, 2)
	if s.ValuePence != 50_000_000 {
		t.Errorf("value %d, want £500,000 (six months at each price)", s.ValuePence)
	}
	if s.Months[5].BasisBand != 3 || s.Months[6].BasisBand != 4 || s.Months[6].AmountPence != 4_500_000 || s.Months[11].AmountPence != 4_500_002 {
		t.Errorf("around the change: %+v / %+v, last %+v", s.Months[5], s.Months[6], s.Months[11])
	}
	// The new price is what may be requested.
	b.submit(b.primeUser, monthly(b.contract, "2025-10", 4_500_001)).ExpectProblem(http.StatusBadRequest, "amount_exceeds_entitlement")
	b.submitted(b.contract, "2025-10", 4_500_000)
}

// TestMoneyAddsUpAcrossTheAPI pays a whole year month by month at the amounts the schedule shows and
// checks every total to the penny.
func TestMoneyAddsUpAcrossTheAPI(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	contract := b.newContract(factory.ContractOpts{Start: calendar.NewDate(2024, 6, 26), End: calendar.NewDate(2025, 12, 31),
		Bands: []factory.Band{{Low: 0, High: 1000, Price: 73_012_345}}})
	// CY1 is complete; CY2 a part year, 26 June to 31 December 2025, ends with its last month.
	var paidTotal int64
	seen := map[string]bool{}
	for _, year := range []int{1, 2} {
		for _, m := range b.schedule(b.primeUser, contract, year).Months {
			if seen[m.Month] {
				continue
			}
			seen[m.Month] = true
			b.paid(contract, m.Month, m.AvailablePence)
			paidTotal += m.AvailablePence
		}
	}
	var values int64
	for _, year := range []int{1, 2} {
		s := b.schedule(b.admin, contract, year)
		values += s.ValuePence
		if s.PaidForYearPence != s.ValuePence {
			t.Errorf("CY%d: paid for the year %d, value %d", year, s.PaidForYearPence, s.ValuePence)
		}
	}
	if paidTotal != values {
		t.Errorf("paid %d in all, the years are worth %d", paidTotal, values)
	}
	var stored int64
	if err := b.env.DB.Gorm.Raw(`SELECT sum(amount_pence) FROM payment_requests WHERE contract_id = ? AND status = 'PAID'`, contract).Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if stored != paidTotal {
		t.Errorf("stored %d, paid %d", stored, paidTotal)
	}
	// Settlement counts the same entitlements paid: with one band, each year's price is its value.
	for _, year := range []int{1, 2} {
		st := b.settlement(b.admin, contract, year)
		if st.EntitlementsPaidPence != st.PricePence || st.BalancePence != 0 || st.Outcome != "NONE" {
			t.Errorf("CY%d settlement %+v", year, st)
		}
	}
}
