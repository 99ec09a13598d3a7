// Package money holds amounts of money as whole pence. Amounts never pass through floating point:
// arithmetic is on int64 and the only formatting is at the edges (GBP strings for people).
package money

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Pence is an amount of money in whole pence (GBP minor units).
type Pence int64

// Pounds returns the amount for a whole number of pounds.
func Pounds(p int64) Pence { return Pence(p * 100) }

// String formats the amount as GBP with thousands separators, e.g. "£38,333.37" or "-£160,000.00".
func (p Pence) String() string {
	neg := p < 0
	v := int64(p)
	if neg {
		v = -v
	}
	pounds := strconv.FormatInt(v/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString("£")
	for i, r := range pounds {
		if i > 0 && (len(pounds)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	fmt.Fprintf(&b, ".%02d", v%100)
	return b.String()
}

// MulDivFloor returns p * num / den rounded down (towards negative infinity) without overflow for the
// magnitudes the platform handles (contract values up to tens of millions of pounds, day counts).
// It panics when den is zero, which is a programming error.
func (p Pence) MulDivFloor(num, den int64) Pence {
	if den == 0 {
		panic("money: division by zero")
	}
	n := int64(p) * num
	if num != 0 && (n/num != int64(p) || (num == -1 && int64(p) == math.MinInt64)) {
		// The product overflows 64 bits: divide in big integers instead, rounding down.
		prod := new(big.Int).Mul(big.NewInt(int64(p)), big.NewInt(num))
		q, m := new(big.Int).QuoRem(prod, big.NewInt(den), new(big.Int))
		if m.Sign() != 0 && (m.Sign() < 0) != (den < 0) {
			q.Sub(q, big.NewInt(1))
		}
		return Pence(q.Int64())
	}
	q := n / den
	if (n%den != 0) && ((n < 0) != (den < 0)) {
		q--
	}
	return Pence(q)
}

// Mul returns p * n and true, or false when the product does not fit in 64 bits.
func (p Pence) Mul(n int64) (Pence, bool) {
	if p == 0 || n == 0 {
		return 0, true
	}
	r := int64(p) * n
	if r/n != int64(p) || (n == -1 && int64(p) == math.MinInt64) {
		return 0, false
	}
	return Pence(r), true
}

// Add returns p + q and true, or false when the sum does not fit in 64 bits.
func (p Pence) Add(q Pence) (Pence, bool) {
	r := p + q
	if (q > 0 && r < p) || (q < 0 && r > p) {
		return 0, false
	}
	return r, true
}
