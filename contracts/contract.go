package contracts

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/enum"
	"github.com/crsplatform/crs/suppliers"
)

// Limits on a contract's free-text fields, in characters.
const (
	MaxReferenceLength      = 30
	MaxCoCommissionerLength = 200
	MaxDescriptionLength    = 4000
	MaxMailboxLength        = 254
)

// MinAge is the youngest age any contract may serve: the service is for adults on probation.
const MinAge = 18

// MaxShareBP is a co-commissioner's largest funding share, in basis points (100.00 %).
const MaxShareBP = 10000

// State is where a contract is in its life on a given day: pending before its start date, live from
// its start date to its effective end date (both included), ended after. It is derived from the
// dates, never stored. (Status, in this package, is a contract year's volume status.)
type State string

// The states of a contract.
const (
	StatePending State = "pending"
	StateLive    State = "live"
	StateEnded   State = "ended"
)

// ParseState parses "pending", "live" or "ended"; it returns an invalid error (field "status", code
// invalid_status) for anything else.
func ParseState(s string) (State, error) {
	return enum.Parse("status", "invalid_status", s, StatePending, StateLive, StateEnded)
}

// Sex is a sex a contract's service is for.
type Sex string

// The sexes.
const (
	SexMale   Sex = "MALE"
	SexFemale Sex = "FEMALE"
)

// Sexes lists every sex in canonical order.
func Sexes() []Sex { return []Sex{SexMale, SexFemale} }

// Setting is a setting a contract accepts referrals in.
type Setting string

// The settings.
const (
	// SettingCommunity is a community sentence with a Rehabilitation Activity Requirement.
	SettingCommunity Setting = "COMMUNITY"
	// SettingLicence is licence or post-sentence supervision.
	SettingLicence Setting = "LICENCE"
	// SettingPreRelease is custody before release.
	SettingPreRelease Setting = "PRE_RELEASE"
)

// Settings lists every setting in canonical order.
func Settings() []Setting { return []Setting{SettingCommunity, SettingLicence, SettingPreRelease} }

// Eligibility says whom a contract may serve.
type Eligibility struct {
	// Sexes are the sexes the service is for, in canonical order.
	Sexes []Sex
	// MinAge and MaxAge bound the person's age, both included; a nil MaxAge is no upper limit.
	MinAge int
	MaxAge *int
	// Settings are the settings the contract accepts referrals in, in canonical order.
	Settings []Setting
}

// Accepts reports whether the setting is one the contract accepts.
func (e Eligibility) Accepts(s Setting) bool { return slices.Contains(e.Settings, s) }

// Allows reports whether a person of the sex and age, referred in the setting, is eligible.
func (e Eligibility) Allows(sex Sex, age int, s Setting) bool {
	return slices.Contains(e.Sexes, sex) && age >= e.MinAge && (e.MaxAge == nil || age <= *e.MaxAge) && e.Accepts(s)
}

// normalise puts sexes and settings in canonical order.
func (e Eligibility) normalise() Eligibility {
	out := e
	out.Sexes = nil
	for _, s := range Sexes() {
		if slices.Contains(e.Sexes, s) {
			out.Sexes = append(out.Sexes, s)
		}
	}
	out.Settings = nil
	for _, s := range Settings() {
		if slices.Contains(e.Settings, s) {
			out.Settings = append(out.Settings, s)
		}
	}
	return out
}

// Area is where a contract delivers: a whole region, or one PCC area (which lies in one region).
type Area struct {
	// RegionCode is the contract's region; for a PCC-level contract, the PCC area's region. Scope is
	// always decided on it.
	RegionCode string
	// PCCAreaCode is set only for PCC-level contracts.
	PCCAreaCode string
}

// IsPCC reports whether the contract is PCC-level.
func (a Area) IsPCC() bool { return a.PCCAreaCode != "" }

// Extension is an optional extension period. Extension 1 starts the day after the contract's end
// date and each later one the day after the previous one ends; taken ones extend the contract.
type Extension struct {
	Number     int
	Start, End calendar.Date
	Taken      bool
}

// Subcontractor is one membership of a contract's supply chain. A removal keeps the record:
// RemovedOn is zero while the supplier is in the supply chain.
type Subcontractor struct {
	ID            uuid.UUID
	Supplier      suppliers.Summary
	AddedOn       calendar.Date
	AddedBy       *uuid.UUID
	AddedReason   string
	RemovedOn     calendar.Date
	RemovedBy     *uuid.UUID
	RemovedReason string
}

// Current reports whether the supplier is still in the supply chain.
func (s Subcontractor) Current() bool { return s.RemovedOn.IsZero() }

