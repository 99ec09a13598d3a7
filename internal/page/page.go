// Package page implements keyset (cursor) pagination: lists answer {"items": [...], "next_cursor": ...}
// and the cursor is an opaque token encoding the sort key of the last item returned.
package page

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/crsplatform/crs/internal/apperr"
)

// DefaultLimit and MaxLimit bound the page size.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Params are a list request's paging inputs.
type Params struct {
	Limit  int
	Cursor string
}

// Page is one page of a list.
type Page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// ParseLimit parses the limit query value ("" means the default).
func ParseLimit(s string) (int, error) {
	if s == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, apperr.Invalid("invalid paging", apperr.FieldError{Field: "limit", Code: "invalid_limit",
			Message: "limit must be a whole number from 1 to " + strconv.Itoa(MaxLimit)})
	}
	return n, nil
}

// Encode makes an opaque cursor from a sort key.
func Encode(key any) string {
	b, err := json.Marshal(key)
	if err != nil {
		panic(err) // cursor keys are plain structs of strings, numbers and times
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode reads a cursor into key; an empty cursor leaves key untouched and returns false.
func Decode(cursor string, key any) (bool, error) {
	if cursor == "" {
		return false, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err == nil && (!utf8.Valid(b) || bytes.Contains(b, []byte(`\u0000`))) {
		err = errors.New("cursor holds text this server never issues")
	}
	if err == nil {
		err = json.Unmarshal(b, key)
	}
	if err != nil {
		return false, apperr.Invalid("invalid paging", apperr.FieldError{Field: "cursor", Code: "invalid_cursor",
			Message: "cursor is not one this server issued"})
	}
	return true, nil
}

// Build makes a page from rows fetched with limit+1: the extra row only signals that there is more.
func Build[T any](rows []T, limit int, keyOf func(T) any) Page[T] {
	p := Page[T]{Items: rows}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(rows) > limit {
		p.Items = rows[:limit]
		c := Encode(keyOf(rows[limit-1]))
		p.NextCursor = &c
	}
	return p
}

// Map converts a page's items.
func Map[T, U any](p Page[T], f func(T) U) Page[U] {
	out := Page[U]{Items: make([]U, len(p.Items)), NextCursor: p.NextCursor}
	for i, it := range p.Items {
		out.Items[i] = f(it)
	}
	return out
}
