package auth

import (
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
)

// User is a person who signs in.
type User struct {
	ID          uuid.UUID
	Email       string
	DisplayName string
	Role        actor.Role
	// SupplierID is set for supplier users only.
	SupplierID *uuid.UUID
	// Regions are set for practitioners and commissioners only.
	Regions   []string
	Active    bool
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Actor returns the user as the actor of a request.
func (u User) Actor() actor.Actor {
	a := actor.Actor{UserID: u.ID, Email: u.Email, Role: u.Role, Regions: slices.Clone(u.Regions)}
	if u.SupplierID != nil {
		a.SupplierID = *u.SupplierID
	}
	return a
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// CreateUserParams are the inputs of CreateUser.
type CreateUserParams struct {
	Email       string
	DisplayName string
	Role        string
	SupplierID  *uuid.UUID
	Regions     []string
	Password    string
}

// UpdateUserParams are the inputs of UpdateUser; nil fields are left as they are.
type UpdateUserParams struct {
	DisplayName *string
	Role        *string
	SupplierID  *uuid.UUID
	Regions     *[]string
	Active      *bool
	Password    *string
}

// normaliseEmail lower-cases and trims an address.
func normaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validateEmail(f *apperr.Fields, email string) {
	if email == "" {
		f.Add("email", "required", "email is required")
		return
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		f.Add("email", "invalid_email", "email must be a plain address such as name@example.org")
	}
}

func validatePassword(f *apperr.Fields, pw string) {
	if len([]rune(pw)) < MinPasswordLength {
		f.Add("password", "password_too_short", "password must be at least 10 characters")
	}
	if len(pw) > 256 {
		f.Add("password", "password_too_long", "password must be at most 256 characters")
	}
}

// validateScope checks that the role's scope is complete and nothing else is set. knownRegion says
// whether a region code exists.
func validateScope(f *apperr.Fields, role actor.Role, supplier *uuid.UUID, regions []string, knownRegion func(string) bool) {
	switch role {
	case actor.RoleSupplier:
		f.Check(supplier != nil, "supplier_id", "required", "a supplier user needs the supplier organisation")
		f.Check(len(regions) == 0, "regions", "not_allowed", "a supplier user's scope is its organisation, not regions")
	case actor.RolePractitioner, actor.RoleCommissioner:
		f.Check(supplier == nil, "supplier_id", "not_allowed", "only supplier users belong to a supplier")
		if f.Check(len(regions) > 0, "regions", "required", "a "+string(role)+" needs at least one region") {
			seen := map[string]bool{}
			for i, r := range regions {
				field := "regions[" + strconv.Itoa(i) + "]"
				if !knownRegion(r) {
					f.Add(field, "unknown_region", "region "+r+" does not exist")
				} else if seen[r] {
					f.Add(field, "duplicate_region", "region "+r+" is listed twice")
				}
				seen[r] = true
			}
		}
	case actor.RoleAdmin:
		f.Check(supplier == nil, "supplier_id", "not_allowed", "an admin has national scope")
		f.Check(len(regions) == 0, "regions", "not_allowed", "an admin has national scope")
	}
}
