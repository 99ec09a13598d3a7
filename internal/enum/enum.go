// Package enum parses the string enumerations of the domains with one rule: each value has one
// spelling, the one the database stores, accepted alike in request bodies and query parameters
// (docs/ARCHITECTURE.md, "Write protocol"); anything else is invalid input naming the field.
package enum

import (
	"fmt"
	"strings"

	"github.com/crsplatform/crs/internal/apperr"
)

// Parse returns the value of values spelt exactly s. Anything else is an invalid error with one
// field error (field, code) that lists the spellings.
func Parse[T ~string](field, code, s string, values ...T) (T, error) {
	for _, v := range values {
		if string(v) == s {
			return v, nil
		}
	}
	return "", apperr.Invalid("unknown "+strings.ReplaceAll(field, "_", " "), apperr.FieldError{Field: field, Code: code,
		Message: fmt.Sprintf("%s must be %s; got %q.", field, List(values...), s)})
}

// ParseOr is Parse with a default: "" is def.
func ParseOr[T ~string](field, code, s string, def T, values ...T) (T, error) {
	if s == "" {
		return def, nil
	}
	return Parse(field, code, s, values...)
}

// List joins the spellings for people: "A", "A or B", "A, B or C".
func List[T ~string](values ...T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
