package contracts

import (
	"testing"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/money"
)

// exampleBands returns the worked example's band table from DOMAIN.md (cap 850).
func exampleBands() []Band {
	return []Band{
		{Number: 1, Low: 0, High: 400, AnnualPrice: money.Pounds(300000)},
		{Number: 2, Low: 401, High: 550, AnnualPrice: money.Pounds(380000)},
		{Number: 3, Low: 551, High: 700, AnnualPrice: money.Pounds(460000)},
		{Number: 4, Low: 701, High: 850, AnnualPrice: money.Pounds(540000)},
	}
}

// withBand returns the example bands with band i (from 0) changed by edit.
func withBand(i int, edit func(*Band)) []Band {
	bands := exampleBands()
	edit(&bands[i])
	return bands
}

func TestValidateBands(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		bands []Band
		want  []string
	}{
		{name: "DOMAIN example is valid", bands: exampleBands()},
		{name: "one band with a cap is valid", bands: []Band{{Number: 1, Low: 0, High: 300, AnnualPrice: money.Pounds(360000)}}},
		{name: "one-referral band is valid", bands: []Band{{Number: 1, Low: 0, High: 0, AnnualPrice: 1}}},
		{name: "empty table", bands: nil, want: []string{"bands bands_required"}},
		{
			name:  "band 1 not starting at zero",
			bands: withBand(0, func(b *Band) { b.Low = 1 }),
			want:  []string{"bands[0].low first_band_not_zero"},
		},
		{
			name:  "gap between bands 2 and 3",
			bands: withBand(2, func(b *Band) { b.Low = 552 }),
			want:  []string{"bands[2].low band_gap"},
		},
		{
			name:  "overlap between bands 2 and 3",
			bands: withBand(2, func(b *Band) { b.Low = 550 }),
			want:  []string{"bands[2].low band_overlap"},
		},
		{
			name:  "high below low",
			bands: withBand(3, func(b *Band) { b.High = 700 }),
			want:  []string{"bands[3].high high_below_low"},
		},
		{
			name:  "numbers out of order",
			bands: withBand(1, func(b *Band) { b.Number = 3 }),
			want:  []string{"bands[1].number band_number_sequence"},
		},
		{
			name:  "price not rising",
			bands: withBand(2, func(b *Band) { b.AnnualPrice = money.Pounds(380000) }),
			want:  []string{"bands[2].annual_price_pence price_not_rising"},
		},
		{
			name:  "zero price is not positive and not reported as not rising",
			bands: withBand(1, func(b *Band) { b.AnnualPrice = 0 }),
			want:  []string{"bands[1].annual_price_pence price_not_positive"},
		},
		{
			name: "every problem is reported",
			bands: []Band{
				{Number: 2, Low: 5, High: 4, AnnualPrice: -1},
				{Number: 2, Low: 10, High: 20, AnnualPrice: 100},
				{Number: 3, Low: 15, High: 30, AnnualPrice: 50},
			},
			want: []string{
				"bands[0].number band_number_sequence",
				"bands[0].low first_band_not_zero",
				"bands[0].high high_below_low",
				"bands[0].annual_price_pence price_not_positive",
				"bands[1].low band_gap",
				"bands[2].low band_overlap",
				"bands[2].annual_price_pence price_not_rising",
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateBands(c.bands)
			if c.want == nil {
				if err != nil {
					t.Fatalf("ValidateBands = %v, want nil", err)
				}
				return
			}
			requireFieldErrors(t, err, c.want...)
		})
	}
}

func TestCap(t *testing.T) {
	t.Parallel()
	if got := Cap(exampleBands()); got != 850 {
		t.Errorf("Cap(example) = %d, want 850", got)
	}
	if got := Cap(nil); got != 0 {
		t.Errorf("Cap(nil) = %d, want 0", got)
	}
}

func TestBandFor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		count    int
		wantBand int
		wantOver int
	}{
		{name: "DOMAIN: 380 counted gives band 1", count: 380, wantBand: 1},
		{name: "DOMAIN: 900 counted gives band 4 with 50 over cap", count: 900, wantBand: 4, wantOver: 50},
		{name: "zero", count: 0, wantBand: 1},
		{name: "below band 1 gives band 1", count: -3, wantBand: 1},
		{name: "band 1 high", count: 400, wantBand: 1},
		{name: "band 2 low", count: 401, wantBand: 2},
		{name: "inside band 3", count: 600, wantBand: 3},
		{name: "band 3 high", count: 700, wantBand: 3},
		{name: "exactly the cap", count: 850, wantBand: 4},
		{name: "one over the cap", count: 851, wantBand: 4, wantOver: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			band, over := BandFor(exampleBands(), c.count)
			if band.Number != c.wantBand || over != c.wantOver {
				t.Errorf("BandFor(%d) = band %d, %d over; want band %d, %d over", c.count, band.Number, over, c.wantBand, c.wantOver)
			}
		})
	}
	if band, over := BandFor(nil, 10); band != (Band{}) || over != 0 {
		t.Errorf("BandFor(nil) = %+v, %d; want the zero Band", band, over)
	}
}

