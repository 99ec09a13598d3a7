package referrals_test

import (
	"slices"
	"testing"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/reference"
	"github.com/crsplatform/crs/referrals"
)

func date(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestCheckEligibility(t *testing.T) {
	t.Parallel()
	sixty := 60
	regionJ := contracts.Contract{Reference: "ACC-J-01", Area: contracts.Area{RegionCode: "J"}, Eligibility: contracts.Eligibility{
		Sexes: []contracts.Sex{contracts.SexMale, contracts.SexFemale}, MinAge: 18, MaxAge: &sixty, Settings: contracts.Settings()}}
	womenKent := contracts.Contract{Reference: "WOS-K-01", Area: contracts.Area{RegionCode: "K", PCCAreaCode: "kent"}, Eligibility: contracts.Eligibility{
		Sexes: []contracts.Sex{contracts.SexFemale}, MinAge: 21, Settings: []contracts.Setting{contracts.SettingCommunity, contracts.SettingLicence}}}
	metropolitan := reference.PCCArea{Code: "metropolitan", RegionCode: "J"}
	kent := reference.PCCArea{Code: "kent", RegionCode: "K"}
	surrey := reference.PCCArea{Code: "surrey", RegionCode: "K"}
	person := func(sex contracts.Sex, dob string) referrals.Person {
		return referrals.Person{Sex: sex, DateOfBirth: date(dob)}
	}
	on := date("2026-03-06")
	for _, c := range []struct {
		name     string
		contract contracts.Contract
		person   referrals.Person
		setting  referrals.Setting
		pcc      reference.PCCArea
		want     []string
	}{
		{"eligible in every respect", regionJ, person(contracts.SexMale, "1990-05-17"), referrals.SettingCommunity, metropolitan, nil},
		{"18 today is old enough", regionJ, person(contracts.SexFemale, "2008-03-06"), referrals.SettingLicence, metropolitan, nil},
		{"18 tomorrow is too young", regionJ, person(contracts.SexFemale, "2008-03-07"), referrals.SettingLicence, metropolitan,
			[]string{"person.date_of_birth:age_not_eligible"}},
		{"60 is the oldest", regionJ, person(contracts.SexMale, "1965-03-07"), referrals.SettingPreRelease, metropolitan, nil},
		{"61 is too old", regionJ, person(contracts.SexMale, "1965-03-06"), referrals.SettingPreRelease, metropolitan,
			[]string{"person.date_of_birth:age_not_eligible"}},
		{"a region-level contract refuses another region's PCC area", regionJ, person(contracts.SexMale, "1990-05-17"),
			referrals.SettingCommunity, kent, []string{"pcc_area_code:pcc_area_outside_contract"}},
		{"a women's contract refuses a man", womenKent, person(contracts.SexMale, "1990-05-17"), referrals.SettingCommunity, kent,
			[]string{"person.sex:sex_not_eligible"}},
		{"a contract refuses a setting it does not accept", womenKent, person(contracts.SexFemale, "1990-05-17"), referrals.SettingPreRelease, kent,
			[]string{"setting:setting_not_eligible"}},
		{"a PCC-level contract refuses another PCC area of its region", womenKent, person(contracts.SexFemale, "1990-05-17"),
			referrals.SettingCommunity, surrey, []string{"pcc_area_code:pcc_area_outside_contract"}},
		{"every problem at once", womenKent, person(contracts.SexMale, "2006-01-01"), referrals.SettingPreRelease, metropolitan,
			[]string{"person.sex:sex_not_eligible", "person.date_of_birth:age_not_eligible", "setting:setting_not_eligible", "pcc_area_code:pcc_area_outside_contract"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, e := range referrals.CheckEligibility(c.contract, c.person, c.setting, c.pcc, on) {
				got = append(got, e.Field+":"+e.Code)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("problems %q, want %q", got, c.want)
			}
		})
	}
}

func TestAgeOn(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		dob, on string
		want    int
	}{
		{"1990-05-17", "2026-05-16", 35},
		{"1990-05-17", "2026-05-17", 36},
		{"2004-02-29", "2022-02-28", 17},
		{"2004-02-29", "2022-03-01", 18}, // a leap-day birthday comes on 1 March in common years
		{"2004-02-29", "2024-02-29", 20},
	} {
		if got := referrals.AgeOn(date(c.dob), date(c.on)); got != c.want {
			t.Errorf("AgeOn(%s, %s) = %d, want %d", c.dob, c.on, got, c.want)
		}
	}
}

func TestCheckDeadline(t *testing.T) {
	t.Parallel()
	today, end := date("2026-03-06"), date("2028-03-31")
	for _, c := range []struct {
		deadline string
		want     []string
	}{
		{"2026-03-07", nil},
		{"2028-03-31", nil},
		{"2026-03-06", []string{"deadline_in_past"}},
		{"2025-12-01", []string{"deadline_in_past"}},
		{"2028-04-01", []string{"deadline_after_contract_end"}},
	} {
		var got []string
		for _, e := range referrals.CheckDeadline(date(c.deadline), today, end) {
			got = append(got, e.Code)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("deadline %s: %q, want %q", c.deadline, got, c.want)
		}
	}
}

func TestWindowOpen(t *testing.T) {
	t.Parallel()
	c := contracts.Contract{WindowOpens: date("2025-04-01"), WindowCloses: date("2026-03-31")}
	for d, want := range map[string]bool{"2025-03-31": false, "2025-04-01": true, "2026-03-31": true, "2026-04-01": false} {
		if got := referrals.WindowOpen(c, date(d)); got != want {
			t.Errorf("WindowOpen on %s = %v, want %v", d, got, want)
		}
	}
}
