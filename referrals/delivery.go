package referrals

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/enum"
)

// AppointmentKind says whether an appointment is the initial assessment or a delivery session.
type AppointmentKind string

// The appointment kinds.
const (
	KindAssessment AppointmentKind = "ASSESSMENT"
	KindSession    AppointmentKind = "SESSION"
)

// Method is how an appointment takes place.
type Method string

// The methods.
const (
	MethodPhone    Method = "PHONE"
	MethodVideo    Method = "VIDEO"
	MethodInPerson Method = "IN_PERSON"
)

// ParseMethod parses PHONE, VIDEO or IN_PERSON; it returns an invalid error (field "method", code
// invalid_method) for anything else.
func ParseMethod(s string) (Method, error) {
	return enum.Parse("method", "invalid_method", s, MethodPhone, MethodVideo, MethodInPerson)
}

// Attendance records whether the person came.
type Attendance string

// The attendances.
const (
	AttendedYes  Attendance = "YES"
	AttendedLate Attendance = "LATE"
	AttendedNo   Attendance = "NO"
)

// ParseAttendance parses YES, LATE or NO; it returns an invalid error (field "attendance", code
// invalid_attendance) for anything else.
func ParseAttendance(s string) (Attendance, error) {
	return enum.Parse("attendance", "invalid_attendance", s, AttendedYes, AttendedLate, AttendedNo)
}

// Attended reports whether the person came, on time or late.
func (a Attendance) Attended() bool { return a == AttendedYes || a == AttendedLate }

// RequestedBy is who asked for an appointment to move.
type RequestedBy string

// Who may ask.
const (
	RequestedBySupplier          RequestedBy = "SUPPLIER"
	RequestedByPractitioner      RequestedBy = "PRACTITIONER"
	RequestedByPersonOnProbation RequestedBy = "PERSON_ON_PROBATION"
)

// ParseRequestedBy parses SUPPLIER, PRACTITIONER or PERSON_ON_PROBATION; it returns an invalid error
// (field "requested_by", code invalid_requested_by) for anything else.
func ParseRequestedBy(s string) (RequestedBy, error) {
	return enum.Parse("requested_by", "invalid_requested_by", s, RequestedBySupplier, RequestedByPractitioner, RequestedByPersonOnProbation)
}

// Appointment duration limits, in minutes.
const (
	MinDurationMinutes = 5
	MaxDurationMinutes = 600
)

// MaxMonthsAhead is how far ahead an appointment may be booked.
const MaxMonthsAhead = 6

// Slot is when and how an appointment takes place.
type Slot struct {
	StartsAt        time.Time
	DurationMinutes int
	Method          Method
	// Address is required in person, empty otherwise.
	Address string
}

// CheckSlot returns the problems with booking slot for a referral sent at sentAt, seen at now:
// appointment_before_sent and appointment_too_far_ahead (starts_at, more than MaxMonthsAhead months
// after now), invalid_duration (duration_minutes) and required (address, in person). Nil when fine.
func CheckSlot(s Slot, sentAt, now time.Time) []apperr.FieldError {
	var f apperr.Fields
	f.Check(!s.StartsAt.Before(sentAt), "starts_at", "appointment_before_sent",
		fmt.Sprintf("The appointment cannot start before the referral was sent (%s).", sentAt.UTC().Format(time.RFC3339)))
	f.Check(!s.StartsAt.After(now.AddDate(0, MaxMonthsAhead, 0)), "starts_at", "appointment_too_far_ahead",
		fmt.Sprintf("The appointment cannot be more than %d months ahead.", MaxMonthsAhead))
	f.Check(s.DurationMinutes >= MinDurationMinutes && s.DurationMinutes <= MaxDurationMinutes, "duration_minutes", "invalid_duration",
		fmt.Sprintf("The duration must be from %d to %d minutes.", MinDurationMinutes, MaxDurationMinutes))
	if s.Method == MethodInPerson {
		f.Check(strings.TrimSpace(s.Address) != "", "address", "required", "An appointment in person needs an address.")
	}
	f.Check(len([]rune(s.Address)) <= MaxShortText, "address", "too_long", fmt.Sprintf("The address must be at most %d characters.", MaxShortText))
	return f.List()
}

// Feedback is what the supplier records after an appointment.
type Feedback struct {
	Attendance         Attendance
	SessionSummary     string
	PersonResponse     string
	Concerns           string
	NotifyPractitioner bool
}

// AppointmentChange is one reschedule of an appointment.
type AppointmentChange struct {
	ID          uuid.UUID
	Previous    Slot
	New         Slot
	RequestedBy RequestedBy
	Reason      string
	ChangedBy   uuid.UUID
	ChangedAt   time.Time
}

// Appointment is an initial assessment or a delivery session, with its reschedules.
type Appointment struct {
	ID   uuid.UUID
	Kind AppointmentKind
	// SessionNumber is set for sessions only, from 1.
	SessionNumber int
	Slot          Slot
	// Feedback is nil until attendance is recorded.
	Feedback   *Feedback
	RecordedBy *uuid.UUID
	RecordedAt *time.Time
	CreatedBy  uuid.UUID
	CreatedAt  time.Time
	// Changes are the reschedules, oldest first.
	Changes []AppointmentChange
}

