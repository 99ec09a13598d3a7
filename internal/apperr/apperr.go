// Package apperr defines the errors the platform's services return: each carries a kind (invalid,
// not found, conflict, ...), a stable machine-readable code and, for invalid input, per-field errors.
// The HTTP layer maps kinds to statuses and renders them as application/problem+json.
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error for callers and for the HTTP mapping.
type Kind int

// The kinds of error a service may return.
const (
	KindInternal Kind = iota
	KindInvalid
	KindNotFound
	KindConflict
	KindUnauthenticated
	KindForbidden
	KindPreconditionFailed
	KindPreconditionRequired
	KindUnprocessable
	KindTooManyRequests
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindNotFound:
		return "not_found"
	case KindConflict:
		return "conflict"
	case KindUnauthenticated:
		return "unauthenticated"
	case KindForbidden:
		return "forbidden"
	case KindPreconditionFailed:
		return "precondition_failed"
	case KindPreconditionRequired:
		return "precondition_required"
	case KindUnprocessable:
		return "unprocessable"
	case KindTooManyRequests:
		return "too_many_requests"
	default:
		return "internal"
	}
}

// FieldError is one problem with one input field. Field is the JSON path of the field
// (for example "bands[2].low"), Code a stable snake_case code, Message a sentence for people.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error is a service error with a kind, a code and optional field errors.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Fields  []FieldError
	// RetryAfterSeconds, when positive, tells the client when to try again (throttling).
	RetryAfterSeconds int
	Err               error
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %s", f.Field, f.Code)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the wrapped cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Invalid returns an error for input that breaks a rule, with its field errors.
func Invalid(message string, fields ...FieldError) *Error {
	return &Error{Kind: KindInvalid, Code: "validation_failed", Message: message, Fields: fields}
}

// NotFound returns the error for a record that does not exist or is outside the caller's scope.
func NotFound(entity string) *Error {
	return &Error{Kind: KindNotFound, Code: "not_found", Message: entity + " not found"}
}

// Conflict returns an error for a request that clashes with the current state.
func Conflict(code, message string) *Error {
	return &Error{Kind: KindConflict, Code: code, Message: message}
}

// Unprocessable returns an error for a well-formed request that cannot be processed as asked.
func Unprocessable(code, message string) *Error {
	return &Error{Kind: KindUnprocessable, Code: code, Message: message}
}

// Unauthenticated returns the error for a request without valid credentials.
func Unauthenticated(message string) *Error {
	return &Error{Kind: KindUnauthenticated, Code: "unauthenticated", Message: message}
}

// Forbidden returns the error for an action the caller may see but not perform.
func Forbidden(code, message string) *Error {
	return &Error{Kind: KindForbidden, Code: code, Message: message}
}

// PreconditionFailed returns the error for a stale If-Match version.
func PreconditionFailed(message string) *Error {
	return &Error{Kind: KindPreconditionFailed, Code: "version_mismatch", Message: message}
}

// PreconditionRequired returns the error for an update sent without If-Match.
func PreconditionRequired(message string) *Error {
	return &Error{Kind: KindPreconditionRequired, Code: "if_match_required", Message: message}
}

// TooManyRequests returns a throttling error telling the client when to retry.
func TooManyRequests(code, message string, retryAfterSeconds int) *Error {
	return &Error{Kind: KindTooManyRequests, Code: code, Message: message, RetryAfterSeconds: retryAfterSeconds}
}

// As returns err as an *Error when it is one (or wraps one).
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// KindOf returns the kind of err, KindInternal when err is not an *Error.
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	return KindInternal
}

// IsNotFound reports whether err is a not-found error.
func IsNotFound(err error) bool { return KindOf(err) == KindNotFound }

// Fields collects field errors while validating input; its zero value is ready to use.
type Fields struct {
	list []FieldError
}

// Add records a field error.
func (f *Fields) Add(field, code, message string) {
	f.list = append(f.list, FieldError{Field: field, Code: code, Message: message})
}

// Check records a field error when ok is false, and returns ok.
func (f *Fields) Check(ok bool, field, code, message string) bool {
	if !ok {
		f.Add(field, code, message)
	}
	return ok
}

// Merge appends the field errors of another collector, prefixing their fields.
func (f *Fields) Merge(prefix string, other []FieldError) {
	for _, e := range other {
		if prefix != "" {
			if strings.HasPrefix(e.Field, "[") {
				e.Field = prefix + e.Field
			} else {
				e.Field = prefix + "." + e.Field
			}
		}
		f.list = append(f.list, e)
	}
}

// Has reports whether the given field already has an error.
func (f *Fields) Has(field string) bool {
	for _, e := range f.list {
		if e.Field == field {
			return true
		}
	}
	return false
}

// List returns the collected field errors.
func (f *Fields) List() []FieldError { return f.list }

// Err returns an Invalid error holding the collected field errors, or nil when there are none.
func (f *Fields) Err(message string) error {
	if len(f.list) == 0 {
		return nil
	}
	return Invalid(message, f.list...)
}

// Taken is the conflict (409) of a value another record already has (a unique reference, name or
// email, a supplier already in the supply chain): code is both the problem's code and the field
// error's, so that a client finds the field as it would a validation error.
func Taken(field, code, message string) *Error {
	return &Error{Kind: KindConflict, Code: code, Message: message, Fields: []FieldError{{Field: field, Code: code, Message: message}}}
}
