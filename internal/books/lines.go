package books

import "fmt"

// LineStatus is where an order line's commissions stand.
type LineStatus string

const (
	LinePending LineStatus = "pending" // booked; the after-sale window is open
	LineSettled LineStatus = "settled" // moved to the wallets, payables and revenue
)

// A withdrawal moves money in three journals, each keyed by the withdrawal:
//
//	withdrawal:{id}:request  distributor_available → distributor_withdrawing (the hold; a covered debit)
//	withdrawal:{id}:paid     distributor_withdrawing → withdrawals_paid (net) + platform_revenue (fee)
//	withdrawal:{id}:reject   distributor_withdrawing → distributor_debt (what it owes) + distributor_available
//
// and, when tax was withheld from it, a fourth beside the payout:
//
//	withdrawal:{id}:withholding  withdrawals_paid → tax_withheld (the tax kept back from the net)
func WithdrawalKey(id int64, event string) string { return fmt.Sprintf("withdrawal:%d:%s", id, event) }
