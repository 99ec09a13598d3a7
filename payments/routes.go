package payments

import (
	"net/http"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/httpserver"
)

// Register adds the volume, alert, reconciliation and payment routes.
func Register(r *httpserver.Router, h *Handler) {
	commercial := []actor.Role{actor.RoleAdmin, actor.RoleCommissioner, actor.RoleSupplier}
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/contracts/:id/volumes", Handler: h.contractVolumes, Roles: commercial, Tag: "volumes",
		Summary: "A contract year's volume picture today (current year by default) with its dated snapshots", Response: contractVolumesResponse{},
		Query: []httpserver.Param{{Name: "year", Type: "integer", Description: "contract year number"},
			{Name: "as_of", Type: "string", Format: "date", Description: "the day of the picture (default today)"}}})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/volumes", Handler: h.portfolio, Roles: commercial, Tag: "volumes",
		Summary: "Today's volume picture of every live contract in scope", Response: picturePage{},
		Query: httpserver.WithPaging(httpserver.Param{Name: "region", Type: "string"}, httpserver.Param{Name: "contract_type", Type: "string"},
			httpserver.Param{Name: "status", Type: "string", Enum: []string{"GREEN", "AMBER", "RED"}},
			httpserver.Param{Name: "as_of", Type: "string", Format: "date", Description: "the day of the pictures (default today)"})})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/alerts", Handler: h.alerts, Roles: commercial, Tag: "volumes",
		Summary: "Volume alerts raised, newest first", Response: alertPage{},
		Query: httpserver.WithPaging(httpserver.Param{Name: "region", Type: "string"}, httpserver.Param{Name: "contract_id", Type: "string", Format: "uuid"},
			httpserver.Param{Name: "kind", Type: "string", Enum: []string{"AMBER", "RED", "NINETY_PERCENT", "CAP_REACHED"}})})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/reconciliations", Handler: h.reconcile, Roles: []actor.Role{actor.RoleAdmin, actor.RoleCommissioner},
		Tag: "volumes", Summary: "Reconcile now: every live contract in scope, or one contract; stores the day's snapshots and raises alerts",
		Request: reconcileRequest{}, Response: reconcileResponse{}})
	registerPaymentRoutes(r, h)
}
