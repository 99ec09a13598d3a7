package contracts

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/calendar"
)

// catalogueKey is the keyset of the catalogue: the sort it was issued for (a cursor is refused under
// another), the sort's leading value (the prime's legal name or the contract type's name; empty when
// sorting by reference), the reference and the id.
type catalogueKey struct {
	Sort      CatalogueSort `json:"s"`
	Lead      string        `json:"l,omitempty"`
	Reference string        `json:"r"`
	ID        uuid.UUID     `json:"i"`
}

// catalogueFilter is CatalogueParams resolved for the query.
type catalogueFilter struct {
	CatalogueParams
	// PCCRegion is the region of PCCArea, whose region-level contracts cover the area.
	PCCRegion string
	After     *catalogueKey
}

// catalogueRow is a contract row with the leading values of the orders, read in the same query so
// that a cursor carries exactly what the database sorted on.
type catalogueRow struct {
	Row       contractRow `gorm:"embedded"`
	PrimeName string
	TypeName  string
}

// likePattern makes an ILIKE pattern matching s anywhere, with the pattern characters in s escaped.
func likePattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s) + "%"
}

// catalogueContracts returns up to Page.Limit+1 contracts open for referral on f.Date and matching
// the filters, in the order asked, each with the leading value of its sort key. Every filter is a
// condition of the one query: nothing is filtered after loading.
func catalogueContracts(ctx context.Context, db *gorm.DB, f catalogueFilter) ([]Contract, []string, error) {
	q := catalogueWhere(db.WithContext(ctx).Table("contracts").
		Select("contracts.*, prime.legal_name AS prime_name, ct.name AS type_name"), f)
	lead := ""
	switch f.Sort {
	case SortPrime:
		lead = "prime.legal_name"
	case SortContractType:
		lead = "ct.name"
	}
	if lead == "" {
		if f.After != nil {
			q = q.Where("(contracts.reference, contracts.id) > (?, ?)", f.After.Reference, f.After.ID)
		}
		q = q.Order("contracts.reference, contracts.id")
	} else {
		if f.After != nil {
			q = q.Where("("+lead+", contracts.reference, contracts.id) > (?, ?, ?)", f.After.Lead, f.After.Reference, f.After.ID)
		}
		q = q.Order(lead + ", contracts.reference, contracts.id")
	}
	if f.After == nil && f.Offset > 0 {
		q = q.Offset(f.Offset)
	}
	var rows []catalogueRow
	if err := q.Limit(f.Page.Limit + 1).Find(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("search the catalogue: %w", err)
	}
	plain := make([]contractRow, len(rows))
	leads := make([]string, len(rows))
	for i, r := range rows {
		plain[i] = r.Row
		switch f.Sort {
		case SortPrime:
			leads[i] = r.PrimeName
		case SortContractType:
			leads[i] = r.TypeName
		}
	}
	cs, err := assemble(ctx, db, plain)
	if err != nil {
		return nil, nil, err
	}
	return cs, leads, nil
}

// catalogueCount counts the contracts catalogueContracts would list, across all pages.
func catalogueCount(ctx context.Context, db *gorm.DB, f catalogueFilter) (int, error) {
	var n int64
	if err := catalogueWhere(db.WithContext(ctx).Table("contracts"), f).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count the catalogue: %w", err)
	}
	return int(n), nil
}

// catalogueWhere joins the prime and the contract type and applies every filter of f except the
// cursor: the conditions that the list and its count share.
func catalogueWhere(q *gorm.DB, f catalogueFilter) *gorm.DB {
	q = q.Joins("JOIN suppliers prime ON prime.id = contracts.prime_supplier_id").
		Joins("JOIN contract_types ct ON ct.code = contracts.contract_type_code")
	q = openOn(q, f.Date)
	if f.Region != "" {
		q = q.Where("contracts.region_code = ?", f.Region)
	}
	if f.PCCArea != "" {
		q = q.Where("(contracts.pcc_area_code = ? OR (contracts.pcc_area_code IS NULL AND contracts.region_code = ?))", f.PCCArea, f.PCCRegion)
	}
	if f.ServiceCategory != "" {
		q = q.Where(`EXISTS (SELECT 1 FROM contract_type_categories ctc
			WHERE ctc.contract_type_code = contracts.contract_type_code AND ctc.service_category_code = ?)`, f.ServiceCategory)
	}
	if f.ContractType != "" {
		q = q.Where("contracts.contract_type_code = ?", f.ContractType)
	}
	if f.Sex != "" {
		q = q.Where("? = ANY(contracts.sexes)", string(f.Sex))
	}
	if f.Age != nil {
		q = q.Where("contracts.min_age <= ? AND (contracts.max_age IS NULL OR contracts.max_age >= ?)", *f.Age, *f.Age)
	}
	switch f.Setting {
	case SettingCommunity:
		q = q.Where("contracts.accepts_community")
	case SettingLicence:
		q = q.Where("contracts.accepts_licence")
	case SettingPreRelease:
		q = q.Where("contracts.accepts_pre_release")
	}
	if f.Text != "" {
		like := likePattern(f.Text)
		q = q.Where(`(contracts.reference ILIKE ? OR contracts.description ILIKE ? OR prime.legal_name ILIKE ?
			OR prime.trading_name ILIKE ? OR ct.name ILIKE ?)`, like, like, like, like, like)
	}
	return q
}

// openOn limits a query on contracts to those open for referral on d: live that day, with a referral
// window containing it.
func openOn(q *gorm.DB, d calendar.Date) *gorm.DB {
	return q.Where(`contracts.start_date <= ? AND contracts.effective_end_date >= ?
		AND contracts.referral_window_opens <= ? AND contracts.referral_window_closes >= ?`, d, d, d, d)
}
