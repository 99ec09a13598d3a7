package volumes

import (
	"slices"
	"testing"

	"github.com/crsplatform/crs/contracts"
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

// exampleBands are DOMAIN's worked example: cap 850, basis band 3 in most cases.
func exampleBands() []contracts.Band {
	return []contracts.Band{
		{Number: 1, Low: 0, High: 400, AnnualPrice: money.Pounds(300000)},
		{Number: 2, Low: 401, High: 550, AnnualPrice: money.Pounds(380000)},
		{Number: 3, Low: 551, High: 700, AnnualPrice: money.Pounds(460000)},
		{Number: 4, Low: 701, High: 850, AnnualPrice: money.Pounds(540000)},
	}
}

func TestProjection(t *testing.T) {
	t.Parallel()
	full := contracts.Year{Number: 1, Start: date(t, "2025-04-01"), End: date(t, "2026-03-31"), Days: 365, FullDays: 365}
	part := contracts.Year{Number: 3, Start: date(t, "2027-04-01"), End: date(t, "2027-07-09"), PartYear: true, Days: 100, FullDays: 366}
	cases := []struct {
		name        string
		counted     int
		y           contracts.Year
		asOf        string
		wantProj    int
		wantElapsed int
		wantOK      bool
	}{
		{name: "before the year starts", counted: 0, y: full, asOf: "2025-03-31"},
		{name: "first day", counted: 3, y: full, asOf: "2025-04-01", wantElapsed: 1},
		{name: "day 14 has no projection", counted: 30, y: full, asOf: "2025-04-14", wantElapsed: 14},
		{name: "day 15 is the first projection", counted: 30, y: full, asOf: "2025-04-15", wantProj: 730, wantElapsed: 15, wantOK: true},
		// 300 x 365 / 183 = 598.36...
		{name: "half way, rounded down", counted: 300, y: full, asOf: "2025-09-30", wantProj: 598, wantElapsed: 183, wantOK: true},
		{name: "last day projects the count", counted: 612, y: full, asOf: "2026-03-31", wantProj: 612, wantElapsed: 365, wantOK: true},
		{name: "after the year, days stop at its end", counted: 612, y: full, asOf: "2026-06-30", wantProj: 612, wantElapsed: 365, wantOK: true},
		{name: "nothing counted", counted: 0, y: full, asOf: "2025-06-01", wantProj: 0, wantElapsed: 62, wantOK: true},
		// A part year of 100 days is projected to its own end: 40 x 100 / 50.
		{name: "part year", counted: 40, y: part, asOf: "2027-05-20", wantProj: 80, wantElapsed: 50, wantOK: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			proj, elapsed, ok := Projection(c.counted, c.y, date(t, c.asOf))
			if proj != c.wantProj || elapsed != c.wantElapsed || ok != c.wantOK {
				t.Errorf("Projection(%d, %s) = %d, %d, %v; want %d, %d, %v",
					c.counted, c.asOf, proj, elapsed, ok, c.wantProj, c.wantElapsed, c.wantOK)
			}
		})
	}
}

func TestStatusOf(t *testing.T) {
	t.Parallel()
	// DOMAIN worked example: basis band 3 (551-700), cap 850; 90 % of the cap is 765.
	cases := []struct {
		name      string
		basis     int
		projected int
		hasProj   bool
		counted   int
		cap       int
		want      Status
	}{
		{name: "projection inside the basis band", basis: 3, projected: 598, hasProj: true, counted: 300, cap: 850, want: StatusGreen},
		{name: "projection at the basis band's low", basis: 3, projected: 551, hasProj: true, counted: 300, cap: 850, want: StatusGreen},
		{name: "projection at the basis band's high", basis: 3, projected: 700, hasProj: true, counted: 300, cap: 850, want: StatusGreen},
		{name: "projection below the basis band", basis: 3, projected: 550, hasProj: true, counted: 200, cap: 850, want: StatusAmber},
		{name: "projection far below, in band 1", basis: 3, projected: 380, hasProj: true, counted: 150, cap: 850, want: StatusAmber},
		{name: "projection above the basis band", basis: 3, projected: 701, hasProj: true, counted: 400, cap: 850, want: StatusAmber},
		{name: "projection at the cap", basis: 3, projected: 850, hasProj: true, counted: 500, cap: 850, want: StatusAmber},
		{name: "projection over the cap", basis: 3, projected: 851, hasProj: true, counted: 500, cap: 850, want: StatusRed},
		{name: "counted at 90 % of the cap", basis: 3, projected: 780, hasProj: true, counted: 765, cap: 850, want: StatusRed},
		{name: "counted just under 90 % of the cap", basis: 3, projected: 780, hasProj: true, counted: 764, cap: 850, want: StatusAmber},
		{name: "90 % is RED even with the projection in band", basis: 4, projected: 800, hasProj: true, counted: 770, cap: 850, want: StatusRed},
		{name: "cap variation lifts the cap", basis: 3, projected: 900, hasProj: true, counted: 850, cap: 1000, want: StatusAmber},
		{name: "no projection, small count", basis: 3, hasProj: false, counted: 40, cap: 850, want: StatusGreen},
		{name: "no projection, count inside the basis band", basis: 3, hasProj: false, counted: 600, cap: 850, want: StatusGreen},
		{name: "no projection, count already above the basis band", basis: 3, hasProj: false, counted: 701, cap: 850, want: StatusAmber},
		{name: "no projection, count at 90 % of the cap", basis: 3, hasProj: false, counted: 765, cap: 850, want: StatusRed},
		{name: "no projection, count over a varied cap", basis: 1, hasProj: false, counted: 420, cap: 400, want: StatusRed},
		{name: "basis band 1 with nothing projected", basis: 1, projected: 0, hasProj: true, counted: 0, cap: 850, want: StatusGreen},
		{name: "unknown basis band with a projection", basis: 9, projected: 600, hasProj: true, counted: 300, cap: 850, want: StatusAmber},
		{name: "unknown basis band without a projection", basis: 9, hasProj: false, counted: 300, cap: 850, want: StatusGreen},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := StatusOf(exampleBands(), c.basis, c.projected, c.hasProj, c.counted, c.cap)
			if got != c.want {
				t.Errorf("StatusOf(basis %d, projected %d/%v, counted %d, cap %d) = %s, want %s",
					c.basis, c.projected, c.hasProj, c.counted, c.cap, got, c.want)
			}
		})
	}
}

func TestAlertsDue(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		status  Status
		counted int
		want    []AlertKind
	}{
		{name: "green", status: StatusGreen, counted: 300},
		{name: "amber", status: StatusAmber, counted: 500, want: []AlertKind{AlertAmber}},
		{name: "red on projection alone", status: StatusRed, counted: 500, want: []AlertKind{AlertRed}},
		{name: "red at 90 %", status: StatusRed, counted: 765, want: []AlertKind{AlertRed, AlertNinetyPercent}},
		{name: "cap reached", status: StatusRed, counted: 850, want: []AlertKind{AlertRed, AlertNinetyPercent, AlertCapReached}},
		{name: "over the cap", status: StatusRed, counted: 900, want: []AlertKind{AlertRed, AlertNinetyPercent, AlertCapReached}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := AlertsDue(c.status, c.counted, 850); !slices.Equal(got, c.want) {
				t.Errorf("AlertsDue(%s, %d, 850) = %v, want %v", c.status, c.counted, got, c.want)
			}
		})
	}
}
