package referrals_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/factory"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/referrals"
)

// testNow is the clock every test starts at: Friday 6 March 2026, noon, the DOMAIN's example day
// (a referral sent then has its assessment due on Friday 20 March 2026).
var testNow = time.Date(2026, time.March, 6, 12, 0, 0, 0, time.UTC)

const base = httpserver.APIPrefix + "/referrals"

type testBundle struct {
	env   *apitest.Env
	svc   *referrals.Service
	clock *atomic.Pointer[time.Time]
	now   func() time.Time
	admin apitest.User
	// prime and sub are the default contract's prime and subcontractor; other is a supplier outside it.
	prime, sub, other uuid.UUID
	// contract is a region J accommodation contract from 1 April 2025 to 31 March 2028 with a cap of 1000.
	contract uuid.UUID
	// pp is a region J practitioner; primeUser, subUser and otherUser the suppliers' users.
	pp, primeUser, subUser, otherUser apitest.User
}

// setupOpts change the environment.
type setupOpts struct {
	autoApprove bool
}

func setup(t *testing.T, opts ...setupOpts) *testBundle {
	t.Helper()
	var o setupOpts
	if len(opts) > 0 {
		o = opts[0]
	}
	env := apitest.New(t)
	clock := &atomic.Pointer[time.Time]{}
	start := testNow
	clock.Store(&start)
	// Only the referrals service runs on the test clock: the tokens keep real time, so that moving
	// the clock by days does not expire them.
	now := func() time.Time { return *clock.Load() }
	svc := referrals.NewService(env.DB.Gorm, referrals.Config{Reference: env.Ref, Inserter: env.Inserter, Now: now,
		AutoApproveActionPlans: o.autoApprove})
	referrals.Register(env.Server.API, referrals.NewHandler(svc))
	b := &testBundle{env: env, svc: svc, clock: clock, now: now, admin: env.Admin()}
	b.prime, b.sub, b.other = b.supplier(), b.supplier(), b.supplier()
	b.contract = b.newContract(contractOpts{subcontractors: []uuid.UUID{b.sub}})
	b.pp = b.practitioner("J")
	b.primeUser, b.subUser, b.otherUser = b.supplierUser(b.prime), b.supplierUser(b.sub), b.supplierUser(b.other)
	return b
}

// with returns the bundle with its environment reporting failures to t, for use in a subtest.
func (b *testBundle) with(t *testing.T) *testBundle {
	env := *b.env
	env.T = t
	c := *b
	c.env = &env
	return &c
}

// setNow moves the clock.
func (b *testBundle) setNow(t time.Time) { b.clock.Store(&t) }

var seq atomic.Int64

// supplier inserts an active supplier with plain SQL.
func (b *testBundle) supplier() uuid.UUID {
	b.env.T.Helper()
	return factory.Supplier(b.env.T, b.env.DB.Gorm, factory.SupplierOpts{})
}

func (b *testBundle) supplierUser(supplierID uuid.UUID) apitest.User {
	return b.env.NewUser(actor.RoleSupplier, apitest.UserOpts{SupplierID: supplierID})
}

func (b *testBundle) practitioner(regions ...string) apitest.User {
	return b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{Regions: regions})
}

func (b *testBundle) commissioner(regions ...string) apitest.User {
	return b.env.NewUser(actor.RoleCommissioner, apitest.UserOpts{Regions: regions})
}

// contractOpts override the contract factory's defaults: ACC in region J from 1 April 2025 to 31
// March 2028, for men and women of 18 and over in every setting, one band a year with cap 1000.
type contractOpts struct {
	contractType   string
	region         string
	pccArea        string
	prime          uuid.UUID
	subcontractors []uuid.UUID
	cap            int
	sexes          []string
	minAge         int
	maxAge         *int
	settings       []contracts.Setting
	windowCloses   string
	mailbox        string
}

