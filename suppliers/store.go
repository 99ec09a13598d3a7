package suppliers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/constraint"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/opt"
)

type supplierRow struct {
	ID                   uuid.UUID
	LegalName            string
	TradingName          *string
	OrganisationType     string
	CompaniesHouseNumber *string
	CharityNumber        *string
	AddressLine1         string  `gorm:"column:address_line1"`
	AddressLine2         *string `gorm:"column:address_line2"`
	Town                 string
	Postcode             string
	Status               string
	StatusReason         *string
	StatusEffective      calendar.Date
	Version              int
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

func (supplierRow) TableName() string { return "suppliers" }

// rowOf returns the row of a supplier's own columns (not its contacts, qualifications or history).
func rowOf(s Supplier) supplierRow {
	return supplierRow{
		ID: s.ID, LegalName: s.LegalName, TradingName: opt.String(s.TradingName), OrganisationType: string(s.OrganisationType),
		CompaniesHouseNumber: opt.String(s.CompaniesHouseNumber), CharityNumber: opt.String(s.CharityNumber),
		AddressLine1: s.Address.Line1, AddressLine2: opt.String(s.Address.Line2), Town: s.Address.Town, Postcode: s.Address.Postcode,
		Status: string(s.Status), StatusReason: opt.String(s.StatusReason), StatusEffective: s.StatusEffective,
		Version: s.Version, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
}

func (r supplierRow) supplier() Supplier {
	return Supplier{
		ID: r.ID, LegalName: r.LegalName, TradingName: opt.Value(r.TradingName), OrganisationType: OrganisationType(r.OrganisationType),
		CompaniesHouseNumber: opt.Value(r.CompaniesHouseNumber), CharityNumber: opt.Value(r.CharityNumber),
		Address: Address{Line1: r.AddressLine1, Line2: opt.Value(r.AddressLine2), Town: r.Town, Postcode: r.Postcode},
		Status:  Status(r.Status), StatusReason: opt.Value(r.StatusReason), StatusEffective: r.StatusEffective,
		Contacts: []Contact{}, Qualifications: []Qualification{}, StatusHistory: []StatusChange{},
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

type contactRow struct {
	ID         uuid.UUID
	SupplierID uuid.UUID
	Name       string
	Email      string
	Phone      *string
	Role       *string
	Position   int
}

func (contactRow) TableName() string { return "supplier_contacts" }

func (r contactRow) contact() Contact {
	return Contact{Name: r.Name, Email: r.Email, Phone: opt.Value(r.Phone), Role: opt.Value(r.Role)}
}

type qualificationRow struct {
	SupplierID          uuid.UUID `gorm:"primaryKey"`
	ServiceCategoryCode string    `gorm:"primaryKey"`
	RegionCode          string    `gorm:"primaryKey"`
	CreatedAt           time.Time
}

func (qualificationRow) TableName() string { return "supplier_qualifications" }

func (r qualificationRow) qualification() Qualification {
	return Qualification{ServiceCategory: r.ServiceCategoryCode, Region: r.RegionCode}
}

type statusChangeRow struct {
	ID            uuid.UUID
	SupplierID    uuid.UUID
	FromStatus    string
	ToStatus      string
	Reason        string
	EffectiveDate calendar.Date
	ChangedBy     *uuid.UUID
	ChangedAt     time.Time
}

func (statusChangeRow) TableName() string { return "supplier_status_changes" }

func (r statusChangeRow) change() StatusChange {
	return StatusChange{ID: r.ID, From: Status(r.FromStatus), To: Status(r.ToStatus), Reason: r.Reason,
		EffectiveDate: r.EffectiveDate, ChangedBy: r.ChangedBy, ChangedAt: r.ChangedAt.UTC()}
}

// Summaries returns the suppliers with the ids (missing ids are absent from the map).
func Summaries(ctx context.Context, db *gorm.DB, ids []uuid.UUID) (map[uuid.UUID]Summary, error) {
	out := make(map[uuid.UUID]Summary, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []supplierRow
	err := db.WithContext(ctx).Select("id", "legal_name", "trading_name", "organisation_type", "status").
		Where("id IN ?", ids).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read supplier summaries: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.supplier().Summary()
	}
	return out, nil
}

// MissingQualifications returns the categories (of those given) the supplier is NOT qualified for in the region, in the given order.
// A category given twice is returned once; an unknown supplier is qualified for nothing.
func MissingQualifications(ctx context.Context, db *gorm.DB, supplierID uuid.UUID, region string, categories []string) ([]string, error) {
	missing := []string{}
	if len(categories) == 0 {
		return missing, nil
	}
	var held []string
	err := db.WithContext(ctx).Model(&qualificationRow{}).
		Where("supplier_id = ? AND region_code = ? AND service_category_code IN ?", supplierID, region, categories).
		Pluck("service_category_code", &held).Error
	if err != nil {
		return nil, fmt.Errorf("read qualifications of supplier %s in region %s: %w", supplierID, region, err)
	}
	seen := make(map[string]bool, len(categories))
	for _, c := range held {
		seen[c] = true
	}
	for _, c := range categories {
		if !seen[c] {
			missing = append(missing, c)
			seen[c] = true
		}
	}
	return missing, nil
}

// supplierByID reads a supplier's own row, locking it when forUpdate. An unknown id is not found.
func supplierByID(ctx context.Context, db *gorm.DB, id uuid.UUID, forUpdate bool) (supplierRow, error) {
	var r supplierRow
	q := db.WithContext(ctx)
	if forUpdate {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return supplierRow{}, apperr.NotFound("supplier")
	}
	if err != nil {
		return supplierRow{}, fmt.Errorf("read supplier %s: %w", id, err)
	}
	return r, nil
}

// loadSupplier reads a supplier with its contacts, qualifications and status history.
func loadSupplier(ctx context.Context, db *gorm.DB, id uuid.UUID, forUpdate bool) (Supplier, error) {
	r, err := supplierByID(ctx, db, id, forUpdate)
	if err != nil {
		return Supplier{}, err
	}
	s := r.supplier()
	var contacts []contactRow
	if err := db.WithContext(ctx).Where("supplier_id = ?", id).Order("position").Find(&contacts).Error; err != nil {
		return Supplier{}, fmt.Errorf("read contacts of supplier %s: %w", id, err)
	}
	for _, c := range contacts {
		s.Contacts = append(s.Contacts, c.contact())
	}
	quals, err := qualificationsOf(ctx, db, []uuid.UUID{id})
	if err != nil {
		return Supplier{}, err
	}
	s.Qualifications = append(s.Qualifications, quals[id]...)
	var changes []statusChangeRow
	if err := db.WithContext(ctx).Where("supplier_id = ?", id).Order("changed_at, id").Find(&changes).Error; err != nil {
		return Supplier{}, fmt.Errorf("read status history of supplier %s: %w", id, err)
	}
	for _, c := range changes {
		s.StatusHistory = append(s.StatusHistory, c.change())
	}
	return s, nil
}

// qualificationsOf returns the qualifications of the suppliers, by region then category.
func qualificationsOf(ctx context.Context, db *gorm.DB, supplierIDs []uuid.UUID) (map[uuid.UUID][]Qualification, error) {
	out := make(map[uuid.UUID][]Qualification, len(supplierIDs))
	if len(supplierIDs) == 0 {
		return out, nil
	}
	var rows []qualificationRow
	err := db.WithContext(ctx).Where("supplier_id IN ?", supplierIDs).
		Order("supplier_id, region_code, service_category_code").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read supplier qualifications: %w", err)
	}
	for _, r := range rows {
		out[r.SupplierID] = append(out[r.SupplierID], r.qualification())
	}
	return out, nil
}

// insertSupplier inserts a new supplier with its contacts and qualifications.
func insertSupplier(ctx context.Context, tx *gorm.DB, s Supplier) error {
	row := rowOf(s)
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return translate(fmt.Errorf("insert supplier: %w", err))
	}
	if err := replaceContacts(ctx, tx, s.ID, s.Contacts); err != nil {
		return err
	}
	return replaceQualifications(ctx, tx, s.ID, s.Qualifications, s.CreatedAt)
}

// updateSupplier writes a supplier's own columns; the caller has checked and bumped the version.
func updateSupplier(ctx context.Context, tx *gorm.DB, s Supplier) error {
	row := rowOf(s)
	if err := tx.WithContext(ctx).Select("*").Omit("id", "created_at").Save(&row).Error; err != nil {
		return translate(fmt.Errorf("update supplier %s: %w", s.ID, err))
	}
	return nil
}

// replaceContacts makes the contacts the supplier's whole list, in order.
func replaceContacts(ctx context.Context, tx *gorm.DB, supplierID uuid.UUID, contacts []Contact) error {
	if err := tx.WithContext(ctx).Where("supplier_id = ?", supplierID).Delete(&contactRow{}).Error; err != nil {
		return fmt.Errorf("delete contacts of supplier %s: %w", supplierID, err)
	}
	if len(contacts) == 0 {
		return nil
	}
	rows := make([]contactRow, len(contacts))
	for i, c := range contacts {
		rows[i] = contactRow{ID: ids.New(), SupplierID: supplierID, Name: c.Name, Email: c.Email,
			Phone: opt.String(c.Phone), Role: opt.String(c.Role), Position: i + 1}
	}
	if err := tx.WithContext(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("insert contacts of supplier %s: %w", supplierID, err)
	}
	return nil
}

// replaceQualifications makes the qualifications the supplier's whole set. Qualifications it already
// held keep their created_at, so the date a supplier qualified survives edits of the list.
func replaceQualifications(ctx context.Context, tx *gorm.DB, supplierID uuid.UUID, quals []Qualification, now time.Time) error {
	del := tx.WithContext(ctx).Where("supplier_id = ?", supplierID)
	if len(quals) > 0 {
		keep := make([][]any, len(quals))
		for i, q := range quals {
			keep[i] = []any{q.ServiceCategory, q.Region}
		}
		del = del.Where("(service_category_code, region_code) NOT IN ?", keep)
	}
	if err := del.Delete(&qualificationRow{}).Error; err != nil {
		return fmt.Errorf("delete qualifications of supplier %s: %w", supplierID, err)
	}
	if len(quals) == 0 {
		return nil
	}
	rows := make([]qualificationRow, len(quals))
	for i, q := range quals {
		rows[i] = qualificationRow{SupplierID: supplierID, ServiceCategoryCode: q.ServiceCategory, RegionCode: q.Region, CreatedAt: now}
	}
	if err := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
		return translate(fmt.Errorf("insert qualifications of supplier %s: %w", supplierID, err))
	}
	return nil
}

// insertStatusChange records a status change.
func insertStatusChange(ctx context.Context, tx *gorm.DB, supplierID uuid.UUID, c StatusChange) error {
	row := statusChangeRow{ID: c.ID, SupplierID: supplierID, FromStatus: string(c.From), ToStatus: string(c.To), Reason: c.Reason,
		EffectiveDate: c.EffectiveDate, ChangedBy: c.ChangedBy, ChangedAt: c.ChangedAt}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("record status change of supplier %s: %w", supplierID, err)
	}
	return nil
}

