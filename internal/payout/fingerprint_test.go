package payout

import (
	"strings"
	"testing"
)

// TestFingerprint: one account typed two ways has one fingerprint, under
// a key file that gained a key (rotation) too; another account, another
// method or another key file's has another; the account is not in it.
func TestFingerprint(t *testing.T) {
	l1, _ := NewKeyLine("k1")
	l2, _ := NewKeyLine("k2")
	k, err := ParseKeys([]byte(l1))
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := ParseKeys([]byte(l1 + l2))
	if err != nil {
		t.Fatal(err)
	}
	other, err := ParseKeys([]byte(l2))
	if err != nil {
		t.Fatal(err)
	}
	card := Details{Method: BankCard, CardNumber: "6222020200112233445"}
	fp := k.Fingerprint(card)
	if !strings.HasPrefix(fp, "fp1:") || len(fp) != 4+32 || strings.Contains(fp, "6222") {
		t.Fatalf("fingerprint %q", fp)
	}
	if k.Fingerprint(Details{Method: BankCard, CardNumber: "6222 0202 0011 2233 445"}) != fp || rotated.Fingerprint(card) != fp {
		t.Error("the same card differs")
	}
	for name, got := range map[string]string{
		"another card":     k.Fingerprint(Details{Method: BankCard, CardNumber: "6222020200112233446"}),
		"another key file": other.Fingerprint(card),
		"alipay":           k.Fingerprint(Details{Method: Alipay, AlipayAccount: "6222020200112233445"}),
	} {
		if got == fp {
			t.Errorf("%s has the card's fingerprint", name)
		}
	}
	if k.Fingerprint(Details{Method: Alipay, AlipayAccount: "Li@Example.com"}) != k.Fingerprint(Details{Method: Alipay, AlipayAccount: " li@example.com"}) {
		t.Error("an Alipay account's case")
	}
	if k.Fingerprint(Details{Method: WeChat}) != "" {
		t.Error("no account, a fingerprint")
	}
}
