package contracts_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/ids"
)

func TestCreateContract(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("an admin creates a region-level contract with its supply chain", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		sub := b.supplier(supplierOpts{})
		share := 2500
		r := b.env.Post(b.admin.Token, base, b.contractBody(
			set("subcontractor_ids", []string{sub.String()}),
			set("co_commissioner_name", "Mayor's Office for Policing and Crime"),
			set("co_commissioner_share_bp", share),
			setEligibility("min_age", 21), setEligibility("max_age", 65),
			setEligibility("sexes", []string{"FEMALE", "MALE"}),
			set("extensions", []map[string]any{{"start_date": "2027-04-01", "end_date": "2028-03-31"}}),
			set("referral_window_opens", "2024-05-01"), set("referral_window_closes", "2027-02-28"),
			set("referral_mailbox", "referrals@example.org"), set("description", "Accommodation support in London."),
		)).Expect(http.StatusCreated)
		var c contracts.ContractResponse
		r.JSON(&c)
		if got, want := r.Header.Get("Location"), contractPath(c.ID); got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
		if got := r.Header.Get("ETag"); got != `"v1"` {
			t.Errorf("ETag = %q, want \"v1\"", got)
		}
		if c.RegionCode != "J" || c.PCCAreaCode != nil || c.AreaLevel != "region" || c.Prime.ID != b.prime || c.Prime.Status != "active" {
			t.Errorf("area or prime wrong: %+v", c)
		}
		if len(c.Subcontractors) != 1 || c.Subcontractors[0].Supplier.ID != sub || c.Subcontractors[0].AddedOn.String() != "2025-06-15" {
			t.Errorf("subcontractors = %+v", c.Subcontractors)
		}
		if c.CoCommissionerSharePercent == nil || *c.CoCommissionerSharePercent != "25.00" {
			t.Errorf("co-commissioner share = %v", c.CoCommissionerSharePercent)
		}
		if !slices.Equal(c.Eligibility.Sexes, []contracts.Sex{"MALE", "FEMALE"}) || c.Eligibility.MinAge != 21 || *c.Eligibility.MaxAge != 65 {
			t.Errorf("eligibility = %+v", c.Eligibility)
		}
		if c.Status != contracts.StateLive || c.CurrentYear == nil || *c.CurrentYear != 2 || len(c.Years) != 3 {
			t.Errorf("status %s, current year %v, %d years", c.Status, c.CurrentYear, len(c.Years))
		}
		if c.EffectiveEndDate.String() != "2027-03-31" || len(c.Extensions) != 1 || c.Extensions[0].Number != 1 || c.Extensions[0].Taken {
			t.Errorf("extensions = %+v, effective end %s", c.Extensions, c.EffectiveEndDate)
		}
		if got := b.auditActions(c.ID); !slices.Equal(got, []string{"contract.created"}) {
			t.Errorf("audit = %q", got)
		}
		var got contracts.ContractResponse
		b.env.Get(b.admin.Token, contractPath(c.ID)).Expect(http.StatusOK).JSON(&got)
		if got.Reference != c.Reference || len(got.Subcontractors) != 1 || got.Eligibility.MinAge != 21 || got.Version != 1 {
			t.Errorf("read back %+v", got)
		}
	})

	t.Run("a PCC-level contract records its PCC area's region", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create(set("region_code", nil), set("pcc_area_code", "kent"))
		if c.RegionCode != "K" || c.PCCAreaCode == nil || *c.PCCAreaCode != "kent" || c.AreaLevel != "pcc_area" {
			t.Errorf("area = %s / %v / %s", c.RegionCode, c.PCCAreaCode, c.AreaLevel)
		}
	})

	t.Run("the referral window defaults to the contract's dates with the extensions taken", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create(set("extensions", []map[string]any{
			{"start_date": "2027-04-01", "end_date": "2027-09-30", "taken": true},
			{"start_date": "2027-10-01", "end_date": "2028-03-31"},
		}))
		if c.ReferralWindowOpens.String() != "2024-04-01" || c.ReferralWindowCloses.String() != "2027-09-30" || c.EffectiveEndDate.String() != "2027-09-30" {
			t.Errorf("window %s to %s, effective end %s", c.ReferralWindowOpens, c.ReferralWindowCloses, c.EffectiveEndDate)
		}
		if n := len(c.Years); n != 4 || !c.Years[3].PartYear || c.Years[3].Days != 183 {
			t.Errorf("years = %+v", c.Years)
		}
	})

	t.Run("a commissioner creates in their own region", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		b.env.Post(b.commissioner("J").Token, base, b.contractBody()).Expect(http.StatusCreated)
	})

	t.Run("a commissioner outside their regions is refused", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		b.env.Post(b.commissioner("K").Token, base, b.contractBody()).ExpectProblem(http.StatusForbidden, "region_not_in_scope")
		b.env.Post(b.commissioner("J").Token, base, b.contractBody(set("region_code", nil), set("pcc_area_code", "kent"))).
			ExpectProblem(http.StatusForbidden, "region_not_in_scope")
	})

	t.Run("supplier users and practitioners cannot create", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		b.env.Post(b.supplierUser(b.prime).Token, base, b.contractBody()).ExpectProblem(http.StatusForbidden, "role_not_allowed")
		b.env.Post(b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{}).Token, base, b.contractBody()).
			ExpectProblem(http.StatusForbidden, "role_not_allowed")
	})

	t.Run("a create repeated with its Idempotency-Key is replayed, not repeated", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		body := b.contractBody()
		req := apitest.Request{Method: http.MethodPost, Path: base, Token: b.admin.Token, Body: body,
			Headers: map[string]string{httpserver.IdempotencyHeader: "create-" + ids.New().String()}}
		var first, second contracts.ContractResponse
		b.env.Do(req).Expect(http.StatusCreated).JSON(&first)
		r := b.env.Do(req).Expect(http.StatusCreated)
		r.JSON(&second)
		if r.Header.Get("Idempotent-Replayed") != "true" || second.ID != first.ID {
			t.Errorf("replay: header %q, ids %s and %s", r.Header.Get("Idempotent-Replayed"), first.ID, second.ID)
		}
		var n int
		b.env.DB.Gorm.Raw(`SELECT count(*) FROM contracts WHERE reference = ?`, body["reference"]).Scan(&n)
		if n != 1 {
			t.Errorf("%d contracts stored, want 1", n)
		}
	})
}

func TestCreateContractValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	suspended := b.supplier(supplierOpts{Status: "suspended"})
	removed := b.supplier(supplierOpts{Status: "removed"})
	accOnly := b.supplier(supplierOpts{Quals: []string{"ACCOMMODATION/J", "EMOTIONAL_WELLBEING/J", "SOCIAL_INCLUSION/K"}})
	sub := b.supplier(supplierOpts{})
	taken := b.create()

	cases := []struct {
		name  string
		edits []func(map[string]any)
		field string
		code  string
	}{
		{"blank reference", []func(map[string]any){set("reference", "  ")}, "reference", "reference_required"},
		{"reference over 30 characters", []func(map[string]any){set("reference", strings.Repeat("R", 31))}, "reference", "reference_too_long"},
		{"neither region nor PCC area", []func(map[string]any){set("region_code", nil)}, "region_code", "area_required"},
		{"both region and PCC area", []func(map[string]any){set("pcc_area_code", "kent")}, "pcc_area_code", "area_ambiguous"},
		{"unknown region", []func(map[string]any){set("region_code", "Z")}, "region_code", "unknown_region"},
		{"unknown PCC area", []func(map[string]any){set("region_code", nil), set("pcc_area_code", "atlantis")}, "pcc_area_code", "unknown_pcc_area"},
		{"unknown contract type", []func(map[string]any){set("contract_type_code", "XYZ")}, "contract_type_code", "unknown_contract_type"},
		{"missing contract type", []func(map[string]any){set("contract_type_code", nil)}, "contract_type_code", "required"},
		{"unknown prime", []func(map[string]any){set("prime_supplier_id", ids.New().String())}, "prime_supplier_id", "prime_not_found"},
		{"malformed prime id", []func(map[string]any){set("prime_supplier_id", "not-a-uuid")}, "prime_supplier_id", "invalid_id"},
		{"suspended prime", []func(map[string]any){set("prime_supplier_id", suspended.String())}, "prime_supplier_id", "prime_not_active"},
		{"removed prime", []func(map[string]any){set("prime_supplier_id", removed.String())}, "prime_supplier_id", "prime_not_active"},
		{"prime not qualified for every category", []func(map[string]any){set("prime_supplier_id", accOnly.String()), set("contract_type_code", "PWB")},
			"prime_supplier_id", "prime_not_qualified"},
		{"prime qualified in another region only", []func(map[string]any){set("prime_supplier_id", accOnly.String()), set("region_code", "K")},
			"prime_supplier_id", "prime_not_qualified"},
		{"unknown subcontractor", []func(map[string]any){set("subcontractor_ids", []string{ids.New().String()})}, "subcontractor_ids[0]", "subcontractor_not_found"},
		{"suspended subcontractor", []func(map[string]any){set("subcontractor_ids", []string{suspended.String()})}, "subcontractor_ids[0]", "subcontractor_not_active"},
		{"prime as subcontractor", []func(map[string]any){set("subcontractor_ids", []string{b.prime.String()})}, "subcontractor_ids[0]", "subcontractor_is_prime"},
		{"subcontractor twice", []func(map[string]any){set("subcontractor_ids", []string{sub.String(), sub.String()})}, "subcontractor_ids[1]", "subcontractor_duplicate"},
		{"no sex", []func(map[string]any){setEligibility("sexes", []string{})}, "eligibility.sexes", "sex_required"},
		{"unknown sex", []func(map[string]any){setEligibility("sexes", []string{"OTHER"})}, "eligibility.sexes[0]", "sex_unknown"},
		{"no setting", []func(map[string]any){setEligibility("settings", []string{})}, "eligibility.settings", "setting_required"},
		{"minimum age under 18", []func(map[string]any){setEligibility("min_age", 17)}, "eligibility.min_age", "min_age_below_18"},
		{"maximum age below minimum", []func(map[string]any){setEligibility("min_age", 30), setEligibility("max_age", 25)}, "eligibility.max_age", "max_age_below_min_age"},
		{"end before start", []func(map[string]any){set("end_date", "2024-03-31")}, "end_date", "end_before_start"},
		{"missing start", []func(map[string]any){set("start_date", nil)}, "start_date", "required"},
		{"impossible date", []func(map[string]any){set("end_date", "2027-02-29")}, "end_date", "invalid_date"},
		{"window opening before the start", []func(map[string]any){set("referral_window_opens", "2024-03-01")}, "referral_window_opens", "window_outside_contract"},
		{"window closing in an extension not taken", []func(map[string]any){
			set("extensions", []map[string]any{{"start_date": "2027-04-01", "end_date": "2028-03-31"}}),
			set("referral_window_closes", "2027-06-30")}, "referral_window_closes", "window_outside_contract"},
		{"window closing before it opens", []func(map[string]any){set("referral_window_opens", "2025-01-01"), set("referral_window_closes", "2024-12-31")},
			"referral_window_closes", "window_closes_before_opens"},
		{"extension leaving a gap", []func(map[string]any){set("extensions", []map[string]any{{"start_date": "2027-04-02", "end_date": "2028-03-31"}})},
			"extensions[0].start_date", "extension_not_contiguous"},
		{"second extension overlapping the first", []func(map[string]any){set("extensions", []map[string]any{
			{"start_date": "2027-04-01", "end_date": "2027-09-30"}, {"start_date": "2027-09-01", "end_date": "2028-03-31"}})},
			"extensions[1].start_date", "extension_not_contiguous"},
		{"second extension taken before the first", []func(map[string]any){set("extensions", []map[string]any{
			{"start_date": "2027-04-01", "end_date": "2027-09-30"}, {"start_date": "2027-10-01", "end_date": "2028-03-31", "taken": true}})},
			"extensions[1].taken", "extension_taken_out_of_order"},
		{"share above 100 %", []func(map[string]any){set("co_commissioner_name", "Combined Authority"), set("co_commissioner_share_bp", 10001)},
			"co_commissioner_share_bp", "co_commissioner_share_out_of_range"},
		{"negative share", []func(map[string]any){set("co_commissioner_name", "Combined Authority"), set("co_commissioner_share_bp", -1)},
			"co_commissioner_share_bp", "co_commissioner_share_out_of_range"},
		{"share without a co-commissioner", []func(map[string]any){set("co_commissioner_share_bp", 2000)}, "co_commissioner_name", "co_commissioner_name_required"},
		{"mailbox not an address", []func(map[string]any){set("referral_mailbox", "referrals at example")}, "referral_mailbox", "referral_mailbox_invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := b.with(t)
			expectField(t, b.env.Post(b.admin.Token, base, b.contractBody(tc.edits...)), tc.field, tc.code)
		})
	}
	t.Run("reference taken, whatever the case: 409", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		p := b.env.Post(b.admin.Token, base, b.contractBody(set("reference", strings.ToLower(taken.Reference)))).
			ExpectProblem(http.StatusConflict, "reference_taken")
		if !apitest.HasFieldError(p, "reference", "reference_taken") {
			t.Errorf("no field error on reference: %+v", p)
		}
	})

	t.Run("prime_not_qualified names the missing categories", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		p := b.env.Post(b.admin.Token, base, b.contractBody(set("prime_supplier_id", accOnly.String()), set("contract_type_code", "PWB"))).
			ExpectProblem(http.StatusBadRequest, "prime_not_qualified")
		msg := p.Errors[0].Message
		for _, cat := range []string{"FAMILY_AND_SIGNIFICANT_OTHERS", "LIFESTYLE_AND_ASSOCIATES", "SOCIAL_INCLUSION"} {
			if !strings.Contains(msg, cat) {
				t.Errorf("message %q does not name %s", msg, cat)
			}
		}
		if strings.Contains(msg, "EMOTIONAL_WELLBEING") {
			t.Errorf("message %q names a category the prime holds", msg)
		}
	})

	t.Run("every problem is reported at once", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		p := b.env.Post(b.admin.Token, base, b.contractBody(set("reference", ""), setEligibility("sexes", []string{}),
			set("prime_supplier_id", suspended.String()))).ExpectProblem(http.StatusBadRequest, "validation_failed")
		for _, want := range [][2]string{{"reference", "reference_required"}, {"eligibility.sexes", "sex_required"}, {"prime_supplier_id", "prime_not_active"}} {
			if !apitest.HasFieldError(p, want[0], want[1]) {
				t.Errorf("missing %s %s in %+v", want[0], want[1], p.Errors)
			}
		}
	})

	t.Run("unknown fields are refused", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		expectField(t, b.env.Post(b.admin.Token, base, b.contractBody(set("value_pence", 1))), "value_pence", "unknown_field")
	})

	t.Run("a window inside a taken extension is accepted", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		b.create(set("extensions", []map[string]any{{"start_date": "2027-04-01", "end_date": "2028-03-31", "taken": true}}),
			set("referral_window_closes", "2028-03-31"))
	})
}

