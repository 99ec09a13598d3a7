package payments

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/internal/notify"
	"github.com/crsplatform/crs/internal/page"
	"github.com/crsplatform/crs/payments/volumes"
)

// requestEntity names payment requests in audit records and notifications.
const requestEntity = "payment_request"

// requestFacts is what audit records keep of a request.
type requestFacts struct {
	Status           RequestStatus `json:"status"`
	Kind             RequestKind   `json:"kind"`
	ContractID       uuid.UUID     `json:"contract_id"`
	Period           string        `json:"period,omitempty"`
	YearNumber       int           `json:"year,omitempty"`
	AmountPence      int64         `json:"amount_pence"`
	InvoiceReference string        `json:"invoice_reference"`
	Note             string        `json:"note,omitempty"`
	PaidOn           string        `json:"paid_on,omitempty"`
	Remittance       string        `json:"remittance_reference,omitempty"`
	Version          int           `json:"version"`
}

func factsOf(r Request, note string) requestFacts {
	f := requestFacts{Status: r.Status, Kind: r.Kind, ContractID: r.ContractID, YearNumber: r.YearNumber, AmountPence: int64(r.Amount),
		InvoiceReference: r.InvoiceReference, Note: note, Remittance: r.RemittanceReference, Version: r.Version}
	if !r.Period.IsZero() {
		f.Period = r.Period.String()
	}
	if !r.PaidOn.IsZero() {
		f.PaidOn = r.PaidOn.String()
	}
	return f
}

// announce tells the other side about a change, in-app and by e-mail, inside tx: a supplier's change
// goes to the commissioners of the contract's region, a commissioner's or admin's to the prime's users.
func (s *Service) announce(ctx context.Context, tx *gorm.DB, a actor.Actor, r Request, kind, title, body string) error {
	var (
		users []uuid.UUID
		err   error
	)
	if a.Role == actor.RoleSupplier {
		users, err = notify.RegionUsers(ctx, tx, string(actor.RoleCommissioner), r.RegionCode)
	} else {
		users, err = notify.SupplierUsers(ctx, tx, []uuid.UUID{r.PrimeSupplierID})
	}
	if err != nil {
		return err
	}
	return s.tell(ctx, tx, users, r, kind, title, body)
}

// tell notifies the users in-app and queues the e-mail in tx.
func (s *Service) tell(ctx context.Context, tx *gorm.DB, users []uuid.UUID, r Request, kind, title, body string) error {
	if len(users) == 0 {
		return nil
	}
	if err := notify.Send(ctx, tx, users, notify.Message{Kind: kind, Title: title, Body: body, EntityType: requestEntity, EntityID: r.ID}); err != nil {
		return err
	}
	if s.cfg.Inserter == nil {
		return nil
	}
	return s.cfg.Inserter.InsertTx(ctx, tx, notify.EmailArgs{UserIDs: users, Subject: title, Body: body}, nil)
}

// submitContract loads a contract with its years for a submission: a contract outside the actor's
// scope is not found; one in scope for an actor who is not a user of its prime is forbidden.
func (s *Service) submitContract(ctx context.Context, a actor.Actor, id uuid.UUID) (contracts.WithYears, error) {
	c, err := s.scopedContract(ctx, a, id)
	if err != nil {
		return contracts.WithYears{}, err
	}
	if a.Role != actor.RoleSupplier {
		return contracts.WithYears{}, apperr.Forbidden("role_not_allowed", "only users of the contract's prime submit payment requests")
	}
	return c, nil
}

// contractOf loads the contract of a request, with its years.
func (s *Service) contractOf(ctx context.Context, db *gorm.DB, r Request) (contracts.WithYears, error) {
	cs, err := contracts.LoadPortfolio(ctx, db, contracts.PortfolioFilter{IDs: []uuid.UUID{r.ContractID}})
	if err != nil {
		return contracts.WithYears{}, err
	}
	if len(cs) != 1 {
		return contracts.WithYears{}, fmt.Errorf("contract %s of payment request %s is missing", r.ContractID, r.ID)
	}
	return cs[0], nil
}

