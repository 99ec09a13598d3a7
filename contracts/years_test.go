package contracts

import (
	"testing"

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

// requireFieldErrors fails unless err is an invalid apperr.Error whose field errors are exactly want
// ("field code" pairs, in order).
func requireFieldErrors(t *testing.T, err error, want ...string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindInvalid {
		t.Fatalf("err = %v, want an invalid apperr.Error", err)
	}
	var got []string
	for _, f := range e.Fields {
		if f.Message == "" {
			t.Errorf("field error %s %s has no message", f.Field, f.Code)
		}
		got = append(got, f.Field+" "+f.Code)
	}
	if len(got) != len(want) {
		t.Fatalf("field errors = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("field errors = %q, want %q", got, want)
		}
	}
}

func TestYears(t *testing.T) {
	t.Parallel()
	type want struct {
		start, end string
		part       bool
		days, full int
	}
	cases := []struct {
		name       string
		start, end string
		want       []want
	}{
		{
			name:  "DOMAIN example: two complete years from 26 June 2021",
			start: "2021-06-26", end: "2023-06-25",
			want: []want{
				{"2021-06-26", "2022-06-25", false, 365, 365},
				{"2022-06-26", "2023-06-25", false, 365, 365},
			},
		},
		{
			name:  "extension ending mid-year gives a part year",
			start: "2021-06-26", end: "2023-12-31",
			want: []want{
				{"2021-06-26", "2022-06-25", false, 365, 365},
				{"2022-06-26", "2023-06-25", false, 365, 365},
				{"2023-06-26", "2023-12-31", true, 189, 366},
			},
		},
		{
			name:  "year containing 29 February has 366 days",
			start: "2023-04-01", end: "2025-03-31",
			want: []want{
				{"2023-04-01", "2024-03-31", false, 366, 366},
				{"2024-04-01", "2025-03-31", false, 365, 365},
			},
		},
		{
			name:  "start on 29 February: anniversaries on 1 March, back to 29 February in 2028",
			start: "2024-02-29", end: "2029-02-28",
			want: []want{
				{"2024-02-29", "2025-02-28", false, 366, 366},
				{"2025-03-01", "2026-02-28", false, 365, 365},
				{"2026-03-01", "2027-02-28", false, 365, 365},
				{"2027-03-01", "2028-02-28", false, 365, 365},
				{"2028-02-29", "2029-02-28", false, 366, 366},
			},
		},
		{
			name:  "one-day contract",
			start: "2026-03-06", end: "2026-03-06",
			want: []want{{"2026-03-06", "2026-03-06", true, 1, 365}},
		},
		{
			name:  "part year of one day after a complete year",
			start: "2025-01-01", end: "2026-01-01",
			want: []want{
				{"2025-01-01", "2025-12-31", false, 365, 365},
				{"2026-01-01", "2026-01-01", true, 1, 365},
			},
		},
		{
			name:  "contract ending the day before an anniversary has no part year",
			start: "2025-01-01", end: "2025-12-31",
			want: []want{{"2025-01-01", "2025-12-31", false, 365, 365}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := Years(date(t, c.start), date(t, c.end))
			if err != nil {
				t.Fatalf("Years: %v", err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d years %+v, want %d", len(got), got, len(c.want))
			}
			for i, w := range c.want {
				y := got[i]
				if y.Number != i+1 || y.Start.String() != w.start || y.End.String() != w.end ||
					y.PartYear != w.part || y.Days != w.days || y.FullDays != w.full {
					t.Errorf("CY%d = %d %v..%v part=%v days=%d full=%d; want %s..%s part=%v days=%d full=%d",
						i+1, y.Number, y.Start, y.End, y.PartYear, y.Days, y.FullDays,
						w.start, w.end, w.part, w.days, w.full)
				}
			}
		})
	}
}

func TestYearsErrors(t *testing.T) {
	t.Parallel()
	_, err := Years(date(t, "2026-03-06"), date(t, "2026-03-05"))
	requireFieldErrors(t, err, "end_date end_before_start")

	_, err = Years(calendar.Date{}, calendar.Date{})
	requireFieldErrors(t, err, "start_date required", "end_date required")
}

func TestYearOn(t *testing.T) {
	t.Parallel()
	years, err := Years(date(t, "2021-06-26"), date(t, "2023-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		on     string
		want   int
		wantOK bool
	}{
		{"2021-06-25", 0, false},
		{"2021-06-26", 1, true},
		{"2022-06-25", 1, true},
		{"2022-06-26", 2, true},
		{"2023-12-31", 3, true},
		{"2024-01-01", 0, false},
	}
	for _, c := range cases {
		y, ok := YearOn(years, date(t, c.on))
		if ok != c.wantOK || y.Number != c.want {
			t.Errorf("YearOn(%s) = CY%d, %v; want CY%d, %v", c.on, y.Number, ok, c.want, c.wantOK)
		}
	}
}

func TestProRate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		annual money.Pence
		y      Year
		want   money.Pence
	}{
		{name: "complete year is the annual price", annual: money.Pounds(460000), y: Year{Days: 365, FullDays: 365}, want: money.Pounds(460000)},
		{name: "complete leap year", annual: money.Pounds(460000), y: Year{Days: 366, FullDays: 366}, want: money.Pounds(460000)},
		{name: "half of 730,000", annual: money.Pounds(730000), y: Year{Days: 100, FullDays: 365, PartYear: true}, want: money.Pounds(200000)},
		// 46,000,000 x 189 / 366 = 23,754,098.36... rounded down.
		{name: "rounded down", annual: money.Pounds(460000), y: Year{Days: 189, FullDays: 366, PartYear: true}, want: 23754098},
		{name: "one day", annual: 100, y: Year{Days: 1, FullDays: 365, PartYear: true}, want: 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := ProRate(c.annual, c.y); got != c.want {
				t.Errorf("ProRate(%v, %d/%d) = %d, want %d", c.annual, c.y.Days, c.y.FullDays, got, c.want)
			}
		})
	}
}
