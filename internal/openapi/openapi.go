// Package openapi builds the OpenAPI 3.1 document the server serves at /openapi.json. Routes are
// described as they are registered (see httpserver.Router), and request and response schemas are
// derived from the Go types handlers bind and return, so the document cannot drift from the code.
package openapi

import (
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Param is a query parameter.
type Param struct {
	Name        string
	Description string
	// Type is "string", "integer", "boolean"; Format optional ("date", "uuid", ...).
	Type   string
	Format string
	Enum   []string
}

// Operation describes one route.
type Operation struct {
	Method string
	// Path is in OpenAPI form, e.g. /api/v1/suppliers/{id}.
	Path        string
	Summary     string
	Description string
	Tag         string
	// Public routes need no authentication.
	Public bool
	// Request is a value of the JSON body type (nil for none).
	Request any
	// Response is a value of the success body type (nil for no body).
	Response any
	// Status is the success status (200 when zero).
	Status int
	Query  []Param
	// IfMatch marks updates that require the If-Match header.
	IfMatch bool
	// Idempotent marks creating POSTs that honour Idempotency-Key.
	Idempotent bool
	// Produces lists extra success content types (text/csv, spreadsheet) besides JSON.
	Produces []string
	// Restricted marks routes only some roles may use (others get 403 role_not_allowed).
	Restricted bool
}

// SchemaProvider lets a type describe its own JSON schema (for example a date type marshalled as text).
type SchemaProvider interface {
	OpenAPISchema() map[string]any
}

// Document is an OpenAPI document being assembled. It is safe for concurrent use.
type Document struct {
	mu      sync.Mutex
	title   string
	version string
	ops     map[string]map[string]Operation
	schemas map[string]any
}

// New returns an empty document.
func New(title, version string) *Document {
	return &Document{title: title, version: version, ops: map[string]map[string]Operation{}, schemas: map[string]any{}}
}

// Add describes one operation; adding the same method and path twice is a programming error.
func (d *Document) Add(op Operation) {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := strings.ToLower(op.Method)
	if d.ops[op.Path] == nil {
		d.ops[op.Path] = map[string]Operation{}
	}
	if _, dup := d.ops[op.Path][m]; dup {
		panic(fmt.Sprintf("openapi: %s %s described twice", op.Method, op.Path))
	}
	d.ops[op.Path][m] = op
}

// Has reports whether the method and path are documented.
func (d *Document) Has(method, path string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.ops[path][strings.ToLower(method)]
	return ok
}

// Routes lists the documented "METHOD path" pairs, sorted.
func (d *Document) Routes() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for p, ms := range d.ops {
		for m := range ms {
			out = append(out, strings.ToUpper(m)+" "+p)
		}
	}
	sort.Strings(out)
	return out
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// MarshalJSON renders the document.
func (d *Document) MarshalJSON() ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.schemas["Problem"] = problemSchema()
	// Request bodies first, so that a struct used by both a request and a response carries the
	// request's limits (the defaults apply to what clients send).
	keys := make([]string, 0, len(d.ops))
	for p := range d.ops {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, p := range keys {
		for _, op := range d.ops[p] {
			if op.Request != nil {
				d.schemaOf(reflect.TypeOf(op.Request), true)
			}
		}
	}
	paths := map[string]any{}
	for _, p := range keys {
		item := map[string]any{}
		for m, op := range d.ops[p] {
			item[m] = d.operation(op)
		}
		paths[p] = item
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       d.title,
			"version":     d.version,
			"description": "Commissioned Rehabilitative Services: framework suppliers, banded contracts, referrals, volumes, payments and Excel returns. Errors are application/problem+json with per-field codes. Updates need If-Match with the resource's ETag; creating POSTs accept Idempotency-Key; lists use cursor pagination.",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": d.schemas,
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "crs_session"},
			},
		},
		"security": []any{map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}},
	}
	return json.Marshal(doc)
}

func problemSchema() map[string]any {
	return map[string]any{
		"type":     "object",
		"required": []string{"type", "title", "status"},
		"properties": map[string]any{
			"type":       map[string]any{"type": "string"},
			"title":      map[string]any{"type": "string"},
			"status":     map[string]any{"type": "integer"},
			"detail":     map[string]any{"type": "string"},
			"code":       map[string]any{"type": "string"},
			"instance":   map[string]any{"type": "string"},
			"request_id": map[string]any{"type": "string"},
			"errors": map[string]any{"type": "array", "items": map[string]any{
				"type":     "object",
				"required": []string{"field", "code", "message"},
				"properties": map[string]any{
					"field":   map[string]any{"type": "string"},
					"code":    map[string]any{"type": "string"},
					"message": map[string]any{"type": "string"},
				},
			}},
		},
	}
}

