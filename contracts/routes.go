package contracts

import (
	"net/http"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/httpserver"
)

// Register adds the contract routes. Admins and commissioners (in their regions) manage contracts;
// supplier users read those their organisation is prime or subcontractor on; practitioners get 403
// there and search the catalogue instead, which every signed-in role may; the transparency routes are
// public.
func Register(r *httpserver.Router, h *Handler) {
	managers := []actor.Role{actor.RoleAdmin, actor.RoleCommissioner}
	readers := []actor.Role{actor.RoleAdmin, actor.RoleCommissioner, actor.RoleSupplier}
	const tag = "contracts"
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/contracts", Handler: h.create, Roles: managers, Tag: tag, Idempotent: true,
		Summary: "Create a contract with its prime, supply chain, eligibility, dates, extensions and referral window",
		Request: createRequest{}, Response: ContractResponse{}, Status: http.StatusCreated})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/contracts", Handler: h.list, Roles: readers, Tag: tag,
		Summary: "List the contracts in your scope by reference", Response: contractPage{}, Query: httpserver.WithPaging(
			httpserver.Param{Name: "region", Type: "string", Description: "region code"},
			httpserver.Param{Name: "pcc_area", Type: "string", Description: "PCC area code"},
			httpserver.Param{Name: "contract_type", Type: "string", Description: "contract type code"},
			httpserver.Param{Name: "status", Type: "string", Enum: []string{"pending", "live", "ended"}, Description: "status today"},
			httpserver.Param{Name: "prime_supplier_id", Type: "string", Format: "uuid"},
			httpserver.Param{Name: "q", Type: "string", Description: "text in the reference"})})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/contracts/:id", Handler: h.get, Roles: readers, Tag: tag,
		Summary: "Read a contract with its supply chain, eligibility, status, extensions and contract years", Response: ContractResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPatch, Path: "/contracts/:id", Handler: h.update, Roles: managers, Tag: tag, IfMatch: true,
		Summary: "Change a contract's dates, referral window, eligibility, co-commissioner, mailbox, description or extensions",
		Request: updateRequest{}, Response: ContractResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/contracts/:id/subcontractors", Handler: h.addSubcontractor, Roles: managers, Tag: tag,
		IfMatch: true, Summary: "Add a subcontractor to the supply chain", Request: addSubcontractorRequest{},
		Response: subcontractorResponse{}, Status: http.StatusCreated})
	r.Add(httpserver.Route{Method: http.MethodDelete, Path: "/contracts/:id/subcontractors/:supplier_id", Handler: h.removeSubcontractor,
		Roles: managers, Tag: tag, IfMatch: true, Summary: "Remove a subcontractor from the supply chain, with a reason (kept in the history)",
		Request: removeSubcontractorRequest{}, Response: subcontractorResponse{}})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/contracts/:id/supply-chain-history", Handler: h.supplyChainHistory, Roles: readers,
		Tag: tag, Summary: "Every supply chain membership of the contract, current and removed", Response: supplyChainResponse{}})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/contracts/:id/years", Handler: h.years, Roles: readers, Tag: tag,
		Summary: "The contract years with bands, basis band and its history, caps and cap variations", Response: yearsResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPut, Path: "/contracts/:id/years/:n/bands", Handler: h.replaceBands, Roles: managers, Tag: tag,
		IfMatch: true, Summary: "Replace a contract year's band table and set its payment basis band from the year's start",
		Request: replaceBandsRequest{}, Response: YearResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/contracts/:id/years/:n/basis-band", Handler: h.changeBasisBand, Roles: managers,
		Tag: tag, IfMatch: true, Summary: "Change a contract year's payment basis band from a date, with a reason",
		Request: basisBandRequest{}, Response: YearResponse{}, Status: http.StatusCreated})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/contracts/:id/years/:n/cap-variations", Handler: h.varyCap, Roles: managers,
		Tag: tag, IfMatch: true, Summary: "Record a cap variation for a contract year",
		Request: capVariationRequest{}, Response: YearResponse{}, Status: http.StatusCreated})
	r.Add(httpserver.Route{Method: http.MethodPut, Path: "/contracts/:id/years/:n/pricing-inputs", Handler: h.setPricingInputs, Roles: managers,
		Tag: tag, IfMatch: true, Summary: "Replace a contract year's pricing inputs (estimated referrals and unit cost per complexity level)",
		Request: pricingInputsRequest{}, Response: YearResponse{}})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/contracts/:id/years/:n/pricing", Handler: h.pricing, Roles: readers, Tag: tag,
		Summary: "A contract year's price computed from its pricing inputs, beside the agreed basis band price", Response: pricingResponse{}})
	registerCatalogue(r, h)
	registerTransparency(r, h)
}

