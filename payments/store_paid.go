package payments

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
)

// paidByMonth sums a contract's paid monthly requests by calendar month, counting only payments made
// on or before paidBy (zero: every payment).
func paidByMonth(ctx context.Context, db *gorm.DB, contractID uuid.UUID, paidBy calendar.Date) (map[calendar.Month]money.Pence, error) {
	var rows []struct {
		Period calendar.Date
		Total  int64
	}
	q := db.WithContext(ctx).Table("payment_requests").Select("period, sum(amount_pence) AS total").
		Where("contract_id = ? AND kind = 'MONTHLY' AND status = 'PAID'", contractID)
	if !paidBy.IsZero() {
		q = q.Where("paid_on <= ?", paidBy)
	}
	err := q.Group("period").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("sum monthly payments of contract %s: %w", contractID, err)
	}
	out := make(map[calendar.Month]money.Pence, len(rows))
	for _, r := range rows {
		out[r.Period.CalendarMonth()] = money.Pence(r.Total)
	}
	return out, nil
}

// PaidForYear returns the entitlements paid for contract year n, on or before paidBy (zero: ever): the
// paid monthly requests of its months, a month shared with the neighbouring year split in proportion
// (AttributeToYear). Balancing payments are not entitlements and do not count.
func PaidForYear(ctx context.Context, db *gorm.DB, c contracts.WithYears, n int, paidBy calendar.Date) (money.Pence, error) {
	paid, err := paidByMonth(ctx, db, c.ID, paidBy)
	if err != nil {
		return 0, err
	}
	if len(paid) == 0 {
		return 0, nil
	}
	schedules, err := Schedules(c)
	if err != nil {
		return 0, err
	}
	return AttributeToYear(schedules, paid, n), nil
}
