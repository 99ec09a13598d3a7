package referrals

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/notify"
	"github.com/crsplatform/crs/internal/opt"
)

// WithdrawParams are the inputs of Withdraw.
type WithdrawParams struct {
	ReasonCode string
	Comment    string
}

// Withdraw withdraws a sent referral before it concludes (its practitioner only), with a reason from
// the reference data (reason_code unknown_withdrawal_reason) and an optional comment. A reason that
// does not count towards volume stops the referral counting. With no session attended the referral
// concludes CANCELLED at once; otherwise it ends today and awaits its end-of-service report. The
// supply chain is notified, and the e-mail and volume refresh jobs are inserted in the same
// transaction. A second withdrawal answers 409 already_withdrawn.
func (s *Service) Withdraw(ctx context.Context, a actor.Actor, id uuid.UUID, version int, p WithdrawParams) (Detail, error) {
	return s.change(ctx, a, id, version, "withdraw", func(st *step) (Referral, error) {
		r := st.r
		if err := requireOwner(a, r); err != nil {
			return r, err
		}
		if r.Withdrawal != nil {
			return r, apperr.Conflict("already_withdrawn", fmt.Sprintf("the referral was withdrawn on %s", calendar.BusinessDay(r.Withdrawal.At)))
		}
		appts, err := loadAppointments(ctx, st.tx, r.ID)
		if err != nil {
			return r, err
		}
		attended := SessionsAttended(appts)
		action := ActionWithdraw
		if attended > 0 {
			action = ActionWithdrawAfterSessions
		}
		status, err := Next(r.Status, action)
		if err != nil {
			return r, err
		}
		var f apperr.Fields
		reason, ok := s.cfg.Reference.WithdrawalReason(strings.TrimSpace(p.ReasonCode))
		f.Check(ok, "reason_code", "unknown_withdrawal_reason", fmt.Sprintf("There is no withdrawal reason %q.", p.ReasonCode))
		comment := strings.TrimSpace(p.Comment)
		checkLength(&f, "comment", comment, MaxLongText)
		if err := f.Err("the withdrawal is not valid"); err != nil {
			return r, err
		}
		r.Status, r.Withdrawal = status, &Withdrawal{ReasonCode: reason.Code, Comment: comment, At: st.now}
		if !reason.CountsTowardsVolume {
			r.Counted = false
		}
		if r.EndedOn.IsZero() {
			r.EndedOn = st.today
			if status == StatusAwaitingEndOfServiceReport {
				r.EndOfServiceReportDueOn = calendar.AddWorkingDays(st.today, EndOfServiceReportWorkingDays)
			}
		}
		if status == StatusConcluded {
			r.EndState, r.ConcludedAt = EndCancelled, &st.now
		}
		if err := st.audit(AuditWithdrawn, facts{Status: status, WithdrawalReason: reason.Code, Reason: comment, Counted: opt.Of(r.Counted)}); err != nil {
			return r, err
		}
		if err := st.notifySuppliers("referral_withdrawn", "Referral "+r.Reference+" withdrawn",
			fmt.Sprintf("The practitioner withdrew referral %s: %s.", r.Reference, reason.Label)); err != nil {
			return r, err
		}
		return r, s.insertJobs(ctx, st.tx, r, st.c, EventWithdrawn)
	})
}

// Amend changes a sent referral (its practitioner only): complexity levels and desired outcomes
// until the action plan is approved (409 amendment_not_allowed_after_approval after), and the
// completion deadline, the enforceable days and the person's needs until it concludes. The checks
// are ApplyAmendment's. Each changed field is logged with its old and new values and the reason;
// the change is audited, the supply chain is notified and the e-mail job inserted.
func (s *Service) Amend(ctx context.Context, a actor.Actor, id uuid.UUID, version int, p AmendParams) (Detail, error) {
	return s.change(ctx, a, id, version, "amend", func(st *step) (Referral, error) {
		r := st.r
		if err := requireOwner(a, r); err != nil {
			return r, err
		}
		if _, err := Next(r.Status, ActionAmend); err != nil {
			return r, err
		}
		if len(p.Services) > 0 {
			if _, err := Next(r.Status, ActionAmendServices); err != nil {
				return r, err
			}
		}
		ct, _ := s.cfg.Reference.ContractType(st.c.ContractTypeCode)
		updated, changes, err := ApplyAmendment(r, p, DraftRules{Ref: s.cfg.Reference, ContractType: ct, ContractEnd: st.c.EffectiveEnd(), Today: st.today})
		if err != nil {
			return r, err
		}
		reason := strings.TrimSpace(p.Reason)
		amendments := make([]Amendment, len(changes))
		fields := make([]string, len(changes))
		for i, c := range changes {
			amendments[i] = Amendment{ID: ids.New(), Field: c.Field, OldValue: c.Old, NewValue: c.New, Reason: reason, ChangedBy: a.UserID, ChangedAt: st.now}
			fields[i] = c.Field
		}
		if err := insertAmendments(ctx, st.tx, r.ID, amendments); err != nil {
			return r, err
		}
		if len(p.Services) > 0 {
			if err := replaceServices(ctx, st.tx, r.ID, updated.Services); err != nil {
				return r, err
			}
		}
		if err := st.audit(AuditAmended, facts{Status: r.Status, Fields: fields, Reason: reason}); err != nil {
			return r, err
		}
		if err := st.notifySuppliers("referral_amended", "Referral "+r.Reference+" amended",
			fmt.Sprintf("The practitioner amended referral %s (%s): %s", r.Reference, strings.Join(fields, ", "), reason)); err != nil {
			return r, err
		}
		return updated, s.insertJobs(ctx, st.tx, updated, st.c, EventAmended)
	})
}

