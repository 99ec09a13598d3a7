package httpserver

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/internal/page"
)

// fuzzSlot and fuzzBody mirror the shapes of the platform's request structs: an unexported
// embedded struct, nullable PATCH fields, lists of objects, enums, dates, money and ranges.
type fuzzSlot struct {
	StartsAt string `json:"starts_at" maxLength:"40"`
	Minutes  int    `json:"duration_minutes" minimum:"5" maximum:"600"`
	Method   string `json:"method" enum:"PHONE,VIDEO,IN_PERSON"`
}

type fuzzItem struct {
	Code  string  `json:"code" maxLength:"50"`
	Level *string `json:"level,omitempty" enum:"LOW,MEDIUM,HIGH"`
}

type fuzzBody struct {
	fuzzSlot
	SupplierID string                      `json:"supplier_id" format:"uuid"`
	Name       Nullable[string]            `json:"name,omitempty" maxLength:"100"`
	Born       Nullable[string]            `json:"born,omitempty" format:"date" minDate:"1900-01-01"`
	Items      Nullable[[]fuzzItem]        `json:"items,omitempty" maxItems:"20"`
	Amount     *int64                      `json:"amount_pence" minimum:"1" maximum:"maxPence"`
	Tags       []string                    `json:"tags,omitempty" maxItems:"5" maxLength:"10"`
	On         calendar.Date               `json:"on,omitzero"`
	Counts     map[string]int              `json:"counts,omitempty" maxItems:"3"`
	Extra      Nullable[map[string]string] `json:"extra,omitempty"`
}

var bodySeeds = []string{
	`{"supplier_id":"x","duration_minutes":60,"method":"PHONE","starts_at":"2026-03-10T14:00:00Z"}`,
	`{"supplier_id":"a\u0000b"}`,
	"{\"supplier_id\":\"\xff\xfe\"}",
	`{"SUPPLIER_ID":"x"}`,
	`{"Supplier_Id":"x"}`,
	`null`,
	``,
	`[]`,
	`{"amount_pence":1e30}`,
	`{"amount_pence":9223372036854775808}`,
	`{"amount_pence":-1}`,
	`{"duration_minutes":2147483648}`,
	`{"born":"0000-01-01"}`,
	`{"born":"9999-12-31"}`,
	`{"on":"0000-01-01"}`,
	`{"items":"x"}`,
	`{"items":[{"code":1}]}`,
	`{"items":[{"level":"EXTREME"}]}`,
	`{"items":[{"CODE":"x"}]}`,
	`{"tags":["` + strings.Repeat("x", 11) + `"]}`,
	`{"tags":[1,2,3,4,5,6]}`,
	`{"name":"` + strings.Repeat("n", 101) + `"}`,
	`{"counts":{"a":1,"b":2,"c":3,"d":4}}`,
	`{"extra":{"k\u0000":"v"}}`,
	`{"method":"phone"}`,
	`{} {}`,
	`{"a":`,
}

// FuzzDecodeStrict checks that the JSON binder never panics and that whatever it accepts keeps
// the rules: no NUL, valid UTF-8, values within their documented limits.
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var dst fuzzBody
		err := DecodeStrict(body, &dst)
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("refusal is not an application error: %v", err)
			}
			return
		}
		for _, s := range []string{dst.SupplierID, dst.StartsAt, dst.Method} {
			if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
				t.Fatalf("accepted %q", s)
			}
		}
		if dst.Minutes != 0 && (dst.Minutes < 5 || dst.Minutes > 600) {
			t.Fatalf("accepted duration %d", dst.Minutes)
		}
		if dst.Amount != nil && (*dst.Amount < 1 || *dst.Amount > 100_000_000_000) {
			t.Fatalf("accepted amount %d", *dst.Amount)
		}
		if !dst.On.IsZero() && (dst.On.Year() < 2000 || dst.On.Year() > 2099) {
			t.Fatalf("accepted date %s", dst.On)
		}
		if dst.Items.Value != nil && len(*dst.Items.Value) > 20 {
			t.Fatalf("accepted %d items", len(*dst.Items.Value))
		}
	})
}

