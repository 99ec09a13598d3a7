// Package demo loads the demo dataset: the demo accounts and, through the domain services and bulk
// SQL, a realistic, deterministic (seeded) picture of suppliers, contracts, referrals and payments.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/auth"
	"github.com/crsplatform/crs/internal/reference"
	"github.com/crsplatform/crs/suppliers"
)

// Account is a demo sign-in.
type Account struct {
	Email string
	Role  string
	Scope string
}

// Deps are the services the seed uses.
type Deps struct {
	DB        *gorm.DB
	Auth      *auth.Service
	Ref       *reference.Data
	Suppliers *suppliers.Service
	Contracts *contracts.Service
	// Password is the demo accounts' password.
	Password string
	// Pool carries the bulk loads (COPY); when nil they use a connection of DB.
	Pool *pgxpool.Pool
	// Now is the clock the demo's dates are relative to; time.Now when nil.
	Now func() time.Time
	// Scale is the share of the full demo's referral volumes to generate, from 0 (exclusive) to 1; zero
	// means 1. Tests load a small scale: the catalogue, accounts and payments are the same at every scale.
	Scale float64
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
	{"prime@demo.test", "Demo Prime", actor.RoleSupplier, nil, "the prime supplier %s"},
	{"subcontractor@demo.test", "Demo Subcontractor", actor.RoleSupplier, nil, "the subcontractor %s"},
	{"other-supplier@demo.test", "Demo Other Supplier", actor.RoleSupplier, nil, "the unrelated supplier %s"},
}

// Accounts lists the demo accounts, naming the supplier organisations of the supplier accounts.
func Accounts(ctx context.Context, db *gorm.DB) ([]Account, error) {
	out := make([]Account, len(accounts))
	for i, p := range accounts {
		scope := p.scope
		if strings.Contains(scope, "%s") {
			var name string
			err := db.WithContext(ctx).Raw(`SELECT s.legal_name FROM users u JOIN suppliers s ON s.id = u.supplier_id WHERE u.email = ?`, p.email).Scan(&name).Error
			if err != nil {
				return nil, fmt.Errorf("demo account %s: %w", p.email, err)
			}
			scope = fmt.Sprintf(scope, name)
		}
		out[i] = Account{Email: p.email, Role: string(p.role), Scope: scope}
	}
	return out, nil
}

// Seed loads the demo dataset and returns the demo accounts.
func Seed(ctx context.Context, d Deps) ([]Account, error) {
	cat, err := seedCatalogueAndAccounts(ctx, d)
	if err != nil {
		return nil, err
	}
	if err := seedPayments(ctx, d, cat); err != nil { // after the accounts: requests are submitted and reviewed by them
		return nil, err
	}
	if err := seedReferrals(ctx, d, cat); err != nil { // after the accounts: the demo supplier users are caseworkers
		return nil, err
	}
	return Accounts(ctx, d.DB)
}

// SeedCatalogue loads only the demo's suppliers, contracts and accounts (no referrals, no payment
// requests): the same catalogue as Seed in a second or two, for browser tests and screenshots.
func SeedCatalogue(ctx context.Context, d Deps) ([]Account, error) {
	if _, err := seedCatalogueAndAccounts(ctx, d); err != nil {
		return nil, err
	}
	return Accounts(ctx, d.DB)
}

func seedCatalogueAndAccounts(ctx context.Context, d Deps) (*catalogue, error) {
	sys := actor.System("demo-seed")
	r := rand.New(rand.NewPCG(2021, 626)) // fixed seed: the same dataset every time
	cat := planCatalogue(d.Ref, r)
	if err := createCatalogue(ctx, d, sys, cat, r); err != nil {
		return nil, err
	}
	orgs := map[string]*supplierPlan{"prime@demo.test": cat.demoPrime, "subcontractor@demo.test": cat.demoSub, "other-supplier@demo.test": cat.otherPrime}
	for _, p := range accounts {
		params := auth.CreateUserParams{Email: p.email, DisplayName: p.name, Role: string(p.role), Regions: p.regions, Password: d.Password}
		if org := orgs[p.email]; org != nil {
			id := org.id
			params.SupplierID = &id
		}
		if _, err := d.Auth.CreateUser(ctx, sys, params); err != nil {
			return nil, fmt.Errorf("seed %s: %w", p.email, err)
		}
	}
	return cat, nil
}
