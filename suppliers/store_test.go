package suppliers_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/suppliers"
)

func TestSummaries(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	charity := b.create(t, func(m map[string]any) { m["legal_name"] = "Willow Trust"; m["trading_name"] = "Willow" })
	company := b.create(t, func(m map[string]any) {
		m["legal_name"] = "Hazel Services Ltd"
		m["organisation_type"] = "LARGE"
		m["companies_house_number"] = "09876543"
		delete(m, "charity_number")
	})
	unknown := ids.New()

	got, err := suppliers.Summaries(ctx, b.env.DB.Gorm, []uuid.UUID{charity.ID, company.ID, unknown})
	if err != nil {
		t.Fatal(err)
	}
	want := map[uuid.UUID]suppliers.Summary{
		charity.ID: {ID: charity.ID, LegalName: "Willow Trust", TradingName: "Willow", OrganisationType: suppliers.TypeVCSE, Status: suppliers.StatusActive},
		company.ID: {ID: company.ID, LegalName: "Hazel Services Ltd", OrganisationType: suppliers.TypeLarge, Status: suppliers.StatusActive},
	}
	if len(got) != len(want) || got[charity.ID] != want[charity.ID] || got[company.ID] != want[company.ID] {
		t.Fatalf("Summaries = %+v, want %+v", got, want)
	}

	none, err := suppliers.Summaries(ctx, b.env.DB.Gorm, nil)
	if err != nil || none == nil || len(none) != 0 {
		t.Fatalf("Summaries(nil) = %v, %v; want an empty map", none, err)
	}
}

func TestMissingQualifications(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	s := b.create(t, func(m map[string]any) {
		m["qualifications"] = quals("ACCOMMODATION", "J", "ETE", "A", "SOCIAL_INCLUSION", "J")
	})

	cases := []struct {
		name       string
		supplier   uuid.UUID
		region     string
		categories []string
		want       []string
	}{
		{"qualified for all", s.ID, "J", []string{"SOCIAL_INCLUSION", "ACCOMMODATION"}, []string{}},
		{"missing ones in the given order", s.ID, "J", []string{"FINANCE_BENEFIT_AND_DEBT", "ACCOMMODATION", "ETE"}, []string{"FINANCE_BENEFIT_AND_DEBT", "ETE"}},
		{"qualified elsewhere only", s.ID, "A", []string{"ACCOMMODATION", "ETE"}, []string{"ACCOMMODATION"}},
		{"a category given twice is returned once", s.ID, "B", []string{"ETE", "ETE"}, []string{"ETE"}},
		{"unknown supplier lacks everything", ids.New(), "J", []string{"ACCOMMODATION"}, []string{"ACCOMMODATION"}},
		{"no categories", s.ID, "J", nil, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := suppliers.MissingQualifications(ctx, b.env.DB.Gorm, tc.supplier, tc.region, tc.categories)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || !slices.Equal(got, tc.want) {
				t.Fatalf("MissingQualifications = %#v, want %#v", got, tc.want)
			}
		})
	}
}
