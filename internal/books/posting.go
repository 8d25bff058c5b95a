package books

import (
	"context"
	"fmt"
	"slices"

	"sharemall/internal/commission"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// Posting collects a journal's movements as one net amount per account
// (credits − debits), so a journal names each account once, debit clearing
// by the whole paid amount, and lists its entries in account-code order.
// That order is the same for every journal built here, so two transactions
// updating the same balances take their row locks in the same order and
// cannot deadlock each other on PostgreSQL.
type Posting map[string]money.Amount

func (p Posting) Credit(account string, a money.Amount) { p[account] += a }
func (p Posting) Debit(account string, a money.Amount)  { p[account] -= a }

// Journal turns the posting into a journal; ok is false when nothing moves
// (every net is zero), and then there is nothing to post.
func (p Posting) Journal(key, kind, memo, currency string) (j ledger.Journal, ok bool) {
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

// IsDistributor reports whether a party's share goes to a distributor's wallet.
func IsDistributor(p commission.Party) bool {
	switch p.Kind {
	case commission.KindTier, commission.KindMarkup, commission.KindAgent:
		return true
	}
	return false
}

// PendingAccount is where a party's share waits during the after-sale window.
func PendingAccount(p commission.Party) string {
	switch p.Kind {
	case commission.KindPlatform:
		return ledger.Code(ledger.PlatformPending, 0)
	case commission.KindSupplier:
		return ledger.Code(ledger.SupplierPending, p.ID)
	}
	return ledger.Code(ledger.DistributorPending, p.ID)
}

// SettledAccount is where a supplier's or the platform's share goes on
// settlement. Distributors' shares are split between debt and available by
// earn, so they have no single settled account.
func SettledAccount(p commission.Party) string {
	if p.Kind == commission.KindPlatform {
		return ledger.Code(ledger.PlatformRevenue, 0)
	}
	return ledger.Code(ledger.SupplierPayable, p.ID)
}

// Wallets holds the balances of locked distributor accounts by code, as they
// were when locked.
type Wallets map[string]money.Amount

// LockWallets locks the available and debt accounts of the distributors (in
// account-code order, one statement, after creating those not used before)
// and returns their balances. Settlements and refunds lock the Wallets they
// move money in first, so two of them for one distributor queue instead of
// reading balances the other is changing.
func LockWallets(ctx context.Context, tx *sqldb.Tx, currency string, distributors []int64) (Wallets, error) {
	codes := make([]string, 0, 2*len(distributors))
	for _, d := range distributors {
		codes = append(codes, ledger.Code(ledger.DistributorAvailable, d), ledger.Code(ledger.DistributorDebt, d))
	}
	return LockWalletAccounts(ctx, tx, currency, codes)
}

// LockWalletAccounts locks distributors' wallet accounts (available, debt,
// withdrawing) by code, in account-code order (bytes, as Go sorts; byCode),
// in one statement after creating those not used before, and returns their
// balances. Every transaction that reads a wallet balance to decide a
// movement locks it here first (or by a covered debit, see post), and only
// then the deferrable accounts (flushBalances): one order for all.
func LockWalletAccounts(ctx context.Context, tx *sqldb.Tx, currency string, codes []string) (Wallets, error) {
	codes = slices.Clone(codes)
	slices.Sort(codes)
	codes = slices.Compact(codes)
	w := Wallets{}
	if len(codes) == 0 {
		return w, nil
	}
	args := make([]any, len(codes))
	for i, c := range codes {
		args[i] = c
	}
	q := lockWalletsQuery(tx, len(codes))
	// Every account exists before any is locked: creating one after locking
	// others would take locks out of code order.
	if _, err := LedgerAccounts(ctx, tx, codes, currency); err != nil {
		return nil, err
	}
	err := tx.Each(ctx, q, args, func(scan func(...any) error) error {
		var code, cur string
		var b int64
		if err := scan(&code, &cur, &b); err != nil {
			return err
		}
		if cur != currency {
			return fmt.Errorf("ledger account %s is in %s, not %s", code, cur, currency)
		}
		w[code] = money.Amount(b)
		return nil
	})
	if err == nil && len(w) != len(codes) {
		err = fmt.Errorf("books: %d of %d wallet accounts locked", len(w), len(codes))
	}
	return w, err
}

// Holds reports whether both of a distributor's wallet accounts are locked.
func (w Wallets) Holds(distributor int64) bool {
	_, a := w[ledger.Code(ledger.DistributorAvailable, distributor)]
	_, d := w[ledger.Code(ledger.DistributorDebt, distributor)]
	return a && d
}

// Earn credits a distributor's settled earnings to Posting p: its debt
// first, the rest to available. The wallet must be locked (w); w follows
// what is decided, so that several lines settled in one transaction each
// see the debt the ones before left.
func Earn(p Posting, w Wallets, distributor int64, amount money.Amount) {
	debtCode := ledger.Code(ledger.DistributorDebt, distributor)
	availCode := ledger.Code(ledger.DistributorAvailable, distributor)
	toDebt, rest := DebtFirst(amount, w[debtCode])
	p.Credit(debtCode, toDebt)
	p.Credit(availCode, rest)
	w[debtCode] += toDebt
	w[availCode] += rest
}

// DebtFirst splits money coming into a wallet whose debt account has
// balance debt: what pays the debt, and the rest for available. The debt
// account is debit-normal: a balance of −x owes x.
func DebtFirst(amount, debt money.Amount) (toDebt, rest money.Amount) {
	toDebt = max(min(amount, -debt), 0)
	return toDebt, amount - toDebt
}

// ClawBack takes a settled amount back from a distributor into Posting p:
// from available what it can, the rest booked as debt. The wallet must be
// locked (w); w follows what is decided.
func ClawBack(p Posting, w Wallets, distributor int64, amount money.Amount) {
	availCode := ledger.Code(ledger.DistributorAvailable, distributor)
	debtCode := ledger.Code(ledger.DistributorDebt, distributor)
	take := min(amount, max(w[availCode], 0))
	p.Debit(availCode, take)
	p.Debit(debtCode, amount-take)
	w[availCode] -= take
	w[debtCode] -= amount - take
}

// ByDistributor sums amounts per distributor, in id order.
type ByDistributor map[int64]money.Amount

func (b ByDistributor) IDs() []int64 {
	ids := make([]int64, 0, len(b))
	for id := range b {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// LockAccounts takes the row locks of ledger accounts in code order before
// a transaction posts several journals, so two such transactions (and any
// single journal) never wait on each other in a cycle. Accounts not yet
// created are skipped.
func LockAccounts(ctx context.Context, tx *sqldb.Tx, codes ...string) error {
	codes = slices.Clone(codes)
	slices.Sort(codes)
	for _, c := range slices.Compact(codes) {
		if _, err := tx.Exec(ctx, `UPDATE ledger_accounts SET balance = balance WHERE code = ?`, c); err != nil {
			return err
		}
	}
	return nil
}
