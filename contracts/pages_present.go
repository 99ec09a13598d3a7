package contracts

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/reference"
	"github.com/crsplatform/crs/internal/web"
)

// Presenters of the catalogue pages: plain functions from catalogue entries to the words a
// practitioner reads. Table-tested in pages_present_test.go.

// resultView is one service in the Find a service list.
type resultView struct {
	Href       string
	Title      string
	Reference  string
	Provider   string
	Location   string
	Categories string
	For        string
	Hints      []string
}

// serviceTitle names a service as a person would: its contract type and its area.
func serviceTitle(e CatalogueEntry) string {
	return e.ContractType.Name + " in " + areaName(e.Place)
}

func areaName(p Place) string {
	if p.PCCArea.Code != "" {
		return p.PCCArea.Name
	}
	return p.Region.Name
}

// location says where the service is delivered: "Kent (South East)" or "All of London".
func location(p Place) string {
	if p.PCCArea.Code != "" {
		return p.PCCArea.Name + " (" + p.Region.Name + ")"
	}
	return "All of " + p.Region.Name
}

func providerName(e CatalogueEntry) string {
	if e.Prime.TradingName != "" && e.Prime.TradingName != e.Prime.LegalName {
		return e.Prime.TradingName + " (" + e.Prime.LegalName + ")"
	}
	return e.Prime.LegalName
}

func categoryNames(cs []reference.ServiceCategory) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

var settingNames = map[Setting]string{SettingCommunity: "community", SettingLicence: "licence", SettingPreRelease: "pre-release"}

// whoFor says whom a service is for: "Women aged 18 and over, in the community, on licence or
// pre-release".
func whoFor(e Eligibility) string {
	var who string
	switch {
	case len(e.Sexes) == 1 && e.Sexes[0] == SexFemale:
		who = "Women"
	case len(e.Sexes) == 1 && e.Sexes[0] == SexMale:
		who = "Men"
	default:
		who = "Men and women"
	}
	switch {
	case e.MaxAge != nil:
		who += fmt.Sprintf(" aged %d to %d", e.MinAge, *e.MaxAge)
	case e.MinAge > 0:
		who += fmt.Sprintf(" aged %d and over", e.MinAge)
	}
	var settings []string
	for _, s := range e.Settings {
		settings = append(settings, settingNames[s])
	}
	if len(settings) > 0 {
		who += "; " + joinOr(settings)
	}
	return who
}

func joinOr(list []string) string {
	if len(list) <= 1 {
		return strings.Join(list, "")
	}
	return strings.Join(list[:len(list)-1], ", ") + " or " + list[len(list)-1]
}

// WindowWarningDays is how close the end of a referral window must be for the catalogue to warn.
const WindowWarningDays = 31

// hints warn a practitioner before choosing a service: a referral window closing within a month,
// or not open on the day.
func hints(e CatalogueEntry, today calendar.Date) []string {
	var out []string
	switch {
	case !e.OpenForReferral:
		out = append(out, "Not taking referrals today")
	case today.DaysUntil(e.WindowCloses) <= WindowWarningDays:
		out = append(out, "Referrals close on "+web.Date(e.WindowCloses))
	}
	return out
}

func presentResult(e CatalogueEntry, today calendar.Date) resultView {
	return resultView{Href: "/services/" + e.ID.String(), Title: serviceTitle(e), Reference: e.Reference, Provider: providerName(e),
		Location: location(e.Place), Categories: categoryNames(e.Categories), For: whoFor(e.Eligibility), Hints: hints(e, today)}
}

// findQuery is the Find a service form as typed (the query string), kept to refill the form.
type findQuery struct {
	Region, PCCArea, ContractType, ServiceCategory, Sex, Age, Setting, Text, Sort string
	Page                                                                          int
}

