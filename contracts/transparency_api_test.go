package contracts_test

import (
	"encoding/csv"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/httpserver"
)

const transparencyBase = httpserver.APIPrefix + "/transparency"

type transparencyPageJSON struct {
	AsOf       string                                   `json:"as_of"`
	Items      []contracts.TransparencyContractResponse `json:"items"`
	NextCursor *string                                  `json:"next_cursor"`
}

// setBands replaces a contract year's band table with one band per price (each 100 referrals wide)
// and sets the basis band.
func (b *testBundle) setBands(id uuid.UUID, year string, basis int, prices ...int64) {
	b.env.T.Helper()
	bands := make([]map[string]any, len(prices))
	for i, p := range prices {
		bands[i] = map[string]any{"number": i + 1, "low": i * 100, "high": i*100 + 99, "annual_price_pence": p}
	}
	b.send(http.MethodPut, contractPath(id, "/years/", year, "/bands"), b.admin.Token, map[string]any{"bands": bands, "basis_band": basis},
		b.version(id)).Expect(http.StatusOK)
}

// version reads a contract's current version.
func (b *testBundle) version(id uuid.UUID) int {
	b.env.T.Helper()
	var c contracts.ContractResponse
	b.env.Get(b.admin.Token, contractPath(id)).Expect(http.StatusOK).JSON(&c)
	return c.Version
}

// transparencyFixture is a set of contracts with known values on the test clock's day (2025-06-15);
// every contract of the test database is one of these.
type transparencyFixture struct {
	london       contracts.ContractResponse // J, VCSE prime, basis £460,000.00, two subcontractors (a third removed)
	kent         contracts.ContractResponse // PCC kent (K), SME prime, basis changed to £540,000.00 from 2025-06-01
	londonLarge  contracts.ContractResponse // J, LARGE prime (suspended since), £123,456.78
	endedK       contracts.ContractResponse // K, ended 2024-12-31, VCSE prime, last year £333,333.33
	unpricedL    contracts.ContractResponse // L, VCSE prime, no bands
	pending      contracts.ContractResponse // J, starts 2025-07-01: not published
	vcse, vcse2  uuid.UUID
	sme, large   uuid.UUID
	subSME       uuid.UUID
	subLarge     uuid.UUID
	pendingPrime uuid.UUID
	// values are the annual values published, in pence, by contract id (none for unpricedL).
	values map[uuid.UUID]int64
}

func newTransparencyFixture(b *testBundle) transparencyFixture {
	var f transparencyFixture
	f.vcse = b.supplier(supplierOpts{Name: "Northern Lights Trust"})
	f.vcse2 = b.supplier(supplierOpts{Name: "Harbour Housing Trust"})
	f.sme = b.supplier(supplierOpts{Name: "Kent Skills Ltd", Type: "SME"})
	f.large = b.supplier(supplierOpts{Name: "=Big Services plc", Type: "LARGE"})
	f.subSME = b.supplier(supplierOpts{Name: "Small Steps Ltd", Type: "SME"})
	f.subLarge = b.supplier(supplierOpts{Name: "National Care Group plc", Type: "LARGE"})
	f.pendingPrime = b.supplier(supplierOpts{Name: "Future Provider plc", Type: "LARGE"})
	gone := b.supplier(supplierOpts{Name: "Gone Away CIC"})

	f.london = b.create(set("reference", "PUB-01-J"), set("prime_supplier_id", f.vcse.String()), set("subcontractor_ids", []string{f.subSME.String(), f.subLarge.String(), gone.String()}))
	b.setBands(f.london.ID, "2", 3, 30000000, 38000000, 46000000, 54000000)
	b.act(http.MethodDelete, b.admin.Token, contractPath(f.london.ID, "/subcontractors/", gone.String()),
		map[string]any{"reason": "left the supply chain"}).Expect(http.StatusOK)

	f.kent = b.create(set("reference", "PUB-02-KENT"), set("region_code", nil), set("pcc_area_code", "kent"), set("contract_type_code", "ETE"),
		set("prime_supplier_id", f.sme.String()))
	b.setBands(f.kent.ID, "2", 2, 30000000, 38000000, 46000000, 54000000)
	for _, change := range []map[string]any{
		{"band_number": 4, "reason": "volumes running high", "effective_from": "2025-06-01"},
		{"band_number": 1, "reason": "planned reduction", "effective_from": "2025-07-01"}, // not yet in force
	} {
		b.act(http.MethodPost, b.admin.Token, contractPath(f.kent.ID, "/years/2/basis-band"), change).Expect(http.StatusCreated)
	}

	f.londonLarge = b.create(set("reference", "PUB-03-J-LARGE"), set("contract_type_code", "PWB"), set("prime_supplier_id", f.large.String()))
	b.setBands(f.londonLarge.ID, "2", 1, 12345678)
	if err := b.env.DB.Gorm.Exec(`UPDATE suppliers SET status = 'suspended' WHERE id = ?`, f.large).Error; err != nil {
		b.env.T.Fatalf("suspend: %v", err)
	}

	f.endedK = b.create(set("reference", "PUB-04-K-ENDED"), set("region_code", "K"), set("start_date", "2023-01-01"), set("end_date", "2024-12-31"),
		set("prime_supplier_id", f.vcse2.String()))
	b.setBands(f.endedK.ID, "1", 1, 11111111)
	b.setBands(f.endedK.ID, "2", 1, 33333333)

	f.unpricedL = b.create(set("reference", "PUB-05-L"), set("region_code", "L"), set("prime_supplier_id", f.vcse.String()))

	f.pending = b.create(set("reference", "PUB-06-PENDING"), set("start_date", "2025-07-01"), set("end_date", "2026-06-30"),
		set("prime_supplier_id", f.pendingPrime.String()))
	b.setBands(f.pending.ID, "1", 1, 99999999)

	f.values = map[uuid.UUID]int64{f.london.ID: 46000000, f.kent.ID: 54000000, f.londonLarge.ID: 12345678, f.endedK.ID: 33333333}
	return f
}

