package volumes

import (
	"fmt"
	"maps"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
)

// MonthVolume is one calendar month's counted referrals with their category and complexity splits.
type MonthVolume struct {
	Month        calendar.Month `json:"month"`
	Referrals    int            `json:"referrals"`
	ByCategory   map[string]int `json:"by_category"`
	ByComplexity map[string]int `json:"by_complexity"`
}

// Picture is a contract year's volume position on a day: what reconciliation computes and snapshots.
type Picture struct {
	ContractID   uuid.UUID
	Reference    string
	ContractType string
	RegionCode   string
	PCCAreaCode  string
	Year         contracts.Year
	AsOf         calendar.Date
	// CountedYTD counts the referrals sent from the year's start to AsOf (or the year's end) that count.
	CountedYTD   int
	Months       []MonthVolume
	ByCategory   map[string]int
	ByComplexity map[string]int
	// Projected is nil in the year's first 14 days; DaysElapsed is what it rests on.
	Projected   *int
	DaysElapsed int
	// IndicatedBand is the band the projection falls in (counted YTD without a projection); 0 when
	// the year has no band table.
	IndicatedBand int
	BasisBand     int
	BasisPrice    money.Pence
	// Cap is the effective cap: the latest cap variation's, or the band table's.
	Cap            int
	PercentOfCapBP int
	Status         Status
	OverCap        int
	AlertsDue      []AlertKind
	// Paid is the entitlements paid for the year on or before AsOf (paid monthly requests, a month
	// shared with the neighbouring year split in proportion; balancing payments are not entitlements).
	Paid money.Pence
	// Binding is set once the year has ended (AsOf after its last day).
	Binding *Binding
}

// Ended reports whether the picture is of a finished contract year.
func (p Picture) Ended() bool { return p.Binding != nil }

// Binding is an ended contract year's settlement figures (DOMAIN: binding band, year-end balance).
type Binding struct {
	Band int
	// Rule says how the band was chosen: "within band", "below band 1: guaranteed minimum" or "above the cap".
	Rule string
	// Price is the binding band's annual price, pro-rated for a part year.
	Price            money.Pence
	EntitlementsPaid money.Pence
	// Balance is Price - EntitlementsPaid: positive, a balancing payment is due; negative, a recovery.
	Balance money.Pence
	OverCap int
}

// Binding rules.
const (
	RuleWithinBand   = "within band"
	RuleBelowBandOne = "below band 1: band 1, the guaranteed minimum"
	RuleAboveCap     = "above the cap: the top band, excess reported as over-cap referrals"
)

// Build computes a contract year's picture from its counted referrals (v holds only the referrals
// sent in the year up to asOf) and the entitlements paid for the year by asOf, which settle an ended
// year. It is pure: Pictures gathers its inputs for many years at once.
func Build(c contracts.WithYears, y contracts.YearDetail, v Volume, asOf calendar.Date, paid money.Pence) Picture {
	p := Picture{
		ContractID: c.ID, Reference: c.Reference, ContractType: c.ContractTypeCode, RegionCode: c.Area.RegionCode,
		PCCAreaCode: c.Area.PCCAreaCode, Year: y.Year, AsOf: asOf, CountedYTD: v.Total,
		Months: make([]MonthVolume, 0, len(v.Months)), ByCategory: map[string]int{}, ByComplexity: map[string]int{},
		Cap: y.EffectiveCap(), Paid: paid,
	}
	for _, m := range v.Months {
		p.Months = append(p.Months, MonthVolume{Month: m.Month, Referrals: m.Referrals, ByCategory: maps.Clone(m.ByCategory), ByComplexity: maps.Clone(m.ByComplexity)})
		for k, n := range m.ByCategory {
			p.ByCategory[k] += n
		}
		for k, n := range m.ByComplexity {
			p.ByComplexity[k] += n
		}
	}
	basisDay := asOf
	if basisDay.After(y.End) {
		basisDay = y.End
	}
	if bp, ok := y.BasisOn(basisDay); ok {
		p.BasisBand, p.BasisPrice = bp.Band.Number, bp.Band.AnnualPrice
	}
	projected, elapsed, hasProjection := Projection(p.CountedYTD, y.Year, asOf)
	p.DaysElapsed = elapsed
	if hasProjection {
		p.Projected = &projected
	}
	if p.Cap > 0 {
		p.PercentOfCapBP = int(int64(p.CountedYTD) * 10000 / int64(p.Cap))
	}
	if p.CountedYTD > p.Cap {
		p.OverCap = p.CountedYTD - p.Cap
	}
	if len(y.Bands) > 0 {
		basis := p.CountedYTD
		if hasProjection {
			basis = projected
		}
		band, _ := contracts.BandFor(y.Bands, basis)
		p.IndicatedBand = band.Number
		p.Status = StatusOf(y.Bands, p.BasisBand, projected, hasProjection, p.CountedYTD, p.Cap)
	} else {
		p.Status = StatusGreen
	}
	p.AlertsDue = AlertsDue(p.Status, p.CountedYTD, p.Cap)
	if asOf.After(y.End) && len(y.Bands) > 0 {
		p.Binding = bind(y, p.CountedYTD, paid)
	}
	return p
}

// bind applies DOMAIN's year-end rule: the band containing the counted volume; below band 1's low,
// band 1 (the guaranteed minimum); above the cap, the top band with the excess reported.
func bind(y contracts.YearDetail, counted int, paid money.Pence) *Binding {
	band, over := contracts.BandFor(y.Bands, counted)
	rule := RuleWithinBand
	switch {
	case over > 0:
		rule = RuleAboveCap
	case counted < y.Bands[0].Low:
		rule = RuleBelowBandOne
	}
	price := contracts.ProRate(band.AnnualPrice, y.Year)
	return &Binding{Band: band.Number, Rule: rule, Price: price, EntitlementsPaid: paid, Balance: price - paid, OverCap: over}
}

// AlertMessage describes an alert for people.
func AlertMessage(p Picture, kind AlertKind) string {
	proj := "no projection yet"
	if p.Projected != nil {
		proj = fmt.Sprintf("projected %d", *p.Projected)
	}
	switch kind {
	case AlertAmber:
		return fmt.Sprintf("%s year %d is AMBER: %d counted, %s, outside payment basis band %d (cap %d).", p.Reference, p.Year.Number, p.CountedYTD, proj, p.BasisBand, p.Cap)
	case AlertRed:
		return fmt.Sprintf("%s year %d is RED: %d counted, %s, against a cap of %d.", p.Reference, p.Year.Number, p.CountedYTD, proj, p.Cap)
	case AlertNinetyPercent:
		return fmt.Sprintf("%s year %d has reached 90%% of its cap: %d of %d referrals counted.", p.Reference, p.Year.Number, p.CountedYTD, p.Cap)
	case AlertCapReached:
		return fmt.Sprintf("%s year %d has reached its cap of %d referrals: new referrals are refused unless the cap is varied.", p.Reference, p.Year.Number, p.Cap)
	}
	return fmt.Sprintf("%s year %d: %s", p.Reference, p.Year.Number, kind)
}