// FuzzCheckQuery checks that the query check never panics and refuses NUL, control characters
// and invalid UTF-8 in every name and value.
func FuzzCheckQuery(f *testing.F) {
	for _, s := range []string{"q=abc", "q=%00", "q=%FF%FE", "q=a%01b", "%00=x", "q=%zz", "as_of=0000-01-01",
		"limit=99999999999999999999", "cursor=eyJhIjoiXHUwMDAwIn0", "q=" + strings.Repeat("x", 2001), "a=1&a=2&a=%00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		err := CheckQuery(raw)
		if err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Kind != apperr.KindInvalid {
				t.Fatalf("refusal is not invalid: %v", err)
			}
			return
		}
		if strings.Contains(raw, "%00") || strings.Contains(raw, "%01") {
			t.Fatalf("accepted %q", raw)
		}
	})
}

// FuzzIdempotencyKey checks that accepted keys are 1 to 255 printable ASCII characters.
func FuzzIdempotencyKey(f *testing.F) {
	for _, s := range []string{"01938c2e-7a3b-7cc0-9d1e-2f3a4b5c6d7e", "", "\xff\xfe", "a\x00b", "a\x01b", strings.Repeat("k", 256), "create-Test Supplier"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if CheckIdempotencyKey(key) != nil {
			return
		}
		if key == "" || len(key) > MaxIdempotencyKeyLength {
			t.Fatalf("accepted a key of %d bytes", len(key))
		}
		for i := 0; i < len(key); i++ {
			if key[i] < 0x20 || key[i] > 0x7e {
				t.Fatalf("accepted %q", key)
			}
		}
	})
}

// FuzzParseDate checks that accepted dates lie within the platform's bounds and read back as sent.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-03-10", "0000-01-01", "9999-12-31", "2025-02-29", "1899-12-31", "1900-01-01", "2099-12-31", "2100-01-01", "+2026-01-01", "2026-1-1", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.Before(MinDate) || d.After(MaxDate) || d.String() != s {
			t.Fatalf("accepted %q as %s", s, d)
		}
	})
}

// FuzzCursor checks that a cursor from a client never panics the decoder and never carries a NUL
// or invalid UTF-8 into a query.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{page.Encode(map[string]any{"k": "x", "n": 1}), "eyJhIjoiXHUwMDAwIn0", "////", "e30", "bnVsbA", "W10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		var key struct {
			K string `json:"k"`
			N int64  `json:"n"`
		}
		ok, err := page.Decode(cursor, &key)
		if err != nil || !ok {
			return
		}
		if strings.IndexByte(key.K, 0) >= 0 || !utf8.ValidString(key.K) {
			t.Fatalf("cursor %q decoded to %q", cursor, key.K)
		}
	})
}

// FuzzPriceArithmetic checks that checked money arithmetic either gives the exact product and sum
// or says it overflowed, never a wrapped figure.
func FuzzPriceArithmetic(f *testing.F) {
	f.Add(int64(125_000), int64(240), int64(0))
	f.Add(int64(100_000_000_000), int64(1_000_000), int64(1))
	f.Add(int64(9_223_372_036_854_775_807), int64(2), int64(0))
	f.Add(int64(-9_223_372_036_854_775_808), int64(-1), int64(5))
	f.Fuzz(func(t *testing.T, unit, count, carry int64) {
		p, ok := money.Pence(unit).Mul(count)
		if ok && count != 0 && (int64(p)/count != unit || int64(p)%count != 0) {
			t.Fatalf("%d x %d gave %d", unit, count, p)
		}
		s, ok := p.Add(money.Pence(carry))
		if ok && int64(s)-carry != int64(p) {
			t.Fatalf("%d + %d gave %d", p, carry, s)
		}
	})
}

// FuzzEnum checks that an enum rule accepts only its values (in any letter case).
func FuzzEnum(f *testing.F) {
	for _, s := range []string{"PHONE", "phone", "Phone ", "FAX", "", "\x00", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := Validate(&fuzzSlot{Method: s, Minutes: 60})
		known := false
		for _, v := range []string{"PHONE", "VIDEO", "IN_PERSON"} {
			known = known || strings.EqualFold(strings.TrimSpace(s), v)
		}
		if (err == nil) != (known || s == "") {
			t.Fatalf("method %q: %v", s, err)
		}
	})
}
