package suppliers_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/suppliers"
)

// testNow is the clock every test runs at: a Tuesday.
var testNow = time.Date(2026, time.March, 10, 12, 0, 0, 0, time.UTC)

const base = httpserver.APIPrefix + "/suppliers"

type testBundle struct {
	env   *apitest.Env
	admin apitest.User
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	env := apitest.New(t)
	env.Now = func() time.Time { return testNow }
	suppliers.Register(env.Server.API, suppliers.NewHandler(suppliers.NewService(env.DB.Gorm, env.Ref, func() time.Time { return env.Now() })))
	return &testBundle{env: env, admin: env.Admin()}
}

// with returns the bundle with its environment reporting failures to t, for use in a subtest.
func (b *testBundle) with(t *testing.T) *testBundle {
	env := *b.env
	env.T = t
	return &testBundle{env: &env, admin: b.admin}
}

// supplierJSON is a supplier as the API answers it.
type supplierJSON struct {
	ID                   uuid.UUID `json:"id"`
	LegalName            string    `json:"legal_name"`
	TradingName          *string   `json:"trading_name"`
	OrganisationType     string    `json:"organisation_type"`
	CompaniesHouseNumber *string   `json:"companies_house_number"`
	CharityNumber        *string   `json:"charity_number"`
	Address              struct {
		Line1    string  `json:"line1"`
		Line2    *string `json:"line2"`
		Town     string  `json:"town"`
		Postcode string  `json:"postcode"`
	} `json:"address"`
	Status          string  `json:"status"`
	StatusReason    *string `json:"status_reason"`
	StatusEffective *string `json:"status_effective"`
	Contacts        []struct {
		Name  string  `json:"name"`
		Email string  `json:"email"`
		Phone *string `json:"phone"`
		Role  *string `json:"role"`
	} `json:"contacts"`
	Qualifications []qualificationJSON `json:"qualifications"`
	StatusHistory  []struct {
		FromStatus    string     `json:"from_status"`
		ToStatus      string     `json:"to_status"`
		Reason        string     `json:"reason"`
		EffectiveDate string     `json:"effective_date"`
		ChangedBy     *uuid.UUID `json:"changed_by"`
	} `json:"status_history"`
	Version int `json:"version"`
}

type qualificationJSON struct {
	ServiceCategory string `json:"service_category"`
	Region          string `json:"region"`
}

type pageJSON struct {
	Items      []supplierJSON `json:"items"`
	NextCursor *string        `json:"next_cursor"`
}

var seq atomic.Int64

// supplierBody returns a valid create request, unique by a sequence number, with the edits applied.
func supplierBody(edits ...func(map[string]any)) map[string]any {
	n := seq.Add(1)
	body := map[string]any{
		"legal_name":        fmt.Sprintf("Riverside Support Trust %d", n),
		"organisation_type": "VCSE",
		"charity_number":    fmt.Sprintf("1%06d", n),
		"address":           map[string]any{"line1": "1 Mill Lane", "town": "Leeds", "postcode": "ls1 4ap"},
		"contacts": []any{
			map[string]any{"name": "Contracts team", "email": "Contracts@Example.org", "phone": "0113 496 0000", "role": "bids"},
		},
		"qualifications": []any{map[string]any{"service_category": "ACCOMMODATION", "region": "J"}},
	}
	for _, edit := range edits {
		edit(body)
	}
	return body
}

func quals(pairs ...string) []any {
	out := []any{}
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, map[string]any{"service_category": pairs[i], "region": pairs[i+1]})
	}
	return out
}

// create makes a supplier as the admin and returns it.
func (b *testBundle) create(t *testing.T, edits ...func(map[string]any)) supplierJSON {
	t.Helper()
	var s supplierJSON
	b.env.Post(b.admin.Token, base, supplierBody(edits...)).Expect(http.StatusCreated).JSON(&s)
	return s
}

// supplierUser makes a user of the supplier.
func (b *testBundle) supplierUser(id uuid.UUID) apitest.User {
	return b.env.NewUser(actor.RoleSupplier, apitest.UserOpts{SupplierID: id})
}

func (b *testBundle) patch(token string, id uuid.UUID, ifMatch string, body any) *apitest.Response {
	return b.env.Do(apitest.Request{Method: http.MethodPatch, Path: base + "/" + id.String(), Token: token, Body: body,
		Headers: ifMatchHeader(ifMatch)})
}

func (b *testBundle) changeStatus(token string, id uuid.UUID, ifMatch string, body any) *apitest.Response {
	return b.env.Do(apitest.Request{Method: http.MethodPost, Path: base + "/" + id.String() + "/status", Token: token, Body: body,
		Headers: ifMatchHeader(ifMatch)})
}

func ifMatchHeader(v string) map[string]string {
	if v == "" {
		return nil
	}
	return map[string]string{"If-Match": v}
}

// auditActions returns the audit actions recorded for a supplier, oldest first.
func (b *testBundle) auditActions(t *testing.T, id uuid.UUID) []audit.Event {
	t.Helper()
	var p struct {
		Items []audit.Event `json:"items"`
	}
	b.env.Get(b.admin.Token, httpserver.APIPrefix+"/audit?entity_type=supplier&entity_id="+id.String()).Expect(http.StatusOK).JSON(&p)
	return p.Items
}

func actionsOf(events []audit.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Action
	}
	return out
}
