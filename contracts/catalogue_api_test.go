package contracts_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/ids"
)

const catalogueBase = httpserver.APIPrefix + "/catalogue"

type cataloguePageJSON struct {
	Date       string                             `json:"date"`
	Items      []contracts.CatalogueEntryResponse `json:"items"`
	NextCursor *string                            `json:"next_cursor"`
}

type catalogueEntryJSON struct {
	Date string `json:"date"`
	contracts.CatalogueEntryResponse
}

// catalogueFixture is a small national catalogue, made once per test database. On the test clock's
// day (2025-06-15) four contracts are open for referral; the others are pending, ended, or outside
// their referral window.
type catalogueFixture struct {
	kentRegion  contracts.ContractResponse // region K, ACC, everyone, every setting
	kent        contracts.ContractResponse // PCC kent, ETE, men 25 to 50, community only, prime "Aardvark Employment Ltd"
	surrey      contracts.ContractResponse // PCC surrey, PWB, everyone
	london      contracts.ContractResponse // region J, WOS, women, licence and pre-release
	pending     contracts.ContractResponse // region K, starts 2025-07-01
	ended       contracts.ContractResponse // region K, 2023-01-01 to 2024-12-31
	windowShut  contracts.ContractResponse // region K, live, window closed 2025-05-31
	windowLater contracts.ContractResponse // region K, live, window opens 2025-07-01
	aardvark    uuid.UUID
	sub         uuid.UUID // an SME subcontractor of kent
}

func newCatalogueFixture(b *testBundle) catalogueFixture {
	var f catalogueFixture
	f.aardvark = b.supplier(supplierOpts{Name: "Aardvark Employment Ltd", Type: "SME"})
	f.sub = b.supplier(supplierOpts{Name: "Bright Futures Training Ltd", Type: "SME"})
	f.kentRegion = b.create(set("reference", "CAT-04-K"), set("region_code", "K"))
	f.kent = b.create(set("reference", "CAT-03-KENT"), set("region_code", nil), set("pcc_area_code", "kent"),
		set("contract_type_code", "ETE"), set("prime_supplier_id", f.aardvark.String()),
		set("subcontractor_ids", []string{f.sub.String()}), set("description", "Help into paid employment in Kent."),
		set("eligibility", map[string]any{"sexes": []string{"MALE"}, "min_age": 25, "max_age": 50, "settings": []string{"COMMUNITY"}}))
	f.surrey = b.create(set("reference", "CAT-01-SURREY"), set("region_code", nil), set("pcc_area_code", "surrey"),
		set("contract_type_code", "PWB"))
	f.london = b.create(set("reference", "CAT-02-J"), set("contract_type_code", "WOS"),
		set("eligibility", map[string]any{"sexes": []string{"FEMALE"}, "settings": []string{"LICENCE", "PRE_RELEASE"}}))
	f.pending = b.create(set("reference", "CAT-05-PENDING"), set("region_code", "K"), set("start_date", "2025-07-01"), set("end_date", "2026-06-30"))
	f.ended = b.create(set("reference", "CAT-06-ENDED"), set("region_code", "K"), set("start_date", "2023-01-01"), set("end_date", "2024-12-31"))
	f.windowShut = b.create(set("reference", "CAT-07-SHUT"), set("region_code", "K"), set("referral_window_closes", "2025-05-31"))
	f.windowLater = b.create(set("reference", "CAT-08-LATER"), set("region_code", "K"), set("referral_window_opens", "2025-07-01"))
	return f
}

func searchCatalogue(t *testing.T, b *testBundle, token, query string) cataloguePageJSON {
	t.Helper()
	var p cataloguePageJSON
	b.with(t).env.Get(token, catalogueBase+"?"+query).Expect(http.StatusOK).JSON(&p)
	return p
}

func entryIDs(p cataloguePageJSON) []uuid.UUID {
	out := []uuid.UUID{}
	for _, e := range p.Items {
		out = append(out, e.ID)
	}
	return out
}

