package jobs_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/jobs"
	"github.com/crsplatform/crs/referrals"
)

// fakeMailer records what it is asked to send: the SMTP server is outside the system.
type fakeMailer struct {
	mu   sync.Mutex
	sent []string
}

func (m *fakeMailer) Send(_ context.Context, to []string, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, strings.Join(to, ",")+"|"+subject+"|"+body)
	return nil
}

type referralBundle struct {
	env *apitest.Env
	svc *referrals.Service
	pp  apitest.User
}

func setupReferrals(t *testing.T) *referralBundle {
	t.Helper()
	env := apitest.New(t)
	now := time.Date(2026, time.March, 6, 12, 0, 0, 0, time.UTC)
	svc := referrals.NewService(env.DB.Gorm, referrals.Config{Reference: env.Ref, Inserter: env.Inserter, Now: func() time.Time { return now }})
	return &referralBundle{env: env, svc: svc, pp: env.NewUser(actor.RolePractitioner, apitest.UserOpts{Regions: []string{"J"}})}
}

// sentReferral sends a referral on a new contract with the mailbox (none when empty).
func (b *referralBundle) sentReferral(mailbox string) referrals.Detail {
	t := b.env.T
	t.Helper()
	db := b.env.DB.Gorm
	supplier, contract, now := ids.New(), ids.New(), time.Now().UTC()
	var box *string
	if mailbox != "" {
		box = &mailbox
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO suppliers (id, legal_name, organisation_type, charity_number, address_line1, town, postcode, status, version, created_at, updated_at)
			VALUES (?, ?, 'VCSE', ?, '1 Mill Lane', 'Leeds', 'LS1 4AP', 'active', 1, ?, ?)`, []any{supplier, "Trust " + supplier.String(), supplier.String()[28:], now, now}},
		{`INSERT INTO contracts (id, reference, contract_type_code, region_code, prime_supplier_id, sexes, min_age, accepts_community, accepts_licence,
			accepts_pre_release, start_date, end_date, effective_end_date, referral_window_opens, referral_window_closes, referral_mailbox, version, created_at, updated_at)
			VALUES (?, ?, 'ACC', 'J', ?, '{MALE,FEMALE}', 18, true, true, true, '2025-04-01', '2028-03-31', '2028-03-31', '2025-04-01', '2028-03-31', ?, 1, ?, ?)`,
			[]any{contract, "ACC-J-" + contract.String()[28:], supplier, box, now, now}},
		{`INSERT INTO contract_bands (contract_id, year_number, band_number, low, high, annual_price_pence) VALUES (?, 1, 1, 0, 100, 50000000)`, []any{contract}},
	} {
		if err := db.Exec(q.sql, q.args...).Error; err != nil {
			t.Fatalf("insert: %v", err)
		}
	}
	ctx, a := context.Background(), b.pp.Actor()
	d, err := b.svc.Create(ctx, a, referrals.CreateParams{ContractID: contract, CRN: "X654321"})
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := b.env.Ref.Category("ACCOMMODATION")
	no := false
	d, err = b.svc.UpdateDraft(ctx, a, d.ID, d.Version, referrals.DraftChanges{
		FirstName: referrals.To("Robin"), LastName: referrals.To("Achebe"), DateOfBirth: referrals.To(calendar.NewDate(1985, time.July, 1)),
		Sex: referrals.To(contracts.SexMale), PreferredLanguage: referrals.To("English"), InterpreterNeeded: referrals.To(&no),
		Setting: referrals.To(referrals.SettingLicence), PCCAreaCode: referrals.To("metropolitan"),
		Services:           referrals.To([]referrals.ServiceChoice{{CategoryCode: "ACCOMMODATION", Complexity: "LOW", OutcomeIDs: []uuid.UUID{cat.Outcomes[0].ID}}}),
		MaxEnforceableDays: referrals.To(5), CompletionDeadline: referrals.To(calendar.NewDate(2026, time.December, 1)),
		ReasonForReferral: referrals.To("Housing"), RiskSummary: referrals.To("Low"),
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err = b.svc.Send(ctx, a, d.ID, d.Version, referrals.SendParams{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestReferralEmailWorker(t *testing.T) {
	t.Parallel()
	b := setupReferrals(t)
	ctx := context.Background()
	withBox := b.sentReferral("referrals@example.org")
	withoutBox := b.sentReferral("")
	mailer := &fakeMailer{}
	work := func(d jobs.Deps, id uuid.UUID) {
		t.Helper()
		if err := jobs.NewReferralEmailWorker(d).Work(ctx, &river.Job[referrals.NotifyArgs]{Args: referrals.NotifyArgs{ReferralID: id, Event: referrals.EventSent}}); err != nil {
			t.Fatal(err)
		}
	}
	work(jobs.Deps{Referrals: b.svc}, withBox.ID) // no mailer: nothing sent, the job completes
	work(jobs.Deps{Referrals: b.svc, Mailer: mailer}, withoutBox.ID)
	work(jobs.Deps{Referrals: b.svc, Mailer: mailer}, uuid.New()) // a referral since deleted
	if len(mailer.sent) != 0 {
		t.Fatalf("sent %q", mailer.sent)
	}
	work(jobs.Deps{Referrals: b.svc, Mailer: mailer}, withBox.ID)
	if len(mailer.sent) != 1 || !strings.HasPrefix(mailer.sent[0], "referrals@example.org|Referral "+withBox.Reference+" was sent to contract ACC-J-") {
		t.Fatalf("sent %q", mailer.sent)
	}
	if strings.Contains(mailer.sent[0], "Robin") || strings.Contains(mailer.sent[0], "X654321") {
		t.Errorf("the e-mail carries the person's details: %q", mailer.sent[0])
	}
}

func TestStaleDraftsWorker(t *testing.T) {
	t.Parallel()
	b := setupReferrals(t)
	ctx := context.Background()
	sent := b.sentReferral("")
	d, err := b.svc.Create(ctx, b.pp.Actor(), referrals.CreateParams{ContractID: sent.ContractID, CRN: "Y000001"})
	if err != nil {
		t.Fatal(err)
	}
	b.env.DB.Gorm.Exec(`UPDATE referrals SET updated_at = '2025-11-01T00:00:00Z' WHERE id IN ?`, []uuid.UUID{d.ID, sent.ID})
	w := jobs.NewStaleDraftsWorker(jobs.Deps{Referrals: b.svc})
	if err := w.Work(ctx, &river.Job[jobs.StaleDraftsArgs]{}); err != nil {
		t.Fatal(err)
	}
	var left []uuid.UUID
	b.env.DB.Gorm.Raw(`SELECT id FROM referrals`).Scan(&left)
	if len(left) != 1 || left[0] != sent.ID {
		t.Errorf("referrals left %v, want only the sent one", left)
	}
	if err := jobs.NewStaleDraftsWorker(jobs.Deps{}).Work(ctx, &river.Job[jobs.StaleDraftsArgs]{}); err == nil {
		t.Error("a worker without the referrals service succeeded")
	}
}
