package referrals

import (
	crand "crypto/rand"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/enum"
)

// Limits on a referral's free-text fields, in characters.
const (
	MaxNameLength = 100
	MaxShortText  = 200
	MaxLongText   = 4000
)

// StaleDraftAge is how long a draft may stay unchanged before it is deleted.
const StaleDraftAge = 90 * 24 * time.Hour

// Status is where a referral is in its life.
type Status string

// The statuses, in the order a referral normally moves through them.
const (
	StatusDraft                      Status = "DRAFT"
	StatusSent                       Status = "SENT"
	StatusAssigned                   Status = "ASSIGNED"
	StatusAssessmentBooked           Status = "ASSESSMENT_BOOKED"
	StatusAssessed                   Status = "ASSESSED"
	StatusActionPlanSubmitted        Status = "ACTION_PLAN_SUBMITTED"
	StatusActionPlanApproved         Status = "ACTION_PLAN_APPROVED"
	StatusInDelivery                 Status = "IN_DELIVERY"
	StatusAwaitingEndOfServiceReport Status = "AWAITING_END_OF_SERVICE_REPORT"
	StatusConcluded                  Status = "CONCLUDED"
)

// Statuses lists every status in lifecycle order.
func Statuses() []Status {
	return []Status{StatusDraft, StatusSent, StatusAssigned, StatusAssessmentBooked, StatusAssessed, StatusActionPlanSubmitted,
		StatusActionPlanApproved, StatusInDelivery, StatusAwaitingEndOfServiceReport, StatusConcluded}
}

// ParseStatus parses a status name; it returns an invalid error (field "status", code
// invalid_status) for anything else.
func ParseStatus(s string) (Status, error) {
	return enum.Parse("status", "invalid_status", s, Statuses()...)
}

// Live reports whether a referral in this status has been sent and has not concluded: the referrals
// a second one for the same person and contract would duplicate.
func (s Status) Live() bool { return s != StatusDraft && s != StatusConcluded }

// EndState is how a concluded referral ended.
type EndState string

// The end states.
const (
	// EndCancelled: no delivery session was attended.
	EndCancelled EndState = "CANCELLED"
	// EndPrematurelyEnded: some of the planned sessions were attended.
	EndPrematurelyEnded EndState = "PREMATURELY_ENDED"
	// EndCompleted: every planned session was attended.
	EndCompleted EndState = "COMPLETED"
)

// EndStateFor returns the end state of a referral whose delivery attended sessions of planned.
func EndStateFor(attended, planned int) EndState {
	switch {
	case attended == 0:
		return EndCancelled
	case planned > 0 && attended >= planned:
		return EndCompleted
	default:
		return EndPrematurelyEnded
	}
}

// Setting is where the person is when referred.
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

// ParseSetting parses COMMUNITY, LICENCE or PRE_RELEASE; it returns an invalid error (field
// "setting", code invalid_setting) for anything else.
func ParseSetting(s string) (Setting, error) {
	return enum.Parse("setting", "invalid_setting", s, SettingCommunity, SettingLicence, SettingPreRelease)
}

// ContractSetting returns the contract eligibility setting this one is checked against.
func (s Setting) ContractSetting() contracts.Setting {
	switch s {
	case SettingCommunity:
		return contracts.SettingCommunity
	case SettingLicence:
		return contracts.SettingLicence
	case SettingPreRelease:
		return contracts.SettingPreRelease
	}
	return ""
}

// ParseSex parses MALE or FEMALE; it returns an invalid error (field "person.sex", code
// invalid_sex) for anything else.
func ParseSex(s string) (contracts.Sex, error) {
	return enum.Parse("person.sex", "invalid_sex", s, contracts.Sexes()...)
}

var crnPattern = regexp.MustCompile(`^[A-Z][0-9]{6}$`)

