package audit

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/page"
)

// Service reads the audit trail.
type Service struct {
	db *gorm.DB
}

// NewService returns the service.
func NewService(db *gorm.DB) *Service { return &Service{db: db} }

// List returns audit events oldest first, filtered by entity (admins only).
func (s *Service) List(ctx context.Context, a actor.Actor, entityType string, entityID uuid.UUID, p page.Params) (page.Page[Event], error) {
	if !a.IsAdmin() {
		return page.Page[Event]{}, apperr.Forbidden("role_not_allowed", "only admins read the audit trail")
	}
	var after uuid.UUID
	if _, err := page.Decode(p.Cursor, &after); err != nil {
		return page.Page[Event]{}, err
	}
	rows, err := list(ctx, s.db, ListParams{EntityType: entityType, EntityID: entityID, After: after, Limit: p.Limit + 1})
	if err != nil {
		return page.Page[Event]{}, err
	}
	return page.Build(rows, p.Limit, func(e Event) any { return e.ID }), nil
}

// ForEntity returns every event of one entity, oldest first, for timelines. Callers check scope.
func ForEntity(ctx context.Context, db *gorm.DB, entityType string, entityID uuid.UUID) ([]Event, error) {
	return list(ctx, db, ListParams{EntityType: entityType, EntityID: entityID, Limit: 10000})
}
