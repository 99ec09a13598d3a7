package payments

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/notify"
	"github.com/crsplatform/crs/internal/page"
	"github.com/crsplatform/crs/payments/volumes"
)

// recoveryEntity names recoveries in audit records and notifications.
const recoveryEntity = "recovery"

// Settlement returns ended contract year n's settlement (DOMAIN: year-end balance) computed today
// from the year's counted referrals (the binding band) and the entitlements paid for it, with the
// recovery recorded for it, if any. It is a read: it records nothing, whoever asks (recoveries are
// recorded by the settlement job, SettleEndedYears, or by RecordSettlement). A year not ended yet is a
// conflict (year_not_ended), as is a year without a band table (bands_not_set). The contract's scope
// is that of Entitlements.
func (s *Service) Settlement(ctx context.Context, a actor.Actor, id uuid.UUID, n int) (Settlement, error) {
	out, _, err := s.settlement(ctx, a, id, n)
	if err != nil {
		return Settlement{}, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.settlementRecords(ctx, tx, &out)
	})
	if err != nil {
		return Settlement{}, fmt.Errorf("read the settlement of contract %s year %d: %w", id, n, err)
	}
	return out, nil
}

// RecordSettlement settles ended contract year n now: when its balance is negative it records the
// recovery (or brings an outstanding one up to date), with its audit record and notifications, and
// returns the settlement as Settlement would. It is idempotent: a second call with the same figures
// changes nothing. Admins and the commissioners of the contract's region may record; supplier users who
// see the contract are forbidden (role_not_allowed); errors are otherwise those of Settlement.
func (s *Service) RecordSettlement(ctx context.Context, a actor.Actor, id uuid.UUID, n int) (Settlement, error) {
	out, pic, err := s.settlement(ctx, a, id, n)
	if err != nil {
		return Settlement{}, err
	}
	if !a.Is(actor.RoleAdmin, actor.RoleCommissioner) {
		return Settlement{}, apperr.Forbidden("role_not_allowed", "only commissioners and admins record settlements")
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if out.Outcome == OutcomeRecovery {
			if _, err := s.recordRecovery(ctx, tx, a, out.Contract, pic); err != nil {
				return err
			}
		}
		return s.settlementRecords(ctx, tx, &out)
	})
	if err != nil {
		return Settlement{}, fmt.Errorf("record the settlement of contract %s year %d: %w", id, n, err)
	}
	return out, nil
}

// settlement computes ended contract year n's figures today for an actor who may see them, and the
// picture they come from.
func (s *Service) settlement(ctx context.Context, a actor.Actor, id uuid.UUID, n int) (Settlement, volumes.Picture, error) {
	if _, err := requestScopeOf(a); err != nil {
		return Settlement{}, volumes.Picture{}, err
	}
	c, err := s.scopedContract(ctx, a, id)
	if err != nil {
		return Settlement{}, volumes.Picture{}, err
	}
	y, ok := yearOf(c, n)
	if !ok {
		return Settlement{}, volumes.Picture{}, apperr.NotFound("contract year")
	}
	today := s.Today()
	if !today.After(y.End) {
		return Settlement{}, volumes.Picture{}, apperr.Conflict("year_not_ended", fmt.Sprintf("contract year %d ends on %s: it is settled from the day after", y.Number, y.End))
	}
	pic, err := s.yearPicture(ctx, c, y, today)
	if err != nil {
		return Settlement{}, volumes.Picture{}, err
	}
	if pic.Binding == nil {
		return Settlement{}, volumes.Picture{}, apperr.Conflict("bands_not_set", fmt.Sprintf("contract year %d has no band table to settle against", y.Number))
	}
	return Settlement{Contract: c.Contract, Year: y.Year, AsOf: today, Counted: pic.CountedYTD, BasisBand: pic.BasisBand, Binding: *pic.Binding,
		Outcome: OutcomeOf(pic.Binding.Balance)}, pic, nil
}

// settlementRecords adds to a settlement the recovery recorded for its year and its balancing
// requests.
func (s *Service) settlementRecords(ctx context.Context, tx *gorm.DB, out *Settlement) error {
	rec, ok, err := recoveryOf(ctx, tx, out.Contract.ID, out.Year.Number)
	if err != nil {
		return err
	}
	if ok {
		out.Recovery = &rec
	}
	out.BalancingRequests, err = balancingRequests(ctx, tx, out.Contract.ID, out.Year.Number)
	return err
}

