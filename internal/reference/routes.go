package reference

import (
	"net/http"

	"github.com/crsplatform/crs/internal/httpserver"
)

// Register adds the public reference-data routes.
func Register(r *httpserver.Router, h *Handler) {
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/reference/regions", Handler: h.regions, Public: true, Tag: "reference",
		Summary: "Probation regions", Response: listOf[Region]{}})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/reference/pcc-areas", Handler: h.pccAreas, Public: true, Tag: "reference",
		Summary: "PCC areas and their regions", Response: listOf[PCCArea]{}})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/reference/service-categories", Handler: h.categories, Public: true, Tag: "reference",
		Summary: "Service categories with complexity levels and desired outcomes", Response: listOf[ServiceCategory]{}})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/reference/contract-types", Handler: h.contractTypes, Public: true, Tag: "reference",
		Summary: "Contract types and their service categories", Response: listOf[ContractType]{}})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/reference/withdrawal-reasons", Handler: h.withdrawalReasons, Public: true, Tag: "reference",
		Summary: "Withdrawal reasons and whether each still counts towards volume", Response: listOf[WithdrawalReason]{}})
}
