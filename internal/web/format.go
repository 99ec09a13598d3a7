package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
)

// The formats people read, used by presenters: money as £1,234.56, dates as 4 December 2026, times
// as 2:30pm (UK time).

// Pounds formats pence as £1,234.56 (-£5.00 for a negative amount).
func Pounds(p money.Pence) string {
	neg := p < 0
	if neg {
		p = -p
	}
	whole, frac := int64(p)/100, int64(p)%100
	s := strconv.FormatInt(whole, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := "£" + b.String() + "." + strconv.FormatInt(100+frac, 10)[1:]
	if neg {
		out = "-" + out
	}
	return out
}

// Date formats a calendar date as 4 December 2026; the zero date is "".
func Date(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return strconv.Itoa(d.Day()) + " " + d.Month().String() + " " + strconv.Itoa(d.Year())
}

var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}()

// DateTime formats an instant in UK time as 4 December 2026 at 2:30pm.
func DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	lt := t.In(london)
	return Date(calendar.DateOf(lt)) + " at " + Time(lt)
}

// Time formats the clock time of t (already in the zone wanted) as 2:30pm, 9am or 12pm.
func Time(t time.Time) string {
	h, m := t.Hour(), t.Minute()
	suffix := "am"
	if h >= 12 {
		suffix = "pm"
	}
	h12 := h % 12
	if h12 == 0 {
		h12 = 12
	}
	if m == 0 {
		return strconv.Itoa(h12) + suffix
	}
	return strconv.Itoa(h12) + ":" + strconv.Itoa(100 + m)[1:] + suffix
}

// DateInput is a date question's three answers as typed; a form keeps them to show again on error.
type DateInput struct {
	Day, Month, Year string
}

// FormDate reads the date question name from a posted form (name-day, name-month, name-year).
func FormDate(c echo.Context, name string) DateInput {
	return DateInput{Day: strings.TrimSpace(c.FormValue(name + "-day")), Month: strings.TrimSpace(c.FormValue(name + "-month")),
		Year: strings.TrimSpace(c.FormValue(name + "-year"))}
}

// DateInputOf fills a date question from a date (empty for the zero date).
func DateInputOf(d calendar.Date) DateInput {
	if d.IsZero() {
		return DateInput{}
	}
	return DateInput{Day: strconv.Itoa(d.Day()), Month: strconv.Itoa(int(d.Month())), Year: strconv.Itoa(d.Year())}
}

// Empty reports whether nothing was typed.
func (d DateInput) Empty() bool { return d.Day == "" && d.Month == "" && d.Year == "" }

// Parse returns the date, or the GOV.UK message for what is wrong, naming the question with label
// ("Date of birth"): "Enter <label>" (lower-cased), "<label> must include a month", "<label> must
// be a real date". An empty answer is the zero date with the message "Enter ...".
func (d DateInput) Parse(label string) (calendar.Date, string) {
	if d.Empty() {
		return calendar.Date{}, "Enter " + strings.ToLower(label[:1]) + label[1:]
	}
	var missing []string
	for _, p := range [][2]string{{"day", d.Day}, {"month", d.Month}, {"year", d.Year}} {
		if p[1] == "" {
			missing = append(missing, p[0])
		}
	}
	if len(missing) > 0 {
		return calendar.Date{}, label + " must include a " + strings.Join(missing, " and a ")
	}
	day, e1 := strconv.Atoi(d.Day)
	month, e2 := strconv.Atoi(d.Month)
	year, e3 := strconv.Atoi(d.Year)
	if e1 != nil || e2 != nil || e3 != nil || len(d.Year) != 4 || month < 1 || month > 12 || day < 1 {
		return calendar.Date{}, label + " must be a real date"
	}
	out := calendar.NewDate(year, time.Month(month), day)
	if out.Day() != day {
		return calendar.Date{}, label + " must be a real date"
	}
	return out, ""
}
