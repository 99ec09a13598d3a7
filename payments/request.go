package payments

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/enum"
	"github.com/crsplatform/crs/internal/money"
)

// RequestKind is what a payment request is for.
type RequestKind string

// The kinds of payment request.
const (
	// KindMonthly is a contract's entitlement for one calendar month, in arrears.
	KindMonthly RequestKind = "MONTHLY"
	// KindBalancing is the positive year-end balance of an ended contract year.
	KindBalancing RequestKind = "BALANCING"
)

// ParseRequestKind parses MONTHLY or BALANCING; "" is MONTHLY. It returns an invalid error (field
// "kind", code invalid_kind) for anything else.
func ParseRequestKind(s string) (RequestKind, error) {
	return enum.ParseOr("kind", "invalid_kind", s, KindMonthly, KindMonthly, KindBalancing)
}

// RequestStatus is where a payment request is in its review.
type RequestStatus string

// The statuses of a payment request. SUBMITTED, QUERIED, RESPONDED, APPROVED and PAID are live (at most
// one live request per contract and month, or per balancing year); REJECTED and WITHDRAWN are final and
// free the month for a new request; PAID is final too.
const (
	StatusSubmitted RequestStatus = "SUBMITTED"
	StatusQueried   RequestStatus = "QUERIED"
	StatusResponded RequestStatus = "RESPONDED"
	StatusApproved  RequestStatus = "APPROVED"
	StatusPaid      RequestStatus = "PAID"
	StatusRejected  RequestStatus = "REJECTED"
	StatusWithdrawn RequestStatus = "WITHDRAWN"
)

// RequestStatuses lists every status in the order of a request's life.
var RequestStatuses = []RequestStatus{StatusSubmitted, StatusQueried, StatusResponded, StatusApproved, StatusPaid, StatusRejected, StatusWithdrawn}

// ParseRequestStatus parses a status name; it returns an invalid error (field "status", code
// invalid_status) for anything else.
func ParseRequestStatus(s string) (RequestStatus, error) {
	return enum.Parse("status", "invalid_status", s, RequestStatuses...)
}

// Live reports whether a request in this status holds its month (or balancing year).
func (s RequestStatus) Live() bool { return s != StatusRejected && s != StatusWithdrawn && s != "" }

// Decided reports whether the request was approved (and perhaps paid).
func (s RequestStatus) Decided() bool { return s == StatusApproved || s == StatusPaid }

// Status sets that payment figures are summed over, as SQL lists.
var (
	liveStatuses     = []string{string(StatusSubmitted), string(StatusQueried), string(StatusResponded), string(StatusApproved), string(StatusPaid)}
	approvedStatuses = []string{string(StatusApproved), string(StatusPaid)}
)

// Action is a change to a payment request after its submission.
type Action string

// The actions on a payment request and who takes them.
const (
	// ActionQuery raises a query (commissioner of the region or admin).
	ActionQuery Action = "query"
	// ActionRespond answers a query (the prime's users).
	ActionRespond Action = "respond"
	// ActionApprove approves the request (commissioner of the region or admin).
	ActionApprove Action = "approve"
	// ActionReject rejects it with a reason (commissioner of the region or admin).
	ActionReject Action = "reject"
	// ActionWithdraw withdraws it before a decision (the prime's users).
	ActionWithdraw Action = "withdraw"
	// ActionPay records the payment of an approved request (admins).
	ActionPay Action = "pay"
)

// transitions are the only changes a request may go through.
var transitions = map[RequestStatus]map[Action]RequestStatus{
	StatusSubmitted: {ActionQuery: StatusQueried, ActionApprove: StatusApproved, ActionReject: StatusRejected, ActionWithdraw: StatusWithdrawn},
	StatusQueried:   {ActionRespond: StatusResponded, ActionReject: StatusRejected, ActionWithdraw: StatusWithdrawn},
	StatusResponded: {ActionQuery: StatusQueried, ActionApprove: StatusApproved, ActionReject: StatusRejected, ActionWithdraw: StatusWithdrawn},
	StatusApproved:  {ActionPay: StatusPaid},
}

