package contracts

import (
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
)

// Year is one contract year (CY) of a contract. Years run from the anniversaries of the contract's
// start date; the last one is a part year when the contract ends before it is complete.
type Year struct {
	// Number is the year's number, from 1.
	Number int
	// Start and End are the year's first and last days, both included.
	Start, End calendar.Date
	// PartYear reports whether the contract ends before this year is complete.
	PartYear bool
	// Days is the number of days the year covers, counted inclusively.
	Days int
	// FullDays is the number of days of the full contract year this year is part of (365 or 366);
	// it equals Days unless PartYear.
	FullDays int
}

// Contains reports whether d lies in the year.
func (y Year) Contains(d calendar.Date) bool {
	return !d.Before(y.Start) && !d.After(y.End)
}

// Years splits a contract running from start to end (its last day, including any extensions taken)
// into contract years. CY n starts on the (n-1)-th anniversary of start and ends the day before the
// next one; a start on 29 February has its anniversaries on 1 March in common years. Anniversaries are
// always taken from start itself, so such a contract returns to 29 February in leap years. When end
// falls before a year is complete, that last year is a part year.
//
// It returns an invalid error (field "start_date" or "end_date", code "required") for a zero date, and
// (field "end_date", code "end_before_start") when end is before start.
func Years(start, end calendar.Date) ([]Year, error) {
	var f apperr.Fields
	f.Check(!start.IsZero(), "start_date", "required", "The contract needs a start date.")
	f.Check(!end.IsZero(), "end_date", "required", "The contract needs an end date.")
	if !start.IsZero() && !end.IsZero() {
		f.Check(!end.Before(start), "end_date", "end_before_start", "The end date must not be before the start date.")
	}
	if err := f.Err("invalid contract dates"); err != nil {
		return nil, err
	}

	var years []Year
	for n := 1; ; n++ {
		first := start.AddYears(n - 1)
		if first.After(end) {
			return years, nil
		}
		fullEnd := start.AddYears(n).AddDays(-1)
		y := Year{
			Number:   n,
			Start:    first,
			End:      fullEnd,
			FullDays: calendar.DaysBetweenInclusive(first, fullEnd),
		}
		if end.Before(fullEnd) {
			y.End = end
			y.PartYear = true
		}
		y.Days = calendar.DaysBetweenInclusive(y.Start, y.End)
		years = append(years, y)
	}
}

// YearOn returns the contract year containing d, and false when d lies outside every year.
func YearOn(years []Year, d calendar.Date) (Year, bool) {
	for _, y := range years {
		if y.Contains(d) {
			return y, true
		}
	}
	return Year{}, false
}

// ProRate returns a year's value at an annual price: the annual price for a complete year, and for a
// part year annual x days covered / days of the full contract year, rounded down to whole pence.
func ProRate(annual money.Pence, y Year) money.Pence {
	if y.FullDays <= 0 {
		return 0
	}
	return annual.MulDivFloor(int64(y.Days), int64(y.FullDays))
}
