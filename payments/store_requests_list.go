package payments

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/page"
)

// RequestParams filter the payment request list.
type RequestParams struct {
	Statuses   []RequestStatus
	ContractID uuid.UUID
	Period     calendar.Month
	Kind       RequestKind
	// OverdueOnly keeps the requests overdue today (Request.OverdueOn).
	OverdueOnly bool
	Page        page.Params
}

// ListedRequest is a request in a list, with whether it is overdue today.
type ListedRequest struct {
	Request
	Overdue bool
}

// filterRequests restricts a query on payment_requests pr joined to contracts c to the scope.
func filterRequests(q *gorm.DB, sc scope) *gorm.DB {
	switch {
	case sc.all:
		return q
	case sc.supplier != uuid.Nil:
		return q.Where("c.prime_supplier_id = ?", sc.supplier)
	default:
		return q.Where("pr.region_code = ANY(?)", pq.StringArray(sc.regions))
	}
}

func listRequests(ctx context.Context, db *gorm.DB, sc scope, p RequestParams, today calendar.Date, termsDays int) (page.Page[ListedRequest], error) {
	var after struct {
		ID uuid.UUID `json:"i"`
	}
	has, err := page.Decode(p.Page.Cursor, &after)
	if err != nil {
		return page.Page[ListedRequest]{}, err
	}
	q := db.WithContext(ctx).Table("payment_requests pr").Select(requestSelect+", "+overdueSQL+" AS overdue", termsDays, today, today).
		Joins("JOIN contracts c ON c.id = pr.contract_id")
	q = filterRequests(q, sc)
	if len(p.Statuses) > 0 {
		statuses := make([]string, len(p.Statuses))
		for i, st := range p.Statuses {
			statuses[i] = string(st)
		}
		q = q.Where("pr.status IN ?", statuses)
	}
	if p.ContractID != uuid.Nil {
		q = q.Where("pr.contract_id = ?", p.ContractID)
	}
	if !p.Period.IsZero() {
		q = q.Where("pr.period = ?", p.Period.First())
	}
	if p.Kind != "" {
		q = q.Where("pr.kind = ?", string(p.Kind))
	}
	if p.OverdueOnly {
		q = q.Where(overdueSQL, termsDays, today, today)
	}
	if has {
		q = q.Where("pr.id < ?", after.ID)
	}
	var rows []struct {
		Read    requestReadRow `gorm:"embedded"`
		Overdue bool
	}
	if err := q.Order("pr.id DESC").Limit(p.Page.Limit + 1).Scan(&rows).Error; err != nil {
		return page.Page[ListedRequest]{}, fmt.Errorf("list payment requests: %w", err)
	}
	out := make([]ListedRequest, len(rows))
	for i, r := range rows {
		out[i] = ListedRequest{Request: r.Read.request(), Overdue: r.Overdue}
	}
	return page.Build(out, p.Page.Limit, func(r ListedRequest) any { after.ID = r.ID; return after }), nil
}

// balancingRequests reads the balancing requests of a contract year, oldest first.
func balancingRequests(ctx context.Context, db *gorm.DB, contractID uuid.UUID, year int) ([]Request, error) {
	var rows []requestReadRow
	err := db.WithContext(ctx).Table("payment_requests pr").Select(requestSelect).Joins("JOIN contracts c ON c.id = pr.contract_id").
		Where("pr.contract_id = ? AND pr.kind = 'BALANCING' AND pr.year_number = ?", contractID, year).Order("pr.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read balancing requests: %w", err)
	}
	out := make([]Request, len(rows))
	for i, r := range rows {
		out[i] = r.request()
	}
	return out, nil
}

// overdueUnflagged locks the requests overdue today whose current clock the clocks job has not
// flagged yet, skipping rows another transaction holds (they are changing, which restarts the clock).
func overdueUnflagged(ctx context.Context, tx *gorm.DB, today calendar.Date, termsDays int) ([]Request, error) {
	var rows []requestReadRow
	err := tx.WithContext(ctx).Table("payment_requests pr").Select(requestSelect).Joins("JOIN contracts c ON c.id = pr.contract_id").
		Where("pr.status IN ('APPROVED', 'QUERIED') AND pr.overdue_flagged_at IS NULL").Where(overdueSQL, termsDays, today, today).
		Order("pr.id").Clauses(clause.Locking{Strength: "UPDATE", Table: clause.Table{Name: "pr"}, Options: "SKIP LOCKED"}).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("find overdue payment requests: %w", err)
	}
	out := make([]Request, len(rows))
	for i, r := range rows {
		out[i] = r.request()
	}
	return out, nil
}

// flagOverdue marks the requests' current clocks as flagged.
func flagOverdue(ctx context.Context, tx *gorm.DB, ids []uuid.UUID, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	if err := tx.WithContext(ctx).Exec(`UPDATE payment_requests SET overdue_flagged_at = ? WHERE id IN ?`, at, ids).Error; err != nil {
		return fmt.Errorf("flag overdue payment requests: %w", err)
	}
	return nil
}
