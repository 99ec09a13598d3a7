package payments

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
)

// ScheduleLine is one calendar month of a contract year's entitlement schedule, with the monthly
// requests made against the month.
type ScheduleLine struct {
	// MonthEntitlement is this year's part of the month.
	MonthEntitlement
	// BasisBand is the number of the payment basis band whose price the month uses.
	BasisBand int
	// OtherYears are the other contract years sharing the month (none for most months).
	OtherYears []int
	// MonthAmount and MonthExact are the whole calendar month's entitlement, every year's part: what
	// a monthly request may claim.
	MonthAmount money.Pence
	MonthExact  ExactPence
	// Requested (live requests), Approved (approved or paid) and Paid sum the month's monthly requests.
	// Requests are for whole calendar months, so for a shared month they cover both years' parts.
	Requested, Approved, Paid money.Pence
	// Available is what a new request for the month may still claim: MonthAmount less Approved.
	Available money.Pence
}

// EntitlementSchedule is a contract year's monthly entitlements and what was requested against them.
type EntitlementSchedule struct {
	Contract contracts.Contract
	Year     contracts.Year
	// HasBasis is false for a year without a band table: it is entitled to nothing yet.
	HasBasis bool
	// Value is the year's value: its lines' amounts add up to it exactly.
	Value money.Pence
	Lines []ScheduleLine
	// Requested, Approved and Paid sum the lines (whole months).
	Requested, Approved, Paid money.Pence
	// PaidForYear is the part of the paid requests that belongs to this year (a shared month split
	// in proportion to the years' parts, AttributeToYear): what settlement counts as entitlements paid.
	PaidForYear money.Pence
}

// pickYear returns contract year n, or for n zero the year containing today (before the start, the
// first; after the end, the last). A year the contract does not have is not found.
func pickYear(c contracts.WithYears, n int, today calendar.Date) (contracts.YearDetail, error) {
	if n == 0 {
		if y, ok := c.YearOn(today); ok {
			return y, nil
		}
		if len(c.Years) > 0 {
			if today.Before(c.Start) {
				return c.Years[0], nil
			}
			return c.Years[len(c.Years)-1], nil
		}
	}
	if y, ok := yearOf(c, n); ok {
		return y, nil
	}
	return contracts.YearDetail{}, apperr.NotFound("contract year")
}

// Entitlements returns contract year n's entitlement schedule (n zero: the current year). Admins,
// commissioners of the contract's region and users of its prime may see it; for anyone else the
// contract is not found, and practitioners are forbidden.
func (s *Service) Entitlements(ctx context.Context, a actor.Actor, id uuid.UUID, n int) (EntitlementSchedule, error) {
	if _, err := requestScopeOf(a); err != nil {
		return EntitlementSchedule{}, err
	}
	c, err := s.scopedContract(ctx, a, id)
	if err != nil {
		return EntitlementSchedule{}, err
	}
	y, err := pickYear(c, n, s.Today())
	if err != nil {
		return EntitlementSchedule{}, err
	}
	out := EntitlementSchedule{Contract: c.Contract, Year: y.Year, Lines: []ScheduleLine{}}
	schedules, err := Schedules(c)
	if err != nil {
		return EntitlementSchedule{}, err
	}
	var this YearEntitlement
	for _, sc := range schedules {
		if sc.Year.Number == y.Number {
			this, out.HasBasis = sc, true
		}
	}
	if !out.HasBasis {
		return out, nil
	}
	sums, err := requestSumsByMonth(ctx, s.db, c.ID)
	if err != nil {
		return EntitlementSchedule{}, fmt.Errorf("entitlements of contract %s year %d: %w", c.ID, y.Number, err)
	}
	merged := map[calendar.Month]MonthTotal{}
	for _, t := range MergeByCalendarMonth(monthsOf(schedules)...) {
		merged[t.Month] = t
	}
	out.Value = this.Value
	paid := map[calendar.Month]money.Pence{}
	for _, m := range this.Months {
		total := merged[m.Month]
		line := ScheduleLine{MonthEntitlement: m, MonthAmount: total.Amount, MonthExact: total.Exact, OtherYears: otherYears(schedules, y.Number, m.Month)}
		from := m.Month.First()
		if from.Before(y.Start) {
			from = y.Start
		}
		if bp, ok := y.BasisOn(from); ok {
			line.BasisBand = bp.Band.Number
		}
		sum := sums[m.Month]
		line.Requested, line.Approved, line.Paid = sum.Requested, sum.Approved, sum.Paid
		line.Available = max(line.MonthAmount-line.Approved, 0)
		out.Requested += sum.Requested
		out.Approved += sum.Approved
		out.Paid += sum.Paid
		if sum.Paid != 0 {
			paid[m.Month] = sum.Paid
		}
		out.Lines = append(out.Lines, line)
	}
	out.PaidForYear = AttributeToYear(schedules, paid, y.Number)
	return out, nil
}

func monthsOf(schedules []YearEntitlement) [][]MonthEntitlement {
	out := make([][]MonthEntitlement, len(schedules))
	for i, s := range schedules {
		out[i] = s.Months
	}
	return out
}

// otherYears returns the numbers of the years other than n with a part of the month, in order.
func otherYears(schedules []YearEntitlement, n int, m calendar.Month) []int {
	out := []int{}
	for _, sc := range schedules {
		if sc.Year.Number == n {
			continue
		}
		for _, om := range sc.Months {
			if om.Month == m {
				out = append(out, sc.Year.Number)
				break
			}
		}
	}
	return out
}