// Contract is a contract called off the framework, with its current supply chain.
type Contract struct {
	ID uuid.UUID
	// Reference is unique (whatever the case), 1 to 30 characters.
	Reference        string
	ContractTypeCode string
	Area             Area
	Prime            suppliers.Summary
	// Subcontractors is the current supply chain (removed members are in the history only).
	Subcontractors []Subcontractor
	// CoCommissionerName is empty when the contract has no co-commissioner.
	CoCommissionerName string
	// CoCommissionerShareBP is the co-commissioner's funding share in basis points (2500 = 25.00 %),
	// nil when not recorded.
	CoCommissionerShareBP *int
	Eligibility           Eligibility
	// Start and End are the contract's first and last days, before any extension.
	Start, End calendar.Date
	// Extensions are in order of number, from 1.
	Extensions []Extension
	// WindowOpens and WindowCloses bound the days referrals may be sent, both included.
	WindowOpens, WindowCloses calendar.Date
	ReferralMailbox           string
	Description               string
	Version                   int
	CreatedAt                 time.Time
	UpdatedAt                 time.Time
}

// EffectiveEnd returns the contract's last day: the end of the last extension taken, or the end date.
func (c Contract) EffectiveEnd() calendar.Date {
	end := c.End
	for _, e := range c.Extensions {
		if e.Taken && e.End.After(end) {
			end = e.End
		}
	}
	return end
}

// StateOn returns the contract's state on day d.
func (c Contract) StateOn(d calendar.Date) State {
	switch {
	case d.Before(c.Start):
		return StatePending
	case d.After(c.EffectiveEnd()):
		return StateEnded
	default:
		return StateLive
	}
}

// Years returns the contract years from the start date to the effective end (see Years).
func (c Contract) Years() ([]Year, error) { return Years(c.Start, c.EffectiveEnd()) }

// HasSupplier reports whether the supplier is the prime or a current subcontractor: the supplier
// users who may read the contract.
func (c Contract) HasSupplier(id uuid.UUID) bool {
	if id == uuid.Nil {
		return false
	}
	if c.Prime.ID == id {
		return true
	}
	return slices.ContainsFunc(c.Subcontractors, func(s Subcontractor) bool { return s.Supplier.ID == id && s.Current() })
}

// Validate checks the rules a contract's own fields must follow; the service adds those that need
// the database (reference data, suppliers, a unique reference). Field errors name the field by its
// JSON path in the create and update requests. The area is the service's to check against the
// reference data. Codes: reference_required, reference_too_long, required (contract_type_code,
// start_date, end_date, referral_window_opens, referral_window_closes), end_before_start
// (end_date, extensions[i].end_date), extension_not_contiguous (extensions[i].start_date),
// extension_taken_out_of_order (extensions[i].taken), window_closes_before_opens and
// window_outside_contract (referral_window_opens / _closes), sex_required, sex_unknown, sex_duplicate,
// setting_required, setting_unknown, setting_duplicate, min_age_below_18, max_age_below_min_age
// (eligibility.*), co_commissioner_name_required, co_commissioner_name_too_long,
// co_commissioner_share_out_of_range, referral_mailbox_invalid and description_too_long.
//
// It returns nil for a valid contract, or an invalid error holding every problem found.
func (c Contract) Validate() error {
	var f apperr.Fields
	validateReference(&f, c.Reference)
	f.Check(c.ContractTypeCode != "", "contract_type_code", "required", "The contract needs a contract type.")
	validateCoCommissioner(&f, c.CoCommissionerName, c.CoCommissionerShareBP)
	validateEligibility(&f, c.Eligibility)
	validateDates(&f, c)
	if c.ReferralMailbox != "" {
		addr, err := mail.ParseAddress(c.ReferralMailbox)
		f.Check(err == nil && addr.Address == c.ReferralMailbox && utf8.RuneCountInString(c.ReferralMailbox) <= MaxMailboxLength,
			"referral_mailbox", "referral_mailbox_invalid", "The referral mailbox must be a plain email address such as referrals@example.org.")
	}
	f.Check(utf8.RuneCountInString(c.Description) <= MaxDescriptionLength, "description", "description_too_long",
		fmt.Sprintf("The description must be at most %d characters.", MaxDescriptionLength))
	return f.Err("the contract is not valid")
}

func validateReference(f *apperr.Fields, ref string) {
	switch n := utf8.RuneCountInString(ref); {
	case strings.TrimSpace(ref) == "":
		f.Add("reference", "reference_required", "The contract needs a reference.")
	case n > MaxReferenceLength:
		f.Add("reference", "reference_too_long", fmt.Sprintf("The reference must be at most %d characters; it has %d.", MaxReferenceLength, n))
	}
}

