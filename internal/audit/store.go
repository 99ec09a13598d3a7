package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/ids"
)

type eventRow struct {
	ID         uuid.UUID
	OccurredAt time.Time
	ActorID    *uuid.UUID
	ActorEmail string
	ActorRole  string
	Action     string
	EntityType string
	EntityID   uuid.UUID
	Before     []byte `gorm:"type:jsonb"`
	After      []byte `gorm:"type:jsonb"`
	RequestID  string
}

func (eventRow) TableName() string { return "audit_events" }

func (r eventRow) event() Event {
	return Event{ID: r.ID, OccurredAt: r.OccurredAt.UTC(), ActorID: r.ActorID, ActorEmail: r.ActorEmail, ActorRole: r.ActorRole,
		Action: r.Action, EntityType: r.EntityType, EntityID: r.EntityID, Before: r.Before, After: r.After, RequestID: r.RequestID}
}

func toJSON(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		return raw, nil
	}
	return json.Marshal(v)
}

// Record writes an audit event inside tx, which must be the transaction of the change it records.
func Record(ctx context.Context, tx *gorm.DB, a actor.Actor, c Change) error {
	before, err := toJSON(c.Before)
	if err != nil {
		return fmt.Errorf("audit %s: marshal before: %w", c.Action, err)
	}
	after, err := toJSON(c.After)
	if err != nil {
		return fmt.Errorf("audit %s: marshal after: %w", c.Action, err)
	}
	row := eventRow{
		ID: ids.New(), OccurredAt: time.Now().UTC(), ActorID: a.AuditID(), ActorEmail: a.Email, ActorRole: string(a.Role),
		Action: c.Action, EntityType: c.EntityType, EntityID: c.EntityID, Before: before, After: after,
		RequestID: actor.RequestID(ctx),
	}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("audit %s: %w", c.Action, err)
	}
	return nil
}

// ListParams filters the audit trail.
type ListParams struct {
	EntityType string
	EntityID   uuid.UUID
	// After is the keyset cursor: events with an id after this one.
	After uuid.UUID
	Limit int
}

func list(ctx context.Context, db *gorm.DB, p ListParams) ([]Event, error) {
	q := db.WithContext(ctx).Model(&eventRow{})
	if p.EntityType != "" {
		q = q.Where("entity_type = ?", p.EntityType)
	}
	if p.EntityID != uuid.Nil {
		q = q.Where("entity_id = ?", p.EntityID)
	}
	if p.After != uuid.Nil {
		q = q.Where("id > ?", p.After)
	}
	var rows []eventRow
	if err := q.Order("id").Limit(p.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, nil
}
