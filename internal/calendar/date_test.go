package calendar

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"testing"
	"time"
)

func mustDate(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    Date
		wantErr bool
	}{
		{in: "2026-03-06", want: NewDate(2026, time.March, 6)},
		{in: "2024-02-29", want: NewDate(2024, time.February, 29)},
		{in: "2025-02-29", wantErr: true},
		{in: "2026-04-31", wantErr: true},
		{in: "06/03/2026", wantErr: true},
		{in: "2026-3-6", wantErr: true},
		{in: "2026-03-06T00:00:00Z", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDate(c.in)
			if c.wantErr {
				if err == nil {
					t.Fatalf("ParseDate(%q) = %v, want an error", c.in, got)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ParseDate(%q) = %v, %v; want %v", c.in, got, err, c.want)
			}
			if got.String() != c.in {
				t.Errorf("String() = %q, want %q", got.String(), c.in)
			}
		})
	}
}

func TestNewDateNormalises(t *testing.T) {
	t.Parallel()
	if got, want := NewDate(2026, time.April, 31), NewDate(2026, time.May, 1); got != want {
		t.Errorf("NewDate(2026, April, 31) = %v, want %v", got, want)
	}
	if got, want := NewDate(2025, time.February, 29), NewDate(2025, time.March, 1); got != want {
		t.Errorf("NewDate(2025, February, 29) = %v, want %v", got, want)
	}
}

func TestAddDaysAndYears(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		from  string
		days  int
		years int
		want  string
	}{
		{name: "next day across a year end", from: "2025-12-31", days: 1, want: "2026-01-01"},
		{name: "into a leap day", from: "2024-02-28", days: 1, want: "2024-02-29"},
		{name: "back across a month end", from: "2026-03-01", days: -1, want: "2026-02-28"},
		{name: "anniversary", from: "2021-06-26", years: 1, want: "2022-06-26"},
		{name: "leap day in a common year", from: "2024-02-29", years: 1, want: "2025-03-01"},
		{name: "leap day four years on", from: "2024-02-29", years: 4, want: "2028-02-29"},
		{name: "leap day three years on", from: "2024-02-29", years: 3, want: "2027-03-01"},
		{name: "leap day a year back", from: "2024-02-29", years: -1, want: "2023-03-01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := mustDate(t, c.from).AddDays(c.days).AddYears(c.years)
			if got.String() != c.want {
				t.Errorf("got %v, want %s", got, c.want)
			}
		})
	}
}

func TestDaysBetween(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b          string
		until, inclus int
	}{
		{a: "2026-03-06", b: "2026-03-06", until: 0, inclus: 1},
		{a: "2025-01-01", b: "2025-12-31", until: 364, inclus: 365},
		{a: "2024-01-01", b: "2024-12-31", until: 365, inclus: 366},
		{a: "2021-06-26", b: "2022-06-25", until: 364, inclus: 365},
		{a: "2026-03-31", b: "2026-03-29", until: -2, inclus: -1},
		// Across the change to British Summer Time: whole days, no hour lost.
		{a: "2026-03-28", b: "2026-03-30", until: 2, inclus: 3},
		{a: "1900-01-01", b: "2400-01-01", until: 182621, inclus: 182622},
	}
	for _, c := range cases {
		a, b := mustDate(t, c.a), mustDate(t, c.b)
		if got := a.DaysUntil(b); got != c.until {
			t.Errorf("%v.DaysUntil(%v) = %d, want %d", a, b, got, c.until)
		}
		if got := DaysBetweenInclusive(a, b); got != c.inclus {
			t.Errorf("DaysBetweenInclusive(%v, %v) = %d, want %d", a, b, got, c.inclus)
		}
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b string
		want int
	}{
		{"2026-03-06", "2026-03-06", 0},
		{"2026-03-06", "2026-03-07", -1},
		{"2026-03-06", "2026-02-28", 1},
		{"2025-12-31", "2026-01-01", -1},
	}
	for _, c := range cases {
		a, b := mustDate(t, c.a), mustDate(t, c.b)
		if got := a.Compare(b); got != c.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", a, b, got, c.want)
		}
		if a.Before(b) != (c.want < 0) || a.After(b) != (c.want > 0) || a.Equal(b) != (c.want == 0) {
			t.Errorf("Before/After/Equal of %v and %v disagree with Compare %d", a, b, c.want)
		}
	}
}

