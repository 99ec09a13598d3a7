package referrals

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/notify"
)

// step is one change to a referral, inside its transaction, with the referral's row locked.
type step struct {
	ctx   context.Context
	tx    *gorm.DB
	a     actor.Actor
	r     Referral
	c     contracts.Contract
	now   time.Time
	today calendar.Date
}

func (st *step) audit(action string, f facts) error {
	return audit.Record(st.ctx, st.tx, st.a, audit.Change{Action: action, EntityType: entityType, EntityID: st.r.ID, After: f})
}

// notifyPractitioner tells the referral's practitioner about a change.
func (st *step) notifyPractitioner(kind, title, body string) error {
	return notify.Send(st.ctx, st.tx, []uuid.UUID{st.r.PractitionerID}, notify.Message{Kind: kind, Title: title, Body: body,
		EntityType: entityType, EntityID: st.r.ID})
}

func (st *step) notifySuppliers(kind, title, body string) error {
	return notifySuppliers(st.ctx, st.tx, st.c, notify.Message{Kind: kind, Title: title, Body: body, EntityType: entityType, EntityID: st.r.ID})
}

// appointment returns one of the referral's appointments, with all of them.
func (st *step) appointment(id uuid.UUID) (Appointment, []Appointment, error) {
	appts, err := loadAppointments(st.ctx, st.tx, st.r.ID)
	if err != nil {
		return Appointment{}, nil, err
	}
	for _, a := range appts {
		if a.ID == id {
			return a, appts, nil
		}
	}
	return Appointment{}, nil, apperr.NotFound("appointment")
}

// approvedPlan returns the referral's approved action plan.
func (st *step) approvedPlan() (ActionPlan, bool, error) {
	plans, err := loadActionPlans(st.ctx, st.tx, st.r.ID)
	if err != nil {
		return ActionPlan{}, false, err
	}
	for i := len(plans) - 1; i >= 0; i-- {
		if plans[i].ApprovedAt != nil {
			return plans[i], true, nil
		}
	}
	return ActionPlan{}, false, nil
}

// change runs fn on the referral, read and locked in one transaction, then saves the referral fn
// returns with the next version and answers its detail. version is the one the client read (If-Match):
// another answers 412 before fn runs. op names the operation in errors.
func (s *Service) change(ctx context.Context, a actor.Actor, id uuid.UUID, version int, op string, fn func(st *step) (Referral, error)) (Detail, error) {
	var out Detail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, c, err := s.access(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		if err := checkVersion(r, version); err != nil {
			return err
		}
		st := &step{ctx: ctx, tx: tx, a: a, r: r, c: c, now: s.now(), today: s.Today()}
		updated, err := fn(st)
		if err != nil {
			return err
		}
		updated.Version, updated.UpdatedAt = r.Version+1, st.now
		if err := saveReferral(ctx, tx, updated, r.Version); err != nil {
			return err
		}
		out, err = s.detail(ctx, tx, updated, c)
		return err
	})
	if err != nil {
		return Detail{}, fmt.Errorf("%s (referral %s): %w", op, id, err)
	}
	return out, nil
}

// Assign makes a user of the contract's prime or of a current subcontractor the referral's
// caseworker (supplier users only). The first assignment moves SENT to ASSIGNED; later ones keep the
// status. A user outside the supply chain is invalid (caseworker_id, caseworker_not_in_supply_chain).
func (s *Service) Assign(ctx context.Context, a actor.Actor, id uuid.UUID, version int, caseworkerID uuid.UUID) (Detail, error) {
	return s.change(ctx, a, id, version, "assign caseworker", func(st *step) (Referral, error) {
		r := st.r
		if err := requireSupplier(a); err != nil {
			return r, err
		}
		status, err := Next(r.Status, ActionAssign)
		if err != nil {
			return r, err
		}
		org, ok, err := userSupplier(ctx, st.tx, caseworkerID)
		if err != nil {
			return r, err
		}
		if !ok || !st.c.HasSupplier(org) {
			return r, apperr.Invalid("the caseworker cannot work this referral", apperr.FieldError{Field: "caseworker_id",
				Code: "caseworker_not_in_supply_chain", Message: "The caseworker must be a user of the contract's prime or of one of its current subcontractors."})
		}
		r.Status, r.CaseworkerID, r.AssignedAt = status, &caseworkerID, &st.now
		if err := st.audit(AuditCaseworker, facts{Status: status, CaseworkerID: &caseworkerID}); err != nil {
			return r, err
		}
		err = notify.Send(ctx, st.tx, []uuid.UUID{caseworkerID}, notify.Message{Kind: "referral_assigned", Title: "Referral " + r.Reference + " assigned to you",
			Body: fmt.Sprintf("You are the caseworker of referral %s on contract %s.", r.Reference, st.c.Reference), EntityType: entityType, EntityID: r.ID})
		return r, err
	})
}

