package contracts

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/opt"
	"github.com/crsplatform/crs/suppliers"
)

// The file names of the transparency downloads.
const (
	contractsCSVName = "crs-contracts.csv"
	summaryCSVName   = "crs-contract-value-summary.csv"
)

// valueBasis explains the summary's figures to whoever reads them.
const valueBasis = "Each contract's annual value is the annual price of its payment basis band in force on as_of, in its " +
	"current contract year (an ended contract's last year). The whole value of a contract is counted for its prime's " +
	"organisation type: the platform does not record what primes pay their subcontractors. Shares are rounded half up " +
	"to two decimals and need not add up to 100.00."

type publicSupplierResponse struct {
	Name             string `json:"name" doc:"the legal name"`
	OrganisationType string `json:"organisation_type" doc:"VCSE, SME or LARGE"`
	Status           string `json:"status" doc:"active, suspended or removed on the framework"`
}

func publicSupplierOf(s suppliers.Summary) publicSupplierResponse {
	return publicSupplierResponse{Name: s.LegalName, OrganisationType: string(s.OrganisationType), Status: string(s.Status)}
}

// TransparencyContractResponse is a published contract.
type TransparencyContractResponse struct {
	ID               uuid.UUID                `json:"id"`
	Reference        string                   `json:"reference"`
	ContractType     codeNameResponse         `json:"contract_type"`
	Area             areaResponse             `json:"area"`
	Status           State                    `json:"status" doc:"live or ended on as_of"`
	StartDate        calendar.Date            `json:"start_date"`
	EndDate          calendar.Date            `json:"end_date" doc:"with the extensions taken"`
	ValueYear        int                      `json:"value_year" doc:"the contract year the value is for: the current one, or an ended contract's last"`
	AnnualValuePence *int64                   `json:"annual_value_pence" doc:"the payment basis band's annual price in force on as_of in value_year; null before the year's bands are set"`
	Prime            publicSupplierResponse   `json:"prime"`
	SupplyChain      []publicSupplierResponse `json:"supply_chain" doc:"the current subcontractors"`
}

func transparencyContractResponse(c PublicContract) TransparencyContractResponse {
	out := TransparencyContractResponse{
		ID: c.ID, Reference: c.Reference, ContractType: codeNameResponse{Code: c.ContractType.Code, Name: c.ContractType.Name},
		Area: areaOf(c.Place, c.Area), Status: c.Status, StartDate: c.Start, EndDate: c.EffectiveEnd(), ValueYear: c.ValueYear,
		Prime: publicSupplierOf(c.Prime), SupplyChain: make([]publicSupplierResponse, len(c.Subcontractors)),
	}
	if c.AnnualValue != nil {
		v := int64(*c.AnnualValue)
		out.AnnualValuePence = &v
	}
	for i, s := range c.Subcontractors {
		out.SupplyChain[i] = publicSupplierOf(s.Supplier)
	}
	return out
}

type transparencyPage struct {
	AsOf       calendar.Date                  `json:"as_of" doc:"the day statuses and values are for (today)"`
	Items      []TransparencyContractResponse `json:"items"`
	NextCursor *string                        `json:"next_cursor"`
}

// publicStatus reads the optional status query parameter (invalid_status).
func publicStatus(q *httpserver.Query) State {
	s := q.String("status")
	if s == "" {
		return ""
	}
	st, err := ParseState(s)
	if err != nil || st == StatePending {
		q.Fail("status", "invalid_status", "status must be live or ended: pending contracts are not published")
	}
	return st
}

func (h *Handler) transparencyContracts(c echo.Context) error {
	csvWanted := httpserver.WantsCSV(c)
	pp, err := httpserver.PageParams(c)
	if err != nil {
		return err
	}
	q := httpserver.NewQuery(c)
	p := PublicParams{Region: q.String("region"), ContractType: q.String("contract_type"), Status: publicStatus(q), Page: pp, All: csvWanted}
	if err := q.Err(); err != nil {
		return err
	}
	res, err := h.svc.PublicContracts(httpserver.Ctx(c), p)
	if err != nil {
		return err
	}
	c.Response().Header().Add(echo.HeaderVary, echo.HeaderAccept)
	if csvWanted {
		return writeCSV(c, contractsCSVName, contractsCSV(res.Items))
	}
	out := transparencyPage{AsOf: h.svc.Today(), Items: make([]TransparencyContractResponse, len(res.Items)), NextCursor: res.NextCursor}
	for i, pc := range res.Items {
		out.Items[i] = transparencyContractResponse(pc)
	}
	return c.JSON(http.StatusOK, out)
}

// contractsCSV is the published contracts as rows, with a header row.
func contractsCSV(cs []PublicContract) [][]string {
	rows := [][]string{{"reference", "contract_type_code", "contract_type", "area_level", "region_code", "region", "pcc_area_code",
		"pcc_area", "status", "start_date", "end_date", "value_year", "annual_value_gbp", "prime", "prime_organisation_type",
		"prime_status", "supply_chain"}}
	for _, c := range cs {
		a := areaOf(c.Place, c.Area)
		value := ""
		if c.AnnualValue != nil {
			value = PoundsText(*c.AnnualValue)
		}
		chain := make([]string, len(c.Subcontractors))
		for i, s := range c.Subcontractors {
			chain[i] = fmt.Sprintf("%s (%s, %s)", s.Supplier.LegalName, s.Supplier.OrganisationType, s.Supplier.Status)
		}
		rows = append(rows, []string{
			csvText(c.Reference), c.ContractType.Code, csvText(c.ContractType.Name), a.Level, a.RegionCode, csvText(a.RegionName),
			c.Area.PCCAreaCode, csvText(c.PCCArea.Name), string(c.Status), c.Start.String(), c.EffectiveEnd().String(),
			strconv.Itoa(c.ValueYear), value, csvText(c.Prime.LegalName), string(c.Prime.OrganisationType), string(c.Prime.Status),
			csvText(strings.Join(chain, "; ")),
		})
	}
	return rows
}

