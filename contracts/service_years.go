package contracts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/money"
)

// Years returns a contract in the actor's scope and its contract years in detail.
func (s *Service) Years(ctx context.Context, a actor.Actor, id uuid.UUID) (Contract, []YearDetail, error) {
	c, err := s.Get(ctx, a, id)
	if err != nil {
		return Contract{}, nil, err
	}
	years, err := yearsOf(ctx, s.db, c)
	if err != nil {
		return Contract{}, nil, err
	}
	return c, years, nil
}

// YearChange is a contract year after a change, with the contract's new version.
type YearChange struct {
	Year    YearDetail
	Version int
}

// changeYear runs a change to contract year n in one transaction: it locks the contract (checking
// scope and the version the client read), finds the year (not found when the contract has no year n), runs
// fn, bumps the version and returns the year as it now is.
func (s *Service) changeYear(ctx context.Context, a actor.Actor, id uuid.UUID, n, version int,
	fn func(tx *gorm.DB, c Contract, y YearDetail, now time.Time) error) (YearChange, error) {
	if err := requireManager(a); err != nil {
		return YearChange{}, err
	}
	var out YearChange
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := s.loadForChange(ctx, tx, a, id, version)
		if err != nil {
			return err
		}
		years, err := yearsOf(ctx, tx, c)
		if err != nil {
			return err
		}
		if n < 1 || n > len(years) {
			return apperr.NotFound("contract year")
		}
		now := s.now().UTC()
		if err := fn(tx, c, years[n-1], now); err != nil {
			return err
		}
		if out.Version, err = bumpVersion(ctx, tx, id, now); err != nil {
			return err
		}
		years, err = yearsOf(ctx, tx, c)
		if err != nil {
			return err
		}
		out.Year = years[n-1]
		return nil
	})
	if err != nil {
		return YearChange{}, fmt.Errorf("contract %s year %d: %w", id, n, err)
	}
	return out, nil
}

// ReplaceBandsParams are the inputs of ReplaceBands.
type ReplaceBandsParams struct {
	Bands []Band
	// BasisBand is the payment basis band from the year's start; it must be in Bands.
	BasisBand int
	// Reason is recorded with the basis band; it defaults to "band table replaced".
	Reason string
}

// ReplaceBands replaces contract year n's band table (checked by ValidateBands) and re-baselines its
// payment basis band from the year's start, superseding earlier basis changes. The basis band must be
// in the new table (basis_band_unknown). It needs the contract's current version.
func (s *Service) ReplaceBands(ctx context.Context, a actor.Actor, id uuid.UUID, n, version int, p ReplaceBandsParams) (YearChange, error) {
	return s.changeYear(ctx, a, id, n, version, func(tx *gorm.DB, c Contract, y YearDetail, now time.Time) error {
		var f apperr.Fields
		if e, ok := apperr.As(ValidateBands(p.Bands)); ok {
			f.Merge("", e.Fields)
		}
		if _, ok := bandNumbered(p.Bands, p.BasisBand); !ok {
			f.Add("basis_band", "basis_band_unknown", fmt.Sprintf("Band %d is not in the band table.", p.BasisBand))
		}
		if err := f.Err("the band table is not valid"); err != nil {
			return err
		}
		reason := strings.TrimSpace(p.Reason)
		if reason == "" {
			reason = "band table replaced"
		}
		basis := BasisChange{ID: ids.New(), BandNumber: p.BasisBand, EffectiveFrom: y.Start, Reason: reason, ChangedBy: a.AuditID(), ChangedAt: now}
		if err := replaceBands(ctx, tx, c.ID, y.Number, p.Bands, basis); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Change{Action: "contract.bands_replaced", EntityType: entityType, EntityID: c.ID,
			Before: yearAudit{Year: y.Number, Bands: y.Bands}, After: yearAudit{Year: y.Number, Bands: p.Bands, Basis: &basis}})
	})
}

// yearAudit is what an audit record shows of a change to a contract year.
type yearAudit struct {
	Year         int
	Bands        []Band         `json:",omitempty"`
	Basis        *BasisChange   `json:",omitempty"`
	CapVariation *CapVariation  `json:",omitempty"`
	Inputs       []PricingInput `json:",omitempty"`
}

// BasisBandParams are the inputs of ChangeBasisBand.
type BasisBandParams struct {
	BandNumber int
	Reason     string
	// EffectiveFrom is the year's start (the default, when zero) or the first day of a month inside
	// the year.
	EffectiveFrom calendar.Date
}