func (d *Document) operation(op Operation) map[string]any {
	o := map[string]any{
		"summary":     op.Summary,
		"operationId": operationID(op),
	}
	if op.Description != "" {
		o["description"] = op.Description
	}
	if op.Tag != "" {
		o["tags"] = []string{op.Tag}
	}
	if op.Public {
		o["security"] = []any{}
	}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
		params = append(params, pathParamSchema(m[1]))
	}
	for _, q := range op.Query {
		s := map[string]any{"type": q.Type}
		if q.Type == "" {
			s["type"] = "string"
		}
		if q.Format != "" {
			s["format"] = q.Format
		}
		if len(q.Enum) > 0 {
			s["enum"] = q.Enum
		}
		if s["type"] == "string" && q.Format == "" && len(q.Enum) == 0 {
			s["maxLength"] = MaxQueryLength
		}
		desc := q.Description
		if desc == "" {
			desc = "Filters the list by " + strings.ReplaceAll(q.Name, "_", " ") + "."
		}
		params = append(params, map[string]any{"name": q.Name, "in": "query", "description": desc, "schema": s})
	}
	if op.IfMatch {
		params = append(params, map[string]any{"name": "If-Match", "in": "header", "required": true,
			"description": "The ETag of the version being updated, as the last read returned it (such as \"v3\"); a missing one answers 428, a stale one 412.", "schema": map[string]any{"type": "string", "maxLength": 100}})
	}
	if op.Idempotent {
		params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header",
			"description": "A key of 1 to 255 printable ASCII characters (a UUID, say) that makes the request safe to retry: a replay returns the original response, the same key with a different body answers 422, and a key still being processed 409.", "schema": map[string]any{"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"}})
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	if op.Request != nil {
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": d.schemaOf(reflect.TypeOf(op.Request), true)},
		}}
	}
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	ok := map[string]any{"description": http.StatusText(status)}
	if op.Response != nil {
		content := map[string]any{"application/json": map[string]any{"schema": d.schemaOf(reflect.TypeOf(op.Response), false)}}
		for _, ct := range op.Produces {
			content[ct] = map[string]any{"schema": map[string]any{"type": "string"}}
		}
		ok["content"] = content
	} else if len(op.Produces) > 0 {
		content := map[string]any{}
		for _, ct := range op.Produces {
			content[ct] = map[string]any{"schema": map[string]any{"type": "string", "contentEncoding": "binary"}}
		}
		ok["content"] = content
	}
	responses := map[string]any{fmt.Sprint(status): ok}
	for code, desc := range errorResponses(op) {
		responses[code] = map[string]any{"description": desc,
			"content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}
	}
	o["responses"] = responses
	return o
}

func operationID(op Operation) string {
	s := strings.ToLower(op.Method) + strings.NewReplacer("/api/v1", "", "/", "_", "{", "", "}", "", "-", "_").Replace(op.Path)
	return strings.Trim(s, "_")
}

var (
	timeType   = reflect.TypeOf(time.Time{})
	uuidType   = reflect.TypeOf(uuid.UUID{})
	rawType    = reflect.TypeOf(json.RawMessage{})
	providerT  = reflect.TypeOf((*SchemaProvider)(nil)).Elem()
	textMarshT = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
	nameClean  = regexp.MustCompile(`[^A-Za-z0-9]+`)
)

// schemaOf returns the schema for t, registering named structs as components. Limits the tags do
// not state are added from the defaults when request is true. Caller holds d.mu.
func (d *Document) schemaOf(t reflect.Type, request bool) map[string]any {
	inner, nullable := Unwrap(t)
	s := d.schemaOfValue(inner, request)
	if nullable {
		return orNull(s)
	}
	return s
}

// orNull lets a schema also be null.
func orNull(s map[string]any) map[string]any {
	if typ, ok := s["type"].(string); ok {
		c := copyMap(s)
		c["type"] = []any{typ, "null"}
		if enum, ok := c["enum"].([]string); ok {
			vals := make([]any, 0, len(enum)+1)
			for _, e := range enum {
				vals = append(vals, e)
			}
			c["enum"] = append(vals, nil)
		}
		return c
	}
	return map[string]any{"oneOf": []any{s, map[string]any{"type": "null"}}}
}

func copyMap(s map[string]any) map[string]any {
	c := make(map[string]any, len(s)+2)
	for k, v := range s {
		c[k] = v
	}
	return c
}

