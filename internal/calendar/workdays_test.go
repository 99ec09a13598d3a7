package calendar

import (
	"testing"
)

func TestIsWorkingDay(t *testing.T) {
	t.Parallel()
	cases := []struct {
		date string
		want bool
		why  string
	}{
		{"2026-03-06", true, "an ordinary Friday"},
		{"2026-03-07", false, "Saturday"},
		{"2026-03-08", false, "Sunday"},
		{"2026-04-03", false, "Good Friday 2026"},
		{"2026-04-06", false, "Easter Monday 2026"},
		{"2026-04-02", true, "Maundy Thursday is a working day"},
		{"2026-04-07", true, "the Tuesday after Easter"},
		{"2025-12-25", false, "Christmas Day 2025 (Thursday)"},
		{"2025-12-26", false, "Boxing Day 2025 (Friday)"},
		{"2025-12-29", true, "between Christmas and New Year"},
		{"2026-01-01", false, "New Year's Day 2026"},
		{"2026-01-02", true, "2 January 2026 is a working day in England"},
		{"2021-12-27", false, "substitute for Christmas Day 2021 on a Saturday"},
		{"2021-12-28", false, "substitute for Boxing Day 2021 on a Sunday"},
		{"2022-01-03", false, "substitute for New Year's Day 2022 on a Saturday"},
		{"2022-12-26", false, "Boxing Day 2022"},
		{"2022-12-27", false, "substitute for Christmas Day 2022 on a Sunday"},
		{"2027-12-27", false, "substitute for Christmas Day 2027"},
		{"2027-12-28", false, "substitute for Boxing Day 2027"},
		{"2022-09-19", false, "State Funeral of Queen Elizabeth II"},
		{"2023-09-18", true, "no funeral holiday in 2023"},
		{"2023-05-08", false, "Coronation of King Charles III"},
		{"2023-05-01", false, "early May 2023"},
		{"2024-05-08", true, "no coronation holiday in 2024"},
		{"2022-06-02", false, "spring holiday moved for the Platinum Jubilee"},
		{"2022-06-03", false, "Platinum Jubilee"},
		{"2022-05-30", true, "last Monday of May 2022 was not a holiday"},
		{"2020-05-08", false, "early May 2020 moved to VE Day"},
		{"2020-05-04", true, "first Monday of May 2020 was not a holiday"},
		{"2021-05-03", false, "early May 2021"},
		{"2026-05-25", false, "spring holiday 2026"},
		{"2026-08-31", false, "summer holiday 2026 (England and Wales, not Scotland)"},
		{"2026-08-03", true, "Scotland's summer holiday is a working day in England"},
		{"2026-03-17", true, "St Patrick's Day is not a holiday in England"},
		{"2012-06-04", false, "spring holiday moved for the Diamond Jubilee"},
		{"2012-06-05", false, "Diamond Jubilee"},
		{"2012-05-28", true, "last Monday of May 2012 was not a holiday"},
		{"2011-04-29", false, "Royal Wedding"},
	}
	for _, c := range cases {
		t.Run(c.why, func(t *testing.T) {
			t.Parallel()
			d := mustDate(t, c.date)
			if got := IsWorkingDay(d); got != c.want {
				t.Errorf("IsWorkingDay(%s %v) = %v, want %v", d, d.Weekday(), got, c.want)
			}
		})
	}
}

