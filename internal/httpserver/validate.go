package httpserver

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/openapi"
)

// checkShape walks the raw JSON against the Go type it will be decoded into, before decoding, so
// that each refusal names the field (as a JSON path such as "service_categories[0].code"): keys
// must match the JSON names exactly (encoding/json would accept SUPPLIER_ID for supplier_id),
// strings must be valid UTF-8 without NUL, whole numbers must fit 64 bits, and each value must
// have the JSON type the field expects.
func checkShape(path string, raw json.RawMessage, t reflect.Type) *apperr.FieldError {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	if string(raw) == "null" {
		return nil // pointers and nullable fields take null; other fields are left as they are
	}
	t, _ = openapi.Unwrap(t)
	if t == rawMessageType || t.Kind() == reflect.Interface {
		return checkText(path, raw)
	}
	if t != dateType && reflect.PointerTo(t).Implements(jsonUnmarshalerT) {
		return checkText(path, raw) // the type reads its own JSON
	}
	if reflect.PointerTo(t).Implements(textUnmarshalerT) && t != dateType {
		if raw[0] != '"' {
			return wrongType(path, "a string")
		}
		return checkString(path, raw)
	}
	if t == dateType {
		if raw[0] != '"' {
			return wrongType(path, "a date written YYYY-MM-DD")
		}
		return checkString(path, raw)
	}
	switch t.Kind() {
	case reflect.Struct:
		if raw[0] != '{' {
			return wrongType(path, "an object")
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return checkText(path, raw)
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := join(path, k)
			if strings.IndexByte(k, 0) >= 0 {
				return &apperr.FieldError{Field: strings.ReplaceAll(path, "\x00", ""), Code: "nul_character", Message: "a field name must not contain the NUL character (\\u0000)"}
			}
			ft, ok := fields[k]
			if !ok {
				return &apperr.FieldError{Field: p, Code: "unknown_field", Message: "unknown field " + p + " (names are case-sensitive)"}
			}
			if fe := checkShape(p, obj[k], ft); fe != nil {
				return fe
			}
		}
		return nil
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			if raw[0] != '"' {
				return wrongType(path, "a base64 string")
			}
			return checkText(path, raw)
		}
		if raw[0] != '[' {
			return wrongType(path, "an array")
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return checkText(path, raw)
		}
		for i, it := range items {
			if fe := checkShape(fmt.Sprintf("%s[%d]", path, i), it, t.Elem()); fe != nil {
				return fe
			}
		}
		return nil
	case reflect.Map:
		if raw[0] != '{' {
			return wrongType(path, "an object")
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return checkText(path, raw)
		}
		for k, v := range obj {
			if strings.IndexByte(k, 0) >= 0 {
				return &apperr.FieldError{Field: path, Code: "nul_character", Message: "a key must not contain the NUL character (\\u0000)"}
			}
			if fe := checkShape(join(path, k), v, t.Elem()); fe != nil {
				return fe
			}
		}
		return nil
	case reflect.String:
		if raw[0] != '"' {
			return wrongType(path, "a string")
		}
		return checkString(path, raw)
	case reflect.Bool:
		if string(raw) != "true" && string(raw) != "false" {
			return wrongType(path, "true or false")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
			return wrongType(path, "a whole number")
		}
		if _, err := strconv.ParseInt(string(raw), 10, 64); err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return &apperr.FieldError{Field: path, Code: "out_of_range", Message: path + " is too large"}
			}
			return wrongType(path, "a whole number")
		}
	case reflect.Float32, reflect.Float64:
		if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
			return wrongType(path, "a number")
		}
	}
	return nil
}