func TestMonthBoundaries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in          string
		first, last string
		days        int
	}{
		{"2026-03-06", "2026-03-01", "2026-03-31", 31},
		{"2024-02-10", "2024-02-01", "2024-02-29", 29},
		{"2025-02-28", "2025-02-01", "2025-02-28", 28},
		{"2026-04-30", "2026-04-01", "2026-04-30", 30},
	}
	for _, c := range cases {
		d := mustDate(t, c.in)
		if got := d.FirstOfMonth().String(); got != c.first {
			t.Errorf("%v.FirstOfMonth() = %s, want %s", d, got, c.first)
		}
		if got := d.LastOfMonth().String(); got != c.last {
			t.Errorf("%v.LastOfMonth() = %s, want %s", d, got, c.last)
		}
		if got := d.DaysInMonth(); got != c.days {
			t.Errorf("%v.DaysInMonth() = %d, want %d", d, got, c.days)
		}
		if got := d.CalendarMonth().Days(); got != c.days {
			t.Errorf("%v.CalendarMonth().Days() = %d, want %d", d, got, c.days)
		}
	}
}

func TestDateTimeAndWeekday(t *testing.T) {
	t.Parallel()
	d := NewDate(2026, time.March, 6)
	if got, want := d.Time(), time.Date(2026, time.March, 6, 0, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("Time() = %v, want %v", got, want)
	}
	if got := d.Weekday(); got != time.Friday {
		t.Errorf("Weekday() = %v, want Friday", got)
	}
	if d.Year() != 2026 || d.Month() != time.March || d.Day() != 6 {
		t.Errorf("accessors = %d %v %d", d.Year(), d.Month(), d.Day())
	}
}

func TestZeroDate(t *testing.T) {
	t.Parallel()
	var d Date
	if !d.IsZero() || d.String() != "" {
		t.Errorf("zero Date: IsZero %v, String %q", d.IsZero(), d.String())
	}
	if NewDate(2026, time.January, 1).IsZero() {
		t.Error("a real date reports IsZero")
	}
	if _, err := d.MarshalText(); err == nil {
		t.Error("MarshalText of the zero Date: want an error")
	}
}

func TestDateJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		Sent Date `json:"sent"`
	}
	out, err := json.Marshal(doc{Sent: NewDate(2026, time.March, 6)})
	if err != nil || string(out) != `{"sent":"2026-03-06"}` {
		t.Fatalf("Marshal = %s, %v", out, err)
	}
	out, err = json.Marshal(doc{})
	if err != nil || string(out) != `{"sent":null}` {
		t.Fatalf("Marshal of zero = %s, %v", out, err)
	}

	cases := []struct {
		in      string
		want    Date
		wantErr bool
	}{
		{in: `{"sent":"2026-03-06"}`, want: NewDate(2026, time.March, 6)},
		{in: `{"sent":null}`},
		{in: `{}`},
		{in: `{"sent":"2026-02-30"}`, wantErr: true},
		{in: `{"sent":"06/03/2026"}`, wantErr: true},
		{in: `{"sent":""}`, wantErr: true},
		{in: `{"sent":20260306}`, wantErr: true},
		{in: `{"sent":true}`, wantErr: true},
	}
	for _, c := range cases {
		var got doc
		err := json.Unmarshal([]byte(c.in), &got)
		if c.wantErr {
			if err == nil {
				t.Errorf("Unmarshal(%s) = %v, want an error", c.in, got.Sent)
			}
			continue
		}
		if err != nil || got.Sent != c.want {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v", c.in, got.Sent, err, c.want)
		}
	}

	// As a map key, a Date uses its text form.
	out, err = json.Marshal(map[Date]int{NewDate(2026, time.March, 6): 3})
	if err != nil || string(out) != `{"2026-03-06":3}` {
		t.Errorf("Marshal map = %s, %v", out, err)
	}
}

