package payments_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/factory"
	"github.com/crsplatform/crs/payments"
)

type volBundle struct {
	env   *apitest.Env
	svc   *payments.Service
	admin apitest.User
	today calendar.Date
}

func volSetup(t *testing.T) *volBundle {
	t.Helper()
	env := apitest.New(t)
	svc := payments.NewService(env.DB.Gorm, payments.Config{Inserter: env.Inserter, Now: func() time.Time { return env.Now() }})
	payments.Register(env.Server.API, payments.NewHandler(svc))
	return &volBundle{env: env, svc: svc, admin: env.Admin(), today: calendar.Today(env.Now())}
}

type pictureJSON struct {
	Reference    string `json:"contract_reference"`
	CountedYTD   int    `json:"counted_ytd"`
	Projected    *int   `json:"projected"`
	Status       string `json:"status"`
	Cap          int    `json:"cap"`
	BasisBand    *int   `json:"payment_basis_band"`
	Indicated    *int   `json:"indicated_band"`
	PercentOfCap string `json:"percent_of_cap"`
	Monthly      []struct {
		Month        string         `json:"month"`
		Referrals    int            `json:"referrals"`
		ByCategory   map[string]int `json:"by_category"`
		ByComplexity map[string]int `json:"by_complexity"`
	} `json:"monthly"`
}

func TestReconciliationCountsOnlyReferralsThatCount(t *testing.T) {
	t.Parallel()
	b := volSetup(t)
	db := b.env.DB.Gorm
	id := factory.Contract(t, db, factory.ContractOpts{Reference: "ACC-J-COUNT"})
	sent := b.today.AddDays(-20)
	factory.Referrals(t, db, id, factory.ReferralOpts{SentOn: sent, Count: 7, Complexity: "HIGH"})
	factory.Referrals(t, db, id, factory.ReferralOpts{SentOn: sent, Count: 2, WithdrawalReason: "NOT"}) // withdrawn, still counts
	factory.Referrals(t, db, id, factory.ReferralOpts{SentOn: sent, Count: 3, WithdrawalReason: "INE"}) // ineligible: does not count
	factory.Referrals(t, db, id, factory.ReferralOpts{SentOn: sent, Count: 4, WithdrawalReason: "MIS"}) // mistake: does not count
	factory.Referrals(t, db, id, factory.ReferralOpts{Draft: true, Count: 5})                           // drafts never count
	factory.Referrals(t, db, id, factory.ReferralOpts{SentOn: b.today.AddYears(-2), Count: 6})          // before this contract year

	var run struct {
		Contracts int           `json:"contracts"`
		Pictures  []pictureJSON `json:"pictures"`
	}
	b.env.Post(b.admin.Token, "/api/v1/reconciliations", map[string]any{"contract_id": id}).Expect(http.StatusOK).JSON(&run)
	if run.Contracts != 1 || run.Pictures[0].CountedYTD != 9 {
		t.Fatalf("reconciliation counted %+v, want 9 (7 sent + 2 withdrawn for a reason that counts)", run.Pictures)
	}
	var vols struct {
		Current   pictureJSON `json:"current"`
		Snapshots []struct {
			AsOf       string `json:"as_of"`
			CountedYTD int    `json:"counted_ytd"`
		} `json:"snapshots"`
	}
	b.env.Get(b.admin.Token, "/api/v1/contracts/"+id.String()+"/volumes").Expect(http.StatusOK).JSON(&vols)
	if vols.Current.CountedYTD != 9 || len(vols.Snapshots) != 1 || vols.Snapshots[0].CountedYTD != 9 {
		t.Fatalf("volumes %+v", vols)
	}
	m := vols.Current.Monthly
	total := 0
	for _, x := range m {
		total += x.Referrals
	}
	if total != 9 || vols.Current.Monthly[len(m)-1].ByComplexity["HIGH"] < 1 {
		t.Fatalf("monthly series %+v", m)
	}

	// Re-running for the same day replaces the day's snapshot.
	factory.Referrals(t, db, id, factory.ReferralOpts{SentOn: sent, Count: 1})
	b.env.Post(b.admin.Token, "/api/v1/reconciliations", map[string]any{"contract_id": id}).Expect(http.StatusOK)
	b.env.Get(b.admin.Token, "/api/v1/contracts/"+id.String()+"/volumes").Expect(http.StatusOK).JSON(&vols)
	if len(vols.Snapshots) != 1 || vols.Snapshots[0].CountedYTD != 10 {
		t.Fatalf("snapshots after a second run the same day: %+v", vols.Snapshots)
	}
}

