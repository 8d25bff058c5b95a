package payout

import "testing"

// BenchmarkSealOpen: the cost of sealing and opening one record, what a
// transfer file pays per row and rotation per row.
func BenchmarkSealOpen(b *testing.B) {
	line, err := NewKeyLine("k1")
	if err != nil {
		b.Fatal(err)
	}
	k, err := ParseKeys([]byte(line))
	if err != nil {
		b.Fatal(err)
	}
	d := Details{Method: BankCard, Bank: "中国工商银行", HolderName: "张三丰", CardNumber: "6222600260001072444"}
	for b.Loop() {
		s, err := k.Seal("distributor:1", d)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := k.Open("distributor:1", s); err != nil {
			b.Fatal(err)
		}
	}
}
