package referrals

import (
	"time"

	"github.com/crsplatform/crs/internal/calendar"
)

// Working days allowed by the timeliness standards.
const (
	AssessmentWorkingDays         = 10
	ActionPlanWorkingDays         = 5
	EndOfServiceReportWorkingDays = 5
)

// Deliverable is something the supplier owes by a due date.
type Deliverable string

// The deliverables with a timeliness standard.
const (
	DeliverableAssessment         Deliverable = "assessment"
	DeliverableActionPlan         Deliverable = "action_plan"
	DeliverableEndOfServiceReport Deliverable = "end_of_service_report"
)

// TimelinessState says how a deliverable stands against its due date.
type TimelinessState string

// The states.
const (
	// OnTime: done on or before the due date.
	OnTime TimelinessState = "on_time"
	// Late: done after the due date.
	Late TimelinessState = "late"
	// Overdue: not done, and the due date has passed.
	Overdue TimelinessState = "overdue"
	// Pending: not done, and still within time.
	Pending TimelinessState = "pending"
	// NotApplicable: not due (yet), or no longer needed because the referral ended first.
	NotApplicable TimelinessState = "not_applicable"
)

// Deadline is one deliverable's due date, when it was done, and its state.
type Deadline struct {
	Deliverable Deliverable
	// DueOn is zero while the event it counts from has not happened.
	DueOn calendar.Date
	// DoneOn is zero while not done.
	DoneOn calendar.Date
	State  TimelinessState
}

// Timeliness returns the referral's three deadlines as seen on day today: the initial assessment
// (due 10 working days after sent, done when attended), the first action plan (due 5 working days
// after the assessment was attended, done when first submitted) and the end-of-service report (due 5
// working days after the referral ended, done when submitted). The assessment and action plan are no
// longer needed once the referral has ended without them.
func Timeliness(r Referral, today calendar.Date) []Deadline {
	stopped := r.Status == StatusConcluded || !r.EndedOn.IsZero()
	return []Deadline{
		deadline(DeliverableAssessment, r.AssessmentDueOn, r.AssessedOn, stopped, today),
		deadline(DeliverableActionPlan, r.ActionPlanDueOn, dateOf(r.FirstActionPlanSubmittedAt), stopped, today),
		deadline(DeliverableEndOfServiceReport, r.EndOfServiceReportDueOn, dateOf(r.EndOfServiceReportSubmittedAt), false, today),
	}
}

// OverdueItems returns the deliverables among ds that are overdue.
func OverdueItems(ds []Deadline) []Deliverable {
	out := []Deliverable{}
	for _, d := range ds {
		if d.State == Overdue {
			out = append(out, d.Deliverable)
		}
	}
	return out
}

func deadline(what Deliverable, due, done calendar.Date, stopped bool, today calendar.Date) Deadline {
	d := Deadline{Deliverable: what, DueOn: due, DoneOn: done}
	switch {
	case due.IsZero():
		d.State = NotApplicable
	case !done.IsZero() && done.After(due):
		d.State = Late
	case !done.IsZero():
		d.State = OnTime
	case stopped:
		d.State = NotApplicable
	case today.After(due):
		d.State = Overdue
	default:
		d.State = Pending
	}
	return d
}

func dateOf(t *time.Time) calendar.Date {
	if t == nil {
		return calendar.Date{}
	}
	return calendar.BusinessDay(*t)
}
