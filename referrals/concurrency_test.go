package referrals_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/referrals"
)

// sendAll sends the drafts at once and returns each answer.
func (b *testBundle) sendAll(drafts []referrals.ReferralResponse) []*apitest.Response {
	out := make([]*apitest.Response, len(drafts))
	var wg sync.WaitGroup
	for i, d := range drafts {
		wg.Go(func() {
			out[i] = b.do(http.MethodPost, path(d.ID, "/send"), b.pp.Token, nil, d.Version)
		})
	}
	wg.Wait()
	return out
}

func (b *testBundle) drafts(contractID uuid.UUID, n int) []referrals.ReferralResponse {
	out := make([]referrals.ReferralResponse, n)
	for i := range out {
		out[i] = b.draft(b.pp, contractID, crn())
	}
	return out
}

func TestConcurrentSendsGetDistinctReferences(t *testing.T) {
	t.Parallel()
	b := setup(t)
	big := b.newContract(contractOpts{cap: 100000})
	answers := b.sendAll(b.drafts(big, 100))
	seen := map[string]bool{}
	for _, a := range answers {
		if a.Status != http.StatusOK {
			t.Fatalf("a send answered %d: %s", a.Status, a.Body)
		}
		var r referrals.ReferralResponse
		if err := json.Unmarshal(a.Body, &r); err != nil {
			t.Fatal(err)
		}
		if r.Reference == nil || !referrals.ValidReference(*r.Reference) {
			t.Fatalf("reference %v", r.Reference)
		}
		seen[*r.Reference] = true
	}
	if len(seen) != 100 {
		t.Errorf("%d distinct references for 100 sends", len(seen))
	}
	var counted int
	b.env.DB.Gorm.Raw(`SELECT count(*) FROM referrals WHERE contract_id = ? AND counted AND reference IS NOT NULL`, big).Scan(&counted)
	if counted != 100 {
		t.Errorf("%d referrals counted", counted)
	}
}

func TestConcurrentSendsStopAtTheCap(t *testing.T) {
	t.Parallel()
	b := setup(t)
	capped := b.newContract(contractOpts{cap: 10})
	drafts := b.drafts(capped, 30)
	accepted, refused := 0, 0
	var acceptedIDs []uuid.UUID
	for i, a := range b.sendAll(drafts) {
		switch a.Status {
		case http.StatusOK:
			accepted++
			acceptedIDs = append(acceptedIDs, drafts[i].ID)
		case http.StatusConflict:
			var p httpserver.Problem
			if err := json.Unmarshal(a.Body, &p); err != nil || p.Code != "contract_at_cap" {
				t.Errorf("a refusal %s", a.Body)
			}
			refused++
			if b.jobCount("referral_notify_email", drafts[i].ID) != 0 {
				t.Errorf("a refused send left its notify job")
			}
		default:
			t.Errorf("a send answered %d: %s", a.Status, a.Body)
		}
	}
	if accepted != 10 || refused != 20 {
		t.Errorf("%d accepted and %d refused, want 10 and 20", accepted, refused)
	}
	for _, id := range acceptedIDs {
		if b.jobCount("referral_notify_email", id) != 1 {
			t.Errorf("an accepted send has no notify job")
		}
	}
	var counted int
	b.env.DB.Gorm.Raw(`SELECT count(*) FROM referrals WHERE contract_id = ? AND counted`, capped).Scan(&counted)
	if counted != 10 {
		t.Errorf("%d referrals counted, want 10", counted)
	}
}