// SubmitRequest submits a payment request for a contract (users of the contract's prime only: a
// contract outside the actor's scope, as for other suppliers' users, is not found; commissioners and
// admins who see it are forbidden). A monthly request is for a calendar month
// with a day in the contract's years (month_outside_contract) that has ended by today's UK date
// (month_not_ended), for at most the month's entitlement (both years' parts for a shared month) less
// what is already approved or paid for it (amount_exceeds_entitlement). A balancing request is for an
// ended contract year (year_not_ended) whose balance is positive (no_balance_due), for exactly that
// balance (amount_must_equal_balance). Those refusals are invalid errors with the code on the field
// and on the problem; a live request for the same month or year is a conflict, request_exists, also
// when a concurrent submission wins the race (the database's unique index decides).
func (s *Service) SubmitRequest(ctx context.Context, a actor.Actor, p SubmitParams) (RequestDetail, error) {
	if _, err := requestScopeOf(a); err != nil {
		return RequestDetail{}, err
	}
	if p.ContractID == uuid.Nil {
		return RequestDetail{}, apperr.Invalid("the payment request cannot be submitted",
			apperr.FieldError{Field: "contract_id", Code: "required", Message: "contract_id is required."})
	}
	c, err := s.submitContract(ctx, a, p.ContractID)
	if err != nil {
		return RequestDetail{}, err
	}
	if err := p.validate(); err != nil {
		return RequestDetail{}, err
	}
	now, today := s.cfg.Now().UTC(), s.Today()
	r := Request{ID: ids.New(), ContractID: c.ID, ContractReference: c.Reference, RegionCode: c.Area.RegionCode, PrimeSupplierID: c.Prime.ID,
		Kind: p.Kind, Period: p.Period, YearNumber: p.Year, Amount: p.Amount, InvoiceReference: p.InvoiceReference, Notes: p.Notes,
		Status: StatusSubmitted, SubmittedBy: a.UserID, SubmittedAt: now, ValidAt: now, Version: 1, CreatedAt: now, UpdatedAt: now}
	var entitlement money.Pence
	if r.Kind == KindMonthly {
		if entitlement, err = checkMonth(c, r.Period, today); err != nil {
			return RequestDetail{}, err
		}
	} else if err := s.checkBalancing(ctx, c, r, today); err != nil {
		return RequestDetail{}, err
	}
	var out RequestDetail
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		exists, err := liveRequestExists(ctx, tx, r)
		if err != nil {
			return err
		}
		if exists {
			return requestExists(r)
		}
		if r.Kind == KindMonthly {
			if err := checkAvailable(ctx, tx, r, entitlement, true); err != nil {
				return err
			}
		}
		if err := insertRequest(ctx, tx, r); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, r.ID, Event{ID: ids.New(), To: StatusSubmitted, ActorID: a.AuditID(), At: now}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, audit.Change{Action: "payment_request.submitted", EntityType: requestEntity, EntityID: r.ID, After: factsOf(r, "")}); err != nil {
			return err
		}
		title := "Payment request submitted: " + r.Label()
		body := fmt.Sprintf("A payment request for %s of %s (invoice %s) is waiting for review.", r.Label(), r.Amount, r.InvoiceReference)
		if err := s.announce(ctx, tx, a, r, "payment_request_submitted", title, body); err != nil {
			return err
		}
		out, err = s.detail(ctx, tx, r)
		return err
	})
	if err != nil {
		return RequestDetail{}, fmt.Errorf("submit payment request for contract %s: %w", c.ID, err)
	}
	return out, nil
}