// registerCatalogue adds the catalogue routes: any signed-in role, nationally.
func registerCatalogue(r *httpserver.Router, h *Handler) {
	const tag = "catalogue"
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/catalogue", Handler: h.catalogue, Tag: tag,
		Summary: "Search the contracts open for referral on a date, nationally", Response: cataloguePage{},
		Query: httpserver.WithPaging(
			httpserver.Param{Name: "date", Type: "string", Format: "date", Description: "the day the contracts must be open for referral on (default today)"},
			httpserver.Param{Name: "region", Type: "string", Description: "region code: the region's contracts, region-level and PCC-level"},
			httpserver.Param{Name: "pcc_area", Type: "string", Description: "PCC area code: its PCC-level contracts and its region's region-level ones"},
			httpserver.Param{Name: "service_category", Type: "string", Description: "service category code offered by the contract type"},
			httpserver.Param{Name: "contract_type", Type: "string", Description: "contract type code"},
			httpserver.Param{Name: "sex", Type: "string", Enum: []string{"MALE", "FEMALE"}, Description: "a sex the eligibility allows"},
			httpserver.Param{Name: "age", Type: "integer", Description: "an age the eligibility allows"},
			httpserver.Param{Name: "setting", Type: "string", Enum: []string{string(SettingCommunity), string(SettingLicence), string(SettingPreRelease)}, Description: "a setting the contract accepts"},
			httpserver.Param{Name: "q", Type: "string", Description: "text in the reference, description, prime's name or contract type's name"},
			httpserver.Param{Name: "sort", Type: "string", Enum: []string{"reference", "prime", "contract_type"}, Description: "order (default reference)"})})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/catalogue/:id", Handler: h.catalogueEntry, Tag: tag,
		Summary: "One contract as the catalogue shows it, open for referral or not", Response: catalogueEntryBody{},
		Query: []httpserver.Param{{Name: "date", Type: "string", Format: "date", Description: "the day open_for_referral is for (default today)"}}})
}

// registerTransparency adds the public transparency routes, which answer CSV when asked for it.
func registerTransparency(r *httpserver.Router, h *Handler) {
	const tag = "transparency"
	status := httpserver.Param{Name: "status", Type: "string", Enum: []string{"live", "ended"}, Description: "live or ended today (default both)"}
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/transparency/contracts", Handler: h.transparencyContracts, Tag: tag, Public: true,
		Summary: "The awarded contracts (live and ended) with their annual value, prime and supply chain; " +
			"Accept: text/csv downloads them all as crs-contracts.csv (paging ignored)",
		Response: transparencyPage{}, Produces: []string{"text/csv"}, Query: httpserver.WithPaging(
			httpserver.Param{Name: "region", Type: "string", Description: "region code (PCC-level contracts included)"},
			httpserver.Param{Name: "contract_type", Type: "string", Description: "contract type code"},
			status)})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/transparency/summary", Handler: h.transparencySummary, Tag: tag, Public: true,
		Summary: "The share of contract value by the prime's organisation type (VCSE, SME, LARGE), nationally and per region; " +
			"Accept: text/csv downloads it",
		Response: TransparencySummaryResponse{}, Produces: []string{"text/csv"}, Query: []httpserver.Param{status}})
}
