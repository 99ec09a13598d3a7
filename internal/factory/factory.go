// Package factory inserts test data with plain SQL: suppliers, contracts with a band table for every
// contract year, and referrals in bulk. It bypasses the services on purpose, so that tests and
// benchmarks of one domain do not depend on another's API, and so that a million referrals take
// seconds. Defaults are valid; options override them. Import it only from _test.go files.
package factory

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/money"
)

// TB is the part of testing.TB the factories use.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

var _ TB = (testing.TB)(nil)

func exec(t TB, db *gorm.DB, sql string, args ...any) {
	t.Helper()
	if err := db.Exec(sql, args...).Error; err != nil {
		t.Fatalf("factory: %v\n%s", err, sql)
	}
}

// SupplierOpts override Supplier's defaults.
type SupplierOpts struct {
	Name string
	// Type is VCSE (default), SME or LARGE.
	Type string
	// Status is active (default), suspended or removed.
	Status string
	// Qualifications are (category, region) pairs; default: every category in every region.
	Qualifications [][2]string
}

// Supplier inserts a supplier and returns its id.
func Supplier(t TB, db *gorm.DB, o SupplierOpts) uuid.UUID {
	t.Helper()
	id := ids.New()
	if o.Name == "" {
		o.Name = "Test Supplier " + id.String()[24:]
	}
	if o.Type == "" {
		o.Type = "VCSE"
	}
	if o.Status == "" {
		o.Status = "active"
	}
	now := time.Now().UTC()
	exec(t, db, `INSERT INTO suppliers (id, legal_name, organisation_type, charity_number, address_line1, town, postcode, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, '1 Test Street', 'Testtown', 'TE1 1ST', ?, ?, ?)`, id, o.Name, o.Type, fmt.Sprintf("%07d", binary.BigEndian.Uint64(id[8:])%10000000), o.Status, now, now)
	if o.Qualifications == nil {
		exec(t, db, `INSERT INTO supplier_qualifications (supplier_id, service_category_code, region_code, created_at)
			SELECT ?, c.code, r.code, now() FROM service_categories c CROSS JOIN regions r`, id)
	}
	for _, q := range o.Qualifications {
		exec(t, db, `INSERT INTO supplier_qualifications (supplier_id, service_category_code, region_code, created_at) VALUES (?, ?, ?, now())`, id, q[0], q[1])
	}
	return id
}

// Band is one band of a band table.
type Band struct {
	Low, High int
	Price     money.Pence
}

// WorkedExample is DOMAIN.md's worked example: four bands, cap 850; basis band 3.
var WorkedExample = []Band{
	{0, 400, money.Pounds(300_000)},
	{401, 550, money.Pounds(380_000)},
	{551, 700, money.Pounds(460_000)},
	{701, 850, money.Pounds(540_000)},
}

// ContractOpts override Contract's defaults.
type ContractOpts struct {
	Reference string
	// Type defaults to ACC.
	Type string
	// Region defaults to J; PCCArea makes it PCC-level (the region follows).
	Region  string
	PCCArea string
	// Prime defaults to a new active VCSE supplier.
	Prime uuid.UUID
	// Start defaults to 200 days ago (the first contract year in progress); End to four years on.
	Start, End calendar.Date
	// Bands are set for every contract year; default WorkedExample.
	Bands []Band
	// BasisBand defaults to 3 (1 when there are fewer bands).
	BasisBand int
	// Sexes default to both.
	Sexes []string
}

