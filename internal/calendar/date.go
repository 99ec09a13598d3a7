// Package calendar provides calendar dates and calendar months without a time zone, and the working days
// of England and Wales. Contract years, monthly entitlements and timeliness standards are all counted in
// whole days, so they use these types rather than time.Time, which carries a clock and a location.
package calendar

import (
	"cmp"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // Europe/London must load even on a machine without a zone database
)

// DateLayout is the layout of a Date in text, JSON and query strings (ISO 8601, "2006-01-02").
const DateLayout = "2006-01-02"

// Date is a calendar date: a year, a month and a day, with no clock and no time zone. Its zero value
// is no date at all (see IsZero). Dates compare with == and with Compare.
type Date struct {
	year  int
	month time.Month
	day   int
}

// NewDate returns the date for a year, month and day. Out-of-range values are normalised as time.Date
// does (31 April becomes 1 May); use ParseDate to reject them instead.
func NewDate(year int, month time.Month, day int) Date {
	return DateOf(time.Date(year, month, day, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the date of t as read on a calendar in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{year: y, month: m, day: d}
}

// London is the zone of the platform's business day (DOMAIN: contract years, referrals' sent dates,
// payment dates and working days are all days in England): a referral sent at 23:30 UTC on 30 June in
// summer is sent on 1 July.
var London = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(fmt.Sprintf("calendar: load Europe/London: %v", err)) // embedded by time/tzdata
	}
	return loc
}()

// BusinessDay returns the business day of an instant: its date in Europe/London. It is the one
// definition of "the day" of anything that happens on the platform.
func BusinessDay(t time.Time) Date {
	return DateOf(t.In(London))
}

// Today returns the business day of now (BusinessDay). The platform's clock is injected, so callers
// pass its Now().
func Today(now time.Time) Date {
	return BusinessDay(now)
}

// ParseDate parses "YYYY-MM-DD". It returns an error for any other shape and for a day that does not
// exist (such as 2025-02-29).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date %q: want YYYY-MM-DD: %w", s, err)
	}
	return DateOf(t), nil
}

// Year returns the date's year.
func (d Date) Year() int { return d.year }

// Month returns the date's month of the year.
func (d Date) Month() time.Month { return d.month }

// Day returns the date's day of the month.
func (d Date) Day() int { return d.day }

// Weekday returns the day of the week the date falls on.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

// IsZero reports whether d is the zero Date, which stands for no date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats the date as "YYYY-MM-DD"; the zero Date formats as the empty string.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format(DateLayout)
}

// Time returns the start of the date in UTC.
func (d Date) Time() time.Time {
	return time.Date(d.year, d.month, d.day, 0, 0, 0, 0, time.UTC)
}

// CalendarMonth returns the calendar month the date lies in.
func (d Date) CalendarMonth() Month { return Month{year: d.year, month: d.month} }

// AddDays returns the date n days later (earlier when n is negative).
func (d Date) AddDays(n int) Date {
	return DateOf(d.Time().AddDate(0, 0, n))
}

// AddYears returns the date's anniversary n years later (earlier when n is negative). A date on
// 29 February has its anniversary on 1 March in common years, as contract years require.
func (d Date) AddYears(n int) Date {
	return DateOf(d.Time().AddDate(n, 0, 0))
}

// DaysUntil returns the number of days from d to other: 1 for the next day, 0 for the same day,
// negative when other is earlier.
func (d Date) DaysUntil(other Date) int {
	return int((other.Time().Unix() - d.Time().Unix()) / (24 * 60 * 60))
}

// DaysBetweenInclusive returns the number of days from a to b counting both: 1 when they are the same
// day, 365 for a common year from 1 January to 31 December. It returns 0 or less when b is before a.
func DaysBetweenInclusive(a, b Date) int {
	return a.DaysUntil(b) + 1
}

// Compare returns -1 when d is before other, 0 when they are the same day and +1 when d is after.
func (d Date) Compare(other Date) int {
	switch {
	case d.year != other.year:
		return cmp.Compare(d.year, other.year)
	case d.month != other.month:
		return cmp.Compare(int(d.month), int(other.month))
	default:
		return cmp.Compare(d.day, other.day)
	}
}

// Before reports whether d is earlier than other.
func (d Date) Before(other Date) bool { return d.Compare(other) < 0 }

// After reports whether d is later than other.
func (d Date) After(other Date) bool { return d.Compare(other) > 0 }

// Equal reports whether d and other are the same day.
func (d Date) Equal(other Date) bool { return d == other }

// FirstOfMonth returns the first day of d's month.
func (d Date) FirstOfMonth() Date { return Date{year: d.year, month: d.month, day: 1} }

// LastOfMonth returns the last day of d's month.
func (d Date) LastOfMonth() Date {
	return Date{year: d.year, month: d.month, day: d.DaysInMonth()}
}

