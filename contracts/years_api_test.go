package contracts_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/money"
)

func bandsPath(c contracts.ContractResponse, year string) string {
	return contractPath(c.ID, "/years/", year, "/bands")
}

func TestBands(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("the DOMAIN worked example", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create()
		r := b.send(http.MethodPut, bandsPath(c, "2"), b.admin.Token, map[string]any{"bands": workedExample(), "basis_band": 3}, 1).Expect(http.StatusOK)
		if r.Header.Get("ETag") != `"v2"` {
			t.Errorf("ETag = %q, want \"v2\"", r.Header.Get("ETag"))
		}
		var y contracts.YearResponse
		r.JSON(&y)
		if y.Number != 2 || len(y.Bands) != 4 || y.Bands[3].High != 850 || y.Bands[2].AnnualPricePence != 46000000 {
			t.Errorf("year = %+v", y)
		}
		if y.BasisBand == nil || y.BasisBand.Band.Number != 3 || y.BasisBand.Band.AnnualPricePence != 46000000 || y.BasisBand.EffectiveFrom.String() != "2025-04-01" {
			t.Errorf("basis band = %+v", y.BasisBand)
		}
		if y.VolumeCap == nil || *y.VolumeCap != 850 || y.EffectiveCap == nil || *y.EffectiveCap != 850 {
			t.Errorf("cap %v, effective %v", y.VolumeCap, y.EffectiveCap)
		}
		if y.BasisValuePence == nil || *y.BasisValuePence != 46000000 {
			t.Errorf("basis value = %v, want the full annual price of a complete year", y.BasisValuePence)
		}
		years := b.years(c.ID)
		if len(years.Items) != 3 || len(years.Items[0].Bands) != 0 || years.Items[0].BasisBand != nil || years.Items[0].VolumeCap != nil || len(years.Items[1].Bands) != 4 {
			t.Errorf("years = %+v", years.Items)
		}
		if got := b.auditActions(c.ID); !slices.Equal(got, []string{"contract.created", "contract.bands_replaced"}) {
			t.Errorf("audit = %q", got)
		}
	})

	t.Run("a single band is a fixed price with a cap", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create()
		var y contracts.YearResponse
		b.send(http.MethodPut, bandsPath(c, "1"), b.admin.Token, map[string]any{
			"bands": []map[string]any{{"number": 1, "low": 0, "high": 300, "annual_price_pence": 36000000}}, "basis_band": 1}, 1).
			Expect(http.StatusOK).JSON(&y)
		if *y.VolumeCap != 300 || y.BasisBand.Band.Number != 1 {
			t.Errorf("year = %+v", y)
		}
	})

	bad := func(edit func([]map[string]any)) []map[string]any {
		bands := workedExample()
		edit(bands)
		return bands
	}
	cases := []struct {
		name  string
		bands []map[string]any
		basis int
		field string
		code  string
	}{
		{"a gap between bands", bad(func(bs []map[string]any) { bs[1]["low"] = 402 }), 3, "bands[1].low", "band_gap"},
		{"overlapping bands", bad(func(bs []map[string]any) { bs[2]["low"] = 500 }), 3, "bands[2].low", "band_overlap"},
		{"a falling price", bad(func(bs []map[string]any) { bs[2]["annual_price_pence"] = 37000000 }), 3, "bands[2].annual_price_pence", "price_not_rising"},
		{"band 1 not from 0", bad(func(bs []map[string]any) { bs[0]["low"] = 1 }), 3, "bands[0].low", "first_band_not_zero"},
		{"a zero price", bad(func(bs []map[string]any) { bs[0]["annual_price_pence"] = 0 }), 3, "bands[0].annual_price_pence", "price_not_positive"},
		{"no bands", []map[string]any{}, 1, "bands", "bands_required"},
		{"a basis band not in the table", workedExample(), 5, "basis_band", "basis_band_unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := b.with(t)
			c := b.create()
			expectField(t, b.send(http.MethodPut, bandsPath(c, "1"), b.admin.Token, map[string]any{"bands": tc.bands, "basis_band": tc.basis}, 1), tc.field, tc.code)
			if y := b.years(c.ID); len(y.Items[0].Bands) != 0 {
				t.Errorf("a refused table was stored: %+v", y.Items[0].Bands)
			}
		})
	}

	t.Run("If-Match, year numbers, scope and roles", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create()
		body := map[string]any{"bands": workedExample(), "basis_band": 3}
		b.send(http.MethodPut, bandsPath(c, "1"), b.admin.Token, body, 0).ExpectProblem(http.StatusPreconditionRequired, "if_match_required")
		b.send(http.MethodPut, bandsPath(c, "1"), b.admin.Token, body, 2).ExpectProblem(http.StatusPreconditionFailed, "version_mismatch")
		b.send(http.MethodPut, bandsPath(c, "4"), b.admin.Token, body, 1).ExpectProblem(http.StatusNotFound, "not_found")
		b.send(http.MethodPut, bandsPath(c, "0"), b.admin.Token, body, 1).ExpectProblem(http.StatusNotFound, "not_found")
		b.send(http.MethodPut, bandsPath(c, "x"), b.admin.Token, body, 1).ExpectProblem(http.StatusNotFound, "not_found")
		b.send(http.MethodPut, bandsPath(c, "1"), b.commissioner("K").Token, body, 1).ExpectProblem(http.StatusNotFound, "not_found")
		b.send(http.MethodPut, bandsPath(c, "1"), b.supplierUser(b.prime).Token, body, 1).ExpectProblem(http.StatusForbidden, "role_not_allowed")
		b.send(http.MethodPut, bandsPath(c, "1"), b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{}).Token, body, 1).
			ExpectProblem(http.StatusForbidden, "role_not_allowed")
		b.send(http.MethodPut, bandsPath(c, "1"), b.commissioner("J").Token, body, 1).Expect(http.StatusOK)
		// The change bumped the contract's version: the contract's own ETag moved on.
		b.send(http.MethodPatch, contractPath(c.ID), b.admin.Token, map[string]any{"description": "x"}, 1).ExpectProblem(http.StatusPreconditionFailed, "version_mismatch")
		if r := b.env.Get(b.admin.Token, contractPath(c.ID, "/years")); r.Header.Get("ETag") != `"v2"` {
			t.Errorf("years ETag = %q, want \"v2\"", r.Header.Get("ETag"))
		}
	})
}

