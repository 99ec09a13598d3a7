package suppliers_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
)

func TestListSuppliers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alder := b.create(t, func(m map[string]any) {
		m["legal_name"] = "Alder Housing Association"
		m["qualifications"] = quals("ACCOMMODATION", "J", "ETE", "A")
	})
	birch := b.create(t, func(m map[string]any) {
		m["legal_name"] = "birch Employment Ltd"
		m["trading_name"] = "Birch Works"
		m["organisation_type"] = "SME"
		m["companies_house_number"] = "07654321"
		delete(m, "charity_number")
		m["qualifications"] = quals("ETE", "J")
	})
	cedar := b.create(t, func(m map[string]any) {
		m["legal_name"] = "Cedar 100% Recovery CIC"
		m["organisation_type"] = "LARGE"
		m["qualifications"] = quals("DEPENDENCY_AND_RECOVERY", "A")
	})
	damson := b.create(t, func(m map[string]any) {
		m["legal_name"] = "Damson Partners"
		m["organisation_type"] = "LARGE"
		m["qualifications"] = []any{}
	})
	b.changeStatus(b.admin.Token, cedar.ID, `"v1"`, map[string]any{"status": "suspended", "reason": "x"}).Expect(http.StatusOK)

	list := func(t *testing.T, token, query string) pageJSON {
		t.Helper()
		var p pageJSON
		b.env.Get(token, base+query).Expect(http.StatusOK).JSON(&p)
		return p
	}
	idsOf := func(p pageJSON) []uuid.UUID {
		out := []uuid.UUID{}
		for _, s := range p.Items {
			out = append(out, s.ID)
		}
		return out
	}

	t.Run("filters", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		cases := []struct {
			query string
			want  []uuid.UUID
		}{
			{"", []uuid.UUID{alder.ID, birch.ID, cedar.ID, damson.ID}},
			{"?status=suspended", []uuid.UUID{cedar.ID}},
			{"?status=active&organisation_type=LARGE", []uuid.UUID{damson.ID}},
			{"?organisation_type=SME", []uuid.UUID{birch.ID}},
			{"?region=J", []uuid.UUID{alder.ID, birch.ID}},
			{"?service_category=ETE", []uuid.UUID{alder.ID, birch.ID}},
			{"?region=J&service_category=ETE", []uuid.UUID{birch.ID}},
			{"?region=a&service_category=ete", []uuid.UUID{alder.ID}},
			{"?q=works", []uuid.UUID{birch.ID}},
			{"?q=HOUSING", []uuid.UUID{alder.ID}},
			{"?q=" + url.QueryEscape("100%"), []uuid.UUID{cedar.ID}},
			{"?q=" + url.QueryEscape("%"), []uuid.UUID{cedar.ID}},
			{"?q=" + url.QueryEscape("_"), []uuid.UUID{}},
		}
		for _, tc := range cases {
			if got := idsOf(list(t, b.admin.Token, tc.query)); !slices.Equal(got, tc.want) {
				t.Errorf("%q: %v, want %v", tc.query, got, tc.want)
			}
		}
	})

	t.Run("pages follow the legal name, ignoring case", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		first := list(t, b.admin.Token, "?limit=3")
		if got := idsOf(first); !slices.Equal(got, []uuid.UUID{alder.ID, birch.ID, cedar.ID}) || first.NextCursor == nil {
			t.Fatalf("first page %v, cursor %v", got, first.NextCursor)
		}
		if len(first.Items[0].Qualifications) != 2 || first.Items[0].Contacts != nil {
			t.Errorf("list item %+v: want qualifications and no contacts", first.Items[0])
		}
		second := list(t, b.admin.Token, "?limit=3&cursor="+url.QueryEscape(*first.NextCursor))
		if got := idsOf(second); !slices.Equal(got, []uuid.UUID{damson.ID}) || second.NextCursor != nil {
			t.Fatalf("second page %v, cursor %v", got, second.NextCursor)
		}
	})

	t.Run("bad parameters name the parameter", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		for query, code := range map[string]string{
			"?status=paused":              "invalid_status",
			"?organisation_type=PUBLIC":   "invalid_organisation_type",
			"?organisation_type=large":    "invalid_organisation_type",
			"?region=Z":                   "unknown_region",
			"?service_category=NOTHING":   "unknown_service_category",
			"?limit=0":                    "invalid_limit",
			"?cursor=not-a-cursor-at-all": "invalid_cursor",
		} {
			b.env.Get(b.admin.Token, base+query).ExpectProblem(http.StatusBadRequest, code)
		}
	})

	t.Run("a commissioner lists every supplier", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.env.NewUser(actor.RoleCommissioner, apitest.UserOpts{Regions: []string{"B"}})
		if got := idsOf(list(t, c.Token, "")); len(got) != 4 {
			t.Fatalf("commissioner sees %v", got)
		}
	})

	t.Run("a supplier user lists only their own organisation", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		u := b.supplierUser(birch.ID)
		if got := idsOf(list(t, u.Token, "")); !slices.Equal(got, []uuid.UUID{birch.ID}) {
			t.Fatalf("supplier user sees %v", got)
		}
		if got := idsOf(list(t, u.Token, "?region=A")); len(got) != 0 {
			t.Fatalf("supplier user filtering elsewhere sees %v", got)
		}
	})

	t.Run("a practitioner may not list suppliers", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		p := b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{})
		b.env.Get(p.Token, base).ExpectProblem(http.StatusForbidden, "role_not_allowed")
	})
}
