package suppliers_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/ids"
)

func TestChangeStatus(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("suspend, reinstate and remove; removal is final", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		s := b.create(t)
		res := b.changeStatus(b.admin.Token, s.ID, `"v1"`, map[string]any{"status": "suspended", "reason": "Safeguarding review"}).Expect(http.StatusOK)
		var got supplierJSON
		res.JSON(&got)
		if res.Header.Get("ETag") != `"v2"` || got.Status != "suspended" || *got.StatusReason != "Safeguarding review" || *got.StatusEffective != "2026-03-10" {
			t.Fatalf("after suspension %+v (ETag %q)", got, res.Header.Get("ETag"))
		}
		if len(got.StatusHistory) != 1 || got.StatusHistory[0].FromStatus != "active" || got.StatusHistory[0].ToStatus != "suspended" ||
			got.StatusHistory[0].ChangedBy == nil || *got.StatusHistory[0].ChangedBy != b.admin.ID {
			t.Fatalf("history %+v", got.StatusHistory)
		}
		b.changeStatus(b.admin.Token, s.ID, `"v2"`, map[string]any{"status": "active", "reason": "Review closed", "effective_date": "2026-03-10"}).
			Expect(http.StatusOK)
		b.changeStatus(b.admin.Token, s.ID, `"v3"`, map[string]any{"status": "removed", "reason": "Left the framework"}).Expect(http.StatusOK)
		b.changeStatus(b.admin.Token, s.ID, `"v4"`, map[string]any{"status": "active", "reason": "Rejoined"}).
			ExpectProblem(http.StatusConflict, "invalid_status_transition")

		var read supplierJSON
		b.env.Get(b.admin.Token, base+"/"+s.ID.String()).Expect(http.StatusOK).JSON(&read)
		var path []string
		for _, c := range read.StatusHistory {
			path = append(path, c.FromStatus+">"+c.ToStatus)
		}
		if read.Status != "removed" || read.Version != 4 || !slices.Equal(path, []string{"active>suspended", "suspended>active", "active>removed"}) {
			t.Fatalf("read back status %s version %d history %q", read.Status, read.Version, path)
		}
		want := []string{"supplier.created", "supplier.status_changed", "supplier.status_changed", "supplier.status_changed"}
		if got := actionsOf(b.auditActions(t, s.ID)); !slices.Equal(got, want) {
			t.Fatalf("audit actions %q, want %q", got, want)
		}
	})

	t.Run("a change to the current status is refused", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		s := b.create(t)
		b.changeStatus(b.admin.Token, s.ID, `"v1"`, map[string]any{"status": "active", "reason": "Again"}).
			ExpectProblem(http.StatusConflict, "invalid_status_transition")
	})

	t.Run("bad requests name the field", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		s := b.create(t)
		cases := []struct {
			body        map[string]any
			field, code string
		}{
			{map[string]any{"status": "suspended"}, "reason", "required"},
			{map[string]any{"reason": "x"}, "status", "required"},
			{map[string]any{"status": "paused", "reason": "x"}, "status", "invalid_status"},
			{map[string]any{"status": "suspended", "reason": "x", "effective_date": "10/03/2026"}, "effective_date", "invalid_date"},
			{map[string]any{"status": "suspended", "reason": "x", "effective_date": "2026-03-11"}, "effective_date", "effective_date_in_future"},
		}
		for _, tc := range cases {
			p := b.changeStatus(b.admin.Token, s.ID, `"v1"`, tc.body).ExpectProblem(http.StatusBadRequest, tc.code)
			if !apitest.HasFieldError(p, tc.field, tc.code) {
				t.Errorf("body %v: no %s on %s: %+v", tc.body, tc.code, tc.field, p.Errors)
			}
		}
	})

	t.Run("an effective date before the previous change is refused", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		s := b.create(t)
		b.changeStatus(b.admin.Token, s.ID, `"v1"`, map[string]any{"status": "suspended", "reason": "x", "effective_date": "2026-03-05"}).Expect(http.StatusOK)
		b.changeStatus(b.admin.Token, s.ID, `"v2"`, map[string]any{"status": "active", "reason": "y", "effective_date": "2026-03-04"}).
			ExpectProblem(http.StatusBadRequest, "effective_date_before_previous")
	})

	t.Run("If-Match is required and must be current", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		s := b.create(t)
		body := map[string]any{"status": "suspended", "reason": "x"}
		b.changeStatus(b.admin.Token, s.ID, "", body).ExpectProblem(http.StatusPreconditionRequired, "if_match_required")
		b.changeStatus(b.admin.Token, s.ID, `"v2"`, body).ExpectProblem(http.StatusPreconditionFailed, "version_mismatch")
	})

	t.Run("only admins change a status", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		s := b.create(t)
		for _, u := range []apitest.User{
			b.env.NewUser(actor.RoleCommissioner, apitest.UserOpts{}),
			b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{}),
			b.supplierUser(s.ID),
		} {
			b.changeStatus(u.Token, s.ID, `"v1"`, map[string]any{"status": "suspended", "reason": "x"}).
				ExpectProblem(http.StatusForbidden, "role_not_allowed")
		}
		b.changeStatus(b.admin.Token, ids.New(), `"v1"`, map[string]any{"status": "suspended", "reason": "x"}).
			ExpectProblem(http.StatusNotFound, "not_found")
	})
}