func contractIDs(cs ...contracts.ContractResponse) []uuid.UUID {
	out := []uuid.UUID{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestCatalogueSearch(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := newCatalogueFixture(b)
	pp := b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{Regions: []string{"A"}})

	// By reference: CAT-01-SURREY, CAT-02-J, CAT-03-KENT, CAT-04-K, then the others.
	cases := []struct {
		name  string
		query string
		want  []contracts.ContractResponse
	}{
		{"everything open today, by reference", "", []contracts.ContractResponse{f.surrey, f.london, f.kent, f.kentRegion}},
		{"a PCC area: its own contracts and its region's, none from elsewhere", "pcc_area=kent", []contracts.ContractResponse{f.kent, f.kentRegion}},
		{"another PCC area of the same region", "pcc_area=surrey", []contracts.ContractResponse{f.surrey, f.kentRegion}},
		{"a PCC area covered only by a region-level contract", "pcc_area=metropolitan", []contracts.ContractResponse{f.london}},
		{"a PCC area with nothing open", "pcc_area=durham", nil},
		{"women", "sex=FEMALE", []contracts.ContractResponse{f.surrey, f.london, f.kentRegion}},
		{"men", "sex=MALE", []contracts.ContractResponse{f.surrey, f.kent, f.kentRegion}},
		{"below a minimum age", "age=24", []contracts.ContractResponse{f.surrey, f.london, f.kentRegion}},
		{"at the minimum age", "age=25", []contracts.ContractResponse{f.surrey, f.london, f.kent, f.kentRegion}},
		{"at the maximum age", "age=50", []contracts.ContractResponse{f.surrey, f.london, f.kent, f.kentRegion}},
		{"above a maximum age", "age=51", []contracts.ContractResponse{f.surrey, f.london, f.kentRegion}},
		{"community sentences", "setting=COMMUNITY", []contracts.ContractResponse{f.surrey, f.kent, f.kentRegion}},
		{"pre-release", "setting=PRE_RELEASE", []contracts.ContractResponse{f.surrey, f.london, f.kentRegion}},
		{"a category offered by two contract types", "service_category=ACCOMMODATION", []contracts.ContractResponse{f.london, f.kentRegion}},
		{"a category of personal wellbeing and women's services", "service_category=SOCIAL_INCLUSION", []contracts.ContractResponse{f.surrey, f.london}},
		{"a contract type", "contract_type=ETE", []contracts.ContractResponse{f.kent}},
		{"filters combine", "pcc_area=kent&sex=FEMALE", []contracts.ContractResponse{f.kentRegion}},
		{"text in the reference, ignoring case", "q=cat-02", []contracts.ContractResponse{f.london}},
		{"text in the description", "q=paid+employment", []contracts.ContractResponse{f.kent}},
		{"text in the prime's name", "q=aardvark", []contracts.ContractResponse{f.kent}},
		{"text in the contract type's name", "q=women", []contracts.ContractResponse{f.london}},
		{"pattern characters are plain text", "q=" + url.QueryEscape("%"), nil},
		{"a later date: the pending contract and the later window open", "date=2025-07-15&pcc_area=kent",
			[]contracts.ContractResponse{f.kent, f.kentRegion, f.pending, f.windowLater}},
		{"an earlier date: the shut window was open", "date=2025-05-01&pcc_area=kent",
			[]contracts.ContractResponse{f.kent, f.kentRegion, f.windowShut}},
		{"a date when the ended contract was live", "date=2024-03-01", []contracts.ContractResponse{f.ended}},
		{"a date outside every window", "date=2030-01-01", nil},
		{"by prime, then reference", "sort=prime", []contracts.ContractResponse{f.kent, f.surrey, f.london, f.kentRegion}},
		{"by contract type name, then reference", "sort=contract_type", []contracts.ContractResponse{f.kentRegion, f.kent, f.surrey, f.london}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := entryIDs(searchCatalogue(t, b, pp.Token, tc.query))
			if want := contractIDs(tc.want...); !slices.Equal(got, want) {
				t.Errorf("%s gave %v, want %v", tc.query, got, want)
			}
		})
	}

	t.Run("an entry shows what a practitioner needs", func(t *testing.T) {
		t.Parallel()
		p := searchCatalogue(t, b, pp.Token, "pcc_area=kent&contract_type=ETE")
		if p.Date != "2025-06-15" || len(p.Items) != 1 {
			t.Fatalf("page = %+v", p)
		}
		e := p.Items[0]
		if e.Reference != "CAT-03-KENT" || e.ContractType.Code != "ETE" || e.ContractType.Name != "Education, Training and Employment" {
			t.Errorf("reference and type = %s %+v", e.Reference, e.ContractType)
		}
		if len(e.ServiceCategories) != 1 || e.ServiceCategories[0].Code != "ETE" || e.ServiceCategories[0].Name != "Education, Training and Employment" {
			t.Errorf("categories = %+v", e.ServiceCategories)
		}
		a := e.Area
		if a.Level != "pcc" || a.RegionCode != "K" || a.RegionName != "Kent, Surrey and Sussex" || a.PCCAreaCode == nil || *a.PCCAreaCode != "kent" ||
			a.PCCAreaName == nil || *a.PCCAreaName != "Kent" {
			t.Errorf("area = %+v", a)
		}
		if e.Prime.ID != f.aardvark || e.Prime.Name != "Aardvark Employment Ltd" || e.Prime.OrganisationType != "SME" {
			t.Errorf("prime = %+v", e.Prime)
		}
		if len(e.Subcontractors) != 1 || e.Subcontractors[0].ID != f.sub || e.Subcontractors[0].Name != "Bright Futures Training Ltd" ||
			e.Subcontractors[0].OrganisationType != "SME" {
			t.Errorf("subcontractors = %+v", e.Subcontractors)
		}
		el := e.Eligibility
		if !slices.Equal(el.Sexes, []contracts.Sex{"MALE"}) || el.MinAge != 25 || el.MaxAge == nil || *el.MaxAge != 50 ||
			!slices.Equal(el.Settings, []contracts.Setting{"COMMUNITY"}) {
			t.Errorf("eligibility = %+v", el)
		}
		if e.ReferralWindow.Opens.String() != "2024-04-01" || e.ReferralWindow.Closes.String() != "2027-03-31" {
			t.Errorf("window = %+v", e.ReferralWindow)
		}
		if e.Description == nil || *e.Description != "Help into paid employment in Kent." || !e.OpenForReferral {
			t.Errorf("description %v, open %v", e.Description, e.OpenForReferral)
		}
		region := searchCatalogue(t, b, pp.Token, "contract_type=ACC").Items[0].Area
		if region.Level != "region" || region.RegionCode != "K" || region.PCCAreaCode != nil || region.PCCAreaName != nil {
			t.Errorf("region-level area = %+v", region)
		}
	})

	t.Run("pages follow the cursor in every order", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		for _, sort := range []string{"reference", "prime", "contract_type"} {
			all := entryIDs(searchCatalogue(t, b, pp.Token, "date=2025-07-15&sort="+sort))
			if len(all) != 6 {
				t.Fatalf("%s: %d contracts open on 2025-07-15, want 6", sort, len(all))
			}
			var seen []uuid.UUID
			query := "date=2025-07-15&limit=2&sort=" + sort
			for range 10 {
				p := searchCatalogue(t, b, pp.Token, query)
				seen = append(seen, entryIDs(p)...)
				if p.NextCursor == nil {
					break
				}
				query = "date=2025-07-15&limit=2&sort=" + sort + "&cursor=" + url.QueryEscape(*p.NextCursor)
			}
			if !slices.Equal(seen, all) {
				t.Errorf("%s: pages gave %v, want %v", sort, seen, all)
			}
		}
		first := searchCatalogue(t, b, pp.Token, "limit=1&sort=prime")
		expectField(t, b.env.Get(pp.Token, catalogueBase+"?sort=reference&cursor="+url.QueryEscape(*first.NextCursor)), "cursor", "invalid_cursor")
	})

	t.Run("bad filters are refused with a code per field", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		for query, want := range map[string][2]string{
			"pcc_area=atlantis":         {"pcc_area", "unknown_pcc_area"},
			"service_category=KNITTING": {"service_category", "unknown_service_category"},
			"contract_type=XYZ":         {"contract_type", "unknown_contract_type"},
			"sex=male":                  {"sex", "invalid_sex"},
			"age=twenty":                {"age", "invalid_age"},
			"age=-1":                    {"age", "invalid_age"},
			"age=400":                   {"age", "invalid_age"},
			"setting=custody":           {"setting", "invalid_setting"},
			"date=2025-02-30":           {"date", "invalid_date"},
			"date=15/06/2025":           {"date", "invalid_date"},
			"sort=price":                {"sort", "invalid_sort"},
			"cursor=zzz":                {"cursor", "invalid_cursor"},
			"limit=0":                   {"limit", "invalid_limit"},
		} {
			expectField(t, b.env.Get(pp.Token, catalogueBase+"?"+query), want[0], want[1])
		}
		p := b.env.Get(pp.Token, catalogueBase+"?pcc_area=atlantis&sex=X&setting=Y&contract_type=Z").ExpectProblem(http.StatusBadRequest, "")
		if len(p.Errors) != 4 {
			t.Errorf("want every bad filter reported at once, got %+v", p.Errors)
		}
	})

	t.Run("every signed-in role may search; nobody else", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		for _, tok := range []string{pp.Token, b.admin.Token, b.commissioner("A").Token, b.supplierUser(f.sub).Token} {
			if got := entryIDs(searchCatalogue(t, b, tok, "")); len(got) != 4 {
				t.Errorf("a signed-in user sees %d contracts, want the 4 open nationally", len(got))
			}
		}
		b.env.Get("", catalogueBase).ExpectProblem(http.StatusUnauthorized, "")
		b.env.Get("", catalogueBase+"/"+f.kent.ID.String()).ExpectProblem(http.StatusUnauthorized, "")
	})
}

