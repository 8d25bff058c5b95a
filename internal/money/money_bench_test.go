package money

import (
	"strconv"
	"testing"
)

var sinkAmount Amount

func BenchmarkMulFloor(b *testing.B) {
	b.Run("MulFloor", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			v, err := Rate(1000).MulFloor(Amount(5997 + i&1023))
			if err != nil {
				b.Fatal(err)
			}
			sinkAmount += v
		}
	})
	b.Run("Of128", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			v, err := Rate(1000).Of(Amount(5997 + i&1023))
			if err != nil {
				b.Fatal(err)
			}
			sinkAmount += v
		}
	})
}

func BenchmarkAllocate(b *testing.B) {
	for _, n := range []int{3, 20, 100} {
		weights := make([]Amount, n)
		var sum Amount
		for i := range weights {
			weights[i] = Amount(1999 + 37*i)
			sum += weights[i]
		}
		b.Run(strconv.Itoa(n)+"lines", func(b *testing.B) {
			for b.Loop() {
				parts, err := Allocate(sum/7, weights)
				if err != nil {
					b.Fatal(err)
				}
				sinkAmount += parts[0]
			}
		})
	}
}
