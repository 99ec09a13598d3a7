package payments

import (
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/payments/volumes"
)

// Outcome is what an ended contract year's balance calls for.
type Outcome string

// The outcomes of a year-end settlement.
const (
	// OutcomeBalancingPayment: the balance is positive; the prime may request exactly that amount.
	OutcomeBalancingPayment Outcome = "BALANCING_PAYMENT_DUE"
	// OutcomeRecovery: the balance is negative; the supplier owes it back (a recovery).
	OutcomeRecovery Outcome = "RECOVERY"
	// OutcomeNone: the entitlements paid equal the binding band's price.
	OutcomeNone Outcome = "NONE"
)

// OutcomeOf returns the outcome of a balance.
func OutcomeOf(balance money.Pence) Outcome {
	switch {
	case balance > 0:
		return OutcomeBalancingPayment
	case balance < 0:
		return OutcomeRecovery
	}
	return OutcomeNone
}

// Settlement is an ended contract year's year-end position (DOMAIN: year-end balance): the binding
// band from the year's counted referrals, its pro-rated price, the entitlements paid for the year and
// the balance, with the balancing requests and the recovery it led to.
type Settlement struct {
	Contract contracts.Contract
	Year     contracts.Year
	// AsOf is the day the settlement was computed (after the year's end).
	AsOf calendar.Date
	// Counted is the year's counted referrals; BasisBand the payment basis band at the year's end.
	Counted   int
	BasisBand int
	Binding   volumes.Binding
	Outcome   Outcome
	// BalancingRequests are the year's balancing requests, oldest first (rejected and withdrawn ones
	// included).
	BalancingRequests []Request
	// Recovery is the recovery of a negative balance, once recorded.
	Recovery *Recovery
}

// RecoveryStatus is where a recovery is.
type RecoveryStatus string

// The statuses of a recovery.
const (
	RecoveryOutstanding RecoveryStatus = "OUTSTANDING"
	RecoverySettled     RecoveryStatus = "SETTLED"
)

// Recovery is money a supplier owes back for an ended contract year whose entitlements paid exceeded
// the binding band's price. Its amount follows the year's balance while OUTSTANDING (payments recorded
// late for the year's months make it larger) and is fixed once SETTLED.
type Recovery struct {
	ID                  uuid.UUID
	ContractID          uuid.UUID
	ContractReference   string
	RegionCode          string
	PrimeSupplierID     uuid.UUID
	YearNumber          int
	Amount              money.Pence
	Status              RecoveryStatus
	RecordedAt          time.Time
	SettledAt           *time.Time
	SettledBy           *uuid.UUID
	SettlementReference string
	Version             int
}
