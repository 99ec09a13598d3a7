package payments

import (
	"fmt"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
)

// PricesOf turns a contract year's payment basis timeline into the price changes its entitlements
// follow. A year without a band table has none.
func PricesOf(y contracts.YearDetail) []PriceChange {
	tl := y.BasisTimeline()
	out := make([]PriceChange, 0, len(tl))
	for _, p := range tl {
		out = append(out, PriceChange{EffectiveFrom: p.From, AnnualPrice: p.Band.AnnualPrice})
	}
	return out
}

// ScheduleOf returns a contract year's monthly entitlements; ok is false for a year without a basis
// band (no band table yet), which is entitled to nothing.
func ScheduleOf(y contracts.YearDetail) (YearEntitlement, bool, error) {
	prices := PricesOf(y)
	if len(prices) == 0 {
		return YearEntitlement{Year: y.Year}, false, nil
	}
	e, err := MonthlyEntitlements(y.Year, prices)
	if err != nil {
		return YearEntitlement{}, false, fmt.Errorf("entitlements of year %d: %w", y.Number, err)
	}
	return e, true, nil
}

// Schedules returns the entitlements of every year of a contract that has a basis band.
func Schedules(c contracts.WithYears) ([]YearEntitlement, error) {
	var out []YearEntitlement
	for _, y := range c.Years {
		e, ok, err := ScheduleOf(y)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// MonthEntitlementOf returns a calendar month's entitlement, summed over the contract years that share
// it, and each year's part.
func MonthEntitlementOf(schedules []YearEntitlement, m calendar.Month) (money.Pence, map[int]money.Pence) {
	parts := map[int]money.Pence{}
	var total money.Pence
	for _, s := range schedules {
		for _, me := range s.Months {
			if me.Month == m {
				parts[s.Year.Number] += me.Amount
				total += me.Amount
			}
		}
	}
	return total, parts
}

// AttributeToYear returns the part of the amounts paid for calendar months that belongs to contract
// year n. A month wholly inside a year belongs to it; a month two years share is split in proportion
// to the years' parts of its entitlement, the earlier year's part rounded down and the later year
// taking the rest, so that the parts always add up to what was paid.
func AttributeToYear(schedules []YearEntitlement, paid map[calendar.Month]money.Pence, n int) money.Pence {
	var out money.Pence
	for m, amount := range paid {
		total, parts := MonthEntitlementOf(schedules, m)
		if _, ok := parts[n]; !ok {
			continue
		}
		if len(parts) == 1 || total == 0 {
			out += amount
			continue
		}
		earliest := n
		for yn := range parts {
			if yn < earliest {
				earliest = yn
			}
		}
		earlierShare := amount.MulDivFloor(int64(parts[earliest]), int64(total))
		if n == earliest {
			out += earlierShare
		} else {
			out += amount - earlierShare
		}
	}
	return out
}
