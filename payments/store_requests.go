package payments

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/constraint"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/internal/opt"
)

type requestRow struct {
	ID                  uuid.UUID
	ContractID          uuid.UUID
	RegionCode          string
	Kind                string
	Period              *calendar.Date `gorm:"type:date"`
	YearNumber          *int
	AmountPence         int64
	InvoiceReference    string
	Notes               *string
	Status              string
	SubmittedBy         uuid.UUID
	SubmittedAt         time.Time
	ValidAt             time.Time
	DecidedBy           *uuid.UUID
	DecidedAt           *time.Time
	RejectionReason     *string
	PaidOn              *calendar.Date `gorm:"type:date"`
	RemittanceReference *string
	PaidBy              *uuid.UUID
	PaidAt              *time.Time
	OverdueFlaggedAt    *time.Time
	ResponseDueOn       *calendar.Date `gorm:"type:date"`
	Version             int
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

func (requestRow) TableName() string { return "payment_requests" }

// requestReadRow is a request row with what reads join to it. (GORM skips embedded fields of
// unexported types, so the row is a named embedded field.)
type requestReadRow struct {
	Row               requestRow `gorm:"embedded"`
	ContractReference string
	PrimeSupplierID   uuid.UUID
	QueryCount        int
}

// requestSelect reads requests (aliased pr) with their contract (c) and query count.
const requestSelect = `pr.*, c.reference AS contract_reference, c.prime_supplier_id,
	(SELECT count(*) FROM payment_request_messages m WHERE m.request_id = pr.id AND m.kind = 'QUERY') AS query_count`

// overdueSQL is Request.OverdueOn in SQL; its arguments are the payment terms in days and today twice.
const overdueSQL = `((pr.status = 'APPROVED' AND (pr.valid_at AT TIME ZONE 'Europe/London')::date + ?::int < ?::date)
	OR (pr.status = 'QUERIED' AND pr.response_due_on < ?::date))`

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func datePtr(d calendar.Date) *calendar.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

func dateOf(p *calendar.Date) calendar.Date {
	if p == nil {
		return calendar.Date{}
	}
	return *p
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func rowOf(r Request) requestRow {
	row := requestRow{ID: r.ID, ContractID: r.ContractID, RegionCode: r.RegionCode, Kind: string(r.Kind), AmountPence: int64(r.Amount),
		InvoiceReference: r.InvoiceReference, Notes: opt.String(r.Notes), Status: string(r.Status), SubmittedBy: r.SubmittedBy,
		SubmittedAt: r.SubmittedAt, ValidAt: r.ValidAt, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, RejectionReason: opt.String(r.RejectionReason),
		PaidOn: datePtr(r.PaidOn), RemittanceReference: opt.String(r.RemittanceReference), PaidBy: r.PaidBy, PaidAt: r.PaidAt,
		OverdueFlaggedAt: r.OverdueFlaggedAt, ResponseDueOn: datePtr(r.ResponseDueOn), Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.Kind == KindMonthly {
		row.Period = datePtr(r.Period.First())
	} else {
		n := r.YearNumber
		row.YearNumber = &n
	}
	return row
}

func (rr requestReadRow) request() Request {
	r := rr.Row
	out := Request{ID: r.ID, ContractID: r.ContractID, ContractReference: rr.ContractReference, RegionCode: r.RegionCode,
		PrimeSupplierID: rr.PrimeSupplierID, Kind: RequestKind(r.Kind), Amount: money.Pence(r.AmountPence), InvoiceReference: r.InvoiceReference,
		Notes: str(r.Notes), Status: RequestStatus(r.Status), SubmittedBy: r.SubmittedBy, SubmittedAt: r.SubmittedAt.UTC(), ValidAt: r.ValidAt.UTC(),
		DecidedBy: r.DecidedBy, DecidedAt: utcPtr(r.DecidedAt), RejectionReason: str(r.RejectionReason), PaidOn: dateOf(r.PaidOn),
		RemittanceReference: str(r.RemittanceReference), PaidBy: r.PaidBy, PaidAt: utcPtr(r.PaidAt), ResponseDueOn: dateOf(r.ResponseDueOn),
		OverdueFlaggedAt: utcPtr(r.OverdueFlaggedAt), Queries: rr.QueryCount, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.Period != nil {
		out.Period = r.Period.CalendarMonth()
	}
	if r.YearNumber != nil {
		out.YearNumber = *r.YearNumber
	}
	return out
}

// insertRequest stores a new request. The partial unique indexes keep one live request per contract
// and month (or balancing year) even under concurrent submissions: their violation is a conflict,
// request_exists.
func insertRequest(ctx context.Context, tx *gorm.DB, r Request) error {
	row := rowOf(r)
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return translateRequest(fmt.Errorf("insert payment request: %w", err), r)
	}
	return nil
}

// translateRequest turns the unique violations of the live-request indexes into request_exists.
func translateRequest(err error, r Request) error {
	if constraint.Violates(err, "payment_requests_live_month_key", "payment_requests_live_balancing_key") {
		return requestExists(r)
	}
	return err
}

func requestExists(r Request) error {
	if r.Kind == KindBalancing {
		return apperr.Conflict("request_exists", fmt.Sprintf("contract year %d already has a live balancing request; only a rejected or withdrawn one can be replaced", r.YearNumber))
	}
	return apperr.Conflict("request_exists", fmt.Sprintf("%s already has a live payment request; only a rejected or withdrawn one can be replaced", r.Period))
}

// liveRequestExists reports whether the contract has a live request for the month (monthly) or the
// year (balancing).
func liveRequestExists(ctx context.Context, tx *gorm.DB, r Request) (bool, error) {
	q := tx.WithContext(ctx).Table("payment_requests").Select("1").Where("contract_id = ? AND kind = ? AND status IN ?", r.ContractID, string(r.Kind), liveStatuses)
	if r.Kind == KindMonthly {
		q = q.Where("period = ?", r.Period.First())
	} else {
		q = q.Where("year_number = ?", r.YearNumber)
	}
	var found []int
	if err := q.Limit(1).Scan(&found).Error; err != nil {
		return false, fmt.Errorf("look for a live payment request: %w", err)
	}
	return len(found) > 0, nil
}

// readRequest reads one request with its contract's reference and prime within the scope (one
// outside it is neither read nor locked); lock takes its row lock.
func readRequest(ctx context.Context, db *gorm.DB, sc scope, id uuid.UUID, lock bool) (Request, bool, error) {
	q := db.WithContext(ctx).Table("payment_requests pr").Select(requestSelect).Joins("JOIN contracts c ON c.id = pr.contract_id").
		Where("pr.id = ?", id)
	q = sc.filter(q, "c")
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE", Table: clause.Table{Name: "pr"}})
	}
	var rows []requestReadRow
	if err := q.Scan(&rows).Error; err != nil {
		return Request{}, false, fmt.Errorf("read payment request %s: %w", id, err)
	}
	if len(rows) == 0 {
		return Request{}, false, nil
	}
	return rows[0].request(), true, nil
}

// updateRequest saves a changed request whose stored version is oldVersion.
func updateRequest(ctx context.Context, tx *gorm.DB, r Request, oldVersion int) error {
	row := rowOf(r)
	res := tx.WithContext(ctx).Exec(`UPDATE payment_requests SET status = ?, valid_at = ?, decided_by = ?, decided_at = ?, rejection_reason = ?,
		paid_on = ?, remittance_reference = ?, paid_by = ?, paid_at = ?, overdue_flagged_at = ?, response_due_on = ?, version = ?, updated_at = ?
		WHERE id = ? AND version = ?`, row.Status, row.ValidAt, row.DecidedBy, row.DecidedAt, row.RejectionReason, row.PaidOn,
		row.RemittanceReference, row.PaidBy, row.PaidAt, row.OverdueFlaggedAt, row.ResponseDueOn, row.Version, row.UpdatedAt, row.ID, oldVersion)
	if res.Error != nil {
		return fmt.Errorf("update payment request %s: %w", r.ID, res.Error)
	}
	if res.RowsAffected != 1 {
		return apperr.PreconditionFailed("the payment request changed meanwhile: read it again")
	}
	return nil
}

type eventRow struct {
	ID         uuid.UUID
	RequestID  uuid.UUID
	FromStatus *string
	ToStatus   string
	ActorID    *uuid.UUID
	Note       *string
	At         time.Time
}

func (eventRow) TableName() string { return "payment_request_events" }

func insertEvent(ctx context.Context, tx *gorm.DB, requestID uuid.UUID, e Event) error {
	row := eventRow{ID: e.ID, RequestID: requestID, FromStatus: opt.String(string(e.From)), ToStatus: string(e.To), ActorID: e.ActorID,
		Note: opt.String(e.Note), At: e.At}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("record payment request event: %w", err)
	}
	return nil
}

type messageRow struct {
	ID        uuid.UUID
	RequestID uuid.UUID
	Kind      string
	Body      string
	AuthorID  uuid.UUID
	CreatedAt time.Time
}

func (messageRow) TableName() string { return "payment_request_messages" }

func insertMessage(ctx context.Context, tx *gorm.DB, requestID uuid.UUID, m Message) error {
	row := messageRow{ID: m.ID, RequestID: requestID, Kind: string(m.Kind), Body: m.Body, AuthorID: m.AuthorID, CreatedAt: m.CreatedAt}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("add to payment request thread: %w", err)
	}
	return nil
}

