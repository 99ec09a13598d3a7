package contracts

import (
	"context"
	"embed"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/page"
	"github.com/crsplatform/crs/internal/reference"
	"github.com/crsplatform/crs/internal/web"
)

//go:embed templates/*.html
var pageFS embed.FS

// FindPageSize is the number of services on a page of Find a service.
const FindPageSize = 20

// Pages are the catalogue's web pages: Find a service and a service's page.
type Pages struct {
	svc *Service
	ref *reference.Data
	w   *web.Platform
	t   *web.Templates
}

// RegisterPages mounts Find a service (/services) and a service's page (/services/:id) for every
// signed-in role, adds "Find a service" to practitioners' navigation and a panel to their home page.
func RegisterPages(w *web.Platform, svc *Service, ref *reference.Data) {
	p := &Pages{svc: svc, ref: ref, w: w, t: w.MustParse(pageFS, "templates/find.html", "templates/service.html")}
	e := w.Echo()
	e.GET("/services", p.find, w.SignedIn())
	e.GET("/services/:id", p.service, w.SignedIn())
	practitioners := []actor.Role{actor.RolePractitioner}
	w.AddNav(web.NavItem{Text: "Find a service", Href: "/services", Roles: practitioners, Order: 10})
	w.AddHomePanel(web.HomePanel{Roles: practitioners, Order: 10,
		Build: func(context.Context, actor.Actor) (web.Panel, bool, error) {
			return web.Panel{Heading: "Start a referral", Text: "Find a service for the person: search the catalogue by area, need and eligibility.",
				Links: []web.PanelLink{{Text: "Find a service", Href: "/services"}}}, true, nil
		}})
}

// findView is the Find a service page.
type findView struct {
	Query         findQuery
	Regions       []web.Item
	PCCAreas      []web.Item
	ContractTypes []web.Item
	Categories    []web.Item
	Sexes         []web.Item
	Settings      []web.Item
	Sorts         []web.Item
	Selected      []web.FilterCategory
	Count         string
	Results       []resultView
	Pagination    web.Pagination
	Invalid       bool
}

func (p *Pages) find(c echo.Context) error {
	q := findQuery{Region: strings.TrimSpace(c.QueryParam("region")), PCCArea: strings.TrimSpace(c.QueryParam("pcc_area")),
		ContractType: strings.TrimSpace(c.QueryParam("contract_type")), ServiceCategory: strings.TrimSpace(c.QueryParam("service_category")),
		Sex: strings.TrimSpace(c.QueryParam("sex")), Age: strings.TrimSpace(c.QueryParam("age")), Setting: strings.TrimSpace(c.QueryParam("setting")),
		Text: strings.TrimSpace(c.QueryParam("q")), Sort: strings.TrimSpace(c.QueryParam("sort")), Page: 1}
	if n, err := strconv.Atoi(c.QueryParam("page")); err == nil && n > 1 {
		q.Page = n
	}
	params := CatalogueParams{Region: q.Region, PCCArea: q.PCCArea, ContractType: q.ContractType, ServiceCategory: q.ServiceCategory,
		Sex: Sex(q.Sex), Setting: Setting(q.Setting), Text: q.Text, Sort: CatalogueSort(q.Sort),
		Page: page.Params{Limit: FindPageSize}, Offset: (q.Page - 1) * FindPageSize}
	var errs web.Errors
	if q.Age != "" {
		n, err := strconv.Atoi(q.Age)
		if err != nil {
			errs.Add("age", "age", web.Message("age", "invalid_age", ""))
		} else {
			params.Age = &n
		}
	}
	v := p.findView(q)
	pg := web.Page{Title: "Find a service", Wide: true, Breadcrumbs: []web.Link{{Text: "Home", Href: "/"}}, Body: &v}
	ctx, a := httpserver.Ctx(c), httpserver.MustActor(c)
	if errs.Any() {
		v.Invalid, pg.Errors = true, errs
		return p.w.Render(c, http.StatusBadRequest, p.t, "find", pg)
	}
	total, err := p.svc.CatalogueCount(ctx, a, params)
	if fe, ok := web.ErrorsFrom(err, nil); ok {
		v.Invalid, pg.Errors = true, fe
		return p.w.Render(c, http.StatusBadRequest, p.t, "find", pg)
	}
	if err != nil {
		return err
	}
	res, err := p.svc.Catalogue(ctx, a, params)
	if err != nil {
		return err
	}
	today := p.svc.Today()
	for _, e := range res.Items {
		v.Results = append(v.Results, presentResult(e, today))
	}
	v.Count = resultCount(total)
	v.Pagination = web.NewPagination("/services", q.values(), q.Page, FindPageSize, total)
	return p.w.Render(c, http.StatusOK, p.t, "find", pg)
}