// checkText refuses invalid UTF-8 and NUL characters anywhere in a raw JSON value: PostgreSQL cannot
// store a NUL in text, and encoding/json would silently replace invalid bytes.
func checkText(path string, raw []byte) *apperr.FieldError {
	if !utf8.Valid(raw) {
		return &apperr.FieldError{Field: path, Code: "invalid_utf8", Message: fieldOrBody(path) + " is not valid UTF-8 text"}
	}
	if bytes.Contains(raw, []byte(`\u0000`)) || bytes.IndexByte(raw, 0) >= 0 {
		return &apperr.FieldError{Field: path, Code: "nul_character", Message: fieldOrBody(path) + " must not contain the NUL character (\\u0000)"}
	}
	return nil
}

// checkString refuses a JSON string that is not valid UTF-8 or that holds a NUL once decoded.
func checkString(path string, raw []byte) *apperr.FieldError {
	if !utf8.Valid(raw) {
		return &apperr.FieldError{Field: path, Code: "invalid_utf8", Message: fieldOrBody(path) + " is not valid UTF-8 text"}
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil // the decoder reports the syntax error
	}
	if strings.IndexByte(s, 0) >= 0 {
		return &apperr.FieldError{Field: path, Code: "nul_character", Message: fieldOrBody(path) + " must not contain the NUL character (\\u0000)"}
	}
	return nil
}

func fieldOrBody(path string) string {
	if path == "" {
		return "the body"
	}
	return path
}

func wrongType(path, want string) *apperr.FieldError {
	if path == "" {
		return &apperr.FieldError{Field: "", Code: "invalid_type", Message: "the body must be " + want}
	}
	return &apperr.FieldError{Field: path, Code: "invalid_type", Message: path + " must be " + want}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var (
	jsonUnmarshalerT = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	textUnmarshalerT = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
	rawMessageType   = reflect.TypeOf(json.RawMessage{})
	dateType         = reflect.TypeOf(calendar.Date{})
)

// jsonFields maps each exact JSON name of a struct to its field type, promoting the fields of
// embedded structs as encoding/json does.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, skip, promoted := openapi.JSONName(f)
		switch {
		case skip:
		case promoted:
			et := f.Type
			for et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			for k, v := range jsonFields(et) {
				if _, ok := out[k]; !ok {
					out[k] = v
				}
			}
		default:
			out[name] = f.Type
		}
	}
	return out
}

// Validate checks a decoded request struct against the rules of its tags (see openapi.RulesOf):
// ranges, lengths, item counts, enums and date bounds. Every broken rule becomes a field error.
func Validate(dst any) error {
	var f apperr.Fields
	v := reflect.ValueOf(dst)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		validateStruct(&f, "", v)
	}
	return f.Err("the request has invalid values")
}

func validateStruct(fs *apperr.Fields, path string, v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, skip, promoted := openapi.JSONName(sf)
		if skip {
			continue
		}
		fv := v.Field(i)
		if promoted {
			for fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					break
				}
				fv = fv.Elem()
			}
			if fv.Kind() == reflect.Struct {
				validateStruct(fs, path, fv)
			}
			continue
		}
		validateField(fs, join(path, name), fv, openapi.RulesOf(sf))
	}
}

// unwrapValue follows pointers and nullable wrappers to the value they hold.
func unwrapValue(v reflect.Value) (reflect.Value, bool) {
	for {
		switch {
		case v.Kind() == reflect.Pointer:
			if v.IsNil() {
				return v, false
			}
			v = v.Elem()
		case v.Type().Implements(valuerT):
			inner, ok := v.Interface().(valuer).value()
			if !ok {
				return v, false
			}
			v = inner
		default:
			return v, true
		}
	}
}

type valuer interface{ value() (reflect.Value, bool) }

var valuerT = reflect.TypeOf((*valuer)(nil)).Elem()

