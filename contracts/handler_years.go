package contracts

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/money"
)

type bandBody struct {
	Number           int   `json:"number" minimum:"1" maximum:"20" doc:"The band's number, from 1 in order of volume."`
	Low              int   `json:"low" maximum:"1000000" doc:"The fewest counted referrals in the year that fall in this band (band 1 starts at 0)."`
	High             int   `json:"high" maximum:"1000000" doc:"The most counted referrals in the band; the top band's high is the year's volume cap."`
	AnnualPricePence int64 `json:"annual_price_pence" minimum:"1" maximum:"maxPence" code:"price_not_positive" doc:"The price for a whole contract year paid in this band, in pence (pro-rated for a part year)." example:"30000000"`
}

func bandOf(b Band) bandBody {
	return bandBody{Number: b.Number, Low: b.Low, High: b.High, AnnualPricePence: int64(b.AnnualPrice)}
}

type basisResponse struct {
	Band          bandBody      `json:"band"`
	EffectiveFrom calendar.Date `json:"effective_from"`
}

type basisChangeResponse struct {
	ID            uuid.UUID     `json:"id"`
	BandNumber    int           `json:"band_number"`
	EffectiveFrom calendar.Date `json:"effective_from"`
	Reason        string        `json:"reason"`
	ChangedBy     *uuid.UUID    `json:"changed_by"`
	ChangedAt     time.Time     `json:"changed_at"`
	SupersededAt  *time.Time    `json:"superseded_at" doc:"set when a later replacement of the band table re-baselined the year"`
}

type capVariationResponse struct {
	ID         uuid.UUID  `json:"id"`
	NewCap     int        `json:"new_cap"`
	Reason     string     `json:"reason"`
	RecordedBy *uuid.UUID `json:"recorded_by"`
	RecordedAt time.Time  `json:"recorded_at"`
}

type pricingInputBody struct {
	Level              string `json:"level" enum:"LOW,MEDIUM,HIGH" code:"level_unknown" doc:"The complexity level this line prices; each level at most once."`
	EstimatedReferrals int    `json:"estimated_referrals" maximum:"1000000" code:"estimate_negative" doc:"How many referrals of this level the year is expected to bring."`
	UnitCostPence      int64  `json:"unit_cost_pence" minimum:"1" maximum:"maxPence" code:"unit_cost_not_positive" doc:"The cost of one referral of this level, in pence; more than 0."`
}

// YearResponse is a contract year with its bands, basis band, cap and pricing inputs.
type YearResponse struct {
	Number          int                    `json:"number"`
	StartDate       calendar.Date          `json:"start_date"`
	EndDate         calendar.Date          `json:"end_date"`
	PartYear        bool                   `json:"part_year"`
	Days            int                    `json:"days"`
	FullDays        int                    `json:"full_days" doc:"days of the full contract year (365 or 366); days unless part_year"`
	Bands           []bandBody             `json:"bands"`
	BasisBand       *basisResponse         `json:"basis_band" doc:"the payment basis band in force today (on the year's nearest day when the year is not running)"`
	BasisValuePence *int64                 `json:"basis_value_pence" doc:"the basis band's annual price, pro-rated for a part year"`
	BasisTimeline   []basisResponse        `json:"basis_timeline" doc:"the basis band's periods through the year"`
	BasisHistory    []basisChangeResponse  `json:"basis_history"`
	VolumeCap       *int                   `json:"volume_cap" doc:"the top band's high"`
	EffectiveCap    *int                   `json:"effective_cap" doc:"the cap after the latest cap variation"`
	CapVariations   []capVariationResponse `json:"cap_variations"`
	PricingInputs   []pricingInputBody     `json:"pricing_inputs"`
}