func (d *Document) schemaOfValue(t reflect.Type, request bool) map[string]any {
	switch {
	case t.Implements(providerT):
		return reflect.Zero(t).Interface().(SchemaProvider).OpenAPISchema()
	case reflect.PointerTo(t).Implements(providerT):
		return reflect.New(t).Interface().(SchemaProvider).OpenAPISchema()
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == uuidType:
		return map[string]any{"type": "string", "format": "uuid"}
	case t == dateType:
		return map[string]any{"type": "string", "format": "date"}
	case t == rawType:
		return map[string]any{}
	case t.Kind() == reflect.Struct && t.Implements(textMarshT):
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s := map[string]any{"type": "integer"}
		if t.Kind() == reflect.Int64 {
			s["format"] = "int64"
		}
		return s
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": d.schemaOf(t.Elem(), request)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": d.schemaOf(t.Elem(), request)}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := SchemaName(t)
		if name == "" {
			return d.structSchema(t, request)
		}
		if _, ok := d.schemas[name]; !ok {
			d.schemas[name] = map[string]any{} // placeholder against recursion
			d.schemas[name] = d.structSchema(t, request)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// SchemaName is the component name of a named Go type: readable by people and by client
// generators. The package's singular names the domain unless the type name already starts with
// it: referrals.sessionRequest is ReferralSessionRequest, contracts.ContractResponse stays
// ContractResponse, and page.Page[suppliers.Supplier] is SupplierPage.
func SchemaName(t reflect.Type) string {
	if t.Name() == "" {
		return ""
	}
	name := t.Name()
	if i := strings.Index(name, "["); i >= 0 {
		var parts []string
		for _, a := range strings.Split(name[i+1:len(name)-1], ",") {
			if j := strings.LastIndex(a, "/"); j >= 0 {
				a = a[j+1:]
			}
			pkg, typ, ok := strings.Cut(a, ".")
			if !ok {
				typ, pkg = pkg, ""
			}
			parts = append(parts, qualify(pkg, typ))
		}
		return nameClean.ReplaceAllString(strings.Join(parts, "")+upperFirst(name[:i]), "")
	}
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	return nameClean.ReplaceAllString(qualify(pkg, name), "")
}

func qualify(pkg, typ string) string {
	typ = upperFirst(typ)
	domain := upperFirst(strings.TrimSuffix(pkg, "s"))
	if domain == "" || strings.HasPrefix(typ, domain) || strings.HasPrefix(typ, upperFirst(pkg)) {
		return typ
	}
	return domain + typ
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (d *Document) structSchema(t reflect.Type, request bool) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, omitempty, skip, promoted := JSONName(f)
		if skip {
			continue
		}
		if promoted {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			emb := d.structSchema(ft, request)
			for k, v := range emb["properties"].(map[string]any) {
				if _, ok := props[k]; !ok {
					props[k] = v
				}
			}
			if r, ok := emb["required"].([]string); ok {
				required = append(required, r...)
			}
			continue
		}
		rules := RulesOf(f)
		props[name] = d.fieldSchema(f, rules, request)
		_, nullable := Unwrap(f.Type)
		req := !omitempty && !nullable
		if rules.Required != nil {
			req = *rules.Required
		}
		if req {
			required = append(required, name)
		}
	}
	out := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		sort.Strings(required)
		out["required"] = required
	}
	return out
}

// fieldSchema is a property's schema with the rules of its tags: description, enum, format,
// ranges, lengths, item counts and example.
func (d *Document) fieldSchema(f reflect.StructField, r Rules, request bool) map[string]any {
	inner, nullable := Unwrap(f.Type)
	s := d.schemaOfValue(inner, request)
	explicit := func(tag string) bool { return f.Tag.Get(tag) != "" }
	target := s
	isList := s["type"] == "array"
	itemRules := false // the scalar rules apply to the list's items
	if isList {
		target = map[string]any{"$ref": "items"} // a list of objects takes no scalar rules
		if items, ok := s["items"].(map[string]any); ok {
			if _, ref := items["$ref"]; !ref {
				target, itemRules = copyMap(items), true
			}
		}
	}
	if _, ref := target["$ref"]; !ref {
		target = copyMap(target)
		if len(r.Enum) > 0 {
			target["enum"] = r.Enum
		}
		if r.Format != "" && target["type"] == "string" {
			target["format"] = r.Format
		}
		if r.IsDate && (request || explicit("minDate") || explicit("maxDate")) {
			target["description"] = "A date, YYYY-MM-DD, from " + r.MinDate.String() + " to " + r.MaxDate.String() + "."
		}
		if r.HasLength && len(r.Enum) == 0 && target["type"] == "string" && target["format"] == nil && (request || explicit("maxLength")) {
			target["maxLength"] = r.MaxLength
			if r.MinLength > 0 {
				target["minLength"] = r.MinLength
			}
		}
		if r.HasRange && target["type"] == "integer" && (request || explicit("minimum") || explicit("maximum")) {
			target["minimum"] = r.Min
			target["maximum"] = r.Max
		}
	}
	if isList {
		s = copyMap(s)
		if itemRules {
			s["items"] = target
		}
		if r.HasItems && (request || explicit("maxItems")) {
			s["maxItems"] = r.MaxItems
			if r.MinItems > 0 {
				s["minItems"] = r.MinItems
			}
		}
	} else {
		s = target
		if r.HasItems && s["type"] == "object" && (request || explicit("maxItems")) {
			s = copyMap(s)
			s["maxProperties"] = r.MaxItems
		}
	}
	if nullable {
		s = orNull(s)
	}
	doc := r.Doc
	if doc == "" && !isList {
		if dd, ok := target["description"].(string); ok {
			doc = dd
		}
	}
	if doc != "" {
		s = withDescription(s, doc)
	}
	if r.Example != "" {
		s = withExample(s, r.Example)
	}
	return s
}

