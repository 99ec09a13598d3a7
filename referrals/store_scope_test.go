package referrals

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/dbtest"
	"github.com/crsplatform/crs/internal/factory"
)

var errRollback = errors.New("roll back")

// A referral is read and locked through one scope predicate in SQL: while another transaction holds
// its row, a caller outside the scope is answered not found without waiting for (or taking) the lock,
// and a caller inside it waits (here: gives up at the lock timeout).
func TestScopedLockNeverTouchesAReferralOutOfScope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.New(t)
	prime := factory.Supplier(t, d.Gorm, factory.SupplierOpts{})
	other := factory.Supplier(t, d.Gorm, factory.SupplierOpts{})
	contract := factory.Contract(t, d.Gorm, factory.ContractOpts{Prime: prime})
	practitioner := factory.Practitioner(t, d.Gorm, "J")
	factory.Referrals(t, d.Gorm, contract, factory.ReferralOpts{SentOn: calendar.NewDate(2025, 9, 1), Practitioner: practitioner})
	var id uuid.UUID
	if err := d.Gorm.Raw(`SELECT id FROM referrals WHERE contract_id = ?`, contract).Row().Scan(&id); err != nil {
		t.Fatalf("referral: %v", err)
	}

	holder := d.Gorm.Begin()
	defer holder.Rollback()
	if err := holder.Exec(`SELECT id FROM referrals WHERE id = ? FOR UPDATE`, id).Error; err != nil {
		t.Fatal(err)
	}
	tryLock := func(a actor.Actor) error {
		t.Helper()
		var got error
		err := d.Gorm.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec(`SET LOCAL lock_timeout = '200ms'`).Error; err != nil {
				return err
			}
			_, got = loadScopedReferral(ctx, tx, a, id, true)
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		return got
	}
	for _, a := range []actor.Actor{
		{UserID: uuid.New(), Role: actor.RoleCommissioner, Regions: []string{"K"}},
		{UserID: uuid.New(), Role: actor.RolePractitioner, Regions: []string{"K"}},
		{UserID: uuid.New(), Role: actor.RoleSupplier, SupplierID: other},
	} {
		if err := tryLock(a); !apperr.IsNotFound(err) {
			t.Errorf("%s of %v/%v: %v, want not found at once", a.Role, a.Regions, a.SupplierID, err)
		}
	}
	for _, a := range []actor.Actor{
		{UserID: uuid.New(), Role: actor.RoleCommissioner, Regions: []string{"J"}},
		{UserID: practitioner, Role: actor.RolePractitioner, Regions: []string{"K"}}, // its author
		{UserID: uuid.New(), Role: actor.RoleSupplier, SupplierID: prime},
		{UserID: uuid.New(), Role: actor.RoleAdmin},
	} {
		if err := tryLock(a); err == nil || apperr.IsNotFound(err) {
			t.Errorf("%s of %v/%v: %v, want the lock timeout (the row is in scope and locked)", a.Role, a.Regions, a.SupplierID, err)
		}
	}
}