type typeValueResponse struct {
	OrganisationType string `json:"organisation_type" doc:"the prime's: VCSE, SME or LARGE"`
	ValuePence       int64  `json:"value_pence" doc:"the annual value of the contracts whose prime has this type"`
	ShareBP          int    `json:"share_bp" doc:"value_pence as a share of total_value_pence in basis points, rounded half up"`
	SharePercent     string `json:"share_percent" doc:"the share as a percentage with two decimals, such as 66.67"`
	Contracts        int    `json:"contracts"`
	PrimeProviders   int    `json:"prime_providers" doc:"distinct primes of this type"`
}

type scopeValueResponse struct {
	Scope                 string              `json:"scope" doc:"national or region"`
	RegionCode            *string             `json:"region_code"`
	RegionName            *string             `json:"region_name"`
	TotalValuePence       int64               `json:"total_value_pence"`
	ByOrganisationType    []typeValueResponse `json:"by_organisation_type" doc:"VCSE, SME and LARGE, in that order"`
	Contracts             int                 `json:"contracts"`
	ContractsWithoutValue int                 `json:"contracts_without_value" doc:"contracts whose year has no bands yet; they add nothing to the values"`
	PrimeProviders        int                 `json:"prime_providers"`
	VCSEPrimeProviders    int                 `json:"vcse_prime_providers"`
}

// TransparencySummaryResponse is the share of contract value by the prime's organisation type.
type TransparencySummaryResponse struct {
	AsOf     calendar.Date        `json:"as_of"`
	Basis    string               `json:"basis" doc:"what the figures mean"`
	National scopeValueResponse   `json:"national"`
	Regions  []scopeValueResponse `json:"regions" doc:"every region, by code"`
}

func scopeValueOf(s ScopeValue) scopeValueResponse {
	out := scopeValueResponse{Scope: "national", TotalValuePence: int64(s.Total), Contracts: s.Contracts,
		ContractsWithoutValue: s.ContractsWithoutValue, PrimeProviders: s.Primes, VCSEPrimeProviders: s.VCSEPrimes,
		ByOrganisationType: make([]typeValueResponse, len(s.ByType))}
	if s.RegionCode != "" {
		out.Scope, out.RegionCode, out.RegionName = "region", opt.String(s.RegionCode), opt.String(s.RegionName)
	}
	for i, t := range s.ByType {
		out.ByOrganisationType[i] = typeValueResponse{OrganisationType: string(t.OrganisationType), ValuePence: int64(t.Value),
			ShareBP: t.ShareBP, SharePercent: ShareText(t.ShareBP), Contracts: t.Contracts, PrimeProviders: t.Primes}
	}
	return out
}

func (h *Handler) transparencySummary(c echo.Context) error {
	q := httpserver.NewQuery(c)
	p := SummaryParams{Status: publicStatus(q)}
	if err := q.Err(); err != nil {
		return err
	}
	sum, err := h.svc.ValueSummary(httpserver.Ctx(c), p)
	if err != nil {
		return err
	}
	c.Response().Header().Add(echo.HeaderVary, echo.HeaderAccept)
	if httpserver.WantsCSV(c) {
		return writeCSV(c, summaryCSVName, summaryCSV(sum))
	}
	out := TransparencySummaryResponse{AsOf: sum.AsOf, Basis: valueBasis, National: scopeValueOf(sum.National),
		Regions: make([]scopeValueResponse, len(sum.Regions))}
	for i, r := range sum.Regions {
		out.Regions[i] = scopeValueOf(r)
	}
	return c.JSON(http.StatusOK, out)
}

// summaryCSV is the summary as rows, with a header row: per scope (national first, then each region)
// one row per organisation type and an ALL row with the scope's totals.
func summaryCSV(sum ValueSummary) [][]string {
	rows := [][]string{{"scope", "region_code", "region", "organisation_type", "value_gbp", "share_percent", "contracts", "prime_providers"}}
	for _, s := range append([]ScopeValue{sum.National}, sum.Regions...) {
		scope := "national"
		if s.RegionCode != "" {
			scope = "region"
		}
		for _, t := range s.ByType {
			rows = append(rows, []string{scope, s.RegionCode, csvText(s.RegionName), string(t.OrganisationType), PoundsText(t.Value),
				ShareText(t.ShareBP), strconv.Itoa(t.Contracts), strconv.Itoa(t.Primes)})
		}
		rows = append(rows, []string{scope, s.RegionCode, csvText(s.RegionName), "ALL", PoundsText(s.Total),
			ShareText(ShareBP(s.Total, s.Total)), strconv.Itoa(s.Contracts), strconv.Itoa(s.Primes)})
	}
	return rows
}

// csvText keeps a spreadsheet from reading a text cell as a formula: a cell starting with =, +, -, @,
// tab or carriage return gets a leading apostrophe (the usual defence against CSV injection; the
// names come from people).
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeCSV answers the rows as a CSV download.
func writeCSV(c echo.Context, filename string, rows [][]string) error {
	var buf bytes.Buffer
	if err := csv.NewWriter(&buf).WriteAll(rows); err != nil {
		return fmt.Errorf("write %s: %w", filename, err)
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