func validateField(fs *apperr.Fields, path string, v reflect.Value, r openapi.Rules) {
	v, ok := unwrapValue(v)
	if !ok {
		return
	}
	if v.Type() != dateType && reflect.PointerTo(v.Type()).Implements(textUnmarshalerT) {
		return
	}
	if r.HasItems && (v.Kind() == reflect.Slice || v.Kind() == reflect.Array || v.Kind() == reflect.Map) {
		n := v.Len()
		if n > r.MaxItems {
			fs.Add(path, "too_many_items", fmt.Sprintf("%s may hold at most %d items", path, r.MaxItems))
			return
		}
		if n < r.MinItems {
			fs.Add(path, "too_few_items", fmt.Sprintf("%s must hold at least %d items", path, r.MinItems))
		}
		if v.Kind() == reflect.Map {
			iter := v.MapRange()
			for iter.Next() {
				validateScalar(fs, join(path, fmt.Sprint(iter.Key().Interface())), iter.Value(), r)
			}
			return
		}
		for i := range n {
			validateScalar(fs, fmt.Sprintf("%s[%d]", path, i), v.Index(i), r)
		}
		return
	}
	validateScalar(fs, path, v, r)
}

func validateScalar(fs *apperr.Fields, path string, v reflect.Value, r openapi.Rules) {
	v, ok := unwrapValue(v)
	if !ok {
		return
	}
	if v.Type() != dateType && reflect.PointerTo(v.Type()).Implements(textUnmarshalerT) {
		return // parsed from text by its own type (a UUID, say)
	}
	switch {
	case v.Kind() == reflect.Struct && v.Type() == dateType:
		d := v.Interface().(calendar.Date)
		if !d.IsZero() {
			checkDate(fs, path, d, r)
		}
	case v.Kind() == reflect.Struct:
		validateStruct(fs, path, v)
	case v.Kind() == reflect.String:
		s := v.String()
		if r.IsDate {
			if s == "" {
				return
			}
			d, err := calendar.ParseDate(s)
			if err != nil {
				fs.Add(path, "invalid_date", path+" must be a date written YYYY-MM-DD")
				return
			}
			checkDate(fs, path, d, r)
			return
		}
		if len(r.Enum) > 0 && s != "" && !slices.ContainsFunc(r.Enum, func(e string) bool { return strings.EqualFold(strings.TrimSpace(s), e) }) {
			code := r.Code
			if code == "" {
				code = "invalid_" + leafName(path)
			}
			fs.Add(path, code, path+" must be one of "+strings.Join(r.Enum, ", "))
			return
		}
		if r.HasLength {
			n := utf8.RuneCountInString(s)
			code := r.Code
			if code == "" {
				code = "too_long"
			}
			if n > r.MaxLength {
				fs.Add(path, code, fmt.Sprintf("%s must be at most %d characters", path, r.MaxLength))
			} else if n < r.MinLength && s != "" {
				fs.Add(path, "too_short", fmt.Sprintf("%s must be at least %d characters", path, r.MinLength))
			}
		}
	case v.CanInt():
		checkRange(fs, path, v.Int(), r)
	case v.CanUint():
		if r.HasRange && v.Uint() > uint64(r.Max) {
			fs.Add(path, "out_of_range", fmt.Sprintf("%s must be from %d to %d", path, r.Min, r.Max))
		}
	}
}

func checkRange(fs *apperr.Fields, path string, n int64, r openapi.Rules) {
	if r.HasRange && (n < r.Min || n > r.Max) {
		code := r.Code
		if code == "" {
			code = "out_of_range"
		}
		fs.Add(path, code, fmt.Sprintf("%s must be from %d to %d", path, r.Min, r.Max))
	}
}

func checkDate(fs *apperr.Fields, path string, d calendar.Date, r openapi.Rules) {
	if d.Before(r.MinDate) || d.After(r.MaxDate) {
		fs.Add(path, "date_out_of_range", fmt.Sprintf("%s must be from %s to %s", path, r.MinDate, r.MaxDate))
	}
}

// leafName is the last name of a JSON path: "service_categories[0].complexity_level" gives
// "complexity_level".
func leafName(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	if i := strings.IndexByte(path, '['); i >= 0 {
		path = path[:i]
	}
	return path
}
