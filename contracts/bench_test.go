package contracts_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
)

// benchContracts is the number of contracts the benchmarks search: a national catalogue many times
// the size of the real one (about 112), to show the queries keep to their indexes and pages.
const benchContracts = 5000

// benchSetup makes a database with benchContracts contracts spread over every PCC area and region,
// every contract type and a mix of eligibility and dates, each with a supply chain of two and a band
// table in the year running on the test clock's day.
func benchSetup(b *testing.B) *apitest.Env {
	b.Helper()
	env := apitest.New(b)
	env.Now = func() time.Time { return testNow }
	svc := contracts.NewService(env.DB.Gorm, contracts.Config{Reference: env.Ref, Now: func() time.Time { return env.Now() }})
	contracts.Register(env.Server.API, contracts.NewHandler(svc))
	err := env.DB.Gorm.Exec(`
		INSERT INTO suppliers (id, legal_name, organisation_type, charity_number, address_line1, town, postcode, status, version, created_at, updated_at)
		SELECT gen_random_uuid(), 'Bench Supplier ' || i, (ARRAY['VCSE', 'SME', 'LARGE'])[1 + i % 3], lpad(i::text, 7, '0'),
			'1 Mill Lane', 'Leeds', 'LS1 4AP', 'active', 1, now(), now()
		FROM generate_series(1, 200) i`).Error
	if err != nil {
		b.Fatalf("suppliers: %v", err)
	}
	err = env.DB.Gorm.Exec(`
		WITH s AS (SELECT id, row_number() OVER (ORDER BY legal_name) AS n FROM suppliers),
		     p AS (SELECT code, region_code, row_number() OVER (ORDER BY code) AS n FROM pcc_areas),
		     t AS (SELECT code, row_number() OVER (ORDER BY code) AS n FROM contract_types),
		     g AS (SELECT i, (DATE '2022-04-01' + (i % 1400)) AS start FROM generate_series(1, ?) i)
		INSERT INTO contracts (id, reference, contract_type_code, region_code, pcc_area_code, prime_supplier_id, sexes, min_age, max_age,
			accepts_community, accepts_licence, accepts_pre_release, start_date, end_date, effective_end_date,
			referral_window_opens, referral_window_closes, description, version, created_at, updated_at)
		SELECT gen_random_uuid(), 'BENCH-' || lpad(g.i::text, 5, '0'), t.code, p.region_code,
			CASE WHEN g.i % 3 = 0 THEN p.code END, s.id,
			CASE g.i % 4 WHEN 0 THEN ARRAY['FEMALE'] WHEN 1 THEN ARRAY['MALE'] ELSE ARRAY['MALE', 'FEMALE'] END,
			18 + g.i % 10, CASE WHEN g.i % 5 = 0 THEN 65 END, g.i % 2 = 0, true, g.i % 3 <> 1,
			g.start, g.start + 1094, g.start + 1094, g.start, g.start + 1000, 'Support number ' || g.i, 1, now(), now()
		FROM g
		JOIN p ON p.n = 1 + g.i % 42
		JOIN t ON t.n = 1 + g.i % 6
		JOIN s ON s.n = 1 + g.i % 200`, benchContracts).Error
	if err != nil {
		b.Fatalf("contracts: %v", err)
	}
	err = env.DB.Gorm.Exec(`
		INSERT INTO contract_subcontractors (id, contract_id, supplier_id, added_on)
		SELECT gen_random_uuid(), c.id, s.id, c.start_date
		FROM contracts c JOIN LATERAL (SELECT id FROM suppliers WHERE id <> c.prime_supplier_id
			ORDER BY md5(c.id::text || suppliers.id::text) LIMIT 2) s ON true`).Error
	if err != nil {
		b.Fatalf("supply chains: %v", err)
	}
	// Year numbers from the start date: good enough for a benchmark, whatever 29 February does.
	err = env.DB.Gorm.Exec(`
		WITH y AS (SELECT id, 1 + (DATE '2025-06-15' - start_date) / 365 AS n, start_date FROM contracts WHERE start_date <= DATE '2025-06-15')
		INSERT INTO contract_bands (contract_id, year_number, band_number, low, high, annual_price_pence)
		SELECT y.id, y.n, b, (b - 1) * 200 + CASE WHEN b > 1 THEN 1 ELSE 0 END, b * 200, 30000000 + b * 8000000
		FROM y CROSS JOIN generate_series(1, 4) b`).Error
	if err != nil {
		b.Fatalf("bands: %v", err)
	}
	err = env.DB.Gorm.Exec(`
		INSERT INTO contract_basis_bands (id, contract_id, year_number, band_number, effective_from, reason, changed_at)
		SELECT DISTINCT ON (contract_id, year_number) gen_random_uuid(), contract_id, year_number, 3, DATE '2020-01-01', 'bench', now()
		FROM contract_bands ORDER BY contract_id, year_number`).Error
	if err != nil {
		b.Fatalf("basis bands: %v", err)
	}
	if err := env.DB.Gorm.Exec(`ANALYZE`).Error; err != nil {
		b.Fatalf("analyze: %v", err)
	}
	return env
}

func BenchmarkCatalogue(b *testing.B) {
	env := benchSetup(b)
	pp := env.NewUser(actor.RolePractitioner, apitest.UserOpts{})
	for _, q := range []string{
		"",
		"pcc_area=kent&sex=FEMALE&age=30&setting=COMMUNITY",
		"service_category=ACCOMMODATION&sort=prime",
		"q=support+number+42&sort=contract_type",
	} {
		name := q
		if name == "" {
			name = "no filters"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				env.Get(pp.Token, catalogueBase+"?"+q).Expect(http.StatusOK)
			}
		})
	}
}

func BenchmarkTransparency(b *testing.B) {
	env := benchSetup(b)
	for _, path := range []string{"/contracts", "/summary"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				env.Get("", transparencyBase+path).Expect(http.StatusOK)
			}
		})
	}
	b.Run("/contracts CSV", func(b *testing.B) {
		for b.Loop() {
			env.Do(apitest.Request{Method: http.MethodGet, Path: transparencyBase + "/contracts", Headers: map[string]string{"Accept": "text/csv"}}).
				Expect(http.StatusOK)
		}
	})
}