// Attended reports whether attendance was recorded as YES or LATE.
func (a Appointment) Attended() bool { return a.Feedback != nil && a.Feedback.Attendance.Attended() }

// SessionsAttended returns the number of session numbers with an attended appointment.
func SessionsAttended(appts []Appointment) int {
	seen := map[int]bool{}
	for _, a := range appts {
		if a.Kind == KindSession && a.Attended() {
			seen[a.SessionNumber] = true
		}
	}
	return len(seen)
}

// CheckSessionBooking returns why session n of a plan of planned sessions may not be booked, given
// the referral's appointments: an invalid error (session_number_out_of_range) for a number outside
// 1..planned, a conflict when the session is already booked and not yet recorded
// (session_already_booked) or already attended (session_already_attended). A missed session may be
// booked again.
func CheckSessionBooking(appts []Appointment, n, planned int) error {
	if n < 1 || n > planned {
		return apperr.Invalid("no such session", apperr.FieldError{Field: "session_number", Code: "session_number_out_of_range",
			Message: fmt.Sprintf("The action plan has sessions 1 to %d.", planned)})
	}
	for _, a := range appts {
		if a.Kind != KindSession || a.SessionNumber != n {
			continue
		}
		switch {
		case a.Feedback == nil:
			return apperr.Conflict("session_already_booked", fmt.Sprintf("session %d is already booked; reschedule it instead", n))
		case a.Attended():
			return apperr.Conflict("session_already_attended", fmt.Sprintf("session %d was already attended", n))
		}
	}
	return nil
}

// Activity is one activity of an action plan.
type Activity struct {
	Description string `json:"description" maxLength:"2000" doc:"What the activity is, in words the person will recognise."`
}

// ActionPlan is one version of the supplier's plan.
type ActionPlan struct {
	ID               uuid.UUID
	Activities       []Activity
	NumberOfSessions int
	SubmittedBy      uuid.UUID
	SubmittedAt      time.Time
	// ApprovedBy is nil for a plan approved automatically or not yet approved.
	ApprovedBy *uuid.UUID
	ApprovedAt *time.Time
}

// Achievement is how far a desired outcome was achieved.
type Achievement string

// The achievements.
const (
	Achieved          Achievement = "ACHIEVED"
	PartiallyAchieved Achievement = "PARTIALLY_ACHIEVED"
	NotAchieved       Achievement = "NOT_ACHIEVED"
)

// Valid reports whether a is one of the achievements.
func (a Achievement) Valid() bool { return a == Achieved || a == PartiallyAchieved || a == NotAchieved }

// OutcomeRating rates one desired outcome in the end-of-service report.
type OutcomeRating struct {
	OutcomeID   uuid.UUID   `json:"outcome_id"`
	Achievement Achievement `json:"achievement"`
	Notes       string      `json:"notes"`
}

// EndOfServiceReport is the supplier's final report on a referral.
type EndOfServiceReport struct {
	Outcomes           []OutcomeRating
	FurtherInformation string
	SubmittedBy        uuid.UUID
	SubmittedAt        time.Time
}

// CheckRatings returns the problems with the ratings of an end-of-service report for a referral
// with the desired outcomes want: invalid_achievement and outcome_not_in_referral
// (outcomes[i]...), outcome_rated_twice, and outcome_not_rated (field "outcomes", one per outcome of
// the referral left unrated, naming it). Nil when every outcome is rated exactly once.
func CheckRatings(want []uuid.UUID, ratings []OutcomeRating) []apperr.FieldError {
	var f apperr.Fields
	rated := map[uuid.UUID]bool{}
	for i, r := range ratings {
		path := fmt.Sprintf("outcomes[%d]", i)
		f.Check(r.Achievement.Valid(), path+".achievement", "invalid_achievement",
			"The achievement must be ACHIEVED, PARTIALLY_ACHIEVED or NOT_ACHIEVED.")
		f.Check(len([]rune(r.Notes)) <= MaxLongText, path+".notes", "too_long", fmt.Sprintf("Notes must be at most %d characters.", MaxLongText))
		switch {
		case !slices.Contains(want, r.OutcomeID):
			f.Add(path+".outcome_id", "outcome_not_in_referral", "This outcome is not one of the referral's desired outcomes.")
		case rated[r.OutcomeID]:
			f.Add(path+".outcome_id", "outcome_rated_twice", "This outcome is rated twice.")
		}
		rated[r.OutcomeID] = true
	}
	for _, id := range want {
		f.Check(rated[id], "outcomes", "outcome_not_rated", fmt.Sprintf("Desired outcome %s is not rated.", id))
	}
	return f.List()
}

// Amendment is one field of a sent referral changed by the practitioner.
type Amendment struct {
	ID        uuid.UUID
	Field     string
	OldValue  json.RawMessage
	NewValue  json.RawMessage
	Reason    string
	ChangedBy uuid.UUID
	ChangedAt time.Time
}

// CaseNote is a note on a referral written by the practitioner or the supplier.
type CaseNote struct {
	ID          uuid.UUID
	AuthorID    uuid.UUID
	AuthorEmail string
	AuthorRole  string
	Subject     string
	Body        string
	CreatedAt   time.Time
}
