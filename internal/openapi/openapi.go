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
	paths := map[string]any{}
	for p, ms := range d.ops {
		item := map[string]any{}
		for m, op := range ms {
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
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
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
		params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description, "schema": s})
	}
	if op.IfMatch {
		params = append(params, map[string]any{"name": "If-Match", "in": "header", "required": true,
			"description": "The ETag of the version being updated; a stale one answers 412.", "schema": map[string]any{"type": "string"}})
	}
	if op.Idempotent {
		params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header",
			"description": "Replays return the original response; the same key with a different body answers 422.", "schema": map[string]any{"type": "string"}})
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	if op.Request != nil {
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": d.schemaOf(reflect.TypeOf(op.Request))},
		}}
	}
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	ok := map[string]any{"description": http.StatusText(status)}
	if op.Response != nil {
		content := map[string]any{"application/json": map[string]any{"schema": d.schemaOf(reflect.TypeOf(op.Response))}}
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
	problem := map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}
	responses := map[string]any{fmt.Sprint(status): ok, "default": map[string]any{"description": "Error", "content": problem}}
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

// schemaOf returns the schema for t, registering named structs as components. Caller holds d.mu.
func (d *Document) schemaOf(t reflect.Type) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		nullable = true
		t = t.Elem()
	}
	s := d.schemaOfValue(t)
	if nullable {
		return map[string]any{"oneOf": []any{s, map[string]any{"type": "null"}}}
	}
	return s
}

func (d *Document) schemaOfValue(t reflect.Type) map[string]any {
	switch {
	case t.Implements(providerT):
		return reflect.Zero(t).Interface().(SchemaProvider).OpenAPISchema()
	case reflect.PointerTo(t).Implements(providerT):
		return reflect.New(t).Interface().(SchemaProvider).OpenAPISchema()
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == uuidType:
		return map[string]any{"type": "string", "format": "uuid"}
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
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": d.schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": d.schemaOf(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := schemaName(t)
		if name == "" {
			return d.structSchema(t)
		}
		if _, ok := d.schemas[name]; !ok {
			d.schemas[name] = map[string]any{} // placeholder against recursion
			d.schemas[name] = d.structSchema(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func schemaName(t reflect.Type) string {
	if t.Name() == "" {
		return ""
	}
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	name := t.Name()
	// Generic instantiations: Page[github.com/x/suppliers.Supplier] -> PageSuppliersSupplier.
	if i := strings.Index(name, "["); i >= 0 {
		args := name[i+1 : len(name)-1]
		var parts []string
		for _, a := range strings.Split(args, ",") {
			if j := strings.LastIndex(a, "/"); j >= 0 {
				a = a[j+1:]
			}
			parts = append(parts, strings.ReplaceAll(strings.Title(strings.ReplaceAll(a, ".", " ")), " ", "")) //nolint:staticcheck // ASCII identifiers only
		}
		name = name[:i] + strings.Join(parts, "")
	}
	return nameClean.ReplaceAllString(strings.ToUpper(pkg[:1])+pkg[1:]+name, "")
}

func (d *Document) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				emb := d.structSchema(ft)
				for k, v := range emb["properties"].(map[string]any) {
					props[k] = v
				}
				if r, ok := emb["required"].([]string); ok {
					required = append(required, r...)
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		s := d.schemaOf(f.Type)
		if doc := f.Tag.Get("doc"); doc != "" {
			s = withDescription(s, doc)
		}
		props[name] = s
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
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

func withDescription(s map[string]any, doc string) map[string]any {
	if _, isRef := s["$ref"]; isRef {
		return map[string]any{"allOf": []any{s}, "description": doc}
	}
	c := make(map[string]any, len(s)+1)
	for k, v := range s {
		c[k] = v
	}
	c["description"] = doc
	return c
}
