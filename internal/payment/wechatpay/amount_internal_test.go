package wechatpay

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// yuanToFen reads every two-decimal amount back exactly, and rounds the
// fee's extra decimals half away from zero.
func TestYuanToFen(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		fen := rapid.Int64Range(-1e13, 1e13).Draw(t, "fen")
		sign, abs := "", fen
		if fen < 0 {
			sign, abs = "-", -fen
		}
		got, err := yuanToFen(fmt.Sprintf("%s%d.%02d", sign, abs/100, abs%100))
		if err != nil || int64(got) != fen {
			t.Fatalf("%d: got %d %v", fen, got, err)
		}
		// Five decimals (units of 0.00001 yuan = 1/1000 fen).
		units := rapid.Int64Range(0, 1e12).Draw(t, "units")
		want := units / 1000
		if units%1000 >= 500 {
			want++
		}
		got, err = yuanToFen(fmt.Sprintf("%d.%05d", units/100000, units%100000))
		if err != nil || int64(got) != want {
			t.Fatalf("%d units: got %d want %d %v", units, got, want, err)
		}
		got, err = yuanToFen(fmt.Sprintf("-%d.%05d", units/100000, units%100000))
		if err != nil || int64(got) != -want {
			t.Fatalf("-%d units: got %d want %d %v", units, got, -want, err)
		}
	})
	for _, bad := range []string{"", ".", "1.2.3", "1,00", "abc", "--1", "1e3", "0x10", "1234567890123.00"} {
		if _, err := yuanToFen(bad); err == nil {
			t.Errorf("%q read as an amount", bad)
		}
	}
	for s, want := range map[string]int64{"0": 0, "12": 1200, "0.1": 10, "0.005": 1, "0.00499": 0, "-0.18000": -18} {
		if got, err := yuanToFen(s); err != nil || int64(got) != want {
			t.Errorf("%q: %d %v, want %d", s, got, err, want)
		}
	}
}
