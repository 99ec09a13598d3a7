package referrals_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/referrals"
)

func TestSend(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("a complete draft is sent with a reference, dates, counting, notifications and jobs", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		r := b.sent(crn())
		if r.Status != referrals.StatusSent || r.Reference == nil || !referrals.ValidReference(*r.Reference) || !strings.HasSuffix(*r.Reference, "AC") {
			t.Fatalf("sent %+v", r)
		}
		if !r.Counted || r.SentAt == nil || !r.SentAt.Equal(testNow) || r.SentOn.String() != "2026-03-06" {
			t.Errorf("sent at %v on %v, counted %v", r.SentAt, r.SentOn, r.Counted)
		}
		// the DOMAIN's example: sent on Friday 6 March 2026, the assessment is due on Friday 20 March 2026
		if d := r.Timeliness.Items[0]; d.Deliverable != referrals.DeliverableAssessment || d.DueOn.String() != "2026-03-20" || d.State != referrals.Pending {
			t.Errorf("assessment deadline %+v", d)
		}
		for _, u := range []apitest.User{b.primeUser, b.subUser} {
			if n := b.notificationsAbout(u.ID, "referral_sent", r.ID); n != 1 {
				t.Errorf("supplier user notified %d times", n)
			}
		}
		if n := b.notificationsAbout(b.otherUser.ID, "referral_sent", r.ID); n != 0 {
			t.Errorf("a supplier outside the supply chain was notified")
		}
		if b.jobCount("referral_notify_email", r.ID) != 1 || b.jobCount("refresh_contract_volumes", b.contract) != 1 {
			t.Errorf("jobs: notify %d, refresh %d", b.jobCount("referral_notify_email", r.ID), b.jobCount("refresh_contract_volumes", b.contract))
		}
		b.act(http.MethodPost, b.pp.Token, path(r.ID, "/send"), nil).ExpectProblem(http.StatusConflict, "invalid_transition")
	})

	t.Run("volume refreshes are debounced per contract", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		// River keys the debounce period on the job's scheduled time, from the service's clock (fixed
		// at testNow here), so the wall clock cannot split two sends into two periods.
		c := b.newContract(contractOpts{})
		one, two, three := b.draft(b.pp, c, crn()), b.draft(b.pp, c, crn()), b.draft(b.pp, c, crn())
		b.post(b.pp.Token, path(one.ID, "/send"), nil)
		b.post(b.pp.Token, path(two.ID, "/send"), nil)
		var scheduled []time.Time
		b.env.DB.Gorm.Raw(`SELECT scheduled_at FROM river_job WHERE kind = 'refresh_contract_volumes' AND args->>'contract_id' = ?`,
			c.String()).Scan(&scheduled)
		if len(scheduled) != 1 || !scheduled[0].Equal(testNow.Add(referrals.RefreshDebounce)) {
			t.Errorf("two sends in one moment asked for refreshes at %v, want one at %v", scheduled, testNow.Add(referrals.RefreshDebounce))
		}
		// a finished refresh does not hold the next one back
		b.env.DB.Gorm.Exec(`UPDATE river_job SET state = 'completed', finalized_at = now() WHERE kind = 'refresh_contract_volumes'
			AND args->>'contract_id' = ?`, c.String())
		b.post(b.pp.Token, path(three.ID, "/send"), nil)
		if n := b.jobCount("refresh_contract_volumes", c); n != 2 {
			t.Errorf("after a finished refresh, %d refresh jobs, want 2", n)
		}
	})

	t.Run("an incomplete draft lists every missing field", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		r := b.createDraft(b.pp, b.contract, crn())
		b.do(http.MethodPatch, path(r.ID), b.pp.Token, map[string]any{"setting": "PRE_RELEASE", "person": map[string]any{"first_name": "Ari"}}, 1).Expect(http.StatusOK)
		p := b.act(http.MethodPost, b.pp.Token, path(r.ID, "/send"), nil).ExpectProblem(http.StatusBadRequest, "required")
		for _, f := range []string{"person.last_name", "person.date_of_birth", "prison", "expected_release_date", "service_categories", "risk_summary"} {
			if !apitest.HasFieldError(p, f, "required") {
				t.Errorf("missing field %s not reported: %s", f, p.Errors)
			}
		}
		if apitest.HasFieldError(p, "person.first_name", "required") {
			t.Error("the first name was reported missing")
		}
		if b.jobCount("referral_notify_email", r.ID) != 0 {
			t.Error("a refused send left a job")
		}
	})

	t.Run("eligibility is checked against the contract on the day", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		sixty := 60
		women := b.newContract(contractOpts{sexes: []string{"FEMALE"}, maxAge: &sixty, settings: []contracts.Setting{contracts.SettingCommunity}})
		r := b.draft(b.pp, women, crn(), set("setting", "LICENCE"), setPerson("date_of_birth", "1960-01-01"), set("pcc_area_code", "kent"))
		p := b.act(http.MethodPost, b.pp.Token, path(r.ID, "/send"), nil).ExpectProblem(http.StatusBadRequest, "not_eligible")
		if b.jobCount("refresh_contract_volumes", women) != 0 || b.jobCount("referral_notify_email", r.ID) != 0 {
			t.Error("a refused send left its jobs")
		}
		for _, fc := range [][2]string{{"person.sex", "sex_not_eligible"}, {"person.date_of_birth", "age_not_eligible"},
			{"setting", "setting_not_eligible"}, {"pcc_area_code", "pcc_area_outside_contract"}} {
			if !apitest.HasFieldError(p, fc[0], fc[1]) {
				t.Errorf("no %s %s in %s", fc[0], fc[1], p.Errors)
			}
		}
	})

	t.Run("a closed referral window refuses the send", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		closed := b.newContract(contractOpts{windowCloses: "2026-03-05"})
		r := b.draft(b.pp, closed, crn())
		p := b.act(http.MethodPost, b.pp.Token, path(r.ID, "/send"), nil).ExpectProblem(http.StatusConflict, "referral_window_closed")
		if !strings.Contains(p.Detail, "2026-03-05") {
			t.Errorf("detail %q", p.Detail)
		}
	})

	t.Run("a deadline passed since the draft was filled refuses the send", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		r := b.draft(b.pp, b.contract, crn())
		b.env.DB.Gorm.Exec(`UPDATE referrals SET completion_deadline = '2026-03-01' WHERE id = ?`, r.ID)
		expectField(t, b.act(http.MethodPost, b.pp.Token, path(r.ID, "/send"), nil), http.StatusBadRequest, "completion_deadline", "deadline_in_past")
	})

	t.Run("a second live referral for the person needs a reason", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		person := crn()
		first := b.sent(person)
		second := b.draft(b.pp, b.contract, person)
		b.act(http.MethodPost, b.pp.Token, path(second.ID, "/send"), nil).ExpectProblem(http.StatusConflict, "duplicate_referral")
		expectField(t, b.act(http.MethodPost, b.pp.Token, path(second.ID, "/send"), map[string]any{"allow_duplicate": true}), http.StatusBadRequest,
			"duplicate_reason", "required")
		got := b.post(b.pp.Token, path(second.ID, "/send"), map[string]any{"allow_duplicate": true, "duplicate_reason": "A second need arose."})
		if got.DuplicateReason == nil || *got.DuplicateReason != "A second need arose." || *got.Reference == *first.Reference {
			t.Errorf("duplicate %+v", got)
		}
		// once the first concludes, a third is no duplicate
		b.post(b.pp.Token, path(first.ID, "/withdraw"), map[string]any{"reason_code": "NEE"})
		b.post(b.pp.Token, path(second.ID, "/withdraw"), map[string]any{"reason_code": "NEE"})
		third := b.draft(b.pp, b.contract, person)
		b.post(b.pp.Token, path(third.ID, "/send"), nil)
	})

	t.Run("sent_on is the London date", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.setNow(time.Date(2026, time.June, 30, 23, 30, 0, 0, time.UTC))
		r := b.sent(crn())
		if r.SentOn.String() != "2026-07-01" {
			t.Errorf("sent at 23:30 UTC on 30 June counts on %s, want 2026-07-01", r.SentOn)
		}
	})
}