func TestContractYears(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("a contract starting on 29 February has its anniversaries on 1 March in common years", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create(set("start_date", "2024-02-29"), set("end_date", "2028-02-28"))
		want := [][2]string{{"2024-02-29", "2025-02-28"}, {"2025-03-01", "2026-02-28"}, {"2026-03-01", "2027-02-28"}, {"2027-03-01", "2028-02-28"}}
		y := b.years(c.ID)
		if len(y.Items) != len(want) {
			t.Fatalf("%d years, want %d", len(y.Items), len(want))
		}
		for i, w := range want {
			got := y.Items[i]
			if got.StartDate.String() != w[0] || got.EndDate.String() != w[1] || got.PartYear {
				t.Errorf("CY%d = %s to %s (part %v), want %s to %s", i+1, got.StartDate, got.EndDate, got.PartYear, w[0], w[1])
			}
		}
		if y.Items[0].Days != 366 || y.Items[1].Days != 365 {
			t.Errorf("days = %d, %d; want 366, 365", y.Items[0].Days, y.Items[1].Days)
		}
	})

	t.Run("a part final year is pro-rated", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create(set("start_date", "2024-04-01"), set("end_date", "2025-09-30"))
		b.send(http.MethodPut, bandsPath(c, "2"), b.admin.Token, map[string]any{"bands": workedExample(), "basis_band": 3}, 1).Expect(http.StatusOK)
		y := b.years(c.ID).Items
		if len(y) != 2 || y[0].PartYear || !y[1].PartYear || y[1].Days != 183 || y[1].FullDays != 365 || y[1].EndDate.String() != "2025-09-30" {
			t.Fatalf("years = %+v", y)
		}
		// £460,000 x 183 / 365 = £230,630.136..., rounded down.
		if y[1].BasisValuePence == nil || *y[1].BasisValuePence != 23063013 {
			t.Errorf("part-year value = %v, want 23063013", y[1].BasisValuePence)
		}
	})

	t.Run("Load and YearsOf read without scope for the other domains", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create()
		b.send(http.MethodPut, bandsPath(c, "2"), b.admin.Token, map[string]any{"bands": workedExample(), "basis_band": 3}, 1).Expect(http.StatusOK)
		ctx := context.Background()
		got, err := contracts.Load(ctx, b.env.DB.Gorm, c.ID)
		if err != nil || got.Reference != c.Reference || got.Prime.ID != b.prime || got.Version != 2 {
			t.Fatalf("Load = %+v, %v", got, err)
		}
		years, err := contracts.YearsOf(ctx, b.env.DB.Gorm, c.ID)
		if err != nil || len(years) != 3 {
			t.Fatalf("YearsOf = %d years, %v", len(years), err)
		}
		basis, ok := years[1].BasisOn(calendar.NewDate(2025, time.June, 15))
		if !ok || basis.Band.AnnualPrice != money.Pounds(460000) || years[1].EffectiveCap() != 850 {
			t.Errorf("year 2: basis %+v %v, cap %d", basis, ok, years[1].EffectiveCap())
		}
		if _, err := contracts.Load(ctx, b.env.DB.Gorm, ids.New()); err == nil {
			t.Error("Load of an unknown id succeeded")
		}
	})
}

