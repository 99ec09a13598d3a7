package referrals

import (
	"fmt"
	"slices"

	"github.com/crsplatform/crs/internal/apperr"
)

// Action is something done to a referral that its status must allow.
type Action string

// The actions. Each names the verb used in refusals ("cannot <verb>: the referral is SENT").
const (
	ActionUpdateDraft Action = "update the draft"
	ActionDeleteDraft Action = "delete the draft"
	ActionSend        Action = "send the referral"
	// ActionAssign assigns the first caseworker (SENT -> ASSIGNED) or reassigns one later.
	ActionAssign                   Action = "assign a caseworker"
	ActionBookAssessment           Action = "book the initial assessment"
	ActionRescheduleAssessment     Action = "reschedule the initial assessment"
	ActionRecordAssessmentAttended Action = "record the initial assessment as attended"
	// ActionRecordAssessmentMissed returns the referral to ASSIGNED, so that the supplier books again.
	ActionRecordAssessmentMissed Action = "record the initial assessment as missed"
	// ActionSubmitActionPlan submits the first action plan or, before approval, a new version.
	ActionSubmitActionPlan  Action = "submit an action plan"
	ActionApproveActionPlan Action = "approve the action plan"
	ActionBookSession       Action = "book a delivery session"
	ActionRescheduleSession Action = "reschedule a delivery session"
	// ActionRecordSession records a session's attendance; the first one recorded starts delivery.
	ActionRecordSession Action = "record a delivery session"
	// ActionCompleteDelivery ends delivery once every planned session was attended.
	ActionCompleteDelivery         Action = "complete delivery"
	ActionSubmitEndOfServiceReport Action = "submit the end-of-service report"
	// ActionWithdraw withdraws a referral none of whose sessions was attended: it concludes CANCELLED.
	ActionWithdraw Action = "withdraw the referral"
	// ActionWithdrawAfterSessions withdraws a referral with a session attended: it awaits its
	// end-of-service report.
	ActionWithdrawAfterSessions Action = "withdraw the referral after sessions were attended"
	// ActionAmend changes the deadline, the enforceable days or the person's needs.
	ActionAmend Action = "amend the referral"
	// ActionAmendServices changes complexity levels or desired outcomes.
	ActionAmendServices Action = "amend complexity levels or desired outcomes"
	ActionAddCaseNote   Action = "add a case note"
)

// rule is one allowed move: the action in status from leads to status to.
type rule struct {
	action   Action
	from, to Status
}

// refusal gives a more specific code than invalid_transition to an action refused in some statuses.
type refusal struct {
	action Action
	from   []Status
	code   string
	why    string
}

var (
	// sentStatuses are the statuses after sending and before conclusion.
	sentStatuses = []Status{StatusSent, StatusAssigned, StatusAssessmentBooked, StatusAssessed, StatusActionPlanSubmitted,
		StatusActionPlanApproved, StatusInDelivery, StatusAwaitingEndOfServiceReport}
	beforeAssessment = []Status{StatusSent, StatusAssigned, StatusAssessmentBooked}
	beforeApproval   = []Status{StatusSent, StatusAssigned, StatusAssessmentBooked, StatusAssessed, StatusActionPlanSubmitted}
	approvedOnwards  = []Status{StatusActionPlanApproved, StatusInDelivery, StatusAwaitingEndOfServiceReport}
	delivering       = []Status{StatusActionPlanApproved, StatusInDelivery}
)

// rules is the whole state machine: an action not listed for a status is refused.
var rules = concat(
	[]rule{
		{ActionUpdateDraft, StatusDraft, StatusDraft},
		{ActionDeleteDraft, StatusDraft, StatusDraft},
		{ActionSend, StatusDraft, StatusSent},
		{ActionAssign, StatusSent, StatusAssigned},
		{ActionBookAssessment, StatusAssigned, StatusAssessmentBooked},
		{ActionRescheduleAssessment, StatusAssessmentBooked, StatusAssessmentBooked},
		{ActionRecordAssessmentAttended, StatusAssessmentBooked, StatusAssessed},
		{ActionRecordAssessmentMissed, StatusAssessmentBooked, StatusAssigned},
		{ActionSubmitActionPlan, StatusAssessed, StatusActionPlanSubmitted},
		{ActionSubmitActionPlan, StatusActionPlanSubmitted, StatusActionPlanSubmitted},
		{ActionApproveActionPlan, StatusActionPlanSubmitted, StatusActionPlanApproved},
		{ActionCompleteDelivery, StatusInDelivery, StatusAwaitingEndOfServiceReport},
		{ActionSubmitEndOfServiceReport, StatusAwaitingEndOfServiceReport, StatusConcluded},
		{ActionWithdrawAfterSessions, StatusInDelivery, StatusAwaitingEndOfServiceReport},
		{ActionWithdrawAfterSessions, StatusAwaitingEndOfServiceReport, StatusAwaitingEndOfServiceReport},
	},
	stay(ActionAssign, sentStatuses[1:]...),
	stay(ActionBookSession, delivering...),
	stay(ActionRescheduleSession, delivering...),
	moveTo(ActionRecordSession, StatusInDelivery, delivering...),
	moveTo(ActionWithdraw, StatusConcluded, sentStatuses[:len(sentStatuses)-1]...),
	stay(ActionAmend, sentStatuses...),
	stay(ActionAmendServices, beforeApproval...),
	stay(ActionAddCaseNote, append(slices.Clone(sentStatuses), StatusConcluded)...),
)

var refusals = []refusal{
	{ActionSubmitActionPlan, beforeAssessment, "assessment_not_attended", "the initial assessment has not been attended"},
	{ActionBookSession, beforeApproval, "action_plan_not_approved", "the action plan has not been approved"},
	{ActionRescheduleSession, beforeApproval, "action_plan_not_approved", "the action plan has not been approved"},
	{ActionRecordSession, beforeApproval, "action_plan_not_approved", "the action plan has not been approved"},
	{ActionAmendServices, approvedOnwards, "amendment_not_allowed_after_approval",
		"complexity levels and desired outcomes cannot change once the action plan is approved"},
}

func stay(a Action, from ...Status) []rule { return moveTo(a, "", from...) }

// moveTo lists the moves of a from each status to status to ("" keeps the status).
func moveTo(a Action, to Status, from ...Status) []rule {
	out := make([]rule, len(from))
	for i, s := range from {
		out[i] = rule{a, s, to}
		if to == "" {
			out[i].to = s
		}
	}
	return out
}

func concat(lists ...[]rule) []rule {
	var out []rule
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Next returns the status a referral in status s moves to when action a is done. A refused action
// returns a conflict naming the current status: code invalid_transition, or assessment_not_attended
// (an action plan before the assessment was attended), action_plan_not_approved (sessions before
// the plan was approved) or amendment_not_allowed_after_approval (complexity or outcomes after
// approval).
func Next(s Status, a Action) (Status, error) {
	for _, r := range rules {
		if r.action == a && r.from == s {
			return r.to, nil
		}
	}
	for _, r := range refusals {
		if r.action == a && slices.Contains(r.from, s) {
			return "", apperr.Conflict(r.code, fmt.Sprintf("cannot %s: %s (the referral is %s)", a, r.why, s))
		}
	}
	return "", apperr.Conflict("invalid_transition", fmt.Sprintf("cannot %s: the referral is %s", a, s))
}
