package referrals_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/referrals"
)

// day returns 10:00 UTC on the day of March 2026.
func day(d int) time.Time { return time.Date(2026, time.March, d, 10, 0, 0, 0, time.UTC) }

// flow drives one referral through the workflow on the bundle's clock (each test has its own
// bundle, as the clock moves).
type flow struct {
	b *testBundle
	r referrals.ReferralResponse
}

func (b *testBundle) flow(crnValue string) *flow { return &flow{b: b, r: b.sent(crnValue)} }

func (f *flow) post(token, rest string, body any) referrals.ReferralResponse {
	f.b.env.T.Helper()
	f.r = f.b.post(token, path(f.r.ID, rest), body)
	return f.r
}

func (f *flow) expect(token, rest string, body any, status int, code string) {
	f.b.env.T.Helper()
	f.b.act(http.MethodPost, token, path(f.r.ID, rest), body).ExpectProblem(status, code)
}

func (f *flow) last() referrals.ReferralResponse { return f.r }

func (f *flow) appointment(i int) uuid.UUID { return f.r.Appointments[i].ID }

func (f *flow) assign() {
	f.post(f.b.primeUser.Token, "/caseworker", map[string]any{"caseworker_id": f.b.subUser.ID.String()})
}

// assess books the assessment on 9 March, and records it at noon.
func (f *flow) assess(attendance string) {
	f.post(f.b.primeUser.Token, "/assessment", slot(day(9)))
	f.b.setNow(day(9).Add(2 * time.Hour))
	f.post(f.b.primeUser.Token, "/appointments/"+f.appointment(len(f.r.Appointments)-1).String()+"/attendance",
		map[string]any{"attendance": attendance, "session_summary": "Talked through housing options."})
}

// plan submits an action plan of n sessions and has the practitioner approve it.
func (f *flow) plan(n int) {
	f.post(f.b.primeUser.Token, "/action-plans", map[string]any{"activities": []map[string]any{{"description": "Find a tenancy"}}, "number_of_sessions": n})
	f.post(f.b.pp.Token, "/action-plans/"+f.r.ActionPlans[len(f.r.ActionPlans)-1].ID.String()+"/approve", nil)
}

// session books session n on 9 + n March and records it at noon that day.
func (f *flow) session(n int, attendance string) {
	f.post(f.b.primeUser.Token, "/sessions", map[string]any{"session_number": n, "starts_at": day(9 + n).Format(time.RFC3339),
		"duration_minutes": 60, "method": "IN_PERSON", "address": "12 High Street, London"})
	f.b.setNow(day(9 + n).Add(2 * time.Hour))
	f.post(f.b.primeUser.Token, "/appointments/"+f.appointment(len(f.r.Appointments)-1).String()+"/attendance", map[string]any{"attendance": attendance})
}

// report submits the end-of-service report rating every outcome.
func (f *flow) report() referrals.ReferralResponse {
	var ratings []map[string]any
	for _, s := range f.r.ServiceCategories {
		for _, o := range s.DesiredOutcomeIDs {
			ratings = append(ratings, map[string]any{"outcome_id": o.String(), "achievement": "ACHIEVED", "notes": "Settled."})
		}
	}
	return f.post(f.b.primeUser.Token, "/end-of-service-report", map[string]any{"outcomes": ratings})
}

