package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/auth"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/factory"
	"github.com/crsplatform/crs/internal/ids"
)

// badUTF8 stands for invalid UTF-8 in a body built with encoding/json (which would otherwise
// replace the bytes); send swaps it for the raw bytes.
const badUTF8 = "@@BAD-UTF8@@"

// hostileEnv is the whole platform, wired as `crs serve` wires it, with a few real resources to
// aim at and a token for each role.
type hostileEnv struct {
	t       *testing.T
	a       *app
	tokens  []string // admin, commissioner, practitioner, supplier
	ids     map[string]string
	doc     map[string]any
	schemas map[string]any
}

func newHostileEnv(t *testing.T) *hostileEnv {
	t.Helper()
	a := testApp(t)
	g := a.db.Gorm
	supplier := factory.Supplier(t, g, factory.SupplierOpts{})
	contract := factory.Contract(t, g, factory.ContractOpts{Prime: supplier})
	practitioner := factory.Practitioner(t, g, "J")
	factory.Referrals(t, g, contract, factory.ReferralOpts{Draft: true, Practitioner: practitioner})
	var referral string
	if err := g.Raw(`SELECT id::text FROM referrals WHERE contract_id = ? LIMIT 1`, contract).Scan(&referral).Error; err != nil {
		t.Fatal(err)
	}
	e := &hostileEnv{t: t, a: a, ids: map[string]string{"suppliers": supplier.String(), "contracts": contract.String(), "referrals": referral}}
	token := func(role string, supplierID *uuid.UUID, regions []string) string {
		id := ids.New()
		if err := g.Exec(`INSERT INTO users (id, email, display_name, password_hash, role, supplier_id, regions, created_at, updated_at)
			VALUES (?, ?, 'Hostile test', 'x', ?, ?, ?, now(), now())`, id, role+"-"+id.String()+"@example.org", role, supplierID,
			"{"+strings.Join(regions, ",")+"}").Error; err != nil {
			t.Fatal(err)
		}
		if role == "admin" {
			e.ids["users"] = id.String()
		}
		return e.issue(id)
	}
	e.tokens = []string{token("admin", nil, nil), token("commissioner", nil, []string{"J"}), e.issue(practitioner), token("supplier", &supplier, nil)}
	raw, err := json.Marshal(a.server.Doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &e.doc); err != nil {
		t.Fatal(err)
	}
	e.schemas = e.doc["components"].(map[string]any)["schemas"].(map[string]any)
	return e
}

func (e *hostileEnv) issue(id uuid.UUID) string {
	iss, err := e.a.auth.IssueToken(context.Background(), id, auth.TokenAPI)
	if err != nil {
		e.t.Fatal(err)
	}
	return iss.Value
}

// path fills a documented path's parameters with real resources where the segment before names one.
func (e *hostileEnv) path(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		switch {
		case s == "{year}" || s == "{number}" || s == "{n}":
			segs[i] = "1"
		case i > 0 && e.ids[segs[i-1]] != "":
			segs[i] = e.ids[segs[i-1]]
		default:
			segs[i] = ids.New().String()
		}
	}
	return strings.Join(segs, "/")
}

type hostileCase struct {
	name   string
	body   []byte
	query  string
	header map[string]string
	// refuse: the request must be refused with a 4xx (not merely answered without a 5xx).
	refuse bool
}

func (e *hostileEnv) send(method, path string, token string, c hostileCase) (int, string) {
	target := path
	if c.query != "" {
		target += "?" + c.query
	}
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(bytes.ReplaceAll(c.body, []byte(badUTF8), []byte("\xff\xfe")))
	}
	req := httptest.NewRequest(method, "/", body)
	req.URL.RawQuery = c.query
	req.URL.Path = path
	req.RequestURI = target
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("If-Match", e.etag(path, token))
	for k, v := range c.header {
		req.Header[k] = []string{v}
	}
	rec := httptest.NewRecorder()
	e.a.server.Echo.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// etag reads the resource's current ETag, so that updates reach the binder rather than stop at 412.
func (e *hostileEnv) etag(path, token string) string {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.a.server.Echo.ServeHTTP(rec, req)
	if tag := rec.Header().Get("ETag"); tag != "" {
		return tag
	}
	return `"v1"`
}

// resolve follows $ref and picks the non-null branch of a oneOf or the single allOf.
func (e *hostileEnv) resolve(s map[string]any) map[string]any {
	for i := 0; i < 10; i++ {
		if ref, ok := s["$ref"].(string); ok {
			s = e.schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
			continue
		}
		if all, ok := s["allOf"].([]any); ok && len(all) == 1 {
			s = all[0].(map[string]any)
			continue
		}
		if one, ok := s["oneOf"].([]any); ok {
			for _, o := range one {
				if om := o.(map[string]any); om["type"] != "null" {
					s = om
					break
				}
			}
			continue
		}
		break
	}
	return s
}

