package calendar

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"
)

// One-off bank holidays of England and Wales that package gb (v2.1.13) lacks. It already has the
// moved early May holiday of 2020 (VE Day, 8 May), the Platinum Jubilee of 2022 (2 and 3 June, with
// the spring holiday moved) and the Coronation of 2023 (8 May).
var (
	// stateFuneral2022 is the bank holiday for the State Funeral of Queen Elizabeth II.
	stateFuneral2022 = oneOff("State Funeral of Queen Elizabeth II", 2022, time.September, 19)

	// royalWedding2011 is the bank holiday for the wedding of Prince William and Catherine Middleton.
	royalWedding2011 = oneOff("Royal Wedding", 2011, time.April, 29)

	// springHoliday2012 and diamondJubilee2012: in 2012 the spring holiday moved from 28 May to 4 June
	// and 5 June was an extra holiday for the Diamond Jubilee.
	springHoliday2012  = oneOff("Spring Bank Holiday", 2012, time.June, 4)
	diamondJubilee2012 = oneOff("Diamond Jubilee", 2012, time.June, 5)

	// springHoliday is gb.SpringHoliday (last Monday of May) except in the years it moved.
	springHoliday = gb.SpringHoliday.Clone(&cal.Holiday{Except: []int{2012, 2022}})
)

// englandAndWales holds the bank holidays of England and Wales. Its cache stays off: the library's
// cache is a plain map, and this calendar is shared by concurrent requests; without it the calendar
// is only read.
var englandAndWales = &cal.Calendar{
	Name: "England and Wales bank holidays",
	Holidays: []*cal.Holiday{
		gb.NewYear,
		gb.GoodFriday,
		gb.EasterMonday,
		gb.EarlyMay,
		gb.VEDay,
		gb.CoronationDay,
		springHoliday,
		gb.SpringHoliday2022,
		gb.PlatinumJubilee,
		gb.SummerHoliday,
		gb.ChristmasDay,
		gb.BoxingDay,
		stateFuneral2022,
		royalWedding2011,
		springHoliday2012,
		diamondJubilee2012,
	},
}

func oneOff(name string, year int, month time.Month, day int) *cal.Holiday {
	return &cal.Holiday{
		Name:      name,
		Type:      cal.ObservanceBank,
		Month:     month,
		Day:       day,
		Func:      cal.CalcDayOfMonth,
		StartYear: year,
		EndYear:   year,
	}
}

// IsBankHoliday reports whether d is a bank holiday in England and Wales, including substitute days
// (Christmas Day on a Saturday gives Monday 27 December) and the one-off holidays since 2011.
func IsBankHoliday(d Date) bool {
	actual, observed, _ := englandAndWales.IsHoliday(d.Time())
	return actual || observed
}

// IsWorkingDay reports whether d is a working day: Monday to Friday and not a bank holiday in
// England and Wales.
func IsWorkingDay(d Date) bool {
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	default:
		return !IsBankHoliday(d)
	}
}

// AddWorkingDays returns the due date of something to be done within n working days of an event on
// from. Working days are counted from the first working day after the event, and the due date is the
// n-th of them: a referral sent on Friday 6 March 2026 has its 10-working-day assessment due on
// Friday 20 March 2026. The event's own day never counts, even when it is a working day.
// With n of zero it returns from; with n negative it counts back, returning the |n|-th working day
// before from.
func AddWorkingDays(from Date, n int) Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	d := from
	for n > 0 {
		d = d.AddDays(step)
		if IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// WorkingDaysBetween returns the number of working days after a up to and including b, so that
// WorkingDaysBetween(a, AddWorkingDays(a, n)) == n. It is 0 when b is a, and negative when b is before
// a (minus the working days after b up to and including a).
func WorkingDaysBetween(a, b Date) int {
	if b.Before(a) {
		return -WorkingDaysBetween(b, a)
	}
	count := 0
	for d := a.AddDays(1); !d.After(b); d = d.AddDays(1) {
		if IsWorkingDay(d) {
			count++
		}
	}
	return count
}