func withExample(s map[string]any, ex string) map[string]any {
	if _, isRef := s["$ref"]; isRef {
		return s
	}
	c := copyMap(s)
	var v any = ex
	isInt := c["type"] == "integer"
	if ts, ok := c["type"].([]any); ok && len(ts) > 0 && ts[0] == "integer" {
		isInt = true
	}
	if isInt {
		var n int64
		if _, err := fmt.Sscan(ex, &n); err == nil {
			v = n
		}
	}
	c["examples"] = []any{v}
	return c
}

func withDescription(s map[string]any, doc string) map[string]any {
	if _, isRef := s["$ref"]; isRef {
		return map[string]any{"allOf": []any{s}, "description": doc}
	}
	c := copyMap(s)
	c["description"] = doc
	return c
}

// MaxQueryLength is documented on free-text query parameters (the server refuses longer ones).
const MaxQueryLength = 2000

func pathParamSchema(name string) map[string]any {
	switch {
	case name == "year" || name == "n" || name == "number":
		return map[string]any{"name": name, "in": "path", "required": true, "description": "The contract year, from 1.",
			"schema": map[string]any{"type": "integer", "minimum": 1, "maximum": 100}}
	case name == "id" || strings.HasSuffix(name, "_id"):
		return map[string]any{"name": name, "in": "path", "required": true,
			"description": "The resource's id; an unknown id, or one outside your scope, answers 404.",
			"schema":      map[string]any{"type": "string", "format": "uuid"}}
	}
	return map[string]any{"name": name, "in": "path", "required": true, "description": "The " + strings.ReplaceAll(name, "_", " ") + ".",
		"schema": map[string]any{"type": "string", "maxLength": 200}}
}

// errorResponses lists the problems an operation can answer, each with the codes a client can act on.
func errorResponses(op Operation) map[string]string {
	out := map[string]string{}
	{ // every route: the edge refuses a malformed query string or header before any handler runs
		out["400"] = "The request is invalid: the problem's errors list each field (a JSON path such as service_categories[0].complexity_level, a query parameter or a header) with a code: unknown_field, invalid_type, invalid_utf8, nul_character, too_long, too_many_items, out_of_range, date_out_of_range, invalid_date, malformed_json, body_required, unsupported_media_type (the body is not JSON), or a field-specific code such as invalid_crn."
	}
	if !op.Public {
		out["401"] = "No valid bearer token or session cookie (code unauthenticated)."
	}
	if op.Restricted {
		out["403"] = "Your role cannot use this operation (code role_not_allowed)."
	}
	if strings.Contains(op.Path, "{") {
		out["404"] = "No such resource, or it is outside your scope (code not_found)."
	}
	if op.Method != http.MethodGet {
		out["409"] = "The change conflicts with the resource's state (codes such as invalid_transition, reference_taken, duplicate_referral, idempotency_request_in_progress)."
	}
	if op.IfMatch {
		out["412"] = "If-Match names a version that is no longer current (code precondition_failed): read the resource again."
		out["428"] = "The If-Match header is missing (code precondition_required)."
	}
	if op.Idempotent {
		out["422"] = "The Idempotency-Key was used before for a different request (code idempotency_key_reused)."
	}
	if op.Request != nil {
		out["413"] = "The body is larger than the server accepts (code body_too_large)."
	}
	if op.Public && op.Method == http.MethodPost {
		out["429"] = "Too many failed sign-ins for the account (code login_throttled); Retry-After says when to try again."
	}
	out["503"] = "The service is temporarily unavailable (code unavailable); Retry-After says when to try again."
	return out
}
