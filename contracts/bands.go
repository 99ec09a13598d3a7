package contracts

import (
	"fmt"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/enum"
	"github.com/crsplatform/crs/internal/money"
)

// Band is one volume band of a contract year: the annual price paid when the year's counted referrals
// fall between Low and High, both included.
type Band struct {
	// Number is the band's number, from 1 upwards in order of volume.
	Number int
	// Low and High are the band's lowest and highest referral counts, both included.
	Low, High int
	// AnnualPrice is the agreed price for a complete contract year in this band.
	AnnualPrice money.Pence
}

// ValidateBands checks a contract year's band table: bands numbered 1 to n in order, band 1 starting
// at 0, each band starting at the previous band's high + 1, high not below low, and prices positive
// and strictly rising with the band. It reports every problem found, not only the first.
//
// It returns nil for a valid table, or an invalid error whose field errors name the field by its
// JSON path (for example "bands[1].low"), with these codes: bands_required (field "bands"),
// band_number_sequence, first_band_not_zero, band_gap, band_overlap, high_below_low,
// price_not_positive and price_not_rising (on "bands[i].annual_price_pence").
func ValidateBands(bands []Band) error {
	var f apperr.Fields
	if len(bands) == 0 {
		f.Add("bands", "bands_required", "A contract year needs at least one volume band.")
		return f.Err("invalid volume bands")
	}
	for i, b := range bands {
		path := fmt.Sprintf("bands[%d]", i)
		f.Check(b.Number == i+1, path+".number", "band_number_sequence",
			fmt.Sprintf("Band %d should be numbered %d: bands are numbered 1 upwards in order.", b.Number, i+1))
		if i == 0 {
			f.Check(b.Low == 0, path+".low", "first_band_not_zero",
				fmt.Sprintf("Band 1 must start at 0 referrals, not %d.", b.Low))
		} else {
			prev := bands[i-1]
			switch {
			case b.Low > prev.High+1:
				f.Add(path+".low", "band_gap", fmt.Sprintf(
					"Band %d starts at %d, leaving a gap after band %d's high of %d; it must start at %d.",
					i+1, b.Low, i, prev.High, prev.High+1))
			case b.Low <= prev.High:
				f.Add(path+".low", "band_overlap", fmt.Sprintf(
					"Band %d starts at %d, overlapping band %d, which runs to %d; it must start at %d.",
					i+1, b.Low, i, prev.High, prev.High+1))
			}
		}
		f.Check(b.High >= b.Low, path+".high", "high_below_low",
			fmt.Sprintf("Band %d's high (%d) is below its low (%d).", i+1, b.High, b.Low))
		if !f.Check(b.AnnualPrice > 0, path+".annual_price_pence", "price_not_positive",
			fmt.Sprintf("Band %d's annual price must be more than £0.00.", i+1)) {
			continue
		}
		if i > 0 && b.AnnualPrice <= bands[i-1].AnnualPrice {
			f.Add(path+".annual_price_pence", "price_not_rising", fmt.Sprintf(
				"Band %d's annual price (%v) must be more than band %d's (%v).",
				i+1, b.AnnualPrice, i, bands[i-1].AnnualPrice))
		}
	}
	return f.Err("invalid volume bands")
}

// Cap returns the volume cap of a band table: the top band's high. It returns 0 for an empty table.
func Cap(bands []Band) int {
	if len(bands) == 0 {
		return 0
	}
	return bands[len(bands)-1].High
}

// BandFor returns the band containing a referral count, for the indicated band (of a projection) and
// the binding band (of a year's actual count). A count below band 1 gives band 1, the guaranteed
// minimum; a count above the cap gives the top band, and overCap is the number of referrals above the
// cap (0 otherwise). bands must be valid (see ValidateBands); an empty table gives the zero Band.
func BandFor(bands []Band, count int) (band Band, overCap int) {
	if len(bands) == 0 {
		return Band{}, 0
	}
	if top := bands[len(bands)-1]; count > top.High {
		return top, count - top.High
	}
	for _, b := range bands {
		if count <= b.High {
			return b, 0
		}
	}
	return bands[len(bands)-1], 0 // unreachable for a valid table
}

// ComplexityLevel is the complexity of a person's need in one service category, chosen per referral;
// it drives intensity and unit cost.
type ComplexityLevel string

// The complexity levels, from least to most intensive.
const (
	ComplexityLow    ComplexityLevel = "LOW"
	ComplexityMedium ComplexityLevel = "MEDIUM"
	ComplexityHigh   ComplexityLevel = "HIGH"
)

// ComplexityLevels returns every complexity level, from least to most intensive.
func ComplexityLevels() []ComplexityLevel {
	return []ComplexityLevel{ComplexityLow, ComplexityMedium, ComplexityHigh}
}

