// Package idempotency stores the outcome of creating requests sent with an Idempotency-Key header, so
// that a retried request returns the original response instead of acting twice. Keys are scoped to
// the user who sent them and expire after a day.
package idempotency

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// TTL is how long a key is remembered.
const TTL = 24 * time.Hour

// staleAfter is when an unfinished request (its process died) no longer holds its key.
const staleAfter = 2 * time.Minute

// State is what Begin found.
type State int

// The outcomes of Begin.
const (
	// Started means the key is new: run the request, then Complete or Release.
	Started State = iota
	// Replay means the same request finished before: return Stored.
	Replay
	// Mismatch means the key was used for a different request.
	Mismatch
	// InFlight means the same request is still running.
	InFlight
)

// Stored is a remembered response.
type Stored struct {
	Status      int
	ContentType string
	Location    string
	Body        []byte
}

type keyRow struct {
	UserID       uuid.UUID `gorm:"primaryKey"`
	Key          string    `gorm:"primaryKey"`
	Method       string
	Path         string
	RequestHash  []byte
	StatusCode   *int
	ContentType  *string
	Location     *string
	ResponseBody []byte
	CreatedAt    time.Time
	CompletedAt  *time.Time
}

func (keyRow) TableName() string { return "idempotency_keys" }

// Store reads and writes idempotency keys.
type Store struct {
	DB  *gorm.DB
	Now func() time.Time
}

// Begin claims the key for a request, or reports what an earlier request with the key did.
func (s *Store) Begin(ctx context.Context, user uuid.UUID, key, method, path string, hash []byte) (State, Stored, error) {
	now := s.Now().UTC()
	row := keyRow{UserID: user, Key: key, Method: method, Path: path, RequestHash: hash, CreatedAt: now}
	res := s.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return 0, Stored{}, fmt.Errorf("claim idempotency key: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return Started, Stored{}, nil
	}
	var existing keyRow
	if err := s.DB.WithContext(ctx).Where("user_id = ? AND key = ?", user, key).Take(&existing).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return s.Begin(ctx, user, key, method, path, hash) // released meanwhile
		}
		return 0, Stored{}, fmt.Errorf("read idempotency key: %w", err)
	}
	expired := now.Sub(existing.CreatedAt) > TTL
	stale := existing.CompletedAt == nil && now.Sub(existing.CreatedAt) > staleAfter
	if expired || stale {
		upd := s.DB.WithContext(ctx).Model(&keyRow{}).
			Where("user_id = ? AND key = ? AND created_at = ?", user, key, existing.CreatedAt).
			Updates(map[string]any{"method": method, "path": path, "request_hash": hash, "created_at": now,
				"status_code": nil, "content_type": nil, "location": nil, "response_body": nil, "completed_at": nil})
		if upd.Error != nil {
			return 0, Stored{}, fmt.Errorf("renew idempotency key: %w", upd.Error)
		}
		if upd.RowsAffected == 1 {
			return Started, Stored{}, nil
		}
		return InFlight, Stored{}, nil
	}
	if existing.Method != method || existing.Path != path || !bytes.Equal(existing.RequestHash, hash) {
		return Mismatch, Stored{}, nil
	}
	if existing.CompletedAt == nil || existing.StatusCode == nil {
		return InFlight, Stored{}, nil
	}
	st := Stored{Status: *existing.StatusCode, Body: existing.ResponseBody}
	if existing.ContentType != nil {
		st.ContentType = *existing.ContentType
	}
	if existing.Location != nil {
		st.Location = *existing.Location
	}
	return Replay, st, nil
}

// Complete remembers the response of a request that Begin started.
func (s *Store) Complete(ctx context.Context, user uuid.UUID, key string, st Stored) error {
	now := s.Now().UTC()
	err := s.DB.WithContext(ctx).Model(&keyRow{}).Where("user_id = ? AND key = ?", user, key).
		Updates(map[string]any{"status_code": st.Status, "content_type": st.ContentType, "location": st.Location,
			"response_body": st.Body, "completed_at": now}).Error
	if err != nil {
		return fmt.Errorf("store idempotent response: %w", err)
	}
	return nil
}

// Release forgets a key whose request failed in a way worth retrying (a server error).
func (s *Store) Release(ctx context.Context, user uuid.UUID, key string) error {
	if err := s.DB.WithContext(ctx).Where("user_id = ? AND key = ?", user, key).Delete(&keyRow{}).Error; err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// Purge deletes keys older than TTL and returns how many went.
func (s *Store) Purge(ctx context.Context) (int64, error) {
	res := s.DB.WithContext(ctx).Where("created_at < ?", s.Now().UTC().Add(-TTL)).Delete(&keyRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("purge idempotency keys: %w", res.Error)
	}
	return res.RowsAffected, nil
}
