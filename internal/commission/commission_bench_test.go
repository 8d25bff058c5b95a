package commission

import (
	"testing"

	"sharemall/internal/money"
)

var sink Shares

func benchSnapshot() Snapshot {
	s := defaults()
	s.Rules = append(s.Rules, Rate(300))
	s.Upline = append(s.Upline, grand)
	s.PlatformRate = 200
	s.Agent = &Agent{agentID, 100}
	return s
}

func BenchmarkSplit(b *testing.B) {
	s := benchSnapshot()
	for i := 0; b.Loop(); i++ {
		shares, err := Split(s, Line{Base: 5997 + money.Amount(i&1023), Markup: 300, Quantity: 3})
		if err != nil {
			b.Fatal(err)
		}
		sink = shares
	}
}

func BenchmarkRecompute(b *testing.B) {
	s := benchSnapshot()
	for i := 0; b.Loop(); i++ {
		base := 5997 + money.Amount(i&1023)
		d, err := Recompute(s, Line{Base: base, Markup: 300, Quantity: 3}, Line{Base: base * 2 / 3, Markup: 200, Quantity: 2})
		if err != nil {
			b.Fatal(err)
		}
		sink = Shares(d)
	}
}
