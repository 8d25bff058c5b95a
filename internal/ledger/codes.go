package ledger

import "fmt"

// Kind is what an account is for. Every account code starts with its kind.
type Kind string

const (
	Clearing               Kind = "clearing"                // customers' payments received, not yet paid out or refunded
	Refunds                Kind = "refunds"                 // money returned to customers
	RefundsDue             Kind = "refunds_due"             // suspense: money owed back to customers, the provider's refund not yet confirmed
	PlatformPending        Kind = "platform_pending"        // platform fees of orders still in the after-sale window
	PlatformRevenue        Kind = "platform_revenue"        // settled platform fees and withdrawal fees
	SupplierPending        Kind = "supplier_pending"        // a supplier's payable in the after-sale window
	SupplierPayable        Kind = "supplier_payable"        // a supplier's settled payable
	SupplierPaying         Kind = "supplier_paying"         // held for a supplier payout approved, not yet paid (docs/payouts.md)
	SupplierPayoutsPaid    Kind = "supplier_payouts_paid"   // paid out to suppliers
	DistributorPending     Kind = "distributor_pending"     // commissions booked, window open
	DistributorAvailable   Kind = "distributor_available"   // settled, withdrawable
	DistributorDebt        Kind = "distributor_debt"        // clawbacks beyond the available balance (debit-normal)
	DistributorWithdrawing Kind = "distributor_withdrawing" // held for a withdrawal request
	WithdrawalsPaid        Kind = "withdrawals_paid"        // paid out to distributors
	TaxWithheld            Kind = "tax_withheld"            // tax withheld from distributors' withdrawals, owed to the tax office (docs/payouts.md)
	Adjustments            Kind = "adjustments"             // the platform's side of operators' manual wallet adjustments (debit-normal when it gave more than it took)
)

// Owned reports whether accounts of this kind belong to one supplier or distributor.
func (k Kind) Owned() bool {
	switch k {
	case SupplierPending, SupplierPayable, SupplierPaying, DistributorPending, DistributorAvailable, DistributorDebt, DistributorWithdrawing:
		return true
	}
	return false
}

// Code is the account code of a kind, with the owner's id for owned kinds.
func Code(k Kind, owner int64) string {
	if !k.Owned() {
		return string(k)
	}
	return fmt.Sprintf("%s:%d", k, owner)
}

// ParseCode splits an account code into kind and owner.
func ParseCode(code string) (Kind, int64, error) {
	for _, k := range []Kind{Clearing, Refunds, RefundsDue, PlatformPending, PlatformRevenue, WithdrawalsPaid, Adjustments, TaxWithheld, SupplierPayoutsPaid} {
		if code == string(k) {
			return k, 0, nil
		}
	}
	for _, k := range []Kind{SupplierPending, SupplierPayable, SupplierPaying, DistributorPending, DistributorAvailable, DistributorDebt, DistributorWithdrawing} {
		var id int64
		if n, err := fmt.Sscanf(code, string(k)+":%d", &id); err == nil && n == 1 && id > 0 && Code(k, id) == code {
			return k, id, nil
		}
	}
	return "", 0, fmt.Errorf("ledger: unknown account code %q", code)
}