// Valid reports whether l is one of the complexity levels.
func (l ComplexityLevel) Valid() bool {
	switch l {
	case ComplexityLow, ComplexityMedium, ComplexityHigh:
		return true
	default:
		return false
	}
}

// ParseComplexityLevel parses "LOW", "MEDIUM" or "HIGH" (exactly, in capitals). It returns an invalid
// error (field "level", code level_unknown) for anything else.
func ParseComplexityLevel(s string) (ComplexityLevel, error) {
	return enum.Parse("level", "level_unknown", s, ComplexityLow, ComplexityMedium, ComplexityHigh)
}

// PricingInput is one line of the volume estimate a band price was built from: the estimated
// referrals at one complexity level and the unit cost of each.
type PricingInput struct {
	Level              ComplexityLevel
	EstimatedReferrals int
	UnitCost           money.Pence
}

// PriceLine is one line of a computed price: an input and its total.
type PriceLine struct {
	Level              ComplexityLevel
	EstimatedReferrals int
	UnitCost           money.Pence
	// Total is EstimatedReferrals x UnitCost.
	Total money.Pence
	// Arithmetic shows the sum for people, such as "240 x £1,250.00 = £300,000.00".
	Arithmetic string
}

// PriceBreakdown is a price computed from volume estimates and unit costs, line by line.
type PriceBreakdown struct {
	Lines []PriceLine
	// Total is the sum of the lines' totals.
	Total money.Pence
}

// ComputePrice computes a band price from volume estimates and unit costs: the sum over complexity
// levels of estimated referrals x unit cost. The result is a guide: the agreed band price, adjusted to
// the budget, is what is paid.
//
// It returns an invalid error whose field errors are on "pricing_inputs" (code
// pricing_inputs_required, for no lines) or "pricing_inputs[i].level" (level_unknown,
// duplicate_level), "pricing_inputs[i].estimated_referrals" (estimate_negative) and
// "pricing_inputs[i].unit_cost_pence" (unit_cost_not_positive, or amount_too_large when a line or
// the total would not fit in 64 bits).
func ComputePrice(inputs []PricingInput) (PriceBreakdown, error) {
	var f apperr.Fields
	f.Check(len(inputs) > 0, "pricing_inputs", "pricing_inputs_required",
		"Give the estimated referrals and unit cost for at least one complexity level.")
	seen := make(map[ComplexityLevel]int, len(inputs))
	for i, in := range inputs {
		path := fmt.Sprintf("pricing_inputs[%d]", i)
		if f.Check(in.Level.Valid(), path+".level", "level_unknown",
			fmt.Sprintf("Unknown complexity level %q: use LOW, MEDIUM or HIGH.", in.Level)) {
			if first, dup := seen[in.Level]; dup {
				f.Add(path+".level", "duplicate_level", fmt.Sprintf(
					"Complexity level %s is already priced on line %d.", in.Level, first+1))
			} else {
				seen[in.Level] = i
			}
		}
		f.Check(in.EstimatedReferrals >= 0, path+".estimated_referrals", "estimate_negative",
			"The estimated referrals must not be negative.")
		f.Check(in.UnitCost > 0, path+".unit_cost_pence", "unit_cost_not_positive",
			"The unit cost must be more than £0.00.")
	}
	if err := f.Err("invalid pricing inputs"); err != nil {
		return PriceBreakdown{}, err
	}

	breakdown := PriceBreakdown{Lines: make([]PriceLine, 0, len(inputs))}
	for i, in := range inputs {
		total, ok := in.UnitCost.Mul(int64(in.EstimatedReferrals))
		sum, okSum := breakdown.Total.Add(total)
		if !ok || !okSum {
			return PriceBreakdown{}, apperr.Invalid("invalid pricing inputs", apperr.FieldError{
				Field: fmt.Sprintf("pricing_inputs[%d].unit_cost_pence", i), Code: "amount_too_large",
				Message: "The estimated referrals times the unit cost is too large to be a price."})
		}
		breakdown.Lines = append(breakdown.Lines, PriceLine{
			Level:              in.Level,
			EstimatedReferrals: in.EstimatedReferrals,
			UnitCost:           in.UnitCost,
			Total:              total,
			Arithmetic:         fmt.Sprintf("%d x %v = %v", in.EstimatedReferrals, in.UnitCost, total),
		})
		breakdown.Total = sum
	}
	return breakdown, nil
}

func bandNumbered(bands []Band, number int) (Band, bool) {
	for _, b := range bands {
		if b.Number == number {
			return b, true
		}
	}
	return Band{}, false
}
