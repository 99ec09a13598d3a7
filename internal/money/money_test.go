package money

import "testing"

func TestPenceString(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   Pence
		want string
	}{
		{0, "£0.00"},
		{5, "£0.05"},
		{3833337, "£38,333.37"},
		{-16000000, "-£160,000.00"},
		{100000000, "£1,000,000.00"},
	}
	for _, c := range cases {
		if got := c.in.String(); got != c.want {
			t.Errorf("Pence(%d).String() = %q, want %q", int64(c.in), got, c.want)
		}
	}
}

func TestMulDivFloor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		p        Pence
		num, den int64
		want     Pence
	}{
		{46000000, 1, 12, 3833333},
		{73000000, 100, 365, 20000000},
		{100, 1, 3, 33},
		{-100, 1, 3, -34},
	}
	for _, c := range cases {
		if got := c.p.MulDivFloor(c.num, c.den); got != c.want {
			t.Errorf("%d*%d/%d = %d, want %d", c.p, c.num, c.den, got, c.want)
		}
	}
}
