package money

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

	"sharemall/internal/errs"
)

// MulDivFloor returns floor(a × num / den) computed in 128 bits, so the
// product never overflows; only a quotient beyond int64 is an error. Every
// operand must be non-negative and den positive.
func MulDivFloor(a, num, den int64) (int64, error) {
	if a < 0 || num < 0 || den <= 0 {
		return 0, fmt.Errorf("money: bad operands %d × %d / %d", a, num, den)
	}
	hi, lo := bits.Mul64(uint64(a), uint64(num))
	if hi >= uint64(den) { // the quotient would not fit in 64 bits (and Div64 would panic)
		return 0, fmt.Errorf("money: overflow %d × %d / %d", a, num, den)
	}
	q, _ := bits.Div64(hi, lo, uint64(den))
	if q > math.MaxInt64 {
		return 0, fmt.Errorf("money: overflow %d × %d / %d", a, num, den)
	}
	return int64(q), nil
}

// Of returns floor(a × r) like MulFloor, but in 128 bits: it fails only for
// negative operands or a rate above 100% of an amount near the int64 limit.
func (r Rate) Of(a Amount) (Amount, error) {
	v, err := MulDivFloor(int64(a), int64(r), int64(MaxRate))
	return Amount(v), err
}

// Allocate splits total over parts in proportion to weights, to the cent:
// each part is first floor(total × weight / sum), then the cents left over go
// one each to the largest remainders, ties to the lower index. The result
// sums to total exactly, is the same for the same input, differs from the
// exact share by less than one cent, and never exceeds its weight when total
// does not exceed the sum of weights (a discount never makes a line negative).
func Allocate(total Amount, weights []Amount) ([]Amount, error) {
	if total < 0 {
		return nil, errs.Invalidf("total", "must not be negative")
	}
	var sum int64
	for i, w := range weights {
		if w < 0 {
			return nil, errs.Invalidf(fmt.Sprintf("weights[%d]", i), "must not be negative")
		}
		if sum > math.MaxInt64-int64(w) {
			return nil, errs.Invalidf("weights", "sum beyond %d minor units", int64(math.MaxInt64))
		}
		sum += int64(w)
	}
	parts := make([]Amount, len(weights))
	if sum == 0 {
		if total != 0 {
			return nil, errs.Invalidf("weights", "sum to zero, so %d cannot be allocated", total)
		}
		return parts, nil
	}
	rem := make([]uint64, len(weights))
	left := int64(total)
	for i, w := range weights {
		// w ≤ sum and total < 2^63, so hi < sum and the quotient fits.
		hi, lo := bits.Mul64(uint64(total), uint64(w))
		q, r := bits.Div64(hi, lo, uint64(sum))
		parts[i], rem[i] = Amount(q), r
		left -= int64(q)
	}
	if left == 0 {
		return parts, nil
	}
	// left < len(weights): the remainders sum to left × sum, each below sum,
	// so the first left indices by remainder all have a remainder above zero.
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if rem[a] != rem[b] {
			if rem[a] > rem[b] {
				return -1
			}
			return 1
		}
		return a - b
	})
	for _, i := range order[:left] {
		parts[i]++
	}
	return parts, nil
}