func TestReadContractScope(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sub, gone, other := b.supplier(supplierOpts{}), b.supplier(supplierOpts{}), b.supplier(supplierOpts{})
	c := b.create(set("subcontractor_ids", []string{sub.String(), gone.String()}))
	b.act(http.MethodDelete, b.admin.Token, contractPath(c.ID, "/subcontractors/", gone.String()),
		map[string]any{"reason": "left the partnership"}).Expect(http.StatusOK)

	cases := []struct {
		name   string
		user   apitest.User
		status int
	}{
		{"admin", b.admin, http.StatusOK},
		{"commissioner of the region", b.commissioner("A", "J"), http.StatusOK},
		{"commissioner of another region", b.commissioner("K"), http.StatusNotFound},
		{"supplier user of the prime", b.supplierUser(b.prime), http.StatusOK},
		{"supplier user of a current subcontractor", b.supplierUser(sub), http.StatusOK},
		{"supplier user of a removed subcontractor", b.supplierUser(gone), http.StatusNotFound},
		{"supplier user of an unrelated supplier", b.supplierUser(other), http.StatusNotFound},
		{"practitioner", b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{Regions: []string{"J"}}), http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := b.with(t)
			for _, path := range []string{contractPath(c.ID), contractPath(c.ID, "/years"), contractPath(c.ID, "/supply-chain-history"),
				contractPath(c.ID, "/years/1/pricing")} {
				r := b.env.Get(tc.user.Token, path)
				if r.Status != tc.status {
					t.Errorf("GET %s: status %d, want %d: %s", path, r.Status, tc.status, r.Body)
				}
			}
			var list struct {
				Items []contracts.ContractResponse `json:"items"`
			}
			r := b.env.Get(tc.user.Token, base)
			if tc.status == http.StatusForbidden {
				r.ExpectProblem(http.StatusForbidden, "role_not_allowed")
				return
			}
			r.Expect(http.StatusOK).JSON(&list)
			if listed := len(list.Items) == 1 && list.Items[0].ID == c.ID; listed != (tc.status == http.StatusOK) {
				t.Errorf("list = %+v, want the contract listed: %v", list.Items, tc.status == http.StatusOK)
			}
		})
	}

	t.Run("an unknown or malformed id is not found", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		b.env.Get(b.admin.Token, contractPath(ids.New())).ExpectProblem(http.StatusNotFound, "not_found")
		b.env.Get(b.admin.Token, base+"/not-an-id").ExpectProblem(http.StatusNotFound, "not_found")
	})
}

