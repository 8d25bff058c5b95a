package ledger

import "testing"

func TestValidate(t *testing.T) {
	good := Journal{Key: "book:line:1", Kind: "book", Currency: "CNY"}
	good.Move(Code(Clearing, 0), Code(DistributorPending, 7), 599)
	good.Move(Code(Clearing, 0), Code(SupplierPending, 3), 4980)
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, j := range map[string]Journal{
		"no key":      {Currency: "CNY", Entries: good.Entries},
		"no currency": {Key: "k", Entries: good.Entries},
		"one entry":   {Key: "k", Currency: "CNY", Entries: good.Entries[:1]},
		"unbalanced":  {Key: "k", Currency: "CNY", Entries: append([]Entry{{Account: "refunds", Direction: Debit, Amount: 1}}, good.Entries...)},
		"zero amount": {Key: "k", Currency: "CNY", Entries: []Entry{{Account: "a", Direction: Debit}, {Account: "b", Direction: Credit}}},
		"negative":    {Key: "k", Currency: "CNY", Entries: []Entry{{Account: "a", Direction: Debit, Amount: -5}, {Account: "b", Direction: Credit, Amount: -5}}},
		"direction":   {Key: "k", Currency: "CNY", Entries: []Entry{{Account: "a", Direction: "X", Amount: 5}, {Account: "b", Direction: Credit, Amount: 5}}},
	} {
		if err := j.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	var empty Journal
	empty.Move("a", "b", 0)
	if len(empty.Entries) != 0 {
		t.Fatal("a zero move added entries")
	}
}

func TestDigestIgnoresOrder(t *testing.T) {
	a := Journal{Key: "k", Kind: "book", Currency: "CNY"}
	a.Move("clearing", "x", 5)
	a.Move("clearing", "y", 7)
	b := Journal{Key: "k", Kind: "book", Currency: "CNY"}
	b.Move("clearing", "y", 7)
	b.Move("clearing", "x", 5)
	if a.Digest() != b.Digest() {
		t.Fatal("digest depends on entry order")
	}
	b.Move("clearing", "x", 1)
	if a.Digest() == b.Digest() {
		t.Fatal("digest ignores an entry")
	}
}

func TestCodes(t *testing.T) {
	for _, tc := range []struct {
		k  Kind
		id int64
	}{{Clearing, 0}, {PlatformRevenue, 0}, {DistributorAvailable, 42}, {SupplierPayable, 3}} {
		code := Code(tc.k, tc.id)
		k, id, err := ParseCode(code)
		if err != nil || k != tc.k || id != tc.id {
			t.Errorf("%s → %s %d %v", code, k, id, err)
		}
	}
	for _, bad := range []string{"", "wallet", "distributor_available", "distributor_available:0", "distributor_available:x", "distributor_available:07"} {
		if _, _, err := ParseCode(bad); err == nil {
			t.Errorf("ParseCode(%q) accepted", bad)
		}
	}
}
