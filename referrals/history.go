package referrals

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/google/uuid"
)

// The audit actions of a referral's timeline. Every change to a referral or to one of its
// appointments, action plans, reports, amendments or case notes is recorded against the referral
// (entity type "referral" and its id), the action naming the sub-record, so that the history is
// one read of the audit trail.
const (
	AuditCreated           = "referral.created"
	AuditUpdated           = "referral.updated"
	AuditDraftDeleted      = "referral.draft_deleted"
	AuditSent              = "referral.sent"
	AuditCaseworker        = "referral.caseworker_assigned"
	AuditAssessmentBooked  = "referral.assessment_booked"
	AuditSessionBooked     = "referral.session_booked"
	AuditRescheduled       = "referral.appointment_rescheduled"
	AuditAttendance        = "referral.attendance_recorded"
	AuditActionPlan        = "referral.action_plan_submitted"
	AuditActionPlanApprove = "referral.action_plan_approved"
	AuditReport            = "referral.end_of_service_report_submitted"
	AuditWithdrawn         = "referral.withdrawn"
	AuditAmended           = "referral.amended"
	AuditCaseNote          = "referral.case_note_added"
)

// entityType is the audit entity type of referrals and everything recorded on them.
const entityType = "referral"

// facts is what an audit record of a referral holds (its "after"): enough for the timeline's summary
// without reading the sub-records back.
type facts struct {
	Status           Status          `json:"status,omitempty"`
	Reference        string          `json:"reference,omitempty"`
	ContractID       *uuid.UUID      `json:"contract_id,omitempty"`
	CRN              string          `json:"crn,omitempty"`
	Fields           []string        `json:"fields,omitempty"`
	CaseworkerID     *uuid.UUID      `json:"caseworker_id,omitempty"`
	AppointmentID    *uuid.UUID      `json:"appointment_id,omitempty"`
	Kind             AppointmentKind `json:"kind,omitempty"`
	SessionNumber    int             `json:"session_number,omitempty"`
	StartsAt         *time.Time      `json:"starts_at,omitempty"`
	Attendance       Attendance      `json:"attendance,omitempty"`
	RequestedBy      RequestedBy     `json:"requested_by,omitempty"`
	Reason           string          `json:"reason,omitempty"`
	ActionPlanID     *uuid.UUID      `json:"action_plan_id,omitempty"`
	NumberOfSessions int             `json:"number_of_sessions,omitempty"`
	Automatic        bool            `json:"automatic,omitempty"`
	WithdrawalReason string          `json:"withdrawal_reason_code,omitempty"`
	Counted          *bool           `json:"counted,omitempty"`
	EndState         EndState        `json:"end_state,omitempty"`
	CaseNoteID       *uuid.UUID      `json:"case_note_id,omitempty"`
	Subject          string          `json:"subject,omitempty"`
}

// HistoryEvent is one event of a referral's timeline.
type HistoryEvent struct {
	At         time.Time
	ActorEmail string
	ActorRole  string
	Action     string
	Summary    string
}

// summarise describes an audit record of a referral for people.
func summarise(action string, after json.RawMessage) string {
	var f facts
	if len(after) > 0 {
		_ = json.Unmarshal(after, &f) // a record written before a field existed still summarises
	}
	what := "initial assessment"
	if f.Kind == KindSession {
		what = fmt.Sprintf("session %d", f.SessionNumber)
	}
	when := ""
	if f.StartsAt != nil {
		when = f.StartsAt.In(calendar.London).Format("2 January 2006 15:04")
	}
	switch action {
	case AuditCreated:
		return "Draft created for " + f.CRN
	case AuditUpdated:
		return "Draft updated: " + strings.Join(f.Fields, ", ")
	case AuditDraftDeleted:
		if f.Reason != "" {
			return "Draft deleted: " + f.Reason
		}
		return "Draft deleted"
	case AuditSent:
		return "Referral sent as " + f.Reference
	case AuditCaseworker:
		return "Caseworker assigned"
	case AuditAssessmentBooked:
		return "Initial assessment booked for " + when
	case AuditSessionBooked:
		return fmt.Sprintf("Session %d booked for %s", f.SessionNumber, when)
	case AuditRescheduled:
		return fmt.Sprintf("The %s moved to %s at the request of the %s: %s", what, when,
			strings.ToLower(strings.ReplaceAll(string(f.RequestedBy), "_", " ")), f.Reason)
	case AuditAttendance:
		return fmt.Sprintf("Attendance at the %s recorded: %s", what, f.Attendance)
	case AuditActionPlan:
		return fmt.Sprintf("Action plan submitted with %d sessions", f.NumberOfSessions)
	case AuditActionPlanApprove:
		if f.Automatic {
			return "Action plan approved automatically"
		}
		return "Action plan approved"
	case AuditReport:
		return "End-of-service report submitted; the referral concluded " + string(f.EndState)
	case AuditWithdrawn:
		return fmt.Sprintf("Referral withdrawn (%s); now %s", f.WithdrawalReason, f.Status)
	case AuditAmended:
		return fmt.Sprintf("Amended %s: %s", strings.Join(f.Fields, ", "), f.Reason)
	case AuditCaseNote:
		return "Case note added: " + f.Subject
	}
	return action
}
