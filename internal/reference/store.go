package reference

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Load reads the reference data.
func Load(ctx context.Context, db *gorm.DB) (*Data, error) {
	q := func() *gorm.DB { return db.WithContext(ctx) }
	d := &Data{}
	if err := q().Raw(`SELECT code, name FROM regions ORDER BY code`).Scan(&d.Regions).Error; err != nil {
		return nil, fmt.Errorf("load regions: %w", err)
	}
	if err := q().Raw(`SELECT code, name, region_code FROM pcc_areas ORDER BY position`).Scan(&d.PCCAreas).Error; err != nil {
		return nil, fmt.Errorf("load PCC areas: %w", err)
	}
	var cats []struct{ Code, Name string }
	if err := q().Raw(`SELECT code, name FROM service_categories ORDER BY position`).Scan(&cats).Error; err != nil {
		return nil, fmt.Errorf("load service categories: %w", err)
	}
	var levels []struct{ ServiceCategoryCode, Level, Description string }
	if err := q().Raw(`SELECT service_category_code, level, description FROM complexity_levels ORDER BY service_category_code, position`).Scan(&levels).Error; err != nil {
		return nil, fmt.Errorf("load complexity levels: %w", err)
	}
	var outcomes []struct {
		ID                  uuid.UUID
		ServiceCategoryCode string
		Description         string
	}
	if err := q().Raw(`SELECT id, service_category_code, description FROM desired_outcomes ORDER BY service_category_code, position`).Scan(&outcomes).Error; err != nil {
		return nil, fmt.Errorf("load desired outcomes: %w", err)
	}
	for _, c := range cats {
		sc := ServiceCategory{Code: c.Code, Name: c.Name, ComplexityLevels: []ComplexityLevel{}, Outcomes: []Outcome{}}
		for _, l := range levels {
			if l.ServiceCategoryCode == c.Code {
				sc.ComplexityLevels = append(sc.ComplexityLevels, ComplexityLevel{Level: l.Level, Description: l.Description})
			}
		}
		for _, o := range outcomes {
			if o.ServiceCategoryCode == c.Code {
				sc.Outcomes = append(sc.Outcomes, Outcome{ID: o.ID, Description: o.Description})
			}
		}
		d.Categories = append(d.Categories, sc)
	}
	var types []struct{ Code, Name string }
	if err := q().Raw(`SELECT code, name FROM contract_types ORDER BY position`).Scan(&types).Error; err != nil {
		return nil, fmt.Errorf("load contract types: %w", err)
	}
	var links []struct{ ContractTypeCode, ServiceCategoryCode string }
	if err := q().Raw(`SELECT contract_type_code, service_category_code FROM contract_type_categories ORDER BY contract_type_code, position`).Scan(&links).Error; err != nil {
		return nil, fmt.Errorf("load contract type categories: %w", err)
	}
	for _, t := range types {
		ct := ContractType{Code: t.Code, Name: t.Name, Categories: []string{}}
		for _, l := range links {
			if l.ContractTypeCode == t.Code {
				ct.Categories = append(ct.Categories, l.ServiceCategoryCode)
			}
		}
		d.ContractTypes = append(d.ContractTypes, ct)
	}
	if err := q().Raw(`SELECT code, label, reason_group AS "group", counts_towards_volume FROM withdrawal_reasons ORDER BY position`).Scan(&d.WithdrawalReasons).Error; err != nil {
		return nil, fmt.Errorf("load withdrawal reasons: %w", err)
	}
	return d, nil
}
