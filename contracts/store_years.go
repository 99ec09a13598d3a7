package contracts

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
)

type bandRow struct {
	ContractID       uuid.UUID
	YearNumber       int
	BandNumber       int
	Low              int
	High             int
	AnnualPricePence int64
}

func (bandRow) TableName() string { return "contract_bands" }

func (r bandRow) band() Band {
	return Band{Number: r.BandNumber, Low: r.Low, High: r.High, AnnualPrice: money.Pence(r.AnnualPricePence)}
}

type basisRow struct {
	ID            uuid.UUID
	ContractID    uuid.UUID
	YearNumber    int
	BandNumber    int
	EffectiveFrom calendar.Date `gorm:"type:date"`
	Reason        string
	ChangedBy     *uuid.UUID
	ChangedAt     time.Time
	SupersededAt  *time.Time
}

func (basisRow) TableName() string { return "contract_basis_bands" }

func (r basisRow) change() BasisChange {
	var sup *time.Time
	if r.SupersededAt != nil {
		t := r.SupersededAt.UTC()
		sup = &t
	}
	return BasisChange{ID: r.ID, BandNumber: r.BandNumber, EffectiveFrom: r.EffectiveFrom, Reason: r.Reason,
		ChangedBy: r.ChangedBy, ChangedAt: r.ChangedAt.UTC(), SupersededAt: sup}
}

type capRow struct {
	ID         uuid.UUID
	ContractID uuid.UUID
	YearNumber int
	NewCap     int
	Reason     string
	RecordedBy *uuid.UUID
	RecordedAt time.Time
}

func (capRow) TableName() string { return "contract_cap_variations" }

type pricingRow struct {
	ContractID         uuid.UUID
	YearNumber         int
	Level              string
	EstimatedReferrals int
	UnitCostPence      int64
}

func (pricingRow) TableName() string { return "contract_pricing_inputs" }

// YearsOf returns the contract years of a contract, whoever asks, each with its band table, basis band
// history, cap variations and pricing inputs. Figures stored for a year number the contract no
// longer has (after its dates were shortened) are left out. An unknown id is not found.
func YearsOf(ctx context.Context, db *gorm.DB, id uuid.UUID) ([]YearDetail, error) {
	c, err := Load(ctx, db, id)
	if err != nil {
		return nil, err
	}
	return yearsOf(ctx, db, c)
}

func yearsOf(ctx context.Context, db *gorm.DB, c Contract) ([]YearDetail, error) {
	many, err := yearsOfMany(ctx, db, []Contract{c})
	if err != nil {
		return nil, err
	}
	return many[0].Years, nil
}

// replaceBands replaces a year's band table and re-baselines its basis band: earlier basis changes are
// superseded and basis starts the year.
func replaceBands(ctx context.Context, tx *gorm.DB, contractID uuid.UUID, year int, bands []Band, basis BasisChange) error {
	if err := tx.WithContext(ctx).Where("contract_id = ? AND year_number = ?", contractID, year).Delete(&bandRow{}).Error; err != nil {
		return fmt.Errorf("clear bands: %w", err)
	}
	rows := make([]bandRow, len(bands))
	for i, b := range bands {
		rows[i] = bandRow{ContractID: contractID, YearNumber: year, BandNumber: b.Number, Low: b.Low, High: b.High, AnnualPricePence: int64(b.AnnualPrice)}
	}
	if err := tx.WithContext(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("store bands: %w", err)
	}
	err := tx.WithContext(ctx).Model(&basisRow{}).Where("contract_id = ? AND year_number = ? AND superseded_at IS NULL", contractID, year).
		Update("superseded_at", basis.ChangedAt).Error
	if err != nil {
		return fmt.Errorf("supersede basis bands: %w", err)
	}
	return insertBasis(ctx, tx, contractID, year, basis)
}

func insertBasis(ctx context.Context, tx *gorm.DB, contractID uuid.UUID, year int, b BasisChange) error {
	row := basisRow{ID: b.ID, ContractID: contractID, YearNumber: year, BandNumber: b.BandNumber, EffectiveFrom: b.EffectiveFrom,
		Reason: b.Reason, ChangedBy: b.ChangedBy, ChangedAt: b.ChangedAt}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store basis band: %w", err)
	}
	return nil
}

func insertCapVariation(ctx context.Context, tx *gorm.DB, contractID uuid.UUID, year int, v CapVariation) error {
	row := capRow{ID: v.ID, ContractID: contractID, YearNumber: year, NewCap: v.NewCap, Reason: v.Reason, RecordedBy: v.RecordedBy, RecordedAt: v.RecordedAt}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store cap variation: %w", err)
	}
	return nil
}

func replacePricingInputs(ctx context.Context, tx *gorm.DB, contractID uuid.UUID, year int, inputs []PricingInput) error {
	if err := tx.WithContext(ctx).Where("contract_id = ? AND year_number = ?", contractID, year).Delete(&pricingRow{}).Error; err != nil {
		return fmt.Errorf("clear pricing inputs: %w", err)
	}
	rows := make([]pricingRow, len(inputs))
	for i, in := range inputs {
		rows[i] = pricingRow{ContractID: contractID, YearNumber: year, Level: string(in.Level), EstimatedReferrals: in.EstimatedReferrals, UnitCostPence: int64(in.UnitCost)}
	}
	if err := tx.WithContext(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("store pricing inputs: %w", err)
	}
	return nil
}