// NextStatus returns the status an action leads to from s. An action the status does not allow is a
// conflict (code invalid_transition) naming the current status.
func NextStatus(s RequestStatus, a Action) (RequestStatus, error) {
	if next, ok := transitions[s][a]; ok {
		return next, nil
	}
	return "", apperr.Conflict("invalid_transition", fmt.Sprintf("cannot %s the payment request: it is %s", a, s))
}

// QueryResponseWorkingDays is how many working days the supplier has to answer a query before it is
// overdue.
const QueryResponseWorkingDays = 5

// Limits on a request's text fields, in characters.
const (
	MaxReferenceLength = 60
	MaxRequestText     = 4000
)

// Request is a payment request.
type Request struct {
	ID                uuid.UUID
	ContractID        uuid.UUID
	ContractReference string
	RegionCode        string
	// PrimeSupplierID is the contract's prime: its users submit and answer.
	PrimeSupplierID uuid.UUID
	Kind            RequestKind
	// Period is the calendar month of a monthly request (zero for a balancing one).
	Period calendar.Month
	// YearNumber is the contract year of a balancing request (0 for a monthly one).
	YearNumber       int
	Amount           money.Pence
	InvoiceReference string
	Notes            string
	Status           RequestStatus
	SubmittedBy      uuid.UUID
	SubmittedAt      time.Time
	// ValidAt is when the request last became valid: its submission, or the answer to a query.
	// Payment terms run from it.
	ValidAt         time.Time
	DecidedBy       *uuid.UUID
	DecidedAt       *time.Time
	RejectionReason string
	// PaidOn is zero until the request is PAID.
	PaidOn              calendar.Date
	RemittanceReference string
	PaidBy              *uuid.UUID
	PaidAt              *time.Time
	// ResponseDueOn is the last day to answer an open query (zero unless QUERIED).
	ResponseDueOn calendar.Date
	// OverdueFlaggedAt is when the clocks job flagged the request's current clock as overdue.
	OverdueFlaggedAt *time.Time
	// Queries counts the queries raised on the request.
	Queries   int
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Overdue is the clock a request is overdue on.
type Overdue string

// The clocks of a request.
const (
	// OverduePayment: approved and not paid within the payment terms of its valid_at.
	OverduePayment Overdue = "PAYMENT"
	// OverdueResponse: a query not answered within QueryResponseWorkingDays working days.
	OverdueResponse Overdue = "QUERY_RESPONSE"
)

// PaymentDueOn returns the last day of the payment terms of a request valid at validAt: termsDays after
// its UK date.
func PaymentDueOn(validAt time.Time, termsDays int) calendar.Date {
	return calendar.BusinessDay(validAt).AddDays(termsDays)
}

// ResponseDueOn returns the last day to answer a query raised on queriedOn.
func ResponseDueOn(queriedOn calendar.Date) calendar.Date {
	return calendar.AddWorkingDays(queriedOn, QueryResponseWorkingDays)
}

// OverdueOn reports which clock, if any, the request is overdue on by day today: approved and unpaid
// after PaymentDueOn, or queried and unanswered after ResponseDueOn. The list queries apply the same
// rule in SQL (overdueSQL).
func (r Request) OverdueOn(today calendar.Date, termsDays int) (Overdue, bool) {
	switch {
	case r.Status == StatusApproved && today.After(PaymentDueOn(r.ValidAt, termsDays)):
		return OverduePayment, true
	case r.Status == StatusQueried && !r.ResponseDueOn.IsZero() && today.After(r.ResponseDueOn):
		return OverdueResponse, true
	}
	return "", false
}

// OpenClock returns the clock a request in status s runs ("" when none): the payment terms of an
// approved request, the answer to a query.
func OpenClock(s RequestStatus) Overdue {
	switch s {
	case StatusApproved:
		return OverduePayment
	case StatusQueried:
		return OverdueResponse
	}
	return ""
}

// Label names the request for people: "ACC-J-2021 2026-03" or "ACC-J-2021 year 5 balance".
func (r Request) Label() string {
	if r.Kind == KindBalancing {
		return fmt.Sprintf("%s year %d balance", r.ContractReference, r.YearNumber)
	}
	return fmt.Sprintf("%s %s", r.ContractReference, r.Period)
}

// MessageKind is a thread message's kind.
type MessageKind string

// The kinds of thread message.
const (
	MessageQuery    MessageKind = "QUERY"
	MessageResponse MessageKind = "RESPONSE"
)

// Message is one message of a request's query thread.
type Message struct {
	ID         uuid.UUID
	Kind       MessageKind
	Body       string
	AuthorID   uuid.UUID
	AuthorRole string
	CreatedAt  time.Time
}

// Event is one state change of a request (From is empty for its submission).
type Event struct {
	ID      uuid.UUID
	From    RequestStatus
	To      RequestStatus
	ActorID *uuid.UUID
	Note    string
	At      time.Time
}

// RequestDetail is a request with its thread and history.
type RequestDetail struct {
	Request
	// Overdue is the clock the request is overdue on today ("" when none).
	Overdue  Overdue
	Messages []Message
	Events   []Event
}

// SubmitParams are the inputs of a payment request, parsed at the edge.
type SubmitParams struct {
	ContractID uuid.UUID
	Kind       RequestKind
	// Period is the month of a monthly request.
	Period calendar.Month
	// Year is the contract year of a balancing request.
	Year             int
	Amount           money.Pence
	InvoiceReference string
	Notes            string
}

// validate checks the inputs that need no data: the period or year the kind needs, a positive
// amount and an invoice reference.
func (p *SubmitParams) validate() error {
	var f apperr.Fields
	p.InvoiceReference, p.Notes = strings.TrimSpace(p.InvoiceReference), strings.TrimSpace(p.Notes)
	switch p.Kind {
	case KindMonthly:
		f.Check(!p.Period.IsZero(), "period", "invalid_period", "A monthly request needs the calendar month it is for, YYYY-MM.")
	case KindBalancing:
		f.Check(p.Year >= 1, "year", "invalid_year", "A balancing request needs the contract year it settles, from 1.")
	default:
		f.Add("kind", "invalid_kind", "kind must be MONTHLY or BALANCING.")
	}
	f.Check(p.Amount > 0, "amount_pence", "amount_not_positive", "The amount must be more than £0.00.")
	if f.Check(p.InvoiceReference != "", "invoice_reference", "invoice_reference_required", "The request needs the supplier's invoice reference.") {
		f.Check(len([]rune(p.InvoiceReference)) <= MaxReferenceLength, "invoice_reference", "invoice_reference_too_long",
			fmt.Sprintf("The invoice reference must be at most %d characters.", MaxReferenceLength))
	}
	f.Check(len([]rune(p.Notes)) <= MaxRequestText, "notes", "notes_too_long", fmt.Sprintf("Notes must be at most %d characters.", MaxRequestText))
	return refusal(f, "the payment request cannot be submitted")
}

// PayParams record a payment.
type PayParams struct {
	PaidOn              calendar.Date
	RemittanceReference string
}

// refusal returns the fields' error; with a single field error its code is also the problem's code,
// so that clients can branch on one code ("amount_exceeds_entitlement") whichever they read.
func refusal(f apperr.Fields, message string) error {
	list := f.List()
	switch len(list) {
	case 0:
		return nil
	case 1:
		return &apperr.Error{Kind: apperr.KindInvalid, Code: list[0].Code, Message: message + ": " + list[0].Message, Fields: list}
	}
	return f.Err(message)
}

// requiredText trims a free-text input and checks it is present and not too long.
func requiredText(f *apperr.Fields, field, code, what, s string) string {
	s = strings.TrimSpace(s)
	if f.Check(s != "", field, code, what+" is required.") {
		f.Check(len([]rune(s)) <= MaxRequestText, field, field+"_too_long", fmt.Sprintf("%s must be at most %d characters.", what, MaxRequestText))
	}
	return s
}
