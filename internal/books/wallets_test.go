package books

import (
	"testing"

	"sharemall/internal/ledger"
	"sharemall/internal/money"
)

// Two lines settled in one transaction both pay one distributor, who owes
// 5.00: the first pays 3.00 of the debt, the second the remaining 2.00 and
// 1.00 to available. Clawing back 2.50 then takes the 1.00 available and
// books 1.50 of new debt.
func TestWalletFollowsDecisions(t *testing.T) {
	const d = 7
	debt, avail := ledger.Code(ledger.DistributorDebt, d), ledger.Code(ledger.DistributorAvailable, d)
	w := Wallets{debt: -500, avail: 0}
	p1, p2, p3 := Posting{}, Posting{}, Posting{}
	Earn(p1, w, d, 300)
	Earn(p2, w, d, 300)
	ClawBack(p3, w, d, 250)
	for _, c := range []struct {
		name string
		got  money.Amount
		want money.Amount
	}{
		{"line 1 to debt", p1[debt], 300}, {"line 1 to available", p1[avail], 0},
		{"line 2 to debt", p2[debt], 200}, {"line 2 to available", p2[avail], 100},
		{"clawback from available", p3[avail], -100}, {"clawback into debt", p3[debt], -150},
		{"debt after", w[debt], -150}, {"available after", w[avail], 0},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
}
