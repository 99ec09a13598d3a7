package referrals

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/reference"
)

// Patch is one field of a partial update: left as it is unless Set; when Set, Value replaces it (the
// zero value clears it).
type Patch[T any] struct {
	Set   bool
	Value T
}

// To returns a patch setting the value.
func To[T any](v T) Patch[T] { return Patch[T]{Set: true, Value: v} }

func (p Patch[T]) apply(dst *T) {
	if p.Set {
		*dst = p.Value
	}
}

// DraftChanges are the fields a partial update of a draft changes.
type DraftChanges struct {
	CRN               Patch[string]
	FirstName         Patch[string]
	LastName          Patch[string]
	DateOfBirth       Patch[calendar.Date]
	Sex               Patch[contracts.Sex]
	Ethnicity         Patch[string]
	PreferredLanguage Patch[string]
	InterpreterNeeded Patch[*bool]
	Disabilities      Patch[string]
	AccessNeeds       Patch[string]
	Commitments       Patch[[]Commitment]
	Setting           Patch[Setting]
	Prison            Patch[string]
	// ExpectedReleaseDate is the expected release date from custody.
	ExpectedReleaseDate Patch[calendar.Date]
	PCCAreaCode         Patch[string]
	// Services replaces every service choice.
	Services           Patch[[]ServiceChoice]
	MaxEnforceableDays Patch[int]
	CompletionDeadline Patch[calendar.Date]
	ReasonForReferral  Patch[string]
	RiskSummary        Patch[string]
	FurtherInformation Patch[string]
}

// DraftRules are what a draft's fields are checked against.
type DraftRules struct {
	Ref *reference.Data
	// ContractType is the contract's type: its categories are the ones a referral may choose.
	ContractType reference.ContractType
	// ContractEnd is the contract's effective end; Today is the London date of the change.
	ContractEnd calendar.Date
	Today       calendar.Date
}

// ApplyDraftChanges returns the draft with the changes applied, checking only the fields changed:
// invalid_crn, too_long (text fields), date_of_birth_in_future, unknown_pcc_area,
// invalid_max_enforceable_days (below 1), deadline_in_past, deadline_after_contract_end, required
// (a commitment's description), and the service choice codes of CheckServices. It returns an invalid
// error holding every problem found.
func ApplyDraftChanges(r Referral, ch DraftChanges, rules DraftRules) (Referral, error) {
	var f apperr.Fields
	if ch.CRN.Set {
		if crn, err := ParseCRN(ch.CRN.Value); err != nil {
			f.Add("crn", "invalid_crn", "The CRN must be one letter and six digits, such as X123456.")
		} else {
			r.CRN = crn
		}
	}
	texts := []struct {
		p     Patch[string]
		dst   *string
		field string
		max   int
	}{
		{ch.FirstName, &r.Person.FirstName, "person.first_name", MaxNameLength},
		{ch.LastName, &r.Person.LastName, "person.last_name", MaxNameLength},
		{ch.Ethnicity, &r.Person.Ethnicity, "person.ethnicity", MaxShortText},
		{ch.PreferredLanguage, &r.Person.PreferredLanguage, "person.preferred_language", MaxShortText},
		{ch.Disabilities, &r.Person.Disabilities, "person.disabilities", MaxLongText},
		{ch.AccessNeeds, &r.Person.AccessNeeds, "person.access_needs", MaxLongText},
		{ch.Prison, &r.Prison, "prison", MaxShortText},
		{ch.ReasonForReferral, &r.ReasonForReferral, "reason_for_referral", MaxLongText},
		{ch.RiskSummary, &r.RiskSummary, "risk_summary", MaxLongText},
		{ch.FurtherInformation, &r.FurtherInformation, "further_information", MaxLongText},
	}
	for _, t := range texts {
		if t.p.Set {
			v := strings.TrimSpace(t.p.Value)
			checkLength(&f, t.field, v, t.max)
			*t.dst = v
		}
	}
	if ch.DateOfBirth.Set {
		f.Check(!ch.DateOfBirth.Value.After(rules.Today), "person.date_of_birth", "date_of_birth_in_future",
			"The date of birth cannot be in the future.")
		r.Person.DateOfBirth = ch.DateOfBirth.Value
	}
	ch.Sex.apply(&r.Person.Sex)
	ch.InterpreterNeeded.apply(&r.Person.InterpreterNeeded)
	if ch.Commitments.Set {
		r.Person.Commitments = checkCommitments(&f, ch.Commitments.Value)
	}
	ch.Setting.apply(&r.Setting)
	ch.ExpectedReleaseDate.apply(&r.ExpectedReleaseDate)
	if ch.PCCAreaCode.Set {
		code := strings.TrimSpace(ch.PCCAreaCode.Value)
		if _, ok := rules.Ref.PCCArea(code); code != "" && !ok {
			f.Add("pcc_area_code", "unknown_pcc_area", fmt.Sprintf("There is no PCC area %q.", code))
		}
		r.PCCAreaCode = code
	}
	if ch.Services.Set {
		for _, e := range CheckServices(rules.Ref, rules.ContractType, ch.Services.Value) {
			f.Add(e.Field, e.Code, e.Message)
		}
		r.Services = ch.Services.Value
	}
	if ch.MaxEnforceableDays.Set {
		f.Check(ch.MaxEnforceableDays.Value >= 1 || ch.MaxEnforceableDays.Value == 0, "max_enforceable_days", "invalid_max_enforceable_days",
			"The maximum number of enforceable days must be a whole number of at least 1.")
		r.MaxEnforceableDays = ch.MaxEnforceableDays.Value
	}
	if ch.CompletionDeadline.Set {
		for _, e := range CheckDeadline(ch.CompletionDeadline.Value, rules.Today, rules.ContractEnd) {
			f.Add(e.Field, e.Code, e.Message)
		}
		r.CompletionDeadline = ch.CompletionDeadline.Value
	}
	if err := f.Err("the draft is not valid"); err != nil {
		return Referral{}, err
	}
	return r, nil
}

