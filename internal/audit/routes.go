package audit

import (
	"net/http"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/httpserver"
)

// Register adds the audit route.
func Register(r *httpserver.Router, h *Handler) {
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/audit", Handler: h.list, Roles: []actor.Role{actor.RoleAdmin}, Tag: "audit",
		Summary: "The audit trail, oldest first, filtered by entity", Response: eventPage{},
		Query: httpserver.WithPaging(httpserver.Param{Name: "entity_type", Type: "string"}, httpserver.Param{Name: "entity_id", Type: "string", Format: "uuid"})})
}
