package payments

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
)

func date(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

// contractYears returns the contract years of a contract running from start to end.
func contractYears(t *testing.T, start, end string) []contracts.Year {
	t.Helper()
	years, err := contracts.Years(date(t, start), date(t, end))
	if err != nil {
		t.Fatalf("Years(%s, %s): %v", start, end, err)
	}
	return years
}

// entitle returns the entitlements of year y at the given prices, failing the test on error and on
// a broken invariant (months summing to the value, none negative).
func entitle(t *testing.T, y contracts.Year, prices ...PriceChange) YearEntitlement {
	t.Helper()
	got, err := MonthlyEntitlements(y, prices)
	if err != nil {
		t.Fatalf("MonthlyEntitlements(CY%d %v..%v): %v", y.Number, y.Start, y.End, err)
	}
	checkInvariants(t, got)
	return got
}

func checkInvariants(t *testing.T, ye YearEntitlement) {
	t.Helper()
	var sum money.Pence
	days := 0
	for i, m := range ye.Months {
		if m.Amount < 0 {
			t.Errorf("%v: negative amount %d", m.Month, m.Amount)
		}
		if m.Amount-m.Adjustment != m.Exact.Floor() {
			t.Errorf("%v: amount %d - adjustment %d != floor of exact %v", m.Month, m.Amount, m.Adjustment, m.Exact)
		}
		if i > 0 && m.Month != ye.Months[i-1].Month.Next() {
			t.Errorf("months not consecutive: %v after %v", m.Month, ye.Months[i-1].Month)
		}
		sum += m.Amount
		days += m.CoveredDays
	}
	if sum != ye.Value {
		t.Errorf("months sum to %d, want the value %d", sum, ye.Value)
	}
	if days != ye.Year.Days {
		t.Errorf("months cover %d days, want %d", days, ye.Year.Days)
	}
}

func price(t *testing.T, from string, pounds int64) PriceChange {
	t.Helper()
	return PriceChange{EffectiveFrom: date(t, from), AnnualPrice: money.Pounds(pounds)}
}

type wantMonth struct {
	month   string
	covered int
	amount  money.Pence
}

func checkMonths(t *testing.T, got []MonthEntitlement, want []wantMonth) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d months, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Month.String() != w.month || g.CoveredDays != w.covered || g.Amount != w.amount {
			t.Errorf("month %d = %v %d days %d; want %s %d days %d", i, g.Month, g.CoveredDays, g.Amount, w.month, w.covered, w.amount)
		}
	}
}

func TestMonthlyEntitlementsDomainExample(t *testing.T) {
	t.Parallel()
	y := contractYears(t, "2025-04-01", "2026-03-31")[0]
	got := entitle(t, y, price(t, "2025-04-01", 460000))
	if got.Value != money.Pounds(460000) || len(got.Months) != 12 {
		t.Fatalf("value %v over %d months, want £460,000.00 over 12", got.Value, len(got.Months))
	}
	for _, m := range got.Months[:11] {
		if m.Amount != 3833333 || m.CoveredDays != m.DaysInMonth || m.Exact.String() != "11500000/3" {
			t.Errorf("%v = %v (exact %v), want £38,333.33 (11500000/3)", m.Month, m.Amount, m.Exact)
		}
	}
	last := got.Months[11]
	if last.Month.String() != "2026-03" || last.Amount != 3833337 || last.Adjustment != 4 {
		t.Errorf("last month %v = %v (adjustment %d), want 2026-03 £38,333.37 (4)", last.Month, last.Amount, last.Adjustment)
	}
}

