package suppliers_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/ids"
)

func TestRoutesAreDocumented(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, r := range [][2]string{
		{http.MethodPost, "/suppliers"}, {http.MethodGet, "/suppliers"}, {http.MethodGet, "/suppliers/{id}"},
		{http.MethodPatch, "/suppliers/{id}"}, {http.MethodPost, "/suppliers/{id}/status"},
	} {
		if !b.env.Server.Doc.Has(r[0], httpserver.APIPrefix+r[1]) {
			t.Errorf("%s %s is not in the OpenAPI document", r[0], r[1])
		}
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	b.env.Get("", "/openapi.json").Expect(http.StatusOK).JSON(&doc)
	props := doc.Components.Schemas["SupplierResponse"].Properties
	for _, name := range []string{"id", "legal_name", "address", "qualifications", "contacts", "status_history", "version"} {
		if _, ok := props[name]; !ok {
			t.Errorf("the documented supplier lacks %s: %v", name, props)
		}
	}
}

func TestCreateSupplier(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("admin creates an active supplier, normalised, with Location and ETag", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		res := b.env.Post(b.admin.Token, base, supplierBody(func(m map[string]any) {
			m["legal_name"] = "  Oakfield   Housing Trust "
			m["trading_name"] = "Oakfield"
			m["companies_house_number"] = " sc123456 "
			m["qualifications"] = quals("ETE", "a", "ACCOMMODATION", "J")
		})).Expect(http.StatusCreated)
		var s supplierJSON
		res.JSON(&s)
		if got, want := res.Header.Get("Location"), base+"/"+s.ID.String(); got != want {
			t.Errorf("Location %q, want %q", got, want)
		}
		if got := res.Header.Get("ETag"); got != `"v1"` {
			t.Errorf("ETag %q, want \"v1\"", got)
		}
		if s.LegalName != "Oakfield Housing Trust" || *s.TradingName != "Oakfield" || s.OrganisationType != "VCSE" ||
			*s.CompaniesHouseNumber != "SC123456" || s.Address.Postcode != "LS1 4AP" || s.Address.Line2 != nil ||
			s.Status != "active" || s.StatusReason != nil || s.StatusEffective != nil || s.Version != 1 {
			t.Errorf("created %+v", s)
		}
		if len(s.Contacts) != 1 || s.Contacts[0].Email != "contracts@example.org" || *s.Contacts[0].Phone != "0113 496 0000" {
			t.Errorf("contacts %+v", s.Contacts)
		}
		want := []qualificationJSON{{"ETE", "A"}, {"ACCOMMODATION", "J"}}
		if !slices.Equal(s.Qualifications, want) {
			t.Errorf("qualifications %+v, want %+v", s.Qualifications, want)
		}
		if len(s.StatusHistory) != 0 {
			t.Errorf("status history %+v, want none", s.StatusHistory)
		}
		events := b.auditActions(t, s.ID)
		if got := actionsOf(events); !slices.Equal(got, []string{"supplier.created"}) {
			t.Fatalf("audit actions %q", got)
		}
		if events[0].ActorID == nil || *events[0].ActorID != b.admin.ID {
			t.Errorf("audit actor %v, want the admin", events[0].ActorID)
		}
	})

	t.Run("a repeated Idempotency-Key replays the first answer and creates once", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		body := supplierBody()
		send := func() *apitest.Response {
			return b.env.Do(apitest.Request{Method: http.MethodPost, Path: base, Token: b.admin.Token, Body: body,
				Headers: map[string]string{httpserver.IdempotencyHeader: "create-" + body["legal_name"].(string)}})
		}
		var first, second supplierJSON
		send().Expect(http.StatusCreated).JSON(&first)
		res := send().Expect(http.StatusCreated)
		res.JSON(&second)
		if res.Header.Get("Idempotent-Replayed") != "true" || second.ID != first.ID {
			t.Fatalf("replay %s (header %q), want the first answer %s", second.ID, res.Header.Get("Idempotent-Replayed"), first.ID)
		}
		var p pageJSON
		b.env.Get(b.admin.Token, base+"?q="+url.QueryEscape(body["legal_name"].(string))).Expect(http.StatusOK).JSON(&p)
		if len(p.Items) != 1 {
			t.Fatalf("%d suppliers with the name, want 1", len(p.Items))
		}
	})

	t.Run("only admins create", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		own := b.create(t)
		for _, u := range []apitest.User{
			b.env.NewUser(actor.RoleCommissioner, apitest.UserOpts{}),
			b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{}),
			b.supplierUser(own.ID),
		} {
			b.env.Post(u.Token, base, supplierBody()).ExpectProblem(http.StatusForbidden, "role_not_allowed")
		}
		b.env.Post("", base, supplierBody()).ExpectProblem(http.StatusUnauthorized, "unauthenticated")
	})
}

func TestCreateSupplierValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := []struct {
		name  string
		edit  func(map[string]any)
		field string
		code  string
	}{
		{"legal name missing", func(m map[string]any) { delete(m, "legal_name") }, "legal_name", "required"},
		{"organisation type unknown", func(m map[string]any) { m["organisation_type"] = "PUBLIC" }, "organisation_type", "invalid_organisation_type"},
		{"companies house number malformed", func(m map[string]any) { m["companies_house_number"] = "12345" }, "companies_house_number", "invalid_companies_house_number"},
		{"charity number malformed", func(m map[string]any) { m["charity_number"] = "CC-1" }, "charity_number", "invalid_charity_number"},
		{"neither number", func(m map[string]any) { delete(m, "charity_number") }, "companies_house_number", "registration_required"},
		{"town missing", func(m map[string]any) { delete(m["address"].(map[string]any), "town") }, "address.town", "required"},
		{"postcode malformed", func(m map[string]any) { m["address"].(map[string]any)["postcode"] = "LS1" }, "address.postcode", "invalid_postcode"},
		{"no contact", func(m map[string]any) { m["contacts"] = []any{} }, "contacts", "required"},
		{"contact email malformed", func(m map[string]any) {
			m["contacts"] = []any{map[string]any{"name": "Bids", "email": "bids.example.org"}}
		}, "contacts[0].email", "invalid_email"},
		{"contact phone malformed", func(m map[string]any) {
			m["contacts"] = []any{map[string]any{"name": "Bids", "email": "bids@example.org", "phone": "123"}}
		}, "contacts[0].phone", "invalid_phone"},
		{"unknown service category", func(m map[string]any) { m["qualifications"] = quals("GARDENING", "J") }, "qualifications[0].service_category", "unknown_service_category"},
		{"unknown region", func(m map[string]any) { m["qualifications"] = quals("ETE", "Z") }, "qualifications[0].region", "unknown_region"},
		{"duplicate qualification", func(m map[string]any) { m["qualifications"] = quals("ETE", "J", "ETE", "J") }, "qualifications[1]", "duplicate_qualification"},
		{"unknown field", func(m map[string]any) { m["status"] = "removed" }, "status", "unknown_field"},
		{"wrong type", func(m map[string]any) { m["contacts"] = "everyone" }, "contacts", "invalid_type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := b.with(t)
			p := b.env.Post(b.admin.Token, base, supplierBody(tc.edit)).ExpectProblem(http.StatusBadRequest, tc.code)
			if !apitest.HasFieldError(p, tc.field, tc.code) {
				t.Fatalf("no %s error on %s: %+v", tc.code, tc.field, p.Errors)
			}
		})
	}

	t.Run("nothing is created by a refused request", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		body := supplierBody(func(m map[string]any) { m["organisation_type"] = "PUBLIC" })
		b.env.Post(b.admin.Token, base, body).Expect(http.StatusBadRequest)
		var p pageJSON
		b.env.Get(b.admin.Token, base+"?q="+url.QueryEscape(body["legal_name"].(string))).Expect(http.StatusOK).JSON(&p)
		if len(p.Items) != 0 {
			t.Fatalf("refused supplier was stored: %+v", p.Items)
		}
	})
}

func TestCreateSupplierTaken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	first := b.create(t, func(m map[string]any) {
		m["legal_name"] = "Harbour Lights CIC"
		m["companies_house_number"] = "01234567"
		m["charity_number"] = "SC012345"
	})
	cases := []struct {
		name  string
		edit  func(map[string]any)
		field string
		code  string
	}{
		{"legal name in another case", func(m map[string]any) { m["legal_name"] = "HARBOUR lights cic" }, "legal_name", "legal_name_taken"},
		{"companies house number", func(m map[string]any) { m["companies_house_number"] = "01234567" }, "companies_house_number", "companies_house_number_taken"},
		{"charity number, normalised", func(m map[string]any) { m["charity_number"] = "sc012345" }, "charity_number", "charity_number_taken"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := b.with(t)
			p := b.env.Post(b.admin.Token, base, supplierBody(tc.edit)).ExpectProblem(http.StatusConflict, tc.code)
			if !apitest.HasFieldError(p, tc.field, tc.code) {
				t.Fatalf("no %s error on %s: %+v", tc.code, tc.field, p.Errors)
			}
		})
	}
	if got := actionsOf(b.auditActions(t, first.ID)); !slices.Equal(got, []string{"supplier.created"}) {
		t.Fatalf("audit actions %q", got)
	}
}

