package payments

import (
	"time"

	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/queue"
)

// Config configures the payments service.
type Config struct {
	Inserter *queue.Inserter
	Now      func() time.Time
	// PaymentTermsDays is the number of days from a valid request by which an approved one is paid.
	PaymentTermsDays int
}

// Service is the commercial layer's transaction boundary. Its methods are grouped by concern, one
// file each: volume reconciliation and alerts (service_volumes.go, building pictures with
// payments/volumes), entitlements (service_entitlements.go), payment requests (service_requests.go),
// their clocks (service_clocks.go) and year-end settlement and recoveries (service_settlement.go).
type Service struct {
	db  *gorm.DB
	cfg Config
}

// NewService returns the service.
func NewService(db *gorm.DB, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PaymentTermsDays == 0 {
		cfg.PaymentTermsDays = 30
	}
	return &Service{db: db, cfg: cfg}
}

// Today is the service's current UK calendar date.
func (s *Service) Today() calendar.Date { return calendar.BusinessDay(s.cfg.Now()) }

// scopeOf returns what the actor may see of volumes: admins everything, commissioners their regions,
// supplier users the contracts their organisation is prime on; practitioners nothing.
func scopeOf(a actor.Actor) (scope, error) {
	switch a.Role {
	case actor.RoleAdmin:
		return scope{all: true}, nil
	case actor.RoleCommissioner:
		return scope{regions: a.Regions}, nil
	case actor.RoleSupplier:
		return scope{supplier: a.SupplierID}, nil
	default:
		return scope{}, apperr.Forbidden("role_not_allowed", "your role cannot see contract volumes")
	}
}

// PaymentTermsDays is the number of days from a valid request by which an approved one is paid.
func (s *Service) PaymentTermsDays() int { return s.cfg.PaymentTermsDays }

// requestScopeOf returns what the actor may see of payment requests: admins every request,
// commissioners their regions', supplier users their organisation's contracts' as prime (so
// subcontractors and other suppliers none); practitioners nothing (forbidden).
func requestScopeOf(a actor.Actor) (scope, error) {
	sc, err := scopeOf(a)
	if err != nil {
		return scope{}, apperr.Forbidden("role_not_allowed", "your role cannot see payments")
	}
	return sc, nil
}
