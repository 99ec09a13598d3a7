package contracts

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
)

// WithYears is a contract with its contract years (bands, basis history, cap variations, pricing).
type WithYears struct {
	Contract
	Years []YearDetail
}

// YearOn returns the contract year containing the day.
func (c WithYears) YearOn(d calendar.Date) (YearDetail, bool) {
	for _, y := range c.Years {
		if y.Contains(d) {
			return y, true
		}
	}
	return YearDetail{}, false
}

// PortfolioFilter selects contracts for LoadPortfolio; zero fields do not filter.
type PortfolioFilter struct {
	IDs           []uuid.UUID
	Regions       []string
	ContractTypes []string
	// LiveOn keeps contracts live on that day (started, not past their effective end).
	LiveOn calendar.Date
	// ActiveFrom and ActiveTo, when set, keep contracts live on at least one day between them.
	ActiveFrom, ActiveTo calendar.Date
	// Primes, when not nil, keeps the contracts of those prime suppliers (a supplier user's scope).
	Primes []uuid.UUID
	// AfterReference, when set, keeps contracts whose lower-cased reference sorts after it (a keyset
	// page), and Limit, when positive, reads at most that many.
	AfterReference string
	Limit          int
}

// LoadPortfolio reads the contracts the filter selects, with their years, whoever asks, in a fixed
// number of queries whatever their number (for reconciliation and returns, which apply their own
// scope). Contracts come in reference order.
func LoadPortfolio(ctx context.Context, db *gorm.DB, f PortfolioFilter) ([]WithYears, error) {
	q := db.WithContext(ctx).Model(&contractRow{})
	if f.IDs != nil {
		q = q.Where("id IN ?", f.IDs)
	}
	if f.Regions != nil {
		q = q.Where("region_code IN ?", f.Regions)
	}
	if f.ContractTypes != nil {
		q = q.Where("contract_type_code IN ?", f.ContractTypes)
	}
	if !f.LiveOn.IsZero() {
		q = q.Where("start_date <= ? AND effective_end_date >= ?", f.LiveOn, f.LiveOn)
	}
	if !f.ActiveFrom.IsZero() && !f.ActiveTo.IsZero() {
		q = q.Where("start_date <= ? AND effective_end_date >= ?", f.ActiveTo, f.ActiveFrom)
	}
	if f.Primes != nil {
		q = q.Where("prime_supplier_id IN ?", f.Primes)
	}
	if f.AfterReference != "" {
		q = q.Where("lower(reference) > ?", f.AfterReference)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []contractRow
	if err := q.Order("lower(reference), id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read portfolio: %w", err)
	}
	cs, err := assemble(ctx, db, rows)
	if err != nil {
		return nil, err
	}
	return yearsOfMany(ctx, db, cs)
}

// yearsOfMany fills in the years of many contracts with one query per table.
func yearsOfMany(ctx context.Context, db *gorm.DB, cs []Contract) ([]WithYears, error) {
	out := make([]WithYears, len(cs))
	if len(cs) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	q := func() *gorm.DB { return db.WithContext(ctx).Where("contract_id IN ?", ids) }
	var bands []bandRow
	if err := q().Order("contract_id, year_number, band_number").Find(&bands).Error; err != nil {
		return nil, fmt.Errorf("read bands: %w", err)
	}
	var basis []basisRow
	if err := q().Order("contract_id, year_number, changed_at, id").Find(&basis).Error; err != nil {
		return nil, fmt.Errorf("read basis bands: %w", err)
	}
	var caps []capRow
	if err := q().Order("contract_id, year_number, recorded_at, id").Find(&caps).Error; err != nil {
		return nil, fmt.Errorf("read cap variations: %w", err)
	}
	var inputs []pricingRow
	if err := q().Order("contract_id, year_number").Find(&inputs).Error; err != nil {
		return nil, fmt.Errorf("read pricing inputs: %w", err)
	}
	type key struct {
		contract uuid.UUID
		year     int
	}
	details := map[key]*YearDetail{}
	for i, c := range cs {
		years, err := c.Years()
		if err != nil {
			return nil, fmt.Errorf("contract %s years: %w", c.ID, err)
		}
		out[i] = WithYears{Contract: c, Years: make([]YearDetail, len(years))}
		for j, y := range years {
			out[i].Years[j] = YearDetail{Year: y, Bands: []Band{}, BasisHistory: []BasisChange{}, CapVariations: []CapVariation{}, PricingInputs: []PricingInput{}}
			details[key{c.ID, y.Number}] = &out[i].Years[j]
		}
	}
	// Figures stored for a year number the contract no longer has are left out.
	for _, b := range bands {
		if d := details[key{b.ContractID, b.YearNumber}]; d != nil {
			d.Bands = append(d.Bands, b.band())
		}
	}
	for _, b := range basis {
		if d := details[key{b.ContractID, b.YearNumber}]; d != nil {
			d.BasisHistory = append(d.BasisHistory, b.change())
		}
	}
	for _, cv := range caps {
		if d := details[key{cv.ContractID, cv.YearNumber}]; d != nil {
			d.CapVariations = append(d.CapVariations, CapVariation{ID: cv.ID, NewCap: cv.NewCap, Reason: cv.Reason,
				RecordedBy: cv.RecordedBy, RecordedAt: cv.RecordedAt.UTC()})
		}
	}
	for _, in := range inputs {
		if d := details[key{in.ContractID, in.YearNumber}]; d != nil {
			d.PricingInputs = append(d.PricingInputs, PricingInput{Level: ComplexityLevel(in.Level),
				EstimatedReferrals: in.EstimatedReferrals, UnitCost: money.Pence(in.UnitCostPence)})
		}
	}
	for _, d := range details {
		slices.SortFunc(d.PricingInputs, func(a, b PricingInput) int {
			return slices.Index(ComplexityLevels(), a.Level) - slices.Index(ComplexityLevels(), b.Level)
		})
	}
	return out, nil
}
