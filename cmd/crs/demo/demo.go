// Package demo loads the demo dataset: the demo accounts and, through the domain services and bulk
// SQL, a realistic, deterministic (seeded) picture of suppliers, contracts, referrals and payments.
package demo

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/auth"
)

// Account is a demo sign-in.
type Account struct {
	Email string
	Role  string
	Scope string
}

// Deps are the services the seed uses.
type Deps struct {
	DB   *gorm.DB
	Auth *auth.Service
	// Password is the demo accounts' password.
	Password string
}

// Empty reports whether the database holds no users yet (a fresh database gets the demo dataset).
func Empty(ctx context.Context, db *gorm.DB) (bool, error) {
	var n int64
	if err := db.WithContext(ctx).Table("users").Count(&n).Error; err != nil {
		return false, fmt.Errorf("count users: %w", err)
	}
	return n == 0, nil
}

// accounts are the demo sign-ins, in the order they are printed.
var accounts = []struct {
	email, name string
	role        actor.Role
	regions     []string
	scope       string
}{
	{"admin@demo.test", "Demo Admin", actor.RoleAdmin, nil, "national"},
	{"commissioner@demo.test", "Demo Commissioner", actor.RoleCommissioner, []string{"J"}, "region J (London)"},
	{"practitioner@demo.test", "Demo Practitioner", actor.RolePractitioner, []string{"J", "K"}, "regions J and K"},
}

// Accounts lists the demo accounts.
func Accounts() []Account {
	out := make([]Account, len(accounts))
	for i, p := range accounts {
		out[i] = Account{Email: p.email, Role: string(p.role), Scope: p.scope}
	}
	return out
}

// Seed loads the demo dataset and returns the demo accounts.
func Seed(ctx context.Context, d Deps) ([]Account, error) {
	sys := actor.System("demo-seed")
	for _, p := range accounts {
		if _, err := d.Auth.CreateUser(ctx, sys, auth.CreateUserParams{
			Email: p.email, DisplayName: p.name, Role: string(p.role), Regions: p.regions, Password: d.Password,
		}); err != nil {
			return nil, fmt.Errorf("seed %s: %w", p.email, err)
		}
	}
	return Accounts(), nil
}
