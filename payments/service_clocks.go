package payments

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/notify"
)

// FlagOverdueRequests flags the payment requests whose clock ran out today and were not flagged yet:
// approved requests unpaid PaymentTermsDays after they became valid (the prime's users, the region's
// commissioners and the admins, who pay, are told) and queries unanswered QueryResponseWorkingDays
// working days after they were raised (the prime's users and the region's commissioners are told).
// Each clock is flagged once: overdue_flagged_at is set in the same transaction as the audit record
// and notifications, and any change of the request clears it, starting a new clock. It returns the
// requests it flagged; it is what the hourly clocks job runs.
func (s *Service) FlagOverdueRequests(ctx context.Context) ([]Request, error) {
	sys := actor.System("payment-clocks")
	today, now := s.Today(), s.cfg.Now().UTC()
	var flagged []Request
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		due, err := overdueUnflagged(ctx, tx, today, s.cfg.PaymentTermsDays)
		if err != nil {
			return err
		}
		idsOf := make([]uuid.UUID, len(due))
		for i, r := range due {
			idsOf[i] = r.ID
		}
		if err := flagOverdue(ctx, tx, idsOf, now); err != nil {
			return err
		}
		for _, r := range due {
			clock, _ := r.OverdueOn(today, s.cfg.PaymentTermsDays)
			r.OverdueFlaggedAt = &now
			if err := audit.Record(ctx, tx, sys, audit.Change{Action: "payment_request.overdue", EntityType: requestEntity, EntityID: r.ID,
				After: struct {
					Clock  Overdue       `json:"clock"`
					Status RequestStatus `json:"status"`
				}{clock, r.Status}}); err != nil {
				return err
			}
			m := notify.Message{Kind: "payment_request_overdue", EntityType: requestEntity, EntityID: r.ID}
			if clock == OverduePayment {
				due := PaymentDueOn(r.ValidAt, s.cfg.PaymentTermsDays)
				m.Title = "Payment overdue: " + r.Label()
				m.Body = fmt.Sprintf("The approved payment request for %s of %s (invoice %s) was due to be paid by %s and is not recorded as paid.",
					r.Label(), r.Amount, r.InvoiceReference, due)
			} else {
				m.Title = "Query unanswered: " + r.Label()
				m.Body = fmt.Sprintf("The query on the payment request for %s (invoice %s) was due to be answered by %s.", r.Label(), r.InvoiceReference, r.ResponseDueOn)
			}
			if err := s.tellBothSides(ctx, tx, r.PrimeSupplierID, r.RegionCode, clock == OverduePayment, m); err != nil {
				return err
			}
			flagged = append(flagged, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("flag overdue payment requests: %w", err)
	}
	return flagged, nil
}
