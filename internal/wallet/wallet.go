// Package wallet holds a distributor's balances and its withdrawals.
//
// A wallet is a view of ledger accounts, never a separate number:
// pending (commissions booked, after-sale window open), available (settled,
// withdrawable), withdrawing (held by open withdrawal requests), withdrawn
// (paid out, total) and debt (clawbacks that found nothing available; later
// earnings pay it first, and a wallet in debt cannot withdraw).
package wallet

import (
	"sharemall/internal/payout"
	"time"

	"sharemall/internal/money"
)

// Wallet is a distributor's balances, all in minor units of Currency.
type Wallet struct {
	DistributorID int64
	Currency      string
	Pending       money.Amount
	Available     money.Amount
	Withdrawing   money.Amount
	Withdrawn     money.Amount
	Debt          money.Amount // ≥ 0
}

// InDebt reports whether the wallet owes clawbacks.
func (w Wallet) InDebt() bool { return w.Debt > 0 }

// Status is where a withdrawal stands.
type Status string

const (
	Requested Status = "requested" // the amount is held
	Approved  Status = "approved"  // approved, waiting to be paid in a payout batch
	Paid      Status = "paid"      // paid out, with a payout reference
	Rejected  Status = "rejected"  // refused; the hold is released
)

// Withdrawal is one request to take money out of a wallet.
type Withdrawal struct {
	ID            int64
	DistributorID int64
	Currency      string
	Amount        money.Amount // taken from the wallet
	Fee           money.Amount // floor(Amount × fee rate), kept by the platform
	Net           money.Amount // Amount − Fee, paid to the distributor
	Status        Status
	ClientKey     string // the Idempotency-Key the request came with, if any
	PayoutRef     string
	BatchID       int64
	Reason        string // why it was rejected
	RequestedAt   time.Time
	DecidedAt     *time.Time
	DecidedBy     int64
	PaidAt        *time.Time
	Withheld      money.Amount   // tax withheld at the program's withholding rate; the bank pays Net − Withheld
	PayoutTo      *payout.Masked // the payout details it is paid to, masked, copied when requested; nil if none were recorded
}

// Payable is what the bank pays the distributor: the net less the tax withheld.
func (w Withdrawal) Payable() money.Amount { return w.Net - w.Withheld }