// ParseCRN parses a case reference number: one letter and six digits, such as X123456. Spaces around
// it are trimmed and the letter is upper-cased. It returns an invalid error (field "crn", code
// invalid_crn) for anything else.
func ParseCRN(s string) (string, error) {
	crn := strings.ToUpper(strings.TrimSpace(s))
	if !crnPattern.MatchString(crn) {
		return "", apperr.Invalid("invalid CRN", apperr.FieldError{Field: "crn", Code: "invalid_crn",
			Message: "The CRN must be one letter and six digits, such as X123456."})
	}
	return crn, nil
}

// Commitment is a caring or work commitment and the times it makes the person unavailable.
type Commitment struct {
	Description      string `json:"description" maxLength:"500" doc:"The commitment, such as caring for a parent or a job."`
	TimesUnavailable string `json:"times_unavailable" maxLength:"500" doc:"When the person is unavailable because of it, in words, such as weekdays 9 to 5."`
}

// Person is the person on probation a referral is about, with their needs.
type Person struct {
	FirstName         string
	LastName          string
	DateOfBirth       calendar.Date
	Sex               contracts.Sex
	Ethnicity         string
	PreferredLanguage string
	// InterpreterNeeded is nil until answered.
	InterpreterNeeded *bool
	Disabilities      string
	AccessNeeds       string
	Commitments       []Commitment
}

// AgeOn returns the person's age in whole years on day d. A person born on 29 February comes of
// age on 1 March in common years.
func AgeOn(dob, d calendar.Date) int {
	age := d.Year() - dob.Year()
	if d.Month() < dob.Month() || (d.Month() == dob.Month() && d.Day() < dob.Day()) {
		age--
	}
	return age
}

// ServiceChoice is one service category chosen for a referral, with its complexity level and desired
// outcomes.
type ServiceChoice struct {
	CategoryCode string
	// Complexity is empty until chosen.
	Complexity contracts.ComplexityLevel
	OutcomeIDs []uuid.UUID
}

// Withdrawal records why and when a referral was withdrawn.
type Withdrawal struct {
	ReasonCode string
	Comment    string
	At         time.Time
}

