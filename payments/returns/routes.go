package returns

import (
	"net/http"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/httpserver"
)

// Register adds the returns routes.
func Register(r *httpserver.Router, h *Handler) {
	roles := []actor.Role{actor.RoleAdmin, actor.RoleCommissioner}
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/returns", Handler: h.request, Roles: roles, Tag: "returns", Idempotent: true,
		Summary: "Request an Excel return for a scope and month; it is built in the background", Request: requestBody{},
		Response: ReturnResponse{}, Status: http.StatusAccepted})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/returns", Handler: h.list, Roles: roles, Tag: "returns",
		Summary: "Returns you can see, newest first", Response: returnPage{}, Query: httpserver.PageQuery})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/returns/:id", Handler: h.get, Roles: roles, Tag: "returns",
		Summary: "A return's status: queued, running, ready, or failed with the reason", Response: ReturnResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/returns/:id/retry", Handler: h.retry, Roles: roles, Tag: "returns",
		Summary: "Build a failed or stuck return again (202); any other return conflicts (return_not_retryable)", Response: ReturnResponse{},
		Status: http.StatusAccepted})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/returns/:id/download", Handler: h.download, Roles: roles, Tag: "returns",
		Summary: "Download a ready return (.xlsx)", Produces: []string{xlsxType}})
}