// thread reads a request's messages and events, oldest first.
func thread(ctx context.Context, db *gorm.DB, id uuid.UUID) ([]Message, []Event, error) {
	var msgs []struct {
		Row        messageRow `gorm:"embedded"`
		AuthorRole string
	}
	err := db.WithContext(ctx).Table("payment_request_messages m").Select("m.*, u.role AS author_role").
		Joins("JOIN users u ON u.id = m.author_id").Where("m.request_id = ?", id).Order("m.created_at, m.id").Scan(&msgs).Error
	if err != nil {
		return nil, nil, fmt.Errorf("read payment request thread: %w", err)
	}
	var evs []eventRow
	if err := db.WithContext(ctx).Where("request_id = ?", id).Order("at, id").Find(&evs).Error; err != nil {
		return nil, nil, fmt.Errorf("read payment request history: %w", err)
	}
	messages := make([]Message, len(msgs))
	for i, m := range msgs {
		messages[i] = Message{ID: m.Row.ID, Kind: MessageKind(m.Row.Kind), Body: m.Row.Body, AuthorID: m.Row.AuthorID, AuthorRole: m.AuthorRole,
			CreatedAt: m.Row.CreatedAt.UTC()}
	}
	events := make([]Event, len(evs))
	for i, e := range evs {
		events[i] = Event{ID: e.ID, From: RequestStatus(str(e.FromStatus)), To: RequestStatus(e.ToStatus), ActorID: e.ActorID, Note: str(e.Note), At: e.At.UTC()}
	}
	return messages, events, nil
}

