package payments

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/payments/volumes"
)

// YearResponse is a contract year as volume responses show it.
type YearResponse struct {
	Number   int           `json:"number"`
	Start    calendar.Date `json:"start"`
	End      calendar.Date `json:"end"`
	PartYear bool          `json:"part_year"`
	Days     int           `json:"days"`
}

// BindingResponse is an ended year's binding band and balance.
type BindingResponse struct {
	Band                  int    `json:"band"`
	Rule                  string `json:"rule"`
	PricePence            int64  `json:"price_pence"`
	EntitlementsPaidPence int64  `json:"entitlements_paid_pence"`
	BalancePence          int64  `json:"balance_pence"`
	OverCap               int    `json:"over_cap"`
}

// PictureResponse is a contract year's volume picture.
type PictureResponse struct {
	ContractID      uuid.UUID             `json:"contract_id"`
	Reference       string                `json:"contract_reference"`
	ContractType    string                `json:"contract_type"`
	Region          string                `json:"region"`
	PCCArea         *string               `json:"pcc_area"`
	Year            YearResponse          `json:"year"`
	AsOf            calendar.Date         `json:"as_of"`
	CountedYTD      int                   `json:"counted_ytd"`
	Projected       *int                  `json:"projected"`
	DaysElapsed     int                   `json:"days_elapsed"`
	IndicatedBand   *int                  `json:"indicated_band"`
	BasisBand       *int                  `json:"payment_basis_band"`
	BasisPricePence int64                 `json:"payment_basis_price_pence"`
	Cap             int                   `json:"cap"`
	PercentOfCap    string                `json:"percent_of_cap"`
	Status          volumes.Status        `json:"status"`
	OverCap         int                   `json:"over_cap"`
	ByCategory      map[string]int        `json:"by_category"`
	ByComplexity    map[string]int        `json:"by_complexity"`
	Monthly         []volumes.MonthVolume `json:"monthly"`
	Binding         *BindingResponse      `json:"binding"`
}

// percent formats basis points as a percentage with two decimals.
func percent(bp int) string {
	return fmt.Sprintf("%d.%02d", bp/100, bp%100)
}

func pictureResponse(p volumes.Picture) PictureResponse {
	r := PictureResponse{ContractID: p.ContractID, Reference: p.Reference, ContractType: p.ContractType, Region: p.RegionCode,
		Year: YearResponse{Number: p.Year.Number, Start: p.Year.Start, End: p.Year.End, PartYear: p.Year.PartYear, Days: p.Year.Days},
		AsOf: p.AsOf, CountedYTD: p.CountedYTD, Projected: p.Projected, DaysElapsed: p.DaysElapsed, IndicatedBand: intPtr(p.IndicatedBand),
		BasisBand: intPtr(p.BasisBand), BasisPricePence: int64(p.BasisPrice), Cap: p.Cap, PercentOfCap: percent(p.PercentOfCapBP),
		Status: p.Status, OverCap: p.OverCap, ByCategory: p.ByCategory, ByComplexity: p.ByComplexity, Monthly: p.Months}
	if p.PCCAreaCode != "" {
		pcc := p.PCCAreaCode
		r.PCCArea = &pcc
	}
	if b := p.Binding; b != nil {
		r.Binding = &BindingResponse{Band: b.Band, Rule: b.Rule, PricePence: int64(b.Price), EntitlementsPaidPence: int64(b.EntitlementsPaid),
			BalancePence: int64(b.Balance), OverCap: b.OverCap}
	}
	return r
}

type contractVolumesResponse struct {
	Current   PictureResponse `json:"current"`
	Snapshots []Snapshot      `json:"snapshots"`
}

func (h *Handler) contractVolumes(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	q := httpserver.NewQuery(c)
	year := q.Int("year")
	if year < 0 {
		q.Fail("year", "invalid_year", "year must be a contract year number, from 1")
	}
	asOf := h.asOf(q)
	if err := q.Err(); err != nil {
		return err
	}
	v, err := h.svc.ContractVolumes(httpserver.Ctx(c), httpserver.MustActor(c), id, year, asOf)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, contractVolumesResponse{Current: pictureResponse(v.Picture), Snapshots: v.Snapshots})
}

// asOf reads the optional as_of query parameter: a past or present date.
func (h *Handler) asOf(q *httpserver.Query) calendar.Date {
	s := q.String("as_of")
	if s == "" {
		return calendar.Date{}
	}
	d, err := calendar.ParseDate(s)
	switch {
	case err != nil:
		q.Fail("as_of", "invalid_date", "as_of must be a date, YYYY-MM-DD")
	case d.After(h.svc.Today()):
		q.Fail("as_of", "as_of_in_future", "as_of cannot be after today")
	case d.Before(httpserver.MinDate):
		q.Fail("as_of", "date_out_of_range", "as_of must be from "+httpserver.MinDate.String()+" to today")
	}
	return d
}

