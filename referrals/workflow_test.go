package referrals_test

import (
	"strings"
	"testing"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/referrals"
)

const (
	draft     = referrals.StatusDraft
	sent      = referrals.StatusSent
	assigned  = referrals.StatusAssigned
	booked    = referrals.StatusAssessmentBooked
	assessed  = referrals.StatusAssessed
	submitted = referrals.StatusActionPlanSubmitted
	approved  = referrals.StatusActionPlanApproved
	delivery  = referrals.StatusInDelivery
	awaiting  = referrals.StatusAwaitingEndOfServiceReport
	concluded = referrals.StatusConcluded
)

// TestNextAllowsOnlyTheLifecycle checks every action in every status against the lifecycle written
// out by hand: the moves allowed and where they lead, the refusals with a specific code, and
// invalid_transition, naming the current status, for everything else.
func TestNextAllowsOnlyTheLifecycle(t *testing.T) {
	t.Parallel()
	keep := func(ss ...referrals.Status) map[referrals.Status]referrals.Status {
		m := map[referrals.Status]referrals.Status{}
		for _, s := range ss {
			m[s] = s
		}
		return m
	}
	to := func(target referrals.Status, ss ...referrals.Status) map[referrals.Status]referrals.Status {
		m := map[referrals.Status]referrals.Status{}
		for _, s := range ss {
			m[s] = target
		}
		return m
	}
	live := []referrals.Status{sent, assigned, booked, assessed, submitted, approved, delivery, awaiting}
	assign := keep(live...)
	assign[sent] = assigned
	allowed := map[referrals.Action]map[referrals.Status]referrals.Status{
		referrals.ActionUpdateDraft:              keep(draft),
		referrals.ActionDeleteDraft:              keep(draft),
		referrals.ActionSend:                     to(sent, draft),
		referrals.ActionAssign:                   assign,
		referrals.ActionBookAssessment:           to(booked, assigned),
		referrals.ActionRescheduleAssessment:     keep(booked),
		referrals.ActionRecordAssessmentAttended: to(assessed, booked),
		referrals.ActionRecordAssessmentMissed:   to(assigned, booked),
		referrals.ActionSubmitActionPlan:         to(submitted, assessed, submitted),
		referrals.ActionApproveActionPlan:        to(approved, submitted),
		referrals.ActionBookSession:              keep(approved, delivery),
		referrals.ActionRescheduleSession:        keep(approved, delivery),
		referrals.ActionRecordSession:            to(delivery, approved, delivery),
		referrals.ActionCompleteDelivery:         to(awaiting, delivery),
		referrals.ActionSubmitEndOfServiceReport: to(concluded, awaiting),
		referrals.ActionWithdraw:                 to(concluded, sent, assigned, booked, assessed, submitted, approved, delivery),
		referrals.ActionWithdrawAfterSessions:    to(awaiting, delivery, awaiting),
		referrals.ActionAmend:                    keep(live...),
		referrals.ActionAmendServices:            keep(sent, assigned, booked, assessed, submitted),
		referrals.ActionAddCaseNote:              keep(append(live, concluded)...),
	}
	codes := func(code string, ss ...referrals.Status) map[referrals.Status]string {
		m := map[referrals.Status]string{}
		for _, s := range ss {
			m[s] = code
		}
		return m
	}
	notApproved := codes("action_plan_not_approved", sent, assigned, booked, assessed, submitted)
	specific := map[referrals.Action]map[referrals.Status]string{
		referrals.ActionSubmitActionPlan:  codes("assessment_not_attended", sent, assigned, booked),
		referrals.ActionBookSession:       notApproved,
		referrals.ActionRescheduleSession: notApproved,
		referrals.ActionRecordSession:     notApproved,
		referrals.ActionAmendServices:     codes("amendment_not_allowed_after_approval", approved, delivery, awaiting),
	}
	for action, moves := range allowed {
		for _, from := range referrals.Statuses() {
			got, err := referrals.Next(from, action)
			if want, ok := moves[from]; ok {
				if err != nil || got != want {
					t.Errorf("%s from %s = %s, %v; want %s", action, from, got, err, want)
				}
				continue
			}
			code := "invalid_transition"
			if c, ok := specific[action][from]; ok {
				code = c
			}
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.KindConflict || e.Code != code {
				t.Errorf("%s from %s: err %v, want conflict %s", action, from, err, code)
				continue
			}
			if !strings.Contains(e.Message, string(from)) {
				t.Errorf("%s from %s: message %q does not name the current status", action, from, e.Message)
			}
		}
	}
}

func TestEndStateFor(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		attended, planned int
		want              referrals.EndState
	}{
		{0, 3, referrals.EndCancelled},
		{0, 0, referrals.EndCancelled},
		{1, 3, referrals.EndPrematurelyEnded},
		{2, 3, referrals.EndPrematurelyEnded},
		{3, 3, referrals.EndCompleted},
	} {
		if got := referrals.EndStateFor(c.attended, c.planned); got != c.want {
			t.Errorf("EndStateFor(%d, %d) = %s, want %s", c.attended, c.planned, got, c.want)
		}
	}
}
