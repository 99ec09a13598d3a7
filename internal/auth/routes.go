package auth

import (
	"net/http"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/page"
)

// Register adds the auth and user routes.
func Register(r *httpserver.Router, h *Handler) {
	admin := []actor.Role{actor.RoleAdmin}
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/auth/token", Handler: h.createToken, Public: true, Tag: "auth",
		Summary: "Sign in with email and password and receive a bearer token", Request: tokenRequest{}, Response: tokenResponse{}, Status: http.StatusCreated})
	r.Add(httpserver.Route{Method: http.MethodDelete, Path: "/auth/token", Handler: h.deleteToken, Tag: "auth",
		Summary: "Revoke the token (or session) the request is authenticated with", Status: http.StatusNoContent})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/me", Handler: h.me, Tag: "auth",
		Summary: "The signed-in user with role and scope", Response: UserResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/users", Handler: h.createUser, Roles: admin, Tag: "users", Idempotent: true,
		Summary: "Create a user", Request: createUserRequest{}, Response: UserResponse{}, Status: http.StatusCreated})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/users", Handler: h.listUsers, Roles: admin, Tag: "users",
		Summary: "List users", Response: page.Page[UserResponse]{}, Query: httpserver.WithPaging(
			httpserver.Param{Name: "role", Type: "string"}, httpserver.Param{Name: "supplier_id", Type: "string", Format: "uuid"},
			httpserver.Param{Name: "region", Type: "string"}, httpserver.Param{Name: "q", Type: "string", Description: "text in email or name"})})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/users/:id", Handler: h.getUser, Roles: admin, Tag: "users",
		Summary: "Read a user", Response: UserResponse{}})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/suppliers/:id/users", Handler: h.organisationUsers,
		Roles: []actor.Role{actor.RoleAdmin, actor.RoleSupplier}, Tag: "users",
		Summary:  "The active users of a supplier organisation, by name (supplier users: their own organisation only)",
		Response: colleaguesResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPatch, Path: "/users/:id", Handler: h.updateUser, Roles: admin, Tag: "users", IfMatch: true,
		Summary: "Change a user's name, role, scope, password or active flag", Request: updateUserRequest{}, Response: UserResponse{}})
}