func TestIntakeControlAtTheCap(t *testing.T) {
	t.Parallel()
	b := setup(t)
	small := b.newContract(contractOpts{cap: 2})
	send := func(c string) *apitest.Response {
		r := b.draft(b.pp, small, c)
		return b.act(http.MethodPost, b.pp.Token, path(r.ID, "/send"), nil)
	}
	first := send(crn()).Expect(http.StatusOK)
	send(crn()).Expect(http.StatusOK)
	third := b.draft(b.pp, small, crn())
	p := b.act(http.MethodPost, b.pp.Token, path(third.ID, "/send"), nil).ExpectProblem(http.StatusConflict, "contract_at_cap")
	var ref string
	b.env.DB.Gorm.Raw(`SELECT reference FROM contracts WHERE id = ?`, small).Scan(&ref)
	if !strings.Contains(p.Detail, ref) || !strings.Contains(p.Detail, "cap of 2") {
		t.Errorf("detail %q does not name the contract %s and its cap", p.Detail, ref)
	}
	if b.jobCount("referral_notify_email", third.ID) != 0 {
		t.Error("a send refused at the cap left a notify job")
	}
	var n int
	b.env.DB.Gorm.Raw(`SELECT count(*) FROM notifications WHERE entity_id = ?`, third.ID).Scan(&n)
	if n != 0 {
		t.Error("a send refused at the cap notified suppliers")
	}

	// a withdrawal that does not count frees a place
	var f referrals.ReferralResponse
	first.JSON(&f)
	b.post(b.pp.Token, path(f.ID, "/withdraw"), map[string]any{"reason_code": "MIS"})
	b.post(b.pp.Token, path(third.ID, "/send"), nil)
	fourth := b.draft(b.pp, small, crn())
	b.act(http.MethodPost, b.pp.Token, path(fourth.ID, "/send"), nil).ExpectProblem(http.StatusConflict, "contract_at_cap")

	// a cap variation for the year lifts the cap
	b.env.DB.Gorm.Exec(`INSERT INTO contract_cap_variations (id, contract_id, year_number, new_cap, reason, recorded_at) VALUES (?, ?, 1, 3, 'extra demand', now())`,
		uuid.New(), small)
	b.post(b.pp.Token, path(fourth.ID, "/send"), nil)
	fifth := b.draft(b.pp, small, crn())
	b.act(http.MethodPost, b.pp.Token, path(fifth.ID, "/send"), nil).ExpectProblem(http.StatusConflict, "contract_at_cap")
}

func TestReferenceClashIsRetried(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// Both sends draw from the same bytes first, so the second draws the first's reference and must
	// draw again inside a savepoint, leaving its transaction usable.
	same := []byte{7, 7, 7, 7}
	service := func(rest string) *referrals.Service {
		return referrals.NewService(b.env.DB.Gorm, referrals.Config{Reference: b.env.Ref, Inserter: b.env.Inserter, Now: b.now,
			Rand: bytes.NewReader(append(append([]byte{}, same...), rest...))})
	}
	ctx := context.Background()
	one, two := b.draft(b.pp, b.contract, crn()), b.draft(b.pp, b.contract, crn())
	d1, err := service("").Send(ctx, b.pp.Actor(), one.ID, one.Version, referrals.SendParams{})
	if err != nil {
		t.Fatal(err)
	}
	d2, err := service("another stream of bytes for the second draw").Send(ctx, b.pp.Actor(), two.ID, two.Version, referrals.SendParams{})
	if err != nil {
		t.Fatalf("the clashing send failed: %v", err)
	}
	if d1.Reference != "HH1799AC" || d1.Reference == d2.Reference || !referrals.ValidReference(d2.Reference) {
		t.Errorf("references %s and %s", d1.Reference, d2.Reference)
	}
}
