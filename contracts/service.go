package contracts

import (
	"context"
	"fmt"
	"slices"
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
	"github.com/crsplatform/crs/suppliers"
)

// Config configures the service.
type Config struct {
	// Reference is the reference data contracts are checked against.
	Reference *reference.Data
	// Now is the clock; "today" is its date in UTC.
	Now func() time.Time
}

// Service manages contracts, their supply chains and their contract years' bands.
type Service struct {
	db  *gorm.DB
	ref *reference.Data
	now func() time.Time
}

// NewService returns the service.
func NewService(db *gorm.DB, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{db: db, ref: cfg.Reference, now: cfg.Now}
}

// Today returns the service's current date, against which statuses and basis bands are shown.
func (s *Service) Today() calendar.Date { return calendar.Today(s.now()) }

const entityType = "contract"

// requireReader refuses the roles that never read contracts here (practitioners use the catalogue).
func requireReader(a actor.Actor) error {
	if !a.Is(actor.RoleAdmin, actor.RoleCommissioner, actor.RoleSupplier) {
		return apperr.Forbidden("role_not_allowed", "your role cannot read contracts here; use the catalogue")
	}
	return nil
}

// requireManager refuses the roles that never change contracts.
func requireManager(a actor.Actor) error {
	if !a.Is(actor.RoleAdmin, actor.RoleCommissioner) {
		return apperr.Forbidden("role_not_allowed", "only admins and commissioners manage contracts")
	}
	return nil
}

// canRead reports whether the contract is in the actor's scope.
func canRead(a actor.Actor, c Contract) bool {
	switch a.Role {
	case actor.RoleAdmin:
		return true
	case actor.RoleCommissioner:
		return a.HasRegion(c.Area.RegionCode)
	case actor.RoleSupplier:
		return c.HasSupplier(a.SupplierID)
	default:
		return false
	}
}

// CreateParams are the inputs of Create. Dates left zero are reported as required, except the
// referral window, which defaults to the contract's dates (with the extensions taken).
type CreateParams struct {
	Reference        string
	ContractTypeCode string
	// Exactly one of RegionCode and PCCAreaCode.
	RegionCode            string
	PCCAreaCode           string
	PrimeSupplierID       uuid.UUID
	SubcontractorIDs      []uuid.UUID
	CoCommissionerName    string
	CoCommissionerShareBP *int
	Eligibility           Eligibility
	Start, End            calendar.Date
	// Extensions are numbered from 1 in the order given.
	Extensions                []Extension
	WindowOpens, WindowCloses calendar.Date
	ReferralMailbox           string
	Description               string
}

