package contracts

import (
	"net/http"
	"strconv"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/opt"
	"github.com/crsplatform/crs/suppliers"
)

type codeNameResponse struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type areaResponse struct {
	Level       string  `json:"level" doc:"region (the whole region) or pcc (one PCC area)"`
	RegionCode  string  `json:"region_code" doc:"for a PCC-level contract, its PCC area's region"`
	RegionName  string  `json:"region_name"`
	PCCAreaCode *string `json:"pcc_area_code" doc:"null for a region-level contract"`
	PCCAreaName *string `json:"pcc_area_name"`
}

func areaOf(p Place, a Area) areaResponse {
	out := areaResponse{Level: "region", RegionCode: a.RegionCode, RegionName: p.Region.Name}
	if a.IsPCC() {
		out.Level = "pcc"
		out.PCCAreaCode, out.PCCAreaName = opt.String(a.PCCAreaCode), opt.String(p.PCCArea.Name)
	}
	return out
}

type catalogueSupplierResponse struct {
	ID               uuid.UUID `json:"id"`
	Name             string    `json:"name" doc:"the legal name"`
	TradingName      *string   `json:"trading_name"`
	OrganisationType string    `json:"organisation_type" doc:"VCSE, SME or LARGE"`
}

func catalogueSupplierOf(s suppliers.Summary) catalogueSupplierResponse {
	return catalogueSupplierResponse{ID: s.ID, Name: s.LegalName, TradingName: opt.String(s.TradingName), OrganisationType: string(s.OrganisationType)}
}

type windowResponse struct {
	Opens  calendar.Date `json:"opens"`
	Closes calendar.Date `json:"closes"`
}

// CatalogueEntryResponse is a contract as the catalogue shows it.
type CatalogueEntryResponse struct {
	ID                uuid.UUID                   `json:"id"`
	Reference         string                      `json:"reference"`
	ContractType      codeNameResponse            `json:"contract_type"`
	ServiceCategories []codeNameResponse          `json:"service_categories" doc:"the categories the contract type offers"`
	Area              areaResponse                `json:"area"`
	Prime             catalogueSupplierResponse   `json:"prime"`
	Subcontractors    []catalogueSupplierResponse `json:"subcontractors" doc:"the current supply chain"`
	Eligibility       eligibilityResponse         `json:"eligibility"`
	ReferralWindow    windowResponse              `json:"referral_window" doc:"the days referrals may be sent, both included"`
	Description       *string                     `json:"description"`
	OpenForReferral   bool                        `json:"open_for_referral" doc:"live on the date asked for, with the referral window containing it"`
}

func catalogueEntryResponse(e CatalogueEntry) CatalogueEntryResponse {
	out := CatalogueEntryResponse{
		ID: e.ID, Reference: e.Reference, ContractType: codeNameResponse{Code: e.ContractType.Code, Name: e.ContractType.Name},
		ServiceCategories: make([]codeNameResponse, len(e.Categories)), Area: areaOf(e.Place, e.Area),
		Prime: catalogueSupplierOf(e.Prime), Subcontractors: make([]catalogueSupplierResponse, len(e.Subcontractors)),
		Eligibility: eligibilityResponse{Sexes: e.Eligibility.Sexes, MinAge: e.Eligibility.MinAge, MaxAge: e.Eligibility.MaxAge,
			Settings: e.Eligibility.Settings},
		ReferralWindow: windowResponse{Opens: e.WindowOpens, Closes: e.WindowCloses}, Description: opt.String(e.Description),
		OpenForReferral: e.OpenForReferral,
	}
	for i, c := range e.Categories {
		out.ServiceCategories[i] = codeNameResponse{Code: c.Code, Name: c.Name}
	}
	for i, s := range e.Subcontractors {
		out.Subcontractors[i] = catalogueSupplierOf(s.Supplier)
	}
	return out
}

type cataloguePage struct {
	Date       calendar.Date            `json:"date" doc:"the day the contracts are open for referral on"`
	Items      []CatalogueEntryResponse `json:"items"`
	NextCursor *string                  `json:"next_cursor"`
}

type catalogueEntryBody struct {
	Date calendar.Date `json:"date" doc:"the day open_for_referral is for"`
	CatalogueEntryResponse
}

// catalogueDate reads the optional date query parameter (invalid_date).
func catalogueDate(q *httpserver.Query) calendar.Date {
	s := q.String("date")
	if s == "" {
		return calendar.Date{}
	}
	d, err := httpserver.ParseDate(s)
	if err != nil {
		q.Fail("date", "invalid_date", "date must be a date written YYYY-MM-DD")
	}
	return d
}

func (h *Handler) catalogue(c echo.Context) error {
	pp, err := httpserver.PageParams(c)
	if err != nil {
		return err
	}
	q := httpserver.NewQuery(c)
	p := CatalogueParams{
		Date: catalogueDate(q), Region: q.String("region"), PCCArea: q.String("pcc_area"), ServiceCategory: q.String("service_category"),
		ContractType: q.String("contract_type"), Sex: Sex(q.String("sex")), Setting: Setting(q.String("setting")),
		Text: q.String("q"), Sort: CatalogueSort(q.String("sort")), Page: pp,
	}
	if s := q.String("age"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			q.Fail("age", "invalid_age", "age must be a whole number of years")
		}
		p.Age = &n
	}
	if err := q.Err(); err != nil {
		return err
	}
	if p.Date.IsZero() {
		p.Date = h.svc.Today()
	}
	res, err := h.svc.Catalogue(httpserver.Ctx(c), httpserver.MustActor(c), p)
	if err != nil {
		return err
	}
	out := cataloguePage{Date: p.Date, Items: make([]CatalogueEntryResponse, len(res.Items)), NextCursor: res.NextCursor}
	for i, e := range res.Items {
		out.Items[i] = catalogueEntryResponse(e)
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) catalogueEntry(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	q := httpserver.NewQuery(c)
	on := catalogueDate(q)
	if err := q.Err(); err != nil {
		return err
	}
	if on.IsZero() {
		on = h.svc.Today()
	}
	e, err := h.svc.CatalogueEntry(httpserver.Ctx(c), httpserver.MustActor(c), id, on)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, catalogueEntryBody{Date: e.Date, CatalogueEntryResponse: catalogueEntryResponse(e)})
}
