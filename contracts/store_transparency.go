package contracts

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/suppliers"
)

// publicFilter selects the published contracts: those started on or before Today (live or ended).
type publicFilter struct {
	Region       string
	ContractType string
	// Status is StateLive, StateEnded, or "" for both.
	Status State
	Today  calendar.Date
	After  *listKey
	// Limit is the page size (one more row is read, to tell whether there is a next page); 0 reads
	// every matching contract.
	Limit int
}

// where limits a query on contracts to the filter, in order of reference.
func (f publicFilter) where(q *gorm.DB) *gorm.DB {
	q = q.Where("contracts.start_date <= ?", f.Today)
	switch f.Status {
	case StateLive:
		q = q.Where("contracts.effective_end_date >= ?", f.Today)
	case StateEnded:
		q = q.Where("contracts.effective_end_date < ?", f.Today)
	}
	if f.Region != "" {
		q = q.Where("contracts.region_code = ?", f.Region)
	}
	if f.ContractType != "" {
		q = q.Where("contracts.contract_type_code = ?", f.ContractType)
	}
	if f.After != nil {
		q = q.Where("(contracts.reference, contracts.id) > (?, ?)", f.After.Reference, f.After.ID)
	}
	q = q.Order("contracts.reference, contracts.id")
	if f.Limit > 0 {
		q = q.Limit(f.Limit + 1)
	}
	return q
}

// publicContracts returns the published contracts matching the filter by reference, with their
// supply chains.
func publicContracts(ctx context.Context, db *gorm.DB, f publicFilter) ([]Contract, error) {
	var rows []contractRow
	if err := f.where(db.WithContext(ctx).Model(&contractRow{})).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list published contracts: %w", err)
	}
	return assemble(ctx, db, rows)
}

// valuedRow is what the value summary reads of a contract: no supply chain, no free text.
type valuedRow struct {
	ID               uuid.UUID
	RegionCode       string
	PrimeSupplierID  uuid.UUID
	OrganisationType string
	StartDate        calendar.Date `gorm:"type:date"`
	EffectiveEndDate calendar.Date `gorm:"type:date"`
}

// valuedContracts returns, for each published contract matching the filter, its region, prime, prime's
// organisation type and dates, in one query.
func valuedContracts(ctx context.Context, db *gorm.DB, f publicFilter) ([]valuedRow, error) {
	q := db.WithContext(ctx).Table("contracts").
		Select("contracts.id, contracts.region_code, contracts.prime_supplier_id, prime.organisation_type, contracts.start_date, contracts.effective_end_date").
		Joins("JOIN suppliers prime ON prime.id = contracts.prime_supplier_id")
	var rows []valuedRow
	if err := f.where(q).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read published contracts' values: %w", err)
	}
	return rows, nil
}

func (r valuedRow) valued(v Valuation) ValuedContract {
	return ValuedContract{RegionCode: r.RegionCode, PrimeID: r.PrimeSupplierID, PrimeType: suppliers.OrganisationType(r.OrganisationType),
		AnnualValue: v.AnnualValue}
}

// basisBandRow is a basis band change with the band it names (null when the year's table lacks it).
type basisBandRow struct {
	Basis            basisRow `gorm:"embedded"`
	Low              *int
	High             *int
	AnnualPricePence *int64
}

// yearFigures reads, for one contract year of each contract given, what YearDetail.BasisOn needs:
// the year's basis band history and the bands it names, in order of number (not the rest of the band
// table, the cap variations or the pricing inputs). It runs one query whatever the number of contracts, and every
// contract given has an entry, with empty lists when nothing is stored.
func yearFigures(ctx context.Context, db *gorm.DB, years map[uuid.UUID]Year) (map[uuid.UUID]YearDetail, error) {
	out := make(map[uuid.UUID]YearDetail, len(years))
	if len(years) == 0 {
		return out, nil
	}
	// The wanted (contract, year) pairs travel as two arrays: two parameters, however many pairs.
	ids := make(pq.StringArray, 0, len(years))
	numbers := make(pq.Int64Array, 0, len(years))
	for id, y := range years {
		ids = append(ids, id.String())
		numbers = append(numbers, int64(y.Number))
		out[id] = YearDetail{Year: y, Bands: []Band{}, BasisHistory: []BasisChange{}, CapVariations: []CapVariation{}, PricingInputs: []PricingInput{}}
	}
	var rows []basisBandRow
	err := db.WithContext(ctx).Raw(`
		SELECT t.*, b.low, b.high, b.annual_price_pence
		FROM contract_basis_bands t
		JOIN unnest(?::uuid[], ?::integer[]) AS w(contract_id, year_number)
			ON w.contract_id = t.contract_id AND w.year_number = t.year_number
		LEFT JOIN contract_bands b
			ON b.contract_id = t.contract_id AND b.year_number = t.year_number AND b.band_number = t.band_number
		ORDER BY t.contract_id, t.changed_at, t.id`, ids, numbers).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read basis bands: %w", err)
	}
	for _, r := range rows {
		d := out[r.Basis.ContractID]
		d.BasisHistory = append(d.BasisHistory, r.Basis.change())
		if _, have := bandNumbered(d.Bands, r.Basis.BandNumber); !have && r.AnnualPricePence != nil {
			d.Bands = append(d.Bands, Band{Number: r.Basis.BandNumber, Low: *r.Low, High: *r.High, AnnualPrice: money.Pence(*r.AnnualPricePence)})
		}
		out[r.Basis.ContractID] = d
	}
	for _, d := range out {
		slices.SortFunc(d.Bands, func(a, b Band) int { return a.Number - b.Number })
	}
	return out, nil
}