// DaysInMonth returns the number of days in d's month (28 to 31).
func (d Date) DaysInMonth() int { return daysIn(d.year, d.month) }

// MarshalJSON encodes the date as the JSON string "YYYY-MM-DD", and the zero Date as null.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON decodes a JSON string "YYYY-MM-DD". JSON null leaves d unchanged, as encoding/json
// does for other types. It returns an error for anything else, including an impossible date.
func (d *Date) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("decode date: want a string \"YYYY-MM-DD\", got %s", data)
	}
	parsed, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// MarshalText encodes the date as "YYYY-MM-DD". It returns an error for the zero Date, which has
// no text form.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return nil, errors.New("marshal date: zero date has no text form")
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes "YYYY-MM-DD", returning ParseDate's error for anything else.
func (d *Date) UnmarshalText(text []byte) error {
	parsed, err := ParseDate(string(text))
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// Scan implements sql.Scanner for a PostgreSQL date column. It accepts a time.Time (whose calendar
// date is taken as it reads in its own location, as drivers return dates at midnight), a string or
// []byte "YYYY-MM-DD", and NULL, which scans as the zero Date (use *Date or sql.Null[Date] to tell
// NULL apart). It returns an error for any other value.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = DateOf(v)
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	default:
		return fmt.Errorf("scan date: unsupported type %T", src)
	}
}

func (d *Date) scanText(s string) error {
	parsed, err := ParseDate(s)
	if err != nil {
		return fmt.Errorf("scan date: %w", err)
	}
	*d = parsed
	return nil
}

// Value implements driver.Valuer: the start of the date in UTC, which drivers write to a date column
// as that calendar date, or NULL for the zero Date.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil // a nil driver.Value is SQL NULL
	}
	return d.Time(), nil
}

func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// MonthLayout is the layout of a Month in text and JSON ("2006-01").
const MonthLayout = "2006-01"

// Month is a calendar month of a given year, such as March 2026. Its zero value is no month at all
// (see IsZero). Months compare with == and with Compare.
type Month struct {
	year  int
	month time.Month
}

// NewMonth returns the calendar month for a year and a month of the year. An out-of-range month is
// normalised as time.Date does (month 13 of 2025 is January 2026).
func NewMonth(year int, month time.Month) Month {
	return NewDate(year, month, 1).CalendarMonth()
}

// ParseMonth parses "YYYY-MM". It returns an error for any other shape.
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse(MonthLayout, s)
	if err != nil {
		return Month{}, fmt.Errorf("parse month %q: want YYYY-MM: %w", s, err)
	}
	return DateOf(t).CalendarMonth(), nil
}

// Year returns the month's year.
func (m Month) Year() int { return m.year }

// Month returns the month of the year.
func (m Month) Month() time.Month { return m.month }

// IsZero reports whether m is the zero Month, which stands for no month.
func (m Month) IsZero() bool { return m == Month{} }

// String formats the month as "YYYY-MM"; the zero Month formats as the empty string.
func (m Month) String() string {
	if m.IsZero() {
		return ""
	}
	return m.First().Time().Format(MonthLayout)
}

// First returns the month's first day.
func (m Month) First() Date { return Date{year: m.year, month: m.month, day: 1} }

// Last returns the month's last day.
func (m Month) Last() Date { return Date{year: m.year, month: m.month, day: m.Days()} }

// Days returns the number of days in the month (28 to 31).
func (m Month) Days() int { return daysIn(m.year, m.month) }

// Contains reports whether d lies in the month.
func (m Month) Contains(d Date) bool { return d.CalendarMonth() == m }

// AddMonths returns the month n months later (earlier when n is negative).
func (m Month) AddMonths(n int) Month { return NewMonth(m.year, m.month+time.Month(n)) }

// Next returns the following month.
func (m Month) Next() Month { return m.AddMonths(1) }

// Prev returns the preceding month.
func (m Month) Prev() Month { return m.AddMonths(-1) }

// Compare returns -1 when m is before other, 0 when they are the same month and +1 when m is after.
func (m Month) Compare(other Month) int { return m.First().Compare(other.First()) }

// Before reports whether m is earlier than other.
func (m Month) Before(other Month) bool { return m.Compare(other) < 0 }

// After reports whether m is later than other.
func (m Month) After(other Month) bool { return m.Compare(other) > 0 }

// MarshalText encodes the month as "YYYY-MM", which is also its JSON string form. It returns an error
// for the zero Month, which has no text form.
func (m Month) MarshalText() ([]byte, error) {
	if m.IsZero() {
		return nil, errors.New("marshal month: zero month has no text form")
	}
	return []byte(m.String()), nil
}

// UnmarshalText decodes "YYYY-MM", returning ParseMonth's error for anything else.
func (m *Month) UnmarshalText(text []byte) error {
	parsed, err := ParseMonth(string(text))
	if err != nil {
		return err
	}
	*m = parsed
	return nil
}