// Contract inserts a contract with a band table and payment basis band for each contract year, and
// returns its id.
func Contract(t TB, db *gorm.DB, o ContractOpts) uuid.UUID {
	t.Helper()
	id := ids.New()
	if o.Reference == "" {
		o.Reference = "TEST-" + id.String()[24:]
	}
	if o.Type == "" {
		o.Type = "ACC"
	}
	if o.Region == "" {
		o.Region = "J"
	}
	if o.PCCArea != "" {
		if err := db.Raw(`SELECT region_code FROM pcc_areas WHERE code = ?`, o.PCCArea).Scan(&o.Region).Error; err != nil {
			t.Fatalf("factory: %v", err)
		}
	}
	if o.Prime == uuid.Nil {
		o.Prime = Supplier(t, db, SupplierOpts{})
	}
	today := calendar.Today(time.Now())
	if o.Start.IsZero() {
		o.Start = today.AddDays(-200)
	}
	if o.End.IsZero() {
		o.End = o.Start.AddYears(4).AddDays(-1)
	}
	if o.Bands == nil {
		o.Bands = WorkedExample
	}
	if o.BasisBand == 0 {
		o.BasisBand = min(3, len(o.Bands))
	}
	if o.Sexes == nil {
		o.Sexes = []string{"MALE", "FEMALE"}
	}
	var pcc *string
	if o.PCCArea != "" {
		pcc = &o.PCCArea
	}
	now := time.Now().UTC()
	exec(t, db, `INSERT INTO contracts (id, reference, contract_type_code, region_code, pcc_area_code, prime_supplier_id, sexes, min_age,
			accepts_community, accepts_licence, accepts_pre_release, start_date, end_date, effective_end_date, referral_window_opens,
			referral_window_closes, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 18, true, true, true, ?, ?, ?, ?, ?, ?, ?)`,
		id, o.Reference, o.Type, o.Region, pcc, o.Prime, pq.StringArray(o.Sexes), o.Start, o.End, o.End, o.Start, o.End, now, now)
	for n, start := 1, o.Start; !start.After(o.End); n, start = n+1, o.Start.AddYears(n) {
		for i, b := range o.Bands {
			exec(t, db, `INSERT INTO contract_bands (contract_id, year_number, band_number, low, high, annual_price_pence) VALUES (?, ?, ?, ?, ?, ?)`,
				id, n, i+1, b.Low, b.High, int64(b.Price))
		}
		exec(t, db, `INSERT INTO contract_basis_bands (id, contract_id, year_number, band_number, effective_from, reason, changed_at)
			VALUES (?, ?, ?, ?, ?, 'baseline', now())`, ids.New(), id, n, o.BasisBand, start)
	}
	return id
}

// ReferralOpts describe a batch of sent referrals.
type ReferralOpts struct {
	// SentOn is the sent date of every referral of the batch.
	SentOn calendar.Date
	// Count is how many to insert (default 1).
	Count int
	// Category and Complexity are each referral's one service category (default ACCOMMODATION, MEDIUM).
	Category, Complexity string
	// Withdrawn with a reason code; Counted is then the reason's counts_towards_volume.
	WithdrawalReason string
	// Draft inserts drafts instead (never counted).
	Draft bool
	// Practitioner defaults to a new practitioner user of the contract's region.
	Practitioner uuid.UUID
}

// Referrals inserts a batch of referrals of the contract with one INSERT ... SELECT.
func Referrals(t TB, db *gorm.DB, contractID uuid.UUID, o ReferralOpts) {
	t.Helper()
	if o.Count == 0 {
		o.Count = 1
	}
	if o.Category == "" {
		o.Category = "ACCOMMODATION"
	}
	if o.Complexity == "" {
		o.Complexity = "MEDIUM"
	}
	if o.Practitioner == uuid.Nil {
		o.Practitioner = Practitioner(t, db, "J")
	}
	status, sentOn := "SENT", &o.SentOn
	if o.Draft {
		status, sentOn = "DRAFT", nil
	}
	var reason *string
	if o.WithdrawalReason != "" {
		reason = &o.WithdrawalReason
		status = "CONCLUDED"
	}
	ctx := context.Background()
	// factory_referral_seq comes with the test template (dbtest): the application's role creates nothing.
	var last int64
	if err := db.WithContext(ctx).Raw(`SELECT setval('factory_referral_seq', nextval('factory_referral_seq') + ? - 1)`, o.Count).Scan(&last).Error; err != nil {
		t.Fatalf("factory referrals: %v", err)
	}
	first := last - int64(o.Count) + 1
	err := db.WithContext(ctx).Exec(`
		WITH c AS (SELECT id, region_code, contract_type_code FROM contracts WHERE id = ?),
		ins AS (
			INSERT INTO referrals (id, reference, contract_id, region_code, practitioner_id, status, end_state, crn, counted, sent_at, sent_on,
				withdrawal_reason_code, withdrawn_at, concluded_at, created_at, updated_at)
			SELECT gen_random_uuid(),
				CASE WHEN ?::date IS NULL THEN NULL ELSE
					substr('ABCDEFGHJKLMNPQRSTUVWXYZ', ((n / 10000) % 24)::int + 1, 1) || substr('ABCDEFGHJKLMNPQRSTUVWXYZ', ((n / 240000) % 24)::int + 1, 1)
					|| lpad((n % 10000)::text, 4, '0') || left(c.contract_type_code, 2) END,
				c.id, c.region_code, ?, ?, CASE WHEN ?::text IS NULL THEN NULL ELSE 'CANCELLED' END,
				'X' || lpad((n % 1000000)::text, 6, '0'),
				?::date IS NOT NULL AND coalesce((SELECT counts_towards_volume FROM withdrawal_reasons WHERE code = ?), true),
				?::date + time '12:00', ?::date, ?, CASE WHEN ?::text IS NULL THEN NULL ELSE now() END,
				CASE WHEN ?::text IS NULL THEN NULL ELSE now() END, now(), now()
			FROM c, generate_series(?::bigint, ?::bigint) AS n
			RETURNING id)
		INSERT INTO referral_service_categories (referral_id, service_category_code, complexity_level)
		SELECT id, ?, ? FROM ins`,
		contractID, sentOn, o.Practitioner, status, reason, sentOn, reason, sentOn, sentOn, reason, reason, reason, first, last,
		o.Category, o.Complexity).Error
	if err != nil {
		t.Fatalf("factory referrals: %v", err)
	}
}

