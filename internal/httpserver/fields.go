package httpserver

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/ids"
)

// Nullable is a PATCH field that may be absent (Set false: left as it is), null (Set, Value nil:
// cleared) or a value.
type Nullable[T any] struct {
	Set   bool
	Value *T
}

// UnmarshalJSON records that the field was sent, and its value unless null.
func (n *Nullable[T]) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("a field has the wrong type: want %s or null", jsonType[T]())
	}
	n.Value = &v
	return nil
}

// OpenAPISchema documents the field as its type or null.
func (Nullable[T]) OpenAPISchema() map[string]any {
	return map[string]any{"type": []any{jsonType[T](), "null"}}
}

func jsonType[T any]() string {
	switch reflect.TypeFor[T]().Kind() {
	case reflect.Int, reflect.Int64:
		return "integer"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice:
		return "array"
	case reflect.Struct:
		return "object"
	default:
		return "string"
	}
}

// Parser turns the strings a request carries (ids, dates, enums) into values, collecting a field
// error for each that does not parse. Its zero value is ready to use.
type Parser struct{ f apperr.Fields }

// Date parses a YYYY-MM-DD date; "" is the zero date.
func (p *Parser) Date(field, s string) calendar.Date {
	if s == "" {
		return calendar.Date{}
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		p.f.Add(field, "invalid_date", field+" must be a date written YYYY-MM-DD")
	}
	return d
}

// DatePtr parses an optional date; nil stays nil.
func (p *Parser) DatePtr(field string, s *string) *calendar.Date {
	if s == nil {
		return nil
	}
	d := p.Date(field, *s)
	return &d
}

// ID parses a UUID.
func (p *Parser) ID(field, s string) uuid.UUID {
	id, err := ids.Parse(s)
	if err != nil {
		p.f.Add(field, "invalid_id", field+" must be a UUID")
	}
	return id
}

// Add records a field error found by the caller.
func (p *Parser) Add(field, code, message string) { p.f.Add(field, code, message) }

// Err returns the collected field errors, or nil.
func (p *Parser) Err() error { return p.f.Err("the request has invalid values") }

// Enum parses s with parse, moving parse's field errors to field.
func Enum[T any](p *Parser, field, s string, parse func(string) (T, error)) T {
	v, err := parse(s)
	if e, ok := apperr.As(err); ok {
		for _, fe := range e.Fields {
			p.f.Add(field, fe.Code, fe.Message)
		}
	} else if err != nil {
		p.f.Add(field, "invalid_value", err.Error())
	}
	return v
}

// OptionalID parses a UUID; "" is uuid.Nil without an error.
func (p *Parser) OptionalID(field, s string) uuid.UUID {
	if s == "" {
		return uuid.Nil
	}
	return p.ID(field, s)
}