// requireNoteReader lets through the referral's practitioner, supply chain users (the read scope has
// checked the chain), commissioners and admins; other practitioners of the region get forbidden.
func requireNoteReader(a actor.Actor, r Referral) error {
	if a.Role == actor.RolePractitioner {
		return requireOwner(a, r)
	}
	return nil
}

// CaseNotes returns the referral's case notes, oldest first, to its practitioner, the supply chain's
// users, commissioners of its region and admins.
func (s *Service) CaseNotes(ctx context.Context, a actor.Actor, id uuid.UUID) ([]CaseNote, error) {
	r, _, err := s.access(ctx, s.db, a, id, false)
	if err != nil {
		return nil, err
	}
	if err := requireNoteReader(a, r); err != nil {
		return nil, err
	}
	return listCaseNotes(ctx, s.db, id)
}

// CaseNoteParams are the inputs of AddCaseNote.
type CaseNoteParams struct {
	Subject string
	Body    string
}

// AddCaseNote adds a case note to a sent referral: its practitioner or a supply chain user writes
// (others: role_not_allowed or not_referral_owner), with a subject (up to 200 characters) and a body,
// both required. The other side is notified: the supplier's note reaches the practitioner, the
// practitioner's reaches the caseworker, or the supply chain's users while none is assigned.
func (s *Service) AddCaseNote(ctx context.Context, a actor.Actor, id uuid.UUID, p CaseNoteParams) (CaseNote, error) {
	if !a.Is(actor.RolePractitioner, actor.RoleSupplier) {
		return CaseNote{}, apperr.Forbidden("role_not_allowed", "only the practitioner and the supplier write case notes")
	}
	var note CaseNote
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, c, err := s.access(ctx, tx, a, id, false)
		if err != nil {
			return err
		}
		if err := requireNoteReader(a, r); err != nil {
			return err
		}
		if _, err := Next(r.Status, ActionAddCaseNote); err != nil {
			return err
		}
		var f apperr.Fields
		subject, body := strings.TrimSpace(p.Subject), strings.TrimSpace(p.Body)
		f.Check(subject != "", "subject", "required", "The note needs a subject.")
		f.Check(body != "", "body", "required", "The note needs a body.")
		checkLength(&f, "subject", subject, MaxShortText)
		checkLength(&f, "body", body, MaxLongText)
		if err := f.Err("the case note is not valid"); err != nil {
			return err
		}
		note = CaseNote{ID: ids.New(), AuthorID: a.UserID, AuthorEmail: a.Email, AuthorRole: string(a.Role), Subject: subject, Body: body, CreatedAt: s.now()}
		if err := insertCaseNote(ctx, tx, r.ID, note); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, audit.Change{Action: AuditCaseNote, EntityType: entityType, EntityID: r.ID,
			After: facts{Status: r.Status, CaseNoteID: &note.ID, Subject: subject}}); err != nil {
			return err
		}
		m := notify.Message{Kind: "referral_case_note", Title: "Case note on referral " + r.Reference, Body: subject, EntityType: entityType, EntityID: r.ID}
		switch {
		case a.Role == actor.RoleSupplier:
			return notify.Send(ctx, tx, []uuid.UUID{r.PractitionerID}, m)
		case r.CaseworkerID != nil:
			return notify.Send(ctx, tx, []uuid.UUID{*r.CaseworkerID}, m)
		default:
			return notifySuppliers(ctx, tx, c, m)
		}
	})
	if err != nil {
		return CaseNote{}, fmt.Errorf("add case note to referral %s: %w", id, err)
	}
	return note, nil
}
