package volumes

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
)

// YearOf is one contract year to picture.
type YearOf struct {
	Contract contracts.WithYears
	Year     contracts.YearDetail
}

// Ledger tells what was paid for contract years: payments implements it.
type Ledger interface {
	// PaidForYears returns, for each year in order, the entitlements paid for it on or before paidBy.
	PaidForYears(ctx context.Context, db *gorm.DB, years []YearOf, paidBy calendar.Date) ([]money.Pence, error)
}

// Pictures builds the picture of each contract year as at asOf, in the order given: its referrals
// counted from the year's start to asOf (or to the year's end once it has ended), and the entitlements
// paid for it by asOf, which settle an ended year. Whatever the number of years it runs the counting
// query once and asks the ledger once; a nil ledger means nothing paid (pictures of running years
// only, where payments do not enter the figures).
func Pictures(ctx context.Context, db *gorm.DB, ledger Ledger, years []YearOf, asOf calendar.Date) ([]Picture, error) {
	windows := make([]Window, len(years))
	for i, x := range years {
		end := asOf
		if end.After(x.Year.End) {
			end = x.Year.End
		}
		windows[i] = Window{ContractID: x.Contract.ID, Start: x.Year.Start, End: end}
	}
	vols, err := Count(ctx, db, windows)
	if err != nil {
		return nil, err
	}
	paid := make([]money.Pence, len(years))
	if ledger != nil && len(years) > 0 {
		if paid, err = ledger.PaidForYears(ctx, db, years, asOf); err != nil {
			return nil, fmt.Errorf("volume pictures as at %s: %w", asOf, err)
		}
	}
	out := make([]Picture, len(years))
	for i, x := range years {
		out[i] = Build(x.Contract, x.Year, vols[windows[i]], asOf, paid[i])
	}
	return out, nil
}
