package httpserver

import (
	"strings"
	"testing"

	"github.com/crsplatform/crs/internal/apperr"
)

type bindCategory struct {
	Code  string  `json:"service_category_code" maxLength:"50"`
	Level *string `json:"complexity_level,omitempty" enum:"LOW,MEDIUM,HIGH"`
}

type bindPatch struct {
	fuzzSlot
	Categories Nullable[[]bindCategory] `json:"service_categories,omitempty" maxItems:"3"`
	Born       Nullable[string]         `json:"date_of_birth,omitempty" format:"date" minDate:"1900-01-01"`
	Supplier   string                   `json:"supplier_id,omitempty" maxLength:"36"`
}

// TestDecodeStrictNamesTheField checks each refusal names the field as a JSON path with a
// specific code, and that the fields of an unexported embedded struct bind.
func TestDecodeStrictNamesTheField(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, body, field, code string
	}{
		{"a wrong shape inside a list", `{"service_categories":[1]}`, "service_categories[0]", "invalid_type"},
		{"a list where an object list is wanted", `{"service_categories":"x"}`, "service_categories", "invalid_type"},
		{"a key in another case", `{"SUPPLIER_ID":"x"}`, "SUPPLIER_ID", "unknown_field"},
		{"a nested key in another case", `{"service_categories":[{"Service_Category_Code":"A"}]}`, "service_categories[0].Service_Category_Code", "unknown_field"},
		{"a NUL in a string", `{"supplier_id":"a\u0000"}`, "supplier_id", "nul_character"},
		{"invalid UTF-8 in a string", "{\"supplier_id\":\"\xff\"}", "supplier_id", "invalid_utf8"},
		{"a null body", `null`, "", "body_required"},
		{"an empty body", ` `, "", "body_required"},
		{"a number beyond 64 bits", `{"duration_minutes":92233720368547758070}`, "duration_minutes", "out_of_range"},
		{"a number beyond its range", `{"duration_minutes":601}`, "duration_minutes", "out_of_range"},
		{"a date in year 0", `{"duration_minutes":60,"date_of_birth":"0000-01-01"}`, "date_of_birth", "date_out_of_range"},
		{"too long a string", `{"duration_minutes":60,"supplier_id":"` + strings.Repeat("x", 37) + `"}`, "supplier_id", "too_long"},
		{"too many items", `{"duration_minutes":60,"service_categories":[{},{},{},{}]}`, "service_categories", "too_many_items"},
		{"a value outside the enum", `{"duration_minutes":60,"service_categories":[{"complexity_level":"EXTREME"}]}`, "service_categories[0].complexity_level", "invalid_complexity_level"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var dst bindPatch
			err := DecodeStrict([]byte(c.body), &dst)
			ae, ok := apperr.As(err)
			if !ok || ae.Kind != apperr.KindInvalid || len(ae.Fields) == 0 {
				t.Fatalf("got %v, want an invalid error", err)
			}
			if f := ae.Fields[0]; f.Field != c.field || f.Code != c.code {
				t.Fatalf("got %s %s (%s), want %s %s", f.Field, f.Code, f.Message, c.field, c.code)
			}
		})
	}
	t.Run("the fields of an unexported embedded struct bind", func(t *testing.T) {
		t.Parallel()
		var dst bindPatch
		err := DecodeStrict([]byte(`{"starts_at":"2026-03-10T14:00:00Z","duration_minutes":60,"method":"PHONE"}`), &dst)
		if err != nil || dst.StartsAt == "" || dst.Minutes != 60 || dst.Method != "PHONE" {
			t.Fatalf("%v %+v", err, dst)
		}
	})
}
