package contracts_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/ids"
)

func TestUpdateContract(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("a change needs the current version", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create()
		body := map[string]any{"description": "New text"}
		b.send(http.MethodPatch, contractPath(c.ID), b.admin.Token, body, 0).ExpectProblem(http.StatusPreconditionRequired, "if_match_required")
		b.send(http.MethodPatch, contractPath(c.ID), b.admin.Token, body, 7).ExpectProblem(http.StatusPreconditionFailed, "version_mismatch")
		r := b.send(http.MethodPatch, contractPath(c.ID), b.admin.Token, body, 1).Expect(http.StatusOK)
		var got contracts.ContractResponse
		r.JSON(&got)
		if got.Version != 2 || r.Header.Get("ETag") != `"v2"` || got.Description == nil || *got.Description != "New text" {
			t.Errorf("after update: version %d, ETag %s, description %v", got.Version, r.Header.Get("ETag"), got.Description)
		}
		b.send(http.MethodPatch, contractPath(c.ID), b.admin.Token, body, 1).ExpectProblem(http.StatusPreconditionFailed, "version_mismatch")
		if got := b.auditActions(c.ID); !slices.Equal(got, []string{"contract.created", "contract.updated"}) {
			t.Errorf("audit = %q", got)
		}
	})

	t.Run("taking an extension extends the contract and its years", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create(set("start_date", "2023-07-01"), set("end_date", "2025-06-30"),
			set("extensions", []map[string]any{{"start_date": "2025-07-01", "end_date": "2026-06-30"}}))
		if c.Status != contracts.StateLive || len(c.Years) != 2 {
			t.Fatalf("before: %s, %d years", c.Status, len(c.Years))
		}
		var got contracts.ContractResponse
		b.send(http.MethodPatch, contractPath(c.ID), b.admin.Token, map[string]any{
			"extensions":             []map[string]any{{"start_date": "2025-07-01", "end_date": "2026-06-30", "taken": true}},
			"referral_window_closes": "2026-05-31",
		}, 1).Expect(http.StatusOK).JSON(&got)
		if got.EffectiveEndDate.String() != "2026-06-30" || len(got.Years) != 3 || !got.Extensions[0].Taken || got.ReferralWindowCloses.String() != "2026-05-31" {
			t.Errorf("after: effective end %s, %d years, extensions %+v, window closes %s", got.EffectiveEndDate, len(got.Years), got.Extensions, got.ReferralWindowCloses)
		}
	})

	t.Run("the changed contract is validated as a whole", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create()
		expectField(t, b.send(http.MethodPatch, contractPath(c.ID), b.admin.Token, map[string]any{"end_date": "2024-01-01"}, 1), "end_date", "end_before_start")
		// Shortening the contract leaves the (defaulted) window closing after it.
		expectField(t, b.send(http.MethodPatch, contractPath(c.ID), b.admin.Token, map[string]any{"end_date": "2026-03-31"}, 1),
			"referral_window_closes", "window_outside_contract")
		expectField(t, b.send(http.MethodPatch, contractPath(c.ID), b.admin.Token,
			map[string]any{"eligibility": map[string]any{"sexes": []string{}, "settings": []string{"LICENCE"}}}, 1), "eligibility.sexes", "sex_required")
		expectField(t, b.send(http.MethodPatch, contractPath(c.ID), b.admin.Token,
			map[string]any{"extensions": []map[string]any{{"start_date": "2027-05-01", "end_date": "2028-03-31"}}}, 1),
			"extensions[0].start_date", "extension_not_contiguous")
		expectField(t, b.send(http.MethodPatch, contractPath(c.ID), b.admin.Token, map[string]any{"co_commissioner_share_bp": 500}, 1),
			"co_commissioner_name", "co_commissioner_name_required")
	})

	t.Run("reference, type, area and prime are not editable", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create()
		for _, field := range []string{"reference", "contract_type_code", "region_code", "pcc_area_code", "prime_supplier_id", "subcontractor_ids"} {
			expectField(t, b.send(http.MethodPatch, contractPath(c.ID), b.admin.Token, map[string]any{field: "X"}, 1), field, "not_editable")
		}
	})

	t.Run("null clears the co-commissioner, mailbox and description", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create(set("co_commissioner_name", "Combined Authority"), set("co_commissioner_share_bp", 1250),
			set("referral_mailbox", "referrals@example.org"), set("description", "Text"))
		var got contracts.ContractResponse
		b.send(http.MethodPatch, contractPath(c.ID), b.admin.Token, map[string]any{"co_commissioner_share_bp": nil}, 1).Expect(http.StatusOK).JSON(&got)
		if got.CoCommissionerShareBP != nil || got.CoCommissionerName == nil {
			t.Errorf("share cleared: name %v, share %v", got.CoCommissionerName, got.CoCommissionerShareBP)
		}
		b.send(http.MethodPatch, contractPath(c.ID), b.admin.Token, map[string]any{"co_commissioner_name": nil, "referral_mailbox": nil, "description": nil}, 2).
			Expect(http.StatusOK).JSON(&got)
		if got.CoCommissionerName != nil || got.ReferralMailbox != nil || got.Description != nil {
			t.Errorf("cleared: %v %v %v", got.CoCommissionerName, got.ReferralMailbox, got.Description)
		}
	})

	t.Run("a contract whose prime is suspended stays editable", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		prime := b.supplier(supplierOpts{})
		c := b.create(set("prime_supplier_id", prime.String()))
		if err := b.env.DB.Gorm.Exec(`UPDATE suppliers SET status = 'suspended' WHERE id = ?`, prime).Error; err != nil {
			t.Fatal(err)
		}
		var got contracts.ContractResponse
		b.send(http.MethodPatch, contractPath(c.ID), b.admin.Token, map[string]any{"description": "still running"}, 1).Expect(http.StatusOK).JSON(&got)
		if got.Prime.Status != "suspended" || got.Status != contracts.StateLive {
			t.Errorf("prime %s, status %s", got.Prime.Status, got.Status)
		}
	})

	t.Run("scope and roles", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create()
		body := map[string]any{"description": "x"}
		b.send(http.MethodPatch, contractPath(c.ID), b.commissioner("K").Token, body, 1).ExpectProblem(http.StatusNotFound, "not_found")
		b.send(http.MethodPatch, contractPath(c.ID), b.supplierUser(b.prime).Token, body, 1).ExpectProblem(http.StatusForbidden, "role_not_allowed")
		b.send(http.MethodPatch, contractPath(ids.New()), b.admin.Token, body, 1).ExpectProblem(http.StatusNotFound, "not_found")
		b.send(http.MethodPatch, contractPath(c.ID), b.commissioner("J").Token, body, 1).Expect(http.StatusOK)
	})
}