// checkMonth checks that a month may be requested today and returns its entitlement.
func checkMonth(c contracts.WithYears, m calendar.Month, today calendar.Date) (money.Pence, error) {
	var f apperr.Fields
	if len(c.Years) == 0 || m.Last().Before(c.Years[0].Start) || m.First().After(c.Years[len(c.Years)-1].End) {
		f.Add("period", "month_outside_contract", fmt.Sprintf("%s has no day in the contract's years.", m))
	} else if !today.After(m.Last()) {
		f.Add("period", "month_not_ended", fmt.Sprintf("%s can be requested from %s, once it has ended.", m, m.Last().AddDays(1)))
	}
	if err := refusal(f, "the payment request cannot be submitted"); err != nil {
		return 0, err
	}
	schedules, err := Schedules(c)
	if err != nil {
		return 0, err
	}
	total, _ := MonthEntitlementOf(schedules, m)
	return total, nil
}

// checkAvailable refuses an amount above the month's entitlement less what is approved or paid for
// it, naming the amount available; field is false for the code on the problem only (a conflict).
func checkAvailable(ctx context.Context, tx *gorm.DB, r Request, entitlement money.Pence, field bool) error {
	approved, err := approvedForMonth(ctx, tx, r.ContractID, r.Period, r.ID)
	if err != nil {
		return err
	}
	available := max(entitlement-approved, 0)
	if r.Amount <= available {
		return nil
	}
	msg := fmt.Sprintf("The amount %s is more than the %s available for %s: its entitlement of %s less %s approved or paid.",
		r.Amount, available, r.Period, entitlement, approved)
	if !field {
		return apperr.Conflict("amount_exceeds_entitlement", msg)
	}
	var f apperr.Fields
	f.Add("amount_pence", "amount_exceeds_entitlement", msg)
	return refusal(f, "the payment request cannot be submitted")
}

// yearOf returns contract year n.
func yearOf(c contracts.WithYears, n int) (contracts.YearDetail, bool) {
	if n < 1 || n > len(c.Years) {
		return contracts.YearDetail{}, false
	}
	return c.Years[n-1], true
}

// checkBalancing checks a balancing request against its ended year's balance.
func (s *Service) checkBalancing(ctx context.Context, c contracts.WithYears, r Request, today calendar.Date) error {
	var f apperr.Fields
	y, ok := yearOf(c, r.YearNumber)
	switch {
	case !ok:
		f.Add("year", "invalid_year", fmt.Sprintf("The contract has no year %d.", r.YearNumber))
	case !today.After(y.End):
		f.Add("year", "year_not_ended", fmt.Sprintf("Contract year %d ends on %s: its balance can be requested from the day after.", y.Number, y.End))
	}
	if err := refusal(f, "the balancing request cannot be submitted"); err != nil {
		return err
	}
	pic, err := s.yearPicture(ctx, c, y, today)
	if err != nil {
		return err
	}
	return checkBalance(pic, r.Amount, true)
}

// checkBalance refuses a balancing amount unless the year's balance is positive and equal to it;
// field is false for the code on the problem only (a conflict).
func checkBalance(pic volumes.Picture, amount money.Pence, field bool) error {
	var balance money.Pence
	if pic.Binding != nil {
		balance = pic.Binding.Balance
	}
	var f apperr.Fields
	switch {
	case balance <= 0:
		f.Add("year", "no_balance_due", fmt.Sprintf("Contract year %d's balance is %s: no balancing payment is due.", pic.Year.Number, balance))
	case amount != balance:
		f.Add("amount_pence", "amount_must_equal_balance", fmt.Sprintf("The amount must equal contract year %d's balance, %s.", pic.Year.Number, balance))
	}
	if list := f.List(); len(list) == 1 && !field {
		return apperr.Conflict(list[0].Code, list[0].Message)
	}
	return refusal(f, "the balancing request cannot be submitted")
}