func TestMonthlyEntitlementsPartMonths(t *testing.T) {
	t.Parallel()
	// DOMAIN's CY1 from 26 June 2021 at £730,000: June 2021 has 5 of 30 days, June 2022 25 of 30.
	y := contractYears(t, "2021-06-26", "2022-06-25")[0]
	got := entitle(t, y, price(t, "2021-06-26", 730000))
	if got.Value != money.Pounds(730000) {
		t.Errorf("value = %v, want £730,000.00", got.Value)
	}
	want := []wantMonth{{"2021-06", 5, 1013888}} // 73,000,000 x 5 / 360 = 1,013,888.9
	for m := calendar.NewMonth(2021, 7); m.Before(calendar.NewMonth(2022, 6)); m = m.Next() {
		want = append(want, wantMonth{m.String(), m.Days(), 6083333})
	}
	// 73,000,000 x 25 / 360 = 5,069,444.4, plus the remainder of 5p.
	want = append(want, wantMonth{"2022-06", 25, 5069449})
	checkMonths(t, got.Months, want)
	if got.Months[0].Exact.String() != "9125000/9" {
		t.Errorf("June 2021 exact = %v, want 9125000/9", got.Months[0].Exact)
	}
}

func TestMonthlyEntitlementsPartYear(t *testing.T) {
	t.Parallel()
	// CY3 of a contract from 26 June 2021 extended to 31 December 2023: 189 of 366 days.
	y := contractYears(t, "2021-06-26", "2023-12-31")[2]
	got := entitle(t, y, price(t, "2023-06-26", 460000))
	// 46,000,000 x 189 / 366 = 23,754,098.4: more than the months' twelfths (23,638,888.9), so the
	// last month takes the difference.
	if got.Value != 23754098 {
		t.Errorf("value = %d, want 23754098", got.Value)
	}
	checkMonths(t, got.Months, []wantMonth{
		{"2023-06", 5, 638888},
		{"2023-07", 31, 3833333}, {"2023-08", 31, 3833333}, {"2023-09", 30, 3833333},
		{"2023-10", 31, 3833333}, {"2023-11", 30, 3833333},
		{"2023-12", 31, 3833333 + 115212},
	})
}

func TestMonthlyEntitlementsNegativeRemainder(t *testing.T) {
	t.Parallel()
	// A part year of 60 days, 1 January to 1 March 2025, at £365,000 is worth £60,000.00; its
	// months' twelfths come to £61,814.50, so 181,450p must come off. March (1 day, 98,118p) goes to
	// zero and February gives up the other 83,332p.
	y := contractYears(t, "2025-01-01", "2025-03-01")[0]
	got := entitle(t, y, price(t, "2025-01-01", 365000))
	if got.Value != money.Pounds(60000) {
		t.Errorf("value = %v, want £60,000.00", got.Value)
	}
	checkMonths(t, got.Months, []wantMonth{
		{"2025-01", 31, 3041666},
		{"2025-02", 28, 3041666 - 83332},
		{"2025-03", 1, 0},
	})
	if got.Months[2].Adjustment != -98118 || got.Months[1].Adjustment != -83332 || got.Months[0].Adjustment != 0 {
		t.Errorf("adjustments = %d, %d, %d; want 0, -83332, -98118",
			got.Months[0].Adjustment, got.Months[1].Adjustment, got.Months[2].Adjustment)
	}
}

func TestMonthlyEntitlementsLeapDayStart(t *testing.T) {
	t.Parallel()
	years := contractYears(t, "2024-02-29", "2026-02-28")
	// CY1 29/02/2024 to 28/02/2025 covers 1 day of February 2024 and all of February 2025: its
	// twelfths exceed the annual price by 132,179p, which comes off the last month.
	cy1 := entitle(t, years[0], price(t, "2024-02-29", 460000))
	if cy1.Value != money.Pounds(460000) || len(cy1.Months) != 13 {
		t.Fatalf("CY1 value %v over %d months, want £460,000.00 over 13", cy1.Value, len(cy1.Months))
	}
	first, last := cy1.Months[0], cy1.Months[12]
	if first.Month.String() != "2024-02" || first.CoveredDays != 1 || first.DaysInMonth != 29 || first.Amount != 132183 {
		t.Errorf("first month = %+v, want 2024-02, 1 of 29 days, 132183", first)
	}
	if last.Month.String() != "2025-02" || last.Amount != 3833333-132179 || last.Adjustment != -132179 {
		t.Errorf("last month = %+v, want 2025-02, 3701154", last)
	}
	// CY2 runs 1 March 2025 to 28 February 2026: twelve whole months.
	cy2 := entitle(t, years[1], price(t, "2025-03-01", 460000))
	if len(cy2.Months) != 12 || cy2.Months[11].Amount != 3833337 {
		t.Errorf("CY2: %d months, last %v; want 12, £38,333.37", len(cy2.Months), cy2.Months[11].Amount)
	}
}

