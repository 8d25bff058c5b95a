package wallet

import "sharemall/internal/money"

// Earned is what the wallet has been credited for good, net of clawbacks:
// every settled commission and markup, whether still available, held by a
// withdrawal, or paid out, less the debt refunds left. Pending earnings are
// not in it until their after-sale window closes.
func (w Wallet) Earned() money.Amount {
	return w.Available + w.Withdrawing + w.Withdrawn - w.Debt
}