func TestWorkflowToCompletion(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.flow(crn())
	f.assign()
	if r := f.last(); r.Status != referrals.StatusAssigned || r.CaseworkerID == nil || *r.CaseworkerID != b.subUser.ID {
		t.Fatalf("assigned %+v", r)
	}
	if b.notificationCount(b.subUser.ID, "referral_assigned") != 1 {
		t.Error("the caseworker was not told")
	}
	f.assess("YES")
	r := f.last()
	if r.Status != referrals.StatusAssessed || r.Timeliness.Items[0].State != referrals.OnTime || r.Timeliness.Items[0].DoneOn.String() != "2026-03-09" ||
		r.Timeliness.Items[1].DueOn.String() != "2026-03-16" {
		t.Fatalf("assessed %+v", r.Timeliness)
	}
	f.plan(2)
	if r := f.last(); r.Status != referrals.StatusActionPlanApproved || r.ActionPlans[0].ApprovedBy == nil || *r.ActionPlans[0].ApprovedBy != b.pp.ID ||
		r.Timeliness.Items[1].State != referrals.OnTime {
		t.Fatalf("approved %+v", r)
	}
	f.session(1, "YES")
	if r := f.last(); r.Status != referrals.StatusInDelivery {
		t.Fatalf("after session 1: %s", r.Status)
	}
	f.session(2, "LATE")
	r = f.last()
	if r.Status != referrals.StatusAwaitingEndOfServiceReport || r.EndedOn.String() != "2026-03-11" || r.Timeliness.Items[2].DueOn.String() != "2026-03-18" {
		t.Fatalf("after session 2: %s ended %v, %+v", r.Status, r.EndedOn, r.Timeliness.Items[2])
	}
	r = f.report()
	if r.Status != referrals.StatusConcluded || r.EndState == nil || *r.EndState != referrals.EndCompleted || r.EndOfServiceReport == nil ||
		r.Timeliness.Items[2].State != referrals.OnTime || r.Timeliness.Overdue || !r.Counted {
		t.Fatalf("concluded %+v", r)
	}
	if b.notificationCount(b.pp.ID, "referral_concluded") != 1 {
		t.Error("the practitioner was not told of the conclusion")
	}

	var h struct {
		Items []struct {
			Action, Summary string
			ActorEmail      string `json:"actor_email"`
			ActorRole       string `json:"actor_role"`
		}
	}
	b.env.Get(b.commissioner("J").Token, path(r.ID, "/history")).Expect(http.StatusOK).JSON(&h)
	var actions []string
	for _, e := range h.Items {
		actions = append(actions, e.Action)
	}
	want := []string{referrals.AuditCreated, referrals.AuditUpdated, referrals.AuditSent, referrals.AuditCaseworker, referrals.AuditAssessmentBooked,
		referrals.AuditAttendance, referrals.AuditActionPlan, referrals.AuditActionPlanApprove, referrals.AuditSessionBooked, referrals.AuditAttendance,
		referrals.AuditSessionBooked, referrals.AuditAttendance, referrals.AuditReport}
	if !slices.Equal(actions, want) {
		t.Fatalf("history %q\nwant %q", actions, want)
	}
	if s := h.Items[2]; s.Summary != "Referral sent as "+*r.Reference || s.ActorEmail != b.pp.Email || s.ActorRole != "practitioner" {
		t.Errorf("sent event %+v", s)
	}
	if s := h.Items[len(h.Items)-1].Summary; !strings.Contains(s, "COMPLETED") {
		t.Errorf("last summary %q", s)
	}
}

