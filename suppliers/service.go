package suppliers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/page"
	"github.com/crsplatform/crs/internal/reference"
)

// entityType names suppliers in the audit trail.
const entityType = "supplier"

// Service manages suppliers: every method takes the acting user and checks scope itself.
type Service struct {
	db  *gorm.DB
	ref *reference.Data
	now func() time.Time
}

// NewService returns the service. ref is the reference data qualifications are checked against; now is
// the clock (time.Now when nil).
func NewService(db *gorm.DB, ref *reference.Data, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, ref: ref, now: now}
}

func (s *Service) known() Known {
	return Known{
		Category: func(c string) bool { _, ok := s.ref.Category(c); return ok },
		Region:   func(c string) bool { _, ok := s.ref.Region(c); return ok },
	}
}

// requireAdmin refuses every role but admin with forbidden role_not_allowed.
func requireAdmin(a actor.Actor) error {
	if !a.IsAdmin() {
		return apperr.Forbidden("role_not_allowed", "only admins manage suppliers")
	}
	return nil
}

// checkRead returns nil when the actor may read the supplier: admins and commissioners read every
// supplier, supplier users only their own (others are not found), practitioners none (forbidden).
func checkRead(a actor.Actor, id uuid.UUID) error {
	switch a.Role {
	case actor.RoleAdmin, actor.RoleCommissioner:
		return nil
	case actor.RoleSupplier:
		if a.SupplierID != id {
			return apperr.NotFound("supplier")
		}
		return nil
	default:
		return apperr.Forbidden("role_not_allowed", "your role cannot read suppliers")
	}
}

// Create adds an active supplier (admins only). It returns an invalid error with field errors for bad
// input (see CreateParams.Validate) and a conflict (legal_name_taken, companies_house_number_taken,
// charity_number_taken) when another supplier already has the name or a number.
func (s *Service) Create(ctx context.Context, a actor.Actor, p CreateParams) (Supplier, error) {
	if err := requireAdmin(a); err != nil {
		return Supplier{}, err
	}
	sup, err := p.Validate(s.known())
	if err != nil {
		return Supplier{}, err
	}
	now := s.now().UTC()
	sup.ID, sup.Status, sup.Version, sup.CreatedAt, sup.UpdatedAt = ids.New(), StatusActive, 1, now, now
	var out Supplier
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := insertSupplier(ctx, tx, sup); err != nil {
			return err
		}
		// Re-read so that the answer lists qualifications in the stored order, as Get does.
		if out, err = loadSupplier(ctx, tx, sup.ID, false); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Change{Action: "supplier.created", EntityType: entityType, EntityID: out.ID, After: out})
	})
	if err != nil {
		return Supplier{}, fmt.Errorf("create supplier: %w", err)
	}
	return out, nil
}

// Get returns a supplier with its contacts, qualifications and status history. It returns not found
// for an unknown supplier or one outside the actor's scope, and forbidden for practitioners.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Supplier, error) {
	if err := checkRead(a, id); err != nil {
		return Supplier{}, err
	}
	return loadSupplier(ctx, s.db, id, false)
}

// ListParams filter List. Empty fields do not filter.
type ListParams struct {
	Status           string
	OrganisationType string
	// Region and ServiceCategory select suppliers qualified for the category in the region (either
	// alone: for any category in the region, or in any region for the category).
	Region          string
	ServiceCategory string
	// Text is looked for, ignoring case, in the legal and trading names.
	Text string
	Page page.Params
}

// List returns suppliers by legal name (ignoring case), with their qualifications but not their
// contacts or history. Supplier users see only their own organisation; practitioners are forbidden.
// Bad filters answer invalid (invalid_status, invalid_organisation_type, unknown_region,
// unknown_service_category, invalid_cursor).
func (s *Service) List(ctx context.Context, a actor.Actor, p ListParams) (page.Page[Supplier], error) {
	f := listFilter{Limit: p.Page.Limit + 1}
	switch a.Role {
	case actor.RoleAdmin, actor.RoleCommissioner:
	case actor.RoleSupplier:
		f.OnlyID = a.SupplierID
		if f.OnlyID == uuid.Nil {
			return page.Build([]Supplier{}, p.Page.Limit, nil), nil
		}
	default:
		return page.Page[Supplier]{}, apperr.Forbidden("role_not_allowed", "your role cannot read suppliers")
	}
	var fields apperr.Fields
	if p.Status != "" {
		st, err := ParseStatus(p.Status)
		fields.Check(err == nil, "status", "invalid_status", "status must be active, suspended or removed")
		f.Status = st
	}
	if p.OrganisationType != "" {
		t, err := ParseOrganisationType(p.OrganisationType)
		fields.Check(err == nil, "organisation_type", "invalid_organisation_type", "organisation_type must be VCSE, SME or LARGE")
		f.OrganisationType = t
	}
	known := s.known()
	if p.Region != "" {
		f.Region = strings.ToUpper(p.Region)
		fields.Check(known.Region(f.Region), "region", "unknown_region", "region "+p.Region+" does not exist")
	}
	if p.ServiceCategory != "" {
		f.ServiceCategory = strings.ToUpper(p.ServiceCategory)
		fields.Check(known.Category(f.ServiceCategory), "service_category", "unknown_service_category",
			"service category "+p.ServiceCategory+" does not exist")
	}
	f.Text = p.Text
	if err := fields.Err("invalid query parameters"); err != nil {
		return page.Page[Supplier]{}, err
	}
	var after listKey
	hasCursor, err := page.Decode(p.Page.Cursor, &after)
	if err != nil {
		return page.Page[Supplier]{}, err
	}
	if hasCursor {
		f.After = &after
	}
	rows, keys, err := listSuppliers(ctx, s.db, f)
	if err != nil {
		return page.Page[Supplier]{}, err
	}
	keyOf := make(map[uuid.UUID]listKey, len(keys))
	for _, k := range keys {
		keyOf[k.ID] = k
	}
	return page.Build(rows, p.Page.Limit, func(sup Supplier) any { return keyOf[sup.ID] }), nil
}

