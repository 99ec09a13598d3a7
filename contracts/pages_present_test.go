package contracts

import (
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/reference"
	"github.com/crsplatform/crs/internal/web"
)

func TestWhoFor(t *testing.T) {
	t.Parallel()
	max := 25
	for _, c := range []struct {
		name string
		e    Eligibility
		want string
	}{
		{"women, no upper age", Eligibility{Sexes: []Sex{SexFemale}, MinAge: 18, Settings: []Setting{SettingCommunity, SettingLicence}},
			"Women aged 18 and over; community or licence"},
		{"both sexes, an age range, one setting", Eligibility{Sexes: []Sex{SexMale, SexFemale}, MinAge: 18, MaxAge: &max, Settings: []Setting{SettingPreRelease}},
			"Men and women aged 18 to 25; pre-release"},
		{"men, any age, every setting", Eligibility{Sexes: []Sex{SexMale}, Settings: Settings()},
			"Men; community, licence or pre-release"},
	} {
		if got := whoFor(c.e); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestHints(t *testing.T) {
	t.Parallel()
	today := calendar.NewDate(2026, time.December, 4)
	for _, c := range []struct {
		name   string
		open   bool
		closes calendar.Date
		want   []string
	}{
		{"open for months", true, today.AddDays(200), nil},
		{"closing within a month", true, today.AddDays(10), []string{"Referrals close on 14 December 2026"}},
		{"closed", false, today.AddDays(-1), []string{"Not taking referrals today"}},
	} {
		e := CatalogueEntry{OpenForReferral: c.open}
		e.WindowCloses = c.closes
		if got := hints(e, today); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSelectedFiltersRemoveOneFilterEach(t *testing.T) {
	t.Parallel()
	ref := &reference.Data{Regions: []reference.Region{{Code: "J", Name: "London"}},
		Categories: []reference.ServiceCategory{{Code: "ACCOMMODATION", Name: "Accommodation"}}}
	q := findQuery{Region: "J", ServiceCategory: "ACCOMMODATION", Sex: "FEMALE", Age: "30", Setting: "LICENCE", Page: 3}
	got := selectedFilters(q, ref)
	want := []web.FilterCategory{
		{Heading: "Region", Tags: []web.Link{{Text: "London", Href: "/services?age=30&service_category=ACCOMMODATION&setting=LICENCE&sex=FEMALE"}}},
		{Heading: "Service category", Tags: []web.Link{{Text: "Accommodation", Href: "/services?age=30&region=J&setting=LICENCE&sex=FEMALE"}}},
		{Heading: "Sex", Tags: []web.Link{{Text: "Female", Href: "/services?age=30&region=J&service_category=ACCOMMODATION&setting=LICENCE"}}},
		{Heading: "Age", Tags: []web.Link{{Text: "30", Href: "/services?region=J&service_category=ACCOMMODATION&setting=LICENCE&sex=FEMALE"}}},
		{Heading: "Setting", Tags: []web.Link{{Text: "Licence", Href: "/services?age=30&region=J&service_category=ACCOMMODATION&sex=FEMALE"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("selected filters:\n got %+v\nwant %+v", got, want)
	}
	if only := selectedFilters(findQuery{Age: "30"}, ref); only[0].Tags[0].Href != "/services" {
		t.Errorf("removing the only filter goes back to the whole catalogue, got %s", only[0].Tags[0].Href)
	}
	if _, err := url.Parse(got[0].Tags[0].Href); err != nil {
		t.Error(err)
	}
	if resultCount(1) != "1 service" || resultCount(0) != "0 services" {
		t.Error("result count wording")
	}
}
