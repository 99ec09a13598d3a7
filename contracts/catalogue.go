package contracts

import (
	"fmt"
	"slices"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/enum"
	"github.com/crsplatform/crs/internal/page"
	"github.com/crsplatform/crs/internal/reference"
)

// MaxCatalogueAge is the largest age the catalogue accepts as a filter; anything above is a typing
// mistake rather than a person on probation.
const MaxCatalogueAge = 130

// CatalogueSort is the order of the catalogue's entries. Every order ends with the reference and the
// id, so that it is total and the keyset cursor is stable.
type CatalogueSort string

// The catalogue's orders.
const (
	// SortReference orders by reference (the default).
	SortReference CatalogueSort = "reference"
	// SortPrime orders by the prime's legal name, then reference.
	SortPrime CatalogueSort = "prime"
	// SortContractType orders by the contract type's name, then reference.
	SortContractType CatalogueSort = "contract_type"
)

// ParseCatalogueSort parses "reference", "prime" or "contract_type"; "" is SortReference. It returns
// an invalid error (field sort, code invalid_sort) for anything else.
func ParseCatalogueSort(s string) (CatalogueSort, error) {
	return enum.ParseOr("sort", "invalid_sort", s, SortReference, SortReference, SortPrime, SortContractType)
}

// ParseSex parses "MALE" or "FEMALE" (exactly, in capitals). It returns an invalid error (field sex,
// code invalid_sex) for anything else.
func ParseSex(s string) (Sex, error) {
	return enum.Parse("sex", "invalid_sex", s, Sexes()...)
}

// ParseSetting parses COMMUNITY, LICENCE or PRE_RELEASE. It returns an invalid error (field
// setting, code invalid_setting) for anything else.
func ParseSetting(s string) (Setting, error) {
	return enum.Parse("setting", "invalid_setting", s, Settings()...)
}

// CatalogueParams filter the catalogue; zero values do not filter.
type CatalogueParams struct {
	// Date is the day the contracts must be open for referral on; zero is today.
	Date calendar.Date
	// Region matches the contracts of that region, region-level and PCC-level.
	Region string
	// PCCArea matches the PCC-level contracts of that area and the region-level contracts of its
	// region.
	PCCArea string
	// ServiceCategory matches the contracts whose contract type offers the category.
	ServiceCategory string
	ContractType    string
	// Sex matches the contracts whose eligibility allows it.
	Sex Sex
	// Age matches the contracts with min_age <= Age and, when they have one, max_age >= Age.
	Age *int
	// Setting matches the contracts that accept referrals in it.
	Setting Setting
	// Text is matched, ignoring case, anywhere in the reference, the description, the prime's legal
	// or trading name and the contract type's name.
	Text string
	// Sort is the order; zero is SortReference.
	Sort CatalogueSort
	Page page.Params
	// Offset skips that many entries (numbered pages of the web catalogue); it is ignored with a
	// cursor. The catalogue holds at most a few hundred contracts open at once, so skipping is cheap.
	Offset int
}

// validate checks the filters against the reference data and the enumerations, reporting every
// problem found: unknown_region, unknown_pcc_area, unknown_service_category, unknown_contract_type, invalid_sex,
// invalid_setting, invalid_age and invalid_sort, each on the query parameter's name.
func (p CatalogueParams) validate(ref *reference.Data) error {
	var f apperr.Fields
	if p.Region != "" {
		_, ok := ref.Region(p.Region)
		f.Check(ok, "region", "unknown_region", fmt.Sprintf("There is no region %q.", p.Region))
	}
	if p.PCCArea != "" {
		_, ok := ref.PCCArea(p.PCCArea)
		f.Check(ok, "pcc_area", "unknown_pcc_area", fmt.Sprintf("There is no PCC area %q.", p.PCCArea))
	}
	if p.ServiceCategory != "" {
		_, ok := ref.Category(p.ServiceCategory)
		f.Check(ok, "service_category", "unknown_service_category", fmt.Sprintf("There is no service category %q.", p.ServiceCategory))
	}
	if p.ContractType != "" {
		_, ok := ref.ContractType(p.ContractType)
		f.Check(ok, "contract_type", "unknown_contract_type", fmt.Sprintf("There is no contract type %q.", p.ContractType))
	}
	if p.Sex != "" {
		f.Check(slices.Contains(Sexes(), p.Sex), "sex", "invalid_sex", "sex must be MALE or FEMALE")
	}
	if p.Setting != "" {
		f.Check(slices.Contains(Settings(), p.Setting), "setting", "invalid_setting", "setting must be COMMUNITY, LICENCE or PRE_RELEASE")
	}
	if p.Age != nil {
		f.Check(*p.Age >= 0 && *p.Age <= MaxCatalogueAge, "age", "invalid_age",
			fmt.Sprintf("age must be a whole number of years from 0 to %d", MaxCatalogueAge))
	}
	if p.Sort != "" {
		_, err := ParseCatalogueSort(string(p.Sort))
		f.Check(err == nil, "sort", "invalid_sort", "sort must be reference, prime or contract_type")
	}
	return f.Err("the catalogue filters are not valid")
}

// Place is a contract's contract type and area with their reference data, for display.
type Place struct {
	ContractType reference.ContractType
	// Categories are the contract type's service categories, in the order offered.
	Categories []reference.ServiceCategory
	Region     reference.Region
	// PCCArea is the zero value for a region-level contract.
	PCCArea reference.PCCArea
}

// CatalogueEntry is a contract as the catalogue shows it to the people who refer to it.
type CatalogueEntry struct {
	Contract
	Place
	// Date is the day OpenForReferral was decided for.
	Date calendar.Date
	// OpenForReferral reports whether the contract takes referrals on Date: it is live that day and
	// its referral window contains it.
	OpenForReferral bool
}

// OpenOn reports whether the contract takes referrals on day d: it is live that day and its referral
// window contains d. (The window lies inside the contract, so the first condition only guards
// against a contract whose dates were changed after its window.)
func (c Contract) OpenOn(d calendar.Date) bool {
	return c.StateOn(d) == StateLive && !d.Before(c.WindowOpens) && !d.After(c.WindowCloses)
}
