package money

import (
	"math"
	"math/big"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"sharemall/internal/errs"
)

func TestMulDivFloor(t *testing.T) {
	for _, tc := range []struct {
		a, num, den, want int64
	}{
		{5997, 1000, 10000, 599},
		{0, 5, 7, 0},
		{7, 0, 3, 0},
		{10, 1, 3, 3},
		{math.MaxInt64, 10000, 10000, math.MaxInt64}, // the product is 128 bits wide, the quotient fits
		{math.MaxInt64, 2, 4, math.MaxInt64 / 2},
		{math.MaxInt64, math.MaxInt64, math.MaxInt64, math.MaxInt64},
	} {
		got, err := MulDivFloor(tc.a, tc.num, tc.den)
		if err != nil || got != tc.want {
			t.Errorf("MulDivFloor(%d, %d, %d) = %d, %v; want %d", tc.a, tc.num, tc.den, got, err, tc.want)
		}
	}
	for _, bad := range [][3]int64{
		{-1, 1, 1}, {1, -1, 1}, {1, 1, 0}, {1, 1, -1},
		{math.MaxInt64, 2, 1},             // quotient beyond int64
		{math.MaxInt64, math.MaxInt64, 1}, // quotient beyond 64 bits
	} {
		if got, err := MulDivFloor(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("MulDivFloor%v = %d; want error", bad, got)
		}
	}
	if got, err := Rate(10000).Of(math.MaxInt64); err != nil || got != math.MaxInt64 {
		t.Errorf("100%% of MaxInt64 = %d, %v", got, err)
	}
	if _, err := Rate(-1).Of(5); err == nil {
		t.Error("negative rate accepted")
	}
}

func TestMulDivFloorMatchesBig(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.Int64Range(0, math.MaxInt64).Draw(t, "a")
		num := rapid.Int64Range(0, math.MaxInt64).Draw(t, "num")
		den := rapid.Int64Range(1, math.MaxInt64).Draw(t, "den")
		want := new(big.Int).Mul(big.NewInt(a), big.NewInt(num))
		want.Quo(want, big.NewInt(den))
		got, err := MulDivFloor(a, num, den)
		if !want.IsInt64() {
			if err == nil {
				t.Fatalf("MulDivFloor(%d, %d, %d) = %d; want overflow", a, num, den, got)
			}
			return
		}
		if err != nil || got != want.Int64() {
			t.Fatalf("MulDivFloor(%d, %d, %d) = %d, %v; want %s", a, num, den, got, err, want)
		}
	})
}

func TestAllocate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		total   Amount
		weights []Amount
		want    []Amount
	}{
		{"even", 100, []Amount{1, 1, 1, 1}, []Amount{25, 25, 25, 25}},
		{"tie goes to the lower index", 100, []Amount{1, 1, 1}, []Amount{34, 33, 33}},
		{"largest remainder", 10, []Amount{3, 3, 4}, []Amount{3, 3, 4}},
		{"largest remainder wins over index", 5, []Amount{1, 2, 4}, []Amount{1, 1, 3}},
		{"discount on lines", 500, []Amount{1999, 5997, 1000}, []Amount{111, 333, 56}},
		{"whole discount", 8996, []Amount{1999, 5997, 1000}, []Amount{1999, 5997, 1000}},
		{"zero weight gets nothing", 7, []Amount{0, 3, 0, 4}, []Amount{0, 3, 0, 4}},
		{"zero total", 0, []Amount{5, 6}, []Amount{0, 0}},
		{"all weights zero, nothing to share", 0, []Amount{0, 0}, []Amount{0, 0}},
		{"no lines, nothing to share", 0, nil, []Amount{}},
		{"huge values do not overflow", math.MaxInt64, []Amount{math.MaxInt64 - 1, 1}, []Amount{math.MaxInt64 - 1, 1}},
		{"total above weights", 10, []Amount{1, 1}, []Amount{5, 5}},
	} {
		got, err := Allocate(tc.total, tc.weights)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: Allocate(%d, %v) = %v, %v; want %v", tc.name, tc.total, tc.weights, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		name    string
		total   Amount
		weights []Amount
		field   string
	}{
		{"negative total", -1, []Amount{1}, "total"},
		{"negative weight", 1, []Amount{1, -2}, "weights[1]"},
		{"nothing to weigh", 1, []Amount{0, 0}, "weights"},
		{"no lines", 1, nil, "weights"},
		{"weights overflow", 1, []Amount{math.MaxInt64, 1}, "weights"},
	} {
		got, err := Allocate(tc.total, tc.weights)
		if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tc.field {
			t.Errorf("%s: Allocate(%d, %v) = %v, %v; want invalid %s", tc.name, tc.total, tc.weights, got, err, tc.field)
		}
	}
}

func TestAllocateProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		max := rapid.SampledFrom([]int64{10, 1_000_000, math.MaxInt64 / 64}).Draw(t, "scale")
		weights := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) Amount {
			return Amount(rapid.Int64Range(0, max).Draw(t, "w"))
		}), 1, 40).Draw(t, "weights")
		var sum int64
		for _, w := range weights {
			sum += int64(w)
		}
		if sum == 0 {
			weights[0], sum = 1, 1
		}
		var total Amount
		if rapid.Bool().Draw(t, "within") {
			total = Amount(rapid.Int64Range(0, sum).Draw(t, "total"))
		} else {
			total = Amount(rapid.Int64Range(0, math.MaxInt64).Draw(t, "total"))
		}

		parts, err := Allocate(total, weights)
		if err != nil {
			t.Fatalf("Allocate(%d, %v): %v", total, weights, err)
		}
		again, _ := Allocate(total, slices.Clone(weights))
		if !slices.Equal(parts, again) {
			t.Fatalf("not deterministic: %v then %v", parts, again)
		}
		got := new(big.Int)
		bigSum, bigTotal := big.NewInt(sum), big.NewInt(int64(total))
		for i, p := range parts {
			got.Add(got, big.NewInt(int64(p)))
			if p < 0 {
				t.Fatalf("part %d is negative: %d", i, p)
			}
			if int64(total) <= sum && p > weights[i] {
				t.Fatalf("part %d = %d exceeds its weight %d", i, p, weights[i])
			}
			// |p − total×w/W| < 1  ⇔  |p×W − total×w| < W
			diff := new(big.Int).Mul(big.NewInt(int64(p)), bigSum)
			diff.Sub(diff, new(big.Int).Mul(bigTotal, big.NewInt(int64(weights[i]))))
			if diff.CmpAbs(bigSum) >= 0 {
				t.Fatalf("part %d = %d is a cent or more from %d × %d / %d", i, p, total, weights[i], sum)
			}
		}
		if got.Cmp(bigTotal) != 0 {
			t.Fatalf("parts %v sum to %s, want %d", parts, got, total)
		}
	})
}