func TestParseComplexityLevel(t *testing.T) {
	t.Parallel()
	for _, l := range ComplexityLevels() {
		got, err := ParseComplexityLevel(string(l))
		if err != nil || got != l {
			t.Errorf("ParseComplexityLevel(%q) = %q, %v", l, got, err)
		}
	}
	for _, bad := range []string{"", "low", "VERY_HIGH", " HIGH"} {
		_, err := ParseComplexityLevel(bad)
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindInvalid || len(e.Fields) != 1 || e.Fields[0].Code != "level_unknown" {
			t.Errorf("ParseComplexityLevel(%q) err = %v, want invalid level_unknown", bad, err)
		}
	}
}

func TestComputePrice(t *testing.T) {
	t.Parallel()
	got, err := ComputePrice([]PricingInput{
		{Level: ComplexityLow, EstimatedReferrals: 240, UnitCost: money.Pounds(1250)},
		{Level: ComplexityMedium, EstimatedReferrals: 300, UnitCost: 55050},
		{Level: ComplexityHigh, EstimatedReferrals: 0, UnitCost: money.Pounds(900)},
	})
	if err != nil {
		t.Fatalf("ComputePrice: %v", err)
	}
	want := []PriceLine{
		{ComplexityLow, 240, money.Pounds(1250), money.Pounds(300000), "240 x £1,250.00 = £300,000.00"},
		{ComplexityMedium, 300, 55050, 16515000, "300 x £550.50 = £165,150.00"},
		{ComplexityHigh, 0, money.Pounds(900), 0, "0 x £900.00 = £0.00"},
	}
	if len(got.Lines) != len(want) {
		t.Fatalf("lines = %+v, want %+v", got.Lines, want)
	}
	for i := range want {
		if got.Lines[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, got.Lines[i], want[i])
		}
	}
	if got.Total != 46515000 {
		t.Errorf("Total = %v, want £465,150.00", got.Total)
	}
}

func TestComputePriceErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		inputs []PricingInput
		want   []string
	}{
		{name: "no lines", inputs: nil, want: []string{"pricing_inputs pricing_inputs_required"}},
		{
			name: "every problem is reported",
			inputs: []PricingInput{
				{Level: ComplexityLow, EstimatedReferrals: -1, UnitCost: 100},
				{Level: "EXTREME", EstimatedReferrals: 10, UnitCost: 0},
				{Level: ComplexityLow, EstimatedReferrals: 10, UnitCost: -5},
			},
			want: []string{
				"pricing_inputs[0].estimated_referrals estimate_negative",
				"pricing_inputs[1].level level_unknown",
				"pricing_inputs[1].unit_cost_pence unit_cost_not_positive",
				"pricing_inputs[2].level duplicate_level",
				"pricing_inputs[2].unit_cost_pence unit_cost_not_positive",
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := ComputePrice(c.inputs)
			requireFieldErrors(t, err, c.want...)
			if got.Lines != nil || got.Total != 0 {
				t.Errorf("breakdown on error = %+v, want empty", got)
			}
		})
	}
}

// TestWorkedExample runs the DOMAIN worked example through the year-end rules: the binding band is
// the band of the counted volume, at its annual price.
func TestWorkedExample(t *testing.T) {
	t.Parallel()
	bands := exampleBands()
	if err := ValidateBands(bands); err != nil {
		t.Fatalf("example bands: %v", err)
	}
	cases := []struct {
		counted   int
		wantBand  int
		wantOver  int
		wantPrice int64
	}{
		{counted: 380, wantBand: 1, wantPrice: 300000},
		{counted: 620, wantBand: 3, wantPrice: 460000},
		{counted: 900, wantBand: 4, wantOver: 50, wantPrice: 540000},
	}
	for _, c := range cases {
		band, over := BandFor(bands, c.counted)
		if band.Number != c.wantBand || over != c.wantOver || int64(band.AnnualPrice) != c.wantPrice*100 {
			t.Errorf("%d counted: band %d at %v with %d over cap; want band %d at £%d with %d over",
				c.counted, band.Number, band.AnnualPrice, over, c.wantBand, c.wantPrice, c.wantOver)
		}
	}
}
