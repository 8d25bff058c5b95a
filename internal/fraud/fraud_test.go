package fraud

import (
	"testing"

	"pgregory.net/rapid"

	"sharemall/internal/money"
	"sharemall/internal/program"
)

func TestPhoneKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"+8613900000001", "13900000001"},
		{"+86 139-0000-0001", "13900000001"},
		{"13900000001", "13900000001"},
		{"8613900000001", "13900000001"},
		{"010-6552 9988", "1065529988"},
		{"+1 415 555 0100", "14155550100"},
		{"12345", ""},
		{"", ""},
	} {
		if got := PhoneKey(c.in); got != c.want {
			t.Errorf("PhoneKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if PhoneKey("+8613900000001") == PhoneKey("+8613900000011") {
		t.Error("a similar phone matches")
	}
}

func TestAddressKey(t *testing.T) {
	a := AddressKey("CN.44.03.05", "8 Home Lane, Room 301")
	for _, same := range []string{"8 home lane room 301", " 8  HOME LANE — ROOM 301. "} {
		if got := AddressKey("CN.44.03.05", same); got != a {
			t.Errorf("%q: %q, want %q", same, got, a)
		}
	}
	for _, other := range []struct{ region, addr string }{{"CN.44.03.05", "8 Home Lane, Room 302"}, {"CN.44.03.06", "8 Home Lane, Room 301"}} {
		if AddressKey(other.region, other.addr) == a {
			t.Errorf("%v matches", other)
		}
	}
	if AddressKey("CN", " ,. ") != "" || AddressKey("CN.31", "上海市 中山路 1号") != "CN.31|上海市中山路1号" {
		t.Error("empty or Chinese address")
	}
}

// TestRefundRateExceeds: strictly above the rate, exactly (no division), as
// the rounded-down rate in bp would say, and never on nothing settled.
func TestRefundRateExceeds(t *testing.T) {
	if RefundRateExceeds(10000, 3000, 3000) || !RefundRateExceeds(10000, 3001, 3000) || RefundRateExceeds(0, 0, 1) {
		t.Fatal("boundaries")
	}
	rapid.Check(t, func(t *rapid.T) {
		settled := money.Amount(rapid.Int64Range(1, 1e12).Draw(t, "settled"))
		refunded := money.Amount(rapid.Int64Range(0, int64(settled)).Draw(t, "refunded"))
		rate := money.Rate(rapid.Int64Range(1, 10000).Draw(t, "rate"))
		if got, want := RefundRateExceeds(settled, refunded, rate), RateBP(settled, refunded) >= int64(rate) && int64(refunded)*10000 != int64(settled)*int64(rate); got != want {
			t.Fatalf("settled %d refunded %d rate %d: %v, want %v", settled, refunded, rate, got, want)
		}
	})
}

func TestHoldsAndKinds(t *testing.T) {
	f := program.DefaultFraud()
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[Kind]bool{SelfPurchase: true, Cluster: true, RefundRate: false, ClickSpam: false, EmptyTeam: false, "other": false} {
		if Holds(f, k) != want || k.Valid() != (k != "other") {
			t.Errorf("%s", k)
		}
	}
}