// Practitioner inserts a practitioner user of the region and returns its id.
func Practitioner(t TB, db *gorm.DB, region string) uuid.UUID {
	t.Helper()
	id := ids.New()
	exec(t, db, `INSERT INTO users (id, email, display_name, password_hash, role, regions, created_at, updated_at)
		VALUES (?, ?, 'Factory practitioner', 'x', 'practitioner', ?, now(), now())`, id, "pp-"+id.String()+"@example.org", pq.StringArray{region})
	return id
}

// BulkReferrals inserts total sent referrals spread evenly over the contracts and over the days from
// first to last, each with one service category of its contract type (the first) and a complexity
// level cycling LOW, MEDIUM, HIGH; one in fifty is withdrawn as ineligible and does not count. It is
// one statement, for benchmarks with a million referrals.
func BulkReferrals(t TB, db *gorm.DB, contractIDs []uuid.UUID, total int, first, last calendar.Date) {
	t.Helper()
	// factory_referral_seq comes with the test template (dbtest): the application's role creates nothing.
	var end int64
	if err := db.Raw(`SELECT setval('factory_referral_seq', nextval('factory_referral_seq') + ? - 1)`, total).Scan(&end).Error; err != nil {
		t.Fatalf("factory bulk referrals: %v", err)
	}
	start := end - int64(total) + 1
	practitioner := Practitioner(t, db, "J")
	idStrings := make(pq.StringArray, len(contractIDs))
	for i, id := range contractIDs {
		idStrings[i] = id.String()
	}
	days := calendar.DaysBetweenInclusive(first, last)
	exec(t, db, `
		WITH c AS (
			SELECT id, region_code, contract_type_code, (row_number() OVER (ORDER BY id) - 1)::int AS i,
			       (SELECT service_category_code FROM contract_type_categories k WHERE k.contract_type_code = contracts.contract_type_code ORDER BY position LIMIT 1) AS category
			FROM contracts WHERE id = ANY(?::uuid[])),
		ins AS (
			INSERT INTO referrals (id, reference, contract_id, region_code, practitioner_id, status, end_state, crn, counted, sent_at, sent_on,
				withdrawal_reason_code, withdrawn_at, concluded_at, created_at, updated_at)
			SELECT gen_random_uuid(),
				substr('ABCDEFGHJKLMNPQRSTUVWXYZ', ((g / 10000) % 24)::int + 1, 1) || substr('ABCDEFGHJKLMNPQRSTUVWXYZ', ((g / 240000) % 24)::int + 1, 1)
					|| lpad((g % 10000)::text, 4, '0') || left(c.contract_type_code, 2),
				c.id, c.region_code, ?, CASE WHEN g % 50 = 0 THEN 'CONCLUDED' ELSE 'SENT' END, CASE WHEN g % 50 = 0 THEN 'CANCELLED' END,
				'X' || lpad((g % 1000000)::text, 6, '0'), g % 50 <> 0,
				(?::date + ((g / ?) % ?)::int) + time '10:00', ?::date + ((g / ?) % ?)::int,
				CASE WHEN g % 50 = 0 THEN 'INE' END, CASE WHEN g % 50 = 0 THEN now() END, CASE WHEN g % 50 = 0 THEN now() END, now(), now()
			FROM generate_series(?::bigint, ?::bigint) AS g JOIN c ON c.i = (g % ?)::int
			RETURNING id, contract_id, counted)
		INSERT INTO referral_service_categories (referral_id, service_category_code, complexity_level)
		SELECT ins.id, c.category, (ARRAY['LOW', 'MEDIUM', 'HIGH'])[1 + (abs(hashtext(ins.id::text)) % 3)]
		FROM ins JOIN c ON c.id = ins.contract_id`,
		idStrings, practitioner, first, len(contractIDs), days, first, len(contractIDs), days, start, end, len(contractIDs))
	exec(t, db, `ANALYZE referrals`)
	exec(t, db, `ANALYZE referral_service_categories`)
}
