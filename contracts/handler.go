package contracts

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/opt"
	"github.com/crsplatform/crs/suppliers"
)

// Handler serves the contract endpoints.
type Handler struct {
	svc *Service
}

// NewHandler returns the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// parser parses the strings a request carries (ids, dates) into field errors.
type parser struct{ httpserver.Parser }

type eligibilityRequest struct {
	Sexes    []string `json:"sexes" enum:"MALE,FEMALE" code:"sex_unknown" maxItems:"2" doc:"The sexes the contract serves: MALE, FEMALE or both; a referral for another sex is refused."`
	MinAge   *int     `json:"min_age,omitempty" maximum:"150" code:"invalid_age" doc:"The youngest age served, 18 or more; 18 when omitted."`
	MaxAge   *int     `json:"max_age,omitempty" maximum:"150" code:"invalid_age" doc:"The oldest age served, at least min_age; no upper limit when omitted or null."`
	Settings []string `json:"settings" enum:"COMMUNITY,LICENCE,PRE_RELEASE" code:"invalid_setting" maxItems:"3" doc:"Where the people it serves may be: COMMUNITY (a community sentence with a RAR), LICENCE and/or PRE_RELEASE."`
}

func (e *eligibilityRequest) eligibility() Eligibility {
	out := Eligibility{MinAge: MinAge}
	if e == nil {
		return out
	}
	for _, s := range e.Sexes {
		out.Sexes = append(out.Sexes, Sex(s))
	}
	for _, s := range e.Settings {
		out.Settings = append(out.Settings, Setting(s))
	}
	if e.MinAge != nil {
		out.MinAge = *e.MinAge
	}
	out.MaxAge = e.MaxAge
	return out
}

type extensionRequest struct {
	StartDate string `json:"start_date" format:"date" doc:"The extension's first day (YYYY-MM-DD): the day after the previous end."`
	EndDate   string `json:"end_date" format:"date" doc:"The extension's last day (YYYY-MM-DD)."`
	Taken     bool   `json:"taken,omitempty" doc:"Whether the extension has been taken up; only taken extensions move the effective end date."`
}

func extensionsOf(p *parser, reqs []extensionRequest) []Extension {
	out := make([]Extension, len(reqs))
	for i, e := range reqs {
		path := fmt.Sprintf("extensions[%d]", i)
		out[i] = Extension{Number: i + 1, Start: p.Date(path+".start_date", e.StartDate), End: p.Date(path+".end_date", e.EndDate), Taken: e.Taken}
	}
	return out
}

type createRequest struct {
	Reference             string              `json:"reference" maxLength:"30" code:"reference_too_long" doc:"The contract's reference, 1 to 30 characters, unique whatever the letter case (409 reference_taken)." example:"ACC-J-2026-01"`
	ContractTypeCode      string              `json:"contract_type_code" maxLength:"50" doc:"The contract type code (see GET /reference/contract-types), such as ACC; it decides the service categories." example:"ACC"`
	RegionCode            string              `json:"region_code,omitempty" maxLength:"50" doc:"A region-level contract's probation region code (A to L); give this or pcc_area_code, not both." example:"J"`
	PCCAreaCode           string              `json:"pcc_area_code,omitempty" maxLength:"50" doc:"A PCC-level contract's PCC area code; give this or region_code, not both."`
	PrimeSupplierID       string              `json:"prime_supplier_id" format:"uuid" doc:"The prime supplier: an active supplier qualified for every category of the contract type in the region."`
	SubcontractorIDs      []string            `json:"subcontractor_ids,omitempty" format:"uuid" maxItems:"50" doc:"Suppliers to add to the supply chain from the start, each active and not the prime."`
	CoCommissionerName    string              `json:"co_commissioner_name,omitempty" maxLength:"200" doc:"The body that co-funds the contract, if any; give co_commissioner_share_bp with it."`
	CoCommissionerShareBP *int                `json:"co_commissioner_share_bp,omitempty" maximum:"10000" code:"co_commissioner_share_out_of_range" doc:"The co-commissioner's funding share in basis points, 0 to 10000 (2500 = 25.00 %)."`
	Eligibility           *eligibilityRequest `json:"eligibility" required:"true" doc:"Who the contract serves: sexes, ages and settings."`
	StartDate             string              `json:"start_date" format:"date" doc:"The contract's first day (YYYY-MM-DD); contract years run from it." example:"2026-04-01"`
	EndDate               string              `json:"end_date" format:"date" doc:"The contract's last day before any extension (YYYY-MM-DD), after start_date." example:"2029-03-31"`
	Extensions            []extensionRequest  `json:"extensions,omitempty" maxItems:"10" doc:"Extension periods in order, each starting the day after the previous end."`
	ReferralWindowOpens   string              `json:"referral_window_opens,omitempty" format:"date" doc:"The first day referrals are accepted (YYYY-MM-DD); the start date when omitted."`
	ReferralWindowCloses  string              `json:"referral_window_closes,omitempty" format:"date" doc:"The last day referrals are accepted (YYYY-MM-DD); the effective end date when omitted."`
	ReferralMailbox       string              `json:"referral_mailbox,omitempty" maxLength:"320" doc:"The supplier's email address that receives new referrals."`
	Description           string              `json:"description,omitempty" maxLength:"4000" doc:"What the contract offers, shown in the catalogue."`
}

