package payments_test

import (
	"testing"
	"time"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/payments"
)

func TestNextStatusAllowsOnlySensibleTransitions(t *testing.T) {
	t.Parallel()
	S, Q, R, A, P, X, W := payments.StatusSubmitted, payments.StatusQueried, payments.StatusResponded, payments.StatusApproved,
		payments.StatusPaid, payments.StatusRejected, payments.StatusWithdrawn
	actions := []payments.Action{payments.ActionQuery, payments.ActionRespond, payments.ActionApprove, payments.ActionReject,
		payments.ActionWithdraw, payments.ActionPay}
	// want[status][action] is the next status; "" means refused.
	want := map[payments.RequestStatus]map[payments.Action]payments.RequestStatus{
		S: {payments.ActionQuery: Q, payments.ActionApprove: A, payments.ActionReject: X, payments.ActionWithdraw: W},
		Q: {payments.ActionRespond: R, payments.ActionReject: X, payments.ActionWithdraw: W},
		R: {payments.ActionQuery: Q, payments.ActionApprove: A, payments.ActionReject: X, payments.ActionWithdraw: W},
		A: {payments.ActionPay: P},
		P: {}, X: {}, W: {},
	}
	for _, from := range payments.RequestStatuses {
		for _, action := range actions {
			got, err := payments.NextStatus(from, action)
			expected := want[from][action]
			if expected == "" {
				e, ok := apperr.As(err)
				if !ok || e.Kind != apperr.KindConflict || e.Code != "invalid_transition" {
					t.Errorf("%s --%s--> %s, %v; want invalid_transition", from, action, got, err)
				}
				continue
			}
			if err != nil || got != expected {
				t.Errorf("%s --%s--> %s, %v; want %s", from, action, got, err, expected)
			}
		}
	}
}

func TestRequestStatusLiveness(t *testing.T) {
	t.Parallel()
	for _, s := range payments.RequestStatuses {
		live := s != payments.StatusRejected && s != payments.StatusWithdrawn
		if s.Live() != live {
			t.Errorf("%s.Live() = %v, want %v", s, s.Live(), live)
		}
	}
	if _, err := payments.ParseRequestStatus("approved"); err == nil {
		t.Errorf("ParseRequestStatus accepts one spelling only, but took approved")
	}
	if _, err := payments.ParseRequestStatus("DONE"); err == nil {
		t.Error("ParseRequestStatus(DONE) succeeded")
	}
	if k, err := payments.ParseRequestKind(""); err != nil || k != payments.KindMonthly {
		t.Errorf("ParseRequestKind(\"\") = %v, %v; want MONTHLY", k, err)
	}
}

func TestOverdueClocks(t *testing.T) {
	t.Parallel()
	day := func(s string) calendar.Date {
		d, err := calendar.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// Valid at 23:30 UTC on 31 March 2026 is 1 April in London (summer time): terms run from 1 April.
	validAt := time.Date(2026, time.March, 31, 23, 30, 0, 0, time.UTC)
	if got := payments.PaymentDueOn(validAt, 30); got != day("2026-05-01") {
		t.Errorf("PaymentDueOn = %v, want 2026-05-01", got)
	}
	approved := payments.Request{Status: payments.StatusApproved, ValidAt: validAt}
	for _, c := range []struct {
		today string
		want  bool
	}{{"2026-05-01", false}, {"2026-05-02", true}} {
		clock, got := approved.OverdueOn(day(c.today), 30)
		if got != c.want || (got && clock != payments.OverduePayment) {
			t.Errorf("approved, today %s: overdue %v (%s), want %v", c.today, got, clock, c.want)
		}
	}
	// A query raised on Thursday 2 April 2026 has 5 working days: Good Friday and Easter Monday are
	// bank holidays, so the answer is due on Monday 13 April.
	due := payments.ResponseDueOn(day("2026-04-02"))
	if due != day("2026-04-13") {
		t.Fatalf("ResponseDueOn = %v, want 2026-04-13", due)
	}
	queried := payments.Request{Status: payments.StatusQueried, ResponseDueOn: due}
	if _, late := queried.OverdueOn(day("2026-04-13"), 30); late {
		t.Error("query overdue on its due day")
	}
	if clock, late := queried.OverdueOn(day("2026-04-14"), 30); !late || clock != payments.OverdueResponse {
		t.Errorf("query not overdue the day after its due day: %v %s", late, clock)
	}
	for _, s := range []payments.RequestStatus{payments.StatusSubmitted, payments.StatusResponded, payments.StatusPaid, payments.StatusRejected} {
		r := payments.Request{Status: s, ValidAt: validAt, ResponseDueOn: due}
		if _, late := r.OverdueOn(day("2027-01-01"), 30); late {
			t.Errorf("%s request overdue", s)
		}
	}
}
