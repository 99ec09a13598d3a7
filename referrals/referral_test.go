package referrals_test

import (
	"crypto/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/referrals"
)

func TestNewReference(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 2000 {
		ref, err := referrals.NewReference(rand.Reader, "ACC")
		if err != nil {
			t.Fatal(err)
		}
		if !referrals.ValidReference(ref) || !strings.HasSuffix(ref, "AC") || strings.ContainsAny(ref[:2], "IO") {
			t.Fatalf("reference %q has the wrong shape", ref)
		}
		seen[ref] = true
	}
	if len(seen) < 1990 {
		t.Errorf("only %d distinct references in 2000 draws", len(seen))
	}
	if _, err := referrals.NewReference(rand.Reader, "A"); err == nil {
		t.Error("a one-letter contract type gave a reference")
	}
	for ref, want := range map[string]bool{"KT4821AC": true, "IO4821AC": false, "KT482AC": false, "kt4821ac": false, "KT4821A1": false} {
		if got := referrals.ValidReference(ref); got != want {
			t.Errorf("ValidReference(%q) = %v", ref, got)
		}
	}
}

func TestParseCRN(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"X123456": "X123456", " x123456 ": "X123456", "X12345": "", "XX23456": "", "X1234567": "", "1234567": ""} {
		got, err := referrals.ParseCRN(in)
		if want == "" {
			if e, ok := apperr.As(err); !ok || e.Fields[0].Code != "invalid_crn" {
				t.Errorf("ParseCRN(%q) = %q, %v; want invalid_crn", in, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ParseCRN(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestMissingFields(t *testing.T) {
	t.Parallel()
	fields := func(r referrals.Referral) []string {
		var out []string
		for _, e := range r.MissingFields() {
			if e.Code != "required" {
				t.Errorf("code %s", e.Code)
			}
			out = append(out, e.Field)
		}
		return out
	}
	empty := fields(referrals.Referral{})
	want := []string{"person.first_name", "person.last_name", "person.date_of_birth", "person.sex", "person.preferred_language",
		"person.interpreter_needed", "setting", "pcc_area_code", "service_categories", "max_enforceable_days", "completion_deadline",
		"reason_for_referral", "risk_summary"}
	if !slices.Equal(empty, want) {
		t.Errorf("an empty draft misses %q, want %q", empty, want)
	}
	no := false
	full := referrals.Referral{
		Person: referrals.Person{FirstName: "Sam", LastName: "Okafor", DateOfBirth: date("1990-01-01"), Sex: contracts.SexMale,
			PreferredLanguage: "English", InterpreterNeeded: &no},
		Setting: referrals.SettingPreRelease, PCCAreaCode: "metropolitan", MaxEnforceableDays: 5, CompletionDeadline: date("2026-12-01"),
		ReasonForReferral: "housing", RiskSummary: "low",
		Services: []referrals.ServiceChoice{{CategoryCode: "ACCOMMODATION"}},
	}
	if got := fields(full); !slices.Equal(got, []string{"prison", "expected_release_date",
		"service_categories[0].complexity_level", "service_categories[0].desired_outcome_ids"}) {
		t.Errorf("a pre-release draft without prison or choices misses %q", got)
	}
	full.Prison, full.ExpectedReleaseDate = "HMP Pentonville", date("2026-06-01")
	full.Services[0].Complexity, full.Services[0].OutcomeIDs = contracts.ComplexityLow, []uuid.UUID{uuid.New()}
	if got := fields(full); len(got) != 0 {
		t.Errorf("a complete draft misses %q", got)
	}
}

func TestCheckRatings(t *testing.T) {
	t.Parallel()
	a, b, other := uuid.New(), uuid.New(), uuid.New()
	codes := func(rs ...referrals.OutcomeRating) []string {
		var out []string
		for _, e := range referrals.CheckRatings([]uuid.UUID{a, b}, rs) {
			out = append(out, e.Code)
		}
		return out
	}
	rate := func(id uuid.UUID, ach referrals.Achievement) referrals.OutcomeRating {
		return referrals.OutcomeRating{OutcomeID: id, Achievement: ach}
	}
	if got := codes(rate(a, referrals.Achieved), rate(b, referrals.NotAchieved)); got != nil {
		t.Errorf("complete ratings: %q", got)
	}
	if got := codes(rate(a, referrals.PartiallyAchieved)); !slices.Equal(got, []string{"outcome_not_rated"}) {
		t.Errorf("one unrated: %q", got)
	}
	if got := codes(rate(a, "MOSTLY"), rate(b, referrals.Achieved), rate(b, referrals.Achieved), rate(other, referrals.Achieved)); !slices.Equal(got,
		[]string{"invalid_achievement", "outcome_rated_twice", "outcome_not_in_referral"}) {
		t.Errorf("bad ratings: %q", got)
	}
}

func TestCheckSessionBooking(t *testing.T) {
	t.Parallel()
	session := func(n int, att referrals.Attendance) referrals.Appointment {
		a := referrals.Appointment{Kind: referrals.KindSession, SessionNumber: n}
		if att != "" {
			a.Feedback = &referrals.Feedback{Attendance: att}
		}
		return a
	}
	appts := []referrals.Appointment{session(1, referrals.AttendedYes), session(2, referrals.AttendedNo), session(3, "")}
	for _, c := range []struct {
		n    int
		code string
	}{{0, "session_number_out_of_range"}, {5, "session_number_out_of_range"}, {1, "session_already_attended"},
		{2, ""}, {3, "session_already_booked"}, {4, ""}} {
		err := referrals.CheckSessionBooking(appts, c.n, 4)
		if c.code == "" {
			if err != nil {
				t.Errorf("session %d: %v", c.n, err)
			}
			continue
		}
		e, ok := apperr.As(err)
		if !ok || (e.Code != c.code && (len(e.Fields) == 0 || e.Fields[0].Code != c.code)) {
			t.Errorf("session %d: %v, want %s", c.n, err, c.code)
		}
	}
	if n := referrals.SessionsAttended(append(appts, session(1, referrals.AttendedLate), session(4, referrals.AttendedLate))); n != 2 {
		t.Errorf("sessions attended = %d, want 2 (1 twice, and 4)", n)
	}
}

func TestCheckSlot(t *testing.T) {
	t.Parallel()
	sentAt, now := testNow.Add(-time.Hour), testNow
	codes := func(s referrals.Slot) []string {
		var out []string
		for _, e := range referrals.CheckSlot(s, sentAt, now) {
			out = append(out, e.Field+":"+e.Code)
		}
		return out
	}
	ok := referrals.Slot{StartsAt: now.Add(48 * time.Hour), DurationMinutes: 60, Method: referrals.MethodPhone}
	if got := codes(ok); got != nil {
		t.Errorf("a good slot: %q", got)
	}
	bad := ok
	bad.StartsAt, bad.DurationMinutes, bad.Method = sentAt.Add(-time.Minute), 601, referrals.MethodInPerson
	if got := codes(bad); !slices.Equal(got, []string{"starts_at:appointment_before_sent", "duration_minutes:invalid_duration", "address:required"}) {
		t.Errorf("a bad slot: %q", got)
	}
	far := ok
	far.StartsAt = now.AddDate(0, 6, 1)
	if got := codes(far); !slices.Equal(got, []string{"starts_at:appointment_too_far_ahead"}) {
		t.Errorf("a far slot: %q", got)
	}
	far.StartsAt = now.AddDate(0, 6, 0)
	if got := codes(far); got != nil {
		t.Errorf("exactly six months ahead: %q", got)
	}
}

func TestLondonDate(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"2026-06-30T23:30:00Z": "2026-07-01", // British Summer Time
		"2026-12-31T23:30:00Z": "2026-12-31", // Greenwich Mean Time
		"2026-03-29T00:30:00Z": "2026-03-29",
	} {
		at, _ := time.Parse(time.RFC3339, in)
		if got := calendar.BusinessDay(at).String(); got != want {
			t.Errorf("calendar.BusinessDay(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestTimeliness(t *testing.T) {
	t.Parallel()
	at := func(s string) *time.Time {
		v, _ := time.Parse(time.RFC3339, s)
		return &v
	}
	sentOnly := referrals.Referral{Status: referrals.StatusSent, AssessmentDueOn: date("2026-03-20")}
	states := func(r referrals.Referral, today string) []referrals.TimelinessState {
		var out []referrals.TimelinessState
		for _, d := range referrals.Timeliness(r, date(today)) {
			out = append(out, d.State)
		}
		return out
	}
	na, pending, overdue, onTime, late := referrals.NotApplicable, referrals.Pending, referrals.Overdue, referrals.OnTime, referrals.Late
	for _, c := range []struct {
		name  string
		r     referrals.Referral
		today string
		want  []referrals.TimelinessState
	}{
		{"sent, assessment due today", sentOnly, "2026-03-20", []referrals.TimelinessState{pending, na, na}},
		{"sent, assessment a day late", sentOnly, "2026-03-21", []referrals.TimelinessState{overdue, na, na}},
		{"withdrawn before the assessment", referrals.Referral{Status: referrals.StatusConcluded, AssessmentDueOn: date("2026-03-20"),
			EndedOn: date("2026-03-10")}, "2026-04-01", []referrals.TimelinessState{na, na, na}},
		{"assessed on time, plan late, report overdue", referrals.Referral{Status: referrals.StatusAwaitingEndOfServiceReport,
			AssessmentDueOn: date("2026-03-20"), AssessedOn: date("2026-03-20"), ActionPlanDueOn: date("2026-03-27"),
			FirstActionPlanSubmittedAt: at("2026-03-30T09:00:00Z"), EndedOn: date("2026-05-01"), EndOfServiceReportDueOn: date("2026-05-11")},
			"2026-05-12", []referrals.TimelinessState{onTime, late, overdue}},
		{"report submitted on its due date in London", referrals.Referral{Status: referrals.StatusConcluded,
			AssessmentDueOn: date("2026-03-20"), AssessedOn: date("2026-03-23"), ActionPlanDueOn: date("2026-03-30"),
			FirstActionPlanSubmittedAt: at("2026-03-30T09:00:00Z"), EndedOn: date("2026-05-01"), EndOfServiceReportDueOn: date("2026-05-11"),
			EndOfServiceReportSubmittedAt: at("2026-05-11T22:30:00Z")}, "2026-06-01", []referrals.TimelinessState{late, onTime, onTime}},
	} {
		if got := states(c.r, c.today); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