// ChangeBasisBand changes contract year n's payment basis band from a date, keeping the history.
// Field errors: band_number basis_band_unknown (not in the year's table, or the table is not set),
// reason required, effective_from effective_from_outside_year or effective_from_not_first_of_month.
func (s *Service) ChangeBasisBand(ctx context.Context, a actor.Actor, id uuid.UUID, n, version int, p BasisBandParams) (YearChange, error) {
	return s.changeYear(ctx, a, id, n, version, func(tx *gorm.DB, c Contract, y YearDetail, now time.Time) error {
		var f apperr.Fields
		if _, ok := bandNumbered(y.Bands, p.BandNumber); !ok {
			f.Add("band_number", "basis_band_unknown", fmt.Sprintf("Year %d has no band %d.", y.Number, p.BandNumber))
		}
		reason := strings.TrimSpace(p.Reason)
		f.Check(reason != "", "reason", "required", "Say why the basis band changes.")
		from := p.EffectiveFrom
		if from.IsZero() {
			from = y.Start
		}
		if !y.Contains(from) {
			f.Add("effective_from", "effective_from_outside_year", fmt.Sprintf("The change must take effect inside year %d, %s to %s.", y.Number, y.Start, y.End))
		} else if from != y.Start && from.Day() != 1 {
			f.Add("effective_from", "effective_from_not_first_of_month", "The change must take effect from the year's start or the first day of a month.")
		}
		if err := f.Err("the basis band change is not valid"); err != nil {
			return err
		}
		change := BasisChange{ID: ids.New(), BandNumber: p.BandNumber, EffectiveFrom: from, Reason: reason, ChangedBy: a.AuditID(), ChangedAt: now}
		if err := insertBasis(ctx, tx, c.ID, y.Number, change); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Change{Action: "contract.basis_band_changed", EntityType: entityType, EntityID: c.ID,
			After: yearAudit{Year: y.Number, Basis: &change}})
	})
}

// CapVariationParams are the inputs of VaryCap.
type CapVariationParams struct {
	NewCap int
	Reason string
}

// VaryCap records a cap variation for contract year n; the latest one is the year's cap for intake
// control. Field errors: new_cap new_cap_not_positive, reason required; a year without a band table
// conflicts (bands_not_set).
func (s *Service) VaryCap(ctx context.Context, a actor.Actor, id uuid.UUID, n, version int, p CapVariationParams) (YearChange, error) {
	return s.changeYear(ctx, a, id, n, version, func(tx *gorm.DB, c Contract, y YearDetail, now time.Time) error {
		var f apperr.Fields
		f.Check(p.NewCap > 0, "new_cap", "new_cap_not_positive", "The new cap must be at least 1 referral.")
		reason := strings.TrimSpace(p.Reason)
		f.Check(reason != "", "reason", "required", "Say why the cap changes.")
		if err := f.Err("the cap variation is not valid"); err != nil {
			return err
		}
		if len(y.Bands) == 0 {
			return apperr.Conflict("bands_not_set", fmt.Sprintf("Year %d has no band table, so no cap to vary.", y.Number))
		}
		v := CapVariation{ID: ids.New(), NewCap: p.NewCap, Reason: reason, RecordedBy: a.AuditID(), RecordedAt: now}
		if err := insertCapVariation(ctx, tx, c.ID, y.Number, v); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Change{Action: "contract.cap_varied", EntityType: entityType, EntityID: c.ID,
			Before: map[string]int{"cap": y.EffectiveCap()}, After: yearAudit{Year: y.Number, CapVariation: &v}})
	})
}

// SetPricingInputs replaces contract year n's pricing inputs, checked by ComputePrice (field errors
// under "inputs"). It needs the contract's current version.
func (s *Service) SetPricingInputs(ctx context.Context, a actor.Actor, id uuid.UUID, n, version int, inputs []PricingInput) (YearChange, error) {
	return s.changeYear(ctx, a, id, n, version, func(tx *gorm.DB, c Contract, y YearDetail, _ time.Time) error {
		if _, err := ComputePrice(inputs); err != nil {
			if e, ok := apperr.As(err); ok {
				var f apperr.Fields
				for _, fe := range e.Fields {
					fe.Field = "inputs" + strings.TrimPrefix(fe.Field, "pricing_inputs")
					f.Add(fe.Field, fe.Code, fe.Message)
				}
				return f.Err("the pricing inputs are not valid")
			}
			return err
		}
		if err := replacePricingInputs(ctx, tx, c.ID, y.Number, inputs); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Change{Action: "contract.pricing_inputs_set", EntityType: entityType, EntityID: c.ID,
			Before: yearAudit{Year: y.Number, Inputs: y.PricingInputs}, After: yearAudit{Year: y.Number, Inputs: inputs}})
	})
}

// Pricing is a contract year's price computed from its pricing inputs, beside the agreed price of the
// payment basis band in force.
type Pricing struct {
	Year YearDetail
	// Computed is nil when the year has no pricing inputs.
	Computed *PriceBreakdown
	// Basis is the basis band in force today (or on the year's nearest day); nil when none is set.
	Basis *BasisPeriod
	// Difference is the agreed basis band price minus the computed total, when both are known.
	Difference *money.Pence
}

// Pricing returns contract year n's computed price for a contract in the actor's scope.
func (s *Service) Pricing(ctx context.Context, a actor.Actor, id uuid.UUID, n int) (Pricing, error) {
	_, years, err := s.Years(ctx, a, id)
	if err != nil {
		return Pricing{}, err
	}
	if n < 1 || n > len(years) {
		return Pricing{}, apperr.NotFound("contract year")
	}
	y := years[n-1]
	out := Pricing{Year: y}
	if len(y.PricingInputs) > 0 {
		b, err := ComputePrice(y.PricingInputs)
		if err != nil {
			return Pricing{}, fmt.Errorf("contract %s year %d: stored pricing inputs: %w", id, n, err)
		}
		out.Computed = &b
	}
	if p, ok := y.BasisOn(s.Today()); ok {
		out.Basis = &p
		if out.Computed != nil {
			d := p.Band.AnnualPrice - out.Computed.Total
			out.Difference = &d
		}
	}
	return out, nil
}