type supplierResponse struct {
	ID               uuid.UUID `json:"id"`
	LegalName        string    `json:"legal_name"`
	TradingName      string    `json:"trading_name"`
	OrganisationType string    `json:"organisation_type"`
	Status           string    `json:"status"`
}

type subcontractorResponse struct {
	Supplier      supplierResponse `json:"supplier"`
	AddedOn       calendar.Date    `json:"added_on"`
	AddedBy       *uuid.UUID       `json:"added_by"`
	AddedReason   string           `json:"added_reason"`
	RemovedOn     *calendar.Date   `json:"removed_on"`
	RemovedBy     *uuid.UUID       `json:"removed_by"`
	RemovedReason string           `json:"removed_reason"`
}

type eligibilityResponse struct {
	Sexes    []Sex     `json:"sexes"`
	MinAge   int       `json:"min_age"`
	MaxAge   *int      `json:"max_age"`
	Settings []Setting `json:"settings"`
}

type extensionResponse struct {
	Number    int           `json:"number"`
	StartDate calendar.Date `json:"start_date"`
	EndDate   calendar.Date `json:"end_date"`
	Taken     bool          `json:"taken"`
}

type yearSummary struct {
	Number    int           `json:"number"`
	StartDate calendar.Date `json:"start_date"`
	EndDate   calendar.Date `json:"end_date"`
	PartYear  bool          `json:"part_year"`
	Days      int           `json:"days"`
	FullDays  int           `json:"full_days" doc:"days of the full contract year (365 or 366); days unless part_year"`
}

// ContractResponse is a contract as the API shows it.
type ContractResponse struct {
	ID                         uuid.UUID               `json:"id"`
	Reference                  string                  `json:"reference"`
	ContractTypeCode           string                  `json:"contract_type_code"`
	AreaLevel                  string                  `json:"area_level" doc:"region or pcc_area"`
	RegionCode                 string                  `json:"region_code" doc:"the contract's region; for a PCC-level contract, its PCC area's region"`
	PCCAreaCode                *string                 `json:"pcc_area_code"`
	Prime                      supplierResponse        `json:"prime"`
	Subcontractors             []subcontractorResponse `json:"subcontractors" doc:"the current supply chain"`
	CoCommissionerName         *string                 `json:"co_commissioner_name"`
	CoCommissionerShareBP      *int                    `json:"co_commissioner_share_bp" doc:"basis points, 2500 = 25.00 %"`
	CoCommissionerSharePercent *string                 `json:"co_commissioner_share_percent" doc:"the share as a percentage with two decimals, for people"`
	Eligibility                eligibilityResponse     `json:"eligibility"`
	StartDate                  calendar.Date           `json:"start_date"`
	EndDate                    calendar.Date           `json:"end_date"`
	EffectiveEndDate           calendar.Date           `json:"effective_end_date" doc:"the end of the last extension taken, or end_date"`
	Extensions                 []extensionResponse     `json:"extensions"`
	ReferralWindowOpens        calendar.Date           `json:"referral_window_opens"`
	ReferralWindowCloses       calendar.Date           `json:"referral_window_closes"`
	ReferralMailbox            *string                 `json:"referral_mailbox"`
	Description                *string                 `json:"description"`
	Status                     State                   `json:"status" doc:"pending, live or ended, today"`
	CurrentYear                *int                    `json:"current_year" doc:"the contract year running today"`
	Years                      []yearSummary           `json:"years"`
	Version                    int                     `json:"version"`
	CreatedAt                  time.Time               `json:"created_at"`
	UpdatedAt                  time.Time               `json:"updated_at"`
}