func TestBasisBandHistory(t *testing.T) {
	t.Parallel()
	b := setup(t)
	path := func(c contracts.ContractResponse, year string) string {
		return contractPath(c.ID, "/years/", year, "/basis-band")
	}

	t.Run("a change from a month keeps the history and applies from its date", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create()
		b.send(http.MethodPut, bandsPath(c, "2"), b.admin.Token, map[string]any{"bands": workedExample(), "basis_band": 3}, 1).Expect(http.StatusOK)
		var y contracts.YearResponse
		r := b.act(http.MethodPost, b.commissioner("J").Token, path(c, "2"), map[string]any{"band_number": 2, "reason": "volumes below plan", "effective_from": "2025-06-01"}).
			Expect(http.StatusCreated)
		r.JSON(&y)
		if r.Header.Get("ETag") != `"v3"` {
			t.Errorf("ETag = %q", r.Header.Get("ETag"))
		}
		if y.BasisBand.Band.Number != 2 || y.BasisBand.EffectiveFrom.String() != "2025-06-01" {
			t.Errorf("in force on 15 June: %+v", y.BasisBand)
		}
		if len(y.BasisHistory) != 2 || y.BasisHistory[1].Reason != "volumes below plan" || y.BasisHistory[1].ChangedBy == nil {
			t.Errorf("history = %+v", y.BasisHistory)
		}
		if len(y.BasisTimeline) != 2 || y.BasisTimeline[0].Band.Number != 3 || y.BasisTimeline[0].EffectiveFrom.String() != "2025-04-01" ||
			y.BasisTimeline[1].Band.Number != 2 {
			t.Errorf("timeline = %+v", y.BasisTimeline)
		}
		// A change from the first of a later month is not yet in force.
		b.act(http.MethodPost, b.admin.Token, path(c, "2"), map[string]any{"band_number": 4, "reason": "surge expected", "effective_from": "2025-09-01"}).
			Expect(http.StatusCreated).JSON(&y)
		if y.BasisBand.Band.Number != 2 || len(y.BasisTimeline) != 3 {
			t.Errorf("in force %+v, timeline %+v", y.BasisBand, y.BasisTimeline)
		}
		want := []string{"contract.created", "contract.bands_replaced", "contract.basis_band_changed", "contract.basis_band_changed"}
		if got := b.auditActions(c.ID); !slices.Equal(got, want) {
			t.Errorf("audit = %q", got)
		}

		// Replacing the table re-baselines the year: earlier changes are superseded, not deleted.
		b.send(http.MethodPut, bandsPath(c, "2"), b.admin.Token, map[string]any{"bands": workedExample(), "basis_band": 1, "reason": "re-based"}, 4).
			Expect(http.StatusOK).JSON(&y)
		if y.BasisBand.Band.Number != 1 || len(y.BasisTimeline) != 1 || len(y.BasisHistory) != 4 {
			t.Fatalf("after replacing: in force %+v, timeline %+v, history %d", y.BasisBand, y.BasisTimeline, len(y.BasisHistory))
		}
		for i, h := range y.BasisHistory[:3] {
			if h.SupersededAt == nil {
				t.Errorf("history[%d] not superseded", i)
			}
		}
		if y.BasisHistory[3].SupersededAt != nil || y.BasisHistory[3].Reason != "re-based" {
			t.Errorf("the new baseline = %+v", y.BasisHistory[3])
		}
	})

	t.Run("effective_from defaults to the year's start", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create(set("start_date", "2024-06-26"), set("end_date", "2026-06-25"))
		b.send(http.MethodPut, bandsPath(c, "1"), b.admin.Token, map[string]any{"bands": workedExample(), "basis_band": 3}, 1).Expect(http.StatusOK)
		var y contracts.YearResponse
		b.act(http.MethodPost, b.admin.Token, path(c, "1"), map[string]any{"band_number": 4, "reason": "agreed at review"}).Expect(http.StatusCreated).JSON(&y)
		if y.BasisBand.Band.Number != 4 || y.BasisBand.EffectiveFrom.String() != "2024-06-26" || len(y.BasisTimeline) != 1 {
			t.Errorf("basis %+v, timeline %+v", y.BasisBand, y.BasisTimeline)
		}
	})

	t.Run("bad changes are refused", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.create()
		b.act(http.MethodPost, b.admin.Token, path(c, "2"), map[string]any{"band_number": 1, "reason": "x"}).ExpectProblem(http.StatusBadRequest, "basis_band_unknown")
		b.send(http.MethodPut, bandsPath(c, "2"), b.admin.Token, map[string]any{"bands": workedExample(), "basis_band": 3}, 1).Expect(http.StatusOK)
		cases := []struct {
			body        map[string]any
			field, code string
		}{
			{map[string]any{"band_number": 5, "reason": "x"}, "band_number", "basis_band_unknown"},
			{map[string]any{"band_number": 2, "reason": " "}, "reason", "required"},
			{map[string]any{"band_number": 2, "reason": "x", "effective_from": "2025-06-15"}, "effective_from", "effective_from_not_first_of_month"},
			{map[string]any{"band_number": 2, "reason": "x", "effective_from": "2026-04-01"}, "effective_from", "effective_from_outside_year"},
			{map[string]any{"band_number": 2, "reason": "x", "effective_from": "June"}, "effective_from", "invalid_date"},
		}
		for _, tc := range cases {
			expectField(t, b.act(http.MethodPost, b.admin.Token, path(c, "2"), tc.body), tc.field, tc.code)
		}
		b.act(http.MethodPost, b.admin.Token, path(c, "9"), map[string]any{"band_number": 2, "reason": "x"}).ExpectProblem(http.StatusNotFound, "not_found")
		b.act(http.MethodPost, b.supplierUser(b.prime).Token, path(c, "2"), map[string]any{"band_number": 2, "reason": "x"}).ExpectProblem(http.StatusForbidden, "role_not_allowed")
		b.act(http.MethodPost, b.commissioner("K").Token, path(c, "2"), map[string]any{"band_number": 2, "reason": "x"}).ExpectProblem(http.StatusNotFound, "not_found")
	})
}