func TestAssessmentRules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.flow(crn())
	tok := b.primeUser.Token
	f.expect(tok, "/assessment", slot(day(9)), http.StatusConflict, "invalid_transition")
	f.expect(tok, "/caseworker", map[string]any{"caseworker_id": b.otherUser.ID.String()}, http.StatusBadRequest, "caseworker_not_in_supply_chain")
	f.expect(tok, "/caseworker", map[string]any{"caseworker_id": b.pp.ID.String()}, http.StatusBadRequest, "caseworker_not_in_supply_chain")
	f.assign()
	f.post(tok, "/caseworker", map[string]any{"caseworker_id": b.primeUser.ID.String()}) // reassign keeps the status
	if f.last().Status != referrals.StatusAssigned || *f.last().CaseworkerID != b.primeUser.ID {
		t.Fatalf("reassigned %+v", f.last())
	}
	f.expect(tok, "/action-plans", map[string]any{"activities": []map[string]any{{"description": "x"}}, "number_of_sessions": 1},
		http.StatusConflict, "assessment_not_attended")
	expectField(t, b.act(http.MethodPost, tok, path(f.r.ID, "/assessment"), slot(testNow.Add(-time.Hour))), http.StatusBadRequest, "starts_at", "appointment_before_sent")
	expectField(t, b.act(http.MethodPost, tok, path(f.r.ID, "/assessment"), slot(testNow.AddDate(0, 7, 0))), http.StatusBadRequest, "starts_at", "appointment_too_far_ahead")
	expectField(t, b.act(http.MethodPost, tok, path(f.r.ID, "/assessment"), slot(day(9), func(m map[string]any) { m["method"] = "IN_PERSON" })),
		http.StatusBadRequest, "address", "required")
	f.post(tok, "/assessment", slot(day(9)))
	appt := f.appointment(0)
	f.expect(tok, "/appointments/"+appt.String()+"/attendance", map[string]any{"attendance": "YES"}, http.StatusConflict, "attendance_in_future")
	f.post(tok, "/appointments/"+appt.String()+"/reschedule", slot(day(10), func(m map[string]any) {
		m["requested_by"], m["reason"] = "PERSON_ON_PROBATION", "Hospital appointment"
	}))
	expectField(t, b.act(http.MethodPost, tok, path(f.r.ID, "/appointments/"+appt.String()+"/reschedule"), slot(day(11), func(m map[string]any) {
		m["requested_by"] = "PRACTITIONER"
	})), http.StatusBadRequest, "reason", "required")
	if a := f.last().Appointments[0]; !a.StartsAt.Equal(day(10)) || len(a.Changes) != 1 || a.Changes[0].RequestedBy != referrals.RequestedByPersonOnProbation ||
		!a.Changes[0].Previous.StartsAt.Equal(day(9)) {
		t.Fatalf("rescheduled %+v", a)
	}
	b.setNow(day(10).Add(time.Hour))
	f.post(tok, "/appointments/"+appt.String()+"/attendance", map[string]any{"attendance": "NO", "concerns": "Did not answer", "notify_practitioner": true})
	if f.last().Status != referrals.StatusAssigned || f.last().Timeliness.Items[0].DoneOn != nil {
		t.Fatalf("a missed assessment leaves %s", f.last().Status)
	}
	if b.notificationCount(b.pp.ID, "referral_attendance") != 1 {
		t.Error("the practitioner was not told of the feedback")
	}
	f.expect(tok, "/appointments/"+appt.String()+"/attendance", map[string]any{"attendance": "YES"}, http.StatusConflict, "invalid_transition")
	f.post(tok, "/assessment", slot(day(12)))
	f.expect(tok, "/appointments/"+appt.String()+"/reschedule", slot(day(13), func(m map[string]any) {
		m["requested_by"], m["reason"] = "SUPPLIER", "staff sickness"
	}), http.StatusConflict, "appointment_already_recorded")
	b.setNow(day(12).Add(time.Hour))
	second := f.appointment(1)
	f.post(tok, "/appointments/"+second.String()+"/attendance", map[string]any{"attendance": "LATE"})
	f.expect(tok, "/appointments/"+second.String()+"/attendance", map[string]any{"attendance": "YES"}, http.StatusConflict, "invalid_transition")
	if r := f.last(); r.Status != referrals.StatusAssessed || r.Timeliness.Items[0].DoneOn.String() != "2026-03-12" {
		t.Fatalf("assessed %+v", r.Timeliness)
	}
}