func yearResponse(y YearDetail, today calendar.Date) YearResponse {
	out := YearResponse{
		Number: y.Number, StartDate: y.Start, EndDate: y.End, PartYear: y.PartYear, Days: y.Days, FullDays: y.FullDays,
		Bands: make([]bandBody, len(y.Bands)), BasisTimeline: []basisResponse{}, BasisHistory: make([]basisChangeResponse, len(y.BasisHistory)),
		CapVariations: make([]capVariationResponse, len(y.CapVariations)), PricingInputs: make([]pricingInputBody, len(y.PricingInputs)),
	}
	for i, b := range y.Bands {
		out.Bands[i] = bandOf(b)
	}
	if p, ok := y.BasisOn(today); ok {
		out.BasisBand = &basisResponse{Band: bandOf(p.Band), EffectiveFrom: p.From}
		v := int64(ProRate(p.Band.AnnualPrice, y.Year))
		out.BasisValuePence = &v
	}
	for _, p := range y.BasisTimeline() {
		out.BasisTimeline = append(out.BasisTimeline, basisResponse{Band: bandOf(p.Band), EffectiveFrom: p.From})
	}
	for i, b := range y.BasisHistory {
		out.BasisHistory[i] = basisChangeResponse{ID: b.ID, BandNumber: b.BandNumber, EffectiveFrom: b.EffectiveFrom, Reason: b.Reason,
			ChangedBy: b.ChangedBy, ChangedAt: b.ChangedAt, SupersededAt: b.SupersededAt}
	}
	if len(y.Bands) > 0 {
		vc, ec := y.Cap(), y.EffectiveCap()
		out.VolumeCap, out.EffectiveCap = &vc, &ec
	}
	for i, v := range y.CapVariations {
		out.CapVariations[i] = capVariationResponse{ID: v.ID, NewCap: v.NewCap, Reason: v.Reason, RecordedBy: v.RecordedBy, RecordedAt: v.RecordedAt}
	}
	for i, in := range y.PricingInputs {
		out.PricingInputs[i] = pricingInputBody{Level: string(in.Level), EstimatedReferrals: in.EstimatedReferrals, UnitCostPence: int64(in.UnitCost)}
	}
	return out
}

type yearsResponse struct {
	AsOf  calendar.Date  `json:"as_of" doc:"the day basis bands in force are shown for"`
	Items []YearResponse `json:"items"`
}

func (h *Handler) years(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	ct, years, err := h.svc.Years(httpserver.Ctx(c), httpserver.MustActor(c), id)
	if err != nil {
		return err
	}
	today := h.svc.Today()
	out := yearsResponse{AsOf: today, Items: make([]YearResponse, len(years))}
	for i, y := range years {
		out.Items[i] = yearResponse(y, today)
	}
	httpserver.SetETag(c, ct.Version)
	return c.JSON(http.StatusOK, out)
}

// yearPath reads the contract id and year number of a year route.
func yearPath(c echo.Context) (uuid.UUID, int, error) {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return uuid.Nil, 0, err
	}
	n, err := httpserver.PathInt(c, "n")
	if err != nil {
		return uuid.Nil, 0, apperr.NotFound("contract year")
	}
	return id, n, nil
}

func (h *Handler) yearChanged(c echo.Context, status int, ch YearChange) error {
	httpserver.SetETag(c, ch.Version)
	if status == http.StatusCreated {
		id := c.Param("id")
		c.Response().Header().Set(echo.HeaderLocation, httpserver.APIPrefix+"/contracts/"+id+"/years")
	}
	return c.JSON(status, yearResponse(ch.Year, h.svc.Today()))
}

type replaceBandsRequest struct {
	Bands     []bandBody `json:"bands" maxItems:"20" doc:"The year's bands in order: band 1 starts at 0 and each band starts one above the previous high."`
	BasisBand int        `json:"basis_band" minimum:"1" maximum:"20" doc:"The payment basis band from the year's start: the number of one of bands."`
	Reason    string     `json:"reason,omitempty" maxLength:"2000" doc:"Why the band table changes, for the record."`
}

func (h *Handler) replaceBands(c echo.Context) error {
	id, n, err := yearPath(c)
	if err != nil {
		return err
	}
	version := httpserver.ExpectedVersion(c)
	var req replaceBandsRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	p := ReplaceBandsParams{BasisBand: req.BasisBand, Reason: req.Reason, Bands: make([]Band, len(req.Bands))}
	for i, b := range req.Bands {
		p.Bands[i] = Band{Number: b.Number, Low: b.Low, High: b.High, AnnualPrice: money.Pence(b.AnnualPricePence)}
	}
	ch, err := h.svc.ReplaceBands(httpserver.Ctx(c), httpserver.MustActor(c), id, n, version, p)
	if err != nil {
		return err
	}
	return h.yearChanged(c, http.StatusOK, ch)
}

type basisBandRequest struct {
	BandNumber    int    `json:"band_number" minimum:"1" maximum:"20" doc:"The band that becomes the payment basis band."`
	Reason        string `json:"reason" maxLength:"2000" doc:"Why the basis band changes; required."`
	EffectiveFrom string `json:"effective_from,omitempty" format:"date" doc:"When the change takes effect (YYYY-MM-DD): the year's start (the default) or the first day of a month inside the year."`
}

