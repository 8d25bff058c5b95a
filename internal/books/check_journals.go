package books

import (
	"context"
	"fmt"

	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// checkJournalDigests: every journal's entries are still the ones it was
// posted with. The digest is recomputed from the stored entries by the
// function posting used (ledger.Journal.Digest), so an entry added,
// removed or changed behind the triggers' back, or an account whose code
// was changed, shows; and a journal posted with a count of its entries
// (migration 00019) still has that many.
func checkJournalDigests(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	var cur ledger.Journal
	var id, count int64
	var stored string
	flush := func() {
		if id == 0 {
			return
		}
		if n := int64(len(cur.Entries)); count > 0 && n != count {
			add(Problem{JournalID: id, Journal: cur.Key, What: fmt.Sprintf("has %d entries but was posted with %d", n, count)})
		}
		if got := cur.Digest(); got != stored {
			add(Problem{JournalID: id, Journal: cur.Key,
				What: fmt.Sprintf("its entries do not match the digest it was posted with (%.12s…, now %.12s…): an entry was added, removed or changed", stored, got)})
		}
	}
	// One pass in journal order, one journal in memory at a time.
	err := tx.Each(ctx, `SELECT j.id, j.idempotency_key, j.kind, j.currency, j.digest, j.entry_count, a.code, e.direction, e.amount
		FROM journals j LEFT JOIN ledger_entries e ON e.journal_id = j.id LEFT JOIN ledger_accounts a ON a.id = e.account_id
		ORDER BY j.id, e.id`, nil, func(scan func(...any) error) error {
		var jid, n int64
		var key, kind, currency, digest string
		var code, dir sqldb.NullableString
		var amount sqldb.NullableInt
		if err := scan(&jid, &key, &kind, &currency, &digest, &n, &code, &dir, &amount); err != nil {
			return err
		}
		if jid != id {
			flush()
			id, count, stored = jid, n, digest
			cur = ledger.Journal{Key: key, Kind: kind, Currency: currency}
		}
		if dir != "" {
			cur.Entries = append(cur.Entries, ledger.Entry{Account: string(code), Direction: ledger.Direction(dir), Amount: money.Amount(amount)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	flush()
	return nil
}

// checkAccountCodes: every account's kind and owner are the ones its code
// names (ledger.ParseCode, as posting reads them), so the checks and the
// Wallets that select accounts by kind and owner see the accounts that
// journals post to by code.
func checkAccountCodes(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	return tx.Each(ctx, `SELECT code, kind, owner_id FROM ledger_accounts ORDER BY code`, nil, func(scan func(...any) error) error {
		var code, kind string
		var owner sqldb.NullableInt
		if err := scan(&code, &kind, &owner); err != nil {
			return err
		}
		k, o, err := ledger.ParseCode(code)
		switch {
		case err != nil:
			add(Problem{Account: code, What: "is not an account code"})
		case string(k) != kind || o != int64(owner):
			add(Problem{Account: code, What: fmt.Sprintf("kind %q and owner %d, but its code names kind %q and owner %d", kind, owner, k, o)})
		}
		return nil
	})
}