func TestGetSupplier(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mine := b.create(t)
	other := b.create(t)
	path := base + "/" + mine.ID.String()

	t.Run("admin reads contacts, qualifications and history with an ETag", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		res := b.env.Get(b.admin.Token, path).Expect(http.StatusOK)
		var s supplierJSON
		res.JSON(&s)
		if res.Header.Get("ETag") != `"v1"` || s.ID != mine.ID || len(s.Contacts) != 1 || len(s.Qualifications) != 1 || s.StatusHistory == nil {
			t.Fatalf("read %+v (ETag %q)", s, res.Header.Get("ETag"))
		}
	})
	t.Run("a commissioner of any region reads any supplier", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		c := b.env.NewUser(actor.RoleCommissioner, apitest.UserOpts{Regions: []string{"A"}})
		b.env.Get(c.Token, path).Expect(http.StatusOK)
	})
	t.Run("a supplier user reads their own organisation only", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		u := b.supplierUser(mine.ID)
		b.env.Get(u.Token, path).Expect(http.StatusOK)
		b.env.Get(u.Token, base+"/"+other.ID.String()).ExpectProblem(http.StatusNotFound, "not_found")
		b.env.Get(u.Token, base+"/"+ids.New().String()).ExpectProblem(http.StatusNotFound, "not_found")
	})
	t.Run("a practitioner may not read suppliers", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		p := b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{})
		b.env.Get(p.Token, path).ExpectProblem(http.StatusForbidden, "role_not_allowed")
	})
	t.Run("unknown and malformed ids are not found", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		b.env.Get(b.admin.Token, base+"/"+ids.New().String()).ExpectProblem(http.StatusNotFound, "not_found")
		b.env.Get(b.admin.Token, base+"/not-an-id").ExpectProblem(http.StatusNotFound, "not_found")
	})
}

