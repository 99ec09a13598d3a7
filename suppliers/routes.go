package suppliers

import (
	"net/http"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/page"
)

// Register adds the supplier routes. Practitioners may use none of them; the service narrows what
// commissioners and supplier users see.
func Register(r *httpserver.Router, h *Handler) {
	admin := []actor.Role{actor.RoleAdmin}
	readers := []actor.Role{actor.RoleAdmin, actor.RoleCommissioner, actor.RoleSupplier}
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/suppliers", Handler: h.create, Roles: admin, Tag: "suppliers", Idempotent: true,
		Summary: "Add a supplier to the framework with its contacts and qualifications", Request: createRequest{}, Response: SupplierResponse{},
		Status: http.StatusCreated})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/suppliers", Handler: h.list, Roles: readers, Tag: "suppliers",
		Summary: "List suppliers by legal name (a supplier user sees only their own)", Response: page.Page[SupplierItem]{}, Query: httpserver.WithPaging(
			httpserver.Param{Name: "status", Type: "string", Description: "active, suspended or removed"},
			httpserver.Param{Name: "organisation_type", Type: "string", Description: "VCSE, SME or LARGE"},
			httpserver.Param{Name: "region", Type: "string", Description: "qualified in this region"},
			httpserver.Param{Name: "service_category", Type: "string", Description: "qualified for this service category (in region, when both are given)"},
			httpserver.Param{Name: "q", Type: "string", Description: "text in the legal or trading name"})})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/suppliers/:id", Handler: h.get, Roles: readers, Tag: "suppliers",
		Summary: "Read a supplier with its contacts, qualifications and status history", Response: SupplierResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPatch, Path: "/suppliers/:id", Handler: h.update, Roles: admin, Tag: "suppliers", IfMatch: true,
		Summary: "Change a supplier's names, type, numbers, address, contacts or qualifications", Request: updateRequest{}, Response: SupplierResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/suppliers/:id/status", Handler: h.changeStatus, Roles: admin, Tag: "suppliers", IfMatch: true,
		Summary: "Suspend, reinstate or remove a supplier, with a reason and an effective date", Request: statusRequest{}, Response: SupplierResponse{}})
}