// listFilter selects suppliers for a list page.
type listFilter struct {
	// OnlyID, when set, limits the list to one supplier (a supplier user's own organisation).
	OnlyID           uuid.UUID
	Status           Status
	OrganisationType OrganisationType
	Region           string
	ServiceCategory  string
	Text             string
	// After is the keyset position: lower(legal_name) and id of the last supplier of the previous page.
	After *listKey
	Limit int
}

// listKey is the keyset of the supplier list.
type listKey struct {
	Name string    `json:"n"`
	ID   uuid.UUID `json:"i"`
}

// listRow is a supplier row with the value it sorts by, as PostgreSQL computed it (so that the
// cursor compares exactly as the ORDER BY does).
type listRow struct {
	Row      supplierRow `gorm:"embedded"`
	SortName string
}

// listSuppliers returns suppliers ordered by lower(legal_name), id, with their qualifications, and the
// keyset of each.
func listSuppliers(ctx context.Context, db *gorm.DB, f listFilter) ([]Supplier, []listKey, error) {
	q := db.WithContext(ctx).Model(&supplierRow{}).Select("suppliers.*, lower(legal_name) AS sort_name")
	if f.OnlyID != uuid.Nil {
		q = q.Where("id = ?", f.OnlyID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.OrganisationType != "" {
		q = q.Where("organisation_type = ?", string(f.OrganisationType))
	}
	if f.Region != "" || f.ServiceCategory != "" {
		// One qualification must match both filters: qualified for the category in the region.
		sub := db.WithContext(ctx).Model(&qualificationRow{}).Select("1").Where("supplier_qualifications.supplier_id = suppliers.id")
		if f.Region != "" {
			sub = sub.Where("region_code = ?", f.Region)
		}
		if f.ServiceCategory != "" {
			sub = sub.Where("service_category_code = ?", f.ServiceCategory)
		}
		q = q.Where("EXISTS (?)", sub)
	}
	if f.Text != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(f.Text) + "%"
		q = q.Where("(legal_name ILIKE ? OR trading_name ILIKE ?)", like, like)
	}
	if f.After != nil {
		q = q.Where("(lower(legal_name), id) > (?, ?)", f.After.Name, f.After.ID)
	}
	var rows []listRow
	if err := q.Order("lower(legal_name), id").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("list suppliers: %w", err)
	}
	idsOf := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		idsOf[i] = r.Row.ID
	}
	quals, err := qualificationsOf(ctx, db, idsOf)
	if err != nil {
		return nil, nil, err
	}
	out := make([]Supplier, len(rows))
	keys := make([]listKey, len(rows))
	for i, r := range rows {
		out[i] = r.Row.supplier()
		out[i].Qualifications = append(out[i].Qualifications, quals[r.Row.ID]...)
		keys[i] = listKey{Name: r.SortName, ID: r.Row.ID}
	}
	return out, keys, nil
}

// violations are the errors the supplier constraints a user can break become.
var violations = constraint.Rules{
	"suppliers_legal_name_key":             apperr.Taken("legal_name", "legal_name_taken", "another supplier has this legal name"),
	"suppliers_companies_house_number_key": apperr.Taken("companies_house_number", "companies_house_number_taken", "another supplier has this Companies House number"),
	"suppliers_charity_number_key":         apperr.Taken("charity_number", "charity_number_taken", "another supplier has this charity number"),
	"suppliers_registration_check":         apperr.Invalid("the supplier is not valid", registrationRequired()...),
	"supplier_qualifications_service_category_code_fkey": constraint.Invalid("the supplier is not valid", "qualifications",
		"unknown_service_category", "a service category does not exist"),
	"supplier_qualifications_region_code_fkey": constraint.Invalid("the supplier is not valid", "qualifications", "unknown_region", "a region does not exist"),
}

// translate turns constraint violations into errors naming the field.
func translate(err error) error { return constraint.Translate(err, violations) }
