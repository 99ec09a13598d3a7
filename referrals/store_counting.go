package referrals

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/calendar"
)

// CountedBetween returns how many referrals of the contract count towards its volume with a sent date
// from start to end inclusive (DOMAIN: sent, and not withdrawn for a reason that does not count; drafts
// never count). Intake control and reconciliation both count through the referrals.counted flag and
// referrals.sent_on, so they always agree.
func CountedBetween(ctx context.Context, db *gorm.DB, contractID uuid.UUID, start, end calendar.Date) (int, error) {
	var n int64
	err := db.WithContext(ctx).Raw(`SELECT count(*) FROM referrals WHERE contract_id = ? AND counted AND sent_on BETWEEN ? AND ?`,
		contractID, start, end).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count referrals of contract %s: %w", contractID, err)
	}
	return int(n), nil
}
