package contracts

import (
	"math"
	"testing"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/money"
)

// TestComputePriceRefusesOverflow checks that a price too large for 64 bits is refused with a
// field error, never returned as a wrapped (negative) figure.
func TestComputePriceRefusesOverflow(t *testing.T) {
	t.Parallel()
	for name, inputs := range map[string][]PricingInput{
		"one line": {{Level: "LOW", EstimatedReferrals: 1_000_000, UnitCost: money.Pence(math.MaxInt64 / 10)}},
		"the sum":  {{Level: "LOW", EstimatedReferrals: 1, UnitCost: math.MaxInt64 - 1}, {Level: "HIGH", EstimatedReferrals: 1, UnitCost: 2}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b, err := ComputePrice(inputs)
			e, ok := apperr.As(err)
			if !ok || len(e.Fields) != 1 || e.Fields[0].Code != "amount_too_large" {
				t.Fatalf("got %+v, %v; want amount_too_large", b, err)
			}
		})
	}
	b, err := ComputePrice([]PricingInput{{Level: "LOW", EstimatedReferrals: 240, UnitCost: 125_000}})
	if err != nil || b.Total != 30_000_000 {
		t.Fatalf("240 x £1,250.00 = %v, %v", b.Total, err)
	}
}