func TestTransparencyContracts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := newTransparencyFixture(b)
	published := contractIDs(f.london, f.kent, f.londonLarge, f.endedK, f.unpricedL)

	list := func(t *testing.T, query string) transparencyPageJSON {
		t.Helper()
		var p transparencyPageJSON
		b.with(t).env.Get("", transparencyBase+"/contracts?"+query).Expect(http.StatusOK).JSON(&p)
		return p
	}
	ids := func(p transparencyPageJSON) []uuid.UUID {
		out := []uuid.UUID{}
		for _, c := range p.Items {
			out = append(out, c.ID)
		}
		return out
	}

	t.Run("anyone sees live and ended contracts, not pending ones, with their value today", func(t *testing.T) {
		t.Parallel()
		p := list(t, "")
		if got := ids(p); !slices.Equal(got, published) || p.AsOf != "2025-06-15" {
			t.Fatalf("published %v on %s, want %v", got, p.AsOf, published)
		}
		for _, c := range p.Items {
			want, priced := f.values[c.ID]
			if (c.AnnualValuePence != nil) != priced || (priced && *c.AnnualValuePence != want) {
				t.Errorf("%s: annual value %v, want %d (priced %v)", c.Reference, c.AnnualValuePence, want, priced)
			}
		}
		london, kent, large, ended := p.Items[0], p.Items[1], p.Items[2], p.Items[3]
		if london.Status != contracts.StateLive || london.ValueYear != 2 || london.ContractType.Name != "Accommodation" ||
			london.Area.Level != "region" || london.Area.RegionName != "London" || london.Prime.Name != "Northern Lights Trust" ||
			london.Prime.OrganisationType != "VCSE" || london.Prime.Status != "active" {
			t.Errorf("london = %+v", london)
		}
		wantChain := []string{"Small Steps Ltd SME active", "National Care Group plc LARGE active"}
		var chain []string
		for _, s := range london.SupplyChain {
			chain = append(chain, s.Name+" "+s.OrganisationType+" "+s.Status)
		}
		if !slices.Equal(chain, wantChain) {
			t.Errorf("supply chain %q, want %q (the removed subcontractor left out)", chain, wantChain)
		}
		if kent.Area.Level != "pcc" || kent.Area.RegionCode != "K" || *kent.Area.PCCAreaCode != "kent" || *kent.Area.PCCAreaName != "Kent" ||
			kent.Prime.Name != "Kent Skills Ltd" || kent.Prime.OrganisationType != "SME" {
			t.Errorf("kent = %+v", kent)
		}
		if large.Prime.Status != "suspended" || large.Prime.OrganisationType != "LARGE" {
			t.Errorf("a suspended prime shows %+v", large.Prime)
		}
		if ended.Status != contracts.StateEnded || ended.ValueYear != 2 || ended.EndDate.String() != "2024-12-31" {
			t.Errorf("ended = %+v", ended)
		}
	})

	t.Run("filters and pages", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		if got := ids(list(t, "status=ended")); !slices.Equal(got, contractIDs(f.endedK)) {
			t.Errorf("ended: %v", got)
		}
		if got := ids(list(t, "region=K")); !slices.Equal(got, contractIDs(f.kent, f.endedK)) {
			t.Errorf("region K: %v", got)
		}
		if got := ids(list(t, "contract_type=PWB&status=live")); !slices.Equal(got, contractIDs(f.londonLarge)) {
			t.Errorf("PWB: %v", got)
		}
		var seen []uuid.UUID
		query := "limit=2"
		for range 5 {
			p := list(t, query)
			seen = append(seen, ids(p)...)
			if p.NextCursor == nil {
				break
			}
			query = "limit=2&cursor=" + url.QueryEscape(*p.NextCursor)
		}
		if !slices.Equal(seen, published) {
			t.Errorf("pages gave %v, want %v", seen, published)
		}
		expectField(t, b.env.Get("", transparencyBase+"/contracts?status=pending"), "status", "invalid_status")
		expectField(t, b.env.Get("", transparencyBase+"/contracts?region=Z"), "region", "unknown_region")
		expectField(t, b.env.Get("", transparencyBase+"/contracts?contract_type=XYZ"), "contract_type", "unknown_contract_type")
	})

	t.Run("CSV has every contract whatever the page size, money in pounds", func(t *testing.T) {
		t.Parallel()
		rows := getCSV(t, b, transparencyBase+"/contracts?limit=1", "crs-contracts.csv")
		if len(rows) != 1+len(published) {
			t.Fatalf("%d rows, want a header and %d contracts", len(rows), len(published))
		}
		col := columns(t, rows[0], "reference", "area_level", "pcc_area", "status", "annual_value_gbp", "prime", "prime_status", "supply_chain")
		want := [][]string{
			{"PUB-01-J", "region", "", "live", "460000.00", "Northern Lights Trust", "active",
				"Small Steps Ltd (SME, active); National Care Group plc (LARGE, active)"},
			{"PUB-02-KENT", "pcc", "Kent", "live", "540000.00", "Kent Skills Ltd", "active", ""},
			{"PUB-03-J-LARGE", "region", "", "live", "123456.78", "'=Big Services plc", "suspended", ""},
			{"PUB-04-K-ENDED", "region", "", "ended", "333333.33", "Harbour Housing Trust", "active", ""},
			{"PUB-05-L", "region", "", "live", "", "Northern Lights Trust", "active", ""},
		}
		for i, w := range want {
			var got []string
			for _, c := range col {
				got = append(got, rows[i+1][c])
			}
			if !slices.Equal(got, w) {
				t.Errorf("row %d = %q, want %q", i+1, got, w)
			}
		}
	})
}

