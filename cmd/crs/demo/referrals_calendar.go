package demo

import (
	"time"

	"github.com/crsplatform/crs/internal/calendar"
)

// The demo referrals' days and times: working days by day index, office hours and weighted draws.

// rsCal caches England and Wales working days by day index from base (AddWorkingDays' rules).
type rsCal struct {
	base    calendar.Date
	dates   []calendar.Date
	working []bool
}

func (c *rsCal) ensure(i int) {
	for len(c.dates) <= i {
		d := c.base.AddDays(len(c.dates))
		c.dates = append(c.dates, d)
		c.working = append(c.working, calendar.IsWorkingDay(d))
	}
}

func (c *rsCal) date(i int) calendar.Date { c.ensure(i); return c.dates[i] }

func (c *rsCal) isWorking(i int) bool { c.ensure(i); return c.working[i] }

// addWD is calendar.AddWorkingDays on day indexes.
func (c *rsCal) addWD(i, n int) int {
	for n > 0 {
		i++
		if c.isWorking(i) {
			n--
		}
	}
	return i
}

// at returns the instant of minute m (from midnight, London time) of day i.
func (g *referralSeed) at(i, m int) time.Time {
	d := g.cal.date(i)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, m, 0, 0, g.london).UTC()
}

// dayOf returns the day index of t's London date.
func (g *referralSeed) dayOf(t time.Time) int {
	return g.cal.base.DaysUntil(calendar.BusinessDay(t))
}

// after returns t, or a little after prev when t is not after it.
// after returns t, or a little after prev when t is not after it, in office hours.
func (g *referralSeed) after(prev, t time.Time) time.Time {
	if !t.After(prev) {
		t = prev.Add(time.Duration(10+g.r.IntN(110)) * time.Minute)
	}
	return g.office(t)
}

// office returns t to the minute when it falls in office hours (08:30 to 18:30, London, on a
// working day), or else a time early on the next working day: supplier staff and practitioners work
// referrals in office hours.
func (g *referralSeed) office(t time.Time) time.Time {
	lt := t.In(g.london)
	day := g.dayOf(t)
	switch m := lt.Hour()*60 + lt.Minute(); {
	case !g.cal.isWorking(day) || m >= 18*60+30:
		return g.at(g.cal.addWD(day, 1), 8*60+30+g.r.IntN(120))
	case m < 8*60+30:
		return g.at(day, 8*60+30+g.r.IntN(90))
	}
	return t.Truncate(time.Minute)
}

// between returns a time in office hours from lo to hi, or lo's minute when there is none.
func (g *referralSeed) between(lo, hi time.Time) time.Time {
	t := g.office(lo.Add(time.Duration(g.r.Float64() * float64(hi.Sub(lo)))))
	if !t.Before(hi) || t.Before(lo) {
		return lo.Truncate(time.Minute).Add(time.Minute)
	}
	return t
}

// weighted draws an index with the given weights.
func (g *referralSeed) weighted(weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// dayWeights returns the window's cumulative weights: working days count fully, weekends and bank
// holidays lightly, and the days between Christmas and New Year at half.
func (g *referralSeed) dayWeights() []float64 {
	cum := make([]float64, g.today-g.first)
	total := 0.0
	for k := range cum {
		i := g.first + k
		d := g.cal.date(i)
		w := 1.0
		switch {
		case !g.cal.isWorking(i) && (d.Weekday() == time.Saturday || d.Weekday() == time.Sunday):
			w = 0.06
		case !g.cal.isWorking(i):
			w = 0.04
		case d.Month() == time.December && d.Day() >= 24 || d.Month() == time.January && d.Day() <= 2:
			w = 0.5
		}
		total += w
		cum[k] = total
	}
	return cum
}
