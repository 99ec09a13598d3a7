package returns_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/calendar"
)

// TestReturnRetry shows a return whose build has run past its time limit as stuck, and lets an admin or
// the region's commissioner build a stuck or failed return again, with a new job and an audit record;
// other returns conflict and returns outside the caller's scope are not found.
func TestReturnRetry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	commissionerK := b.env.NewUser(actor.RoleCommissioner, apitest.UserOpts{Regions: []string{"K"}})
	period := calendar.Today(b.env.Now()).CalendarMonth().Prev().String()
	var ret struct {
		ID     uuid.UUID `json:"id"`
		Status string    `json:"status"`
		Stuck  bool      `json:"stuck"`
	}
	b.env.Post(b.admin.Token, "/api/v1/returns", map[string]any{"scope": "region", "region": "J", "period": period}).Expect(http.StatusAccepted).JSON(&ret)
	path := "/api/v1/returns/" + ret.ID.String()
	setState := func(status string, startedAgo time.Duration) {
		t.Helper()
		if err := b.env.DB.Gorm.Exec(`UPDATE returns SET status = ?, started_at = ? WHERE id = ?`, status, b.env.Now().Add(-startedAgo), ret.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	jobs := func() int {
		t.Helper()
		var n int
		b.env.DB.Gorm.Raw(`SELECT count(*) FROM river_job WHERE kind = 'build_return' AND args->>'return_id' = ?`, ret.ID.String()).Scan(&n)
		return n
	}

	b.env.Post(b.admin.Token, path+"/retry", nil).ExpectProblem(http.StatusConflict, "return_not_retryable") // queued
	setState("running", time.Minute)
	b.env.Get(b.admin.Token, path).Expect(http.StatusOK).JSON(&ret)
	if ret.Stuck {
		t.Fatalf("a build running for a minute shows as stuck")
	}
	b.env.Post(b.admin.Token, path+"/retry", nil).ExpectProblem(http.StatusConflict, "return_not_retryable")

	setState("running", time.Hour) // its worker died: past the 15-minute limit
	b.env.Get(b.admin.Token, path).Expect(http.StatusOK).JSON(&ret)
	if ret.Status != "running" || !ret.Stuck {
		t.Fatalf("a build running for an hour: %+v, want running and stuck", ret)
	}
	b.env.Post(commissionerK.Token, path+"/retry", nil).ExpectProblem(http.StatusNotFound, "not_found")
	b.env.Post(b.admin.Token, path+"/retry", nil).Expect(http.StatusAccepted).JSON(&ret)
	if ret.Status != "queued" || ret.Stuck || jobs() != 2 {
		t.Fatalf("after retrying a stuck return: %+v with %d build jobs, want queued with a second job", ret, jobs())
	}
	var audited int
	b.env.DB.Gorm.Raw(`SELECT count(*) FROM audit_events WHERE action = 'return.retried' AND entity_id = ?`, ret.ID).Scan(&audited)
	if audited != 1 {
		t.Errorf("%d audit records of the retry, want 1", audited)
	}

	if err := b.env.DB.Gorm.Exec(`UPDATE returns SET status = 'failed', failure = 'boom' WHERE id = ?`, ret.ID).Error; err != nil {
		t.Fatal(err)
	}
	b.env.Post(b.admin.Token, path+"/retry", nil).Expect(http.StatusAccepted).JSON(&ret)
	if ret.Status != "queued" || jobs() != 3 {
		t.Fatalf("after retrying a failed return: %+v with %d build jobs", ret, jobs())
	}
}
