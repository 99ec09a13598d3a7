package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/page"
)

// TokenKind distinguishes API tokens from browser sessions.
type TokenKind string

// The kinds of token.
const (
	TokenAPI     TokenKind = "api"
	TokenSession TokenKind = "session"
)

// tokenPrefix marks the platform's tokens so that leaked ones are easy to recognise.
const tokenPrefix = "crs_"

// Config configures the service.
type Config struct {
	TokenTTL    time.Duration
	SessionTTL  time.Duration
	MaxFailures int
	// MaxClientFailures failed sign-ins from one client address (actor.ClientAddr) within Window lock
	// that address out for Lockout, whatever accounts it tries; zero turns the per-client limit off.
	MaxClientFailures int
	Window            time.Duration
	Lockout           time.Duration
	Now               func() time.Time
}

// Service signs users in and manages them.
type Service struct {
	db  *gorm.DB
	cfg Config
}

// NewService returns the service.
func NewService(db *gorm.DB, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{db: db, cfg: cfg}
}

// Issued is a newly issued token. Value is shown once and stored only as a hash.
type Issued struct {
	Value     string
	ExpiresAt time.Time
	User      User
}

func hashToken(raw string) []byte {
	h := sha256.Sum256([]byte(raw))
	return h[:]
}

// Login checks the credentials and issues a token of the kind. Wrong credentials answer
// unauthenticated; after MaxFailures failures within Window the account is locked for Lockout and
// every attempt answers too_many_requests (login_throttled) with the seconds to wait; after
// MaxClientFailures failures from the client address in ctx (actor.WithClientAddr), whatever the
// accounts, that address is refused the same way (login_throttled_client).
func (s *Service) Login(ctx context.Context, email, password string, kind TokenKind) (Issued, error) {
	email = normaliseEmail(email)
	now := s.cfg.Now().UTC()
	var fields apperr.Fields
	fields.Check(email != "", "email", "required", "email is required")
	fields.Check(password != "", "password", "required", "password is required")
	if err := fields.Err("sign-in needs an email and a password"); err != nil {
		return Issued{}, err
	}
	client := actor.ClientAddr(ctx)
	if client != "" && s.cfg.MaxClientFailures > 0 {
		var catt clientAttemptRow
		err := s.db.WithContext(ctx).Where("client = ?", client).Take(&catt).Error
		if err == nil && catt.LockedUntil != nil && catt.LockedUntil.After(now) {
			wait := int(math.Ceil(catt.LockedUntil.Sub(now).Seconds()))
			return Issued{}, apperr.TooManyRequests("login_throttled_client", "too many failed sign-ins from this address; try again later", wait)
		} else if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return Issued{}, fmt.Errorf("read failed sign-ins of the client: %w", err)
		}
	}
	var att attemptRow
	err := s.db.WithContext(ctx).Where("email = ?", email).Take(&att).Error
	if err == nil && att.LockedUntil != nil && att.LockedUntil.After(now) {
		wait := int(math.Ceil(att.LockedUntil.Sub(now).Seconds()))
		return Issued{}, apperr.TooManyRequests("login_throttled", "too many failed sign-ins for this account; try again later", wait)
	}
	u, found, err := userByEmail(ctx, s.db, email)
	if err != nil {
		return Issued{}, err
	}
	hash := dummyHash()
	if found {
		hash = u.PasswordHash
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return Issued{}, fmt.Errorf("check password: %w", err)
	}
	if !found || !ok || !u.Active {
		if err := s.recordFailure(ctx, email, now); err != nil {
			return Issued{}, err
		}
		if client != "" && s.cfg.MaxClientFailures > 0 {
			if err := s.recordClientFailure(ctx, client, now); err != nil {
				return Issued{}, err
			}
		}
		return Issued{}, &apperr.Error{Kind: apperr.KindUnauthenticated, Code: "invalid_credentials", Message: "the email or password is wrong"}
	}
	if err := s.db.WithContext(ctx).Where("email = ?", email).Delete(&attemptRow{}).Error; err != nil {
		return Issued{}, fmt.Errorf("clear failed sign-ins: %w", err)
	}
	return s.issue(ctx, u, kind, now)
}

// RefuseSignIn counts a sign-in attempt that was refused before its credentials could be checked
// (a body with a NUL or invalid UTF-8 in it, say) as a failed attempt for the email it names, so
// that malformed attempts cannot probe an account without the throttle seeing them. The email is
// taken with the characters the database cannot store removed. It returns too_many_requests when
// the account is locked, and otherwise nil (the caller answers with the refusal it had).
func (s *Service) RefuseSignIn(ctx context.Context, email string) error {
	email = normaliseEmail(strings.ToValidUTF8(strings.ReplaceAll(email, "\x00", ""), ""))
	if email == "" || len(email) > 320 {
		return nil
	}
	now := s.cfg.Now().UTC()
	var att attemptRow
	err := s.db.WithContext(ctx).Where("email = ?", email).Take(&att).Error
	if err == nil && att.LockedUntil != nil && att.LockedUntil.After(now) {
		wait := int(math.Ceil(att.LockedUntil.Sub(now).Seconds()))
		return apperr.TooManyRequests("login_throttled", "too many failed sign-ins for this account; try again later", wait)
	}
	return s.recordFailure(ctx, email, now)
}

