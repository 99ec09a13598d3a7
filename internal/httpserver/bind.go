package httpserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/apperr"
)

// BindJSON decodes the JSON request body into dst strictly: the content type must be JSON, unknown
// fields are refused naming the field, type mismatches name the field, and there must be exactly
// one JSON value. Bind into handler-local request structs, never into domain or row structs.
func BindJSON(c echo.Context, dst any) error {
	req := c.Request()
	ct := req.Header.Get(echo.HeaderContentType)
	mt, _, _ := mime.ParseMediaType(ct)
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return &apperr.Error{Kind: apperr.KindInvalid, Code: "unsupported_media_type",
			Message: "the request body must be JSON (Content-Type: application/json)"}
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "the request body is too large")
		}
		return &apperr.Error{Kind: apperr.KindInvalid, Code: "unreadable_body", Message: "the request body could not be read"}
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	return DecodeStrict(body, dst)
}

// DecodeStrict decodes a JSON body into dst as BindJSON does, without the HTTP request: the body
// must be one JSON value of the right shape (keys matched exactly, valid UTF-8, no NUL, numbers
// that fit), not null, and the decoded value must keep the rules of dst's tags (see Validate).
func DecodeStrict(body []byte, dst any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return apperr.Invalid("the request body is empty", apperr.FieldError{Field: "", Code: "body_required", Message: "a JSON body is required"})
	}
	if string(trimmed) == "null" {
		return apperr.Invalid("the request body is null", apperr.FieldError{Field: "", Code: "body_required", Message: "a JSON object is required, not null"})
	}
	if !json.Valid(trimmed) {
		if !utf8.Valid(trimmed) {
			return apperr.Invalid("the request body is not valid UTF-8",
				apperr.FieldError{Field: "", Code: "invalid_utf8", Message: "the body is not valid UTF-8 text"})
		}
		return apperr.Invalid("the request body is not valid JSON", apperr.FieldError{Field: "", Code: "malformed_json", Message: "the body must be a single JSON value"})
	}
	if fe := checkShape("", trimmed, reflect.TypeOf(dst).Elem()); fe != nil {
		return apperr.Invalid("the request body has an invalid field", *fe)
	}
	if !utf8.Valid(trimmed) {
		return apperr.Invalid("the request body is not valid UTF-8",
			apperr.FieldError{Field: "", Code: "invalid_utf8", Message: "the body is not valid UTF-8 text"})
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return bindError(err)
	}
	return Validate(dst)
}

func bindError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apperr.Invalid("the request body has the wrong shape",
				apperr.FieldError{Field: "", Code: "invalid_type", Message: "the body must be a JSON " + jsonKind(typ.Type.Kind().String())})
		}
		return apperr.Invalid("a field has the wrong type",
			apperr.FieldError{Field: field, Code: "invalid_type", Message: field + " must be " + article(jsonKind(typ.Type.Kind().String()))})
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalid("the request body is not valid JSON", apperr.FieldError{Field: "", Code: "malformed_json", Message: "the body is not valid JSON"})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Invalid("the request body has an unknown field",
			apperr.FieldError{Field: field, Code: "unknown_field", Message: "unknown field " + field})
	}
	// A custom unmarshaller refused a value; its message says which and why.
	return apperr.Invalid("a field has an invalid value", apperr.FieldError{Field: "", Code: "invalid_value", Message: err.Error()})
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "whole number"
	case "float32", "float64":
		return "number"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	default:
		return goKind
	}
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}
