package auth

import (
	"encoding/json"
	"io"
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
	Email    string `json:"email" maxLength:"320" doc:"The email address the account was created with; letter case does not matter." example:"practitioner@example.org"`
	Password string `json:"password" maxLength:"200" doc:"The account's password. Five failures within 15 minutes lock the account for 15 minutes (429 login_throttled)." example:"correct horse battery"`
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
		// A refused body that still names an account and carries a password is a credential
		// attempt: count it, so that malformed attempts are throttled like wrong passwords.
		var loose struct {
			Email    string `json:"email"`
			Password any    `json:"password"`
		}
		if body, rerr := io.ReadAll(c.Request().Body); rerr == nil && json.Unmarshal(body, &loose) == nil && loose.Password != nil {
			if terr := h.svc.RefuseSignIn(httpserver.Ctx(c), loose.Email); terr != nil {
				return terr
			}
		}
		return err
	}
	iss, err := h.svc.Login(httpserver.Ctx(c), req.Email, req.Password, TokenAPI)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store") // the body is a credential
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
	Email       string     `json:"email" maxLength:"320" doc:"The new user's email address, unique whatever the case; they sign in with it."`
	DisplayName string     `json:"display_name" maxLength:"200" doc:"The name shown to other users."`
	Role        string     `json:"role" enum:"admin,commissioner,practitioner,supplier" doc:"What the user may do: admin, commissioner, practitioner or supplier."`
	SupplierID  *uuid.UUID `json:"supplier_id,omitempty" doc:"The supplier a supplier user works for; required for that role and refused for others."`
	Regions     []string   `json:"regions,omitempty" maxItems:"12" maxLength:"50" doc:"The region codes a commissioner or practitioner works in (A to L); none gives a commissioner national scope."`
	Password    string     `json:"password" maxLength:"200" doc:"The initial password, at least 12 characters."`
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
	DisplayName *string    `json:"display_name,omitempty" maxLength:"200" doc:"A new display name."`
	Role        *string    `json:"role,omitempty" enum:"admin,commissioner,practitioner,supplier" doc:"A new role."`
	SupplierID  *uuid.UUID `json:"supplier_id,omitempty" doc:"A new supplier, for a supplier user."`
	Regions     *[]string  `json:"regions,omitempty" maxItems:"12" maxLength:"50" doc:"New region codes; the list replaces the previous one."`
	Active      *bool      `json:"active,omitempty" doc:"false signs the user out everywhere and stops them signing in."`
	Password    *string    `json:"password,omitempty" maxLength:"200" doc:"A new password, at least 12 characters."`
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
