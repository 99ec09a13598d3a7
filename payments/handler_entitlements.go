package payments

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/httpserver"
)

// exactDecimalPlaces is how many decimals of a penny exact amounts show.
const exactDecimalPlaces = 6

// ScheduleMonthResponse is one calendar month of a contract year's entitlement schedule. The amounts
// of this year's part are exact (a fraction of pence, and the same as a decimal rounded to 6 places)
// and rounded (amount_pence, which includes adjustment_pence, the year's rounding remainder). For a
// month another contract year shares, month_* are the whole month's entitlement: what a monthly
// request may claim. requested, approved and paid sum the month's monthly requests (whole months).
type ScheduleMonthResponse struct {
	Month                 string `json:"month"`
	BasisBand             int    `json:"basis_band"`
	AnnualPricePence      int64  `json:"annual_price_pence"`
	CoveredDays           int    `json:"covered_days"`
	DaysInMonth           int    `json:"days_in_month"`
	ExactPence            string `json:"exact_pence"`
	ExactPenceDecimal     string `json:"exact_pence_decimal"`
	AmountPence           int64  `json:"amount_pence"`
	AdjustmentPence       int64  `json:"adjustment_pence"`
	Shared                bool   `json:"shared"`
	OtherYears            []int  `json:"other_years"`
	MonthEntitlementPence int64  `json:"month_entitlement_pence"`
	MonthExactPence       string `json:"month_exact_pence"`
	RequestedPence        int64  `json:"requested_pence"`
	ApprovedPence         int64  `json:"approved_pence"`
	PaidPence             int64  `json:"paid_pence"`
	AvailablePence        int64  `json:"available_pence"`
}

// ScheduleResponse is a contract year's entitlement schedule.
type ScheduleResponse struct {
	ContractID        uuid.UUID               `json:"contract_id"`
	ContractReference string                  `json:"contract_reference"`
	Region            string                  `json:"region"`
	Year              YearResponse            `json:"year"`
	HasBasisBand      bool                    `json:"has_basis_band"`
	ValuePence        int64                   `json:"value_pence"`
	Months            []ScheduleMonthResponse `json:"months"`
	RequestedPence    int64                   `json:"requested_pence"`
	ApprovedPence     int64                   `json:"approved_pence"`
	PaidPence         int64                   `json:"paid_pence"`
	PaidForYearPence  int64                   `json:"paid_for_year_pence"`
}

// decimal formats an exact amount of pence with exactDecimalPlaces decimals, rounded half away from
// zero from the exact fraction.
func decimal(e ExactPence) string { return e.rat().FloatString(exactDecimalPlaces) }

func scheduleResponse(s EntitlementSchedule) ScheduleResponse {
	out := ScheduleResponse{ContractID: s.Contract.ID, ContractReference: s.Contract.Reference, Region: s.Contract.Area.RegionCode,
		Year:         YearResponse{Number: s.Year.Number, Start: s.Year.Start, End: s.Year.End, PartYear: s.Year.PartYear, Days: s.Year.Days},
		HasBasisBand: s.HasBasis, ValuePence: int64(s.Value), Months: make([]ScheduleMonthResponse, len(s.Lines)),
		RequestedPence: int64(s.Requested), ApprovedPence: int64(s.Approved), PaidPence: int64(s.Paid), PaidForYearPence: int64(s.PaidForYear)}
	for i, l := range s.Lines {
		out.Months[i] = ScheduleMonthResponse{Month: l.Month.String(), BasisBand: l.BasisBand, AnnualPricePence: int64(l.AnnualPrice),
			CoveredDays: l.CoveredDays, DaysInMonth: l.DaysInMonth, ExactPence: l.Exact.String(), ExactPenceDecimal: decimal(l.Exact),
			AmountPence: int64(l.Amount), AdjustmentPence: int64(l.Adjustment), Shared: len(l.OtherYears) > 0, OtherYears: l.OtherYears,
			MonthEntitlementPence: int64(l.MonthAmount), MonthExactPence: l.MonthExact.String(), RequestedPence: int64(l.Requested),
			ApprovedPence: int64(l.Approved), PaidPence: int64(l.Paid), AvailablePence: int64(l.Available)}
	}
	return out
}

func (h *Handler) entitlements(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	q := httpserver.NewQuery(c)
	year := q.Int("year")
	if year < 0 {
		q.Fail("year", "invalid_year", "year must be a contract year number, from 1")
	}
	if err := q.Err(); err != nil {
		return err
	}
	s, err := h.svc.Entitlements(httpserver.Ctx(c), httpserver.MustActor(c), id, year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, scheduleResponse(s))
}