func TestMonthlyEntitlementsBasisBandChange(t *testing.T) {
	t.Parallel()
	t.Run("year from the 1st, band 3 to band 4 from October", func(t *testing.T) {
		t.Parallel()
		y := contractYears(t, "2025-04-01", "2026-03-31")[0]
		got := entitle(t, y, price(t, "2025-04-01", 460000), price(t, "2025-10-01", 540000))
		// 6 x 460,000/12 + 6 x 540,000/12 = £500,000 exactly.
		if got.Value != money.Pounds(500000) {
			t.Errorf("value = %v, want £500,000.00", got.Value)
		}
		for i, m := range got.Months {
			wantPrice, wantAmount := money.Pounds(460000), money.Pence(3833333)
			if i >= 6 {
				wantPrice, wantAmount = money.Pounds(540000), money.Pounds(45000)
			}
			if i == 11 {
				wantAmount += 2
			}
			if m.AnnualPrice != wantPrice || m.Amount != wantAmount {
				t.Errorf("%v: price %v amount %v; want %v %v", m.Month, m.AnnualPrice, m.Amount, wantPrice, wantAmount)
			}
		}
	})
	t.Run("mid-month year start, change from January", func(t *testing.T) {
		t.Parallel()
		y := contractYears(t, "2025-06-26", "2026-06-25")[0]
		got := entitle(t, y, price(t, "2025-06-26", 460000), price(t, "2026-01-01", 540000))
		// Sum of exact months: 46,000,000 x (5/30 + 6)/12 + 54,000,000 x (5 + 25/30)/12
		// = (46,000,000 x 37 + 54,000,000 x 35) / 72 = 49,888,888.9, rounded down.
		if got.Value != 49888888 {
			t.Errorf("value = %d, want 49888888", got.Value)
		}
		if got.Months[6].Month.String() != "2025-12" || got.Months[6].AnnualPrice != money.Pounds(460000) ||
			got.Months[7].AnnualPrice != money.Pounds(540000) {
			t.Errorf("prices around the change: %v %v, %v %v", got.Months[6].Month, got.Months[6].AnnualPrice,
				got.Months[7].Month, got.Months[7].AnnualPrice)
		}
	})
	t.Run("part year with a change is pro-rated by day", func(t *testing.T) {
		t.Parallel()
		y := contractYears(t, "2021-06-26", "2023-12-31")[2] // 26/06/2023 to 31/12/2023, full year 366 days
		got := entitle(t, y, price(t, "2023-06-26", 460000), price(t, "2023-10-01", 540000))
		// (46,000,000 x 97 days + 54,000,000 x 92 days) / 366 = 25,765,027.3
		if got.Value != 25765027 {
			t.Errorf("value = %d, want 25765027", got.Value)
		}
	})
	t.Run("a change to the same price is no change", func(t *testing.T) {
		t.Parallel()
		y := contractYears(t, "2025-02-15", "2026-02-14")[0]
		got := entitle(t, y, price(t, "2025-02-15", 460000), price(t, "2025-09-01", 460000))
		if got.Value != money.Pounds(460000) {
			t.Errorf("value = %v, want the annual price", got.Value)
		}
	})
	t.Run("a change before the year sets the first price, one after it is ignored", func(t *testing.T) {
		t.Parallel()
		y := contractYears(t, "2025-04-01", "2026-03-31")[0]
		got := entitle(t, y, price(t, "2024-04-01", 300000), price(t, "2025-01-01", 460000), price(t, "2026-05-01", 540000))
		if got.Value != money.Pounds(460000) || got.Months[0].AnnualPrice != money.Pounds(460000) {
			t.Errorf("value = %v, first price %v; want £460,000.00 throughout", got.Value, got.Months[0].AnnualPrice)
		}
	})
}

