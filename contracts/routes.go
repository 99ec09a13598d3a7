package contracts

import (
	"net/http"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/httpserver"
)

// Register adds the contract routes. Admins and commissioners (in their regions) manage contracts;
// supplier users read those their organisation is prime or subcontractor on; practitioners get 403.
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
		Idempotent: true, Summary: "Add a subcontractor to the supply chain", Request: addSubcontractorRequest{},
		Response: subcontractorResponse{}, Status: http.StatusCreated})
	r.Add(httpserver.Route{Method: http.MethodDelete, Path: "/contracts/:id/subcontractors/:supplier_id", Handler: h.removeSubcontractor,
		Roles: managers, Tag: tag, Summary: "Remove a subcontractor from the supply chain, with a reason (kept in the history)",
		Request: removeSubcontractorRequest{}, Response: subcontractorResponse{}})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/contracts/:id/supply-chain-history", Handler: h.supplyChainHistory, Roles: readers,
		Tag: tag, Summary: "Every supply chain membership of the contract, current and removed", Response: supplyChainResponse{}})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/contracts/:id/years", Handler: h.years, Roles: readers, Tag: tag,
		Summary: "The contract years with bands, basis band and its history, caps and cap variations", Response: yearsResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPut, Path: "/contracts/:id/years/:n/bands", Handler: h.replaceBands, Roles: managers, Tag: tag,
		IfMatch: true, Summary: "Replace a contract year's band table and set its payment basis band from the year's start",
		Request: replaceBandsRequest{}, Response: YearResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/contracts/:id/years/:n/basis-band", Handler: h.changeBasisBand, Roles: managers,
		Tag: tag, Idempotent: true, Summary: "Change a contract year's payment basis band from a date, with a reason",
		Request: basisBandRequest{}, Response: YearResponse{}, Status: http.StatusCreated})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/contracts/:id/years/:n/cap-variations", Handler: h.varyCap, Roles: managers,
		Tag: tag, Idempotent: true, Summary: "Record a cap variation for a contract year",
		Request: capVariationRequest{}, Response: YearResponse{}, Status: http.StatusCreated})
	r.Add(httpserver.Route{Method: http.MethodPut, Path: "/contracts/:id/years/:n/pricing-inputs", Handler: h.setPricingInputs, Roles: managers,
		Tag: tag, IfMatch: true, Summary: "Replace a contract year's pricing inputs (estimated referrals and unit cost per complexity level)",
		Request: pricingInputsRequest{}, Response: YearResponse{}})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/contracts/:id/years/:n/pricing", Handler: h.pricing, Roles: readers, Tag: tag,
		Summary: "A contract year's price computed from its pricing inputs, beside the agreed basis band price", Response: pricingResponse{}})
}
