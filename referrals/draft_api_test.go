package referrals_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/referrals"
)

func TestDrafts(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("a practitioner starts a draft for any region's contract and fills it in", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		kent := b.newContract(contractOpts{region: "K"})
		r := b.createDraft(b.pp, kent, " x123456 ")
		if r.Status != referrals.StatusDraft || r.CRN != "X123456" || r.Reference != nil || r.RegionCode != "K" || r.Version != 1 || r.Counted {
			t.Fatalf("new draft %+v", r)
		}
		body := b.completeDraft(set("pcc_area_code", "kent"))
		res := b.do(http.MethodPatch, path(r.ID), b.pp.Token, body, 1).Expect(http.StatusOK)
		if got := res.Header.Get("ETag"); got != `"v2"` {
			t.Errorf("ETag %q", got)
		}
		res.JSON(&r)
		if r.Person.FirstName == nil || *r.Person.FirstName != "Jordan" || r.Person.DateOfBirth.String() != "1990-05-17" ||
			r.Person.InterpreterNeeded == nil || *r.Person.InterpreterNeeded || len(r.Person.Commitments) != 1 ||
			r.ServiceCategories[0].ComplexityLevel == nil || len(r.ServiceCategories[0].DesiredOutcomeIDs) != 2 ||
			*r.MaxEnforceableDays != 10 || r.CompletionDeadline.String() != "2026-09-30" || *r.Setting != referrals.SettingCommunity {
			t.Errorf("filled draft %+v", r)
		}
		// null clears, absent leaves as is
		b.do(http.MethodPatch, path(r.ID), b.pp.Token, map[string]any{"person": map[string]any{"ethnicity": nil}, "further_information": "Has a dog."}, 2).
			Expect(http.StatusOK).JSON(&r)
		if r.Person.Ethnicity != nil || r.Person.FirstName == nil || r.FurtherInformation == nil || r.Version != 3 {
			t.Errorf("after a partial update %+v", r)
		}
	})

	t.Run("a draft is refused bad values field by field", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		expectField(t, b.env.Post(b.pp.Token, base, map[string]any{"contract_id": b.contract.String(), "crn": "123456"}), http.StatusBadRequest, "crn", "invalid_crn")
		expectField(t, b.env.Post(b.pp.Token, base, map[string]any{"contract_id": uuid.NewString(), "crn": "X123456"}), http.StatusBadRequest,
			"contract_id", "contract_not_found")
		r := b.createDraft(b.pp, b.contract, crn())
		for _, c := range []struct {
			name        string
			body        map[string]any
			field, code string
		}{
			{"a category of another contract type", map[string]any{"service_categories": []map[string]any{{"service_category_code": "ETE"}}},
				"service_categories[0].service_category_code", "category_not_in_contract_type"},
			{"an outcome of another category", map[string]any{"service_categories": []map[string]any{{"service_category_code": "ACCOMMODATION",
				"desired_outcome_ids": b.outcomes("ETE", 1)}}}, "service_categories[0].desired_outcome_ids[0]", "outcome_not_in_category"},
			{"an unknown complexity", map[string]any{"service_categories": []map[string]any{{"service_category_code": "ACCOMMODATION",
				"complexity_level": "EXTREME"}}}, "service_categories[0].complexity_level", "invalid_complexity_level"},
			{"a deadline today", map[string]any{"completion_deadline": "2026-03-06"}, "completion_deadline", "deadline_in_past"},
			{"a deadline after the contract", map[string]any{"completion_deadline": "2028-04-01"}, "completion_deadline", "deadline_after_contract_end"},
			{"no enforceable days", map[string]any{"max_enforceable_days": 0}, "max_enforceable_days", "invalid_max_enforceable_days"},
			{"an unknown PCC area", map[string]any{"pcc_area_code": "atlantis"}, "pcc_area_code", "unknown_pcc_area"},
			{"an unknown setting", map[string]any{"setting": "HOSPITAL"}, "setting", "invalid_setting"},
			{"an unknown sex", map[string]any{"person": map[string]any{"sex": "X"}}, "person.sex", "invalid_sex"},
			{"a birth in the future", map[string]any{"person": map[string]any{"date_of_birth": "2026-03-07"}}, "person.date_of_birth", "date_of_birth_in_future"},
			{"a bad CRN", map[string]any{"crn": "X1"}, "crn", "invalid_crn"},
		} {
			expectField(t, b.do(http.MethodPatch, path(r.ID), b.pp.Token, c.body, 1), http.StatusBadRequest, c.field, c.code)
		}
		b.do(http.MethodPatch, path(r.ID), b.pp.Token, map[string]any{"unknown": 1}, 1).ExpectProblem(http.StatusBadRequest, "unknown_field")
		b.do(http.MethodPatch, path(r.ID), b.pp.Token, map[string]any{"risk_summary": "low"}, 0).ExpectProblem(http.StatusPreconditionRequired, "if_match_required")
		b.do(http.MethodPatch, path(r.ID), b.pp.Token, map[string]any{"risk_summary": "low"}, 7).ExpectProblem(http.StatusPreconditionFailed, "version_mismatch")
	})

	t.Run("a draft is its author's alone", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		r := b.createDraft(b.pp, b.contract, crn())
		colleague := b.practitioner("J")
		for _, u := range []string{colleague.Token, b.primeUser.Token, b.commissioner("J").Token, b.admin.Token} {
			b.env.Get(u, path(r.ID)).ExpectProblem(http.StatusNotFound, "not_found")
		}
		b.do(http.MethodPatch, path(r.ID), colleague.Token, map[string]any{"risk_summary": "x"}, 1).ExpectProblem(http.StatusNotFound, "not_found")
		b.act(http.MethodDelete, colleague.Token, path(r.ID), nil).ExpectProblem(http.StatusNotFound, "not_found")
		b.act(http.MethodPost, colleague.Token, path(r.ID, "/send"), nil).ExpectProblem(http.StatusNotFound, "not_found")
		var page struct{ Items []referrals.ReferralItem }
		b.env.Get(colleague.Token, base).Expect(http.StatusOK).JSON(&page)
		for _, it := range page.Items {
			if it.ID == r.ID {
				t.Error("another practitioner lists the draft")
			}
		}
	})

	t.Run("the author deletes a draft but not a sent referral", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		r := b.createDraft(b.pp, b.contract, crn())
		b.act(http.MethodDelete, b.pp.Token, path(r.ID), nil).Expect(http.StatusNoContent)
		b.env.Get(b.pp.Token, path(r.ID)).ExpectProblem(http.StatusNotFound, "not_found")
		s := b.sent(crn())
		p := b.act(http.MethodDelete, b.pp.Token, path(s.ID), nil).ExpectProblem(http.StatusConflict, "invalid_transition")
		if !strings.Contains(p.Detail, "SENT") {
			t.Errorf("refusal %q does not name the status", p.Detail)
		}
		b.do(http.MethodPatch, path(s.ID), b.pp.Token, map[string]any{"risk_summary": "x"}, s.Version).ExpectProblem(http.StatusConflict, "invalid_transition")
	})
}

func TestStaleDraftsAreDeleted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	old := b.createDraft(b.pp, b.contract, crn())
	fresh := b.createDraft(b.pp, b.contract, crn())
	kept := b.sent(crn())
	b.env.DB.Gorm.Exec(`UPDATE referrals SET updated_at = ? WHERE id IN ?`, testNow.Add(-referrals.StaleDraftAge-time.Minute), []uuid.UUID{old.ID, kept.ID})
	n, err := b.svc.DeleteStaleDrafts(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("deleted %d, %v; want 1", n, err)
	}
	b.env.Get(b.pp.Token, path(old.ID)).ExpectProblem(http.StatusNotFound, "not_found")
	b.env.Get(b.pp.Token, path(fresh.ID)).Expect(http.StatusOK)
	b.env.Get(b.pp.Token, path(kept.ID)).Expect(http.StatusOK)
	var actions []string
	b.env.DB.Gorm.Raw(`SELECT action FROM audit_events WHERE entity_id = ? ORDER BY id`, old.ID).Scan(&actions)
	if !slices.Equal(actions, []string{referrals.AuditCreated, referrals.AuditDraftDeleted}) {
		t.Errorf("audit of the stale draft %q", actions)
	}
}