// Update changes a supplier (admins only) when version is its current version; otherwise it returns
// precondition failed. Bad input answers as Create does; an unknown supplier is not found. An update
// that changes nothing returns the supplier as it is, without a new version.
func (s *Service) Update(ctx context.Context, a actor.Actor, id uuid.UUID, version int, p UpdateParams) (Supplier, error) {
	if err := requireAdmin(a); err != nil {
		return Supplier{}, err
	}
	var out Supplier
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		before, err := loadSupplier(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if before.Version != version {
			return apperr.PreconditionFailed("the supplier has changed since you read it")
		}
		edited, err := p.apply(paramsOf(before)).Validate(s.known())
		if err != nil {
			return err
		}
		if before.sameDetails(edited) {
			// Nothing changes: no new version, no audit record.
			out = before
			return nil
		}
		after := before
		after.LegalName, after.TradingName, after.OrganisationType = edited.LegalName, edited.TradingName, edited.OrganisationType
		after.CompaniesHouseNumber, after.CharityNumber, after.Address = edited.CompaniesHouseNumber, edited.CharityNumber, edited.Address
		after.Contacts, after.Qualifications = edited.Contacts, edited.Qualifications
		after.Version++
		after.UpdatedAt = s.now().UTC()
		if err := updateSupplier(ctx, tx, after); err != nil {
			return err
		}
		if p.Contacts != nil {
			if err := replaceContacts(ctx, tx, id, after.Contacts); err != nil {
				return err
			}
		}
		if p.Qualifications != nil {
			if err := replaceQualifications(ctx, tx, id, after.Qualifications, after.UpdatedAt); err != nil {
				return err
			}
		}
		// Re-read so that the answer shows the stored order of qualifications.
		if out, err = loadSupplier(ctx, tx, id, false); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Change{Action: "supplier.updated", EntityType: entityType, EntityID: id, Before: before, After: out})
	})
	if err != nil {
		return Supplier{}, fmt.Errorf("update supplier %s: %w", id, err)
	}
	return out, nil
}

// ChangeStatus moves a supplier to another framework status (admins only) when version is current,
// recording the reason, the effective date and the actor. It returns invalid for a bad request (see
// validateStatusChange), conflict invalid_status_transition for a change the rules do not allow
// (removal is final), precondition failed for a stale version and not found for an unknown supplier.
func (s *Service) ChangeStatus(ctx context.Context, a actor.Actor, id uuid.UUID, version int, p ChangeStatusParams) (Supplier, error) {
	if err := requireAdmin(a); err != nil {
		return Supplier{}, err
	}
	var out Supplier
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		before, err := loadSupplier(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if before.Version != version {
			return apperr.PreconditionFailed("the supplier has changed since you read it")
		}
		now := s.now().UTC()
		in, err := validateStatusChange(before, p, calendar.Today(now))
		if err != nil {
			return err
		}
		change := StatusChange{ID: ids.New(), From: before.Status, To: in.To, Reason: in.Reason, EffectiveDate: in.EffectiveDate,
			ChangedBy: a.AuditID(), ChangedAt: now}
		out = before
		out.Status, out.StatusReason, out.StatusEffective = in.To, in.Reason, in.EffectiveDate
		out.Version++
		out.UpdatedAt = now
		out.StatusHistory = append(out.StatusHistory, change)
		if err := updateSupplier(ctx, tx, out); err != nil {
			return err
		}
		if err := insertStatusChange(ctx, tx, id, change); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Change{Action: "supplier.status_changed", EntityType: entityType, EntityID: id,
			Before: statusOf(before), After: change})
	})
	if err != nil {
		return Supplier{}, fmt.Errorf("change status of supplier %s: %w", id, err)
	}
	return out, nil
}

// statusSnapshot is what the audit trail keeps of a supplier's status before a change.
type statusSnapshot struct {
	Status          Status
	StatusReason    string
	StatusEffective calendar.Date
	Version         int
}

func statusOf(s Supplier) statusSnapshot {
	return statusSnapshot{Status: s.Status, StatusReason: s.StatusReason, StatusEffective: s.StatusEffective, Version: s.Version}
}
