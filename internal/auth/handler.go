package auth

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/httpserver"
)

// Handler serves the auth and user endpoints and the sign-in pages.
type Handler struct {
	svc    *Service
	server *httpserver.Server
}

// NewHandler returns the handler.
func NewHandler(svc *Service, server *httpserver.Server) *Handler {
	return &Handler{svc: svc, server: server}
}

type tokenRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type tokenResponse struct {
	Token     string    `json:"token"`
	TokenType string    `json:"token_type"`
	ExpiresAt time.Time `json:"expires_at"`
}

// UserResponse is a user as the API shows it.
type UserResponse struct {
	ID          uuid.UUID  `json:"id"`
	Email       string     `json:"email"`
	DisplayName string     `json:"display_name"`
	Role        string     `json:"role"`
	SupplierID  *uuid.UUID `json:"supplier_id"`
	Regions     []string   `json:"regions"`
	Active      bool       `json:"active"`
	Version     int        `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

func userResponse(u User) UserResponse {
	return UserResponse{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Role: string(u.Role), SupplierID: u.SupplierID,
		Regions: u.Regions, Active: u.Active, Version: u.Version, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func (h *Handler) createToken(c echo.Context) error {
	var req tokenRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	iss, err := h.svc.Login(httpserver.Ctx(c), req.Email, req.Password, TokenAPI)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, tokenResponse{Token: iss.Value, TokenType: "Bearer", ExpiresAt: iss.ExpiresAt})
}

func (h *Handler) deleteToken(c echo.Context) error {
	token := httpserver.BearerToken(c)
	if token == "" {
		token = httpserver.SessionToken(c)
		h.server.ClearSessionCookie(c)
	}
	if err := h.svc.Revoke(httpserver.Ctx(c), token); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) me(c echo.Context) error {
	u, err := h.svc.Me(httpserver.Ctx(c), httpserver.MustActor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, userResponse(u))
}

type createUserRequest struct {
	Email       string     `json:"email"`
	DisplayName string     `json:"display_name"`
	Role        string     `json:"role"`
	SupplierID  *uuid.UUID `json:"supplier_id,omitempty"`
	Regions     []string   `json:"regions,omitempty"`
	Password    string     `json:"password"`
}

func (h *Handler) createUser(c echo.Context) error {
	var req createUserRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	u, err := h.svc.CreateUser(httpserver.Ctx(c), httpserver.MustActor(c), CreateUserParams(req))
	if err != nil {
		return err
	}
	httpserver.SetETag(c, u.Version)
	return httpserver.Created(c, httpserver.APIPrefix+"/users/"+u.ID.String(), userResponse(u))
}

func (h *Handler) getUser(c echo.Context) error {
	return httpserver.Read(c, h.svc.GetUser, userResponse, func(u User) int { return u.Version })
}

func (h *Handler) listUsers(c echo.Context) error {
	pp, err := httpserver.PageParams(c)
	if err != nil {
		return err
	}
	q := httpserver.NewQuery(c)
	p := ListUsersParams{Role: q.String("role"), SupplierID: q.UUID("supplier_id"), Region: q.String("region"), Text: q.String("q"), Page: pp}
	if err := q.Err(); err != nil {
		return err
	}
	return httpserver.List(c, p, h.svc.ListUsers, userResponse)
}

type updateUserRequest struct {
	DisplayName *string    `json:"display_name,omitempty"`
	Role        *string    `json:"role,omitempty"`
	SupplierID  *uuid.UUID `json:"supplier_id,omitempty"`
	Regions     *[]string  `json:"regions,omitempty"`
	Active      *bool      `json:"active,omitempty"`
	Password    *string    `json:"password,omitempty"`
}

func (h *Handler) updateUser(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	version := httpserver.ExpectedVersion(c)
	var req updateUserRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	u, err := h.svc.UpdateUser(httpserver.Ctx(c), httpserver.MustActor(c), id, version, UpdateUserParams(req))
	if err != nil {
		return err
	}
	httpserver.SetETag(c, u.Version)
	return c.JSON(http.StatusOK, userResponse(u))
}

// ColleagueResponse is an active user another may pick for work.
type ColleagueResponse struct {
	ID          uuid.UUID `json:"id"`
	DisplayName string    `json:"display_name"`
	Email       string    `json:"email"`
}

type colleaguesResponse struct {
	Items []ColleagueResponse `json:"items"`
}

func (h *Handler) organisationUsers(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	users, err := h.svc.OrganisationUsers(httpserver.Ctx(c), httpserver.MustActor(c), id)
	if err != nil {
		return err
	}
	out := colleaguesResponse{Items: make([]ColleagueResponse, len(users))}
	for i, u := range users {
		out.Items[i] = ColleagueResponse(u)
	}
	return c.JSON(http.StatusOK, out)
}
