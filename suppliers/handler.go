package suppliers

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/opt"
)

// Handler serves the supplier endpoints.
type Handler struct {
	svc *Service
}

// NewHandler returns the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

type addressRequest struct {
	Line1    string `json:"line1" maxLength:"200" doc:"The first line of the registered address."`
	Line2    string `json:"line2,omitempty" maxLength:"200" doc:"The second line of the address, if any."`
	Town     string `json:"town" maxLength:"200" doc:"The town or city."`
	Postcode string `json:"postcode" maxLength:"10" doc:"A UK postcode, such as SW1A 1AA." example:"SW1A 1AA"`
}

type contactRequest struct {
	Name  string `json:"name" maxLength:"200" doc:"The contact's full name."`
	Email string `json:"email" maxLength:"320" doc:"The contact's email address; commissioners write to it about contracts and payments."`
	Phone string `json:"phone,omitempty" maxLength:"30" doc:"A UK phone number, digits with optional spaces and a leading +44."`
	Role  string `json:"role,omitempty" maxLength:"200" doc:"What the contact does, such as bids or finance."`
}

type qualificationJSON struct {
	ServiceCategory string `json:"service_category" maxLength:"50" doc:"A service category code (see GET /reference/service-categories), such as ACCOMMODATION."`
	Region          string `json:"region" maxLength:"50" doc:"A probation region code, A to L (see GET /reference/regions)."`
}

type createRequest struct {
	LegalName            string              `json:"legal_name" maxLength:"200" doc:"The organisation's registered legal name."`
	TradingName          string              `json:"trading_name,omitempty" maxLength:"200" doc:"The name the organisation trades under, if different."`
	OrganisationType     string              `json:"organisation_type" enum:"VCSE,SME,LARGE" doc:"The kind of organisation: VCSE (voluntary, community or social enterprise), SME or LARGE."`
	CompaniesHouseNumber string              `json:"companies_house_number,omitempty" maxLength:"20" doc:"The Companies House registration number (8 characters); this or charity_number, or both."`
	CharityNumber        string              `json:"charity_number,omitempty" maxLength:"20" doc:"The Charity Commission number (6 to 8 digits); this or companies_house_number, or both."`
	Address              addressRequest      `json:"address" doc:"The registered address."`
	Contacts             []contactRequest    `json:"contacts" maxItems:"20" doc:"The people to contact; at least one."`
	Qualifications       []qualificationJSON `json:"qualifications,omitempty" maxItems:"500" doc:"The (service category, region) pairs the supplier is qualified for under the framework."`
}

type addressPatch struct {
	Line1    *string `json:"line1,omitempty" maxLength:"200" doc:"A new first line of the address."`
	Line2    *string `json:"line2,omitempty" maxLength:"200" doc:"A new second line; an empty string clears it."`
	Town     *string `json:"town,omitempty" maxLength:"200" doc:"A new town or city."`
	Postcode *string `json:"postcode,omitempty" maxLength:"10" doc:"A new UK postcode."`
}

type updateRequest struct {
	LegalName            *string              `json:"legal_name,omitempty" maxLength:"200" doc:"A new legal name."`
	TradingName          *string              `json:"trading_name,omitempty" maxLength:"200" doc:"A new trading name; an empty string clears it."`
	OrganisationType     *string              `json:"organisation_type,omitempty" enum:"VCSE,SME,LARGE" doc:"A new kind of organisation."`
	CompaniesHouseNumber *string              `json:"companies_house_number,omitempty" maxLength:"20" doc:"A new Companies House number; an empty string clears it (one of the two numbers must remain)."`
	CharityNumber        *string              `json:"charity_number,omitempty" maxLength:"20" doc:"A new charity number; an empty string clears it (one of the two numbers must remain)."`
	Address              *addressPatch        `json:"address,omitempty" doc:"Changes to the address; only the lines given change."`
	Contacts             *[]contactRequest    `json:"contacts,omitempty" maxItems:"20" doc:"The people to contact; the list replaces the whole list."`
	Qualifications       *[]qualificationJSON `json:"qualifications,omitempty" maxItems:"500" doc:"The qualifications; the list replaces the whole list."`
}

type statusRequest struct {
	Status        string `json:"status" enum:"active,suspended,removed" doc:"The supplier's new status: a suspended or removed supplier cannot receive new contracts or referrals."`
	Reason        string `json:"reason" maxLength:"2000" doc:"Why the status changes; required, kept in the status history."`
	EffectiveDate string `json:"effective_date,omitempty" format:"date" doc:"When the change took effect (YYYY-MM-DD), today or earlier; today when absent."`
}

type addressResponse struct {
	Line1    string  `json:"line1"`
	Line2    *string `json:"line2"`
	Town     string  `json:"town"`
	Postcode string  `json:"postcode"`
}

type contactResponse struct {
	Name  string  `json:"name"`
	Email string  `json:"email"`
	Phone *string `json:"phone"`
	Role  *string `json:"role"`
}

type statusChangeResponse struct {
	ID            uuid.UUID     `json:"id"`
	From          string        `json:"from_status"`
	To            string        `json:"to_status"`
	Reason        string        `json:"reason"`
	EffectiveDate calendar.Date `json:"effective_date"`
	ChangedBy     *uuid.UUID    `json:"changed_by"`
	ChangedAt     time.Time     `json:"changed_at"`
}