// Create creates a contract (admins; commissioners in their own regions) after checking every rule:
// those of Validate, the reference data (unknown_region, unknown_pcc_area, unknown_contract_type,
// area_required, area_ambiguous), the prime (prime_not_found, prime_not_active,
// prime_not_qualified listing the categories missing in the contract's region) and the
// subcontractors (subcontractor_not_found, subcontractor_not_active, subcontractor_is_prime,
// subcontractor_duplicate), and that the reference is free (reference_taken). A commissioner
// creating outside their regions gets forbidden (region_not_in_scope); other roles role_not_allowed.
func (s *Service) Create(ctx context.Context, a actor.Actor, p CreateParams) (Contract, error) {
	if err := requireManager(a); err != nil {
		return Contract{}, err
	}
	var f apperr.Fields
	area, areaOK := s.resolveArea(&f, strings.TrimSpace(p.RegionCode), strings.TrimSpace(p.PCCAreaCode))
	if areaOK && !a.HasRegion(area.RegionCode) {
		return Contract{}, apperr.Forbidden("region_not_in_scope", "you can create contracts only in your own regions")
	}
	today := s.Today()
	c := Contract{
		Reference: strings.TrimSpace(p.Reference), ContractTypeCode: strings.TrimSpace(p.ContractTypeCode), Area: area,
		CoCommissionerName: strings.TrimSpace(p.CoCommissionerName), CoCommissionerShareBP: p.CoCommissionerShareBP,
		Eligibility: p.Eligibility, Start: p.Start, End: p.End, Extensions: numbered(p.Extensions),
		WindowOpens: p.WindowOpens, WindowCloses: p.WindowCloses, ReferralMailbox: strings.TrimSpace(p.ReferralMailbox),
		Description: strings.TrimSpace(p.Description), Subcontractors: []Subcontractor{},
	}
	if c.WindowOpens.IsZero() {
		c.WindowOpens = c.Start
	}
	if c.WindowCloses.IsZero() && !c.End.IsZero() {
		c.WindowCloses = c.EffectiveEnd()
	}
	ct, typeOK := s.ref.ContractType(c.ContractTypeCode)
	if c.ContractTypeCode != "" && !typeOK {
		f.Add("contract_type_code", "unknown_contract_type", fmt.Sprintf("There is no contract type %q.", c.ContractTypeCode))
	}
	if e, ok := apperr.As(c.Validate()); ok {
		f.Merge("", e.Fields)
	}
	sums, err := suppliers.Summaries(ctx, s.db, append([]uuid.UUID{p.PrimeSupplierID}, p.SubcontractorIDs...))
	if err != nil {
		return Contract{}, fmt.Errorf("create contract: %w", err)
	}
	prime, primeOK := sums[p.PrimeSupplierID]
	switch {
	case p.PrimeSupplierID == uuid.Nil:
		f.Add("prime_supplier_id", "required", "The contract needs a prime supplier.")
	case !primeOK:
		f.Add("prime_supplier_id", "prime_not_found", "There is no supplier with this id.")
	case !prime.Status.Awardable():
		f.Add("prime_supplier_id", "prime_not_active", fmt.Sprintf("%s is %s on the framework and cannot be awarded a contract.", prime.LegalName, prime.Status))
	case areaOK && typeOK:
		missing, err := suppliers.MissingQualifications(ctx, s.db, prime.ID, area.RegionCode, ct.Categories)
		if err != nil {
			return Contract{}, fmt.Errorf("create contract: %w", err)
		}
		if len(missing) > 0 {
			f.Add("prime_supplier_id", "prime_not_qualified", fmt.Sprintf("%s is not qualified in region %s for: %s.",
				prime.LegalName, area.RegionCode, strings.Join(missing, ", ")))
		}
	}
	c.Prime = prime
	for i, id := range p.SubcontractorIDs {
		field := fmt.Sprintf("subcontractor_ids[%d]", i)
		sum, ok := sums[id]
		switch {
		case id == p.PrimeSupplierID:
			f.Add(field, "subcontractor_is_prime", "The prime cannot also be a subcontractor.")
		case slices.Index(p.SubcontractorIDs, id) < i:
			f.Add(field, "subcontractor_duplicate", "This supplier is listed twice.")
		case !ok:
			f.Add(field, "subcontractor_not_found", "There is no supplier with this id.")
		case !sum.Status.Awardable():
			f.Add(field, "subcontractor_not_active", fmt.Sprintf("%s is %s on the framework and cannot join a supply chain.", sum.LegalName, sum.Status))
		default:
			c.Subcontractors = append(c.Subcontractors, Subcontractor{ID: ids.New(), Supplier: sum, AddedOn: today, AddedBy: a.AuditID(),
				AddedReason: "named when the contract was created"})
		}
	}
	if err := f.Err("the contract is not valid"); err != nil {
		return Contract{}, err
	}
	now := s.now().UTC()
	c.ID, c.Version, c.CreatedAt, c.UpdatedAt = ids.New(), 1, now, now
	c.Eligibility = c.Eligibility.normalise()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := insertContract(ctx, tx, c); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Change{Action: "contract.created", EntityType: entityType, EntityID: c.ID, After: c})
	})
	if err != nil {
		return Contract{}, fmt.Errorf("create contract: %w", err)
	}
	return c, nil
}

func numbered(exts []Extension) []Extension {
	out := make([]Extension, len(exts))
	for i, e := range exts {
		e.Number = i + 1
		out[i] = e
	}
	return out
}

// resolveArea checks that exactly one of region and PCC area is given and known, and returns the
// area with the PCC area's region filled in.
func (s *Service) resolveArea(f *apperr.Fields, region, pcc string) (Area, bool) {
	switch {
	case region == "" && pcc == "":
		f.Add("region_code", "area_required", "Give either a region or a PCC area for the contract.")
	case region != "" && pcc != "":
		f.Add("pcc_area_code", "area_ambiguous", "Give either a region or a PCC area, not both.")
	case pcc != "":
		p, ok := s.ref.PCCArea(pcc)
		if ok {
			return Area{RegionCode: p.RegionCode, PCCAreaCode: p.Code}, true
		}
		f.Add("pcc_area_code", "unknown_pcc_area", fmt.Sprintf("There is no PCC area %q.", pcc))
	default:
		if _, ok := s.ref.Region(region); ok {
			return Area{RegionCode: region}, true
		}
		f.Add("region_code", "unknown_region", fmt.Sprintf("There is no region %q.", region))
	}
	return Area{}, false
}

// Get returns a contract in the actor's scope; one outside it is not found. Practitioners get
// role_not_allowed.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Contract, error) {
	if err := requireReader(a); err != nil {
		return Contract{}, err
	}
	c, err := Load(ctx, s.db, id)
	if err != nil {
		return Contract{}, err
	}
	if !canRead(a, c) {
		return Contract{}, apperr.NotFound("contract")
	}
	return c, nil
}

