package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/constraint"
)

type userRow struct {
	ID           uuid.UUID
	Email        string
	DisplayName  string
	PasswordHash string
	Role         string
	SupplierID   *uuid.UUID
	Regions      pq.StringArray `gorm:"type:text[]"`
	Active       bool
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) user() User {
	regions := []string(r.Regions)
	if regions == nil {
		regions = []string{}
	}
	return User{ID: r.ID, Email: r.Email, DisplayName: r.DisplayName, Role: actor.Role(r.Role), SupplierID: r.SupplierID,
		Regions: regions, Active: r.Active, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type tokenRow struct {
	ID        uuid.UUID
	UserID    uuid.UUID
	TokenHash []byte
	Kind      string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

func (tokenRow) TableName() string { return "auth_tokens" }

type attemptRow struct {
	Email          string `gorm:"primaryKey"`
	Failures       int
	FirstFailureAt time.Time
	LockedUntil    *time.Time
}

func (attemptRow) TableName() string { return "login_attempts" }

type clientAttemptRow struct {
	Client         string `gorm:"primaryKey"`
	Failures       int
	FirstFailureAt time.Time
	LockedUntil    *time.Time
}

func (clientAttemptRow) TableName() string { return "login_client_attempts" }

func userByEmail(ctx context.Context, db *gorm.DB, email string) (userRow, bool, error) {
	var r userRow
	err := db.WithContext(ctx).Where("lower(email) = ?", normaliseEmail(email)).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return userRow{}, false, nil
	}
	if err != nil {
		return userRow{}, false, fmt.Errorf("find user by email: %w", err)
	}
	return r, true, nil
}

func userByID(ctx context.Context, db *gorm.DB, id uuid.UUID, forUpdate bool) (userRow, error) {
	var r userRow
	q := db.WithContext(ctx)
	if forUpdate {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return userRow{}, apperr.NotFound("user")
	}
	if err != nil {
		return userRow{}, fmt.Errorf("find user %s: %w", id, err)
	}
	return r, nil
}

// tokenUser is the row Authenticate reads: the token's user, only while the token is valid.
func tokenUser(ctx context.Context, db *gorm.DB, hash []byte, now time.Time) (userRow, bool, error) {
	var r userRow
	err := db.WithContext(ctx).Table("auth_tokens t").Select("u.*").
		Joins("JOIN users u ON u.id = t.user_id").
		Where("t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND u.active", hash, now).
		Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return userRow{}, false, nil
	}
	if err != nil {
		return userRow{}, false, fmt.Errorf("look up token: %w", err)
	}
	return r, true, nil
}

func knownRegions(ctx context.Context, db *gorm.DB) (map[string]bool, error) {
	var codes []string
	if err := db.WithContext(ctx).Table("regions").Pluck("code", &codes).Error; err != nil {
		return nil, fmt.Errorf("list regions: %w", err)
	}
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[c] = true
	}
	return m, nil
}

// violations are the errors the user constraints an admin can break become.
var violations = constraint.Rules{
	"users_email_key":        apperr.Taken("email", "email_taken", "another user has this email"),
	"users_supplier_id_fkey": constraint.Invalid("unknown supplier", "supplier_id", "unknown_supplier", "no supplier has this id"),
	"users_scope_check":      constraint.Invalid("the role's scope is incomplete", "role", "scope_mismatch", "the role and its scope do not fit"),
}

// translate turns constraint violations into field errors.
func translate(err error) error { return constraint.Translate(err, violations) }

// organisationUsers reads the active users of a supplier by name, and whether the supplier exists in
// the caller's scope (any for admins, else only own).
func organisationUsers(ctx context.Context, db *gorm.DB, supplierID uuid.UUID, admin bool, own uuid.UUID) ([]Colleague, bool, error) {
	var found bool
	if err := db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM suppliers WHERE id = ? AND (? OR id = ?))`, supplierID, admin, own).
		Scan(&found).Error; err != nil || !found {
		return nil, false, err
	}
	var rows []struct {
		ID          uuid.UUID
		DisplayName string
		Email       string
	}
	err := db.WithContext(ctx).Raw(`SELECT id, display_name, email FROM users
		WHERE supplier_id = ? AND role = 'supplier' AND active AND (? OR supplier_id = ?)
		ORDER BY lower(display_name), id`, supplierID, admin, own).Scan(&rows).Error
	if err != nil {
		return nil, false, err
	}
	out := make([]Colleague, len(rows))
	for i, r := range rows {
		out[i] = Colleague(r)
	}
	return out, true, nil
}
