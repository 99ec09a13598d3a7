package payments

import (
	"slices"
	"testing"

	"github.com/crsplatform/crs/internal/money"
)

// DOMAIN, "Payments": the remainder needed for a contract year to total its value goes to its last
// month; a negative remainder larger than the last month empties it and the rest is taken from the
// months before it, latest first, so that no month is negative.
func TestApplyRemainder(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name            string
		floors          []money.Pence
		value           money.Pence
		want, wantAdjst []money.Pence
	}{
		{"exact: nothing to add", []money.Pence{100, 100, 100}, 300, []money.Pence{100, 100, 100}, []money.Pence{0, 0, 0}},
		{"positive remainder to the last month", []money.Pence{3833333, 3833333, 3833333}, 11500003,
			[]money.Pence{3833333, 3833333, 3833337}, []money.Pence{0, 0, 4}},
		{"negative, within the last month", []money.Pence{100, 100, 100}, 250, []money.Pence{100, 100, 50}, []money.Pence{0, 0, -50}},
		{"negative, exactly the last month", []money.Pence{100, 100, 100}, 200, []money.Pence{100, 100, 0}, []money.Pence{0, 0, -100}},
		{"negative, larger than the last month: the month before gives the rest", []money.Pence{100, 50, 10}, 120,
			[]money.Pence{100, 20, 0}, []money.Pence{0, -30, -10}},
		{"negative, larger than the last two months: latest first", []money.Pence{100, 50, 10}, 40,
			[]money.Pence{40, 0, 0}, []money.Pence{-60, -50, -10}},
		{"one month", []money.Pence{500}, 480, []money.Pence{480}, []money.Pence{-20}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			months := make([]MonthEntitlement, len(c.floors))
			for i, f := range c.floors {
				months[i] = MonthEntitlement{Exact: newExact(int64(f), 1), Amount: f}
			}
			applyRemainder(months, c.value)
			got, adj := make([]money.Pence, len(months)), make([]money.Pence, len(months))
			for i, m := range months {
				got[i], adj[i] = m.Amount, m.Adjustment
			}
			if !slices.Equal(got, c.want) || !slices.Equal(adj, c.wantAdjst) {
				t.Errorf("amounts %v adjustments %v; want %v %v", got, adj, c.want, c.wantAdjst)
			}
		})
	}
}

// DOMAIN, "Payments": a part year whose basis band changes is valued day by day (each price x its
// days / the full year's days, summed, rounded down), not as the sum of the months' twelfths; when
// that leaves a negative remainder larger than the last month, the months before it give the rest.
func TestMonthlyEntitlementsPartYearChangeAndRemainder(t *testing.T) {
	t.Parallel()
	// A 60-day part year, 1 January to 1 March 2025 (full year 365 days): £365,000 in January, then
	// £730,000 from 1 February. Day by day: (36,500,000 x 31 + 73,000,000 x 29) / 365 = £89,000.00.
	// The months' twelfths (3,041,666 + 6,083,333 + 196,236 = 9,321,235) exceed it by 421,235: March
	// (196,236) goes to zero and February gives up the other 224,999.
	y := contractYears(t, "2025-01-01", "2025-03-01")[0]
	got := entitle(t, y, price(t, "2025-01-01", 365000), price(t, "2025-02-01", 730000))
	if got.Value != money.Pounds(89000) {
		t.Errorf("value = %v, want £89,000.00 (valued day by day)", got.Value)
	}
	checkMonths(t, got.Months, []wantMonth{
		{"2025-01", 31, 3041666},
		{"2025-02", 28, 6083333 - 224999},
		{"2025-03", 1, 0},
	})
	if got.Months[0].AnnualPrice != money.Pounds(365000) || got.Months[1].AnnualPrice != money.Pounds(730000) ||
		got.Months[2].AnnualPrice != money.Pounds(730000) {
		t.Errorf("prices %v %v %v", got.Months[0].AnnualPrice, got.Months[1].AnnualPrice, got.Months[2].AnnualPrice)
	}

	// The same part year at one price is the special case: the price pro-rated.
	one := entitle(t, y, price(t, "2025-01-01", 730000))
	if one.Value != money.Pounds(120000) {
		t.Errorf("one price: value = %v, want £120,000.00", one.Value)
	}
}
