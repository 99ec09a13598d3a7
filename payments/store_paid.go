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

// monthlyTotals sums a contract's monthly requests in the given statuses by calendar month.
func monthlyTotals(ctx context.Context, db *gorm.DB, contractID uuid.UUID, statuses ...string) (map[calendar.Month]money.Pence, error) {
	var rows []struct {
		Period calendar.Date
		Total  int64
	}
	err := db.WithContext(ctx).Raw(`SELECT period, sum(amount_pence) AS total FROM payment_requests
		WHERE contract_id = ? AND kind = 'MONTHLY' AND status IN ? GROUP BY period`, contractID, statuses).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("sum monthly payments of contract %s: %w", contractID, err)
	}
	out := make(map[calendar.Month]money.Pence, len(rows))
	for _, r := range rows {
		out[r.Period.CalendarMonth()] = money.Pence(r.Total)
	}
	return out, nil
}

// paidForYear returns the entitlements paid for contract year n: the paid monthly requests of its
// months, a month shared with the neighbouring year split in proportion (AttributeToYear).
// Balancing payments are not entitlements and do not count.
func paidForYear(ctx context.Context, db *gorm.DB, c contracts.WithYears, n int) (money.Pence, error) {
	paid, err := monthlyTotals(ctx, db, c.ID, "PAID")
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
