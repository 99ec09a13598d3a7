package payments

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/internal/opt"
)

// RequestResponse is a payment request. Money is in whole pence.
type RequestResponse struct {
	ID                  uuid.UUID      `json:"id"`
	ContractID          uuid.UUID      `json:"contract_id"`
	ContractReference   string         `json:"contract_reference"`
	Region              string         `json:"region"`
	Kind                RequestKind    `json:"kind"`
	Period              *string        `json:"period"`
	Year                *int           `json:"year"`
	AmountPence         int64          `json:"amount_pence"`
	InvoiceReference    string         `json:"invoice_reference"`
	Notes               *string        `json:"notes"`
	Status              RequestStatus  `json:"status"`
	SubmittedBy         uuid.UUID      `json:"submitted_by"`
	SubmittedAt         time.Time      `json:"submitted_at"`
	ValidAt             time.Time      `json:"valid_at"`
	DecidedBy           *uuid.UUID     `json:"decided_by"`
	DecidedAt           *time.Time     `json:"decided_at"`
	RejectionReason     *string        `json:"rejection_reason"`
	PaidOn              *calendar.Date `json:"paid_on"`
	RemittanceReference *string        `json:"remittance_reference"`
	PaidAt              *time.Time     `json:"paid_at"`
	PaymentDueOn        *calendar.Date `json:"payment_due_on"`
	ResponseDueOn       *calendar.Date `json:"response_due_on"`
	Overdue             bool           `json:"overdue"`
	OverdueClock        *Overdue       `json:"overdue_clock"`
	OverdueFlaggedAt    *time.Time     `json:"overdue_flagged_at"`
	Queries             int            `json:"queries"`
	Version             int            `json:"version"`
	CreatedAt           time.Time      `json:"created_at"`
	UpdatedAt           time.Time      `json:"updated_at"`
}

// ThreadMessageResponse is a thread message.
type ThreadMessageResponse struct {
	ID         uuid.UUID   `json:"id"`
	Kind       MessageKind `json:"kind"`
	Body       string      `json:"body"`
	AuthorID   uuid.UUID   `json:"author_id"`
	AuthorRole string      `json:"author_role"`
	CreatedAt  time.Time   `json:"created_at"`
}

// EventResponse is a state change.
type EventResponse struct {
	From    *RequestStatus `json:"from_status"`
	To      RequestStatus  `json:"to_status"`
	ActorID *uuid.UUID     `json:"actor_id"`
	Note    *string        `json:"note"`
	At      time.Time      `json:"at"`
}

// RequestDetailResponse is a payment request with its query thread and history.
type RequestDetailResponse struct {
	RequestResponse
	Messages []ThreadMessageResponse `json:"messages"`
	History  []EventResponse         `json:"history"`
}