func TestListContracts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	otherPrime := b.supplier(supplierOpts{})
	live := b.create(set("reference", "LIST-A-LIVE"))
	pending := b.create(set("reference", "LIST-B-PENDING"), set("start_date", "2025-07-01"), set("end_date", "2026-06-30"))
	ended := b.create(set("reference", "LIST-C-ENDED"), set("start_date", "2023-01-01"), set("end_date", "2024-12-31"))
	pcc := b.create(set("reference", "LIST-D-PCC"), set("region_code", nil), set("pcc_area_code", "kent"), set("contract_type_code", "ETE"),
		set("prime_supplier_id", otherPrime.String()))
	// Taking an extension keeps a contract live past its end date.
	extended := b.create(set("reference", "LIST-E-EXTENDED"), set("start_date", "2023-01-01"), set("end_date", "2024-12-31"),
		set("extensions", []map[string]any{{"start_date": "2025-01-01", "end_date": "2025-12-31", "taken": true}}))

	type pageJSON struct {
		Items      []contracts.ContractResponse `json:"items"`
		NextCursor *string                      `json:"next_cursor"`
	}
	list := func(t *testing.T, token, query string) []uuid.UUID {
		t.Helper()
		var p pageJSON
		b.with(t).env.Get(token, base+"?"+query).Expect(http.StatusOK).JSON(&p)
		out := []uuid.UUID{}
		for _, c := range p.Items {
			out = append(out, c.ID)
		}
		return out
	}
	cases := []struct {
		name  string
		query string
		want  []uuid.UUID
	}{
		{"all, by reference", "q=LIST-", []uuid.UUID{live.ID, pending.ID, ended.ID, pcc.ID, extended.ID}},
		{"live", "q=list-&status=live", []uuid.UUID{live.ID, pcc.ID, extended.ID}},
		{"pending", "q=LIST&status=pending", []uuid.UUID{pending.ID}},
		{"ended", "q=LIST&status=ended", []uuid.UUID{ended.ID}},
		{"by region", "q=LIST&region=K", []uuid.UUID{pcc.ID}},
		{"by PCC area", "pcc_area=kent", []uuid.UUID{pcc.ID}},
		{"by contract type", "contract_type=ETE", []uuid.UUID{pcc.ID}},
		{"by prime", "prime_supplier_id=" + otherPrime.String(), []uuid.UUID{pcc.ID}},
		{"text matches inside the reference, ignoring case", "q=pend", []uuid.UUID{pending.ID}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := list(t, b.admin.Token, tc.query); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("pages follow the cursor to the end", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		var seen []uuid.UUID
		path := base + "?q=LIST&limit=2"
		for i := 0; i < 5; i++ {
			var p pageJSON
			b.env.Get(b.admin.Token, path).Expect(http.StatusOK).JSON(&p)
			for _, c := range p.Items {
				seen = append(seen, c.ID)
			}
			if p.NextCursor == nil {
				break
			}
			path = base + "?q=LIST&limit=2&cursor=" + *p.NextCursor
		}
		if want := []uuid.UUID{live.ID, pending.ID, ended.ID, pcc.ID, extended.ID}; !slices.Equal(seen, want) {
			t.Errorf("pages gave %v, want %v", seen, want)
		}
	})

	t.Run("scope is applied in the query", func(t *testing.T) {
		t.Parallel()
		if got := list(t, b.commissioner("K").Token, "q=LIST"); !slices.Equal(got, []uuid.UUID{pcc.ID}) {
			t.Errorf("commissioner of K sees %v", got)
		}
		if got := list(t, b.with(t).supplierUser(otherPrime).Token, ""); !slices.Equal(got, []uuid.UUID{pcc.ID}) {
			t.Errorf("supplier user of the other prime sees %v", got)
		}
	})

	t.Run("bad filters are refused", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		expectField(t, b.env.Get(b.admin.Token, base+"?status=open"), "status", "invalid_status")
		expectField(t, b.env.Get(b.admin.Token, base+"?prime_supplier_id=x"), "prime_supplier_id", "invalid_id")
		expectField(t, b.env.Get(b.admin.Token, base+"?cursor=zzz"), "cursor", "invalid_cursor")
	})
}

func TestContractRoutesAreDocumented(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	b.env.Get("", "/openapi.json").Expect(http.StatusOK).JSON(&doc)
	routes := 0
	for _, r := range b.env.Server.Echo.Routes() {
		if !strings.HasPrefix(r.Path, base) {
			continue
		}
		routes++
		if _, ok := doc.Paths[httpserver.OpenAPIPath(r.Path)][strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s %s is not documented", r.Method, r.Path)
		}
	}
	if routes != 13 {
		t.Errorf("%d contract routes registered, want 13", routes)
	}
}
