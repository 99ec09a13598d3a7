package httpserver

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/apperr"
)

// MaxQueryLength bounds each query parameter value, in characters.
const MaxQueryLength = 2000

// MaxIdempotencyKeyLength bounds an Idempotency-Key, in characters.
const MaxIdempotencyKeyLength = 255

// refuseHostileInput checks what every request carries before any handler reads it: query
// parameter names and values must be valid UTF-8 without control characters (NUL included) and of
// bounded length, and an Idempotency-Key must be 1 to 255 visible ASCII characters. A refusal is a
// 400 naming the parameter or header, never a 500 from the database further in.
func refuseHostileInput() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := CheckQuery(c.Request().URL.RawQuery); err != nil {
				return err
			}
			if vs, ok := c.Request().Header[IdempotencyHeader]; ok {
				for _, v := range vs {
					if v == "" {
						continue // an empty header is no key, as the idempotency middleware reads it
					}
					if fe := CheckIdempotencyKey(v); fe != nil {
						return apperr.Invalid("invalid Idempotency-Key", *fe)
					}
				}
			}
			return next(c)
		}
	}
}

// CheckQuery validates a raw query string: it must decode, and every name and value must be valid
// UTF-8 without control characters, each value at most MaxQueryLength characters.
func CheckQuery(raw string) error {
	if raw == "" {
		return nil
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return apperr.Invalid("invalid query string", apperr.FieldError{Field: "", Code: "malformed_query",
			Message: "the query string is not correctly percent-encoded"})
	}
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	slices.Sort(names)
	var f apperr.Fields
	for _, k := range names {
		if code, msg := checkParam(k); code != "" {
			f.Add(printable(k), code, "the name of a query parameter "+msg)
			continue
		}
		for _, v := range values[k] {
			if code, msg := checkParam(v); code != "" {
				f.Add(k, code, k+" "+msg)
				break
			}
			if n := utf8.RuneCountInString(v); n > MaxQueryLength {
				f.Add(k, "too_long", k+" must be at most "+strconv.Itoa(MaxQueryLength)+" characters")
				break
			}
		}
	}
	return f.Err("invalid query parameters")
}

func checkParam(s string) (code, msg string) {
	if !utf8.ValidString(s) {
		return "invalid_utf8", "is not valid UTF-8 text"
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "nul_character", "must not contain the NUL character"
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "control_character", "must not contain control characters"
		}
	}
	return "", ""
}

// printable makes a name safe to echo back in a problem.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

// CheckIdempotencyKey validates an Idempotency-Key: 1 to 255 printable ASCII characters (letters,
// digits, punctuation and spaces, as a UUID or a random token is). It returns the field error, or nil.
func CheckIdempotencyKey(key string) *apperr.FieldError {
	if key == "" {
		return &apperr.FieldError{Field: IdempotencyHeader, Code: "invalid_idempotency_key", Message: "Idempotency-Key must not be empty"}
	}
	if len(key) > MaxIdempotencyKeyLength {
		return &apperr.FieldError{Field: IdempotencyHeader, Code: "invalid_idempotency_key",
			Message: "Idempotency-Key must be at most " + strconv.Itoa(MaxIdempotencyKeyLength) + " characters"}
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return &apperr.FieldError{Field: IdempotencyHeader, Code: "invalid_idempotency_key",
				Message: "Idempotency-Key must hold only printable ASCII characters (letters, digits, punctuation and spaces)"}
		}
	}
	return nil
}
