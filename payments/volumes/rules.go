package volumes

import (
	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/calendar"
)

// ProjectionMinDays is the number of days at the start of a contract year with no projection: too
// few referrals have been counted for a year-end figure to mean anything.
const ProjectionMinDays = 14

// Projection projects a contract year's volume from the referrals counted so far:
// counted x days in the year / days elapsed, rounded down to a whole referral. Days elapsed run from
// the year's first day to asOf, both included, and stop at the year's last day. Days in the year are
// the days the year covers (y.Days), so a part year is projected to its own end.
//
// It returns ok false, and projected 0, in the first ProjectionMinDays days of the year and before it
// starts; daysElapsed is the figure the projection rests on (0 before the year starts).
func Projection(countedYTD int, y contracts.Year, asOf calendar.Date) (projected, daysElapsed int, ok bool) {
	if asOf.Before(y.Start) {
		return 0, 0, false
	}
	daysElapsed = min(calendar.DaysBetweenInclusive(y.Start, asOf), y.Days)
	if daysElapsed <= ProjectionMinDays {
		return 0, daysElapsed, false
	}
	return int(int64(countedYTD) * int64(y.Days) / int64(daysElapsed)), daysElapsed, true
}

// Status is the reconciliation status of a contract year's volume.
type Status string

// The reconciliation statuses.
const (
	// StatusGreen: the projection stays inside the payment basis band.
	StatusGreen Status = "GREEN"
	// StatusAmber: the projection leaves the basis band (above or below) but stays at or under the cap.
	StatusAmber Status = "AMBER"
	// StatusRed: the projection exceeds the cap, or counted referrals have reached 90 % of it.
	StatusRed Status = "RED"
)

// StatusOf returns a contract year's status:
//   - RED when counted YTD reaches 90 % of the cap (countedYTD x 10 >= volumeCap x 9, in whole
//     numbers), or the projection exceeds the cap;
//   - GREEN while the projection stays inside the payment basis band (the band numbered basisBand);
//   - AMBER when it leaves that band, above or below, but stays at or under the cap.
//
// Without a projection (the first days of a year), counted YTD stands in for it only once it already
// exceeds the basis band's high: a year that early cannot yet be judged below its band, but a count
// that has already passed the band (or the cap) is certain to end outside it. Otherwise the status is
// GREEN unless the 90 % rule makes it RED.
//
// volumeCap is passed apart from bands because a commissioner may record a cap variation for the
// year. A basisBand that is not in bands is a band no volume falls inside: with a projection the
// status is then AMBER or RED, without one GREEN or RED.
func StatusOf(bands []contracts.Band, basisBand int, projected int, hasProjection bool, countedYTD int, volumeCap int) Status {
	if reachedNinetyPercent(countedYTD, volumeCap) {
		return StatusRed
	}
	basis, found := bandNumbered(bands, basisBand)
	volume := projected
	if !hasProjection {
		if !found || countedYTD <= basis.High {
			return StatusGreen
		}
		volume = countedYTD
	}
	switch {
	case volume > volumeCap:
		return StatusRed
	case found && volume >= basis.Low && volume <= basis.High:
		return StatusGreen
	default:
		return StatusAmber
	}
}

// AlertKind is a kind of volume alert. An alert is raised once per contract, year and kind.
type AlertKind string

// The kinds of volume alert.
const (
	AlertAmber         AlertKind = "AMBER"
	AlertRed           AlertKind = "RED"
	AlertNinetyPercent AlertKind = "NINETY_PERCENT"
	AlertCapReached    AlertKind = "CAP_REACHED"
)

// AlertsDue returns the alerts a contract year's current position calls for, in the order AMBER,
// RED, NINETY_PERCENT, CAP_REACHED: AMBER when status is AMBER, RED when it is RED, NINETY_PERCENT
// when counted YTD has reached 90 % of the cap, and CAP_REACHED when it has reached the cap. The caller
// raises those not already raised for the year. It returns nil when none is due. volumeCap is the
// year's cap, after any cap variation.
func AlertsDue(status Status, countedYTD, volumeCap int) []AlertKind {
	var due []AlertKind
	switch status {
	case StatusAmber:
		due = append(due, AlertAmber)
	case StatusRed:
		due = append(due, AlertRed)
	}
	if reachedNinetyPercent(countedYTD, volumeCap) {
		due = append(due, AlertNinetyPercent)
	}
	if countedYTD >= volumeCap {
		due = append(due, AlertCapReached)
	}
	return due
}

// reachedNinetyPercent reports whether counted has reached 90 % of cap, in whole numbers so that
// a cap of 850 is reached at 765.
func reachedNinetyPercent(counted, volumeCap int) bool {
	return int64(counted)*10 >= int64(volumeCap)*9
}

func bandNumbered(bands []contracts.Band, number int) (contracts.Band, bool) {
	for _, b := range bands {
		if b.Number == number {
			return b, true
		}
	}
	return contracts.Band{}, false
}
