package referrals

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/reference"
)

// WindowOpen reports whether the contract takes referrals on day d: its referral window, both ends
// included.
func WindowOpen(c contracts.Contract, d calendar.Date) bool {
	return !d.Before(c.WindowOpens) && !d.After(c.WindowCloses)
}

// CheckEligibility returns why a person, referred in setting s and living in PCC area pcc, may not be
// referred to contract c on day d, as field errors: sex_not_eligible (person.sex),
// age_not_eligible (person.date_of_birth, the age on d against the contract's range),
// setting_not_eligible (setting) and pcc_area_outside_contract (pcc_area_code: a region-level
// contract takes the PCC areas of its region, a PCC-level one its own area only). It returns nil
// when the person is eligible.
func CheckEligibility(c contracts.Contract, p Person, s Setting, pcc reference.PCCArea, d calendar.Date) []apperr.FieldError {
	var f apperr.Fields
	e := c.Eligibility
	f.Check(slices.Contains(e.Sexes, p.Sex), "person.sex", "sex_not_eligible",
		fmt.Sprintf("Contract %s is for %s people only.", c.Reference, sexesText(e.Sexes)))
	if !p.DateOfBirth.IsZero() {
		age := AgeOn(p.DateOfBirth, d)
		limit := fmt.Sprintf("%d or over", e.MinAge)
		if e.MaxAge != nil {
			limit = fmt.Sprintf("from %d to %d", e.MinAge, *e.MaxAge)
		}
		f.Check(age >= e.MinAge && (e.MaxAge == nil || age <= *e.MaxAge), "person.date_of_birth", "age_not_eligible",
			fmt.Sprintf("The person is %d on %s; contract %s takes people aged %s.", age, d, c.Reference, limit))
	}
	f.Check(e.Accepts(s.ContractSetting()), "setting", "setting_not_eligible",
		fmt.Sprintf("Contract %s does not take referrals in the %s setting.", c.Reference, s))
	inside := pcc.RegionCode == c.Area.RegionCode
	if c.Area.IsPCC() {
		inside = pcc.Code == c.Area.PCCAreaCode
	}
	f.Check(inside, "pcc_area_code", "pcc_area_outside_contract",
		fmt.Sprintf("PCC area %s is outside the area of contract %s.", pcc.Code, c.Reference))
	return f.List()
}

func sexesText(sexes []contracts.Sex) string {
	words := make([]string, len(sexes))
	for i, s := range sexes {
		words[i] = strings.ToLower(string(s))
	}
	return strings.Join(words, " and ")
}

// CheckDeadline returns the problems with a completion deadline for a contract ending (with its
// extensions taken) on contractEnd, seen on day today: deadline_in_past when it is not after today,
// deadline_after_contract_end when it is after the contract's end. Field "completion_deadline".
func CheckDeadline(deadline, today, contractEnd calendar.Date) []apperr.FieldError {
	var f apperr.Fields
	if deadline.IsZero() {
		return nil
	}
	f.Check(deadline.After(today), "completion_deadline", "deadline_in_past",
		fmt.Sprintf("The completion deadline must be after today (%s).", today))
	f.Check(!deadline.After(contractEnd), "completion_deadline", "deadline_after_contract_end",
		fmt.Sprintf("The completion deadline must not be after the contract ends on %s.", contractEnd))
	return f.List()
}