func TestNinetyPercentAlertRaisedOnce(t *testing.T) {
	t.Parallel()
	b := volSetup(t)
	db := b.env.DB.Gorm
	id := factory.Contract(t, db, factory.ContractOpts{Reference: "PWB-J-ALERT", Type: "PWB", Bands: []factory.Band{{Low: 0, High: 100, Price: 50_000_000}}})
	commissioner := b.env.NewUser(actor.RoleCommissioner, apitest.UserOpts{Regions: []string{"J"}})
	factory.Referrals(t, db, id, factory.ReferralOpts{SentOn: b.today.AddDays(-5), Count: 91, Category: "EMOTIONAL_WELLBEING"})
	for i := 0; i < 3; i++ {
		b.env.Post(commissioner.Token, "/api/v1/reconciliations", nil).Expect(http.StatusOK)
	}
	var alerts struct {
		Items []struct {
			Kind      string `json:"kind"`
			Reference string `json:"contract_reference"`
		} `json:"items"`
	}
	b.env.Get(commissioner.Token, "/api/v1/alerts?kind=NINETY_PERCENT").Expect(http.StatusOK).JSON(&alerts)
	if len(alerts.Items) != 1 || alerts.Items[0].Reference != "PWB-J-ALERT" || alerts.Items[0].Kind != "NINETY_PERCENT" {
		t.Fatalf("NINETY_PERCENT alerts after three runs: %+v", alerts.Items)
	}
	var notes struct {
		Items []struct {
			Kind string `json:"kind"`
		} `json:"items"`
	}
	b.env.Get(commissioner.Token, "/api/v1/notifications").Expect(http.StatusOK).JSON(&notes)
	if len(notes.Items) != 2 { // RED (counted reached 90% of the cap) and NINETY_PERCENT, once each
		t.Fatalf("commissioner notifications %+v", notes.Items)
	}
	var jobs int64
	db.Table("river_job").Where("kind = 'notify_email'").Count(&jobs)
	if jobs != 2 {
		t.Fatalf("%d e-mail jobs, want one per alert", jobs)
	}
}

func TestVolumesScope(t *testing.T) {
	t.Parallel()
	b := volSetup(t)
	db := b.env.DB.Gorm
	prime := factory.Supplier(t, db, factory.SupplierOpts{})
	other := factory.Supplier(t, db, factory.SupplierOpts{})
	inJ := factory.Contract(t, db, factory.ContractOpts{Reference: "ACC-J-SCOPE", Prime: prime})
	inK := factory.Contract(t, db, factory.ContractOpts{Reference: "ACC-K-SCOPE", Region: "K"})
	commissionerJ := b.env.NewUser(actor.RoleCommissioner, apitest.UserOpts{Regions: []string{"J"}})
	primeUser := b.env.NewUser(actor.RoleSupplier, apitest.UserOpts{SupplierID: prime})
	otherUser := b.env.NewUser(actor.RoleSupplier, apitest.UserOpts{SupplierID: other})
	practitioner := b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{})
	path := func(id uuid.UUID) string { return "/api/v1/contracts/" + id.String() + "/volumes" }

	b.env.Get(commissionerJ.Token, path(inJ)).Expect(http.StatusOK)
	b.env.Get(commissionerJ.Token, path(inK)).ExpectProblem(http.StatusNotFound, "not_found")
	b.env.Get(primeUser.Token, path(inJ)).Expect(http.StatusOK)
	b.env.Get(otherUser.Token, path(inJ)).ExpectProblem(http.StatusNotFound, "not_found")
	b.env.Get(practitioner.Token, path(inJ)).ExpectProblem(http.StatusForbidden, "role_not_allowed")
	b.env.Post(primeUser.Token, "/api/v1/reconciliations", nil).ExpectProblem(http.StatusForbidden, "role_not_allowed")
	b.env.Post(commissionerJ.Token, "/api/v1/reconciliations", map[string]any{"contract_id": inK}).ExpectProblem(http.StatusNotFound, "not_found")

	var page struct {
		Items []pictureJSON `json:"items"`
	}
	b.env.Get(commissionerJ.Token, "/api/v1/volumes").Expect(http.StatusOK).JSON(&page)
	if len(page.Items) != 1 || page.Items[0].Reference != "ACC-J-SCOPE" {
		t.Fatalf("commissioner J portfolio %+v", page.Items)
	}
	b.env.Get(b.admin.Token, "/api/v1/volumes?region=K").Expect(http.StatusOK).JSON(&page)
	if len(page.Items) != 1 || page.Items[0].Reference != "ACC-K-SCOPE" {
		t.Fatalf("admin portfolio of K %+v", page.Items)
	}
	b.env.Get(b.admin.Token, "/api/v1/volumes?status=PURPLE").ExpectProblem(http.StatusBadRequest, "invalid_status")
	b.env.Get(b.admin.Token, "/api/v1/volumes?as_of=2999-01-01").ExpectProblem(http.StatusBadRequest, "as_of_in_future")
}
