package referrals

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
)

// ServiceAmendment changes the complexity level or the desired outcomes of one of the referral's
// service categories.
type ServiceAmendment struct {
	CategoryCode string
	// Complexity is nil when unchanged.
	Complexity *contracts.ComplexityLevel
	// OutcomeIDs is nil when unchanged; otherwise it replaces the category's outcomes.
	OutcomeIDs []uuid.UUID
}

// AmendParams are the fields an amendment of a sent referral changes (nil: unchanged) and why.
type AmendParams struct {
	Reason             string
	CompletionDeadline *calendar.Date
	MaxEnforceableDays *int
	Services           []ServiceAmendment
	PreferredLanguage  *string
	InterpreterNeeded  *bool
	Disabilities       *string
	AccessNeeds        *string
	Commitments        *[]Commitment
}

// FieldChange is one field an amendment changed, with its old and new values as JSON.
type FieldChange struct {
	Field string
	Old   json.RawMessage
	New   json.RawMessage
}

// ApplyAmendment returns the referral with the amendment applied and the fields it changed (those
// whose value differs), checking: required (reason), too_long, deadline_in_past,
// deadline_after_contract_end, invalid_max_enforceable_days, category_not_in_referral,
// invalid_complexity_level, outcome_not_in_category, outcome_duplicate, required (an empty outcome
// list) and no_changes when nothing differs. rules.ContractType is not used: the categories are the
// referral's own. It returns an invalid error holding every problem found.
func ApplyAmendment(r Referral, p AmendParams, rules DraftRules) (Referral, []FieldChange, error) {
	var f apperr.Fields
	old := r
	old.Services = cloneServices(r.Services)
	r.Services = cloneServices(r.Services)
	reason := strings.TrimSpace(p.Reason)
	f.Check(reason != "", "reason", "required", "Give the reason for the amendment.")
	checkLength(&f, "reason", reason, MaxLongText)
	if p.CompletionDeadline != nil {
		for _, e := range CheckDeadline(*p.CompletionDeadline, rules.Today, rules.ContractEnd) {
			f.Add(e.Field, e.Code, e.Message)
		}
		if p.CompletionDeadline.IsZero() {
			f.Add("completion_deadline", "required", "The completion deadline cannot be removed.")
		}
		r.CompletionDeadline = *p.CompletionDeadline
	}
	if p.MaxEnforceableDays != nil {
		f.Check(*p.MaxEnforceableDays >= 1, "max_enforceable_days", "invalid_max_enforceable_days",
			"The maximum number of enforceable days must be a whole number of at least 1.")
		r.MaxEnforceableDays = *p.MaxEnforceableDays
	}
	for i, s := range p.Services {
		amendService(&f, &r, i, s, rules)
	}
	for _, t := range []struct {
		v     *string
		dst   *string
		field string
		max   int
	}{
		{p.PreferredLanguage, &r.Person.PreferredLanguage, "person.preferred_language", MaxShortText},
		{p.Disabilities, &r.Person.Disabilities, "person.disabilities", MaxLongText},
		{p.AccessNeeds, &r.Person.AccessNeeds, "person.access_needs", MaxLongText},
	} {
		if t.v != nil {
			v := strings.TrimSpace(*t.v)
			checkLength(&f, t.field, v, t.max)
			*t.dst = v
		}
	}
	if p.PreferredLanguage != nil {
		f.Check(r.Person.PreferredLanguage != "", "person.preferred_language", "required", "The preferred language cannot be removed.")
	}
	if p.InterpreterNeeded != nil {
		v := *p.InterpreterNeeded
		r.Person.InterpreterNeeded = &v
	}
	if p.Commitments != nil {
		r.Person.Commitments = checkCommitments(&f, *p.Commitments)
	}
	if err := f.Err("the amendment is not valid"); err != nil {
		return Referral{}, nil, err
	}
	changes, err := diffAmendable(old, r)
	if err != nil {
		return Referral{}, nil, err
	}
	if len(changes) == 0 {
		return Referral{}, nil, apperr.Invalid("the amendment changes nothing", apperr.FieldError{Field: "", Code: "no_changes",
			Message: "Every value given is the referral's current value."})
	}
	return r, changes, nil
}

func amendService(f *apperr.Fields, r *Referral, i int, s ServiceAmendment, rules DraftRules) {
	path := fmt.Sprintf("service_categories[%d]", i)
	idx := -1
	for j, c := range r.Services {
		if c.CategoryCode == s.CategoryCode {
			idx = j
		}
	}
	if idx < 0 {
		f.Add(path+".service_category_code", "category_not_in_referral", fmt.Sprintf("%q is not one of the referral's service categories.", s.CategoryCode))
		return
	}
	if s.Complexity != nil {
		if f.Check(s.Complexity.Valid(), path+".complexity_level", "invalid_complexity_level", "The complexity level must be LOW, MEDIUM or HIGH.") {
			r.Services[idx].Complexity = *s.Complexity
		}
	}
	if s.OutcomeIDs != nil {
		f.Check(len(s.OutcomeIDs) > 0, path+".desired_outcome_ids", "required", "Choose at least one desired outcome.")
		check := ServiceChoice{CategoryCode: s.CategoryCode, OutcomeIDs: s.OutcomeIDs}
		ct := rules.ContractType
		ct.Categories = []string{s.CategoryCode}
		for _, e := range CheckServices(rules.Ref, ct, []ServiceChoice{check}) {
			f.Add(path+strings.TrimPrefix(e.Field, "service_categories[0]"), e.Code, e.Message)
		}
		r.Services[idx].OutcomeIDs = outcomeIDsOf(s.OutcomeIDs)
	}
}

func cloneServices(ss []ServiceChoice) []ServiceChoice {
	out := make([]ServiceChoice, len(ss))
	for i, s := range ss {
		out[i] = s
		out[i].OutcomeIDs = outcomeIDsOf(s.OutcomeIDs)
	}
	return out
}

// diffAmendable lists the amendable fields whose values differ between a and b.
func diffAmendable(a, b Referral) ([]FieldChange, error) {
	type pair struct {
		field    string
		old, new any
	}
	pairs := []pair{
		{"completion_deadline", a.CompletionDeadline, b.CompletionDeadline},
		{"max_enforceable_days", a.MaxEnforceableDays, b.MaxEnforceableDays},
	}
	for i, s := range a.Services {
		n := b.Services[i]
		pairs = append(pairs,
			pair{"service_categories." + s.CategoryCode + ".complexity_level", s.Complexity, n.Complexity},
			pair{"service_categories." + s.CategoryCode + ".desired_outcome_ids", s.OutcomeIDs, n.OutcomeIDs})
	}
	pairs = append(pairs,
		pair{"person.preferred_language", a.Person.PreferredLanguage, b.Person.PreferredLanguage},
		pair{"person.interpreter_needed", a.Person.InterpreterNeeded, b.Person.InterpreterNeeded},
		pair{"person.disabilities", a.Person.Disabilities, b.Person.Disabilities},
		pair{"person.access_needs", a.Person.AccessNeeds, b.Person.AccessNeeds},
		pair{"person.commitments", a.Person.Commitments, b.Person.Commitments},
	)
	var out []FieldChange
	for _, p := range pairs {
		o, err := json.Marshal(p.old)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", p.field, err)
		}
		n, err := json.Marshal(p.new)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", p.field, err)
		}
		if !bytes.Equal(o, n) {
			out = append(out, FieldChange{Field: p.field, Old: o, New: n})
		}
	}
	return out, nil
}