func TestCapVariations(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.create()
	path := contractPath(c.ID, "/years/2/cap-variations")

	b.act(http.MethodPost, b.admin.Token, path, map[string]any{"new_cap": 900, "reason": "extra demand"}).ExpectProblem(http.StatusConflict, "bands_not_set")
	b.send(http.MethodPut, bandsPath(c, "2"), b.admin.Token, map[string]any{"bands": workedExample(), "basis_band": 3}, 1).Expect(http.StatusOK)
	expectField(t, b.act(http.MethodPost, b.admin.Token, path, map[string]any{"new_cap": 0, "reason": "x"}), "new_cap", "new_cap_not_positive")
	expectField(t, b.act(http.MethodPost, b.admin.Token, path, map[string]any{"new_cap": 900, "reason": ""}), "reason", "required")
	b.act(http.MethodPost, b.supplierUser(b.prime).Token, path, map[string]any{"new_cap": 900, "reason": "x"}).ExpectProblem(http.StatusForbidden, "role_not_allowed")

	var y contracts.YearResponse
	b.act(http.MethodPost, b.commissioner("J").Token, path, map[string]any{"new_cap": 900, "reason": "extra demand"}).Expect(http.StatusCreated).JSON(&y)
	if *y.VolumeCap != 850 || *y.EffectiveCap != 900 || len(y.CapVariations) != 1 || y.CapVariations[0].RecordedBy == nil {
		t.Errorf("after one variation: cap %d, effective %d, variations %+v", *y.VolumeCap, *y.EffectiveCap, y.CapVariations)
	}
	b.act(http.MethodPost, b.admin.Token, path, map[string]any{"new_cap": 880, "reason": "agreed lower"}).Expect(http.StatusCreated).JSON(&y)
	if *y.EffectiveCap != 880 || len(y.CapVariations) != 2 || y.CapVariations[1].Reason != "agreed lower" {
		t.Errorf("the latest variation wins: effective %d, variations %+v", *y.EffectiveCap, y.CapVariations)
	}
	if other := b.years(c.ID).Items[0]; other.EffectiveCap != nil || len(other.CapVariations) != 0 {
		t.Errorf("year 1 picked up year 2's variation: %+v", other)
	}
	want := []string{"contract.created", "contract.bands_replaced", "contract.cap_varied", "contract.cap_varied"}
	if got := b.auditActions(c.ID); !slices.Equal(got, want) {
		t.Errorf("audit = %q", got)
	}
}