// monthSums are a calendar month's monthly requests: live ones, approved (or paid) ones and paid ones.
type monthSums struct {
	Requested, Approved, Paid money.Pence
}

// requestSumsByMonth sums a contract's monthly requests by calendar month.
func requestSumsByMonth(ctx context.Context, db *gorm.DB, contractID uuid.UUID) (map[calendar.Month]monthSums, error) {
	var rows []struct {
		Period    calendar.Date
		Requested int64
		Approved  int64
		Paid      int64
	}
	err := db.WithContext(ctx).Raw(`SELECT period,
		coalesce(sum(amount_pence) FILTER (WHERE status IN ?), 0) AS requested,
		coalesce(sum(amount_pence) FILTER (WHERE status IN ?), 0) AS approved,
		coalesce(sum(amount_pence) FILTER (WHERE status = 'PAID'), 0) AS paid
		FROM payment_requests WHERE contract_id = ? AND kind = 'MONTHLY' GROUP BY period`, liveStatuses, approvedStatuses, contractID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("sum payment requests of contract %s: %w", contractID, err)
	}
	out := make(map[calendar.Month]monthSums, len(rows))
	for _, r := range rows {
		out[r.Period.CalendarMonth()] = monthSums{Requested: money.Pence(r.Requested), Approved: money.Pence(r.Approved), Paid: money.Pence(r.Paid)}
	}
	return out, nil
}

// approvedForMonth sums the approved and paid monthly requests of a contract's month, leaving out one
// request (uuid.Nil: none).
func approvedForMonth(ctx context.Context, db *gorm.DB, contractID uuid.UUID, m calendar.Month, except uuid.UUID) (money.Pence, error) {
	var total int64
	err := db.WithContext(ctx).Raw(`SELECT coalesce(sum(amount_pence), 0) FROM payment_requests
		WHERE contract_id = ? AND kind = 'MONTHLY' AND period = ? AND status IN ? AND id <> ?`, contractID, m.First(), approvedStatuses, except).Scan(&total).Error
	if err != nil {
		return 0, fmt.Errorf("sum approved payments of %s: %w", m, err)
	}
	return money.Pence(total), nil
}

