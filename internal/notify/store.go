package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/page"
)

type row struct {
	ID         uuid.UUID
	UserID     uuid.UUID
	Kind       string
	Title      string
	Body       string
	EntityType *string
	EntityID   *uuid.UUID
	CreatedAt  time.Time
	ReadAt     *time.Time
}

func (row) TableName() string { return "notifications" }

// Send adds the message for each user, inside tx. Duplicate user ids get one notification.
func Send(ctx context.Context, tx *gorm.DB, users []uuid.UUID, m Message) error {
	if len(users) == 0 {
		return nil
	}
	seen := map[uuid.UUID]bool{}
	now := time.Now().UTC()
	rows := make([]row, 0, len(users))
	for _, u := range users {
		if seen[u] {
			continue
		}
		seen[u] = true
		r := row{ID: ids.New(), UserID: u, Kind: m.Kind, Title: m.Title, Body: m.Body, CreatedAt: now}
		if m.EntityType != "" {
			et, eid := m.EntityType, m.EntityID
			r.EntityType, r.EntityID = &et, &eid
		}
		rows = append(rows, r)
	}
	if err := tx.WithContext(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("send %s notifications: %w", m.Kind, err)
	}
	return nil
}

// SupplierUsers returns the active users of the suppliers.
func SupplierUsers(ctx context.Context, db *gorm.DB, suppliers []uuid.UUID) ([]uuid.UUID, error) {
	var out []uuid.UUID
	if len(suppliers) == 0 {
		return out, nil
	}
	err := db.WithContext(ctx).Table("users").Where("active AND role = 'supplier' AND supplier_id IN ?", suppliers).Order("id").Pluck("id", &out).Error
	if err != nil {
		return nil, fmt.Errorf("list supplier users: %w", err)
	}
	return out, nil
}

// RegionUsers returns the active users of the role whose scope includes the region.
func RegionUsers(ctx context.Context, db *gorm.DB, role, region string) ([]uuid.UUID, error) {
	var out []uuid.UUID
	err := db.WithContext(ctx).Table("users").Where("active AND role = ? AND regions && ?", role, pq.StringArray{region}).Order("id").Pluck("id", &out).Error
	if err != nil {
		return nil, fmt.Errorf("list %s users of region %s: %w", role, region, err)
	}
	return out, nil
}

// UserEmails returns the e-mail addresses of the users.
func UserEmails(ctx context.Context, db *gorm.DB, users []uuid.UUID) ([]string, error) {
	var out []string
	if len(users) == 0 {
		return out, nil
	}
	if err := db.WithContext(ctx).Table("users").Where("active AND id IN ?", users).Order("email").Pluck("email", &out).Error; err != nil {
		return nil, fmt.Errorf("list user emails: %w", err)
	}
	return out, nil
}

func (r row) notification() Notification {
	n := Notification{ID: r.ID, Kind: r.Kind, Title: r.Title, Body: r.Body, EntityType: r.EntityType, EntityID: r.EntityID, CreatedAt: r.CreatedAt.UTC(), ReadAt: r.ReadAt}
	return n
}

func list(ctx context.Context, db *gorm.DB, user uuid.UUID, unreadOnly bool, p page.Params) (page.Page[Notification], error) {
	var before uuid.UUID
	has, err := page.Decode(p.Cursor, &before)
	if err != nil {
		return page.Page[Notification]{}, err
	}
	q := db.WithContext(ctx).Model(&row{}).Where("user_id = ?", user)
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	if has {
		q = q.Where("id < ?", before)
	}
	var rows []row
	if err := q.Order("id DESC").Limit(p.Limit + 1).Find(&rows).Error; err != nil {
		return page.Page[Notification]{}, fmt.Errorf("list notifications: %w", err)
	}
	out := make([]Notification, len(rows))
	for i, r := range rows {
		out[i] = r.notification()
	}
	return page.Build(out, p.Limit, func(n Notification) any { return n.ID }), nil
}

func markRead(ctx context.Context, db *gorm.DB, user, id uuid.UUID, now time.Time) (Notification, error) {
	var r row
	err := db.WithContext(ctx).Raw(`UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ? AND user_id = ? RETURNING *`, now, id, user).Scan(&r).Error
	if err != nil {
		return Notification{}, fmt.Errorf("mark notification read: %w", err)
	}
	if r.ID == uuid.Nil {
		return Notification{}, apperr.NotFound("notification")
	}
	return r.notification(), nil
}

func markAllRead(ctx context.Context, db *gorm.DB, user uuid.UUID, now time.Time) (int64, error) {
	res := db.WithContext(ctx).Model(&row{}).Where("user_id = ? AND read_at IS NULL", user).Update("read_at", now)
	if res.Error != nil {
		return 0, fmt.Errorf("mark notifications read: %w", res.Error)
	}
	return res.RowsAffected, nil
}

func unreadCount(ctx context.Context, db *gorm.DB, user uuid.UUID) (int64, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&row{}).Where("user_id = ? AND read_at IS NULL", user).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count unread notifications: %w", err)
	}
	return n, nil
}

// Directory looks up recipients' e-mail addresses, for workers that hold no database handle.
type Directory struct{ db *gorm.DB }

// NewDirectory returns a directory on the database.
func NewDirectory(db *gorm.DB) *Directory { return &Directory{db: db} }

// Emails returns the addresses of the active users.
func (d *Directory) Emails(ctx context.Context, users []uuid.UUID) ([]string, error) {
	return UserEmails(ctx, d.db, users)
}
