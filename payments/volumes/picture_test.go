package volumes_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/payments/volumes"
)

// workedExampleYear is DOMAIN.md's worked example as a complete contract year from 1 April 2025 with
// payment basis band 3.
func workedExampleYear(t *testing.T) contracts.WithYears {
	t.Helper()
	start, end := calendar.NewDate(2025, 4, 1), calendar.NewDate(2026, 3, 31)
	years, err := contracts.Years(start, end)
	if err != nil {
		t.Fatal(err)
	}
	bands := []contracts.Band{
		{Number: 1, Low: 0, High: 400, AnnualPrice: money.Pounds(300_000)},
		{Number: 2, Low: 401, High: 550, AnnualPrice: money.Pounds(380_000)},
		{Number: 3, Low: 551, High: 700, AnnualPrice: money.Pounds(460_000)},
		{Number: 4, Low: 701, High: 850, AnnualPrice: money.Pounds(540_000)},
	}
	y := contracts.YearDetail{Year: years[0], Bands: bands,
		BasisHistory: []contracts.BasisChange{{ID: uuid.New(), BandNumber: 3, EffectiveFrom: start}}}
	c := contracts.WithYears{Contract: contracts.Contract{ID: uuid.New(), Reference: "WORKED-EXAMPLE", Start: start, End: end}, Years: []contracts.YearDetail{y}}
	return c
}

func TestBindingBandAndBalanceOfTheWorkedExample(t *testing.T) {
	t.Parallel()
	c := workedExampleYear(t)
	y := c.Years[0]
	paidInFull := money.Pounds(460_000) // twelve months at basis band 3
	afterYearEnd := y.End.AddDays(1)
	cases := []struct {
		counted     int
		band        int
		rule        string
		overCap     int
		price       money.Pence
		balance     money.Pence
		status      volumes.Status
		alertsAtEnd int
	}{
		{380, 1, volumes.RuleWithinBand, 0, money.Pounds(300_000), money.Pounds(-160_000), volumes.StatusAmber, 1},
		{600, 3, volumes.RuleWithinBand, 0, money.Pounds(460_000), 0, volumes.StatusGreen, 0},
		{900, 4, volumes.RuleAboveCap, 50, money.Pounds(540_000), money.Pounds(80_000), volumes.StatusRed, 3},
	}
	for _, tc := range cases {
		v := volumes.Volume{ContractID: c.ID, Total: tc.counted}
		p := volumes.Build(c, y, v, afterYearEnd, paidInFull)
		if p.Binding == nil {
			t.Fatalf("%d counted: no binding band after the year end", tc.counted)
		}
		b := *p.Binding
		if b.Band != tc.band || b.Rule != tc.rule || b.OverCap != tc.overCap || b.Price != tc.price || b.Balance != tc.balance || b.EntitlementsPaid != paidInFull {
			t.Errorf("%d counted: binding %+v, want band %d rule %q over-cap %d price %s balance %s", tc.counted, b, tc.band, tc.rule, tc.overCap, tc.price, tc.balance)
		}
		if p.Status != tc.status {
			t.Errorf("%d counted: status %s, want %s", tc.counted, p.Status, tc.status)
		}
		if len(p.AlertsDue) != tc.alertsAtEnd {
			t.Errorf("%d counted: alerts due %v", tc.counted, p.AlertsDue)
		}
	}
}

func TestPictureDuringTheYear(t *testing.T) {
	t.Parallel()
	c := workedExampleYear(t)
	y := c.Years[0]
	// 1 October 2025 is day 184 of 365: 330 counted project to 330 x 365 / 184 = 654 (band 3, GREEN).
	asOf := calendar.NewDate(2025, 10, 1)
	p := volumes.Build(c, y, volumes.Volume{Total: 330}, asOf, 0)
	if p.Projected == nil || *p.Projected != 654 || p.DaysElapsed != 184 || p.IndicatedBand != 3 || p.Status != volumes.StatusGreen {
		t.Fatalf("picture %+v", p)
	}
	if p.PercentOfCapBP != 3882 || p.BasisBand != 3 || p.BasisPrice != money.Pounds(460_000) || p.Binding != nil {
		t.Fatalf("picture %+v", p)
	}
	// 770 counted is 90.6% of the 850 cap: RED, with the 90% alert.
	p = volumes.Build(c, y, volumes.Volume{Total: 770}, asOf, 0)
	if p.Status != volumes.StatusRed || len(p.AlertsDue) != 2 || p.AlertsDue[1] != volumes.AlertNinetyPercent {
		t.Fatalf("picture %+v alerts %v", p, p.AlertsDue)
	}
	// In the first 14 days there is no projection.
	p = volumes.Build(c, y, volumes.Volume{Total: 20}, y.Start.AddDays(10), 0)
	if p.Projected != nil || p.Status != volumes.StatusGreen || p.IndicatedBand != 1 {
		t.Fatalf("early picture %+v", p)
	}
}