// recordRecovery records (or brings up to date) the recovery of a picture's negative balance, with
// its audit record and notifications to the prime's users and the region's commissioners.
func (s *Service) recordRecovery(ctx context.Context, tx *gorm.DB, a actor.Actor, c contracts.Contract, pic volumes.Picture) (Recovery, error) {
	rec, change, err := recordRecovery(ctx, tx, Recovery{ID: ids.New(), ContractID: c.ID, ContractReference: c.Reference, RegionCode: c.Area.RegionCode,
		PrimeSupplierID: c.Prime.ID, YearNumber: pic.Year.Number, Amount: -pic.Binding.Balance, RecordedAt: s.cfg.Now().UTC()})
	if err != nil || change == recoveryUnchanged {
		return rec, err
	}
	action, title := "recovery.recorded", fmt.Sprintf("Recovery recorded: %s year %d", c.Reference, pic.Year.Number)
	if change == recoveryAmended {
		action, title = "recovery.amended", fmt.Sprintf("Recovery amended: %s year %d", c.Reference, pic.Year.Number)
	}
	if err := audit.Record(ctx, tx, a, audit.Change{Action: action, EntityType: recoveryEntity, EntityID: rec.ID, After: recoveryFacts(rec, pic)}); err != nil {
		return Recovery{}, err
	}
	body := fmt.Sprintf("Contract %s year %d (%s to %s) settles in band %d (%s): its price is %s and %s of entitlements were paid, so %s is to be recovered.",
		c.Reference, pic.Year.Number, pic.Year.Start, pic.Year.End, pic.Binding.Band, pic.Binding.Rule, pic.Binding.Price, pic.Binding.EntitlementsPaid, rec.Amount)
	return rec, s.tellBothSides(ctx, tx, c.Prime.ID, c.Area.RegionCode, false, notify.Message{Kind: "recovery_recorded", Title: title, Body: body,
		EntityType: recoveryEntity, EntityID: rec.ID})
}

type recoveryAudit struct {
	ContractID  uuid.UUID `json:"contract_id"`
	Year        int       `json:"year"`
	AmountPence int64     `json:"amount_pence"`
	Status      string    `json:"status"`
	Band        int       `json:"binding_band,omitempty"`
	Counted     int       `json:"counted,omitempty"`
	Reference   string    `json:"settlement_reference,omitempty"`
}

func recoveryFacts(r Recovery, pic volumes.Picture) recoveryAudit {
	f := recoveryAudit{ContractID: r.ContractID, Year: r.YearNumber, AmountPence: int64(r.Amount), Status: string(r.Status), Reference: r.SettlementReference}
	if pic.Binding != nil {
		f.Band, f.Counted = pic.Binding.Band, pic.CountedYTD
	}
	return f
}

// tellBothSides notifies the prime's users and the region's commissioners (and, with admins, the
// admins) in-app and by e-mail, inside tx.
func (s *Service) tellBothSides(ctx context.Context, tx *gorm.DB, prime uuid.UUID, region string, admins bool, m notify.Message) error {
	users, err := notify.SupplierUsers(ctx, tx, []uuid.UUID{prime})
	if err != nil {
		return err
	}
	commissioners, err := notify.RegionUsers(ctx, tx, string(actor.RoleCommissioner), region)
	if err != nil {
		return err
	}
	users = append(users, commissioners...)
	if admins {
		as, err := adminUsers(ctx, tx)
		if err != nil {
			return err
		}
		users = append(users, as...)
	}
	if len(users) == 0 {
		return nil
	}
	if err := notify.Send(ctx, tx, users, m); err != nil {
		return err
	}
	if s.cfg.Inserter == nil {
		return nil
	}
	return s.cfg.Inserter.InsertTx(ctx, tx, notify.EmailArgs{UserIDs: users, Subject: m.Title, Body: m.Body}, nil)
}

// Recoveries lists the recoveries in the actor's scope (admins all, commissioners their regions',
// supplier users their organisation's contracts' as prime), newest first.
func (s *Service) Recoveries(ctx context.Context, a actor.Actor, p RecoveryParams) (page.Page[Recovery], error) {
	sc, err := requestScopeOf(a)
	if err != nil {
		return page.Page[Recovery]{}, err
	}
	return listRecoveries(ctx, s.db, sc, p)
}

