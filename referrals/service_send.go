package referrals

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/notify"
)

// referenceAttempts bounds the draws of a reference when drawn ones are taken.
const referenceAttempts = 20

// SendParams are the inputs of Send.
type SendParams struct {
	// AllowDuplicate sends the referral although another live one exists for the same person and
	// contract; DuplicateReason must then say why.
	AllowDuplicate  bool
	DuplicateReason string
}

// Send sends the actor's draft. Inside one transaction holding the contract's row lock it checks, in
// order: every required field (invalid, each missing field with code required); the referral window
// on today's London date (conflict referral_window_closed); eligibility and the completion deadline
// (invalid, code not_eligible with CheckEligibility's field errors, or the deadline's); intake
// control (conflict contract_at_cap, naming the contract and its cap, once the referrals counted in
// the current contract year reach its effective cap; a year without a band table has no cap); and a
// live duplicate (conflict duplicate_referral unless AllowDuplicate with a reason; invalid
// duplicate_reason required when allowed without one). It then draws a unique reference, sets the
// sent fields and writes the audit record, the supply chain's notifications and the NotifyArgs and
// RefreshVolumesArgs jobs in the same transaction. A referral already sent answers invalid_transition.
func (s *Service) Send(ctx context.Context, a actor.Actor, id uuid.UUID, version int, p SendParams) (Detail, error) {
	// Read first without locks to learn the contract: its row lock is always taken before the
	// referral's, so that sends never deadlock.
	draft, _, err := s.access(ctx, s.db, a, id, false)
	if err != nil {
		return Detail{}, err
	}
	if err := requireOwner(a, draft); err != nil {
		return Detail{}, err
	}
	var out Detail
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockContract(ctx, tx, draft.ContractID); err != nil {
			return err
		}
		r, c, err := s.access(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		if err := checkVersion(r, version); err != nil {
			return err
		}
		status, err := Next(r.Status, ActionSend)
		if err != nil {
			return err
		}
		if missing := r.MissingFields(); len(missing) > 0 {
			return apperr.Invalid("the referral is not complete", missing...)
		}
		now, today := s.now(), s.Today()
		if err := s.checkIntake(ctx, tx, r, c, today); err != nil {
			return err
		}
		dup, err := liveDuplicate(ctx, tx, c.ID, r.CRN, r.ID)
		if err != nil {
			return err
		}
		reason := strings.TrimSpace(p.DuplicateReason)
		if dup {
			switch {
			case !p.AllowDuplicate:
				return apperr.Conflict("duplicate_referral", fmt.Sprintf("a live referral for %s on contract %s already exists; "+
					"send with allow_duplicate and a duplicate_reason to send another", r.CRN, c.Reference))
			case reason == "":
				return apperr.Invalid("a duplicate needs a reason", apperr.FieldError{Field: "duplicate_reason", Code: "required",
					Message: "Say why a second live referral for this person is needed."})
			}
			r.DuplicateReason = reason
		}
		previous := r.Version
		sentAt := now
		r.Status, r.SentAt, r.SentOn, r.Counted = status, &sentAt, today, true
		r.AssessmentDueOn = calendar.AddWorkingDays(today, AssessmentWorkingDays)
		r.Version, r.UpdatedAt = previous+1, now
		if err := s.saveWithReference(ctx, tx, &r, previous, c.ContractTypeCode); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, audit.Change{Action: AuditSent, EntityType: entityType, EntityID: r.ID,
			After: facts{Status: r.Status, Reference: r.Reference, ContractID: &c.ID, Reason: r.DuplicateReason}}); err != nil {
			return err
		}
		if err := notifySuppliers(ctx, tx, c, notify.Message{Kind: "referral_sent", Title: "New referral " + r.Reference,
			Body:       fmt.Sprintf("Referral %s was sent to contract %s. The initial assessment is due by %s.", r.Reference, c.Reference, r.AssessmentDueOn),
			EntityType: entityType, EntityID: r.ID}); err != nil {
			return err
		}
		if err := s.insertJobs(ctx, tx, r, c, EventSent); err != nil {
			return err
		}
		out, err = s.detail(ctx, tx, r, c)
		return err
	})
	if err != nil {
		return Detail{}, fmt.Errorf("send referral %s: %w", id, err)
	}
	return out, nil
}

// checkIntake checks the referral window, eligibility, the deadline and the cap on day today.
func (s *Service) checkIntake(ctx context.Context, tx *gorm.DB, r Referral, c contracts.Contract, today calendar.Date) error {
	if !WindowOpen(c, today) {
		return apperr.Conflict("referral_window_closed", fmt.Sprintf("contract %s takes referrals from %s to %s; today is %s",
			c.Reference, c.WindowOpens, c.WindowCloses, today))
	}
	pcc, _ := s.cfg.Reference.PCCArea(r.PCCAreaCode)
	problems := CheckEligibility(c, r.Person, r.Setting, pcc, today)
	code := "not_eligible"
	if len(problems) == 0 {
		code = "validation_failed"
	}
	problems = append(problems, CheckDeadline(r.CompletionDeadline, today, c.EffectiveEnd())...)
	if len(problems) > 0 {
		return &apperr.Error{Kind: apperr.KindInvalid, Code: code, Message: "the referral cannot be sent to contract " + c.Reference, Fields: problems}
	}
	years, err := contracts.YearsOf(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	for _, y := range years {
		if !y.Contains(today) {
			continue
		}
		limit := y.EffectiveCap()
		if limit == 0 {
			return nil
		}
		counted, err := CountedBetween(ctx, tx, c.ID, y.Start, y.End)
		if err != nil {
			return err
		}
		if counted >= limit {
			return apperr.Conflict("contract_at_cap", fmt.Sprintf("contract %s has reached its cap of %d referrals for contract year %d "+
				"(%s to %s): it takes no more referrals this year unless a commissioner records a cap variation", c.Reference, limit, y.Number, y.Start, y.End))
		}
		return nil
	}
	return apperr.Conflict("referral_window_closed", fmt.Sprintf("contract %s has no contract year on %s", c.Reference, today))
}

// saveWithReference draws references until one is free and saves the referral with it. Each attempt
// runs in a savepoint, so that a clash with another referral's reference leaves the transaction
// usable.
func (s *Service) saveWithReference(ctx context.Context, tx *gorm.DB, r *Referral, previous int, contractType string) error {
	for range referenceAttempts {
		ref, err := NewReference(s.cfg.Rand, contractType)
		if err != nil {
			return err
		}
		r.Reference = ref
		err = tx.Transaction(func(sp *gorm.DB) error { return saveReferral(ctx, sp, *r, previous) })
		if isReferenceClash(err) {
			continue
		}
		return err
	}
	return fmt.Errorf("no free reference after %d draws", referenceAttempts)
}

// insertJobs inserts, in tx, the e-mail job about the event and the contract's volume refresh.
func (s *Service) insertJobs(ctx context.Context, tx *gorm.DB, r Referral, c contracts.Contract, event string) error {
	if err := s.cfg.Inserter.InsertTx(ctx, tx, NotifyArgs{ReferralID: r.ID, Event: event}, nil); err != nil {
		return err
	}
	if event == EventAmended {
		return nil
	}
	return s.cfg.Inserter.InsertTx(ctx, tx, RefreshVolumesArgs{ContractID: c.ID}, RefreshVolumesOpts(s.now()))
}