func TestUpdateSupplier(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("admin changes some fields and replaces the lists", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		s := b.create(t, func(m map[string]any) {
			m["trading_name"] = "Riverside"
			m["address"].(map[string]any)["line2"] = "Unit 4"
			m["qualifications"] = quals("ACCOMMODATION", "J", "ETE", "J")
		})
		res := b.patch(b.admin.Token, s.ID, `"v1"`, map[string]any{
			"trading_name":           "",
			"organisation_type":      "sme",
			"companies_house_number": "OC301234",
			"address":                map[string]any{"postcode": "bd1 1aa", "town": "Bradford"},
			"contacts":               []any{map[string]any{"name": "Finance", "email": "finance@example.org"}, map[string]any{"name": "Bids", "email": "bids@example.org"}},
			"qualifications":         quals("ETE", "J", "ETE", "B"),
		}).Expect(http.StatusOK)
		var got supplierJSON
		res.JSON(&got)
		if res.Header.Get("ETag") != `"v2"` || got.Version != 2 {
			t.Errorf("ETag %q, version %d; want v2", res.Header.Get("ETag"), got.Version)
		}
		if got.LegalName != s.LegalName || got.TradingName != nil || got.OrganisationType != "SME" || *got.CompaniesHouseNumber != "OC301234" ||
			*got.CharityNumber != *s.CharityNumber || got.Address.Line1 != "1 Mill Lane" || *got.Address.Line2 != "Unit 4" ||
			got.Address.Town != "Bradford" || got.Address.Postcode != "BD1 1AA" {
			t.Errorf("updated %+v", got)
		}
		if len(got.Contacts) != 2 || got.Contacts[0].Name != "Finance" || got.Contacts[1].Name != "Bids" {
			t.Errorf("contacts %+v", got.Contacts)
		}
		if want := []qualificationJSON{{"ETE", "B"}, {"ETE", "J"}}; !slices.Equal(got.Qualifications, want) {
			t.Errorf("qualifications %+v, want %+v", got.Qualifications, want)
		}
		var read supplierJSON
		b.env.Get(b.admin.Token, base+"/"+s.ID.String()).Expect(http.StatusOK).JSON(&read)
		if read.Version != 2 || len(read.Contacts) != 2 || len(read.Qualifications) != 2 {
			t.Errorf("read back %+v", read)
		}
		events := b.auditActions(t, s.ID)
		if got := actionsOf(events); !slices.Equal(got, []string{"supplier.created", "supplier.updated"}) {
			t.Fatalf("audit actions %q", got)
		}
		if len(events[1].Before) == 0 || len(events[1].After) == 0 {
			t.Errorf("update audit lacks before or after: %+v", events[1])
		}
	})

	t.Run("If-Match is required and must be current", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		s := b.create(t)
		body := map[string]any{"trading_name": "New name"}
		b.patch(b.admin.Token, s.ID, "", body).ExpectProblem(http.StatusPreconditionRequired, "if_match_required")
		b.patch(b.admin.Token, s.ID, `"v1"`, body).Expect(http.StatusOK)
		b.patch(b.admin.Token, s.ID, `"v1"`, body).ExpectProblem(http.StatusPreconditionFailed, "version_mismatch")
		b.patch(b.admin.Token, s.ID, `"garbage"`, body).ExpectProblem(http.StatusPreconditionFailed, "version_mismatch")
	})

	t.Run("the whole supplier must stay valid", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		s := b.create(t) // a charity without a company number
		cases := []struct {
			body        map[string]any
			field, code string
		}{
			{map[string]any{"charity_number": ""}, "charity_number", "registration_required"},
			{map[string]any{"legal_name": " "}, "legal_name", "required"},
			{map[string]any{"address": map[string]any{"postcode": "nowhere"}}, "address.postcode", "invalid_postcode"},
			{map[string]any{"contacts": []any{}}, "contacts", "required"},
			{map[string]any{"qualifications": quals("ETE", "M")}, "qualifications[0].region", "unknown_region"},
			{map[string]any{"version": 7}, "version", "unknown_field"},
		}
		for _, tc := range cases {
			p := b.patch(b.admin.Token, s.ID, `"v1"`, tc.body).ExpectProblem(http.StatusBadRequest, tc.code)
			if !apitest.HasFieldError(p, tc.field, tc.code) {
				t.Errorf("body %v: no %s on %s: %+v", tc.body, tc.code, tc.field, p.Errors)
			}
		}
		var read supplierJSON
		b.env.Get(b.admin.Token, base+"/"+s.ID.String()).Expect(http.StatusOK).JSON(&read)
		if read.Version != 1 {
			t.Fatalf("refused updates changed the supplier: version %d", read.Version)
		}
	})

	t.Run("an update that changes nothing keeps the version", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		s := b.create(t)
		res := b.patch(b.admin.Token, s.ID, `"v1"`, map[string]any{"legal_name": " " + s.LegalName + " ", "contacts": []any{
			map[string]any{"name": "Contracts team", "email": "contracts@example.org", "phone": "0113  496 0000", "role": "bids"},
		}}).Expect(http.StatusOK)
		if res.Header.Get("ETag") != `"v1"` {
			t.Fatalf("ETag %q, want \"v1\"", res.Header.Get("ETag"))
		}
		if got := actionsOf(b.auditActions(t, s.ID)); !slices.Equal(got, []string{"supplier.created"}) {
			t.Fatalf("audit actions %q", got)
		}
	})

	t.Run("another supplier's legal name is taken", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		first, second := b.create(t), b.create(t)
		b.patch(b.admin.Token, second.ID, `"v1"`, map[string]any{"legal_name": first.LegalName}).
			ExpectProblem(http.StatusConflict, "legal_name_taken")
	})

	t.Run("unknown supplier is not found", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		b.patch(b.admin.Token, ids.New(), `"v1"`, map[string]any{"trading_name": "x"}).ExpectProblem(http.StatusNotFound, "not_found")
	})

	t.Run("only admins update", func(t *testing.T) {
		t.Parallel()
		b := b.with(t)
		s := b.create(t)
		for _, u := range []apitest.User{
			b.env.NewUser(actor.RoleCommissioner, apitest.UserOpts{}),
			b.env.NewUser(actor.RolePractitioner, apitest.UserOpts{}),
			b.supplierUser(s.ID),
		} {
			b.patch(u.Token, s.ID, `"v1"`, map[string]any{"trading_name": "x"}).ExpectProblem(http.StatusForbidden, "role_not_allowed")
		}
	})
}

func TestUpdateKeepsQualificationDates(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := b.create(t, func(m map[string]any) { m["qualifications"] = quals("ETE", "J", "ACCOMMODATION", "J") })
	later := testNow.Add(30 * time.Minute)
	b.env.Now = func() time.Time { return later }
	b.patch(b.admin.Token, s.ID, `"v1"`, map[string]any{"qualifications": quals("ETE", "J", "ETE", "A")}).Expect(http.StatusOK)
	var rows []struct {
		Region    string
		CreatedAt time.Time
	}
	err := b.env.DB.Gorm.Raw(`SELECT region_code AS region, created_at FROM supplier_qualifications
		WHERE supplier_id = ? ORDER BY region_code, service_category_code`, s.ID).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Region != "A" || !rows[0].CreatedAt.Equal(later) || rows[1].Region != "J" || !rows[1].CreatedAt.Equal(testNow) {
		t.Fatalf("qualifications %+v: want ETE in A from %v and ETE in J kept from %v", rows, later, testNow)
	}
}