type picturePage struct {
	Items      []PictureResponse `json:"items"`
	NextCursor *string           `json:"next_cursor"`
}

func (h *Handler) portfolio(c echo.Context) error {
	pp, err := httpserver.PageParams(c)
	if err != nil {
		return err
	}
	q := httpserver.NewQuery(c)
	p := PortfolioParams{Region: strings.ToUpper(q.String("region")), ContractType: strings.ToUpper(q.String("contract_type")),
		Status: volumes.Status(strings.ToUpper(q.String("status"))), AsOf: h.asOf(q), Page: pp}
	switch p.Status {
	case "", volumes.StatusGreen, volumes.StatusAmber, volumes.StatusRed:
	default:
		q.Fail("status", "invalid_status", "status must be GREEN, AMBER or RED")
	}
	if err := q.Err(); err != nil {
		return err
	}
	res, err := h.svc.Portfolio(httpserver.Ctx(c), httpserver.MustActor(c), p)
	if err != nil {
		return err
	}
	out := picturePage{Items: make([]PictureResponse, len(res.Items)), NextCursor: res.NextCursor}
	for i, x := range res.Items {
		out.Items[i] = pictureResponse(x)
	}
	return c.JSON(http.StatusOK, out)
}

type alertPage struct {
	Items      []Alert `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func (h *Handler) alerts(c echo.Context) error {
	pp, err := httpserver.PageParams(c)
	if err != nil {
		return err
	}
	q := httpserver.NewQuery(c)
	p := AlertParams{Region: strings.ToUpper(q.String("region")), ContractID: q.UUID("contract_id"), Kind: strings.ToUpper(q.String("kind")), Page: pp}
	switch volumes.AlertKind(p.Kind) {
	case "", volumes.AlertAmber, volumes.AlertRed, volumes.AlertNinetyPercent, volumes.AlertCapReached:
	default:
		q.Fail("kind", "invalid_kind", "kind must be AMBER, RED, NINETY_PERCENT or CAP_REACHED")
	}
	if err := q.Err(); err != nil {
		return err
	}
	res, err := h.svc.Alerts(httpserver.Ctx(c), httpserver.MustActor(c), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, alertPage{Items: res.Items, NextCursor: res.NextCursor})
}

type reconcileRequest struct {
	ContractID *uuid.UUID `json:"contract_id,omitempty" doc:"Reconcile only this contract; every contract in scope when omitted."`
	AsOf       *string    `json:"as_of,omitempty" format:"date" minDate:"1900-01-01" maxDate:"9999-12-31" doc:"The day to count up to (YYYY-MM-DD), today or earlier; today when omitted."`
}

type reconcileResponse struct {
	AsOf      calendar.Date     `json:"as_of"`
	RanAt     time.Time         `json:"ran_at"`
	Contracts int               `json:"contracts"`
	NewAlerts []Alert           `json:"new_alerts"`
	Pictures  []PictureResponse `json:"pictures"`
}

func (h *Handler) reconcile(c echo.Context) error {
	var req reconcileRequest
	if c.Request().ContentLength != 0 {
		if err := httpserver.BindJSON(c, &req); err != nil {
			return err
		}
	}
	p := ReconcileParams{}
	q := httpserver.NewQuery(c)
	if req.ContractID != nil {
		p.ContractIDs = []uuid.UUID{*req.ContractID}
	}
	if req.AsOf != nil {
		d, err := calendar.ParseDate(*req.AsOf)
		if err != nil {
			q.Fail("as_of", "invalid_date", "as_of must be a date, YYYY-MM-DD")
		} else if d.Before(httpserver.MinDate) {
			q.Fail("as_of", "date_out_of_range", "as_of must be from "+httpserver.MinDate.String()+" to today")
		} else if d.After(h.svc.Today()) {
			q.Fail("as_of", "as_of_in_future", "a reconciliation cannot look ahead of today")
		}
		p.AsOf = d
	}
	if err := q.Err(); err != nil {
		return err
	}
	res, err := h.svc.Reconcile(httpserver.Ctx(c), httpserver.MustActor(c), p)
	if err != nil {
		return err
	}
	out := reconcileResponse{AsOf: res.AsOf, RanAt: time.Now().UTC(), Contracts: len(res.Pictures), NewAlerts: res.NewAlerts,
		Pictures: make([]PictureResponse, len(res.Pictures))}
	if out.NewAlerts == nil {
		out.NewAlerts = []Alert{}
	}
	for i, x := range res.Pictures {
		out.Pictures[i] = pictureResponse(x)
	}
	return c.JSON(http.StatusOK, out)
}