func supplierOf(s suppliers.Summary) supplierResponse {
	return supplierResponse{ID: s.ID, LegalName: s.LegalName, TradingName: s.TradingName,
		OrganisationType: string(s.OrganisationType), Status: string(s.Status)}
}

func datePtr(d calendar.Date) *calendar.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

func subcontractorOf(s Subcontractor) subcontractorResponse {
	return subcontractorResponse{Supplier: supplierOf(s.Supplier), AddedOn: s.AddedOn, AddedBy: s.AddedBy, AddedReason: s.AddedReason,
		RemovedOn: datePtr(s.RemovedOn), RemovedBy: s.RemovedBy, RemovedReason: s.RemovedReason}
}

func contractResponse(c Contract, today calendar.Date) ContractResponse {
	out := ContractResponse{
		ID: c.ID, Reference: c.Reference, ContractTypeCode: c.ContractTypeCode, AreaLevel: "region", RegionCode: c.Area.RegionCode,
		PCCAreaCode: opt.String(c.Area.PCCAreaCode), Prime: supplierOf(c.Prime),
		Subcontractors: make([]subcontractorResponse, len(c.Subcontractors)), CoCommissionerName: opt.String(c.CoCommissionerName),
		CoCommissionerShareBP: c.CoCommissionerShareBP,
		Eligibility: eligibilityResponse{Sexes: c.Eligibility.Sexes, MinAge: c.Eligibility.MinAge, MaxAge: c.Eligibility.MaxAge,
			Settings: c.Eligibility.Settings},
		StartDate: c.Start, EndDate: c.End, EffectiveEndDate: c.EffectiveEnd(), Extensions: make([]extensionResponse, len(c.Extensions)),
		ReferralWindowOpens: c.WindowOpens, ReferralWindowCloses: c.WindowCloses, ReferralMailbox: opt.String(c.ReferralMailbox),
		Description: opt.String(c.Description), Status: c.StateOn(today), Years: []yearSummary{}, Version: c.Version,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	if c.Area.IsPCC() {
		out.AreaLevel = "pcc_area"
	}
	if c.CoCommissionerShareBP != nil {
		s := ShareText(*c.CoCommissionerShareBP)
		out.CoCommissionerSharePercent = &s
	}
	for i, s := range c.Subcontractors {
		out.Subcontractors[i] = subcontractorOf(s)
	}
	for i, e := range c.Extensions {
		out.Extensions[i] = extensionResponse{Number: e.Number, StartDate: e.Start, EndDate: e.End, Taken: e.Taken}
	}
	years, _ := c.Years() // a stored contract's dates are valid
	for _, y := range years {
		out.Years = append(out.Years, yearSummary{Number: y.Number, StartDate: y.Start, EndDate: y.End, PartYear: y.PartYear, Days: y.Days, FullDays: y.FullDays})
	}
	if y, ok := YearOn(years, today); ok {
		n := y.Number
		out.CurrentYear = &n
	}
	return out
}

func (h *Handler) create(c echo.Context) error {
	var req createRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	var p parser
	params := CreateParams{
		Reference: req.Reference, ContractTypeCode: req.ContractTypeCode, RegionCode: req.RegionCode, PCCAreaCode: req.PCCAreaCode,
		PrimeSupplierID: p.OptionalID("prime_supplier_id", req.PrimeSupplierID), CoCommissionerName: req.CoCommissionerName,
		CoCommissionerShareBP: req.CoCommissionerShareBP, Eligibility: req.Eligibility.eligibility(),
		Start: p.Date("start_date", req.StartDate), End: p.Date("end_date", req.EndDate), Extensions: extensionsOf(&p, req.Extensions),
		WindowOpens: p.Date("referral_window_opens", req.ReferralWindowOpens), WindowCloses: p.Date("referral_window_closes", req.ReferralWindowCloses),
		ReferralMailbox: req.ReferralMailbox, Description: req.Description,
	}
	for i, s := range req.SubcontractorIDs {
		params.SubcontractorIDs = append(params.SubcontractorIDs, p.OptionalID(fmt.Sprintf("subcontractor_ids[%d]", i), s))
	}
	if err := p.Err(); err != nil {
		return err
	}
	ct, err := h.svc.Create(httpserver.Ctx(c), httpserver.MustActor(c), params)
	if err != nil {
		return err
	}
	httpserver.SetETag(c, ct.Version)
	return httpserver.Created(c, httpserver.APIPrefix+"/contracts/"+ct.ID.String(), contractResponse(ct, h.svc.Today()))
}

func (h *Handler) get(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	ct, err := h.svc.Get(httpserver.Ctx(c), httpserver.MustActor(c), id)
	if err != nil {
		return err
	}
	httpserver.SetETag(c, ct.Version)
	return c.JSON(http.StatusOK, contractResponse(ct, h.svc.Today()))
}

type contractPage struct {
	Items      []ContractResponse `json:"items"`
	NextCursor *string            `json:"next_cursor"`
}

func (h *Handler) list(c echo.Context) error {
	pp, err := httpserver.PageParams(c)
	if err != nil {
		return err
	}
	q := httpserver.NewQuery(c)
	p := ListParams{Region: q.String("region"), PCCArea: q.String("pcc_area"), ContractType: q.String("contract_type"),
		PrimeSupplierID: q.UUID("prime_supplier_id"), Text: q.String("q"), Page: pp}
	if s := q.String("status"); s != "" {
		st, err := ParseState(s)
		if err != nil {
			q.Fail("status", "invalid_status", "status must be pending, live or ended")
		}
		p.Status = st
	}
	if err := q.Err(); err != nil {
		return err
	}
	res, err := h.svc.List(httpserver.Ctx(c), httpserver.MustActor(c), p)
	if err != nil {
		return err
	}
	today := h.svc.Today()
	out := contractPage{Items: make([]ContractResponse, len(res.Items)), NextCursor: res.NextCursor}
	for i, ct := range res.Items {
		out.Items[i] = contractResponse(ct, today)
	}
	return c.JSON(http.StatusOK, out)
}

type updateRequest struct {
	StartDate             *string                     `json:"start_date,omitempty" format:"date" doc:"A new first day (YYYY-MM-DD); contract years move with it."`
	EndDate               *string                     `json:"end_date,omitempty" format:"date" doc:"A new last day before extensions (YYYY-MM-DD)."`
	ReferralWindowOpens   *string                     `json:"referral_window_opens,omitempty" format:"date" doc:"A new first day for referrals (YYYY-MM-DD)."`
	ReferralWindowCloses  *string                     `json:"referral_window_closes,omitempty" format:"date" doc:"A new last day for referrals (YYYY-MM-DD)."`
	Eligibility           *eligibilityRequest         `json:"eligibility,omitempty" doc:"Who the contract serves; replaces the whole eligibility."`
	CoCommissionerName    httpserver.Nullable[string] `json:"co_commissioner_name,omitzero" maxLength:"200" doc:"The co-funding body; null removes the co-commissioner (with its share)."`
	CoCommissionerShareBP httpserver.Nullable[int]    `json:"co_commissioner_share_bp,omitzero" maximum:"10000" code:"co_commissioner_share_out_of_range" doc:"The co-commissioner's share in basis points, 0 to 10000; null removes the share."`
	ReferralMailbox       httpserver.Nullable[string] `json:"referral_mailbox,omitzero" maxLength:"320" doc:"The email address that receives new referrals; null removes it."`
	Description           httpserver.Nullable[string] `json:"description,omitzero" maxLength:"4000" doc:"What the contract offers; null removes it."`
	Extensions            *[]extensionRequest         `json:"extensions,omitempty" maxItems:"10" doc:"Extension periods in order; the list replaces the previous one, and [] removes every extension."`
	// Fixed once created; accepted only to refuse them by name.
	Reference        json.RawMessage `json:"reference,omitempty" doc:"not editable (not_editable)"`
	ContractTypeCode json.RawMessage `json:"contract_type_code,omitempty" doc:"not editable (not_editable)"`
	RegionCode       json.RawMessage `json:"region_code,omitempty" doc:"not editable (not_editable)"`
	PCCAreaCode      json.RawMessage `json:"pcc_area_code,omitempty" doc:"not editable (not_editable)"`
	PrimeSupplierID  json.RawMessage `json:"prime_supplier_id,omitempty" doc:"not editable (not_editable)"`
	SubcontractorIDs json.RawMessage `json:"subcontractor_ids,omitempty" doc:"not editable here: use the subcontractors endpoints (not_editable)"`
}

func (h *Handler) update(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	version := httpserver.ExpectedVersion(c)
	var req updateRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	var p parser
	fixed := map[string]json.RawMessage{"reference": req.Reference, "contract_type_code": req.ContractTypeCode,
		"region_code": req.RegionCode, "pcc_area_code": req.PCCAreaCode, "prime_supplier_id": req.PrimeSupplierID, "subcontractor_ids": req.SubcontractorIDs}
	for _, field := range slices.Sorted(maps.Keys(fixed)) {
		if fixed[field] != nil {
			p.Add(field, "not_editable", field+" cannot be changed once the contract is created")
		}
	}
	params := UpdateParams{
		Start: p.DatePtr("start_date", req.StartDate), End: p.DatePtr("end_date", req.EndDate),
		WindowOpens: p.DatePtr("referral_window_opens", req.ReferralWindowOpens), WindowCloses: p.DatePtr("referral_window_closes", req.ReferralWindowCloses),
	}
	if req.Eligibility != nil {
		e := req.Eligibility.eligibility()
		params.Eligibility = &e
	}
	if req.CoCommissionerName.Set {
		name := ""
		if req.CoCommissionerName.Value != nil {
			name = *req.CoCommissionerName.Value
		}
		params.CoCommissionerName = &name
		// Removing the co-commissioner removes its share, unless a share is sent (which then fails).
		params.RemoveCoCommissionerShare = name == "" && !req.CoCommissionerShareBP.Set
	}
	if req.CoCommissionerShareBP.Set {
		params.CoCommissionerShareBP = req.CoCommissionerShareBP.Value
		params.RemoveCoCommissionerShare = req.CoCommissionerShareBP.Value == nil
	}
	params.ReferralMailbox = clearable(req.ReferralMailbox)
	params.Description = clearable(req.Description)
	if req.Extensions != nil {
		exts := extensionsOf(&p, *req.Extensions)
		params.Extensions = &exts
	}
	if err := p.Err(); err != nil {
		return err
	}
	ct, err := h.svc.Update(httpserver.Ctx(c), httpserver.MustActor(c), id, version, params)
	if err != nil {
		return err
	}
	httpserver.SetETag(c, ct.Version)
	return c.JSON(http.StatusOK, contractResponse(ct, h.svc.Today()))
}

func clearable(n httpserver.Nullable[string]) *string {
	if !n.Set {
		return nil
	}
	s := ""
	if n.Value != nil {
		s = *n.Value
	}
	return &s
}

type addSubcontractorRequest struct {
	SupplierID string `json:"supplier_id" format:"uuid" doc:"The supplier to add to the supply chain: active, and not the prime or a current subcontractor."`
	Reason     string `json:"reason,omitempty" maxLength:"2000" doc:"Why the supplier joins, for the record."`
}

type removeSubcontractorRequest struct {
	Reason string `json:"reason" maxLength:"2000" doc:"Why the supplier leaves the supply chain; required."`
}

type supplyChainResponse struct {
	Items []subcontractorResponse `json:"items"`
}

func (h *Handler) addSubcontractor(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	var req addSubcontractorRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	var p parser
	supplierID := p.OptionalID("supplier_id", req.SupplierID)
	if err := p.Err(); err != nil {
		return err
	}
	s, err := h.svc.AddSubcontractor(httpserver.Ctx(c), httpserver.MustActor(c), id, httpserver.ExpectedVersion(c), supplierID, req.Reason)
	if err != nil {
		return err
	}
	return httpserver.Created(c, httpserver.APIPrefix+"/contracts/"+id.String()+"/supply-chain-history", subcontractorOf(s))
}

func (h *Handler) removeSubcontractor(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	supplierID, err := httpserver.PathID(c, "supplier_id")
	if err != nil {
		return err
	}
	var req removeSubcontractorRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	s, err := h.svc.RemoveSubcontractor(httpserver.Ctx(c), httpserver.MustActor(c), id, httpserver.ExpectedVersion(c), supplierID, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, subcontractorOf(s))
}

func (h *Handler) supplyChainHistory(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := h.svc.SupplyChainHistory(httpserver.Ctx(c), httpserver.MustActor(c), id)
	if err != nil {
		return err
	}
	out := supplyChainResponse{Items: make([]subcontractorResponse, len(list))}
	for i, s := range list {
		out.Items[i] = subcontractorOf(s)
	}
	return c.JSON(http.StatusOK, out)
}