func (h *Handler) changeBasisBand(c echo.Context) error {
	id, n, err := yearPath(c)
	if err != nil {
		return err
	}
	var req basisBandRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	var p parser
	from := p.Date("effective_from", req.EffectiveFrom)
	if err := p.Err(); err != nil {
		return err
	}
	ch, err := h.svc.ChangeBasisBand(httpserver.Ctx(c), httpserver.MustActor(c), id, n, httpserver.ExpectedVersion(c), BasisBandParams{BandNumber: req.BandNumber, Reason: req.Reason, EffectiveFrom: from})
	if err != nil {
		return err
	}
	return h.yearChanged(c, http.StatusCreated, ch)
}

type capVariationRequest struct {
	NewCap int    `json:"new_cap" minimum:"1" maximum:"1000000" code:"new_cap_not_positive" doc:"The year's new volume cap: the referrals that count before over_cap."`
	Reason string `json:"reason" maxLength:"2000" doc:"Why the cap changes; required."`
}

func (h *Handler) varyCap(c echo.Context) error {
	id, n, err := yearPath(c)
	if err != nil {
		return err
	}
	var req capVariationRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	ch, err := h.svc.VaryCap(httpserver.Ctx(c), httpserver.MustActor(c), id, n, httpserver.ExpectedVersion(c), CapVariationParams(req))
	if err != nil {
		return err
	}
	return h.yearChanged(c, http.StatusCreated, ch)
}

type pricingInputsRequest struct {
	Inputs []pricingInputBody `json:"inputs" maxItems:"3" doc:"One line per complexity level; the list replaces the year's pricing inputs."`
}

func (h *Handler) setPricingInputs(c echo.Context) error {
	id, n, err := yearPath(c)
	if err != nil {
		return err
	}
	version := httpserver.ExpectedVersion(c)
	var req pricingInputsRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	inputs := make([]PricingInput, len(req.Inputs))
	for i, in := range req.Inputs {
		inputs[i] = PricingInput{Level: ComplexityLevel(in.Level), EstimatedReferrals: in.EstimatedReferrals, UnitCost: money.Pence(in.UnitCostPence)}
	}
	ch, err := h.svc.SetPricingInputs(httpserver.Ctx(c), httpserver.MustActor(c), id, n, version, inputs)
	if err != nil {
		return err
	}
	return h.yearChanged(c, http.StatusOK, ch)
}

type priceLineResponse struct {
	Level              string `json:"level"`
	EstimatedReferrals int    `json:"estimated_referrals"`
	UnitCostPence      int64  `json:"unit_cost_pence"`
	TotalPence         int64  `json:"total_pence"`
	Arithmetic         string `json:"arithmetic" doc:"the sum for people, such as 240 x £1,250.00 = £300,000.00"`
}

type pricingResponse struct {
	Year               int                 `json:"year"`
	Lines              []priceLineResponse `json:"lines"`
	ComputedTotalPence *int64              `json:"computed_total_pence" doc:"null when the year has no pricing inputs"`
	ComputedTotal      *string             `json:"computed_total" doc:"the computed total in GBP, for people"`
	BasisBand          *basisResponse      `json:"basis_band" doc:"the payment basis band in force today"`
	AgreedPricePence   *int64              `json:"agreed_price_pence" doc:"the basis band's annual price: what is paid"`
	DifferencePence    *int64              `json:"difference_pence" doc:"agreed_price_pence minus computed_total_pence"`
}

func (h *Handler) pricing(c echo.Context) error {
	id, n, err := yearPath(c)
	if err != nil {
		return err
	}
	pr, err := h.svc.Pricing(httpserver.Ctx(c), httpserver.MustActor(c), id, n)
	if err != nil {
		return err
	}
	out := pricingResponse{Year: n, Lines: []priceLineResponse{}}
	if pr.Computed != nil {
		for _, l := range pr.Computed.Lines {
			out.Lines = append(out.Lines, priceLineResponse{Level: string(l.Level), EstimatedReferrals: l.EstimatedReferrals,
				UnitCostPence: int64(l.UnitCost), TotalPence: int64(l.Total), Arithmetic: l.Arithmetic})
		}
		t, s := int64(pr.Computed.Total), pr.Computed.Total.String()
		out.ComputedTotalPence, out.ComputedTotal = &t, &s
	}
	if pr.Basis != nil {
		out.BasisBand = &basisResponse{Band: bandOf(pr.Basis.Band), EffectiveFrom: pr.Basis.From}
		a := int64(pr.Basis.Band.AnnualPrice)
		out.AgreedPricePence = &a
	}
	if pr.Difference != nil {
		d := int64(*pr.Difference)
		out.DifferencePence = &d
	}
	return c.JSON(http.StatusOK, out)
}
