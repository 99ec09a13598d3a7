package payments

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
)

// PriceChange is the payment basis band's annual price in force from a date until the next change.
// A year's first price is in force from the year's start (or earlier); later ones, when a commissioner
// changes the basis band, from the first day of a month.
type PriceChange struct {
	EffectiveFrom calendar.Date
	AnnualPrice   money.Pence
}

// ExactPence is an exact amount of pence, Num / Den, kept as a fraction so that a month's entitlement
// can be shown and summed before it is rounded. The fractions this package returns have a positive Den
// and are in lowest terms; the zero value (Den 0) is zero pence.
type ExactPence struct {
	Num, Den int64
}

// Floor returns the amount rounded down to whole pence.
func (e ExactPence) Floor() money.Pence {
	return money.Pence(e.Num).MulDivFloor(1, e.denom())
}

// String formats the fraction in pence, "11500000/3", or "3833337" when it is whole.
func (e ExactPence) String() string {
	if e.denom() == 1 {
		return strconv.FormatInt(e.Num, 10)
	}
	return fmt.Sprintf("%d/%d", e.Num, e.Den)
}

func (e ExactPence) denom() int64 {
	if e.Den == 0 {
		return 1
	}
	return e.Den
}

func (e ExactPence) rat() *big.Rat { return big.NewRat(e.Num, e.denom()) }

// MonthEntitlement is a contract year's entitlement in one calendar month.
type MonthEntitlement struct {
	Month calendar.Month
	// CoveredDays is the number of the month's days inside the contract year.
	CoveredDays int
	DaysInMonth int
	// AnnualPrice is the basis band's annual price in force on the month's first day (for the year's
	// first month, on the year's first day).
	AnnualPrice money.Pence
	// Exact is AnnualPrice / 12 x CoveredDays / DaysInMonth, before rounding.
	Exact ExactPence
	// Amount is the entitlement: Exact rounded down, plus Adjustment.
	Amount money.Pence
	// Adjustment is the part of the year's rounding remainder this month carries: all of it in the
	// year's last month, unless that would make the month negative (see MonthlyEntitlements).
	Adjustment money.Pence
}

// YearEntitlement is a contract year's value and its split by calendar month.
type YearEntitlement struct {
	Year contracts.Year
	// Value is what the year's months add up to, exactly.
	Value money.Pence
	// Months are the calendar months the year covers, in order.
	Months []MonthEntitlement
}

// MonthlyEntitlements splits a contract year's value by calendar month.
//
// A month wholly inside the year gets annual price / 12; a month the year covers partly gets
// annual price / 12 x covered days / days in the month; each uses the price in force on its first day
// (for the year's first month, on the year's first day). Each amount is rounded down to whole pence
// and the remainder needed for the months to total the year's value exactly goes to the year's last
// month. Where the remainder is negative and larger than the last month's amount (a short part year
// ending early in a month), the last month is brought to zero and the rest taken from the months
// before it, latest first, so that no month is negative.
//
// The year's value is:
//   - with one price throughout, that price pro-rated (contracts.ProRate): the annual price for a
//     complete year, annual x days covered / full-year days for a part year, rounded down;
//   - with a change of price in a complete year, the sum of the months' exact amounts, rounded down;
//   - with a change of price in a part year, each day at the price in force on it pro-rated over the
//     full year's days: the sum of price x covered days over the months / full-year days, rounded down.
//     With one price this is the pro-rated value above; it keeps a part year paying for its days, not
//     for whole twelfths.
//
// It returns an invalid error for an inconsistent year (field "year", code "year_invalid") and for
// prices that are missing ("prices", prices_required; "prices[i].effective_from", required), not
// positive ("prices[i].annual_price_pence", price_not_positive), not in force on the year's first
// day ("prices[0].effective_from", price_not_in_force_at_start), out of order
// ("prices[i].effective_from", effective_from_not_ascending) or changing inside the year on another
// day than the first of a month (effective_from_not_first_of_month).
func MonthlyEntitlements(y contracts.Year, prices []PriceChange) (YearEntitlement, error) {
	if err := validatePrices(y, prices); err != nil {
		return YearEntitlement{}, err
	}

	var (
		months    []MonthEntitlement
		exactSum  = new(big.Rat)
		dayPriced money.Pence // sum of price x covered days, for a part year with a change
		changed   bool
	)
	for m := y.Start.CalendarMonth(); !m.After(y.End.CalendarMonth()); m = m.Next() {
		from, to := m.First(), m.Last()
		if from.Before(y.Start) {
			from = y.Start
		}
		if to.After(y.End) {
			to = y.End
		}
		covered := calendar.DaysBetweenInclusive(from, to)
		price := priceOn(prices, from)
		exact := newExact(int64(price)*int64(covered), 12*int64(m.Days()))
		months = append(months, MonthEntitlement{
			Month:       m,
			CoveredDays: covered,
			DaysInMonth: m.Days(),
			AnnualPrice: price,
			Exact:       exact,
			Amount:      exact.Floor(),
		})
		exactSum.Add(exactSum, exact.rat())
		dayPriced += price * money.Pence(covered)
		changed = changed || price != months[0].AnnualPrice
	}

	var value money.Pence
	switch {
	case !changed:
		value = contracts.ProRate(months[0].AnnualPrice, y)
	case y.PartYear:
		value = dayPriced.MulDivFloor(1, int64(y.FullDays))
	default:
		value = ratFloor(exactSum)
	}

	applyRemainder(months, value)
	return YearEntitlement{Year: y, Value: value, Months: months}, nil
}

