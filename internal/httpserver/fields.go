package httpserver

import (
	"encoding/json"
	"errors"
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
		return fmt.Errorf("a field has the wrong type: want %s or null", reflect.TypeFor[T]().Kind())
	}
	n.Value = &v
	return nil
}

// OpenAPIElem tells the document and the validator that the field carries a T or null.
func (Nullable[T]) OpenAPIElem() reflect.Type { return reflect.TypeFor[T]() }

// value returns the value held, for the validator.
func (n Nullable[T]) value() (reflect.Value, bool) {
	if n.Value == nil {
		return reflect.Value{}, false
	}
	return reflect.ValueOf(n.Value).Elem(), true
}

// Parser turns the strings a request carries (ids, dates, enums) into values, collecting a field
// error for each that does not parse. Its zero value is ready to use.
type Parser struct{ f apperr.Fields }

// Date parses a YYYY-MM-DD date; "" is the zero date.
func (p *Parser) Date(field, s string) calendar.Date {
	if s == "" {
		return calendar.Date{}
	}
	d, err := ParseDate(s)
	if err != nil {
		p.f.Add(field, dateCode(err), field+" "+err.Error())
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

// Date bounds of every date a request carries unless a field's tags say otherwise.
var (
	// MinDate is the earliest date any request may carry (dates of birth included).
	MinDate = calendar.NewDate(1900, 1, 1)
	// MaxDate is the latest date any request may carry.
	MaxDate = calendar.NewDate(2099, 12, 31)
)

type dateError struct{ code, msg string }

func (e dateError) Error() string { return e.msg }

func dateCode(err error) string {
	var de dateError
	if errors.As(err, &de) {
		return de.code
	}
	return "invalid_date"
}

// ParseDate parses a YYYY-MM-DD date from a request, refusing dates before MinDate or after
// MaxDate (a year-0 date would break every later calculation). The error says why in words.
func ParseDate(s string) (calendar.Date, error) {
	d, err := calendar.ParseDate(s)
	if err != nil {
		return calendar.Date{}, dateError{"invalid_date", "must be a date written YYYY-MM-DD"}
	}
	if d.Before(MinDate) || d.After(MaxDate) {
		return calendar.Date{}, dateError{"date_out_of_range", "must be from " + MinDate.String() + " to " + MaxDate.String()}
	}
	return d, nil
}