func (h *Handler) requestResponse(r Request, overdue Overdue) RequestResponse {
	out := RequestResponse{ID: r.ID, ContractID: r.ContractID, ContractReference: r.ContractReference, Region: r.RegionCode, Kind: r.Kind,
		AmountPence: int64(r.Amount), InvoiceReference: r.InvoiceReference, Notes: opt.String(r.Notes), Status: r.Status, SubmittedBy: r.SubmittedBy,
		SubmittedAt: r.SubmittedAt, ValidAt: r.ValidAt, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, RejectionReason: opt.String(r.RejectionReason),
		PaidOn: datePtr(r.PaidOn), RemittanceReference: opt.String(r.RemittanceReference), PaidAt: r.PaidAt, ResponseDueOn: datePtr(r.ResponseDueOn),
		Overdue: overdue != "", OverdueFlaggedAt: r.OverdueFlaggedAt, Queries: r.Queries, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.Kind == KindMonthly {
		p := r.Period.String()
		out.Period = &p
	} else {
		y := r.YearNumber
		out.Year = &y
	}
	if r.Status == StatusApproved {
		due := PaymentDueOn(r.ValidAt, h.svc.PaymentTermsDays())
		out.PaymentDueOn = &due
	}
	if overdue != "" {
		out.OverdueClock = &overdue
	}
	return out
}

func (h *Handler) detailResponse(d RequestDetail) RequestDetailResponse {
	out := RequestDetailResponse{RequestResponse: h.requestResponse(d.Request, d.Overdue), Messages: make([]ThreadMessageResponse, len(d.Messages)),
		History: make([]EventResponse, len(d.Events))}
	for i, m := range d.Messages {
		out.Messages[i] = ThreadMessageResponse{ID: m.ID, Kind: m.Kind, Body: m.Body, AuthorID: m.AuthorID, AuthorRole: m.AuthorRole, CreatedAt: m.CreatedAt}
	}
	for i, e := range d.Events {
		out.History[i] = EventResponse{To: e.To, ActorID: e.ActorID, Note: opt.String(e.Note), At: e.At}
		if e.From != "" {
			from := e.From
			out.History[i].From = &from
		}
	}
	return out
}

// respondDetail answers a request's detail with its ETag.
func (h *Handler) respondDetail(c echo.Context, status int, d RequestDetail) error {
	httpserver.SetETag(c, d.Version)
	if status == http.StatusCreated {
		return httpserver.Created(c, httpserver.APIPrefix+"/payment-requests/"+d.ID.String(), h.detailResponse(d))
	}
	return c.JSON(status, h.detailResponse(d))
}

type submitRequest struct {
	ContractID       *uuid.UUID `json:"contract_id" required:"true" doc:"The contract the request is for; the supplier must be its prime."`
	Kind             *string    `json:"kind,omitempty" enum:"MONTHLY,BALANCING" doc:"MONTHLY (the default: one month's entitlement, in arrears, needs period) or BALANCING (the positive balance of an ended contract year, needs year)."`
	Period           *string    `json:"period,omitempty" maxLength:"7" code:"invalid_period" doc:"The calendar month a MONTHLY request is for, YYYY-MM, an ended month of the contract." example:"2026-02"`
	Year             *int       `json:"year,omitempty" minimum:"1" maximum:"50" code:"invalid_year" doc:"The contract year a BALANCING request is for, an ended year."`
	AmountPence      *int64     `json:"amount_pence" required:"true" minimum:"1" maximum:"maxPence" code:"amount_not_positive" doc:"The amount requested, in pence: more than 0 and at most what is available for the period." example:"2500000"`
	InvoiceReference *string    `json:"invoice_reference" required:"true" maxLength:"50" doc:"The supplier's invoice reference, unique per supplier." example:"INV-2026-0042"`
	Notes            *string    `json:"notes,omitempty" maxLength:"4000" doc:"Anything the reviewer should know."`
}

func (h *Handler) submitRequest(c echo.Context) error {
	var req submitRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	var f apperr.Fields
	p := SubmitParams{InvoiceReference: opt.Value(req.InvoiceReference), Notes: opt.Value(req.Notes)}
	if req.ContractID != nil {
		p.ContractID = *req.ContractID
	}
	kind, err := ParseRequestKind(opt.Value(req.Kind))
	if err != nil {
		f.Add("kind", "invalid_kind", "kind must be MONTHLY or BALANCING.")
	}
	p.Kind = kind
	if req.Period != nil && *req.Period != "" {
		if m, err := calendar.ParseMonth(*req.Period); err != nil {
			f.Add("period", "invalid_period", "period must be a calendar month, YYYY-MM.")
		} else {
			p.Period = m
		}
	}
	if req.Year != nil {
		p.Year = *req.Year
	}
	if req.AmountPence != nil {
		p.Amount = money.Pence(*req.AmountPence)
	}
	if kind == KindBalancing && req.Period != nil {
		f.Add("period", "period_not_allowed", "A balancing request is for a contract year: give year, not period.")
	}
	if kind == KindMonthly && req.Year != nil {
		f.Add("year", "year_not_allowed", "A monthly request is for a calendar month: give period, not year.")
	}
	if err := refusal(f, "the payment request cannot be submitted"); err != nil {
		return err
	}
	d, err := h.svc.SubmitRequest(httpserver.Ctx(c), httpserver.MustActor(c), p)
	if err != nil {
		return err
	}
	return h.respondDetail(c, http.StatusCreated, d)
}

// bindOptional binds a JSON body when there is one.
func bindOptional(c echo.Context, dst any) error {
	if c.Request().ContentLength == 0 {
		return nil
	}
	return httpserver.BindJSON(c, dst)
}

type reasonRequest struct {
	Reason string `json:"reason" maxLength:"2000" doc:"Why, for the supplier and the record; required."`
}

type messageRequest struct {
	Message string `json:"message" maxLength:"4000" doc:"The message to the other party; required."`
}

type payRequest struct {
	PaidOn              string `json:"paid_on" format:"date" doc:"The day the payment was made (YYYY-MM-DD); today when empty."`
	RemittanceReference string `json:"remittance_reference" maxLength:"100" doc:"The remittance advice reference the supplier will see on its statement."`
}

// change runs a state change on the request named in the path.
func (h *Handler) change(c echo.Context, body any, fn func(id uuid.UUID, version int) (RequestDetail, error)) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	if body != nil {
		if err := bindOptional(c, body); err != nil {
			return err
		}
	}
	d, err := fn(id, httpserver.ExpectedVersion(c))
	if err != nil {
		return err
	}
	return h.respondDetail(c, http.StatusOK, d)
}

