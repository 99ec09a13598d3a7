package demo

import (
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/referrals"
)

// The demo referrals' rows: what the generator plans for each referral and copies into the tables.

type rsEvent struct {
	at   time.Time
	kind uint8
	i    int
}

type rsAppt struct {
	id                     uuid.UUID
	kind                   referrals.AppointmentKind
	n                      int
	created, start         time.Time
	dur                    int
	method                 referrals.Method
	address                string
	prevStart              time.Time // zero unless rescheduled
	prevMethod             referrals.Method
	changeAt               time.Time
	changeBy               referrals.RequestedBy
	changeReason           string
	changeID               uuid.UUID
	att                    referrals.Attendance
	recorded               time.Time
	booked, changed, saved bool // applied before the cut
}

type rsPlan struct {
	id                    uuid.UUID
	submitted, approved   time.Time // approved is zero for a superseded version
	sessions              int
	activities            []byte
	subApplied, apApplied bool
}

// rsReferral is one referral's row.
type rsReferral struct {
	id, contractID, practitioner, caseworker uuid.UUID
	reference, region, status, endState, crn string
	first, last, sex, ethnicity, language    string
	interpreter                              bool
	disabilities, access, pcc, setting       string
	prison, reason, risk, further            string
	commitments                              []byte
	dob, release, deadline                   calendar.Date
	maxDays, version                         int
	counted                                  bool
	sentAt, assignedAt, planAt, approvedAt   time.Time
	reportAt, withdrawnAt, concludedAt       time.Time
	createdAt, updatedAt                     time.Time
	sentOn, assessmentDue, assessedOn        calendar.Date
	planDue, endedOn, reportDue              calendar.Date
	wReason, wComment                        string
}

type rsService struct {
	referral             uuid.UUID
	category, complexity string
	outcomes             []uuid.UUID
}

type rsReport struct {
	referral, by uuid.UUID
	outcomes     []byte
	further      string
	at           time.Time
}

type rsNote struct {
	id, referral, author uuid.UUID
	subject, body        string
	at                   time.Time
}

type rsUser struct {
	id                uuid.UUID
	email, name, role string
	supplier          *uuid.UUID
	regions           []string
}

type rsTable struct {
	name    string
	columns []string
	n       int
	row     func(i int) ([]any, error)
}