// BookAssessment books the initial assessment (supplier users; the referral must be ASSIGNED, which a
// missed assessment returns it to). The slot is checked by CheckSlot.
func (s *Service) BookAssessment(ctx context.Context, a actor.Actor, id uuid.UUID, version int, slot Slot) (Detail, error) {
	return s.change(ctx, a, id, version, "book assessment", func(st *step) (Referral, error) {
		return st.book(KindAssessment, 0, slot)
	})
}

// BookSession books delivery session n of the approved action plan (supplier users; 409
// action_plan_not_approved before approval). See CheckSessionBooking and CheckSlot.
func (s *Service) BookSession(ctx context.Context, a actor.Actor, id uuid.UUID, version, n int, slot Slot) (Detail, error) {
	return s.change(ctx, a, id, version, "book session", func(st *step) (Referral, error) {
		return st.book(KindSession, n, slot)
	})
}

func (st *step) book(kind AppointmentKind, n int, slot Slot) (Referral, error) {
	r := st.r
	if err := requireSupplier(st.a); err != nil {
		return r, err
	}
	action, auditAction := ActionBookAssessment, AuditAssessmentBooked
	if kind == KindSession {
		action, auditAction = ActionBookSession, AuditSessionBooked
	}
	status, err := Next(r.Status, action)
	if err != nil {
		return r, err
	}
	if kind == KindSession {
		plan, ok, err := st.approvedPlan()
		if err != nil {
			return r, err
		}
		if !ok {
			return r, apperr.Conflict("action_plan_not_approved", "the action plan has not been approved")
		}
		appts, err := loadAppointments(st.ctx, st.tx, r.ID)
		if err != nil {
			return r, err
		}
		if err := CheckSessionBooking(appts, n, plan.NumberOfSessions); err != nil {
			return r, err
		}
	}
	slot.Address = strings.TrimSpace(slot.Address)
	if problems := CheckSlot(slot, *r.SentAt, st.now); len(problems) > 0 {
		return r, apperr.Invalid("the appointment cannot be booked", problems...)
	}
	appt := Appointment{ID: ids.New(), Kind: kind, SessionNumber: n, Slot: slot, CreatedBy: st.a.UserID, CreatedAt: st.now}
	if err := insertAppointment(st.ctx, st.tx, r.ID, appt); err != nil {
		return r, err
	}
	r.Status = status
	starts := slot.StartsAt.UTC()
	return r, st.audit(auditAction, facts{Status: status, AppointmentID: &appt.ID, Kind: kind, SessionNumber: n, StartsAt: &starts})
}

// RescheduleParams are the inputs of Reschedule.
type RescheduleParams struct {
	Slot        Slot
	RequestedBy RequestedBy
	Reason      string
}