func TestActionPlansAndSessions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.flow(crn())
	tok := b.primeUser.Token
	f.assign()
	f.assess("YES")
	f.expect(tok, "/sessions", map[string]any{"session_number": 1, "starts_at": day(10).Format(time.RFC3339), "duration_minutes": 60, "method": "PHONE"},
		http.StatusConflict, "action_plan_not_approved")
	expectField(t, b.act(http.MethodPost, tok, path(f.r.ID, "/action-plans"), map[string]any{"activities": []map[string]any{}, "number_of_sessions": 0}),
		http.StatusBadRequest, "number_of_sessions", "invalid_number_of_sessions")
	f.post(tok, "/action-plans", map[string]any{"activities": []map[string]any{{"description": "Budgeting"}}, "number_of_sessions": 3})
	first := f.last().ActionPlans[0].ID
	f.expect(tok, "/sessions", map[string]any{"session_number": 1, "starts_at": day(10).Format(time.RFC3339), "duration_minutes": 60, "method": "PHONE"},
		http.StatusConflict, "action_plan_not_approved")
	f.post(tok, "/action-plans", map[string]any{"activities": []map[string]any{{"description": "Budgeting"}, {"description": "Viewing"}}, "number_of_sessions": 2})
	if r := f.last(); r.Status != referrals.StatusActionPlanSubmitted || len(r.ActionPlans) != 2 {
		t.Fatalf("second version %+v", r.ActionPlans)
	}
	f.expect(b.pp.Token, "/action-plans/"+first.String()+"/approve", nil, http.StatusConflict, "action_plan_superseded")
	f.expect(b.primeUser.Token, "/action-plans/"+f.r.ActionPlans[1].ID.String()+"/approve", nil, http.StatusForbidden, "role_not_allowed")
	f.expect(b.pp.Token, "/action-plans/"+uuid.NewString()+"/approve", nil, http.StatusNotFound, "not_found")
	f.post(b.pp.Token, "/action-plans/"+f.r.ActionPlans[1].ID.String()+"/approve", nil)
	f.expect(tok, "/action-plans", map[string]any{"activities": []map[string]any{{"description": "x"}}, "number_of_sessions": 1},
		http.StatusConflict, "invalid_transition")
	expectField(t, b.act(http.MethodPost, tok, path(f.r.ID, "/sessions"), map[string]any{"session_number": 3, "starts_at": day(10).Format(time.RFC3339),
		"duration_minutes": 60, "method": "PHONE"}), http.StatusBadRequest, "session_number", "session_number_out_of_range")
	f.expect(tok, "/end-of-service-report", map[string]any{"outcomes": []map[string]any{}}, http.StatusConflict, "invalid_transition")
	f.session(1, "NO")
	if f.last().Status != referrals.StatusInDelivery {
		t.Fatalf("after a missed session: %s", f.last().Status)
	}
	f.session(1, "YES") // a missed session is booked again
	f.expect(tok, "/sessions", map[string]any{"session_number": 1, "starts_at": day(20).Format(time.RFC3339), "duration_minutes": 60, "method": "PHONE"},
		http.StatusConflict, "session_already_attended")
	if f.last().Status != referrals.StatusInDelivery {
		t.Fatalf("one of two sessions attended: %s", f.last().Status)
	}
	f.session(2, "YES")
	if f.last().Status != referrals.StatusAwaitingEndOfServiceReport {
		t.Fatalf("both sessions attended: %s", f.last().Status)
	}
	outcomes := f.last().ServiceCategories[0].DesiredOutcomeIDs
	expectField(t, b.act(http.MethodPost, tok, path(f.r.ID, "/end-of-service-report"), map[string]any{"outcomes": []map[string]any{
		{"outcome_id": outcomes[0].String(), "achievement": "ACHIEVED"}}}), http.StatusBadRequest, "outcomes", "outcome_not_rated")
	if r := f.report(); *r.EndState != referrals.EndCompleted {
		t.Errorf("end state %s", *r.EndState)
	}
}

func TestAutomaticApproval(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{autoApprove: true})
	f := b.flow(crn())
	f.assign()
	f.assess("YES")
	f.post(b.primeUser.Token, "/action-plans", map[string]any{"activities": []map[string]any{{"description": "Tenancy support"}}, "number_of_sessions": 1})
	if r := f.last(); r.Status != referrals.StatusActionPlanApproved || r.ActionPlans[0].ApprovedAt == nil || r.ActionPlans[0].ApprovedBy != nil {
		t.Fatalf("auto-approved %+v", r)
	}
	var actor string
	b.env.DB.Gorm.Raw(`SELECT actor_email FROM audit_events WHERE entity_id = ? AND action = ?`, f.r.ID, referrals.AuditActionPlanApprove).Scan(&actor)
	if actor != "system:action_plan_auto_approval" {
		t.Errorf("approval audited as %q", actor)
	}
}