func (h *Handler) approveRequest(c echo.Context) error {
	return h.change(c, nil, func(id uuid.UUID, v int) (RequestDetail, error) {
		return h.svc.ApproveRequest(httpserver.Ctx(c), httpserver.MustActor(c), id, v)
	})
}

func (h *Handler) rejectRequest(c echo.Context) error {
	var req reasonRequest
	return h.change(c, &req, func(id uuid.UUID, v int) (RequestDetail, error) {
		return h.svc.RejectRequest(httpserver.Ctx(c), httpserver.MustActor(c), id, v, req.Reason)
	})
}

func (h *Handler) queryRequest(c echo.Context) error {
	var req messageRequest
	return h.change(c, &req, func(id uuid.UUID, v int) (RequestDetail, error) {
		return h.svc.QueryRequest(httpserver.Ctx(c), httpserver.MustActor(c), id, v, req.Message)
	})
}

func (h *Handler) respondToQuery(c echo.Context) error {
	var req messageRequest
	return h.change(c, &req, func(id uuid.UUID, v int) (RequestDetail, error) {
		return h.svc.RespondToQuery(httpserver.Ctx(c), httpserver.MustActor(c), id, v, req.Message)
	})
}

func (h *Handler) withdrawRequest(c echo.Context) error {
	var req reasonRequest
	return h.change(c, &req, func(id uuid.UUID, v int) (RequestDetail, error) {
		return h.svc.WithdrawRequest(httpserver.Ctx(c), httpserver.MustActor(c), id, v, req.Reason)
	})
}

func (h *Handler) payRequest(c echo.Context) error {
	var req payRequest
	return h.change(c, &req, func(id uuid.UUID, v int) (RequestDetail, error) {
		p := PayParams{RemittanceReference: req.RemittanceReference}
		if req.PaidOn != "" {
			d, err := httpserver.ParseDate(req.PaidOn)
			if err != nil {
				return RequestDetail{}, apperr.Invalid("the payment cannot be recorded",
					apperr.FieldError{Field: "paid_on", Code: "invalid_date", Message: "paid_on must be a date, YYYY-MM-DD."})
			}
			p.PaidOn = d
		}
		return h.svc.MarkPaid(httpserver.Ctx(c), httpserver.MustActor(c), id, v, p)
	})
}

func (h *Handler) getRequest(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.svc.GetRequest(httpserver.Ctx(c), httpserver.MustActor(c), id)
	if err != nil {
		return err
	}
	return h.respondDetail(c, http.StatusOK, d)
}

type requestPage struct {
	Items      []RequestResponse `json:"items"`
	NextCursor *string           `json:"next_cursor"`
}

func (h *Handler) listRequests(c echo.Context) error {
	pp, err := httpserver.PageParams(c)
	if err != nil {
		return err
	}
	q := httpserver.NewQuery(c)
	p := RequestParams{ContractID: q.UUID("contract_id"), Page: pp}
	for _, s := range q.Strings("status") {
		st, err := ParseRequestStatus(s)
		if err != nil {
			q.Fail("status", "invalid_status", "status must be one of SUBMITTED, QUERIED, RESPONDED, APPROVED, PAID, REJECTED, WITHDRAWN")
			continue
		}
		p.Statuses = append(p.Statuses, st)
	}
	if s := q.String("period"); s != "" {
		m, err := calendar.ParseMonth(s)
		if err != nil {
			q.Fail("period", "invalid_period", "period must be a calendar month, YYYY-MM")
		}
		p.Period = m
	}
	if s := q.String("kind"); s != "" {
		k, err := ParseRequestKind(s)
		if err != nil {
			q.Fail("kind", "invalid_kind", "kind must be MONTHLY or BALANCING")
		}
		p.Kind = k
	}
	if b := q.Bool("overdue"); b != nil {
		p.OverdueOnly = *b
	}
	if err := q.Err(); err != nil {
		return err
	}
	res, err := h.svc.ListRequests(httpserver.Ctx(c), httpserver.MustActor(c), p)
	if err != nil {
		return err
	}
	out := requestPage{Items: make([]RequestResponse, len(res.Items)), NextCursor: res.NextCursor}
	for i, r := range res.Items {
		var clock Overdue
		if r.Overdue {
			clock = OpenClock(r.Status)
		}
		out.Items[i] = h.requestResponse(r.Request, clock)
	}
	return c.JSON(http.StatusOK, out)
}
