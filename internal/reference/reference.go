// Package reference holds the platform's reference data, loaded by migrations and read once at start:
// probation regions, PCC areas, service categories with their complexity levels and desired outcomes,
// contract types with their categories, and withdrawal reasons. Domains validate against it.
package reference

import (
	"slices"

	"github.com/google/uuid"
)

// Region is a probation region (codes A to L).
type Region struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// PCCArea is a Police and Crime Commissioner area; it lies in one region.
type PCCArea struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
}

// ComplexityLevel describes one level of need for a category.
type ComplexityLevel struct {
	Level       string `json:"level"`
	Description string `json:"description"`
}

// Outcome is a desired outcome of a category.
type Outcome struct {
	ID          uuid.UUID `json:"id"`
	Description string    `json:"description"`
}

// ServiceCategory is a need area with its complexity levels and desired outcomes.
type ServiceCategory struct {
	Code             string            `json:"code"`
	Name             string            `json:"name"`
	ComplexityLevels []ComplexityLevel `json:"complexity_levels"`
	Outcomes         []Outcome         `json:"desired_outcomes"`
}

// ContractType is what a contract delivers, with the categories it offers.
type ContractType struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Categories []string `json:"service_categories"`
}

// WithdrawalReason is why a referral was withdrawn.
type WithdrawalReason struct {
	Code                string `json:"code"`
	Label               string `json:"label"`
	Group               string `json:"group"`
	CountsTowardsVolume bool   `json:"counts_towards_volume"`
}

// Data is the whole reference set, read-only after Load.
type Data struct {
	Regions           []Region
	PCCAreas          []PCCArea
	Categories        []ServiceCategory
	ContractTypes     []ContractType
	WithdrawalReasons []WithdrawalReason
}

// Region returns the region with the code.
func (d *Data) Region(code string) (Region, bool) {
	i := slices.IndexFunc(d.Regions, func(r Region) bool { return r.Code == code })
	if i < 0 {
		return Region{}, false
	}
	return d.Regions[i], true
}

// PCCArea returns the PCC area with the code.
func (d *Data) PCCArea(code string) (PCCArea, bool) {
	i := slices.IndexFunc(d.PCCAreas, func(p PCCArea) bool { return p.Code == code })
	if i < 0 {
		return PCCArea{}, false
	}
	return d.PCCAreas[i], true
}

// PCCAreasOf lists the PCC areas of a region.
func (d *Data) PCCAreasOf(region string) []PCCArea {
	var out []PCCArea
	for _, p := range d.PCCAreas {
		if p.RegionCode == region {
			out = append(out, p)
		}
	}
	return out
}

// Category returns the service category with the code.
func (d *Data) Category(code string) (ServiceCategory, bool) {
	i := slices.IndexFunc(d.Categories, func(c ServiceCategory) bool { return c.Code == code })
	if i < 0 {
		return ServiceCategory{}, false
	}
	return d.Categories[i], true
}

// ContractType returns the contract type with the code.
func (d *Data) ContractType(code string) (ContractType, bool) {
	i := slices.IndexFunc(d.ContractTypes, func(t ContractType) bool { return t.Code == code })
	if i < 0 {
		return ContractType{}, false
	}
	return d.ContractTypes[i], true
}

// Outcome returns a desired outcome of the category.
func (d *Data) Outcome(category string, id uuid.UUID) (Outcome, bool) {
	c, ok := d.Category(category)
	if !ok {
		return Outcome{}, false
	}
	i := slices.IndexFunc(c.Outcomes, func(o Outcome) bool { return o.ID == id })
	if i < 0 {
		return Outcome{}, false
	}
	return c.Outcomes[i], true
}

// WithdrawalReason returns the withdrawal reason with the code.
func (d *Data) WithdrawalReason(code string) (WithdrawalReason, bool) {
	i := slices.IndexFunc(d.WithdrawalReasons, func(w WithdrawalReason) bool { return w.Code == code })
	if i < 0 {
		return WithdrawalReason{}, false
	}
	return d.WithdrawalReasons[i], true
}