// findView fills the filter form's choices from the reference data, the typed values selected.
func (p *Pages) findView(q findQuery) findView {
	v := findView{Query: q, Selected: selectedFilters(q, p.ref)}
	v.Regions = []web.Item{{Value: "", Text: "Any region"}}
	for _, r := range p.ref.Regions {
		v.Regions = append(v.Regions, web.Item{Value: r.Code, Text: r.Name, Checked: r.Code == q.Region})
	}
	v.PCCAreas = []web.Item{{Value: "", Text: "Any PCC area"}}
	for _, a := range p.ref.PCCAreas {
		if q.Region != "" && a.RegionCode != q.Region {
			continue
		}
		v.PCCAreas = append(v.PCCAreas, web.Item{Value: a.Code, Text: a.Name, Checked: a.Code == q.PCCArea})
	}
	v.ContractTypes = []web.Item{{Value: "", Text: "Any contract type"}}
	for _, t := range p.ref.ContractTypes {
		v.ContractTypes = append(v.ContractTypes, web.Item{Value: t.Code, Text: t.Name, Checked: t.Code == q.ContractType})
	}
	v.Categories = []web.Item{{Value: "", Text: "Any service category"}}
	for _, cat := range p.ref.Categories {
		v.Categories = append(v.Categories, web.Item{Value: cat.Code, Text: cat.Name, Checked: cat.Code == q.ServiceCategory})
	}
	v.Sexes = []web.Item{{Value: "", Text: "Any", Checked: q.Sex == ""}, {Value: string(SexFemale), Text: "Female", Checked: q.Sex == string(SexFemale)},
		{Value: string(SexMale), Text: "Male", Checked: q.Sex == string(SexMale)}}
	v.Settings = []web.Item{{Value: "", Text: "Any", Checked: q.Setting == ""}}
	for _, s := range Settings() {
		name := settingNames[s]
		v.Settings = append(v.Settings, web.Item{Value: string(s), Text: strings.ToUpper(name[:1]) + name[1:], Checked: q.Setting == string(s)})
	}
	v.Sorts = []web.Item{{Value: string(SortReference), Text: "Reference", Checked: q.Sort == "" || q.Sort == string(SortReference)},
		{Value: string(SortPrime), Text: "Provider", Checked: q.Sort == string(SortPrime)},
		{Value: string(SortContractType), Text: "Contract type", Checked: q.Sort == string(SortContractType)}}
	return v
}

func (p *Pages) service(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	a := httpserver.MustActor(c)
	e, err := p.svc.CatalogueEntry(httpserver.Ctx(c), a, id, calendar.Date{})
	if err != nil {
		return err
	}
	v := presentService(e, a.Role == actor.RolePractitioner)
	return p.w.Render(c, http.StatusOK, p.t, "service", web.Page{Title: v.Title, Caption: e.Reference,
		Breadcrumbs: []web.Link{{Text: "Home", Href: "/"}, {Text: "Find a service", Href: "/services"}}, Body: v})
}