// Reschedule moves an appointment not yet recorded (supplier users; 409 appointment_already_recorded
// otherwise), keeping the change with who asked for it and why (reason required).
func (s *Service) Reschedule(ctx context.Context, a actor.Actor, id, appointmentID uuid.UUID, version int, p RescheduleParams) (Detail, error) {
	return s.change(ctx, a, id, version, "reschedule appointment", func(st *step) (Referral, error) {
		r := st.r
		if err := requireSupplier(a); err != nil {
			return r, err
		}
		appt, _, err := st.appointment(appointmentID)
		if err != nil {
			return r, err
		}
		action := ActionRescheduleAssessment
		if appt.Kind == KindSession {
			action = ActionRescheduleSession
		}
		if _, err := Next(r.Status, action); err != nil {
			return r, err
		}
		if appt.Feedback != nil {
			return r, apperr.Conflict("appointment_already_recorded", "attendance at this appointment is recorded: book a new one instead")
		}
		p.Slot.Address = strings.TrimSpace(p.Slot.Address)
		problems := CheckSlot(p.Slot, *r.SentAt, st.now)
		reason := strings.TrimSpace(p.Reason)
		if reason == "" {
			problems = append(problems, apperr.FieldError{Field: "reason", Code: "required", Message: "Say why the appointment moves."})
		}
		if len(problems) > 0 {
			return r, apperr.Invalid("the appointment cannot be moved", problems...)
		}
		change := AppointmentChange{ID: ids.New(), Previous: appt.Slot, New: p.Slot, RequestedBy: p.RequestedBy, Reason: reason, ChangedBy: a.UserID, ChangedAt: st.now}
		appt.Slot = p.Slot
		if err := saveAppointment(st.ctx, st.tx, r.ID, appt, st.now); err != nil {
			return r, err
		}
		if err := insertAppointmentChange(st.ctx, st.tx, appt.ID, change); err != nil {
			return r, err
		}
		starts := p.Slot.StartsAt.UTC()
		return r, st.audit(AuditRescheduled, facts{Status: r.Status, AppointmentID: &appt.ID, Kind: appt.Kind, SessionNumber: appt.SessionNumber,
			StartsAt: &starts, RequestedBy: p.RequestedBy, Reason: reason})
	})
}

// RecordAttendance records attendance and feedback for an appointment that has started (supplier
// users; 409 attendance_in_future before it starts, attendance_already_recorded the second time).
// An attended assessment makes the referral ASSESSED with its action plan due; a missed one returns
// it to ASSIGNED to be booked again. The first session recorded starts delivery; once every planned
// session is attended, delivery ends on the last one's date and the end-of-service report is due.
func (s *Service) RecordAttendance(ctx context.Context, a actor.Actor, id, appointmentID uuid.UUID, version int, fb Feedback) (Detail, error) {
	return s.change(ctx, a, id, version, "record attendance", func(st *step) (Referral, error) {
		r := st.r
		if err := requireSupplier(a); err != nil {
			return r, err
		}
		appt, appts, err := st.appointment(appointmentID)
		if err != nil {
			return r, err
		}
		action := ActionRecordSession
		if appt.Kind == KindAssessment {
			action = ActionRecordAssessmentMissed
			if fb.Attendance.Attended() {
				action = ActionRecordAssessmentAttended
			}
		}
		status, err := Next(r.Status, action)
		if err != nil {
			return r, err
		}
		switch {
		case appt.Feedback != nil:
			return r, apperr.Conflict("attendance_already_recorded", "attendance at this appointment is already recorded")
		case appt.Slot.StartsAt.After(st.now):
			return r, apperr.Conflict("attendance_in_future", "the appointment has not started yet: record attendance once it has")
		}
		var f apperr.Fields
		for _, t := range []struct{ field, v string }{{"session_summary", fb.SessionSummary}, {"person_response", fb.PersonResponse}, {"concerns", fb.Concerns}} {
			checkLength(&f, t.field, t.v, MaxLongText)
		}
		if err := f.Err("the feedback is not valid"); err != nil {
			return r, err
		}
		recorder := a.UserID
		appt.Feedback, appt.RecordedBy, appt.RecordedAt = &fb, &recorder, &st.now
		if err := saveAppointment(st.ctx, st.tx, r.ID, appt, st.now); err != nil {
			return r, err
		}
		r.Status = status
		if action == ActionRecordAssessmentAttended {
			r.AssessedOn = calendar.BusinessDay(appt.Slot.StartsAt)
			r.ActionPlanDueOn = calendar.AddWorkingDays(r.AssessedOn, ActionPlanWorkingDays)
		}
		if action == ActionRecordSession && fb.Attendance.Attended() {
			if r, err = st.completeDelivery(r, appts, appt); err != nil {
				return r, err
			}
		}
		if err := st.audit(AuditAttendance, facts{Status: r.Status, AppointmentID: &appt.ID, Kind: appt.Kind, SessionNumber: appt.SessionNumber,
			Attendance: fb.Attendance}); err != nil {
			return r, err
		}
		if fb.NotifyPractitioner {
			return r, st.notifyPractitioner("referral_attendance", "Feedback on referral "+r.Reference,
				fmt.Sprintf("The supplier recorded attendance %s at an appointment of referral %s and asks you to read the feedback.", fb.Attendance, r.Reference))
		}
		return r, nil
	})
}

