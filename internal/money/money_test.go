package money

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

func TestFormatParse(t *testing.T) {
	cny, _ := LookupCurrency("CNY")
	jpy, _ := LookupCurrency("JPY")
	for _, tc := range []struct {
		c    Currency
		in   string
		want Amount
		out  string
	}{
		{cny, "19.99", 1999, "19.99"},
		{cny, "0.5", 50, "0.50"},
		{cny, "20", 2000, "20.00"},
		{cny, "0.01", 1, "0.01"},
		{cny, "-3.07", -307, "-3.07"},
		{jpy, "1500", 1500, "1500"},
	} {
		got, err := tc.c.Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
		if s := tc.c.Format(got); s != tc.out {
			t.Errorf("Format(%d) = %q; want %q", got, s, tc.out)
		}
	}
	for _, bad := range []string{"", "1.999", "abc", "1.", ".5", "1,00", "1e3", "99999999999999999999", "--1", " 1"} {
		if _, err := cny.Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded; want error", bad)
		}
	}
	if _, err := jpy.Parse("1.5"); err == nil {
		t.Error("JPY accepted a fraction")
	}
}

func TestFormatParseRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := Currency{Exponent: rapid.IntRange(0, 3).Draw(t, "exp")}
		a := Amount(rapid.Int64Range(math.MinInt64+1, math.MaxInt64).Draw(t, "a"))
		got, err := c.Parse(c.Format(a))
		if err != nil || got != a {
			t.Fatalf("round trip %d → %q → %d, %v", a, c.Format(a), got, err)
		}
	})
}

func TestMulFloor(t *testing.T) {
	for _, tc := range []struct {
		a    Amount
		r    Rate
		want Amount
	}{
		{5997, 1000, 599}, {5997, 500, 299}, {5997, 200, 119}, {1, 9999, 0}, {10000, 10000, 10000},
	} {
		got, err := tc.r.MulFloor(tc.a)
		if err != nil || got != tc.want {
			t.Errorf("%d × %v = %d, %v; want %d", tc.a, tc.r, got, err, tc.want)
		}
	}
	if _, err := Rate(10000).MulFloor(math.MaxInt64); err == nil {
		t.Error("overflow not detected")
	}
	if s := Rate(1050).String(); s != "10.5%" {
		t.Errorf("Rate(1050) = %s", s)
	}
}
