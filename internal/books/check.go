package books

import (
	"context"
	"fmt"

	"sharemall/internal/ledger"
	"sharemall/internal/sqldb"
)

// Problem is one thing Check found wrong.
type Problem struct {
	JournalID int64  // 0 when the problem is not about one journal
	Journal   string // its idempotency key
	Account   string // the account code, when about one account
	What      string
}

func (p Problem) String() string {
	switch {
	case p.JournalID != 0:
		return fmt.Sprintf("journal %d (%s): %s", p.JournalID, p.Journal, p.What)
	case p.Account != "":
		return fmt.Sprintf("account %s: %s", p.Account, p.What)
	}
	return p.What
}

// ledgerCheck is one invariant; each appends what it finds.
type ledgerCheck func(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error

// ledgerChecks are the invariants `sharemall ledger check` proves. Each is
// one query over the whole ledger, so the check is linear in its size.
var ledgerChecks = []ledgerCheck{
	checkJournalsBalance,
	checkEntryShapes,
	checkCachedBalances,
	checkKeysUnique,
	checkWalletsNotNegative,
	checkLineShares,
	checkWithdrawalHolds,
	checkRefundsDue,
	checkJournalDigests,
	checkAccountCodes,
	checkPendingShares,
	checkLineJournals,
	checkWithdrawalJournals,
	checkWithdrawnTotals,
	checkParcelFees,
	checkWithholding,
	checkSupplierPayouts,
}

// Check verifies the ledger and returns every problem found (none means
// the books are sound). tx should be a read transaction, whose one
// snapshot (REPEATABLE READ on PostgreSQL) makes the checks see one
// consistent state.
func Check(ctx context.Context, tx *sqldb.Tx) ([]Problem, error) {
	var out []Problem
	for _, check := range ledgerChecks {
		if err := check(ctx, tx, func(p Problem) { out = append(out, p) }); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// checkJournalsBalance: every journal has at least two entries and its
// debits equal its credits in each currency.
func checkJournalsBalance(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	return tx.Each(ctx, `SELECT j.id, j.idempotency_key, e.currency,
			COALESCE(SUM(CASE WHEN e.direction = 'D' THEN e.amount ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN e.direction = 'C' THEN e.amount ELSE 0 END), 0), COUNT(e.id)
		FROM journals j LEFT JOIN ledger_entries e ON e.journal_id = j.id
		GROUP BY j.id, j.idempotency_key, e.currency
		HAVING COUNT(e.id) < 2
			OR COALESCE(SUM(CASE WHEN e.direction = 'D' THEN e.amount ELSE 0 END), 0) <> COALESCE(SUM(CASE WHEN e.direction = 'C' THEN e.amount ELSE 0 END), 0)
		ORDER BY j.id`, nil, func(scan func(...any) error) error {
		var p Problem
		var cur sqldb.NullableString
		var debits, credits, n int64
		if err := scan(&p.JournalID, &p.Journal, &cur, &debits, &credits, &n); err != nil {
			return err
		}
		if n < 2 {
			p.What = fmt.Sprintf("has %d entries in %q; a journal needs at least two", n, string(cur))
		} else {
			p.What = fmt.Sprintf("debits %d ≠ credits %d in %s", debits, credits, string(cur))
		}
		add(p)
		return nil
	})
}

// checkEntryShapes: amounts positive, directions D or C, and each entry in
// its journal's and its account's currency.
func checkEntryShapes(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	return tx.Each(ctx, `SELECT j.id, j.idempotency_key, a.code, e.id, e.amount, e.direction, e.currency, j.currency, a.currency
		FROM ledger_entries e JOIN journals j ON j.id = e.journal_id JOIN ledger_accounts a ON a.id = e.account_id
		WHERE e.amount <= 0 OR e.direction NOT IN ('D', 'C') OR e.currency <> j.currency OR e.currency <> a.currency
		ORDER BY e.id`, nil, func(scan func(...any) error) error {
		var p Problem
		var entry, amount int64
		var dir, ec, jc, ac string
		if err := scan(&p.JournalID, &p.Journal, &p.Account, &entry, &amount, &dir, &ec, &jc, &ac); err != nil {
			return err
		}
		p.What = fmt.Sprintf("entry %d on %s: amount %d, direction %q, currency %s (journal %s, account %s)", entry, p.Account, amount, dir, ec, jc, ac)
		add(p)
		return nil
	})
}

// checkCachedBalances: each account's cached balance equals its entries.
func checkCachedBalances(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	return tx.Each(ctx, `SELECT a.code, a.balance, COALESCE(SUM(CASE WHEN e.direction = 'C' THEN e.amount ELSE -e.amount END), 0)
		FROM ledger_accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id
		GROUP BY a.id, a.code, a.balance
		HAVING a.balance <> COALESCE(SUM(CASE WHEN e.direction = 'C' THEN e.amount ELSE -e.amount END), 0)
		ORDER BY a.code`, nil, func(scan func(...any) error) error {
		var p Problem
		var cached, sum int64
		if err := scan(&p.Account, &cached, &sum); err != nil {
			return err
		}
		p.What = fmt.Sprintf("cached balance %d ≠ %d from its entries", cached, sum)
		add(p)
		return nil
	})
}

// checkKeysUnique: no idempotency key used twice (the unique index
// guarantees it; the check proves the index is there and holding).
func checkKeysUnique(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	return tx.Each(ctx, `SELECT idempotency_key, COUNT(*) FROM journals GROUP BY idempotency_key HAVING COUNT(*) > 1`, nil, func(scan func(...any) error) error {
		var key string
		var n int64
		if err := scan(&key, &n); err != nil {
			return err
		}
		add(Problem{Journal: key, What: fmt.Sprintf("idempotency key %q used by %d journals", key, n)})
		return nil
	})
}

// checkWalletsNotNegative: a clawback beyond what a distributor has
// available is booked to its debt account, so an available, pending or
// withdrawing balance below zero is never legitimate, nor a debt account in
// credit.
func checkWalletsNotNegative(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	rows, err := tx.Query(ctx, `SELECT code, kind, balance FROM ledger_accounts
		WHERE (kind IN (?, ?, ?) AND balance < 0) OR (kind = ? AND balance > 0) ORDER BY code`,
		string(ledger.DistributorAvailable), string(ledger.DistributorPending), string(ledger.DistributorWithdrawing), string(ledger.DistributorDebt))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p Problem
		var kind string
		var bal int64
		if err := rows.Scan(&p.Account, &kind, &bal); err != nil {
			return sqldb.MapErr(err)
		}
		if kind == string(ledger.DistributorDebt) {
			p.What = fmt.Sprintf("debt account in credit (%d)", bal)
		} else {
			p.What = fmt.Sprintf("balance %d below zero without a recorded debt", bal)
		}
		add(p)
	}
	return sqldb.MapErr(rows.Err())
}
