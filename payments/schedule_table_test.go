package payments_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/payments"
)

func schedDate(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// schedContract builds a contract from start to end with one band table a year (a single band at
// the price) and the basis changes given per year (year number -> dates and prices from then on).
func schedContract(t *testing.T, start, end string, price money.Pence, changes map[int][][2]any) contracts.WithYears {
	t.Helper()
	years, err := contracts.Years(schedDate(t, start), schedDate(t, end))
	if err != nil {
		t.Fatal(err)
	}
	c := contracts.WithYears{Contract: contracts.Contract{ID: uuid.New(), Reference: "SCHEDULE", Start: years[0].Start, End: years[len(years)-1].End}}
	for _, y := range years {
		bands := []contracts.Band{{Number: 1, Low: 0, High: 100, AnnualPrice: price}}
		history := []contracts.BasisChange{{ID: uuid.New(), BandNumber: 1, EffectiveFrom: y.Start}}
		for i, ch := range changes[y.Number] {
			bands = append(bands, contracts.Band{Number: i + 2, Low: 101 + 100*i, High: 200 + 100*i, AnnualPrice: ch[1].(money.Pence)})
			history = append(history, contracts.BasisChange{ID: uuid.New(), BandNumber: i + 2, EffectiveFrom: schedDate(t, ch[0].(string))})
		}
		c.Years = append(c.Years, contracts.YearDetail{Year: y, Bands: bands, BasisHistory: history})
	}
	return c
}

// TestSchedulesTable checks contracts of every shape: each year's months add up to its value, a
// month two years share is entitled to both parts, and paying every calendar month its whole
// entitlement attributes to each year exactly its value.
func TestSchedulesTable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		start, end  string
		price       money.Pence
		changes     map[int][][2]any
		wantValues  []money.Pence
		wantMonths  map[string]money.Pence // calendar month -> whole month's entitlement
		wantAdjusts map[string]money.Pence // calendar month -> first year's adjustment
	}{
		{name: "years from the 1st: the remainder goes to each year's last month",
			start: "2025-04-01", end: "2027-03-31", price: money.Pounds(460_000),
			wantValues:  []money.Pence{money.Pounds(460_000), money.Pounds(460_000)},
			wantMonths:  map[string]money.Pence{"2025-04": 3833333, "2026-03": 3833337, "2026-04": 3833333, "2027-03": 3833337},
			wantAdjusts: map[string]money.Pence{"2026-03": 4}},
		{name: "a leap day inside a complete year changes no month",
			start: "2023-06-01", end: "2024-05-31", price: money.Pounds(365_000),
			wantValues: []money.Pence{money.Pounds(365_000)},
			wantMonths: map[string]money.Pence{"2024-02": 3041666, "2024-05": 3041674}},
		{name: "years from the 26th share June: both parts",
			start: "2024-06-26", end: "2026-06-25", price: money.Pounds(730_000),
			wantValues: []money.Pence{money.Pounds(730_000), money.Pounds(730_000)},
			// June 2024: 5/30 of a twelfth; June 2025: 25/30 (+ CY1's remainder) + 5/30 of CY2.
			wantMonths: map[string]money.Pence{"2024-06": 1013888, "2025-06": 5069449 + 1013888, "2026-06": 5069449}},
		{name: "a part final year after a leap-day start",
			start: "2024-02-29", end: "2025-09-15", price: money.Pounds(500_000),
			// CY2 runs 1 March 2025 to 15 September 2025: 199 of 365 days.
			wantValues: []money.Pence{money.Pounds(500_000), money.Pounds(500_000).MulDivFloor(199, 365)}},
		{name: "the basis band changes from October in the second year",
			start: "2025-04-01", end: "2027-03-31", price: money.Pounds(460_000),
			changes:    map[int][][2]any{2: {{"2026-10-01", money.Pounds(540_000)}}},
			wantValues: []money.Pence{money.Pounds(460_000), money.Pounds(500_000)},
			wantMonths: map[string]money.Pence{"2026-09": 3833333, "2026-10": 4500000, "2027-03": 4500002}},
		{name: "two changes in a year shared with the next",
			start: "2025-06-26", end: "2027-06-25", price: money.Pounds(300_000),
			changes: map[int][][2]any{1: {{"2025-09-01", money.Pounds(380_000)}, {"2026-02-01", money.Pounds(460_000)}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ct := schedContract(t, c.start, c.end, c.price, c.changes)
			schedules, err := payments.Schedules(ct)
			if err != nil {
				t.Fatal(err)
			}
			var total money.Pence
			for i, s := range schedules {
				var sum money.Pence
				for _, m := range s.Months {
					sum += m.Amount
					if m.Amount < 0 {
						t.Errorf("CY%d %v negative: %d", s.Year.Number, m.Month, m.Amount)
					}
				}
				if sum != s.Value {
					t.Errorf("CY%d months sum to %d, value %d", s.Year.Number, sum, s.Value)
				}
				if i < len(c.wantValues) && s.Value != c.wantValues[i] {
					t.Errorf("CY%d value %d, want %d", s.Year.Number, s.Value, c.wantValues[i])
				}
				total += s.Value
			}
			paid := map[calendar.Month]money.Pence{}
			var merged money.Pence
			for _, mt := range payments.MergeByCalendarMonth(monthsOf(schedules)...) {
				whole, parts := payments.MonthEntitlementOf(schedules, mt.Month)
				var sumParts money.Pence
				for _, p := range parts {
					sumParts += p
				}
				if whole != mt.Amount || sumParts != whole {
					t.Errorf("%v: MonthEntitlementOf %d (parts %d), merged %d", mt.Month, whole, sumParts, mt.Amount)
				}
				if want, ok := c.wantMonths[mt.Month.String()]; ok && whole != want {
					t.Errorf("%v: entitlement %d, want %d", mt.Month, whole, want)
				}
				paid[mt.Month] = whole
				merged += whole
			}
			if merged != total {
				t.Errorf("calendar months sum to %d, years to %d", merged, total)
			}
			for _, s := range schedules {
				if got := payments.AttributeToYear(schedules, paid, s.Year.Number); got != s.Value {
					t.Errorf("paying every month in full attributes %d to CY%d, want its value %d", got, s.Year.Number, s.Value)
				}
			}
			for month, want := range c.wantAdjusts {
				for _, m := range schedules[0].Months {
					if m.Month.String() == month && m.Adjustment != want {
						t.Errorf("%s adjustment %d, want %d", month, m.Adjustment, want)
					}
				}
			}
		})
	}
}

