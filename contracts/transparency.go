package contracts

import (
	"strconv"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/internal/reference"
	"github.com/crsplatform/crs/suppliers"
)

// PublicContract is an awarded contract as the public sees it (DOMAIN "Suppliers and the framework":
// reference, value, location, prime and its status, and the supply chain). Only live and ended
// contracts are published; a pending one is not yet delivering anything.
type PublicContract struct {
	Contract
	Place
	Valuation
}

// Valuation is a published contract's status and annual value on a day (the as-of day).
type Valuation struct {
	// Status is the contract's state on the as-of day: live or ended.
	Status State
	// ValueYear is the contract year the value is taken from: the year running on the as-of day for a
	// live contract, the last year for an ended one.
	ValueYear int
	// AnnualValue is the annual price of the payment basis band in force on the as-of day in
	// ValueYear (for an ended contract, the band in force when its last year ended). It is the agreed
	// annual price, not pro-rated for a part year: what the contract is worth a year. It is nil when
	// that year has no band table and so no basis band yet.
	AnnualValue *money.Pence
}

// valueYear returns the contract year the value of a contract running from start to effectiveEnd
// is taken from on day asOf (the year running that day when live, the last year when ended), with
// the contract's status that day. It returns false for a contract not published that day (pending).
func valueYear(start, effectiveEnd, asOf calendar.Date) (Year, State, bool) {
	years, err := Years(start, effectiveEnd)
	if err != nil || len(years) == 0 || asOf.Before(start) {
		return Year{}, StatePending, false
	}
	if asOf.After(effectiveEnd) {
		return years[len(years)-1], StateEnded, true
	}
	y, ok := YearOn(years, asOf)
	return y, StateLive, ok
}

// valuation values a published contract on day asOf from its value year in detail (see valueYear),
// of which only the basis band history and the bands it names are needed.
func valuation(y YearDetail, st State, asOf calendar.Date) Valuation {
	out := Valuation{Status: st, ValueYear: y.Number}
	if p, ok := y.BasisOn(asOf); ok {
		v := p.Band.AnnualPrice
		out.AnnualValue = &v
	}
	return out
}

// ValuedContract is what the value summary needs of a published contract.
type ValuedContract struct {
	// RegionCode is the contract's region; for a PCC-level contract, its PCC area's region.
	RegionCode string
	PrimeID    uuid.UUID
	PrimeType  suppliers.OrganisationType
	// AnnualValue is as in Valuation: nil when the value year has no basis band yet.
	AnnualValue *money.Pence
}

// TypeValue is the value of the contracts whose prime is of one organisation type, in one scope.
type TypeValue struct {
	OrganisationType suppliers.OrganisationType
	// Value is the sum of the annual values of the contracts whose prime has this type.
	Value money.Pence
	// ShareBP is Value as a share of the scope's total in basis points (6667 is 66.67 %), rounded half
	// up with integer arithmetic; 0 when the total is 0. Rounded shares need not add up to 10000.
	ShareBP int
	// Contracts counts the contracts whose prime has this type, with or without a value.
	Contracts int
	// Primes counts the distinct prime providers of this type holding those contracts.
	Primes int
}

// ScopeValue is the share of contract value by the prime's organisation type in one scope: the whole
// country or one region (PCC-level contracts count in their PCC area's region).
//
// "Value going to VCSE (or SME) organisations" means here the annual value of the contracts whose
// PRIME is a VCSE (or SME) organisation: the whole of a contract's value is attributed to its prime.
// The platform does not record what a prime pays its subcontractors, so value reaching VCSE or SME
// organisations through supply chains is not counted (and not subtracted from a large prime).
type ScopeValue struct {
	// RegionCode and RegionName are empty for the national scope.
	RegionCode string
	RegionName string
	// Total is the sum of the annual values of the scope's contracts.
	Total money.Pence
	// ByType has one entry per organisation type, in the order VCSE, SME, LARGE.
	ByType []TypeValue
	// Contracts counts the scope's published contracts; ContractsWithoutValue those among them whose
	// value year has no basis band yet (they add nothing to the totals).
	Contracts             int
	ContractsWithoutValue int
	// Primes counts the distinct prime providers of the scope's contracts; VCSEPrimes those that are
	// VCSE organisations.
	Primes     int
	VCSEPrimes int
}

