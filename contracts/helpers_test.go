package contracts_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apitest"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/ids"
)

// testNow is the clock every test starts at: inside contract year 2 of the default contract.
var testNow = time.Date(2025, time.June, 15, 12, 0, 0, 0, time.UTC)

const base = httpserver.APIPrefix + "/contracts"

type testBundle struct {
	env   *apitest.Env
	admin apitest.User
	// prime is an active supplier qualified for every category in every region.
	prime uuid.UUID
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	env := apitest.New(t)
	env.Now = func() time.Time { return testNow }
	svc := contracts.NewService(env.DB.Gorm, contracts.Config{Reference: env.Ref, Now: func() time.Time { return env.Now() }})
	contracts.Register(env.Server.API, contracts.NewHandler(svc))
	b := &testBundle{env: env, admin: env.Admin()}
	b.prime = b.supplier(supplierOpts{})
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

var seq atomic.Int64

// supplierOpts override the supplier factory's defaults: active, VCSE, named "Riverside Support
// Trust <n>", qualified for every service category in every region.
type supplierOpts struct {
	Status string
	// Type is the organisation type: VCSE, SME or LARGE.
	Type string
	// Name is the legal name; it must be unique.
	Name string
	// Quals, when set, are the only qualifications, as "CATEGORY/REGION" pairs; "none" for none.
	Quals []string
}

// supplier inserts a supplier with plain SQL, so that these tests do not depend on the suppliers
// service.
func (b *testBundle) supplier(o supplierOpts) uuid.UUID {
	t := b.env.T
	t.Helper()
	id, n := ids.New(), seq.Add(1)
	status, orgType, name := o.Status, o.Type, o.Name
	if status == "" {
		status = "active"
	}
	if orgType == "" {
		orgType = "VCSE"
	}
	if name == "" {
		name = fmt.Sprintf("Riverside Support Trust %d", n)
	}
	now := time.Now().UTC()
	db := b.env.DB.Gorm
	err := db.Exec(`INSERT INTO suppliers (id, legal_name, organisation_type, charity_number, address_line1, town, postcode,
		status, version, created_at, updated_at) VALUES (?, ?, ?, ?, '1 Mill Lane', 'Leeds', 'LS1 4AP', ?, 1, ?, ?)`,
		id, name, orgType, fmt.Sprintf("1%06d", n), status, now, now).Error
	if err != nil {
		t.Fatalf("insert supplier: %v", err)
	}
	if o.Quals == nil {
		err = db.Exec(`INSERT INTO supplier_qualifications (supplier_id, service_category_code, region_code, created_at)
			SELECT ?, c.code, r.code, ? FROM service_categories c CROSS JOIN regions r`, id, now).Error
	} else {
		for _, q := range o.Quals {
			if q == "none" {
				continue
			}
			cat, region, _ := strings.Cut(q, "/")
			if err = db.Exec(`INSERT INTO supplier_qualifications (supplier_id, service_category_code, region_code, created_at)
				VALUES (?, ?, ?, ?)`, id, cat, region, now).Error; err != nil {
				break
			}
		}
	}
	if err != nil {
		t.Fatalf("insert qualifications: %v", err)
	}
	return id
}

// supplierUser makes a supplier user of the organisation.
func (b *testBundle) supplierUser(supplierID uuid.UUID) apitest.User {
	return b.env.NewUser(actor.RoleSupplier, apitest.UserOpts{SupplierID: supplierID})
}

// commissioner makes a commissioner of the regions (J when none).
func (b *testBundle) commissioner(regions ...string) apitest.User {
	return b.env.NewUser(actor.RoleCommissioner, apitest.UserOpts{Regions: regions})
}

// contractBody returns a valid create request for a region J accommodation contract from 1 April
// 2024 to 31 March 2027, unique by a sequence number, with the edits applied.
func (b *testBundle) contractBody(edits ...func(map[string]any)) map[string]any {
	body := map[string]any{
		"reference":          fmt.Sprintf("ACC-J-%04d", seq.Add(1)),
		"contract_type_code": "ACC",
		"region_code":        "J",
		"prime_supplier_id":  b.prime.String(),
		"eligibility": map[string]any{
			"sexes":    []string{"MALE", "FEMALE"},
			"settings": []string{"COMMUNITY", "LICENCE", "PRE_RELEASE"},
		},
		"start_date": "2024-04-01",
		"end_date":   "2027-03-31",
	}
	for _, edit := range edits {
		edit(body)
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

// setEligibility returns an edit setting an eligibility field.
func setEligibility(key string, v any) func(map[string]any) {
	return func(m map[string]any) { m["eligibility"].(map[string]any)[key] = v }
}

// create makes a contract as the admin and returns it.
func (b *testBundle) create(edits ...func(map[string]any)) contracts.ContractResponse {
	b.env.T.Helper()
	var c contracts.ContractResponse
	b.env.Post(b.admin.Token, base, b.contractBody(edits...)).Expect(http.StatusCreated).JSON(&c)
	return c
}

// send sends a request with an optional If-Match version (0: none).
func (b *testBundle) send(method, path, token string, body any, ifMatch int) *apitest.Response {
	b.env.T.Helper()
	return b.env.Send(method, path, token, body, ifMatch)
}

// act sends a change to the contract the path names, with If-Match on the contract's current version.
func (b *testBundle) act(method, token, p string, body any) *apitest.Response {
	b.env.T.Helper()
	id := uuid.MustParse(strings.SplitN(strings.TrimPrefix(p, base+"/"), "/", 2)[0])
	v := 1
	if err := b.env.DB.Gorm.Raw(`SELECT coalesce(max(version), 1) FROM contracts WHERE id = ?`, id).Scan(&v).Error; err != nil {
		b.env.T.Fatalf("read contract version: %v", err)
	}
	return b.send(method, p, token, body, v)
}

// auditActions returns the actions recorded for an entity, oldest first.
func (b *testBundle) auditActions(id uuid.UUID) []string {
	b.env.T.Helper()
	var actions []string
	if err := b.env.DB.Gorm.Raw(`SELECT action FROM audit_events WHERE entity_id = ? ORDER BY occurred_at, id`, id).Scan(&actions).Error; err != nil {
		b.env.T.Fatalf("read audit: %v", err)
	}
	return actions
}

// expectField fails unless the response is a 400 problem with a field error of the field and code.
func expectField(t *testing.T, r *apitest.Response, field, code string) {
	t.Helper()
	p := r.ExpectProblem(http.StatusBadRequest, code)
	if !apitest.HasFieldError(p, field, code) {
		t.Fatalf("no field error %s %s in %s", field, code, r.Body)
	}
}

func contractPath(id uuid.UUID, rest ...string) string {
	return base + "/" + id.String() + strings.Join(rest, "")
}

// workedExample is the DOMAIN worked example's band table.
func workedExample() []map[string]any {
	return []map[string]any{
		{"number": 1, "low": 0, "high": 400, "annual_price_pence": 30000000},
		{"number": 2, "low": 401, "high": 550, "annual_price_pence": 38000000},
		{"number": 3, "low": 551, "high": 700, "annual_price_pence": 46000000},
		{"number": 4, "low": 701, "high": 850, "annual_price_pence": 54000000},
	}
}

type yearsJSON struct {
	AsOf  string                   `json:"as_of"`
	Items []contracts.YearResponse `json:"items"`
}

func (b *testBundle) years(id uuid.UUID) yearsJSON {
	b.env.T.Helper()
	var y yearsJSON
	b.env.Get(b.admin.Token, contractPath(id, "/years")).Expect(http.StatusOK).JSON(&y)
	return y
}