// SettleRecovery records that an OUTSTANDING recovery was settled, with a reference
// (reference_required): admins only (forbidden for others who see it; not found for those who do
// not). version, when not zero, must be the recovery's (412 otherwise). A settled recovery is a
// conflict, invalid_transition.
func (s *Service) SettleRecovery(ctx context.Context, a actor.Actor, id uuid.UUID, version int, reference string) (Recovery, error) {
	sc, err := requestScopeOf(a)
	if err != nil {
		return Recovery{}, err
	}
	var out Recovery
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, ok, err := readRecovery(ctx, tx, sc, id, true)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.NotFound("recovery")
		}
		if !a.IsAdmin() {
			return apperr.Forbidden("role_not_allowed", "only admins record the settlement of recoveries")
		}
		if version != 0 && version != r.Version {
			return apperr.PreconditionFailed(fmt.Sprintf("the recovery is at version %d: read it again", r.Version))
		}
		if r.Status != RecoveryOutstanding {
			return apperr.Conflict("invalid_transition", fmt.Sprintf("cannot settle the recovery: it is %s", r.Status))
		}
		var f apperr.Fields
		reference = requiredText(&f, "reference", "reference_required", "The settlement reference", reference)
		f.Check(len([]rune(reference)) <= MaxReferenceLength, "reference", "reference_too_long",
			fmt.Sprintf("The settlement reference must be at most %d characters.", MaxReferenceLength))
		if err := refusal(f, "the recovery cannot be settled"); err != nil {
			return err
		}
		now := s.cfg.Now().UTC()
		before := r
		r.Status, r.SettledAt, r.SettledBy, r.SettlementReference, r.Version = RecoverySettled, &now, a.AuditID(), reference, r.Version+1
		if err := settleRecovery(ctx, tx, r, before.Version); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, audit.Change{Action: "recovery.settled", EntityType: recoveryEntity, EntityID: r.ID,
			Before: recoveryFacts(before, volumes.Picture{}), After: recoveryFacts(r, volumes.Picture{})}); err != nil {
			return err
		}
		title := fmt.Sprintf("Recovery settled: %s year %d", r.ContractReference, r.YearNumber)
		body := fmt.Sprintf("The recovery of %s for contract %s year %d is settled (reference %s).", r.Amount, r.ContractReference, r.YearNumber, reference)
		out = r
		return s.tellBothSides(ctx, tx, r.PrimeSupplierID, r.RegionCode, false, notify.Message{Kind: "recovery_settled", Title: title, Body: body,
			EntityType: recoveryEntity, EntityID: r.ID})
	})
	if err != nil {
		return Recovery{}, fmt.Errorf("settle recovery %s: %w", id, err)
	}
	return out, nil
}

// SettleEndedYears computes the settlement of every ended contract year with a band table, counting
// every year at once, and records (or brings up to date) the recoveries of negative balances in one
// transaction: what the periodic job runs. It returns the recoveries it recorded or amended.
func (s *Service) SettleEndedYears(ctx context.Context) ([]Recovery, error) {
	sys := actor.System("year-end-settlement")
	today := s.Today()
	portfolio, err := contracts.LoadPortfolio(ctx, s.db, contracts.PortfolioFilter{})
	if err != nil {
		return nil, err
	}
	var years []volumes.YearOf
	for _, c := range portfolio {
		for _, y := range c.Years {
			if today.After(y.End) && len(y.Bands) > 0 {
				years = append(years, volumes.YearOf{Contract: c, Year: y})
			}
		}
	}
	pics, err := volumes.Pictures(ctx, s.db, Ledger{}, years, today)
	if err != nil {
		return nil, err
	}
	var changed []Recovery
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i, pic := range pics {
			if pic.Binding == nil || pic.Binding.Balance >= 0 {
				continue
			}
			c := years[i].Contract
			before, had, err := recoveryOf(ctx, tx, c.ID, pic.Year.Number)
			if err != nil {
				return err
			}
			rec, err := s.recordRecovery(ctx, tx, sys, c.Contract, pic)
			if err != nil {
				return err
			}
			if !had || before.Version != rec.Version {
				changed = append(changed, rec)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("settle ended contract years: %w", err)
	}
	return changed, nil
}
