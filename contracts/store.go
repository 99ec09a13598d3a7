package contracts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/constraint"
	"github.com/crsplatform/crs/internal/opt"
	"github.com/crsplatform/crs/suppliers"
)

type contractRow struct {
	ID                    uuid.UUID
	Reference             string
	ContractTypeCode      string
	RegionCode            string
	PCCAreaCode           *string `gorm:"column:pcc_area_code"`
	PrimeSupplierID       uuid.UUID
	CoCommissionerName    *string
	CoCommissionerShareBP *int           `gorm:"column:co_commissioner_share_bp"`
	Sexes                 pq.StringArray `gorm:"type:text[]"`
	MinAge                int
	MaxAge                *int
	AcceptsCommunity      bool
	AcceptsLicence        bool
	AcceptsPreRelease     bool
	StartDate             calendar.Date `gorm:"type:date"`
	EndDate               calendar.Date `gorm:"type:date"`
	EffectiveEndDate      calendar.Date `gorm:"type:date"`
	ReferralWindowOpens   calendar.Date `gorm:"type:date"`
	ReferralWindowCloses  calendar.Date `gorm:"type:date"`
	ReferralMailbox       *string
	Description           *string
	Version               int
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

func (contractRow) TableName() string { return "contracts" }

func rowOf(c Contract) contractRow {
	r := contractRow{
		ID: c.ID, Reference: c.Reference, ContractTypeCode: c.ContractTypeCode, RegionCode: c.Area.RegionCode,
		PCCAreaCode: opt.String(c.Area.PCCAreaCode), PrimeSupplierID: c.Prime.ID, CoCommissionerName: opt.String(c.CoCommissionerName),
		CoCommissionerShareBP: c.CoCommissionerShareBP, MinAge: c.Eligibility.MinAge, MaxAge: c.Eligibility.MaxAge,
		AcceptsCommunity: c.Eligibility.Accepts(SettingCommunity), AcceptsLicence: c.Eligibility.Accepts(SettingLicence),
		AcceptsPreRelease: c.Eligibility.Accepts(SettingPreRelease), StartDate: c.Start, EndDate: c.End,
		EffectiveEndDate: c.EffectiveEnd(), ReferralWindowOpens: c.WindowOpens, ReferralWindowCloses: c.WindowCloses,
		ReferralMailbox: opt.String(c.ReferralMailbox), Description: opt.String(c.Description), Version: c.Version,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	for _, s := range c.Eligibility.Sexes {
		r.Sexes = append(r.Sexes, string(s))
	}
	return r
}

// contract converts the row; the prime's summary, extensions and supply chain are filled in by
// assemble.
func (r contractRow) contract() Contract {
	c := Contract{
		ID: r.ID, Reference: r.Reference, ContractTypeCode: r.ContractTypeCode,
		Area:  Area{RegionCode: r.RegionCode, PCCAreaCode: opt.Value(r.PCCAreaCode)},
		Prime: suppliers.Summary{ID: r.PrimeSupplierID}, CoCommissionerName: opt.Value(r.CoCommissionerName),
		CoCommissionerShareBP: r.CoCommissionerShareBP,
		Eligibility:           Eligibility{MinAge: r.MinAge, MaxAge: r.MaxAge},
		Start:                 r.StartDate, End: r.EndDate, WindowOpens: r.ReferralWindowOpens, WindowCloses: r.ReferralWindowCloses,
		ReferralMailbox: opt.Value(r.ReferralMailbox), Description: opt.Value(r.Description), Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Extensions: []Extension{}, Subcontractors: []Subcontractor{},
	}
	for _, s := range r.Sexes {
		c.Eligibility.Sexes = append(c.Eligibility.Sexes, Sex(s))
	}
	for s, on := range map[Setting]bool{SettingCommunity: r.AcceptsCommunity, SettingLicence: r.AcceptsLicence, SettingPreRelease: r.AcceptsPreRelease} {
		if on {
			c.Eligibility.Settings = append(c.Eligibility.Settings, s)
		}
	}
	c.Eligibility = c.Eligibility.normalise()
	return c
}

type extensionRow struct {
	ContractID uuid.UUID
	Number     int
	StartDate  calendar.Date `gorm:"type:date"`
	EndDate    calendar.Date `gorm:"type:date"`
	Taken      bool
}

func (extensionRow) TableName() string { return "contract_extensions" }

type subcontractorRow struct {
	ID            uuid.UUID
	ContractID    uuid.UUID
	SupplierID    uuid.UUID
	AddedOn       calendar.Date `gorm:"type:date"`
	AddedBy       *uuid.UUID
	AddedReason   *string
	RemovedOn     calendar.Date `gorm:"type:date"`
	RemovedBy     *uuid.UUID
	RemovedReason *string
}

func (subcontractorRow) TableName() string { return "contract_subcontractors" }

func (r subcontractorRow) subcontractor(sums map[uuid.UUID]suppliers.Summary) Subcontractor {
	sum, ok := sums[r.SupplierID]
	if !ok {
		sum = suppliers.Summary{ID: r.SupplierID}
	}
	return Subcontractor{ID: r.ID, Supplier: sum, AddedOn: r.AddedOn, AddedBy: r.AddedBy, AddedReason: opt.Value(r.AddedReason),
		RemovedOn: r.RemovedOn, RemovedBy: r.RemovedBy, RemovedReason: opt.Value(r.RemovedReason)}
}

// Load reads a contract with its prime's summary, extensions and current supply chain, whoever asks:
// it is for the domains built on this one, which apply their own scope. An unknown id is not found.
func Load(ctx context.Context, db *gorm.DB, id uuid.UUID) (Contract, error) {
	return load(ctx, db, id, false)
}

func load(ctx context.Context, db *gorm.DB, id uuid.UUID, forUpdate bool) (Contract, error) {
	var r contractRow
	q := db.WithContext(ctx)
	if forUpdate {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Contract{}, apperr.NotFound("contract")
	}
	if err != nil {
		return Contract{}, fmt.Errorf("read contract %s: %w", id, err)
	}
	cs, err := assemble(ctx, db, []contractRow{r})
	if err != nil {
		return Contract{}, err
	}
	return cs[0], nil
}

// assemble converts rows and fills in, with one query each, their extensions, current supply chains
// and the suppliers' summaries.
func assemble(ctx context.Context, db *gorm.DB, rows []contractRow) ([]Contract, error) {
	out := make([]Contract, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var exts []extensionRow
	if err := db.WithContext(ctx).Where("contract_id IN ?", ids).Order("contract_id, number").Find(&exts).Error; err != nil {
		return nil, fmt.Errorf("read contract extensions: %w", err)
	}
	subs, err := subcontractorRows(ctx, db, ids, true)
	if err != nil {
		return nil, err
	}
	supplierIDs := make([]uuid.UUID, 0, len(rows)+len(subs))
	for _, r := range rows {
		supplierIDs = append(supplierIDs, r.PrimeSupplierID)
	}
	for _, s := range subs {
		supplierIDs = append(supplierIDs, s.SupplierID)
	}
	// A prime holds many contracts: read each supplier once, not once per contract.
	slices.SortFunc(supplierIDs, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	sums, err := suppliers.Summaries(ctx, db, slices.Compact(supplierIDs))
	if err != nil {
		return nil, err
	}
	index := make(map[uuid.UUID]int, len(rows))
	for i, r := range rows {
		out[i] = r.contract()
		if sum, ok := sums[r.PrimeSupplierID]; ok {
			out[i].Prime = sum
		}
		index[r.ID] = i
	}
	for _, e := range exts {
		c := &out[index[e.ContractID]]
		c.Extensions = append(c.Extensions, Extension{Number: e.Number, Start: e.StartDate, End: e.EndDate, Taken: e.Taken})
	}
	for _, s := range subs {
		c := &out[index[s.ContractID]]
		c.Subcontractors = append(c.Subcontractors, s.subcontractor(sums))
	}
	return out, nil
}

// subcontractorRows reads the supply chain memberships of the contracts in order of addition:
// only the current ones when currentOnly.
func subcontractorRows(ctx context.Context, db *gorm.DB, contractIDs []uuid.UUID, currentOnly bool) ([]subcontractorRow, error) {
	q := db.WithContext(ctx).Where("contract_id IN ?", contractIDs)
	if currentOnly {
		q = q.Where("removed_on IS NULL")
	}
	var rows []subcontractorRow
	if err := q.Order("contract_id, added_on, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read supply chain: %w", err)
	}
	return rows, nil
}

// supplyChainHistory returns every membership of the contract's supply chain, current and removed.
func supplyChainHistory(ctx context.Context, db *gorm.DB, contractID uuid.UUID) ([]Subcontractor, error) {
	rows, err := subcontractorRows(ctx, db, []uuid.UUID{contractID}, false)
	if err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.SupplierID
	}
	sums, err := suppliers.Summaries(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Subcontractor, len(rows))
	for i, r := range rows {
		out[i] = r.subcontractor(sums)
	}
	return out, nil
}

func insertContract(ctx context.Context, tx *gorm.DB, c Contract) error {
	row := rowOf(c)
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return translate(err)
	}
	if err := replaceExtensions(ctx, tx, c.ID, c.Extensions); err != nil {
		return err
	}
	for _, s := range c.Subcontractors {
		if err := insertSubcontractor(ctx, tx, c.ID, s); err != nil {
			return err
		}
	}
	return nil
}

// updateContract writes the contract's own row and extensions; the version and updated_at are the
// caller's to set.
func updateContract(ctx context.Context, tx *gorm.DB, c Contract) error {
	row := rowOf(c)
	if err := tx.WithContext(ctx).Select("*").Omit("id", "created_at").Save(&row).Error; err != nil {
		return translate(err)
	}
	return replaceExtensions(ctx, tx, c.ID, c.Extensions)
}

func replaceExtensions(ctx context.Context, tx *gorm.DB, contractID uuid.UUID, exts []Extension) error {
	if err := tx.WithContext(ctx).Where("contract_id = ?", contractID).Delete(&extensionRow{}).Error; err != nil {
		return fmt.Errorf("clear extensions: %w", err)
	}
	if len(exts) == 0 {
		return nil
	}
	rows := make([]extensionRow, len(exts))
	for i, e := range exts {
		rows[i] = extensionRow{ContractID: contractID, Number: e.Number, StartDate: e.Start, EndDate: e.End, Taken: e.Taken}
	}
	if err := tx.WithContext(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("store extensions: %w", err)
	}
	return nil
}

// bumpVersion records a change to the contract or anything it holds.
func bumpVersion(ctx context.Context, tx *gorm.DB, contractID uuid.UUID, now time.Time) (int, error) {
	var version int
	err := tx.WithContext(ctx).Raw(`UPDATE contracts SET version = version + 1, updated_at = ? WHERE id = ? RETURNING version`,
		now, contractID).Scan(&version).Error
	if err != nil {
		return 0, fmt.Errorf("bump contract version: %w", err)
	}
	return version, nil
}

func insertSubcontractor(ctx context.Context, tx *gorm.DB, contractID uuid.UUID, s Subcontractor) error {
	row := subcontractorRow{ID: s.ID, ContractID: contractID, SupplierID: s.Supplier.ID, AddedOn: s.AddedOn, AddedBy: s.AddedBy,
		AddedReason: opt.String(s.AddedReason)}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return translate(err)
	}
	return nil
}