// newContract inserts a contract with plain SQL, with one band per contract year up to the cap.
func (b *testBundle) newContract(o contractOpts) uuid.UUID {
	t := b.env.T
	t.Helper()
	if o.contractType == "" {
		o.contractType = "ACC"
	}
	if o.region == "" {
		o.region = "J"
	}
	if o.prime == uuid.Nil {
		o.prime = b.prime
	}
	if o.cap == 0 {
		o.cap = 1000
	}
	if o.sexes == nil {
		o.sexes = []string{"MALE", "FEMALE"}
	}
	if o.minAge == 0 {
		o.minAge = 18
	}
	if o.settings == nil {
		o.settings = contracts.Settings()
	}
	if o.windowCloses == "" {
		o.windowCloses = "2028-03-31"
	}
	var pcc *string
	if o.pccArea != "" {
		pcc = &o.pccArea
	}
	var mailbox *string
	if o.mailbox != "" {
		mailbox = &o.mailbox
	}
	id, now := ids.New(), time.Now().UTC()
	has := func(s contracts.Setting) bool {
		for _, x := range o.settings {
			if x == s {
				return true
			}
		}
		return false
	}
	db := b.env.DB.Gorm
	err := db.Exec(`INSERT INTO contracts (id, reference, contract_type_code, region_code, pcc_area_code, prime_supplier_id, sexes, min_age, max_age,
		accepts_community, accepts_licence, accepts_pre_release, start_date, end_date, effective_end_date, referral_window_opens,
		referral_window_closes, referral_mailbox, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '2025-04-01', '2028-03-31', '2028-03-31', '2025-04-01', ?, ?, 1, ?, ?)`,
		id, fmt.Sprintf("%s-%s-%05d", o.contractType, o.region, seq.Add(1)), o.contractType, o.region, pcc, o.prime, pq.StringArray(o.sexes),
		o.minAge, o.maxAge, has(contracts.SettingCommunity), has(contracts.SettingLicence), has(contracts.SettingPreRelease),
		o.windowCloses, mailbox, now, now).Error
	if err != nil {
		t.Fatalf("insert contract: %v", err)
	}
	for _, s := range o.subcontractors {
		if err := db.Exec(`INSERT INTO contract_subcontractors (id, contract_id, supplier_id, added_on) VALUES (?, ?, ?, '2025-04-01')`,
			ids.New(), id, s).Error; err != nil {
			t.Fatalf("insert subcontractor: %v", err)
		}
	}
	for year := 1; year <= 3; year++ {
		if err := db.Exec(`INSERT INTO contract_bands (contract_id, year_number, band_number, low, high, annual_price_pence)
			VALUES (?, ?, 1, 0, ?, 50000000)`, id, year, o.cap).Error; err != nil {
			t.Fatalf("insert band: %v", err)
		}
	}
	return id
}

// outcomes returns the desired outcomes of a service category from the reference data.
func (b *testBundle) outcomes(category string, n int) []string {
	b.env.T.Helper()
	c, ok := b.env.Ref.Category(category)
	if !ok || len(c.Outcomes) < n {
		b.env.T.Fatalf("category %s has too few outcomes", category)
	}
	out := make([]string, n)
	for i := range n {
		out[i] = c.Outcomes[i].ID.String()
	}
	return out
}

// completeDraft is a PATCH body that completes a draft on the default ACC contract.
func (b *testBundle) completeDraft(edits ...func(map[string]any)) map[string]any {
	body := map[string]any{
		"person": map[string]any{
			"first_name": "Jordan", "last_name": "Ashworth", "date_of_birth": "1990-05-17", "sex": "MALE",
			"ethnicity": "White British", "preferred_language": "English", "interpreter_needed": false,
			"disabilities": "none known", "access_needs": "step-free access",
			"commitments": []map[string]any{{"description": "Part-time work", "times_unavailable": "Tuesday and Thursday mornings"}},
		},
		"setting":              "COMMUNITY",
		"pcc_area_code":        "metropolitan",
		"service_categories":   []map[string]any{{"service_category_code": "ACCOMMODATION", "complexity_level": "MEDIUM", "desired_outcome_ids": b.outcomes("ACCOMMODATION", 2)}},
		"max_enforceable_days": 10,
		"completion_deadline":  "2026-09-30",
		"reason_for_referral":  "Needs settled accommodation before the end of the order.",
		"risk_summary":         "Low risk to staff.",
	}
	for _, e := range edits {
		e(body)
	}
	return body
}

// set returns an edit setting a top-level field (nil deletes it).
func set(key string, v any) func(map[string]any) {
	return func(m map[string]any) {
		if v == nil {
			delete(m, key)
			return
		}
		m[key] = v
	}
}

// setPerson returns an edit setting a person field.
func setPerson(key string, v any) func(map[string]any) {
	return func(m map[string]any) { m["person"].(map[string]any)[key] = v }
}

// do sends a request with an optional If-Match version (0: none).
func (b *testBundle) do(method, path, token string, body any, ifMatch int) *apitest.Response {
	b.env.T.Helper()
	return b.env.Send(method, path, token, body, ifMatch)
}

