package contracts_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/internal/reference"
	"github.com/crsplatform/crs/suppliers"
)

func TestShareBP(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		part, total money.Pence
		want        int
		text        string
	}{
		{"two thirds rounds up", 2, 3, 6667, "66.67"},
		{"one third rounds down", 1, 3, 3333, "33.33"},
		{"exact", 1, 8, 1250, "12.50"},
		{"half a basis point rounds up", 1, 20000, 1, "0.01"},
		{"just under half rounds down", 1, 20001, 0, "0.00"},
		{"all of it", 65_000_000_00, 65_000_000_00, 10000, "100.00"},
		{"nothing of something", 0, 100, 0, "0.00"},
		{"nothing of nothing", 0, 0, 0, "0.00"},
		{"the real service's first day, about two thirds", 43_333_333_33, 65_000_000_00, 6667, "66.67"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := contracts.ShareBP(tc.part, tc.total)
			if got != tc.want || contracts.ShareText(got) != tc.text {
				t.Errorf("ShareBP(%d, %d) = %d (%s), want %d (%s)", tc.part, tc.total, got, contracts.ShareText(got), tc.want, tc.text)
			}
		})
	}
}

func TestPoundsText(t *testing.T) {
	t.Parallel()
	for p, want := range map[money.Pence]string{0: "0.00", 5: "0.05", 100: "1.00", 123456: "1234.56", 46000000: "460000.00", -5: "-0.05", -160000_00: "-160000.00"} {
		if got := contracts.PoundsText(p); got != want {
			t.Errorf("PoundsText(%d) = %q, want %q", p, got, want)
		}
	}
}

func TestSummarise(t *testing.T) {
	t.Parallel()
	pence := func(p money.Pence) *money.Pence { return &p }
	vcse := suppliers.Summary{ID: uuid.New(), OrganisationType: suppliers.TypeVCSE}
	vcse2 := suppliers.Summary{ID: uuid.New(), OrganisationType: suppliers.TypeVCSE}
	sme := suppliers.Summary{ID: uuid.New(), OrganisationType: suppliers.TypeSME}
	contract := func(region string, prime suppliers.Summary, value *money.Pence) contracts.ValuedContract {
		return contracts.ValuedContract{RegionCode: region, PrimeID: prime.ID, PrimeType: prime.OrganisationType, AnnualValue: value}
	}
	regions := []reference.Region{{Code: "A", Name: "North East"}, {Code: "B", Name: "North West"}}
	asOf := calendar.NewDate(2025, 6, 15)
	got := contracts.Summarise(asOf, regions, []contracts.ValuedContract{
		contract("A", vcse, pence(200)),
		contract("A", vcse, pence(100)), // the same prime twice counts once
		contract("A", sme, pence(150)),
		contract("A", vcse2, nil), // no value yet: counted, adds nothing
	})
	n := got.National
	if got.AsOf != asOf || n.Total != 450 || n.Contracts != 4 || n.ContractsWithoutValue != 1 || n.Primes != 3 || n.VCSEPrimes != 2 {
		t.Errorf("national = %+v", n)
	}
	v, s, l := n.TypeValueOf(suppliers.TypeVCSE), n.TypeValueOf(suppliers.TypeSME), n.TypeValueOf(suppliers.TypeLarge)
	if v.Value != 300 || v.ShareBP != 6667 || v.Contracts != 3 || v.Primes != 2 {
		t.Errorf("VCSE = %+v", v)
	}
	if s.Value != 150 || s.ShareBP != 3333 || s.Primes != 1 || l.Value != 0 || l.ShareBP != 0 || l.Contracts != 0 {
		t.Errorf("SME = %+v, LARGE = %+v", s, l)
	}
	if len(got.Regions) != 2 || got.Regions[0].Total != 450 || got.Regions[0].RegionName != "North East" {
		t.Errorf("regions = %+v", got.Regions)
	}
	if b := got.Regions[1]; b.RegionCode != "B" || b.Total != 0 || b.Contracts != 0 || len(b.ByType) != 3 {
		t.Errorf("an empty region = %+v", b)
	}
}

func TestParseCatalogueFilters(t *testing.T) {
	t.Parallel()
	if s, err := contracts.ParseCatalogueSort(""); err != nil || s != contracts.SortReference {
		t.Errorf("the default sort = %q, %v", s, err)
	}
	for _, tc := range []struct {
		err         error
		field, code string
	}{
		{second(contracts.ParseCatalogueSort("price")), "sort", "invalid_sort"},
		{second(contracts.ParseSex("female")), "sex", "invalid_sex"},
		{second(contracts.ParseSetting("prison")), "setting", "invalid_setting"},
	} {
		e, ok := apperr.As(tc.err)
		if !ok || len(e.Fields) != 1 || e.Fields[0].Field != tc.field || e.Fields[0].Code != tc.code {
			t.Errorf("error %v, want %s %s", tc.err, tc.field, tc.code)
		}
	}
	if s, err := contracts.ParseSetting("PRE_RELEASE"); err != nil || s != contracts.SettingPreRelease {
		t.Errorf("ParseSetting = %q, %v", s, err)
	}
}

func second[T any](_ T, err error) error { return err }
