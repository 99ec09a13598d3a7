package opt_test

import (
	"testing"

	"github.com/crsplatform/crs/internal/opt"
)

func TestOpt(t *testing.T) {
	t.Parallel()
	if opt.String("") != nil {
		t.Error(`String("") is not nil`)
	}
	if p := opt.String("x"); p == nil || *p != "x" {
		t.Errorf(`String("x") = %v`, p)
	}
	if got := opt.Value[string](nil); got != "" {
		t.Errorf("Value(nil) = %q", got)
	}
	if got := opt.Value(opt.Of(7)); got != 7 {
		t.Errorf("Value(Of(7)) = %d", got)
	}
}
