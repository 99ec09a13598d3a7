package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/apperr"
)

// FieldError is one message for one form field. ID is the id of the input the error summary links
// to (for a date, its day input).
type FieldError struct {
	Field   string
	ID      string
	Message string
}

// Errors are a form's errors in the order the summary lists them.
type Errors struct {
	list []FieldError
}

// Add records a message for a form field whose input has the id.
func (e *Errors) Add(field, id, message string) {
	e.list = append(e.list, FieldError{Field: field, ID: id, Message: message})
}

// Any reports whether there is at least one error.
func (e Errors) Any() bool { return len(e.list) > 0 }

// List returns the errors for the summary.
func (e Errors) List() []FieldError { return e.list }

// For returns the first message of a form field, "" when it has none.
func (e Errors) For(field string) string {
	for _, f := range e.list {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// FormFields map the services' field names to the form's: an apperr field (a JSON path such as
// "person.date_of_birth") becomes the form field (and input id) given here; a field not listed
// keeps its own name with dots and brackets turned into hyphens.
type FormFields map[string]string

func (m FormFields) formName(apiField string) string {
	if n, ok := m[apiField]; ok {
		return n
	}
	r := strings.NewReplacer(".", "-", "[", "-", "]", "")
	return r.Replace(apiField)
}

// ErrorsFrom turns a service's invalid error into form errors, each message taken from the one
// message table (Message), so that no page shows a raw code. It returns false when err is not an
// invalid error with field errors: the caller returns err and the error page takes over.
// subject names the thing the form is about in messages that read better with it ("the person").
func ErrorsFrom(err error, fields FormFields) (Errors, bool) {
	ae, ok := apperr.As(err)
	if !ok || (ae.Kind != apperr.KindInvalid && ae.Kind != apperr.KindUnprocessable && ae.Kind != apperr.KindConflict) {
		return Errors{}, false
	}
	var out Errors
	if len(ae.Fields) == 0 {
		out.Add("", "", Message("", ae.Code, ae.Message))
		return out, true
	}
	for _, f := range ae.Fields {
		name := fields.formName(f.Field)
		id := name
		if isDateField(f.Field) {
			id = name + "-day"
		}
		out.Add(name, id, Message(f.Field, f.Code, f.Message))
	}
	return out, true
}

func isDateField(field string) bool {
	return strings.HasSuffix(field, "date") || strings.HasSuffix(field, "_on") || strings.HasSuffix(field, "deadline") ||
		strings.HasSuffix(field, "date_of_birth")
}

// Flash is a one-time message shown on the next page after a redirect (a success banner).
type Flash struct {
	Heading string
	Text    string
}

const flashCookie = "crs_flash"

// SetFlash stores a message for the next page the browser loads (POST-redirect-GET).
func SetFlash(c echo.Context, f Flash) {
	v := url.Values{"h": {f.Heading}, "t": {f.Text}}
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: v.Encode(), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Expires: time.Now().Add(5 * time.Minute)})
}

// takeFlash reads and clears the flash message.
func takeFlash(c echo.Context) (Flash, bool) {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return Flash{}, false
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	v, err := url.ParseQuery(ck.Value)
	if err != nil || (v.Get("h") == "" && v.Get("t") == "") {
		return Flash{}, false
	}
	return Flash{Heading: v.Get("h"), Text: v.Get("t")}, true
}