// getCSV fetches a CSV download without signing in, checks its headers and parses it.
func getCSV(t *testing.T, b *testBundle, path, filename string) [][]string {
	t.Helper()
	r := b.with(t).env.Do(apitest.Request{Method: http.MethodGet, Path: path, Headers: map[string]string{"Accept": "text/csv"}}).Expect(http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="`+filename+`"` {
		t.Errorf("content disposition %q", cd)
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v\n%s", err, r.Body)
	}
	return rows
}

// columns returns the indexes of the named columns in a header row.
func columns(t *testing.T, header []string, names ...string) []int {
	t.Helper()
	out := make([]int, len(names))
	for i, n := range names {
		if out[i] = slices.Index(header, n); out[i] < 0 {
			t.Fatalf("no column %q in %q", n, header)
		}
	}
	return out
}

// shareText computes a share independently of the code under test: exact rational arithmetic,
// rounded half up to two decimals of a percentage.
func shareText(part, total int64) string {
	if total == 0 {
		return "0.00"
	}
	r := new(big.Rat).SetFrac64(part*100, total)
	return r.FloatString(2) // FloatString rounds half away from zero, which is half up for shares
}

func TestTransparencySummary(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := newTransparencyFixture(b)

	// The expected figures, from the fixture's own prices.
	vcse := f.values[f.london.ID] + f.values[f.endedK.ID]
	sme := f.values[f.kent.ID]
	large := f.values[f.londonLarge.ID]
	total := vcse + sme + large

	var sum contracts.TransparencySummaryResponse
	b.env.Get("", transparencyBase+"/summary").Expect(http.StatusOK).JSON(&sum)

	t.Run("national: the VCSE share to the penny", func(t *testing.T) {
		t.Parallel()
		n := sum.National
		if sum.AsOf.String() != "2025-06-15" || n.Scope != "national" || n.RegionCode != nil {
			t.Errorf("as of %s, scope %s", sum.AsOf, n.Scope)
		}
		if n.TotalValuePence != total || n.Contracts != 5 || n.ContractsWithoutValue != 1 || n.PrimeProviders != 4 || n.VCSEPrimeProviders != 2 {
			t.Errorf("national = %+v; want total %d, 5 contracts (1 without value), 4 primes, 2 VCSE", n, total)
		}
		want := map[string][3]any{"VCSE": {vcse, shareText(vcse, total), 2}, "SME": {sme, shareText(sme, total), 1}, "LARGE": {large, shareText(large, total), 1}}
		if len(n.ByOrganisationType) != 3 || n.ByOrganisationType[0].OrganisationType != "VCSE" {
			t.Fatalf("by type = %+v", n.ByOrganisationType)
		}
		for _, tv := range n.ByOrganisationType {
			w := want[tv.OrganisationType]
			if tv.ValuePence != w[0].(int64) || tv.SharePercent != w[1].(string) || tv.PrimeProviders != w[2].(int) {
				t.Errorf("%s = %+v, want value %d, share %s, %d primes", tv.OrganisationType, tv, w[0], w[1], w[2])
			}
		}
		if got := n.ByOrganisationType[0].SharePercent; got != "54.46" {
			t.Errorf("VCSE share %s, want 54.46 (79,333,333 of 145,679,011 pence)", got)
		}
	})

	t.Run("per region, PCC-level contracts in their region, every region listed", func(t *testing.T) {
		t.Parallel()
		if len(sum.Regions) != 12 {
			t.Fatalf("%d regions, want 12", len(sum.Regions))
		}
		byCode := map[string]int{}
		for i, r := range sum.Regions {
			byCode[*r.RegionCode] = i
		}
		j, k, l, a := sum.Regions[byCode["J"]], sum.Regions[byCode["K"]], sum.Regions[byCode["L"]], sum.Regions[byCode["A"]]
		if j.TotalValuePence != 46000000+12345678 || j.ByOrganisationType[0].SharePercent != shareText(46000000, 46000000+12345678) ||
			j.PrimeProviders != 2 || j.VCSEPrimeProviders != 1 || j.Contracts != 2 || *j.RegionName != "London" {
			t.Errorf("J = %+v", j)
		}
		if k.TotalValuePence != 54000000+33333333 || k.ByOrganisationType[1].ValuePence != 54000000 || k.PrimeProviders != 2 || k.VCSEPrimeProviders != 1 {
			t.Errorf("K = %+v", k)
		}
		if l.TotalValuePence != 0 || l.Contracts != 1 || l.ContractsWithoutValue != 1 || l.ByOrganisationType[0].SharePercent != "0.00" {
			t.Errorf("L = %+v", l)
		}
		if a.Contracts != 0 || a.TotalValuePence != 0 || a.PrimeProviders != 0 {
			t.Errorf("A = %+v", a)
		}
	})

	t.Run("live only leaves the ended contract out", func(t *testing.T) {
		t.Parallel()
		var live contracts.TransparencySummaryResponse
		b.with(t).env.Get("", transparencyBase+"/summary?status=live").Expect(http.StatusOK).JSON(&live)
		if got, want := live.National.ByOrganisationType[0].ValuePence, f.values[f.london.ID]; got != want || live.National.Contracts != 4 {
			t.Errorf("live VCSE value %d over %d contracts, want %d over 4", got, live.National.Contracts, want)
		}
		expectField(t, b.with(t).env.Get("", transparencyBase+"/summary?status=pending"), "status", "invalid_status")
	})

	t.Run("CSV: a row per scope and organisation type", func(t *testing.T) {
		t.Parallel()
		rows := getCSV(t, b, transparencyBase+"/summary", "crs-contract-value-summary.csv")
		if len(rows) != 1+13*4 {
			t.Fatalf("%d rows, want a header and 4 for each of 13 scopes", len(rows))
		}
		if want := []string{"scope", "region_code", "region", "organisation_type", "value_gbp", "share_percent", "contracts", "prime_providers"}; !slices.Equal(rows[0], want) {
			t.Errorf("header %q", rows[0])
		}
		wantRows := [][]string{
			{"national", "", "", "VCSE", "793333.33", shareText(vcse, total), "3", "2"},
			{"national", "", "", "SME", "540000.00", shareText(sme, total), "1", "1"},
			{"national", "", "", "LARGE", "123456.78", shareText(large, total), "1", "1"},
			{"national", "", "", "ALL", "1456790.11", "100.00", "5", "4"},
		}
		for i, w := range wantRows {
			if !slices.Equal(rows[i+1], w) {
				t.Errorf("row %d = %q, want %q", i+1, rows[i+1], w)
			}
		}
		wantK := []string{"region", "K", "Kent, Surrey and Sussex", "SME", "540000.00", shareText(54000000, 54000000+33333333), "1", "1"}
		if !slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r, wantK) }) {
			t.Errorf("no row %q", wantK)
		}
	})
}