func TestMonthlyEntitlementsErrors(t *testing.T) {
	t.Parallel()
	y := contractYears(t, "2025-04-01", "2026-03-31")[0]
	cases := []struct {
		name   string
		y      contracts.Year
		prices []PriceChange
		want   []string
	}{
		{name: "no prices", y: y, want: []string{"prices prices_required"}},
		{name: "first price effective after the start", y: y, prices: []PriceChange{price(t, "2025-04-02", 460000)},
			want: []string{"prices[0].effective_from price_not_in_force_at_start"}},
		{name: "change in the middle of a month", y: y,
			prices: []PriceChange{price(t, "2025-04-01", 460000), price(t, "2025-10-15", 540000)},
			want:   []string{"prices[1].effective_from effective_from_not_first_of_month"}},
		{name: "changes out of order", y: y,
			prices: []PriceChange{price(t, "2025-04-01", 460000), price(t, "2025-10-01", 540000), price(t, "2025-10-01", 380000)},
			want:   []string{"prices[2].effective_from effective_from_not_ascending"}},
		{name: "price not positive and no date", y: y,
			prices: []PriceChange{{AnnualPrice: 0}},
			want:   []string{"prices[0].annual_price_pence price_not_positive", "prices[0].effective_from required"}},
		{name: "inconsistent year", y: contracts.Year{Number: 1, Start: y.Start, End: y.End, Days: 10, FullDays: 365},
			prices: []PriceChange{price(t, "2025-04-01", 460000)},
			want:   []string{"year year_invalid"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := MonthlyEntitlements(c.y, c.prices)
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.KindInvalid {
				t.Fatalf("err = %v, want an invalid apperr.Error", err)
			}
			if len(e.Fields) != len(c.want) {
				t.Fatalf("field errors = %+v, want %q", e.Fields, c.want)
			}
			for i, f := range e.Fields {
				if f.Field+" "+f.Code != c.want[i] {
					t.Errorf("field error %d = %s %s, want %s", i, f.Field, f.Code, c.want[i])
				}
			}
		})
	}
}

func TestMergeByCalendarMonth(t *testing.T) {
	t.Parallel()
	years := contractYears(t, "2021-06-26", "2023-06-25")
	cy1 := entitle(t, years[0], price(t, "2021-06-26", 730000))
	cy2 := entitle(t, years[1], price(t, "2022-06-26", 540000))
	got := MergeByCalendarMonth(cy2.Months, cy1.Months) // order of the arguments does not matter

	if len(got) != 25 {
		t.Fatalf("got %d months, want 25 (June 2021 to June 2023)", len(got))
	}
	var total money.Pence
	for i, m := range got {
		if i > 0 && m.Month != got[i-1].Month.Next() {
			t.Errorf("months out of order: %v after %v", m.Month, got[i-1].Month)
		}
		total += m.Amount
	}
	if total != cy1.Value+cy2.Value {
		t.Errorf("merged total %v, want %v", total, cy1.Value+cy2.Value)
	}

	june := got[12]
	if june.Month.String() != "2022-06" || len(june.Parts) != 2 {
		t.Fatalf("month 12 = %v with %d parts, want 2022-06 with 2", june.Month, len(june.Parts))
	}
	// CY1's last month (25 days at £730,000 with its remainder) plus CY2's first (5 days at £540,000).
	wantAmount := cy1.Months[12].Amount + cy2.Months[0].Amount
	if june.Amount != wantAmount || june.Amount != 5069449+750000 {
		t.Errorf("June 2022 = %d, want %d", june.Amount, wantAmount)
	}
	// 73,000,000 x 25/360 + 54,000,000 x 5/360 = 2,095,000,000/360 = 5,819,444 4/9.
	if june.Exact.String() != "52375000/9" {
		t.Errorf("June 2022 exact = %v, want 52375000/9", june.Exact)
	}
	if got[0].Amount != cy1.Months[0].Amount || len(got[0].Parts) != 1 {
		t.Errorf("June 2021 = %d with %d parts, want CY1's alone", got[0].Amount, len(got[0].Parts))
	}
	if MergeByCalendarMonth() != nil {
		t.Error("MergeByCalendarMonth() of nothing is not empty")
	}
}