func checkLength(f *apperr.Fields, field, v string, limit int) {
	f.Check(len([]rune(v)) <= limit, field, "too_long", fmt.Sprintf("%s must be at most %d characters.", field, limit))
}

func checkCommitments(f *apperr.Fields, cs []Commitment) []Commitment {
	out := make([]Commitment, len(cs))
	for i, c := range cs {
		path := fmt.Sprintf("person.commitments[%d]", i)
		c.Description, c.TimesUnavailable = strings.TrimSpace(c.Description), strings.TrimSpace(c.TimesUnavailable)
		f.Check(c.Description != "", path+".description", "required", "Describe the commitment.")
		checkLength(f, path+".description", c.Description, MaxShortText)
		checkLength(f, path+".times_unavailable", c.TimesUnavailable, MaxShortText)
		out[i] = c
	}
	return out
}

// CheckServices returns the problems with service choices for a contract of type ct:
// category_not_in_contract_type, category_duplicate, invalid_complexity_level,
// outcome_not_in_category and outcome_duplicate, each at service_categories[i]... Nil when fine.
// Complexity levels and outcomes may still be missing: MissingFields reports those at sending.
func CheckServices(ref *reference.Data, ct reference.ContractType, services []ServiceChoice) []apperr.FieldError {
	var f apperr.Fields
	for i, s := range services {
		path := fmt.Sprintf("service_categories[%d]", i)
		if !slices.Contains(ct.Categories, s.CategoryCode) {
			f.Add(path+".service_category_code", "category_not_in_contract_type", fmt.Sprintf(
				"%q is not a service category of contract type %s: choose from %s.", s.CategoryCode, ct.Code, strings.Join(ct.Categories, ", ")))
			continue
		}
		if slices.IndexFunc(services, func(o ServiceChoice) bool { return o.CategoryCode == s.CategoryCode }) < i {
			f.Add(path+".service_category_code", "category_duplicate", fmt.Sprintf("%s is chosen twice.", s.CategoryCode))
		}
		f.Check(s.Complexity == "" || s.Complexity.Valid(), path+".complexity_level", "invalid_complexity_level",
			"The complexity level must be LOW, MEDIUM or HIGH.")
		for j, id := range s.OutcomeIDs {
			opath := fmt.Sprintf("%s.desired_outcome_ids[%d]", path, j)
			if _, ok := ref.Outcome(s.CategoryCode, id); !ok {
				f.Add(opath, "outcome_not_in_category", fmt.Sprintf("Outcome %s is not a desired outcome of %s.", id, s.CategoryCode))
			} else if slices.Index(s.OutcomeIDs, id) < j {
				f.Add(opath, "outcome_duplicate", "This outcome is chosen twice.")
			}
		}
	}
	return f.List()
}

// outcomeIDsOf returns a copy of ids, never nil.
func outcomeIDsOf(ids []uuid.UUID) []uuid.UUID { return append([]uuid.UUID{}, ids...) }