func (s *Service) recordFailure(ctx context.Context, email string, now time.Time) error {
	windowStart := now.Add(-s.cfg.Window)
	lockUntil := now.Add(s.cfg.Lockout)
	// One statement, so concurrent failures all count.
	err := s.db.WithContext(ctx).Exec(`
		INSERT INTO login_attempts (email, failures, first_failure_at, locked_until)
		VALUES (?, 1, ?, CASE WHEN 1 >= ? THEN ?::timestamptz END)
		ON CONFLICT (email) DO UPDATE SET
			failures = CASE WHEN login_attempts.first_failure_at < ? THEN 1 ELSE login_attempts.failures + 1 END,
			first_failure_at = CASE WHEN login_attempts.first_failure_at < ? THEN EXCLUDED.first_failure_at ELSE login_attempts.first_failure_at END,
			locked_until = CASE
				WHEN (CASE WHEN login_attempts.first_failure_at < ? THEN 1 ELSE login_attempts.failures + 1 END) >= ? THEN ?::timestamptz
				ELSE NULL END`,
		email, now, s.cfg.MaxFailures, lockUntil, windowStart, windowStart, windowStart, s.cfg.MaxFailures, lockUntil).Error
	if err != nil {
		return fmt.Errorf("record failed sign-in: %w", err)
	}
	return nil
}

// recordClientFailure counts a failed sign-in against the client address, in one statement as
// recordFailure does for the account.
func (s *Service) recordClientFailure(ctx context.Context, client string, now time.Time) error {
	windowStart := now.Add(-s.cfg.Window)
	lockUntil := now.Add(s.cfg.Lockout)
	err := s.db.WithContext(ctx).Exec(`
		INSERT INTO login_client_attempts (client, failures, first_failure_at, locked_until)
		VALUES (?, 1, ?, CASE WHEN 1 >= ? THEN ?::timestamptz END)
		ON CONFLICT (client) DO UPDATE SET
			failures = CASE WHEN login_client_attempts.first_failure_at < ? THEN 1 ELSE login_client_attempts.failures + 1 END,
			first_failure_at = CASE WHEN login_client_attempts.first_failure_at < ? THEN EXCLUDED.first_failure_at ELSE login_client_attempts.first_failure_at END,
			locked_until = CASE
				WHEN (CASE WHEN login_client_attempts.first_failure_at < ? THEN 1 ELSE login_client_attempts.failures + 1 END) >= ? THEN ?::timestamptz
				ELSE NULL END`,
		client, now, s.cfg.MaxClientFailures, lockUntil, windowStart, windowStart, windowStart, s.cfg.MaxClientFailures, lockUntil).Error
	if err != nil {
		return fmt.Errorf("record failed sign-in of the client: %w", err)
	}
	return nil
}

func (s *Service) issue(ctx context.Context, u userRow, kind TokenKind, now time.Time) (Issued, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return Issued{}, fmt.Errorf("generate token: %w", err)
	}
	raw := tokenPrefix + base64.RawURLEncoding.EncodeToString(buf)
	ttl := s.cfg.TokenTTL
	if kind == TokenSession {
		ttl = s.cfg.SessionTTL
	}
	row := tokenRow{ID: ids.New(), UserID: u.ID, TokenHash: hashToken(raw), Kind: string(kind), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return Issued{}, fmt.Errorf("store token: %w", err)
	}
	return Issued{Value: raw, ExpiresAt: row.ExpiresAt, User: u.user()}, nil
}

// IssueToken issues a token for a user without a password check; for the CLI and tests.
func (s *Service) IssueToken(ctx context.Context, userID uuid.UUID, kind TokenKind) (Issued, error) {
	u, err := userByID(ctx, s.db, userID, false)
	if err != nil {
		return Issued{}, err
	}
	return s.issue(ctx, u, kind, s.cfg.Now().UTC())
}

// Authenticate returns the actor of a valid token, or an unauthenticated error for a bad, expired or
// revoked one, or one of a deactivated user.
func (s *Service) Authenticate(ctx context.Context, raw string) (actor.Actor, error) {
	if !strings.HasPrefix(raw, tokenPrefix) || len(raw) > 100 {
		return actor.Actor{}, apperr.Unauthenticated("the token is not valid")
	}
	u, ok, err := tokenUser(ctx, s.db, hashToken(raw), s.cfg.Now().UTC())
	if err != nil {
		return actor.Actor{}, err
	}
	if !ok {
		return actor.Actor{}, apperr.Unauthenticated("the token is not valid, has expired or was revoked")
	}
	return u.user().Actor(), nil
}