func TestWithdraw(t *testing.T) {
	t.Parallel()

	t.Run("before any session: cancelled at once, uncounted for a mistake, jobs and notifications", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		f := b.flow(crn())
		f.assign()
		f.expect(b.pp.Token, "/withdraw", map[string]any{"reason_code": "XXX"}, http.StatusBadRequest, "unknown_withdrawal_reason")
		other := b.practitioner("J")
		f.expect(other.Token, "/withdraw", map[string]any{"reason_code": "MIS"}, http.StatusForbidden, "not_referral_owner")
		// the send's refresh has run: the withdrawal must ask for its own
		b.env.DB.Gorm.Exec(`DELETE FROM river_job WHERE kind = 'refresh_contract_volumes'`)
		r := f.post(b.pp.Token, "/withdraw", map[string]any{"reason_code": "MIS", "comment": "Sent to the wrong contract."})
		if r.Status != referrals.StatusConcluded || *r.EndState != referrals.EndCancelled || r.Counted || r.Withdrawal == nil ||
			r.Withdrawal.ReasonCode != "MIS" || r.EndedOn.String() != "2026-03-06" {
			t.Fatalf("withdrawn %+v", r)
		}
		if b.jobCount("refresh_contract_volumes", b.contract) != 1 {
			t.Error("the withdrawal asked for no volume refresh")
		}
		var events []string
		b.env.DB.Gorm.Raw(`SELECT args->>'event' FROM river_job WHERE kind = 'referral_notify_email' AND args->>'referral_id' = ? ORDER BY id`,
			r.ID.String()).Scan(&events)
		if !slices.Equal(events, []string{"sent", "withdrawn"}) {
			t.Errorf("notify jobs %q", events)
		}
		for _, u := range []apitest.User{b.primeUser, b.subUser} {
			if b.notificationCount(u.ID, "referral_withdrawn") != 1 {
				t.Error("a supplier user was not told")
			}
		}
		f.expect(b.pp.Token, "/withdraw", map[string]any{"reason_code": "NEE"}, http.StatusConflict, "already_withdrawn")
	})

	t.Run("a reason that counts keeps the referral counted", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		r := b.sent(crn())
		if r = b.post(b.pp.Token, path(r.ID, "/withdraw"), map[string]any{"reason_code": "NOT"}); !r.Counted {
			t.Error("withdrawn for not engaging, the referral stopped counting")
		}
	})

	t.Run("after a session: awaiting the report, which ends it prematurely", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		f := b.flow(crn())
		f.assign()
		f.assess("YES")
		f.plan(3)
		f.session(1, "YES")
		b.setNow(day(16).Add(time.Hour))
		r := f.post(b.pp.Token, "/withdraw", map[string]any{"reason_code": "MOV"})
		if r.Status != referrals.StatusAwaitingEndOfServiceReport || r.EndedOn.String() != "2026-03-16" ||
			r.Timeliness.Items[2].DueOn.String() != "2026-03-23" || !r.Counted {
			t.Fatalf("withdrawn in delivery %+v", r)
		}
		f.expect(b.primeUser.Token, "/sessions", map[string]any{"session_number": 2, "starts_at": day(20).Format(time.RFC3339),
			"duration_minutes": 60, "method": "PHONE"}, http.StatusConflict, "invalid_transition")
		if r := f.report(); *r.EndState != referrals.EndPrematurelyEnded {
			t.Errorf("end state %s", *r.EndState)
		}
		f.expect(b.pp.Token, "/withdraw", map[string]any{"reason_code": "MOV"}, http.StatusConflict, "already_withdrawn")
	})

	t.Run("a concluded referral cannot be withdrawn, a draft neither", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		f := b.flow(crn())
		f.assign()
		f.assess("YES")
		f.plan(1)
		f.session(1, "YES")
		f.report()
		f.expect(b.pp.Token, "/withdraw", map[string]any{"reason_code": "MOV"}, http.StatusConflict, "invalid_transition")
		d := b.createDraft(b.pp, b.contract, crn())
		b.act(http.MethodPost, b.pp.Token, path(d.ID, "/withdraw"), map[string]any{"reason_code": "MOV"}).ExpectProblem(http.StatusConflict, "invalid_transition")
	})
}