func removeSubcontractor(ctx context.Context, tx *gorm.DB, s Subcontractor) error {
	err := tx.WithContext(ctx).Model(&subcontractorRow{}).Where("id = ? AND removed_on IS NULL", s.ID).
		Updates(map[string]any{"removed_on": s.RemovedOn, "removed_by": s.RemovedBy, "removed_reason": s.RemovedReason}).Error
	if err != nil {
		return fmt.Errorf("remove subcontractor: %w", err)
	}
	return nil
}

// listKey is the keyset of the contract list.
type listKey struct {
	Reference string    `json:"r"`
	ID        uuid.UUID `json:"i"`
}

// listFilter is ListParams resolved for the query.
type listFilter struct {
	ListParams
	Today calendar.Date
	After *listKey
}

// scopeWhere limits a query on contracts to the actor's scope.
func scopeWhere(q *gorm.DB, a actor.Actor) *gorm.DB {
	switch a.Role {
	case actor.RoleAdmin:
		return q
	case actor.RoleCommissioner:
		return q.Where("contracts.region_code = ANY(?)", pq.StringArray(a.Regions))
	case actor.RoleSupplier:
		return q.Where(`(contracts.prime_supplier_id = ? OR EXISTS (SELECT 1 FROM contract_subcontractors s
			WHERE s.contract_id = contracts.id AND s.supplier_id = ? AND s.removed_on IS NULL))`, a.SupplierID, a.SupplierID)
	default:
		return q.Where("false")
	}
}