func validateCoCommissioner(f *apperr.Fields, name string, share *int) {
	if share != nil {
		f.Check(*share >= 0 && *share <= MaxShareBP, "co_commissioner_share_bp", "co_commissioner_share_out_of_range",
			"The co-commissioner's share must be from 0 to 10000 basis points (0 % to 100 %).")
		f.Check(name != "", "co_commissioner_name", "co_commissioner_name_required",
			"Name the co-commissioner whose funding share is given.")
	}
	f.Check(utf8.RuneCountInString(name) <= MaxCoCommissionerLength, "co_commissioner_name", "co_commissioner_name_too_long",
		fmt.Sprintf("The co-commissioner's name must be at most %d characters.", MaxCoCommissionerLength))
}

func validateEligibility(f *apperr.Fields, e Eligibility) {
	if f.Check(len(e.Sexes) > 0, "eligibility.sexes", "sex_required", "Choose at least one sex the service is for: MALE or FEMALE.") {
		for i, s := range e.Sexes {
			path := fmt.Sprintf("eligibility.sexes[%d]", i)
			if !slices.Contains(Sexes(), s) {
				f.Add(path, "sex_unknown", fmt.Sprintf("Unknown sex %q: use MALE or FEMALE.", s))
			} else if slices.Index(e.Sexes, s) < i {
				f.Add(path, "sex_duplicate", fmt.Sprintf("%s is listed twice.", s))
			}
		}
	}
	if f.Check(len(e.Settings) > 0, "eligibility.settings", "setting_required",
		"Choose at least one setting the contract accepts: COMMUNITY, LICENCE or PRE_RELEASE.") {
		for i, s := range e.Settings {
			path := fmt.Sprintf("eligibility.settings[%d]", i)
			if !slices.Contains(Settings(), s) {
				f.Add(path, "setting_unknown", fmt.Sprintf("Unknown setting %q: use COMMUNITY, LICENCE or PRE_RELEASE.", s))
			} else if slices.Index(e.Settings, s) < i {
				f.Add(path, "setting_duplicate", fmt.Sprintf("%s is listed twice.", s))
			}
		}
	}
	f.Check(e.MinAge >= MinAge, "eligibility.min_age", "min_age_below_18", fmt.Sprintf("The minimum age must be at least %d.", MinAge))
	if e.MaxAge != nil {
		f.Check(*e.MaxAge >= e.MinAge, "eligibility.max_age", "max_age_below_min_age",
			fmt.Sprintf("The maximum age (%d) must not be below the minimum age (%d).", *e.MaxAge, e.MinAge))
	}
}

func validateDates(f *apperr.Fields, c Contract) {
	f.Check(!c.Start.IsZero(), "start_date", "required", "The contract needs a start date.")
	f.Check(!c.End.IsZero(), "end_date", "required", "The contract needs an end date.")
	f.Check(!c.WindowOpens.IsZero(), "referral_window_opens", "required", "The referral window needs an opening date.")
	f.Check(!c.WindowCloses.IsZero(), "referral_window_closes", "required", "The referral window needs a closing date.")
	if c.Start.IsZero() || c.End.IsZero() {
		return
	}
	if !f.Check(!c.End.Before(c.Start), "end_date", "end_before_start", "The end date must not be before the start date.") {
		return
	}
	prev, takenSoFar := c.End, true
	for i, e := range c.Extensions {
		path := fmt.Sprintf("extensions[%d]", i)
		if e.Start.IsZero() || e.End.IsZero() {
			f.Check(!e.Start.IsZero(), path+".start_date", "required", "The extension needs a start date.")
			f.Check(!e.End.IsZero(), path+".end_date", "required", "The extension needs an end date.")
			return
		}
		f.Check(e.Start == prev.AddDays(1), path+".start_date", "extension_not_contiguous", fmt.Sprintf(
			"Extension %d must start on %s, the day after %s ends.", i+1, prev.AddDays(1), endName(i)))
		f.Check(!e.End.Before(e.Start), path+".end_date", "end_before_start", "The extension must not end before it starts.")
		f.Check(!e.Taken || takenSoFar, path+".taken", "extension_taken_out_of_order", fmt.Sprintf(
			"Extension %d cannot be taken before extension %d.", i+1, i))
		takenSoFar = takenSoFar && e.Taken
		prev = e.End
	}
	if c.WindowOpens.IsZero() || c.WindowCloses.IsZero() {
		return
	}
	end := c.EffectiveEnd()
	inside := func(d calendar.Date) bool { return !d.Before(c.Start) && !d.After(end) }
	msg := fmt.Sprintf("The referral window must lie inside the contract, %s to %s (with the extensions taken).", c.Start, end)
	f.Check(inside(c.WindowOpens), "referral_window_opens", "window_outside_contract", msg)
	if f.Check(!c.WindowCloses.Before(c.WindowOpens), "referral_window_closes", "window_closes_before_opens",
		"The referral window must not close before it opens.") {
		f.Check(inside(c.WindowCloses), "referral_window_closes", "window_outside_contract", msg)
	}
}

