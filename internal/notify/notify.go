// Package notify delivers notifications: in-app rows per recipient user (listed and marked read through
// the API) and, when SMTP is configured, e-mail. Services add notifications inside the transaction of
// the change they report, so a rolled-back change notifies nobody.
package notify

import (
	"time"

	"github.com/google/uuid"
)

// Notification is one message to one user.
type Notification struct {
	ID         uuid.UUID  `json:"id"`
	Kind       string     `json:"kind"`
	Title      string     `json:"title"`
	Body       string     `json:"body"`
	EntityType *string    `json:"entity_type"`
	EntityID   *uuid.UUID `json:"entity_id"`
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `json:"read_at"`
}

// Message is what to tell the recipients.
type Message struct {
	Kind       string
	Title      string
	Body       string
	EntityType string
	EntityID   uuid.UUID
}