// detail reads a request's thread and history and whether it is overdue.
func (s *Service) detail(ctx context.Context, db *gorm.DB, r Request) (RequestDetail, error) {
	msgs, events, err := thread(ctx, db, r.ID)
	if err != nil {
		return RequestDetail{}, err
	}
	r.Queries = 0
	for _, m := range msgs {
		if m.Kind == MessageQuery {
			r.Queries++
		}
	}
	clock, _ := r.OverdueOn(s.Today(), s.cfg.PaymentTermsDays)
	return RequestDetail{Request: r, Overdue: clock, Messages: msgs, Events: events}, nil
}

// GetRequest returns a request with its thread and history; outside the actor's scope it is not found.
func (s *Service) GetRequest(ctx context.Context, a actor.Actor, id uuid.UUID) (RequestDetail, error) {
	sc, err := requestScopeOf(a)
	if err != nil {
		return RequestDetail{}, err
	}
	r, ok, err := readRequest(ctx, s.db, sc, id, false)
	if err != nil {
		return RequestDetail{}, err
	}
	if !ok {
		return RequestDetail{}, apperr.NotFound("payment request")
	}
	return s.detail(ctx, s.db, r)
}

// ListRequests lists the requests in the actor's scope (filtered in SQL), newest first.
func (s *Service) ListRequests(ctx context.Context, a actor.Actor, p RequestParams) (page.Page[ListedRequest], error) {
	sc, err := requestScopeOf(a)
	if err != nil {
		return page.Page[ListedRequest]{}, err
	}
	return listRequests(ctx, s.db, sc, p, s.Today(), s.cfg.PaymentTermsDays)
}

// requestChange is one change to a locked request inside its transaction.
type requestChange struct {
	ctx     context.Context
	tx      *gorm.DB
	a       actor.Actor
	r       Request
	now     time.Time
	today   calendar.Date
	note    string
	message string
}

// mayTake checks the actor's role may take the action on a request in its scope.
func mayTake(a actor.Actor, action Action) error {
	switch action {
	case ActionQuery, ActionApprove, ActionReject:
		if !a.Is(actor.RoleCommissioner, actor.RoleAdmin) {
			return apperr.Forbidden("role_not_allowed", "only commissioners of the contract's region and admins review payment requests")
		}
	case ActionPay:
		if !a.IsAdmin() {
			return apperr.Forbidden("role_not_allowed", "only admins record payments")
		}
	case ActionRespond, ActionWithdraw:
		if a.Role != actor.RoleSupplier {
			return apperr.Forbidden("role_not_allowed", "only users of the contract's prime answer queries and withdraw requests")
		}
	}
	return nil
}