func endName(i int) string {
	if i == 0 {
		return "the contract"
	}
	return fmt.Sprintf("extension %d", i)
}

// ShareText formats basis points as a percentage with two decimals: 2500 is "25.00".
func ShareText(bp int) string { return fmt.Sprintf("%d.%02d", bp/100, bp%100) }

// BasisChange is one entry of a contract year's payment basis band history.
type BasisChange struct {
	ID         uuid.UUID
	BandNumber int
	// EffectiveFrom is the year's first day or the first day of a month inside the year.
	EffectiveFrom calendar.Date
	Reason        string
	ChangedBy     *uuid.UUID
	ChangedAt     time.Time
	// SupersededAt is set when a later replacement of the year's band table re-baselined the year;
	// a superseded change no longer counts.
	SupersededAt *time.Time
}

// CapVariation is a cap recorded by a commissioner for a contract year; the latest one counts.
type CapVariation struct {
	ID         uuid.UUID
	NewCap     int
	Reason     string
	RecordedBy *uuid.UUID
	RecordedAt time.Time
}

// BasisPeriod is a stretch of a contract year with one payment basis band, from From until the next
// period's From (or the year's end).
type BasisPeriod struct {
	From calendar.Date
	Band Band
	// Change is the history entry that set it.
	Change BasisChange
}

// YearDetail is a contract year with its band table, basis band history, cap variations and pricing
// inputs: what referrals, reconciliation and payments need about a year.
type YearDetail struct {
	Year
	// Bands are in order of number; empty until the year's table is set.
	Bands []Band
	// BasisHistory is every basis band change, superseded ones included, in the order recorded.
	BasisHistory []BasisChange
	// CapVariations are in the order recorded.
	CapVariations []CapVariation
	PricingInputs []PricingInput
}

// Cap returns the volume cap of the year's band table (0 when it has none).
func (y YearDetail) Cap() int { return Cap(y.Bands) }

// EffectiveCap returns the cap for intake control: the latest cap variation's, or else the band
// table's.
func (y YearDetail) EffectiveCap() int {
	if n := len(y.CapVariations); n > 0 {
		return y.CapVariations[n-1].NewCap
	}
	return y.Cap()
}

// BasisTimeline returns the year's payment basis band periods in date order: the changes not
// superseded, the latest recorded winning for a date, those from before the year's start folded into
// one from the start (and the earliest moved to the start when none is that early), and those after
// the year's end dropped. It returns nil when no basis band is set.
func (y YearDetail) BasisTimeline() []BasisPeriod {
	var active []BasisChange
	for _, c := range y.BasisHistory {
		if c.SupersededAt == nil && !c.EffectiveFrom.After(y.End) {
			active = append(active, c)
		}
	}
	slices.SortStableFunc(active, func(a, b BasisChange) int {
		if d := a.EffectiveFrom.Compare(b.EffectiveFrom); d != 0 {
			return d
		}
		return a.ChangedAt.Compare(b.ChangedAt)
	})
	var out []BasisPeriod
	for _, c := range active {
		from := c.EffectiveFrom
		if from.Before(y.Start) || len(out) == 0 {
			from = y.Start
		}
		band, _ := bandNumbered(y.Bands, c.BandNumber)
		p := BasisPeriod{From: from, Band: band, Change: c}
		if n := len(out); n > 0 && out[n-1].From == from {
			out[n-1] = p
			continue
		}
		out = append(out, p)
	}
	return out
}

// BasisOn returns the payment basis band in force on d: that of the last period starting on or
// before d, the first period's for a day before the year. It returns false when no basis band is set.
func (y YearDetail) BasisOn(d calendar.Date) (BasisPeriod, bool) {
	tl := y.BasisTimeline()
	if len(tl) == 0 {
		return BasisPeriod{}, false
	}
	in := tl[0]
	for _, p := range tl[1:] {
		if !p.From.After(d) {
			in = p
		}
	}
	return in, true
}
