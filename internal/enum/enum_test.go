package enum_test

import (
	"testing"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/enum"
)

type colour string

func TestParse(t *testing.T) {
	t.Parallel()
	values := []colour{"RED", "AMBER", "GREEN"}
	for _, tc := range []struct {
		in   string
		want colour
		ok   bool
	}{
		{"RED", "RED", true}, {"GREEN", "GREEN", true}, {"red", "", false}, {" RED", "", false}, {"", "", false}, {"BLUE", "", false},
	} {
		got, err := enum.Parse("colour", "invalid_colour", tc.in, values...)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("Parse(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
		if err == nil {
			continue
		}
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "colour" || e.Fields[0].Code != "invalid_colour" {
			t.Errorf("Parse(%q) error = %#v", tc.in, err)
		}
		if want := `colour must be RED, AMBER or GREEN; got "` + tc.in + `".`; e.Fields[0].Message != want {
			t.Errorf("message %q, want %q", e.Fields[0].Message, want)
		}
	}
	if got, err := enum.ParseOr("colour", "invalid_colour", "", "AMBER", values...); got != "AMBER" || err != nil {
		t.Errorf("ParseOr empty = %q, %v", got, err)
	}
	if got := enum.List[colour]("A", "B"); got != "A or B" {
		t.Errorf("List = %q", got)
	}
}