// completeDelivery ends delivery when every planned session is attended, counting appt as recorded.
func (st *step) completeDelivery(r Referral, appts []Appointment, appt Appointment) (Referral, error) {
	plan, ok, err := st.approvedPlan()
	if err != nil {
		return r, err
	}
	if !ok {
		return r, nil
	}
	for i := range appts {
		if appts[i].ID == appt.ID {
			appts[i] = appt
		}
	}
	if SessionsAttended(appts) < plan.NumberOfSessions {
		return r, nil
	}
	status, err := Next(r.Status, ActionCompleteDelivery)
	if err != nil {
		return r, err
	}
	var last calendar.Date
	for _, a := range appts {
		if d := calendar.BusinessDay(a.Slot.StartsAt); a.Kind == KindSession && a.Attended() && d.After(last) {
			last = d
		}
	}
	r.Status, r.EndedOn = status, last
	r.EndOfServiceReportDueOn = calendar.AddWorkingDays(last, EndOfServiceReportWorkingDays)
	return r, nil
}

// ActionPlanParams are the inputs of SubmitActionPlan.
type ActionPlanParams struct {
	Activities       []Activity
	NumberOfSessions int
}

// MaxSessions bounds an action plan's number of sessions.
const MaxSessions = 100

// SubmitActionPlan submits the action plan, or a new version of it before approval (supplier users;
// 409 assessment_not_attended before the assessment was attended). It needs at least one activity
// (activities required, activities[i].description required) and from 1 to MaxSessions sessions
// (invalid_number_of_sessions). With automatic approval configured it is approved at once.
func (s *Service) SubmitActionPlan(ctx context.Context, a actor.Actor, id uuid.UUID, version int, p ActionPlanParams) (Detail, error) {
	return s.change(ctx, a, id, version, "submit action plan", func(st *step) (Referral, error) {
		r := st.r
		if err := requireSupplier(a); err != nil {
			return r, err
		}
		status, err := Next(r.Status, ActionSubmitActionPlan)
		if err != nil {
			return r, err
		}
		var f apperr.Fields
		f.Check(len(p.Activities) > 0, "activities", "required", "The plan needs at least one activity.")
		plan := ActionPlan{ID: ids.New(), NumberOfSessions: p.NumberOfSessions, SubmittedBy: a.UserID, SubmittedAt: st.now}
		for i, act := range p.Activities {
			d := strings.TrimSpace(act.Description)
			path := fmt.Sprintf("activities[%d].description", i)
			f.Check(d != "", path, "required", "Describe the activity.")
			checkLength(&f, path, d, MaxLongText)
			plan.Activities = append(plan.Activities, Activity{Description: d})
		}
		f.Check(p.NumberOfSessions >= 1 && p.NumberOfSessions <= MaxSessions, "number_of_sessions", "invalid_number_of_sessions",
			fmt.Sprintf("The number of sessions must be from 1 to %d.", MaxSessions))
		if err := f.Err("the action plan is not valid"); err != nil {
			return r, err
		}
		if err := insertActionPlan(st.ctx, st.tx, r.ID, plan); err != nil {
			return r, err
		}
		r.Status = status
		if r.FirstActionPlanSubmittedAt == nil {
			r.FirstActionPlanSubmittedAt = &st.now
		}
		if err := st.audit(AuditActionPlan, facts{Status: status, ActionPlanID: &plan.ID, NumberOfSessions: plan.NumberOfSessions}); err != nil {
			return r, err
		}
		if s.cfg.AutoApproveActionPlans {
			return st.approve(r, plan, actor.System("action_plan_auto_approval"))
		}
		return r, st.notifyPractitioner("referral_action_plan", "Action plan to approve for referral "+r.Reference,
			fmt.Sprintf("The supplier submitted an action plan of %d sessions for referral %s.", plan.NumberOfSessions, r.Reference))
	})
}