// Referral is a referral with the fields the practitioner fills in and the dates its workflow sets.
type Referral struct {
	ID uuid.UUID
	// Reference is empty for a draft.
	Reference      string
	ContractID     uuid.UUID
	RegionCode     string
	PractitionerID uuid.UUID
	Status         Status
	// EndState is set once concluded.
	EndState            EndState
	CRN                 string
	Person              Person
	PCCAreaCode         string
	Setting             Setting
	Prison              string
	ExpectedReleaseDate calendar.Date
	Services            []ServiceChoice
	// MaxEnforceableDays is 0 until set.
	MaxEnforceableDays int
	CompletionDeadline calendar.Date
	ReasonForReferral  string
	RiskSummary        string
	FurtherInformation string
	DuplicateReason    string
	// Counted reports whether the referral counts towards its contract's volume.
	Counted bool
	SentAt  *time.Time
	// SentOn is sent_at's London date: the contract year and month it counts in.
	SentOn                        calendar.Date
	CaseworkerID                  *uuid.UUID
	AssignedAt                    *time.Time
	AssessmentDueOn               calendar.Date
	AssessedOn                    calendar.Date
	ActionPlanDueOn               calendar.Date
	FirstActionPlanSubmittedAt    *time.Time
	ActionPlanApprovedAt          *time.Time
	EndedOn                       calendar.Date
	EndOfServiceReportDueOn       calendar.Date
	EndOfServiceReportSubmittedAt *time.Time
	// Withdrawal is nil unless withdrawn.
	Withdrawal  *Withdrawal
	ConcludedAt *time.Time
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// OutcomeIDs returns every desired outcome of the referral, category by category.
func (r Referral) OutcomeIDs() []uuid.UUID {
	var out []uuid.UUID
	for _, s := range r.Services {
		out = append(out, s.OutcomeIDs...)
	}
	return out
}

// Service returns the referral's choice of a category.
func (r Referral) Service(code string) (ServiceChoice, bool) {
	for _, s := range r.Services {
		if s.CategoryCode == code {
			return s, true
		}
	}
	return ServiceChoice{}, false
}

// MissingFields lists, as field errors with code "required", every field a referral must have before
// it is sent: the person's names, date of birth, sex, preferred language and whether an interpreter
// is needed; the setting (with the prison and expected release date before release); the PCC area;
// at least one service category, each with a complexity level and at least one desired outcome; the
// maximum number of enforceable days; the completion deadline; the reason for referral and the risk
// summary.
func (r Referral) MissingFields() []apperr.FieldError {
	var f apperr.Fields
	need := func(ok bool, field, what string) { f.Check(ok, field, "required", "The referral needs "+what+".") }
	p := r.Person
	need(strings.TrimSpace(p.FirstName) != "", "person.first_name", "the person's first name")
	need(strings.TrimSpace(p.LastName) != "", "person.last_name", "the person's last name")
	need(!p.DateOfBirth.IsZero(), "person.date_of_birth", "the person's date of birth")
	need(p.Sex != "", "person.sex", "the person's sex")
	need(strings.TrimSpace(p.PreferredLanguage) != "", "person.preferred_language", "the person's preferred language")
	need(p.InterpreterNeeded != nil, "person.interpreter_needed", "to know whether an interpreter is needed")
	need(r.Setting != "", "setting", "a setting: COMMUNITY, LICENCE or PRE_RELEASE")
	if r.Setting == SettingPreRelease {
		need(strings.TrimSpace(r.Prison) != "", "prison", "the prison the person is in")
		need(!r.ExpectedReleaseDate.IsZero(), "expected_release_date", "the expected release date")
	}
	need(r.PCCAreaCode != "", "pcc_area_code", "the person's PCC area")
	if need(len(r.Services) > 0, "service_categories", "at least one service category"); len(r.Services) > 0 {
		for i, s := range r.Services {
			path := fmt.Sprintf("service_categories[%d]", i)
			need(s.Complexity != "", path+".complexity_level", "a complexity level for "+s.CategoryCode)
			need(len(s.OutcomeIDs) > 0, path+".desired_outcome_ids", "at least one desired outcome for "+s.CategoryCode)
		}
	}
	need(r.MaxEnforceableDays >= 1, "max_enforceable_days", "the maximum number of enforceable days")
	need(!r.CompletionDeadline.IsZero(), "completion_deadline", "a completion deadline")
	need(strings.TrimSpace(r.ReasonForReferral) != "", "reason_for_referral", "the reason for referral")
	need(strings.TrimSpace(r.RiskSummary) != "", "risk_summary", "a risk summary")
	return f.List()
}

// referenceLetters are the letters a reference starts with: A to Z without I and O, which read as
// digits.
const referenceLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ"

var referencePattern = regexp.MustCompile(`^[A-HJ-NP-Z]{2}[0-9]{4}[A-Z]{2}$`)

// ValidReference reports whether s has the shape of a referral reference, such as KT4821AC.
func ValidReference(s string) bool { return referencePattern.MatchString(s) }

// NewReference draws a referral reference from rnd (crypto/rand.Reader in production): two letters
// from A to Z without I and O, four digits, then the contract type's first two letters (KT4821AC for
// an ACC contract). Uniqueness is the database's to enforce; the caller draws again on a clash.
func NewReference(rnd io.Reader, contractTypeCode string) (string, error) {
	if len(contractTypeCode) < 2 {
		return "", fmt.Errorf("new reference: contract type %q is shorter than two letters", contractTypeCode)
	}
	draw := func(n int64) (int64, error) {
		v, err := randInt(rnd, n)
		if err != nil {
			return 0, fmt.Errorf("new reference: %w", err)
		}
		return v, nil
	}
	var b strings.Builder
	for range 2 {
		i, err := draw(int64(len(referenceLetters)))
		if err != nil {
			return "", err
		}
		b.WriteByte(referenceLetters[i])
	}
	n, err := draw(10000)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "%04d%s", n, strings.ToUpper(contractTypeCode[:2]))
	return b.String(), nil
}

func randInt(rnd io.Reader, n int64) (int64, error) {
	v, err := crand.Int(rnd, big.NewInt(n))
	if err != nil {
		return 0, err
	}
	return v.Int64(), nil
}