func schemaType(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if x != "null" {
				return x.(string)
			}
		}
	}
	return ""
}

// sample builds a plausible value of the schema: the base the hostile cases mutate one field at a time.
func (e *hostileEnv) sample(s map[string]any, depth int) any {
	s = e.resolve(s)
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	switch schemaType(s) {
	case "object":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		if depth > 4 {
			return out
		}
		for k, v := range props {
			out[k] = e.sample(v.(map[string]any), depth+1)
		}
		return out
	case "array":
		items, _ := s["items"].(map[string]any)
		if items == nil {
			return []any{}
		}
		return []any{e.sample(items, depth+1)}
	case "integer":
		return 1
	case "number":
		return 1.5
	case "boolean":
		return false
	case "string":
		switch s["format"] {
		case "date":
			return calendar.Today(time.Now()).String()
		case "uuid":
			return e.ids["contracts"]
		case "date-time":
			return "2030-01-01T10:00:00Z"
		case "email":
			return "someone@example.org"
		}
		return "x"
	}
	return "x"
}

// leaves lists the JSON paths of a sample with the schema of each, for mutation.
type leaf struct {
	path   []any // string keys and int indexes
	schema map[string]any
}

func (e *hostileEnv) leaves(s map[string]any, path []any, out *[]leaf, depth int) {
	s = e.resolve(s)
	*out = append(*out, leaf{path: append([]any{}, path...), schema: s})
	if depth > 4 {
		return
	}
	switch schemaType(s) {
	case "object":
		props, _ := s["properties"].(map[string]any)
		for k, v := range props {
			e.leaves(v.(map[string]any), append(path, k), out, depth+1)
		}
	case "array":
		if items, ok := s["items"].(map[string]any); ok {
			e.leaves(items, append(path, 0), out, depth+1)
		}
	}
}

func setAt(v any, path []any, x any) any {
	if len(path) == 0 {
		return x
	}
	switch c := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, val := range c {
			m[k] = val
		}
		k := path[0].(string)
		m[k] = setAt(m[k], path[1:], x)
		return m
	case []any:
		l := append([]any{}, c...)
		if len(l) == 0 {
			l = append(l, nil)
		}
		l[0] = setAt(l[0], path[1:], x)
		return l
	}
	return v
}

func pathName(p []any) string {
	var b strings.Builder
	for _, s := range p {
		switch x := s.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(x)
		case int:
			fmt.Fprintf(&b, "[%d]", x)
		}
	}
	return b.String()
}

func upperKeys(v any) any {
	switch c := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, val := range c {
			m[strings.ToUpper(k)] = upperKeys(val)
		}
		return m
	case []any:
		l := make([]any, len(c))
		for i, x := range c {
			l[i] = upperKeys(x)
		}
		return l
	}
	return v
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// bodyCases mutates a valid-looking body one field at a time with what a hostile client sends.
func (e *hostileEnv) bodyCases(schema map[string]any) []hostileCase {
	base := e.sample(schema, 0)
	cases := []hostileCase{
		{name: "null body", body: []byte("null"), refuse: true},
		{name: "invalid UTF-8 body", body: []byte(`{"` + badUTF8 + `": 1}`), refuse: true},
		{name: "array body", body: []byte(`[]`), refuse: true},
		{name: "huge number body", body: []byte(`1e999`), refuse: true},
	}
	if m, ok := base.(map[string]any); ok && len(m) > 0 {
		cases = append(cases, hostileCase{name: "upper-case keys", body: mustJSON(upperKeys(base)), refuse: true})
	}
	var ls []leaf
	e.leaves(schema, nil, &ls, 0)
	for _, l := range ls {
		if len(l.path) == 0 {
			continue
		}
		name := pathName(l.path)
		mut := func(what string, x any, refuse bool) {
			cases = append(cases, hostileCase{name: name + ": " + what, body: mustJSON(setAt(base, l.path, x)), refuse: refuse})
		}
		switch schemaType(l.schema) {
		case "string":
			mut("NUL", "a\u0000b", true)
			mut("invalid UTF-8", badUTF8, true)
			mut("100,000 characters", strings.Repeat("x", 100_000), true)
			mut("year 0", "0000-01-01", l.schema["format"] == "date")
			mut("year 9999", "9999-12-31", l.schema["format"] == "date")
			mut("number", 12, true)
		case "integer":
			mut("2^31", int64(1)<<31, true)
			mut("max int64", int64(1<<63-1), true)
			mut("-2^63", int64(-1<<63), true)
			mut("1e30", json.RawMessage("1e30"), true)
			mut("string", "1", true)
		case "array":
			itemSchema, _ := l.schema["items"].(map[string]any)
			if itemSchema == nil {
				itemSchema = map[string]any{"type": "string"}
			}
			items := make([]any, 10_000)
			for i := range items {
				items[i] = e.sample(itemSchema, 1)
			}
			mut("10,000 items", items, true)
			mut("object", map[string]any{}, true)
		case "object":
			mut("array", []any{}, true)
			mut("string", "x", true)
		}
	}
	return cases
}