// Revoke revokes a token; revoking an unknown or already revoked token is not an error.
func (s *Service) Revoke(ctx context.Context, raw string) error {
	err := s.db.WithContext(ctx).Model(&tokenRow{}).Where("token_hash = ? AND revoked_at IS NULL", hashToken(raw)).
		Update("revoked_at", s.cfg.Now().UTC()).Error
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// Me returns the actor's own user record.
func (s *Service) Me(ctx context.Context, a actor.Actor) (User, error) {
	r, err := userByID(ctx, s.db, a.UserID, false)
	if err != nil {
		return User{}, err
	}
	return r.user(), nil
}

func requireAdmin(a actor.Actor) error {
	if !a.IsAdmin() {
		return apperr.Forbidden("role_not_allowed", "only admins manage users")
	}
	return nil
}

// CreateUser creates a user (admins only), validating the email, password, role and scope.
func (s *Service) CreateUser(ctx context.Context, a actor.Actor, p CreateUserParams) (User, error) {
	if err := requireAdmin(a); err != nil {
		return User{}, err
	}
	email := normaliseEmail(p.Email)
	var f apperr.Fields
	validateEmail(&f, email)
	name := strings.TrimSpace(p.DisplayName)
	f.Check(name != "", "display_name", "required", "display_name is required")
	f.Check(len(name) <= 200, "display_name", "too_long", "display_name must be at most 200 characters")
	role, rerr := actor.ParseRole(p.Role)
	if p.Role == "" {
		f.Add("role", "required", "role is required")
	} else if rerr != nil {
		f.Add("role", "invalid_role", "role must be practitioner, supplier, commissioner or admin")
	}
	validatePassword(&f, p.Password)
	regions, err := knownRegions(ctx, s.db)
	if err != nil {
		return User{}, err
	}
	if rerr == nil {
		validateScope(&f, role, p.SupplierID, p.Regions, func(c string) bool { return regions[c] })
	}
	if err := f.Err("the user is not valid"); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(p.Password)
	if err != nil {
		return User{}, err
	}
	now := s.cfg.Now().UTC()
	row := userRow{ID: ids.New(), Email: email, DisplayName: name, PasswordHash: hash, Role: string(role), SupplierID: p.SupplierID,
		Regions: pq.StringArray(nonNil(p.Regions)), Active: true, Version: 1, CreatedAt: now, UpdatedAt: now}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return translate(err)
		}
		return audit.Record(ctx, tx, a, audit.Change{Action: "user.created", EntityType: "user", EntityID: row.ID, After: row.user()})
	})
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return row.user(), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// GetUser returns a user (admins only; others get not found).
func (s *Service) GetUser(ctx context.Context, a actor.Actor, id uuid.UUID) (User, error) {
	if !a.IsAdmin() && a.UserID != id {
		return User{}, apperr.NotFound("user")
	}
	r, err := userByID(ctx, s.db, id, false)
	if err != nil {
		return User{}, err
	}
	return r.user(), nil
}

// ListUsersParams filter ListUsers.
type ListUsersParams struct {
	Role       string
	SupplierID uuid.UUID
	Region     string
	Text       string
	Page       page.Params
}

// ListUsers lists users by email order (admins only).
func (s *Service) ListUsers(ctx context.Context, a actor.Actor, p ListUsersParams) (page.Page[User], error) {
	if err := requireAdmin(a); err != nil {
		return page.Page[User]{}, err
	}
	var after struct {
		Email string    `json:"e"`
		ID    uuid.UUID `json:"i"`
	}
	hasCursor, err := page.Decode(p.Page.Cursor, &after)
	if err != nil {
		return page.Page[User]{}, err
	}
	q := s.db.WithContext(ctx).Model(&userRow{})
	if p.Role != "" {
		q = q.Where("role = ?", p.Role)
	}
	if p.SupplierID != uuid.Nil {
		q = q.Where("supplier_id = ?", p.SupplierID)
	}
	if p.Region != "" {
		q = q.Where("? = ANY(regions)", p.Region)
	}
	if p.Text != "" {
		like := "%" + strings.NewReplacer("%", `\%`, "_", `\_`).Replace(strings.ToLower(p.Text)) + "%"
		q = q.Where("(lower(email) LIKE ? OR lower(display_name) LIKE ?)", like, like)
	}
	if hasCursor {
		q = q.Where("(lower(email), id) > (?, ?)", after.Email, after.ID)
	}
	var rows []userRow
	if err := q.Order("lower(email), id").Limit(p.Page.Limit + 1).Find(&rows).Error; err != nil {
		return page.Page[User]{}, fmt.Errorf("list users: %w", err)
	}
	users := make([]User, len(rows))
	for i, r := range rows {
		users[i] = r.user()
	}
	return page.Build(users, p.Page.Limit, func(u User) any {
		after.Email, after.ID = strings.ToLower(u.Email), u.ID
		return after
	}), nil
}

