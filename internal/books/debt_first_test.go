package books

import (
	"testing"

	"sharemall/internal/money"
)

// TestDebtFirst: money coming into a wallet pays its debt first, never
// more than is owed, and a wallet in credit on its debt account (which the
// ledger check reports) pays nothing to it.
func TestDebtFirst(t *testing.T) {
	for _, c := range []struct{ amount, debt, toDebt, rest money.Amount }{
		{500, 0, 0, 500},
		{500, -200, 200, 300},
		{500, -500, 500, 0},
		{500, -800, 500, 0},
		{0, -200, 0, 0},
		{500, 100, 0, 500},
	} {
		toDebt, rest := DebtFirst(c.amount, c.debt)
		if toDebt != c.toDebt || rest != c.rest {
			t.Errorf("DebtFirst(%d, %d) = %d, %d; want %d, %d", c.amount, c.debt, toDebt, rest, c.toDebt, c.rest)
		}
	}
}
