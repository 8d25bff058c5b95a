package store

import (
	"context"
	"slices"

	"sharemall/internal/commission"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
)

// posting collects a journal's movements as one net amount per account
// (credits − debits), so a journal names each account once, debit clearing
// by the whole paid amount, and lists its entries in account-code order.
// That order is the same for every journal built here, so two transactions
// updating the same balances take their row locks in the same order and
// cannot deadlock each other on PostgreSQL.
type posting map[string]money.Amount

func (p posting) credit(account string, a money.Amount) { p[account] += a }
func (p posting) debit(account string, a money.Amount)  { p[account] -= a }

// journal turns the posting into a journal; ok is false when nothing moves
// (every net is zero), and then there is nothing to post.
func (p posting) journal(key, kind, memo, currency string) (j ledger.Journal, ok bool) {
	j = ledger.Journal{Key: key, Kind: kind, Memo: memo, Currency: currency}
	codes := make([]string, 0, len(p))
	for code, net := range p {
		if net != 0 {
			codes = append(codes, code)
		}
	}
	slices.Sort(codes)
	for _, code := range codes {
		e := ledger.Entry{Account: code, Direction: ledger.Credit, Amount: p[code]}
		if e.Amount < 0 {
			e.Direction, e.Amount = ledger.Debit, -e.Amount
		}
		j.Entries = append(j.Entries, e)
	}
	return j, len(j.Entries) > 0
}

// isDistributor reports whether a party's share goes to a distributor's wallet.
func isDistributor(p commission.Party) bool {
	switch p.Kind {
	case commission.KindTier, commission.KindMarkup, commission.KindAgent:
		return true
	}
	return false
}

// pendingAccount is where a party's share waits during the after-sale window.
func pendingAccount(p commission.Party) string {
	switch p.Kind {
	case commission.KindPlatform:
		return ledger.Code(ledger.PlatformPending, 0)
	case commission.KindSupplier:
		return ledger.Code(ledger.SupplierPending, p.ID)
	}
	return ledger.Code(ledger.DistributorPending, p.ID)
}

// settledAccount is where a supplier's or the platform's share goes on
// settlement. Distributors' shares are split between debt and available by
// earn, so they have no single settled account.
func settledAccount(p commission.Party) string {
	if p.Kind == commission.KindPlatform {
		return ledger.Code(ledger.PlatformRevenue, 0)
	}
	return ledger.Code(ledger.SupplierPayable, p.ID)
}

// lockWallets creates (when needed) and row-locks the available and debt
// accounts of each distributor, in code order, before their balances are
// read: a settlement paying a debt, a clawback taking what is available and
// a withdrawal hold on the same wallet then run one after the other on
// PostgreSQL, each reading what the previous one committed. SQLite has one
// writer, so the lock is free there.
func (tx *Tx) lockWallets(ctx context.Context, currency string, distributors []int64) error {
	codes := make([]string, 0, 2*len(distributors))
	for _, d := range distributors {
		codes = append(codes, ledger.Code(ledger.DistributorAvailable, d), ledger.Code(ledger.DistributorDebt, d))
	}
	slices.Sort(codes)
	for _, code := range slices.Compact(codes) {
		id, err := tx.ledgerAccount(ctx, code, currency)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE ledger_accounts SET balance = balance WHERE id = ?`, id); err != nil {
			return err
		}
	}
	return nil
}

// earn credits a distributor's settled earnings: its debt first, the rest
// to available. The wallet must be locked (lockWallets).
func (tx *Tx) earn(ctx context.Context, p posting, distributor int64, amount money.Amount) error {
	debtCode := ledger.Code(ledger.DistributorDebt, distributor)
	bal, err := tx.balance(ctx, debtCode)
	if err != nil {
		return err
	}
	// The debt account is debit-normal: its balance is minus the debt, and
	// what this posting already moved on it counts too.
	debt := max(-(bal + p[debtCode]), 0)
	toDebt := min(amount, debt)
	p.credit(debtCode, toDebt)
	p.credit(ledger.Code(ledger.DistributorAvailable, distributor), amount-toDebt)
	return nil
}

// clawBack takes a settled amount back from a distributor: from available
// what it can, the rest booked as debt. The wallet must be locked.
func (tx *Tx) clawBack(ctx context.Context, p posting, distributor int64, amount money.Amount) error {
	availCode := ledger.Code(ledger.DistributorAvailable, distributor)
	bal, err := tx.balance(ctx, availCode)
	if err != nil {
		return err
	}
	take := min(amount, max(bal+p[availCode], 0))
	p.debit(availCode, take)
	p.debit(ledger.Code(ledger.DistributorDebt, distributor), amount-take)
	return nil
}

// byDistributor sums amounts per distributor, in id order.
type byDistributor map[int64]money.Amount

func (b byDistributor) ids() []int64 {
	ids := make([]int64, 0, len(b))
	for id := range b {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