// Colleague is an active user another user may pick for work, such as a referral's caseworker.
type Colleague struct {
	ID          uuid.UUID
	DisplayName string
	Email       string
}

// OrganisationUsers lists the active users of a supplier organisation by name: admins see any
// organisation's, a supplier user only its own (another organisation, or one that does not exist,
// is not found); other roles are forbidden (role_not_allowed). The scope is in the query.
func (s *Service) OrganisationUsers(ctx context.Context, a actor.Actor, supplierID uuid.UUID) ([]Colleague, error) {
	if !a.Is(actor.RoleAdmin, actor.RoleSupplier) {
		return nil, apperr.Forbidden("role_not_allowed", "only admins and supplier users list an organisation's users")
	}
	out, found, err := organisationUsers(ctx, s.db, supplierID, a.IsAdmin(), a.SupplierID)
	if err != nil {
		return nil, fmt.Errorf("list the users of supplier %s: %w", supplierID, err)
	}
	if !found {
		return nil, apperr.NotFound("supplier")
	}
	return out, nil
}

// UpdateUser changes a user (admins only) when version is current. Deactivating a user, or changing
// its role, scope or password, revokes its tokens.
func (s *Service) UpdateUser(ctx context.Context, a actor.Actor, id uuid.UUID, version int, p UpdateUserParams) (User, error) {
	if err := requireAdmin(a); err != nil {
		return User{}, err
	}
	regions, err := knownRegions(ctx, s.db)
	if err != nil {
		return User{}, err
	}
	var out User
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := userByID(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if row.Version != version {
			return apperr.PreconditionFailed("the user has changed since you read it")
		}
		before := row.user()
		var f apperr.Fields
		revoke := false
		if p.DisplayName != nil {
			name := strings.TrimSpace(*p.DisplayName)
			f.Check(name != "", "display_name", "required", "display_name cannot be empty")
			row.DisplayName = name
		}
		if p.Role != nil {
			r, err := actor.ParseRole(*p.Role)
			if f.Check(err == nil, "role", "invalid_role", "role must be practitioner, supplier, commissioner or admin") {
				revoke = revoke || string(r) != row.Role
				row.Role = string(r)
			}
		}
		if p.SupplierID != nil {
			revoke = true
			if *p.SupplierID == uuid.Nil {
				row.SupplierID = nil
			} else {
				sid := *p.SupplierID
				row.SupplierID = &sid
			}
		}
		if p.Regions != nil {
			revoke = revoke || !slices.Equal(*p.Regions, []string(row.Regions))
			row.Regions = pq.StringArray(nonNil(*p.Regions))
		}
		if p.Active != nil {
			revoke = revoke || !*p.Active
			row.Active = *p.Active
		}
		if p.Password != nil {
			validatePassword(&f, *p.Password)
			revoke = true
		}
		if !f.Has("role") {
			validateScope(&f, actor.Role(row.Role), row.SupplierID, row.Regions, func(c string) bool { return regions[c] })
		}
		if err := f.Err("the user is not valid"); err != nil {
			return err
		}
		if p.Password != nil {
			h, err := HashPassword(*p.Password)
			if err != nil {
				return err
			}
			row.PasswordHash = h
		}
		row.Version++
		row.UpdatedAt = s.cfg.Now().UTC()
		if err := tx.Select("*").Omit("id", "created_at").Save(&row).Error; err != nil {
			return translate(err)
		}
		if revoke {
			if err := tx.Model(&tokenRow{}).Where("user_id = ? AND revoked_at IS NULL", id).Update("revoked_at", row.UpdatedAt).Error; err != nil {
				return fmt.Errorf("revoke tokens: %w", err)
			}
		}
		out = row.user()
		return audit.Record(ctx, tx, a, audit.Change{Action: "user.updated", EntityType: "user", EntityID: id, Before: before, After: out})
	})
	if err != nil {
		return User{}, fmt.Errorf("update user %s: %w", id, err)
	}
	return out, nil
}

// PurgeExpiredTokens deletes tokens that expired or were revoked more than a day ago.
func (s *Service) PurgeExpiredTokens(ctx context.Context) (int64, error) {
	cut := s.cfg.Now().UTC().Add(-24 * time.Hour)
	res := s.db.WithContext(ctx).Where("expires_at < ? OR revoked_at < ?", cut, cut).Delete(&tokenRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("purge tokens: %w", res.Error)
	}
	return res.RowsAffected, nil
}
