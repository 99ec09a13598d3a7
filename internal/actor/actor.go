// Package actor describes who is acting: a signed-in user with a role and a scope, or the system
// itself (a River job). Every service method that reads or changes business data takes an Actor.
package actor

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/enum"
)

// Role is a user's role.
type Role string

// The roles of the platform.
const (
	RolePractitioner Role = "practitioner"
	RoleSupplier     Role = "supplier"
	RoleCommissioner Role = "commissioner"
	RoleAdmin        Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RolePractitioner, RoleSupplier, RoleCommissioner, RoleAdmin}

// ParseRole parses a role name; it returns an invalid error (field "role", code invalid_role) for
// anything else.
func ParseRole(s string) (Role, error) {
	return enum.Parse("role", "invalid_role", s, Roles...)
}

// Actor is the user (or system process) on whose behalf an operation runs.
type Actor struct {
	UserID uuid.UUID
	Email  string
	Role   Role
	// SupplierID is the organisation of a supplier user; uuid.Nil otherwise.
	SupplierID uuid.UUID
	// Regions are the region codes of a practitioner or commissioner.
	Regions []string
	// System names the process when the actor is the platform itself (UserID is nil).
	System string
}

// System returns the actor used by background jobs; it has national scope.
func System(name string) Actor {
	return Actor{Email: "system:" + name, Role: RoleAdmin, System: name}
}

// IsAdmin reports whether the actor has national scope.
func (a Actor) IsAdmin() bool { return a.Role == RoleAdmin }

// Is reports whether the actor has one of the roles.
func (a Actor) Is(roles ...Role) bool { return slices.Contains(roles, a.Role) }

// HasRegion reports whether the region is in the actor's scope (admins have every region).
func (a Actor) HasRegion(code string) bool {
	return a.IsAdmin() || slices.Contains(a.Regions, code)
}

// AuditID returns the user id for audit records, nil for the system.
func (a Actor) AuditID() *uuid.UUID {
	if a.UserID == uuid.Nil {
		return nil
	}
	id := a.UserID
	return &id
}

type requestIDKey struct{}

// WithRequestID returns a context carrying the request id, which audit records pick up.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

type clientAddrKey struct{}

// WithClientAddr returns a context carrying the client's network address (as the HTTP layer
// determined it), which sign-in throttling counts failures by.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// ClientAddr returns the client address carried by ctx, or "".
func ClientAddr(ctx context.Context) string {
	addr, _ := ctx.Value(clientAddrKey{}).(string)
	return addr
}