func TestExactPence(t *testing.T) {
	t.Parallel()
	cases := []struct {
		e         ExactPence
		wantFloor money.Pence
		wantStr   string
	}{
		{ExactPence{}, 0, "0"},
		{newExact(46000000, 12), 3833333, "11500000/3"},
		{newExact(3833337, 1), 3833337, "3833337"},
		{newExact(-7, 2), -4, "-7/2"},
	}
	for _, c := range cases {
		if got := c.e.Floor(); got != c.wantFloor {
			t.Errorf("%v.Floor() = %d, want %d", c.e, got, c.wantFloor)
		}
		if got := c.e.String(); got != c.wantStr {
			t.Errorf("String() = %q, want %q", got, c.wantStr)
		}
	}
	if got := newExact(1, 3).add(newExact(1, 6)); got != (ExactPence{Num: 1, Den: 2}) {
		t.Errorf("1/3 + 1/6 = %v, want 1/2", got)
	}
}

// TestMonthlyEntitlementsProperties checks, over many random contract years, prices and basis band
// changes, that a year's months always add up to its value, that no month is negative, and that a
// year with one price is worth that price pro-rated.
func TestMonthlyEntitlementsProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(20260306, 1))
	base := calendar.NewDate(2020, 1, 1)
	for range 3000 {
		start := base.AddDays(rng.IntN(16 * 365))
		end := start.AddYears(1).AddDays(-1)
		if rng.IntN(3) == 0 {
			end = start.AddDays(rng.IntN(365)) // often a part year; sometimes the whole year
		}
		years, err := contracts.Years(start, end)
		if err != nil || len(years) != 1 {
			t.Fatalf("Years(%v, %v) = %v, %v", start, end, years, err)
		}
		y := years[0]

		prices := []PriceChange{{EffectiveFrom: start, AnnualPrice: money.Pence(1 + rng.Int64N(300_000_000))}}
		m := start.CalendarMonth()
		for rng.IntN(2) == 0 {
			m = m.AddMonths(1 + rng.IntN(4))
			if m.First().After(end) {
				break
			}
			prices = append(prices, PriceChange{EffectiveFrom: m.First(), AnnualPrice: money.Pence(1 + rng.Int64N(300_000_000))})
		}

		got, err := MonthlyEntitlements(y, prices)
		if err != nil {
			t.Fatalf("MonthlyEntitlements(%v..%v, %+v): %v", start, end, prices, err)
		}
		checkInvariants(t, got)

		exact := new(big.Rat)
		changed := false
		for _, me := range got.Months {
			exact.Add(exact, me.Exact.rat())
			changed = changed || me.AnnualPrice != got.Months[0].AnnualPrice
		}
		switch {
		case !changed:
			if want := contracts.ProRate(got.Months[0].AnnualPrice, y); got.Value != want {
				t.Errorf("%v..%v one price: value %d, want %d", start, end, got.Value, want)
			}
		case !y.PartYear:
			if want := ratFloor(exact); got.Value != want {
				t.Errorf("%v..%v with a change: value %d, want the exact sum %d", start, end, got.Value, want)
			}
		default:
			// Day by day at the price in force on each day, over the full year's days.
			var dayPriced money.Pence
			for d := start; !d.After(end); d = d.AddDays(1) {
				inForce := prices[0].AnnualPrice
				for _, p := range prices {
					if !p.EffectiveFrom.After(d) {
						inForce = p.AnnualPrice
					}
				}
				dayPriced += inForce
			}
			if want := dayPriced.MulDivFloor(1, int64(y.FullDays)); got.Value != want {
				t.Errorf("%v..%v part year with a change: value %d, want %d", start, end, got.Value, want)
			}
		}
		if t.Failed() {
			t.Fatalf("failed for %v..%v with prices %+v", start, end, prices)
		}
	}
}