func listContracts(ctx context.Context, db *gorm.DB, a actor.Actor, f listFilter) ([]Contract, error) {
	q := scopeWhere(db.WithContext(ctx).Model(&contractRow{}), a)
	if f.Region != "" {
		q = q.Where("contracts.region_code = ?", f.Region)
	}
	if f.PCCArea != "" {
		q = q.Where("contracts.pcc_area_code = ?", f.PCCArea)
	}
	if f.ContractType != "" {
		q = q.Where("contracts.contract_type_code = ?", f.ContractType)
	}
	if f.PrimeSupplierID != uuid.Nil {
		q = q.Where("contracts.prime_supplier_id = ?", f.PrimeSupplierID)
	}
	switch f.Status {
	case StatePending:
		q = q.Where("contracts.start_date > ?", f.Today)
	case StateLive:
		q = q.Where("contracts.start_date <= ? AND contracts.effective_end_date >= ?", f.Today, f.Today)
	case StateEnded:
		q = q.Where("contracts.effective_end_date < ?", f.Today)
	}
	if f.Text != "" {
		q = q.Where("contracts.reference ILIKE ?", likePattern(f.Text))
	}
	if f.After != nil {
		q = q.Where("(contracts.reference, contracts.id) > (?, ?)", f.After.Reference, f.After.ID)
	}
	var rows []contractRow
	if err := q.Order("contracts.reference, contracts.id").Limit(f.Page.Limit + 1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list contracts: %w", err)
	}
	return assemble(ctx, db, rows)
}

// violations are the errors the contract constraints a user can break become.
var violations = constraint.Rules{
	"contracts_reference_key": apperr.Taken("reference", "reference_taken", "Another contract has this reference."),
	"contract_subcontractors_current_key": apperr.Taken("supplier_id", "subcontractor_duplicate",
		"The supplier is already a subcontractor on this contract."),
}

// translate turns the constraint violations a user can cause into field errors.
func translate(err error) error { return constraint.Translate(err, violations) }