// SupplierItem is a supplier as lists show it: without contacts or status history.
type SupplierItem struct {
	ID                   uuid.UUID           `json:"id"`
	LegalName            string              `json:"legal_name"`
	TradingName          *string             `json:"trading_name"`
	OrganisationType     string              `json:"organisation_type"`
	CompaniesHouseNumber *string             `json:"companies_house_number"`
	CharityNumber        *string             `json:"charity_number"`
	Address              addressResponse     `json:"address"`
	Status               string              `json:"status"`
	StatusReason         *string             `json:"status_reason" doc:"reason of the latest status change"`
	StatusEffective      *calendar.Date      `json:"status_effective" doc:"effective date of the latest status change"`
	Qualifications       []qualificationJSON `json:"qualifications"`
	Version              int                 `json:"version"`
	CreatedAt            time.Time           `json:"created_at"`
	UpdatedAt            time.Time           `json:"updated_at"`
}

// SupplierResponse is a supplier with its contacts and status history, oldest change first.
type SupplierResponse struct {
	SupplierItem
	Contacts      []contactResponse      `json:"contacts"`
	StatusHistory []statusChangeResponse `json:"status_history"`
}

func supplierItem(s Supplier) SupplierItem {
	out := SupplierItem{
		ID: s.ID, LegalName: s.LegalName, TradingName: opt.String(s.TradingName), OrganisationType: string(s.OrganisationType),
		CompaniesHouseNumber: opt.String(s.CompaniesHouseNumber), CharityNumber: opt.String(s.CharityNumber),
		Address: addressResponse{Line1: s.Address.Line1, Line2: opt.String(s.Address.Line2), Town: s.Address.Town, Postcode: s.Address.Postcode},
		Status:  string(s.Status), StatusReason: opt.String(s.StatusReason),
		Qualifications: make([]qualificationJSON, len(s.Qualifications)),
		Version:        s.Version, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
	if !s.StatusEffective.IsZero() {
		d := s.StatusEffective
		out.StatusEffective = &d
	}
	for i, q := range s.Qualifications {
		out.Qualifications[i] = qualificationJSON(q)
	}
	return out
}

func supplierResponse(s Supplier) SupplierResponse {
	out := SupplierResponse{SupplierItem: supplierItem(s), Contacts: make([]contactResponse, len(s.Contacts)),
		StatusHistory: make([]statusChangeResponse, len(s.StatusHistory))}
	for i, c := range s.Contacts {
		out.Contacts[i] = contactResponse{Name: c.Name, Email: c.Email, Phone: opt.String(c.Phone), Role: opt.String(c.Role)}
	}
	for i, c := range s.StatusHistory {
		out.StatusHistory[i] = statusChangeResponse{ID: c.ID, From: string(c.From), To: string(c.To), Reason: c.Reason,
			EffectiveDate: c.EffectiveDate, ChangedBy: c.ChangedBy, ChangedAt: c.ChangedAt}
	}
	return out
}

func contactParams(in []contactRequest) []Contact {
	out := make([]Contact, len(in))
	for i, c := range in {
		out[i] = Contact(c)
	}
	return out
}

func qualificationParams(in []qualificationJSON) []Qualification {
	out := make([]Qualification, len(in))
	for i, q := range in {
		out[i] = Qualification(q)
	}
	return out
}

func location(id uuid.UUID) string { return httpserver.APIPrefix + "/suppliers/" + id.String() }

func (h *Handler) create(c echo.Context) error {
	var req createRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	p := CreateParams{
		LegalName: req.LegalName, TradingName: req.TradingName, OrganisationType: req.OrganisationType,
		CompaniesHouseNumber: req.CompaniesHouseNumber, CharityNumber: req.CharityNumber, Address: Address(req.Address),
		Contacts: contactParams(req.Contacts), Qualifications: qualificationParams(req.Qualifications),
	}
	s, err := h.svc.Create(httpserver.Ctx(c), httpserver.MustActor(c), p)
	if err != nil {
		return err
	}
	httpserver.SetETag(c, s.Version)
	return httpserver.Created(c, location(s.ID), supplierResponse(s))
}

func (h *Handler) get(c echo.Context) error {
	return httpserver.Read(c, h.svc.Get, supplierResponse, func(s Supplier) int { return s.Version })
}

func (h *Handler) list(c echo.Context) error {
	pp, err := httpserver.PageParams(c)
	if err != nil {
		return err
	}
	q := httpserver.NewQuery(c)
	p := ListParams{Status: q.String("status"), OrganisationType: q.String("organisation_type"), Region: q.String("region"),
		ServiceCategory: q.String("service_category"), Text: q.String("q"), Page: pp}
	return httpserver.List(c, p, h.svc.List, supplierItem)
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
	p := UpdateParams{LegalName: req.LegalName, TradingName: req.TradingName, OrganisationType: req.OrganisationType,
		CompaniesHouseNumber: req.CompaniesHouseNumber, CharityNumber: req.CharityNumber}
	if req.Address != nil {
		p.Address = &AddressUpdate{Line1: req.Address.Line1, Line2: req.Address.Line2, Town: req.Address.Town, Postcode: req.Address.Postcode}
	}
	if req.Contacts != nil {
		contacts := contactParams(*req.Contacts)
		p.Contacts = &contacts
	}
	if req.Qualifications != nil {
		quals := qualificationParams(*req.Qualifications)
		p.Qualifications = &quals
	}
	s, err := h.svc.Update(httpserver.Ctx(c), httpserver.MustActor(c), id, version, p)
	if err != nil {
		return err
	}
	httpserver.SetETag(c, s.Version)
	return c.JSON(http.StatusOK, supplierResponse(s))
}

func (h *Handler) changeStatus(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	version := httpserver.ExpectedVersion(c)
	var req statusRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	s, err := h.svc.ChangeStatus(httpserver.Ctx(c), httpserver.MustActor(c), id, version, ChangeStatusParams(req))
	if err != nil {
		return err
	}
	httpserver.SetETag(c, s.Version)
	return c.JSON(http.StatusOK, supplierResponse(s))
}