// TypeValueOf returns the entry for one organisation type.
func (s ScopeValue) TypeValueOf(t suppliers.OrganisationType) TypeValue {
	for _, tv := range s.ByType {
		if tv.OrganisationType == t {
			return tv
		}
	}
	return TypeValue{OrganisationType: t}
}

// ValueSummary is the share of contract value by the prime's organisation type, nationally and per
// region, over the contracts published (see PublicContract) on AsOf.
type ValueSummary struct {
	AsOf     calendar.Date
	National ScopeValue
	// Regions has every region, in order of code, including those without contracts.
	Regions []ScopeValue
}

// Summarise adds up published contracts into a national scope and one scope per region given.
// Contracts of a region not given count nationally only.
func Summarise(asOf calendar.Date, regions []reference.Region, cs []ValuedContract) ValueSummary {
	out := ValueSummary{AsOf: asOf, National: sumScope("", "", cs), Regions: make([]ScopeValue, len(regions))}
	byRegion := map[string][]ValuedContract{}
	for _, c := range cs {
		byRegion[c.RegionCode] = append(byRegion[c.RegionCode], c)
	}
	for i, r := range regions {
		out.Regions[i] = sumScope(r.Code, r.Name, byRegion[r.Code])
	}
	return out
}

func sumScope(code, name string, cs []ValuedContract) ScopeValue {
	out := ScopeValue{RegionCode: code, RegionName: name, Contracts: len(cs)}
	primes := map[uuid.UUID]suppliers.OrganisationType{}
	byType := map[suppliers.OrganisationType]*TypeValue{}
	for _, t := range suppliers.OrganisationTypes {
		byType[t] = &TypeValue{OrganisationType: t}
	}
	for _, c := range cs {
		t := c.PrimeType
		primes[c.PrimeID] = t
		tv, known := byType[t]
		if known {
			tv.Contracts++
		}
		if c.AnnualValue == nil {
			out.ContractsWithoutValue++
			continue
		}
		out.Total += *c.AnnualValue
		if known {
			tv.Value += *c.AnnualValue
		}
	}
	out.Primes = len(primes)
	for _, t := range primes {
		if tv, ok := byType[t]; ok {
			tv.Primes++
		}
		if t == suppliers.TypeVCSE {
			out.VCSEPrimes++
		}
	}
	for _, t := range suppliers.OrganisationTypes {
		tv := *byType[t]
		tv.ShareBP = ShareBP(tv.Value, out.Total)
		out.ByType = append(out.ByType, tv)
	}
	return out
}

// ShareBP returns part as a share of total in basis points, rounded half up, with integer arithmetic
// only: 2 of 3 is 6667 (66.67 %). It returns 0 when total is not positive. The products stay within
// int64 for totals up to about £4.6 trillion.
func ShareBP(part, total money.Pence) int {
	if total <= 0 || part <= 0 {
		return 0
	}
	return int((int64(part)*20000 + int64(total)) / (2 * int64(total)))
}

// PoundsText formats an amount as pounds with two decimals and no currency sign or separators, for
// files that spreadsheets read as numbers: 3000000 pence is "30000.00", -5 pence is "-0.05".
func PoundsText(p money.Pence) string {
	v, sign := int64(p), ""
	if v < 0 {
		v, sign = -v, "-"
	}
	frac := strconv.FormatInt(v%100, 10)
	if len(frac) < 2 {
		frac = "0" + frac
	}
	return sign + strconv.FormatInt(v/100, 10) + "." + frac
}