// changeRequest applies an action to a request: in one transaction it locks the request, checks scope
// (not found), role (forbidden), version (version 0: If-Match missing, 428; another: 412) and the
// transition (409 invalid_transition), lets fn check its inputs and set fields, then saves the request
// with the next version, its event and thread message, the audit record and the notifications.
func (s *Service) changeRequest(ctx context.Context, a actor.Actor, id uuid.UUID, version int, action Action, fn func(ch *requestChange) error) (RequestDetail, error) {
	sc, err := requestScopeOf(a)
	if err != nil {
		return RequestDetail{}, err
	}
	var out RequestDetail
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		before, ok, err := readRequest(ctx, tx, sc, id, true)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.NotFound("payment request")
		}
		if err := mayTake(a, action); err != nil {
			return err
		}
		switch {
		case version == 0:
			return apperr.PreconditionRequired("this change needs an If-Match header with the payment request's ETag")
		case version != before.Version:
			return apperr.PreconditionFailed(fmt.Sprintf("the payment request is at version %d: read it again", before.Version))
		}
		next, err := NextStatus(before.Status, action)
		if err != nil {
			return err
		}
		now := s.cfg.Now().UTC()
		ch := &requestChange{ctx: ctx, tx: tx, a: a, r: before, now: now, today: calendar.BusinessDay(now)}
		ch.r.Status = next
		if err := fn(ch); err != nil {
			return err
		}
		ch.r.Version, ch.r.UpdatedAt, ch.r.OverdueFlaggedAt = before.Version+1, now, nil
		if next != StatusQueried {
			ch.r.ResponseDueOn = calendar.Date{}
		}
		if err := updateRequest(ctx, tx, ch.r, before.Version); err != nil {
			return err
		}
		if ch.message != "" {
			kind := MessageQuery
			if action == ActionRespond {
				kind = MessageResponse
			}
			if err := insertMessage(ctx, tx, ch.r.ID, Message{ID: ids.New(), Kind: kind, Body: ch.message, AuthorID: a.UserID, CreatedAt: now}); err != nil {
				return err
			}
		}
		if err := insertEvent(ctx, tx, ch.r.ID, Event{ID: ids.New(), From: before.Status, To: next, ActorID: a.AuditID(), Note: ch.note, At: now}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, audit.Change{Action: "payment_request." + string(action), EntityType: requestEntity, EntityID: ch.r.ID,
			Before: factsOf(before, ""), After: factsOf(ch.r, ch.note)}); err != nil {
			return err
		}
		title := fmt.Sprintf("Payment request %s: %s", next, ch.r.Label())
		body := fmt.Sprintf("The payment request for %s of %s (invoice %s) is now %s.", ch.r.Label(), ch.r.Amount, ch.r.InvoiceReference, next)
		if ch.note != "" {
			body += "\n\n" + ch.note
		}
		if err := s.announce(ctx, tx, a, ch.r, "payment_request_"+string(action), title, body); err != nil {
			return err
		}
		out, err = s.detail(ctx, tx, ch.r)
		return err
	})
	if err != nil {
		return RequestDetail{}, fmt.Errorf("%s payment request %s: %w", action, id, err)
	}
	return out, nil
}

// ApproveRequest approves a SUBMITTED or RESPONDED request (commissioners of its region and admins).
// A monthly amount above what its month's entitlement still allows (the basis band may have changed)
// is a conflict, amount_exceeds_entitlement; a balancing amount no longer equal to the year's
// balance, amount_must_equal_balance. Payment terms run from the request's valid_at.
func (s *Service) ApproveRequest(ctx context.Context, a actor.Actor, id uuid.UUID, version int) (RequestDetail, error) {
	return s.changeRequest(ctx, a, id, version, ActionApprove, func(ch *requestChange) error {
		c, err := s.contractOf(ctx, ch.tx, ch.r)
		if err != nil {
			return err
		}
		if ch.r.Kind == KindMonthly {
			schedules, err := Schedules(c)
			if err != nil {
				return err
			}
			total, _ := MonthEntitlementOf(schedules, ch.r.Period)
			if err := checkAvailable(ctx, ch.tx, ch.r, total, false); err != nil {
				return err
			}
		} else if y, ok := yearOf(c, ch.r.YearNumber); ok {
			pic, err := s.yearPicture(ctx, c, y, ch.today)
			if err != nil {
				return err
			}
			if err := checkBalance(pic, ch.r.Amount, false); err != nil {
				return err
			}
		}
		ch.r.DecidedBy, ch.r.DecidedAt = &ch.a.UserID, &ch.now
		return nil
	})
}

// RejectRequest rejects a request before payment with a reason (reason_required); the month (or
// year) can then be requested again.
func (s *Service) RejectRequest(ctx context.Context, a actor.Actor, id uuid.UUID, version int, reason string) (RequestDetail, error) {
	return s.changeRequest(ctx, a, id, version, ActionReject, func(ch *requestChange) error {
		var f apperr.Fields
		reason = requiredText(&f, "reason", "reason_required", "A reason", reason)
		if err := refusal(f, "the payment request cannot be rejected"); err != nil {
			return err
		}
		ch.r.DecidedBy, ch.r.DecidedAt, ch.r.RejectionReason, ch.note = &ch.a.UserID, &ch.now, reason, reason
		return nil
	})
}