func TestAmend(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.flow(crn())
	tok := b.pp.Token
	f.expect(tok, "/amendments", map[string]any{"max_enforceable_days": 12}, http.StatusBadRequest, "required")
	f.expect(tok, "/amendments", map[string]any{"reason": "same", "max_enforceable_days": 10}, http.StatusBadRequest, "no_changes")
	f.expect(tok, "/amendments", map[string]any{"reason": "x", "service_categories": []map[string]any{{"service_category_code": "ETE", "complexity_level": "LOW"}}},
		http.StatusBadRequest, "category_not_in_referral")
	outcome := b.outcomes("ACCOMMODATION", 3)[2]
	r := f.post(tok, "/amendments", map[string]any{"reason": "Needs reassessed", "max_enforceable_days": 12,
		"service_categories": []map[string]any{{"service_category_code": "ACCOMMODATION", "complexity_level": "HIGH", "desired_outcome_ids": []string{outcome}}},
		"interpreter_needed": true, "preferred_language": "Polish"})
	if *r.MaxEnforceableDays != 12 || *r.ServiceCategories[0].ComplexityLevel != "HIGH" || len(r.ServiceCategories[0].DesiredOutcomeIDs) != 1 ||
		*r.Person.PreferredLanguage != "Polish" || !*r.Person.InterpreterNeeded {
		t.Fatalf("amended %+v", r)
	}
	var list struct {
		Items []struct {
			Field, Reason string
			Old           any `json:"old_value"`
			New           any `json:"new_value"`
		}
	}
	b.env.Get(b.primeUser.Token, path(r.ID, "/amendments")).Expect(http.StatusOK).JSON(&list)
	var fields []string
	for _, a := range list.Items {
		fields = append(fields, a.Field)
		if a.Reason != "Needs reassessed" {
			t.Errorf("reason %q", a.Reason)
		}
		if a.Field == "max_enforceable_days" && (a.Old != float64(10) || a.New != float64(12)) {
			t.Errorf("days %v -> %v", a.Old, a.New)
		}
	}
	if !slices.Equal(fields, []string{"max_enforceable_days", "service_categories.ACCOMMODATION.complexity_level",
		"service_categories.ACCOMMODATION.desired_outcome_ids", "person.preferred_language", "person.interpreter_needed"}) {
		t.Errorf("amended fields %q", fields)
	}
	if b.notificationCount(b.primeUser.ID, "referral_amended") != 1 || b.jobCount("referral_notify_email", r.ID) != 2 {
		t.Error("the amendment was not notified")
	}
	f.assign()
	f.assess("YES")
	f.plan(1)
	f.expect(tok, "/amendments", map[string]any{"reason": "x", "service_categories": []map[string]any{{"service_category_code": "ACCOMMODATION", "complexity_level": "LOW"}}},
		http.StatusConflict, "amendment_not_allowed_after_approval")
	r = f.post(tok, "/amendments", map[string]any{"reason": "Court extended the order", "completion_deadline": "2026-12-31", "access_needs": "hearing loop"})
	if r.CompletionDeadline.String() != "2026-12-31" || *r.Person.AccessNeeds != "hearing loop" {
		t.Errorf("amended after approval %+v", r)
	}
	f.expect(tok, "/amendments", map[string]any{"reason": "x", "completion_deadline": "2029-01-01"}, http.StatusBadRequest, "deadline_after_contract_end")
	f.expect(b.practitioner("J").Token, "/amendments", map[string]any{"reason": "x", "access_needs": "y"}, http.StatusForbidden, "not_referral_owner")
}

func TestCaseNotes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.sent(crn())
	var note struct {
		ID         uuid.UUID
		AuthorRole string `json:"author_role"`
	}
	b.env.Post(b.primeUser.Token, path(r.ID, "/case-notes"), map[string]any{"subject": "First contact", "body": "Left a voicemail."}).
		Expect(http.StatusCreated).JSON(&note)
	if note.AuthorRole != "supplier" || b.notificationCount(b.pp.ID, "referral_case_note") != 1 {
		t.Errorf("supplier note %+v", note)
	}
	b.env.Post(b.pp.Token, path(r.ID, "/case-notes"), map[string]any{"subject": "Phone number", "body": "Use the mobile."}).Expect(http.StatusCreated)
	if b.notificationCount(b.primeUser.ID, "referral_case_note") != 1 {
		t.Error("the practitioner's note did not reach the supply chain")
	}
	expectField(t, b.env.Post(b.pp.Token, path(r.ID, "/case-notes"), map[string]any{"subject": "", "body": "x"}), http.StatusBadRequest, "subject", "required")
	var notes struct {
		Items []struct{ Subject string }
	}
	res := b.env.Get(b.commissioner("J").Token, path(r.ID, "/case-notes")).Expect(http.StatusOK)
	res.JSON(&notes)
	if len(notes.Items) != 2 || notes.Items[0].Subject != "First contact" {
		t.Errorf("notes %s", res.Body)
	}
	b.env.Get(b.practitioner("J").Token, path(r.ID, "/case-notes")).ExpectProblem(http.StatusForbidden, "not_referral_owner")
	d := b.createDraft(b.pp, b.contract, crn())
	b.env.Post(b.pp.Token, path(d.ID, "/case-notes"), map[string]any{"subject": "x", "body": "y"}).ExpectProblem(http.StatusConflict, "invalid_transition")
}