func monthsOf(schedules []payments.YearEntitlement) [][]payments.MonthEntitlement {
	out := make([][]payments.MonthEntitlement, len(schedules))
	for i, s := range schedules {
		out[i] = s.Months
	}
	return out
}

// TestSchedulesAttributeProperty checks over many contracts that paying every calendar month its
// whole entitlement attributes to each contract year exactly its value, to the penny.
func TestSchedulesAttributeProperty(t *testing.T) {
	t.Parallel()
	base := calendar.NewDate(2020, 1, 1)
	for i := range 400 {
		start := base.AddDays(i * 13)
		end := start.AddYears(2).AddDays(i%300 - 150)
		price := money.Pence(10_000_000 + int64(i)*7_919_191)
		var changes map[int][][2]any
		if i%3 == 0 {
			m := start.CalendarMonth().AddMonths(2 + i%9)
			changes = map[int][][2]any{1: {{m.First().String(), price + 12_345_678}}}
		}
		ct := schedContract(t, start.String(), end.String(), price, changes)
		schedules, err := payments.Schedules(ct)
		if err != nil {
			t.Fatal(err)
		}
		paid := map[calendar.Month]money.Pence{}
		for _, mt := range payments.MergeByCalendarMonth(monthsOf(schedules)...) {
			paid[mt.Month] = mt.Amount
		}
		for _, s := range schedules {
			if got := payments.AttributeToYear(schedules, paid, s.Year.Number); got != s.Value {
				t.Fatalf("%v..%v: CY%d attributed %d, value %d", start, end, s.Year.Number, got, s.Value)
			}
		}
	}
}