// ListParams filter List; zero values do not filter.
type ListParams struct {
	Region          string
	PCCArea         string
	ContractType    string
	Status          State
	PrimeSupplierID uuid.UUID
	// Text is matched anywhere in the reference, ignoring case.
	Text string
	Page page.Params
}

// List lists the contracts in the actor's scope by reference. Practitioners get role_not_allowed.
func (s *Service) List(ctx context.Context, a actor.Actor, p ListParams) (page.Page[Contract], error) {
	if err := requireReader(a); err != nil {
		return page.Page[Contract]{}, err
	}
	var after listKey
	has, err := page.Decode(p.Page.Cursor, &after)
	if err != nil {
		return page.Page[Contract]{}, err
	}
	f := listFilter{ListParams: p, Today: s.Today()}
	if has {
		f.After = &after
	}
	rows, err := listContracts(ctx, s.db, a, f)
	if err != nil {
		return page.Page[Contract]{}, err
	}
	return page.Build(rows, p.Page.Limit, func(c Contract) any { return listKey{Reference: c.Reference, ID: c.ID} }), nil
}

// UpdateParams are the inputs of Update; nil fields are left as they are. The reference, contract
// type, area and prime are not editable.
type UpdateParams struct {
	Start, End                *calendar.Date
	WindowOpens, WindowCloses *calendar.Date
	// Eligibility replaces the whole eligibility.
	Eligibility *Eligibility
	// CoCommissionerName "" removes the co-commissioner (its share must go too).
	CoCommissionerName    *string
	CoCommissionerShareBP *int
	// RemoveCoCommissionerShare clears the share.
	RemoveCoCommissionerShare bool
	// ReferralMailbox and Description "" clear them.
	ReferralMailbox *string
	Description     *string
	// Extensions replaces the list (numbered from 1 in the order given); an empty list removes them.
	Extensions *[]Extension
}

// Update changes a contract (admins; commissioners of its region) when version is current, checking
// the result with Validate. A contract outside the actor's scope is not found; a stale version is
// precondition failed.
func (s *Service) Update(ctx context.Context, a actor.Actor, id uuid.UUID, version int, p UpdateParams) (Contract, error) {
	if err := requireManager(a); err != nil {
		return Contract{}, err
	}
	var out Contract
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := s.loadForChange(ctx, tx, a, id, version)
		if err != nil {
			return err
		}
		before := c
		apply(&c, p)
		if err := c.Validate(); err != nil {
			return err
		}
		c.Eligibility = c.Eligibility.normalise()
		c.Version++
		c.UpdatedAt = s.now().UTC()
		if err := updateContract(ctx, tx, c); err != nil {
			return err
		}
		out = c
		return audit.Record(ctx, tx, a, audit.Change{Action: "contract.updated", EntityType: entityType, EntityID: id, Before: before, After: c})
	})
	if err != nil {
		return Contract{}, fmt.Errorf("update contract %s: %w", id, err)
	}
	return out, nil
}

func apply(c *Contract, p UpdateParams) {
	set := func(dst *calendar.Date, v *calendar.Date) {
		if v != nil {
			*dst = *v
		}
	}
	set(&c.Start, p.Start)
	set(&c.End, p.End)
	set(&c.WindowOpens, p.WindowOpens)
	set(&c.WindowCloses, p.WindowCloses)
	if p.Eligibility != nil {
		c.Eligibility = *p.Eligibility
	}
	if p.CoCommissionerName != nil {
		c.CoCommissionerName = strings.TrimSpace(*p.CoCommissionerName)
	}
	if p.RemoveCoCommissionerShare {
		c.CoCommissionerShareBP = nil
	} else if p.CoCommissionerShareBP != nil {
		v := *p.CoCommissionerShareBP
		c.CoCommissionerShareBP = &v
	}
	if p.ReferralMailbox != nil {
		c.ReferralMailbox = strings.TrimSpace(*p.ReferralMailbox)
	}
	if p.Description != nil {
		c.Description = strings.TrimSpace(*p.Description)
	}
	if p.Extensions != nil {
		c.Extensions = numbered(*p.Extensions)
	}
}

// loadForChange locks and reads a contract the actor may manage at the version the client read
// (If-Match; 412 for another).
func (s *Service) loadForChange(ctx context.Context, tx *gorm.DB, a actor.Actor, id uuid.UUID, version int) (Contract, error) {
	c, err := load(ctx, tx, id, true)
	if err != nil {
		return Contract{}, err
	}
	if !canRead(a, c) {
		return Contract{}, apperr.NotFound("contract")
	}
	if c.Version != version {
		return Contract{}, apperr.PreconditionFailed("the contract has changed since you read it")
	}
	return c, nil
}