// applyRemainder adds to the last month what the months' rounded amounts lack of value (or takes what
// they exceed it by), never leaving a month negative, and records each month's adjustment.
func applyRemainder(months []MonthEntitlement, value money.Pence) {
	var sum money.Pence
	for _, m := range months {
		sum += m.Amount
	}
	last := len(months) - 1
	months[last].Amount += value - sum
	for i := last; i > 0 && months[i].Amount < 0; i-- {
		months[i-1].Amount += months[i].Amount
		months[i].Amount = 0
	}
	for i := range months {
		months[i].Adjustment = months[i].Amount - months[i].Exact.Floor()
	}
}

func validatePrices(y contracts.Year, prices []PriceChange) error {
	var f apperr.Fields
	if y.Start.IsZero() || y.End.Before(y.Start) || y.FullDays <= 0 ||
		y.Days != calendar.DaysBetweenInclusive(y.Start, y.End) {
		f.Add("year", "year_invalid", "The contract year's dates and day counts do not agree.")
	}
	if len(prices) == 0 {
		f.Add("prices", "prices_required", "The contract year needs a payment basis band price.")
	}
	for i, p := range prices {
		path := fmt.Sprintf("prices[%d]", i)
		f.Check(p.AnnualPrice > 0, path+".annual_price_pence", "price_not_positive",
			"The annual price must be more than £0.00.")
		switch {
		case p.EffectiveFrom.IsZero():
			f.Add(path+".effective_from", "required", "Each price needs the date it takes effect from.")
		case i == 0:
			f.Check(!p.EffectiveFrom.After(y.Start), path+".effective_from", "price_not_in_force_at_start",
				fmt.Sprintf("The first price must be in force on the year's first day, %s.", y.Start))
		case !p.EffectiveFrom.After(prices[i-1].EffectiveFrom):
			f.Add(path+".effective_from", "effective_from_not_ascending",
				"Price changes must be in order of their effective dates, without repeats.")
		case y.Contains(p.EffectiveFrom) && p.EffectiveFrom != y.Start && p.EffectiveFrom.Day() != 1:
			f.Add(path+".effective_from", "effective_from_not_first_of_month",
				"A change of payment basis band takes effect from the first day of a month.")
		}
	}
	return f.Err("invalid entitlement inputs")
}

// priceOn returns the price in force on d: the last change effective on or before it. prices are
// validated: in order, the first in force from the year's start.
func priceOn(prices []PriceChange, d calendar.Date) money.Pence {
	price := prices[0].AnnualPrice
	for _, p := range prices[1:] {
		if p.EffectiveFrom.After(d) {
			break
		}
		price = p.AnnualPrice
	}
	return price
}

// MonthTotal is the entitlement of one calendar month across contract years: a month two years share
// has the sum of both parts.
type MonthTotal struct {
	Month calendar.Month
	// Amount is the sum of the parts' amounts.
	Amount money.Pence
	// Exact is the sum of the parts' exact amounts.
	Exact ExactPence
	// Parts are the month's entitlements from each contract year, in the order given.
	Parts []MonthEntitlement
}

// MergeByCalendarMonth combines the monthly entitlements of several contract years (usually one
// contract's consecutive years) into one entry per calendar month, in month order.
func MergeByCalendarMonth(years ...[]MonthEntitlement) []MonthTotal {
	index := make(map[calendar.Month]int)
	var totals []MonthTotal
	for _, months := range years {
		for _, m := range months {
			i, ok := index[m.Month]
			if !ok {
				i = len(totals)
				index[m.Month] = i
				totals = append(totals, MonthTotal{Month: m.Month, Exact: ExactPence{Den: 1}})
			}
			t := &totals[i]
			t.Amount += m.Amount
			t.Exact = t.Exact.add(m.Exact)
			t.Parts = append(t.Parts, m)
		}
	}
	slices.SortFunc(totals, func(a, b MonthTotal) int { return a.Month.Compare(b.Month) })
	return totals
}

func newExact(num, den int64) ExactPence {
	return exactFromRat(big.NewRat(num, den))
}

func (e ExactPence) add(other ExactPence) ExactPence {
	sum := new(big.Rat).Add(e.rat(), other.rat())
	return exactFromRat(sum)
}

// exactFromRat converts a fraction of the size entitlements produce (numerators within an annual
// price times a few hundred, denominators within 12 x 31 x 31) to an ExactPence.
func exactFromRat(r *big.Rat) ExactPence {
	return ExactPence{Num: r.Num().Int64(), Den: r.Denom().Int64()}
}

// ratFloor rounds a fraction of pence down to whole pence.
func ratFloor(r *big.Rat) money.Pence {
	q := new(big.Int)
	m := new(big.Int)
	q.DivMod(r.Num(), r.Denom(), m) // Euclidean division: floor for a positive denominator
	return money.Pence(q.Int64())
}
