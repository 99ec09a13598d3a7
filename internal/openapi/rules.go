package openapi

import (
	"encoding"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/crsplatform/crs/internal/calendar"
)

// The tag vocabulary of request structs. The same tags are read by the request validator
// (httpserver.BindJSON and the query parser) and by this package's schema generator, so what the
// document promises and what the server enforces cannot drift apart:
//
//	doc:"..."            the property's description
//	enum:"A,B"           the allowed values (on a list of strings: of each item)
//	minimum:"0"          the smallest whole number allowed
//	maximum:"100000"     the largest whole number allowed
//	minLength:"1"        the fewest characters (runes) allowed
//	maxLength:"200"      the most characters allowed (on a list of strings: of each item)
//	minItems:"1"         the fewest items a list may hold
//	maxItems:"20"        the most items a list (or entries a map) may hold
//	format:"date"        YYYY-MM-DD (also "uuid", "email"); dates are bounded by minDate and maxDate
//	minDate:"1900-01-01" the earliest date allowed
//	maxDate:"2099-12-31" the latest date allowed
//	required:"true"      overrides the required-ness derived from omitempty and pointers
//	example:"..."        an example value for the document
//	code:"invalid_x"     the field error code of a broken enum or range rule (default: invalid_<name>
//	                     for an enum, out_of_range for a range), where a service already uses one
//
// A field without a tag gets the defaults below, so that nothing a client sends is unbounded.
const (
	// DefaultMaxLength bounds every string without a maxLength tag.
	DefaultMaxLength = 2000
	// DefaultMaxItems bounds every list and map without a maxItems tag.
	DefaultMaxItems = 100
	// DefaultMinimum and DefaultMaximum bound every whole number without a minimum or maximum tag:
	// a count, a number of days or a band fits a PostgreSQL integer and is never negative.
	DefaultMinimum int64 = 0
	DefaultMaximum int64 = math.MaxInt32
	// MaxPence bounds money fields tagged with it: a billion pounds, far above any contract, so that
	// sums of thousands of such amounts still fit in 64 bits.
	MaxPence int64 = 100_000_000_000
)

// Default date bounds: contract, referral and payment dates fall this century.
var (
	DefaultMinDate = calendar.NewDate(2000, 1, 1)
	DefaultMaxDate = calendar.NewDate(2099, 12, 31)
)

var (
	dateType         = reflect.TypeOf(calendar.Date{})
	textUnmarshalerT = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

// Wrapper is implemented by field types that wrap another (such as a nullable PATCH field): the
// schema and the rules are those of the wrapped type, and the value may also be null.
type Wrapper interface {
	OpenAPIElem() reflect.Type
}

var wrapperT = reflect.TypeOf((*Wrapper)(nil)).Elem()

// Unwrap returns the type a field carries once pointers and wrappers are removed, and whether the
// field may be null.
func Unwrap(t reflect.Type) (reflect.Type, bool) {
	nullable := false
	for {
		switch {
		case t.Kind() == reflect.Pointer:
			nullable = true
			t = t.Elem()
		case t.Implements(wrapperT):
			nullable = true
			t = reflect.Zero(t).Interface().(Wrapper).OpenAPIElem()
		default:
			return t, nullable
		}
	}
}

// Rules are the limits of one request field, with the defaults applied.
type Rules struct {
	Doc     string
	Example string
	Code    string
	Enum    []string
	Format  string
	// Required is set when the field carries a required tag.
	Required *bool
	// Integer limits (HasRange when the field is a whole number).
	HasRange bool
	Min, Max int64
	// String limits, in characters; for a list of strings they apply to each item.
	HasLength            bool
	MinLength, MaxLength int
	// List limits (HasItems when the field is a list or map).
	HasItems           bool
	MinItems, MaxItems int
	// Date limits (IsDate when the field, or each item, is a date).
	IsDate           bool
	MinDate, MaxDate calendar.Date
}

// RulesOf reads the tags of a struct field and applies the defaults for its type. A malformed tag
// is a programming error found by the document test.
func RulesOf(f reflect.StructField) Rules {
	r := Rules{Doc: f.Tag.Get("doc"), Example: f.Tag.Get("example"), Format: f.Tag.Get("format"), Code: f.Tag.Get("code")}
	if e := f.Tag.Get("enum"); e != "" {
		r.Enum = strings.Split(e, ",")
	}
	if s := f.Tag.Get("required"); s != "" {
		b := s == "true"
		r.Required = &b
	}
	t, _ := Unwrap(f.Type)
	if t != dateType && reflect.PointerTo(t).Implements(textUnmarshalerT) {
		return r // a text type (a UUID, say) that parses itself
	}
	if t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			r.HasLength, r.MaxLength = true, tagInt(f, "maxLength", DefaultMaxLength)
			return r
		}
		r.HasItems = true
		r.MinItems = tagInt(f, "minItems", 0)
		r.MaxItems = tagInt(f, "maxItems", DefaultMaxItems)
		t, _ = Unwrap(t.Elem())
	}
	switch {
	case t == dateType || (t.Kind() == reflect.String && r.Format == "date"):
		r.IsDate, r.Format = true, "date"
		r.MinDate = tagDate(f, "minDate", DefaultMinDate)
		r.MaxDate = tagDate(f, "maxDate", DefaultMaxDate)
	case t.Kind() == reflect.String:
		r.HasLength = true
		r.MinLength = tagInt(f, "minLength", 0)
		r.MaxLength = tagInt(f, "maxLength", DefaultMaxLength)
	case isInt(t.Kind()):
		r.HasRange = true
		r.Min = tagInt64(f, "minimum", DefaultMinimum)
		r.Max = tagInt64(f, "maximum", DefaultMaximum)
	}
	return r
}

func isInt(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

func tagInt(f reflect.StructField, name string, def int) int {
	return int(tagInt64(f, name, int64(def)))
}

func tagInt64(f reflect.StructField, name string, def int64) int64 {
	s := f.Tag.Get(name)
	if s == "" {
		return def
	}
	if s == "maxPence" {
		return MaxPence
	}
	if s == "-maxPence" {
		return -MaxPence
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	if err != nil {
		panic("openapi: field " + f.Name + ": tag " + name + " is not a whole number: " + s)
	}
	return n
}

func tagDate(f reflect.StructField, name string, def calendar.Date) calendar.Date {
	s := f.Tag.Get(name)
	if s == "" {
		return def
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic("openapi: field " + f.Name + ": tag " + name + " is not a date: " + s)
	}
	return d
}

// JSONName returns the JSON name of a struct field, whether the field is skipped, and whether it
// is an embedded struct whose fields are promoted (as encoding/json does, exported or not).
func JSONName(f reflect.StructField) (name string, omitempty, skip, promoted bool) {
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false, true, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	omitempty = strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
	if f.Anonymous && name == "" {
		t := f.Type
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() == reflect.Struct {
			return "", omitempty, false, true
		}
	}
	if !f.IsExported() {
		return "", false, true, false
	}
	if name == "" {
		name = f.Name
	}
	return name, omitempty, false, false
}
