package payments

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/payments/volumes"
)

// Ledger tells volume pictures (volumes.Pictures) what was paid for contract years: the one way the
// platform computes "entitlements paid for a year".
type Ledger struct{}

var _ volumes.Ledger = Ledger{}

// PaidForYears returns, for each contract year in order, the entitlements paid for it on or before
// paidBy: the paid monthly requests of its months, a month shared with the neighbouring year split in
// proportion (AttributeToYear). Balancing payments are not entitlements and do not count. It reads
// the payments of every contract at once.
func (Ledger) PaidForYears(ctx context.Context, db *gorm.DB, years []volumes.YearOf, paidBy calendar.Date) ([]money.Pence, error) {
	out := make([]money.Pence, len(years))
	seen := map[uuid.UUID]bool{}
	var contractIDs []uuid.UUID
	for _, x := range years {
		if !seen[x.Contract.ID] {
			seen[x.Contract.ID] = true
			contractIDs = append(contractIDs, x.Contract.ID)
		}
	}
	paid, err := paidByContractMonth(ctx, db, contractIDs, paidBy)
	if err != nil {
		return nil, err
	}
	schedules := map[uuid.UUID][]YearEntitlement{}
	for i, x := range years {
		byMonth := paid[x.Contract.ID]
		if len(byMonth) == 0 {
			continue
		}
		s, ok := schedules[x.Contract.ID]
		if !ok {
			if s, err = Schedules(x.Contract); err != nil {
				return nil, err
			}
			schedules[x.Contract.ID] = s
		}
		out[i] = AttributeToYear(s, byMonth, x.Year.Number)
	}
	return out, nil
}

// paidByContractMonth sums the paid monthly requests of the contracts by contract and calendar month,
// counting only payments made on or before paidBy.
func paidByContractMonth(ctx context.Context, db *gorm.DB, contractIDs []uuid.UUID, paidBy calendar.Date) (map[uuid.UUID]map[calendar.Month]money.Pence, error) {
	out := map[uuid.UUID]map[calendar.Month]money.Pence{}
	if len(contractIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		ContractID uuid.UUID
		Period     calendar.Date
		Total      int64
	}
	err := db.WithContext(ctx).Raw(`SELECT contract_id, period, sum(amount_pence) AS total FROM payment_requests
		WHERE contract_id IN ? AND kind = 'MONTHLY' AND status = 'PAID' AND paid_on <= ? GROUP BY contract_id, period`, contractIDs, paidBy).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("sum paid monthly requests: %w", err)
	}
	for _, r := range rows {
		if out[r.ContractID] == nil {
			out[r.ContractID] = map[calendar.Month]money.Pence{}
		}
		out[r.ContractID][r.Period.CalendarMonth()] = money.Pence(r.Total)
	}
	return out, nil
}