func TestAddWorkingDays(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		from string
		n    int
		want string
	}{
		{name: "DOMAIN example: referral sent Friday 6 March 2026", from: "2026-03-06", n: 10, want: "2026-03-20"},
		{name: "action plan 5 days after an assessment on Friday", from: "2026-03-20", n: 5, want: "2026-03-27"},
		{name: "event on a Saturday counts from Monday", from: "2026-03-07", n: 1, want: "2026-03-09"},
		{name: "event on a Sunday counts from Monday", from: "2026-03-08", n: 5, want: "2026-03-13"},
		{name: "one day after Friday is Monday", from: "2026-03-06", n: 1, want: "2026-03-09"},
		{name: "zero days is the event's day", from: "2026-03-06", n: 0, want: "2026-03-06"},
		{name: "Easter 2026 skips Good Friday and Easter Monday", from: "2026-04-01", n: 3, want: "2026-04-08"},
		{name: "referral on Maundy Thursday 2026", from: "2026-04-02", n: 10, want: "2026-04-20"},
		{name: "Christmas and New Year 2025", from: "2025-12-23", n: 5, want: "2026-01-02"},
		{name: "Christmas 2021 with substitute days", from: "2021-12-24", n: 5, want: "2022-01-05"},
		{name: "State Funeral 2022", from: "2022-09-16", n: 1, want: "2022-09-20"},
		{name: "week of the State Funeral", from: "2022-09-12", n: 10, want: "2022-09-27"},
		{name: "Coronation 2023", from: "2023-05-05", n: 1, want: "2023-05-09"},
		{name: "early May and Coronation 2023", from: "2023-04-28", n: 5, want: "2023-05-09"},
		{name: "Platinum Jubilee 2022", from: "2022-06-01", n: 1, want: "2022-06-06"},
		{name: "counting back over a weekend", from: "2026-03-09", n: -1, want: "2026-03-06"},
		{name: "counting back over Easter 2026", from: "2026-04-07", n: -2, want: "2026-04-01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			from := mustDate(t, c.from)
			got := AddWorkingDays(from, c.n)
			if got.String() != c.want {
				t.Errorf("AddWorkingDays(%s, %d) = %s %v, want %s", from, c.n, got, got.Weekday(), c.want)
			}
			if back := WorkingDaysBetween(from, got); back != c.n {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", from, got, back, c.n)
			}
		})
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		a, b string
		want int
	}{
		{name: "same day", a: "2026-03-06", b: "2026-03-06", want: 0},
		{name: "Friday to Monday", a: "2026-03-06", b: "2026-03-09", want: 1},
		{name: "Friday to Sunday", a: "2026-03-06", b: "2026-03-08", want: 0},
		{name: "a week", a: "2026-03-06", b: "2026-03-13", want: 5},
		{name: "backwards", a: "2026-03-13", b: "2026-03-06", want: -5},
		{name: "Easter week 2026", a: "2026-03-29", b: "2026-04-12", want: 8},
		{name: "Christmas fortnight 2025", a: "2025-12-21", b: "2026-01-04", want: 7},
		// 2026: 261 weekdays less 8 bank holidays, all on weekdays.
		{name: "the whole of 2026", a: "2025-12-31", b: "2026-12-31", want: 253},
		// 2022: 260 weekdays less 10 bank holidays on weekdays (with the jubilee, funeral and substitutes).
		{name: "the whole of 2022", a: "2021-12-31", b: "2022-12-31", want: 250},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, b := mustDate(t, c.a), mustDate(t, c.b)
			if got := WorkingDaysBetween(a, b); got != c.want {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", a, b, got, c.want)
			}
		})
	}
}

func TestBankHolidaysPerYear(t *testing.T) {
	t.Parallel()
	// Bank holidays of England and Wales falling on weekdays, per gov.uk.
	want := map[int]int{2020: 8, 2021: 8, 2022: 10, 2023: 9, 2024: 8, 2025: 8, 2026: 8, 2027: 8}
	for year, n := range want {
		got := 0
		for d := NewDate(year, 1, 1); d.Year() == year; d = d.AddDays(1) {
			if IsBankHoliday(d) && isWeekday(d) {
				got++
			}
		}
		if got != n {
			t.Errorf("%d: %d weekday bank holidays, want %d", year, got, n)
		}
	}
}

// isWeekday reports whether d is Monday to Friday.
func isWeekday(d Date) bool {
	wd := d.Weekday()
	return wd != 0 && wd != 6
}