// ApproveActionPlan approves the referral's latest action plan (its practitioner only). Approving an
// earlier version answers 409 action_plan_superseded; an unknown plan is not found.
func (s *Service) ApproveActionPlan(ctx context.Context, a actor.Actor, id, planID uuid.UUID, version int) (Detail, error) {
	return s.change(ctx, a, id, version, "approve action plan", func(st *step) (Referral, error) {
		r := st.r
		if err := requireOwner(a, r); err != nil {
			return r, err
		}
		plans, err := loadActionPlans(ctx, st.tx, r.ID)
		if err != nil {
			return r, err
		}
		idx := -1
		for i, p := range plans {
			if p.ID == planID {
				idx = i
			}
		}
		if idx < 0 {
			return r, apperr.NotFound("action plan")
		}
		if _, err := Next(r.Status, ActionApproveActionPlan); err != nil {
			return r, err
		}
		if idx != len(plans)-1 {
			return r, apperr.Conflict("action_plan_superseded", "a newer version of the action plan was submitted: approve that one")
		}
		return st.approve(r, plans[idx], a)
	})
}

// approve approves plan as by (the system for automatic approval) and tells the supply chain.
func (st *step) approve(r Referral, plan ActionPlan, by actor.Actor) (Referral, error) {
	status, err := Next(r.Status, ActionApproveActionPlan)
	if err != nil {
		return r, err
	}
	if err := approveActionPlan(st.ctx, st.tx, plan.ID, by.AuditID(), st.now); err != nil {
		return r, err
	}
	r.Status, r.ActionPlanApprovedAt = status, &st.now
	err = audit.Record(st.ctx, st.tx, by, audit.Change{Action: AuditActionPlanApprove, EntityType: entityType, EntityID: r.ID,
		After: facts{Status: status, ActionPlanID: &plan.ID, Automatic: by.System != ""}})
	if err != nil {
		return r, err
	}
	return r, st.notifySuppliers("referral_action_plan_approved", "Action plan approved for referral "+r.Reference,
		fmt.Sprintf("The action plan of referral %s is approved: its %d sessions may be booked.", r.Reference, plan.NumberOfSessions))
}

// ReportParams are the inputs of SubmitEndOfServiceReport.
type ReportParams struct {
	Outcomes           []OutcomeRating
	FurtherInformation string
}

// SubmitEndOfServiceReport submits the report rating every desired outcome (supplier users; see
// CheckRatings) and concludes the referral: CANCELLED when no session was attended,
// PREMATURELY_ENDED when some were, COMPLETED when all planned sessions were.
func (s *Service) SubmitEndOfServiceReport(ctx context.Context, a actor.Actor, id uuid.UUID, version int, p ReportParams) (Detail, error) {
	return s.change(ctx, a, id, version, "submit end-of-service report", func(st *step) (Referral, error) {
		r := st.r
		if err := requireSupplier(a); err != nil {
			return r, err
		}
		status, err := Next(r.Status, ActionSubmitEndOfServiceReport)
		if err != nil {
			return r, err
		}
		further := strings.TrimSpace(p.FurtherInformation)
		problems := CheckRatings(r.OutcomeIDs(), p.Outcomes)
		if len([]rune(further)) > MaxLongText {
			problems = append(problems, apperr.FieldError{Field: "further_information", Code: "too_long", Message: "Further information is too long."})
		}
		if len(problems) > 0 {
			return r, apperr.Invalid("the end-of-service report is not complete", problems...)
		}
		appts, err := loadAppointments(ctx, st.tx, r.ID)
		if err != nil {
			return r, err
		}
		plan, _, err := st.approvedPlan()
		if err != nil {
			return r, err
		}
		report := EndOfServiceReport{Outcomes: p.Outcomes, FurtherInformation: further, SubmittedBy: a.UserID, SubmittedAt: st.now}
		if err := insertReport(ctx, st.tx, r.ID, report); err != nil {
			return r, err
		}
		r.Status, r.EndState = status, EndStateFor(SessionsAttended(appts), plan.NumberOfSessions)
		r.EndOfServiceReportSubmittedAt, r.ConcludedAt = &st.now, &st.now
		if err := st.audit(AuditReport, facts{Status: status, EndState: r.EndState}); err != nil {
			return r, err
		}
		return r, st.notifyPractitioner("referral_concluded", "Referral "+r.Reference+" concluded",
			fmt.Sprintf("The supplier submitted the end-of-service report of referral %s; it concluded %s.", r.Reference, r.EndState))
	})
}