func TestPricing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.create()
	inputsPath, pricingPath := contractPath(c.ID, "/years/2/pricing-inputs"), contractPath(c.ID, "/years/2/pricing")
	type pricingJSON struct {
		Year  int `json:"year"`
		Lines []struct {
			Level      string `json:"level"`
			TotalPence int64  `json:"total_pence"`
			Arithmetic string `json:"arithmetic"`
		} `json:"lines"`
		ComputedTotalPence *int64  `json:"computed_total_pence"`
		AgreedPricePence   *int64  `json:"agreed_price_pence"`
		DifferencePence    *int64  `json:"difference_pence"`
		ComputedTotal      *string `json:"computed_total"`
	}
	var p pricingJSON
	b.env.Get(b.admin.Token, pricingPath).Expect(http.StatusOK).JSON(&p)
	if len(p.Lines) != 0 || p.ComputedTotalPence != nil || p.AgreedPricePence != nil {
		t.Errorf("before any input: %+v", p)
	}

	inputs := []map[string]any{
		{"level": "HIGH", "estimated_referrals": 150, "unit_cost_pence": 100000},
		{"level": "LOW", "estimated_referrals": 300, "unit_cost_pence": 50000},
		{"level": "MEDIUM", "estimated_referrals": 250, "unit_cost_pence": 75000},
	}
	b.send(http.MethodPut, inputsPath, b.admin.Token, map[string]any{"inputs": inputs}, 0).ExpectProblem(http.StatusPreconditionRequired, "if_match_required")
	expectField(t, b.send(http.MethodPut, inputsPath, b.admin.Token, map[string]any{"inputs": []map[string]any{
		{"level": "EXTREME", "estimated_referrals": 1, "unit_cost_pence": 1}}}, 1), "inputs[0].level", "level_unknown")
	expectField(t, b.send(http.MethodPut, inputsPath, b.admin.Token, map[string]any{"inputs": []map[string]any{
		{"level": "LOW", "estimated_referrals": 1, "unit_cost_pence": 1}, {"level": "LOW", "estimated_referrals": 2, "unit_cost_pence": 1}}}, 1),
		"inputs[1].level", "duplicate_level")
	expectField(t, b.send(http.MethodPut, inputsPath, b.admin.Token, map[string]any{"inputs": []map[string]any{
		{"level": "LOW", "estimated_referrals": -1, "unit_cost_pence": 0}}}, 1), "inputs[0].unit_cost_pence", "unit_cost_not_positive")
	b.send(http.MethodPut, inputsPath, b.supplierUser(b.prime).Token, map[string]any{"inputs": inputs}, 1).ExpectProblem(http.StatusForbidden, "role_not_allowed")

	var y contracts.YearResponse
	b.send(http.MethodPut, inputsPath, b.admin.Token, map[string]any{"inputs": inputs}, 1).Expect(http.StatusOK).JSON(&y)
	if len(y.PricingInputs) != 3 || y.PricingInputs[0].Level != "LOW" || y.PricingInputs[2].Level != "HIGH" {
		t.Errorf("stored inputs = %+v", y.PricingInputs)
	}
	b.send(http.MethodPut, bandsPath(c, "2"), b.admin.Token, map[string]any{"bands": workedExample(), "basis_band": 3}, 2).Expect(http.StatusOK)

	// A supplier user of the prime may read the pricing.
	b.env.Get(b.supplierUser(b.prime).Token, pricingPath).Expect(http.StatusOK).JSON(&p)
	// 300 x £500 + 250 x £750 + 150 x £1,000 = £150,000 + £187,500 + £150,000 = £487,500.
	if p.ComputedTotalPence == nil || *p.ComputedTotalPence != 48750000 || p.ComputedTotal == nil || *p.ComputedTotal != "£487,500.00" {
		t.Fatalf("computed = %+v", p)
	}
	if len(p.Lines) != 3 || p.Lines[1].Arithmetic != "250 x £750.00 = £187,500.00" || p.Lines[1].TotalPence != 18750000 {
		t.Errorf("lines = %+v", p.Lines)
	}
	if *p.AgreedPricePence != 46000000 || *p.DifferencePence != -2750000 {
		t.Errorf("agreed %d, difference %d; want 46000000 and -2750000", *p.AgreedPricePence, *p.DifferencePence)
	}
	if got := b.auditActions(c.ID); !slices.Contains(got, "contract.pricing_inputs_set") {
		t.Errorf("audit = %q", got)
	}
	b.env.Get(b.admin.Token, contractPath(c.ID, "/years/5/pricing")).ExpectProblem(http.StatusNotFound, "not_found")
}