func TestDateScanValue(t *testing.T) {
	t.Parallel()
	want := NewDate(2026, time.March, 6)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		london = time.FixedZone("BST", 3600)
	}
	cases := []struct {
		name    string
		src     any
		want    Date
		wantErr bool
	}{
		{name: "time at UTC midnight", src: time.Date(2026, time.March, 6, 0, 0, 0, 0, time.UTC), want: want},
		{name: "time at local midnight", src: time.Date(2026, time.March, 6, 0, 0, 0, 0, london), want: want},
		{name: "string", src: "2026-03-06", want: want},
		{name: "bytes", src: []byte("2026-03-06"), want: want},
		{name: "null", src: nil},
		{name: "bad string", src: "infinity", wantErr: true},
		{name: "integer", src: int64(20260306), wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := NewDate(1999, time.December, 31)
			err := got.Scan(c.src)
			if c.wantErr {
				if err == nil {
					t.Fatalf("Scan(%v) = %v, want an error", c.src, got)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Scan(%v) = %v, %v; want %v", c.src, got, err, c.want)
			}
		})
	}

	v, err := want.Value()
	if err != nil {
		t.Fatalf("Value: %v", err)
	}
	if tv, ok := v.(time.Time); !ok || !tv.Equal(want.Time()) {
		t.Errorf("Value() = %#v, want %v", v, want.Time())
	}
	if v, err := (Date{}).Value(); v != nil || err != nil {
		t.Errorf("zero Value() = %v, %v; want NULL", v, err)
	}
	var _ sql.Scanner = (*Date)(nil)
	var _ driver.Valuer = Date{}
}

func TestMonth(t *testing.T) {
	t.Parallel()
	m, err := ParseMonth("2024-02")
	if err != nil {
		t.Fatal(err)
	}
	if m.String() != "2024-02" || m.Year() != 2024 || m.Month() != time.February {
		t.Errorf("ParseMonth(2024-02) = %v (%d, %v)", m, m.Year(), m.Month())
	}
	if m.First() != NewDate(2024, time.February, 1) || m.Last() != NewDate(2024, time.February, 29) || m.Days() != 29 {
		t.Errorf("February 2024: first %v, last %v, days %d", m.First(), m.Last(), m.Days())
	}
	if !m.Contains(NewDate(2024, time.February, 29)) || m.Contains(NewDate(2024, time.March, 1)) {
		t.Error("Contains is wrong at the month's end")
	}

	dec := NewMonth(2025, time.December)
	if dec.Next().String() != "2026-01" || dec.Next().Prev() != dec || dec.AddMonths(-12).String() != "2024-12" {
		t.Errorf("Next/Prev/AddMonths around %v: %v %v %v", dec, dec.Next(), dec.Next().Prev(), dec.AddMonths(-12))
	}
	if NewMonth(2025, 13) != NewMonth(2026, time.January) {
		t.Error("NewMonth does not normalise month 13")
	}
	if !dec.Before(dec.Next()) || !dec.After(dec.Prev()) || dec.Compare(dec) != 0 {
		t.Error("Month comparison is wrong")
	}

	for _, bad := range []string{"2024-13", "2024-2", "2024-02-01", "", "Feb 2024"} {
		if _, err := ParseMonth(bad); err == nil {
			t.Errorf("ParseMonth(%q): want an error", bad)
		}
	}
}

func TestMonthJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		Period Month `json:"period"`
	}
	out, err := json.Marshal(doc{Period: NewMonth(2026, time.March)})
	if err != nil || string(out) != `{"period":"2026-03"}` {
		t.Fatalf("Marshal = %s, %v", out, err)
	}
	var got doc
	if err := json.Unmarshal(out, &got); err != nil || got.Period != NewMonth(2026, time.March) {
		t.Errorf("Unmarshal(%s) = %v, %v", out, got.Period, err)
	}
	if err := json.Unmarshal([]byte(`{"period":"2026-3"}`), &got); err == nil {
		t.Error("Unmarshal of a bad month: want an error")
	}
	if _, err := json.Marshal(doc{}); err == nil {
		t.Error("Marshal of the zero Month: want an error")
	}
}

// The business day is the date in Europe/London, whatever the instant's own zone: one definition for
// contracts, suppliers, referrals, payments and returns.
func TestBusinessDay(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC), "2026-07-01"},                     // BST: already 1 July in London
		{time.Date(2026, 6, 30, 22, 59, 0, 0, time.UTC), "2026-06-30"},                     // 23:59 in London
		{time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "2026-12-31"},                    // GMT: London is UTC
		{time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC), "2026-03-29"},                      // the night the clocks go forward
		{time.Date(2026, 10, 24, 23, 30, 0, 0, time.UTC), "2026-10-25"},                    // the night they go back
		{time.Date(2026, 7, 1, 0, 30, 0, 0, time.FixedZone("EDT", -4*3600)), "2026-07-01"}, // 05:30 in London
	} {
		if got := BusinessDay(c.at).String(); got != c.want {
			t.Errorf("BusinessDay(%s) = %s, want %s", c.at, got, c.want)
		}
		if got := Today(c.at).String(); got != c.want {
			t.Errorf("Today(%s) = %s, want %s", c.at, got, c.want)
		}
	}
}