// act sends a change to the referral the path names, with If-Match on the referral's current version.
func (b *testBundle) act(method, token, p string, body any) *apitest.Response {
	b.env.T.Helper()
	id := uuid.MustParse(strings.SplitN(strings.TrimPrefix(p, base+"/"), "/", 2)[0])
	return b.do(method, p, token, body, b.version(id))
}

// version reads a referral's current version (1 for a referral that does not exist).
func (b *testBundle) version(id uuid.UUID) int {
	b.env.T.Helper()
	v := 1
	if err := b.env.DB.Gorm.Raw(`SELECT coalesce(max(version), 1) FROM referrals WHERE id = ?`, id).Scan(&v).Error; err != nil {
		b.env.T.Fatalf("read referral version: %v", err)
	}
	return v
}

func path(id uuid.UUID, rest ...string) string {
	return base + "/" + id.String() + strings.Join(rest, "")
}

// createDraft starts a draft on the contract as the practitioner.
func (b *testBundle) createDraft(pp apitest.User, contractID uuid.UUID, crn string) referrals.ReferralResponse {
	b.env.T.Helper()
	var r referrals.ReferralResponse
	b.env.Post(pp.Token, base, map[string]any{"contract_id": contractID.String(), "crn": crn}).Expect(http.StatusCreated).JSON(&r)
	return r
}

// draft makes a complete draft on the contract as the practitioner.
func (b *testBundle) draft(pp apitest.User, contractID uuid.UUID, crn string, edits ...func(map[string]any)) referrals.ReferralResponse {
	b.env.T.Helper()
	r := b.createDraft(pp, contractID, crn)
	b.do(http.MethodPatch, path(r.ID), pp.Token, b.completeDraft(edits...), r.Version).Expect(http.StatusOK).JSON(&r)
	return r
}

// sent makes and sends a referral on the default contract as the default practitioner.
func (b *testBundle) sent(crn string, edits ...func(map[string]any)) referrals.ReferralResponse {
	b.env.T.Helper()
	r := b.draft(b.pp, b.contract, crn, edits...)
	b.do(http.MethodPost, path(r.ID, "/send"), b.pp.Token, nil, r.Version).Expect(http.StatusOK).JSON(&r)
	return r
}

var crnSeq atomic.Int64

// crn returns a fresh CRN.
func crn() string { return fmt.Sprintf("X%06d", crnSeq.Add(1)) }

// post sends a POST and decodes a referral from a 200 answer.
func (b *testBundle) post(token, p string, body any) referrals.ReferralResponse {
	b.env.T.Helper()
	var r referrals.ReferralResponse
	b.act(http.MethodPost, token, p, body).Expect(http.StatusOK).JSON(&r)
	return r
}

// slot is an appointment body starting at t.
func slot(t time.Time, extra ...func(map[string]any)) map[string]any {
	m := map[string]any{"starts_at": t.UTC().Format(time.RFC3339), "duration_minutes": 60, "method": "VIDEO"}
	for _, e := range extra {
		e(m)
	}
	return m
}

// jobCount counts the River jobs of a kind whose args mention the id.
func (b *testBundle) jobCount(kind string, id uuid.UUID) int {
	b.env.T.Helper()
	var n int
	if err := b.env.DB.Gorm.Raw(`SELECT count(*) FROM river_job WHERE kind = ? AND args::text LIKE ?`, kind, "%"+id.String()+"%").Scan(&n).Error; err != nil {
		b.env.T.Fatalf("count jobs: %v", err)
	}
	return n
}

// notificationCount counts the user's notifications of a kind.
func (b *testBundle) notificationCount(user uuid.UUID, kind string) int {
	b.env.T.Helper()
	return b.notificationsAbout(user, kind, uuid.Nil)
}

// notificationsAbout counts the user's notifications of a kind about the entity (any, when nil).
func (b *testBundle) notificationsAbout(user uuid.UUID, kind string, entity uuid.UUID) int {
	b.env.T.Helper()
	q := b.env.DB.Gorm.Table("notifications").Where("user_id = ? AND kind = ?", user, kind)
	if entity != uuid.Nil {
		q = q.Where("entity_id = ?", entity)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		b.env.T.Fatalf("count notifications: %v", err)
	}
	return int(n)
}

// expectField fails unless the response is a problem of the status with a field error of the field
// and code.
func expectField(t *testing.T, r *apitest.Response, status int, field, code string) {
	t.Helper()
	p := r.ExpectProblem(status, code)
	if !apitest.HasFieldError(p, field, code) {
		t.Fatalf("no field error %s %s in %s", field, code, r.Body)
	}
}