func TestCatalogueEntry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	pending := b.create(set("reference", "ENTRY-PENDING"), set("start_date", "2025-07-01"), set("end_date", "2026-06-30"))
	pp := b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{})
	path := catalogueBase + "/" + pending.ID.String()

	t.Run("a contract not open today is shown, flagged", func(t *testing.T) {
		t.Parallel()
		var e catalogueEntryJSON
		b.with(t).env.Get(pp.Token, path).Expect(http.StatusOK).JSON(&e)
		if e.ID != pending.ID || e.Reference != "ENTRY-PENDING" || e.OpenForReferral || e.Date != "2025-06-15" {
			t.Errorf("entry = %+v", e)
		}
	})

	t.Run("on a date inside its window it is open", func(t *testing.T) {
		t.Parallel()
		var e catalogueEntryJSON
		b.with(t).env.Get(pp.Token, path+"?date=2025-07-01").Expect(http.StatusOK).JSON(&e)
		if !e.OpenForReferral || e.Date != "2025-07-01" {
			t.Errorf("entry = %+v", e)
		}
	})

	t.Run("an unknown or malformed id is not found; a bad date is refused", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		b.env.Get(pp.Token, catalogueBase+"/"+ids.New().String()).ExpectProblem(http.StatusNotFound, "not_found")
		b.env.Get(pp.Token, catalogueBase+"/nope").ExpectProblem(http.StatusNotFound, "not_found")
		expectField(t, b.env.Get(pp.Token, path+"?date=tomorrow"), "date", "invalid_date")
	})
}

func TestCatalogueAndTransparencyRoutesAreDocumented(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]any `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	b.env.Get("", "/openapi.json").Expect(http.StatusOK).JSON(&doc)
	for _, p := range []string{"/catalogue", "/catalogue/{id}", "/transparency/contracts", "/transparency/summary"} {
		op, ok := doc.Paths[httpserver.APIPrefix+p]["get"]
		if !ok {
			t.Errorf("GET %s is not documented", p)
			continue
		}
		_, csv := op.Responses["200"].Content["text/csv"]
		if want := strings.HasPrefix(p, "/transparency"); csv != want {
			t.Errorf("GET %s documents text/csv: %v, want %v", p, csv, want)
		}
	}
}
