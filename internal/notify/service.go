package notify

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/page"
)

// Service lists and marks a user's own notifications. Nobody sees another user's notifications.
type Service struct {
	db  *gorm.DB
	now func() time.Time
}

// NewService returns the service.
func NewService(db *gorm.DB, now func() time.Time) *Service { return &Service{db: db, now: now} }

// List returns the actor's notifications, newest first.
func (s *Service) List(ctx context.Context, a actor.Actor, unreadOnly bool, p page.Params) (page.Page[Notification], int64, error) {
	res, err := list(ctx, s.db, a.UserID, unreadOnly, p)
	if err != nil {
		return res, 0, err
	}
	n, err := unreadCount(ctx, s.db, a.UserID)
	return res, n, err
}

// MarkRead marks one of the actor's notifications read; another user's answers not found.
func (s *Service) MarkRead(ctx context.Context, a actor.Actor, id uuid.UUID) (Notification, error) {
	return markRead(ctx, s.db, a.UserID, id, s.now().UTC())
}

// MarkAllRead marks all the actor's notifications read and returns how many changed.
func (s *Service) MarkAllRead(ctx context.Context, a actor.Actor) (int64, error) {
	return markAllRead(ctx, s.db, a.UserID, s.now().UTC())
}
