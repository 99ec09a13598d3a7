package referrals_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/referrals"
)

type listedUsers struct {
	Items []struct {
		ID          uuid.UUID `json:"id"`
		DisplayName string    `json:"display_name"`
		Email       string    `json:"email"`
		SupplierID  uuid.UUID `json:"supplier_id"`
	} `json:"items"`
}

func (l listedUsers) ids() []uuid.UUID {
	out := make([]uuid.UUID, len(l.Items))
	for i, u := range l.Items {
		out[i] = u.ID
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return out
}

func sortedIDs(users ...apitest.User) []uuid.UUID {
	out := make([]uuid.UUID, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return out
}

// TestSupplierUsersFindTheirCaseworkers checks the lists a supplier user needs to pick a caseworker:
// the referral's supply chain users, and its own organisation's users, each scoped (others 404).
func TestSupplierUsersFindTheirCaseworkers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.sent(crn())
	colleague := b.supplierUser(b.prime)
	gone := b.supplierUser(b.prime)
	if err := b.env.DB.Gorm.Exec(`UPDATE users SET active = false WHERE id = ?`, gone.ID).Error; err != nil {
		t.Fatal(err)
	}

	t.Run("the referral's caseworkers are the active users of its supply chain", func(t *testing.T) {
		b := b.with(t)
		want := sortedIDs(b.primeUser, colleague, b.subUser)
		for _, u := range []apitest.User{b.primeUser, b.subUser, b.admin} {
			var got listedUsers
			b.env.Get(u.Token, path(r.ID, "/caseworkers")).Expect(http.StatusOK).JSON(&got)
			if !slices.Equal(got.ids(), want) {
				t.Errorf("as %s: %v, want %v", u.Email, got.ids(), want)
			}
		}
		b.env.Get(b.otherUser.Token, path(r.ID, "/caseworkers")).ExpectProblem(http.StatusNotFound, "not_found")
		b.env.Get(b.pp.Token, path(r.ID, "/caseworkers")).ExpectProblem(http.StatusForbidden, "role_not_allowed")
	})

	t.Run("a supplier user lists its own organisation's active users only", func(t *testing.T) {
		b := b.with(t)
		own := httpserver.APIPrefix + "/suppliers/" + b.prime.String() + "/users"
		var got listedUsers
		b.env.Get(colleague.Token, own).Expect(http.StatusOK).JSON(&got)
		if want := sortedIDs(b.primeUser, colleague); !slices.Equal(got.ids(), want) {
			t.Errorf("own organisation: %v, want %v", got.ids(), want)
		}
		other := httpserver.APIPrefix + "/suppliers/" + b.other.String() + "/users"
		b.env.Get(colleague.Token, other).ExpectProblem(http.StatusNotFound, "not_found")
		b.env.Get(colleague.Token, httpserver.APIPrefix+"/suppliers/"+uuid.NewString()+"/users").ExpectProblem(http.StatusNotFound, "not_found")
		b.env.Get(b.admin.Token, other).Expect(http.StatusOK).JSON(&got)
		if want := sortedIDs(b.otherUser); !slices.Equal(got.ids(), want) {
			t.Errorf("admin on another organisation: %v, want %v", got.ids(), want)
		}
		b.env.Get(b.pp.Token, own).ExpectProblem(http.StatusForbidden, "role_not_allowed")
	})

	t.Run("a user from the list can be assigned", func(t *testing.T) {
		b := b.with(t)
		var got listedUsers
		b.env.Get(b.primeUser.Token, path(r.ID, "/caseworkers")).Expect(http.StatusOK).JSON(&got)
		var assigned referrals.ReferralResponse
		b.act(http.MethodPost, b.primeUser.Token, path(r.ID, "/caseworker"), map[string]any{"caseworker_id": got.Items[0].ID.String()}).
			Expect(http.StatusOK).JSON(&assigned)
		if assigned.CaseworkerID == nil || *assigned.CaseworkerID != got.Items[0].ID {
			t.Errorf("caseworker %v, want %s", assigned.CaseworkerID, got.Items[0].ID)
		}
	})
}