// QueryRequest raises a query on a SUBMITTED or RESPONDED request (message_required); the prime has
// QueryResponseWorkingDays working days to answer.
func (s *Service) QueryRequest(ctx context.Context, a actor.Actor, id uuid.UUID, version int, message string) (RequestDetail, error) {
	return s.changeRequest(ctx, a, id, version, ActionQuery, func(ch *requestChange) error {
		var f apperr.Fields
		message = requiredText(&f, "message", "message_required", "A message", message)
		if err := refusal(f, "the query cannot be raised"); err != nil {
			return err
		}
		ch.message, ch.r.ResponseDueOn = message, ResponseDueOn(ch.today)
		return nil
	})
}

// RespondToQuery answers the query of a QUERIED request (users of the prime; message_required). The
// request becomes valid again from the answer: payment terms run from it.
func (s *Service) RespondToQuery(ctx context.Context, a actor.Actor, id uuid.UUID, version int, message string) (RequestDetail, error) {
	return s.changeRequest(ctx, a, id, version, ActionRespond, func(ch *requestChange) error {
		var f apperr.Fields
		message = requiredText(&f, "message", "message_required", "A message", message)
		if err := refusal(f, "the query cannot be answered"); err != nil {
			return err
		}
		ch.message, ch.r.ValidAt = message, ch.now
		return nil
	})
}

// WithdrawRequest withdraws a request before a decision (users of the prime), with an optional
// reason; the month (or year) can then be requested again.
func (s *Service) WithdrawRequest(ctx context.Context, a actor.Actor, id uuid.UUID, version int, reason string) (RequestDetail, error) {
	return s.changeRequest(ctx, a, id, version, ActionWithdraw, func(ch *requestChange) error {
		var f apperr.Fields
		f.Check(len([]rune(reason)) <= MaxRequestText, "reason", "reason_too_long", fmt.Sprintf("The reason must be at most %d characters.", MaxRequestText))
		ch.note = reason
		return refusal(f, "the payment request cannot be withdrawn")
	})
}

// MarkPaid records the payment of an APPROVED request (admins): paid_on is required, not in the
// future (paid_on_in_future) and not before the approval (paid_on_before_approval), with the
// remittance reference (remittance_reference_required).
func (s *Service) MarkPaid(ctx context.Context, a actor.Actor, id uuid.UUID, version int, p PayParams) (RequestDetail, error) {
	return s.changeRequest(ctx, a, id, version, ActionPay, func(ch *requestChange) error {
		var f apperr.Fields
		switch {
		case p.PaidOn.IsZero():
			f.Add("paid_on", "required", "paid_on is required, YYYY-MM-DD.")
		case p.PaidOn.After(ch.today):
			f.Add("paid_on", "paid_on_in_future", fmt.Sprintf("The payment date cannot be after today, %s.", ch.today))
		case ch.r.DecidedAt != nil && p.PaidOn.Before(calendar.BusinessDay(*ch.r.DecidedAt)):
			f.Add("paid_on", "paid_on_before_approval", fmt.Sprintf("The payment date cannot be before the approval, on %s.", calendar.BusinessDay(*ch.r.DecidedAt)))
		}
		ref := requiredText(&f, "remittance_reference", "remittance_reference_required", "The remittance reference", p.RemittanceReference)
		f.Check(len([]rune(ref)) <= MaxReferenceLength, "remittance_reference", "remittance_reference_too_long",
			fmt.Sprintf("The remittance reference must be at most %d characters.", MaxReferenceLength))
		if err := refusal(f, "the payment cannot be recorded"); err != nil {
			return err
		}
		ch.r.PaidOn, ch.r.RemittanceReference, ch.r.PaidBy, ch.r.PaidAt = p.PaidOn, ref, &ch.a.UserID, &ch.now
		ch.note = "remittance " + ref
		return nil
	})
}