func TestSupplyChain(t *testing.T) {
	t.Parallel()
	b := setup(t)
	suspended := b.supplier(supplierOpts{Status: "suspended"})

	t.Run("adding and removing keeps the history", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create()
		sub := b.supplier(supplierOpts{})
		path := contractPath(c.ID, "/subcontractors")
		r := b.act(http.MethodPost, b.commissioner("J").Token, path, map[string]any{"supplier_id": sub.String(), "reason": "joins for housing advice"}).
			Expect(http.StatusCreated)
		var added struct {
			Supplier struct {
				ID string `json:"id"`
			} `json:"supplier"`
			AddedOn   string  `json:"added_on"`
			RemovedOn *string `json:"removed_on"`
		}
		r.JSON(&added)
		if added.Supplier.ID != sub.String() || added.AddedOn != "2025-06-15" || added.RemovedOn != nil {
			t.Errorf("added = %+v", added)
		}
		var got contracts.ContractResponse
		b.env.Get(b.admin.Token, contractPath(c.ID)).Expect(http.StatusOK).JSON(&got)
		if len(got.Subcontractors) != 1 || got.Version != 2 {
			t.Fatalf("after add: %d subcontractors, version %d", len(got.Subcontractors), got.Version)
		}
		subUser := b.supplierUser(sub)
		b.env.Get(subUser.Token, contractPath(c.ID)).Expect(http.StatusOK)

		expectField(t, b.act(http.MethodDelete, b.admin.Token, path+"/"+sub.String(), map[string]any{"reason": " "}), "reason", "required")
		b.act(http.MethodDelete, b.admin.Token, path+"/"+sub.String(), map[string]any{"reason": "partnership ended"}).Expect(http.StatusOK)
		b.act(http.MethodDelete, b.admin.Token, path+"/"+sub.String(), map[string]any{"reason": "again"}).ExpectProblem(http.StatusNotFound, "not_found")
		b.env.Get(subUser.Token, contractPath(c.ID)).ExpectProblem(http.StatusNotFound, "not_found")

		var hist struct {
			Items []struct {
				Supplier struct {
					ID string `json:"id"`
				} `json:"supplier"`
				AddedReason   string  `json:"added_reason"`
				RemovedOn     *string `json:"removed_on"`
				RemovedReason string  `json:"removed_reason"`
				RemovedBy     *string `json:"removed_by"`
			} `json:"items"`
		}
		b.env.Get(b.admin.Token, contractPath(c.ID, "/supply-chain-history")).Expect(http.StatusOK).JSON(&hist)
		if len(hist.Items) != 1 || hist.Items[0].RemovedOn == nil || *hist.Items[0].RemovedOn != "2025-06-15" ||
			hist.Items[0].RemovedReason != "partnership ended" || hist.Items[0].AddedReason != "joins for housing advice" || hist.Items[0].RemovedBy == nil {
			t.Errorf("history = %+v", hist.Items)
		}
		// Re-adding after a removal starts a new membership.
		b.act(http.MethodPost, b.admin.Token, path, map[string]any{"supplier_id": sub.String()}).Expect(http.StatusCreated)
		b.env.Get(b.admin.Token, contractPath(c.ID, "/supply-chain-history")).Expect(http.StatusOK).JSON(&hist)
		if len(hist.Items) != 2 || hist.Items[1].RemovedOn != nil {
			t.Errorf("history after re-adding = %+v", hist.Items)
		}
		want := []string{"contract.created", "contract.subcontractor_added", "contract.subcontractor_removed", "contract.subcontractor_added"}
		if got := b.auditActions(c.ID); !slices.Equal(got, want) {
			t.Errorf("audit = %q, want %q", got, want)
		}
	})

	t.Run("only an active supplier, not the prime, once", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		current := b.supplier(supplierOpts{})
		c := b.create(set("subcontractor_ids", []string{current.String()}))
		path := contractPath(c.ID, "/subcontractors")
		expectField(t, b.act(http.MethodPost, b.admin.Token, path, map[string]any{"supplier_id": b.prime.String()}), "supplier_id", "subcontractor_is_prime")
		if p := b.act(http.MethodPost, b.admin.Token, path, map[string]any{"supplier_id": current.String()}).ExpectProblem(http.StatusConflict, "subcontractor_duplicate"); !apitest.HasFieldError(p, "supplier_id", "subcontractor_duplicate") {
			t.Errorf("a supplier already in the chain: %+v", p)
		}
		expectField(t, b.act(http.MethodPost, b.admin.Token, path, map[string]any{"supplier_id": suspended.String()}), "supplier_id", "subcontractor_not_active")
		expectField(t, b.act(http.MethodPost, b.admin.Token, path, map[string]any{"supplier_id": ids.New().String()}), "supplier_id", "subcontractor_not_found")
		expectField(t, b.act(http.MethodPost, b.admin.Token, path, map[string]any{"supplier_id": "nope"}), "supplier_id", "invalid_id")
	})

	t.Run("scope and roles", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create()
		sub := b.supplier(supplierOpts{})
		path := contractPath(c.ID, "/subcontractors")
		body := map[string]any{"supplier_id": sub.String()}
		b.act(http.MethodPost, b.supplierUser(b.prime).Token, path, body).ExpectProblem(http.StatusForbidden, "role_not_allowed")
		b.act(http.MethodPost, b.commissioner("K").Token, path, body).ExpectProblem(http.StatusNotFound, "not_found")
		b.act(http.MethodDelete, b.supplierUser(b.prime).Token, path+"/"+sub.String(), map[string]any{"reason": "x"}).
			ExpectProblem(http.StatusForbidden, "role_not_allowed")
	})
}