// RequestRow is a payment request as the Excel returns show it.
type RequestRow struct {
	ID                uuid.UUID
	ContractID        uuid.UUID
	ContractReference string
	RegionCode        string
	Kind              RequestKind
	// Period is the month of a monthly request (zero for a balancing one).
	Period calendar.Month
	// Year is the contract year of a balancing request (0 for a monthly one).
	Year   int
	Amount money.Pence
	// Status is the request's status now; StatusAsAt its status at the end of the range's last day
	// (from its history), which differs when it changed after the range.
	Status     RequestStatus
	StatusAsAt RequestStatus
	// SubmittedAt and DecidedAt (approval or rejection; nil before) are instants; SubmittedOn and
	// DecidedOn their UK calendar dates. PaidOn is the payment date (zero unless paid). Like Status,
	// they are as the request stands now, even when after to.
	SubmittedAt         time.Time
	DecidedAt           *time.Time
	SubmittedOn         calendar.Date
	DecidedOn           calendar.Date
	PaidOn              calendar.Date
	InvoiceReference    string
	RemittanceReference string
	RejectionReason     string
	// Queries counts the queries raised on the request up to the range's last day.
	Queries int
}

// RequestsForReturn returns the payment requests of the contracts that a return covering from..to
// (UK calendar dates, both included) reports: every request submitted on or before to that was
// submitted, decided or paid in the range, or that is a monthly request for a month overlapping the
// range. Requests submitted after to are left out, whatever their month. Rows come in contract
// reference order, then month (balancing requests after the months, by year), then submission.
// Amounts are whole pence; a request that was later rejected or withdrawn is still listed with that
// status, so callers sum by status (approved: APPROVED and PAID; paid: PAID).
func RequestsForReturn(ctx context.Context, db *gorm.DB, contractIDs []uuid.UUID, from, to calendar.Date) ([]RequestRow, error) {
	if len(contractIDs) == 0 {
		return []RequestRow{}, nil
	}
	var rows []struct {
		Row               requestRow `gorm:"embedded"`
		ContractReference string
		SubmittedOn       calendar.Date
		DecidedOn         *calendar.Date
		StatusAsAt        *string
		QueryCount        int
	}
	const london = ` AT TIME ZONE 'Europe/London')::date`
	err := db.WithContext(ctx).Raw(`SELECT pr.*, c.reference AS contract_reference,
		(pr.submitted_at`+london+` AS submitted_on, (pr.decided_at`+london+` AS decided_on,
		(SELECT e.to_status FROM payment_request_events e WHERE e.request_id = pr.id AND (e.at`+london+` <= @to
			ORDER BY e.at DESC, e.id DESC LIMIT 1) AS status_as_at,
		(SELECT count(*) FROM payment_request_messages m WHERE m.request_id = pr.id AND m.kind = 'QUERY'
			AND (m.created_at`+london+` <= @to) AS query_count
		FROM payment_requests pr JOIN contracts c ON c.id = pr.contract_id
		WHERE pr.contract_id IN @ids AND (pr.submitted_at`+london+` <= @to
		AND ((pr.submitted_at`+london+` >= @from
			OR (pr.decided_at`+london+` BETWEEN @from AND @to
			OR pr.paid_on BETWEEN @from AND @to
			OR (pr.kind = 'MONTHLY' AND pr.period <= @to AND pr.period + interval '1 month' > @from))
		ORDER BY c.reference, pr.period NULLS LAST, pr.year_number, pr.submitted_at, pr.id`,
		map[string]any{"ids": contractIDs, "from": from, "to": to}).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("payment requests for return %s..%s: %w", from, to, err)
	}
	out := make([]RequestRow, len(rows))
	for i, x := range rows {
		r := x.Row
		rr := RequestRow{ID: r.ID, ContractID: r.ContractID, ContractReference: x.ContractReference, RegionCode: r.RegionCode,
			Kind: RequestKind(r.Kind), Amount: money.Pence(r.AmountPence), Status: RequestStatus(r.Status), StatusAsAt: RequestStatus(str(x.StatusAsAt)),
			SubmittedAt: r.SubmittedAt.UTC(), DecidedAt: utcPtr(r.DecidedAt), SubmittedOn: x.SubmittedOn, DecidedOn: dateOf(x.DecidedOn), InvoiceReference: r.InvoiceReference,
			RemittanceReference: str(r.RemittanceReference), RejectionReason: str(r.RejectionReason), Queries: x.QueryCount}
		if r.Period != nil {
			rr.Period = r.Period.CalendarMonth()
		}
		if r.YearNumber != nil {
			rr.Year = *r.YearNumber
		}
		rr.PaidOn = dateOf(r.PaidOn)
		if rr.StatusAsAt == "" {
			rr.StatusAsAt = rr.Status
		}
		out[i] = rr
	}
	return out, nil
}