// values returns the query as URL parameters, without the empty ones and without the page.
func (q findQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"region": q.Region, "pcc_area": q.PCCArea, "contract_type": q.ContractType,
		"service_category": q.ServiceCategory, "sex": q.Sex, "age": q.Age, "setting": q.Setting, "q": q.Text, "sort": q.Sort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// selectedFilters lists the active filters, each with a link to the same search without it.
func selectedFilters(q findQuery, ref *reference.Data) []web.FilterCategory {
	v := q.values()
	without := func(key string) string {
		w := url.Values{}
		for k, vs := range v {
			if k != key {
				w[k] = vs
			}
		}
		if len(w) == 0 {
			return "/services"
		}
		return "/services?" + w.Encode()
	}
	var out []web.FilterCategory
	add := func(heading, key, text string) {
		if v.Get(key) != "" {
			out = append(out, web.FilterCategory{Heading: heading, Tags: []web.Link{{Text: text, Href: without(key)}}})
		}
	}
	if q.Text != "" {
		add("Search", "q", q.Text)
	}
	if r, ok := ref.Region(q.Region); ok {
		add("Region", "region", r.Name)
	}
	if a, ok := ref.PCCArea(q.PCCArea); ok {
		add("PCC area", "pcc_area", a.Name)
	}
	if t, ok := ref.ContractType(q.ContractType); ok {
		add("Contract type", "contract_type", t.Name)
	}
	if c, ok := ref.Category(q.ServiceCategory); ok {
		add("Service category", "service_category", c.Name)
	}
	switch Sex(q.Sex) {
	case SexFemale:
		add("Sex", "sex", "Female")
	case SexMale:
		add("Sex", "sex", "Male")
	}
	if q.Age != "" {
		add("Age", "age", q.Age)
	}
	if name, ok := settingNames[Setting(q.Setting)]; ok {
		add("Setting", "setting", strings.ToUpper(name[:1])+name[1:])
	}
	return out
}

// resultCount reads "1 service" or "12 services".
func resultCount(n int) string {
	if n == 1 {
		return "1 service"
	}
	return fmt.Sprintf("%d services", n)
}

// serviceView is the page of one service.
type serviceView struct {
	ID          string
	Title       string
	Summary     []web.SummaryRow
	Description string
	Categories  []categoryView
	Open        bool
	CanRefer    bool
	StartHref   string
}

type categoryView struct {
	Name     string
	Levels   []web.SummaryRow
	Outcomes []string
}

func presentService(e CatalogueEntry, canRefer bool) serviceView {
	v := serviceView{ID: e.ID.String(), Title: serviceTitle(e), Description: e.Description, Open: e.OpenForReferral,
		CanRefer: canRefer && e.OpenForReferral, StartHref: "/services/" + e.ID.String() + "/start"}
	supply := []string{}
	for _, s := range e.Subcontractors {
		supply = append(supply, s.Supplier.LegalName)
	}
	if len(supply) == 0 {
		supply = []string{"None: the provider delivers the service itself"}
	}
	open := "Yes"
	if !e.OpenForReferral {
		open = "No"
	}
	v.Summary = []web.SummaryRow{
		{Key: "Reference", Value: e.Reference},
		{Key: "Contract type", Value: e.ContractType.Name},
		{Key: "Service categories", Value: categoryNames(e.Categories)},
		{Key: "Area", Value: location(e.Place)},
		{Key: "Who it is for", Value: whoFor(e.Eligibility)},
		{Key: "Provider", Value: providerName(e)},
		{Key: "Organisation type", Value: organisationType(string(e.Prime.OrganisationType))},
		{Key: "Supply chain", Lines: supply},
		{Key: "Referral window", Value: web.Date(e.WindowOpens) + " to " + web.Date(e.WindowCloses)},
		{Key: "Taking referrals today", Value: open},
	}
	for _, c := range e.Categories {
		cv := categoryView{Name: c.Name}
		for _, l := range c.ComplexityLevels {
			cv.Levels = append(cv.Levels, web.SummaryRow{Key: complexityName(l.Level), Value: l.Description})
		}
		for _, o := range c.Outcomes {
			cv.Outcomes = append(cv.Outcomes, o.Description)
		}
		v.Categories = append(v.Categories, cv)
	}
	return v
}

func organisationType(t string) string {
	switch t {
	case "VCSE":
		return "Voluntary, community or social enterprise"
	case "SME":
		return "Small or medium-sized enterprise"
	case "LARGE":
		return "Large organisation"
	}
	return t
}

func complexityName(level string) string {
	l := strings.ToLower(strings.ReplaceAll(level, "_", " "))
	if l == "" {
		return level
	}
	return strings.ToUpper(l[:1]) + l[1:]
}