// queryCases sends what a hostile client puts in each documented query parameter.
func queryCases(params []any) []hostileCase {
	cases := []hostileCase{
		{name: "bad percent-encoding", query: "q=%zz", refuse: true},
		{name: "NUL in an unknown parameter", query: "zz=%00", refuse: true},
	}
	for _, p := range params {
		pm := p.(map[string]any)
		if pm["in"] != "query" {
			continue
		}
		n := pm["name"].(string)
		q := func(what, v string, refuse bool) {
			cases = append(cases, hostileCase{name: n + ": " + what, query: url.QueryEscape(n) + "=" + v, refuse: refuse})
		}
		q("NUL", "a%00b", true)
		q("invalid UTF-8", "%FF%FE", true)
		q("control character", "a%01b", true)
		q("year 0", "0000-01-01", false)
		q("year 9999", "9999-12-31", false)
		q("huge number", "99999999999999999999999", false)
		q("negative", "-1", false)
		q("100,000 characters", strings.Repeat("x", 100_000), true)
		q("repeated 1,000 times", strings.Repeat("x&"+url.QueryEscape(n)+"=", 1000)+"x", false)
		q("malformed cursor", "eyJhIjoiXHUwMDAwIn0", false)
	}
	return cases
}

// TestHostileInputNeverAnswers5xx walks every documented write and list route of the wired platform
// as an authorised user and sends what a hostile client would: NUL characters, invalid UTF-8, huge
// numbers, year-0 dates, upper-case keys, a null body, 100,000-character strings, 10,000-item
// lists and bad query parameters. No request may answer 5xx; those that must be refused (a NUL,
// invalid UTF-8, an over-long string, an unknown key) must answer 4xx. New routes are covered as
// they are registered, since the routes come from the served document.
func TestHostileInputNeverAnswers5xx(t *testing.T) {
	t.Parallel()
	e := newHostileEnv(t)
	paths := e.doc["paths"].(map[string]any)
	var keys []string
	for p, item := range paths {
		for m := range item.(map[string]any) {
			keys = append(keys, strings.ToUpper(m)+" "+p)
		}
	}
	sort.Strings(keys)
	requests, routes := 0, 0
	for _, k := range keys {
		method, p, _ := strings.Cut(k, " ")
		op := paths[p].(map[string]any)[strings.ToLower(method)].(map[string]any)
		params, _ := op["parameters"].([]any)
		var cases []hostileCase
		sampleBody := []byte("{}")
		if rb, ok := op["requestBody"].(map[string]any); ok {
			schema := rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
			cases = e.bodyCases(schema)
			sampleBody = mustJSON(e.sample(schema, 0))
		} else if method == http.MethodGet {
			cases = queryCases(params)
		}
		if method != http.MethodGet {
			for _, pm := range params {
				if pm.(map[string]any)["name"] != "Idempotency-Key" {
					continue
				}
				for _, v := range []string{"\xff\xfe", "a\x01b", strings.Repeat("k", 300)} {
					cases = append(cases, hostileCase{name: fmt.Sprintf("Idempotency-Key %.12q", v),
						body: sampleBody, header: map[string]string{"Idempotency-Key": v}, refuse: true})
				}
			}
		}
		if len(cases) == 0 {
			continue
		}
		routes++
		path := e.path(p)
		// The first role the route lets in.
		token := e.tokens[0]
		for _, tok := range e.tokens {
			if code, _ := e.send(method, path, tok, hostileCase{body: []byte("{}")}); code != http.StatusForbidden {
				token = tok
				break
			}
		}
		for _, c := range cases {
			code, body := e.send(method, path, token, c)
			requests++
			switch {
			case code >= 500:
				t.Errorf("%s %s, %s: %d %s", method, p, c.name, code, trim(body))
			case c.refuse && code < 400:
				t.Errorf("%s %s, %s: accepted with %d, want a 4xx refusal", method, p, c.name, code)
			}
		}
	}
	if routes < 40 {
		t.Fatalf("only %d routes walked: the document lost its routes", routes)
	}
	t.Logf("%d hostile requests over %d routes", requests, routes)
}

func trim(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}