// QueryRow is one message of a payment request's query thread, with the request it belongs to.
type QueryRow struct {
	MessageID         uuid.UUID
	RequestID         uuid.UUID
	ContractID        uuid.UUID
	ContractReference string
	RegionCode        string
	RequestKind       RequestKind
	// Period is the request's month (zero for a balancing request); Year its balancing year.
	Period           calendar.Month
	Year             int
	InvoiceReference string
	Amount           money.Pence
	// RequestStatus is the request's status now.
	RequestStatus RequestStatus
	Kind          MessageKind
	Body          string
	// AuthorRole is the role of the message's author (commissioner, admin or supplier).
	AuthorRole string
	CreatedAt  time.Time
	// CreatedOn is the UK date of CreatedAt.
	CreatedOn calendar.Date
	// ResponseDueOn (queries only) is the last day to answer: QueryResponseWorkingDays working days on.
	ResponseDueOn calendar.Date
	// AnsweredOn (queries only) is the UK date of the first response after it, if any (zero: none yet).
	AnsweredOn calendar.Date
}

// QueriesForReturn returns the query thread messages (queries and responses) of the contracts'
// payment requests written from..to (UK calendar dates, both included), oldest first, each with its
// request's reference information. A query's AnsweredOn is the first response written after it,
// even after to; callers wanting the position at to compare it with to.
func QueriesForReturn(ctx context.Context, db *gorm.DB, contractIDs []uuid.UUID, from, to calendar.Date) ([]QueryRow, error) {
	if len(contractIDs) == 0 {
		return []QueryRow{}, nil
	}
	var rows []struct {
		MessageID         uuid.UUID
		RequestID         uuid.UUID
		ContractID        uuid.UUID
		ContractReference string
		RegionCode        string
		RequestKind       string
		Period            *calendar.Date
		YearNumber        *int
		InvoiceReference  string
		AmountPence       int64
		RequestStatus     string
		Kind              string
		Body              string
		AuthorRole        string
		CreatedAt         time.Time
		CreatedOn         calendar.Date
		AnsweredAt        *time.Time
	}
	err := db.WithContext(ctx).Raw(`SELECT m.id AS message_id, pr.id AS request_id, pr.contract_id, c.reference AS contract_reference,
		pr.region_code, pr.kind AS request_kind, pr.period, pr.year_number, pr.invoice_reference, pr.amount_pence, pr.status AS request_status,
		m.kind, m.body, u.role AS author_role, m.created_at, (m.created_at AT TIME ZONE 'Europe/London')::date AS created_on,
		CASE WHEN m.kind = 'QUERY' THEN (SELECT min(r.created_at) FROM payment_request_messages r
			WHERE r.request_id = m.request_id AND r.kind = 'RESPONSE' AND r.created_at > m.created_at) END AS answered_at
		FROM payment_request_messages m
		JOIN payment_requests pr ON pr.id = m.request_id
		JOIN contracts c ON c.id = pr.contract_id
		JOIN users u ON u.id = m.author_id
		WHERE pr.contract_id IN ? AND (m.created_at AT TIME ZONE 'Europe/London')::date BETWEEN ? AND ?
		ORDER BY m.created_at, m.id`, contractIDs, from, to).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("payment queries for return %s..%s: %w", from, to, err)
	}
	out := make([]QueryRow, len(rows))
	for i, r := range rows {
		q := QueryRow{MessageID: r.MessageID, RequestID: r.RequestID, ContractID: r.ContractID, ContractReference: r.ContractReference,
			RegionCode: r.RegionCode, RequestKind: RequestKind(r.RequestKind), InvoiceReference: r.InvoiceReference, Amount: money.Pence(r.AmountPence),
			RequestStatus: RequestStatus(r.RequestStatus), Kind: MessageKind(r.Kind), Body: r.Body, AuthorRole: r.AuthorRole,
			CreatedAt: r.CreatedAt.UTC(), CreatedOn: r.CreatedOn}
		if r.Period != nil {
			q.Period = r.Period.CalendarMonth()
		}
		if r.YearNumber != nil {
			q.Year = *r.YearNumber
		}
		if q.Kind == MessageQuery {
			q.ResponseDueOn = ResponseDueOn(q.CreatedOn)
			if r.AnsweredAt != nil {
				q.AnsweredOn = calendar.BusinessDay(*r.AnsweredAt)
			}
		}
		out[i] = q
	}
	return out, nil
}
