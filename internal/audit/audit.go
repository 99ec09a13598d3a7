// Package audit writes and reads the append-only audit trail. Every change to business data records
// an event in the same transaction as the change: who, what, which entity, before and after, the
// request id and when. The table refuses UPDATE, DELETE and TRUNCATE (a trigger).
package audit

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Event is one recorded change.
type Event struct {
	ID         uuid.UUID       `json:"id"`
	OccurredAt time.Time       `json:"occurred_at"`
	ActorID    *uuid.UUID      `json:"actor_id"`
	ActorEmail string          `json:"actor_email"`
	ActorRole  string          `json:"actor_role"`
	Action     string          `json:"action"`
	EntityType string          `json:"entity_type"`
	EntityID   uuid.UUID       `json:"entity_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	RequestID  string          `json:"request_id"`
}

// Change describes a change to record. Before and After are marshalled to JSON (nil for none).
type Change struct {
	Action     string
	EntityType string
	EntityID   uuid.UUID
	Before     any
	After      any
}