// AddSubcontractor adds an active supplier, not the prime and not already in it, to the contract's
// supply chain from today (admins; commissioners of the contract's region). Field errors on
// supplier_id: required, subcontractor_not_found, subcontractor_not_active, subcontractor_is_prime,
// subcontractor_duplicate.
func (s *Service) AddSubcontractor(ctx context.Context, a actor.Actor, id uuid.UUID, version int, supplierID uuid.UUID, reason string) (Subcontractor, error) {
	if err := requireManager(a); err != nil {
		return Subcontractor{}, err
	}
	var out Subcontractor
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := s.loadForChange(ctx, tx, a, id, version)
		if err != nil {
			return err
		}
		if supplierID == uuid.Nil {
			return apperr.Invalid("the supplier is missing", apperr.FieldError{Field: "supplier_id", Code: "required", Message: "Name the supplier to add."})
		}
		sums, err := suppliers.Summaries(ctx, tx, []uuid.UUID{supplierID})
		if err != nil {
			return err
		}
		sum, ok := sums[supplierID]
		fail := func(code, msg string) error {
			return apperr.Invalid("the supplier cannot join the supply chain", apperr.FieldError{Field: "supplier_id", Code: code, Message: msg})
		}
		switch {
		case supplierID == c.Prime.ID:
			return fail("subcontractor_is_prime", "The prime cannot also be a subcontractor.")
		case !ok:
			return fail("subcontractor_not_found", "There is no supplier with this id.")
		case !sum.Status.Awardable():
			return fail("subcontractor_not_active", fmt.Sprintf("%s is %s on the framework and cannot join a supply chain.", sum.LegalName, sum.Status))
		case c.HasSupplier(supplierID):
			return apperr.Taken("supplier_id", "subcontractor_duplicate", "The supplier is already a subcontractor on this contract.")
		}
		out = Subcontractor{ID: ids.New(), Supplier: sum, AddedOn: s.Today(), AddedBy: a.AuditID(), AddedReason: strings.TrimSpace(reason)}
		if err := insertSubcontractor(ctx, tx, id, out); err != nil {
			return err
		}
		if _, err := bumpVersion(ctx, tx, id, s.now().UTC()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Change{Action: "contract.subcontractor_added", EntityType: entityType, EntityID: id, After: out})
	})
	if err != nil {
		return Subcontractor{}, fmt.Errorf("add subcontractor to contract %s: %w", id, err)
	}
	return out, nil
}

// RemoveSubcontractor removes a supplier from the contract's current supply chain as of today, with a
// reason (required), keeping the membership in the history. A supplier not in the current supply
// chain is not found.
func (s *Service) RemoveSubcontractor(ctx context.Context, a actor.Actor, id uuid.UUID, version int, supplierID uuid.UUID, reason string) (Subcontractor, error) {
	if err := requireManager(a); err != nil {
		return Subcontractor{}, err
	}
	var out Subcontractor
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := s.loadForChange(ctx, tx, a, id, version)
		if err != nil {
			return err
		}
		i := -1
		for j, sc := range c.Subcontractors {
			if sc.Supplier.ID == supplierID {
				i = j
			}
		}
		if i < 0 {
			return apperr.NotFound("subcontractor")
		}
		reason = strings.TrimSpace(reason)
		if reason == "" {
			return apperr.Invalid("a reason is needed", apperr.FieldError{Field: "reason", Code: "required", Message: "Say why the supplier leaves the supply chain."})
		}
		before := c.Subcontractors[i]
		out = before
		out.RemovedOn, out.RemovedBy, out.RemovedReason = s.Today(), a.AuditID(), reason
		if out.RemovedOn.Before(out.AddedOn) {
			out.RemovedOn = out.AddedOn
		}
		if err := removeSubcontractor(ctx, tx, out); err != nil {
			return err
		}
		if _, err := bumpVersion(ctx, tx, id, s.now().UTC()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Change{Action: "contract.subcontractor_removed", EntityType: entityType, EntityID: id, Before: before, After: out})
	})
	if err != nil {
		return Subcontractor{}, fmt.Errorf("remove subcontractor from contract %s: %w", id, err)
	}
	return out, nil
}

// SupplyChainHistory returns every membership of a contract's supply chain, current and removed, in
// order of addition, for a contract in the actor's scope.
func (s *Service) SupplyChainHistory(ctx context.Context, a actor.Actor, id uuid.UUID) ([]Subcontractor, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	return supplyChainHistory(ctx, s.db, id)
}
