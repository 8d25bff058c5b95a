package books

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"sharemall/internal/ledger"
	"sharemall/internal/sqldb"
)

// PostMany posts journals of one currency, none with a Covered entry, as
// Post would one after another, in a few statements: the journals in one
// INSERT, their accounts in one SELECT, their entries in one INSERT (per
// thousand), each wallet account's balance in one UPDATE, the other
// accounts' at the end of the transaction. A journal whose key was booked
// before is skipped; a different movement under a used key is refused with
// ledger.ErrKeyReused. The caller must hold the wallet accounts' locks
// (LockWallets). It returns how many journals it booked.
func PostMany(ctx context.Context, tx *sqldb.Tx, currency string, js []ledger.Journal) (int, error) {
	if len(js) == 0 {
		return 0, nil
	}
	digests := make(map[string]string, len(js))
	values := make([]string, 0, len(js))
	args := make([]any, 0, 7*len(js))
	for _, j := range js {
		if err := j.Validate(); err != nil {
			return 0, err
		}
		if j.Currency != currency {
			return 0, fmt.Errorf("books: journal %s is in %s, not %s", j.Key, j.Currency, currency)
		}
		for _, e := range j.Entries {
			if e.Covered {
				return 0, fmt.Errorf("books: journal %s has a covered entry; post it alone", j.Key)
			}
		}
		digests[j.Key] = j.Digest()
		values = append(values, "(?, ?, ?, ?, ?, ?, ?)")
		args = append(args, j.Key, j.Kind, j.Memo, j.Currency, digests[j.Key], len(j.Entries), sqldb.TS(tx.Now()))
	}
	ids := make(map[string]int64, len(js))
	err := tx.Each(ctx, `INSERT INTO journals (idempotency_key, kind, memo, currency, digest, entry_count, created_at) VALUES `+
		strings.Join(values, ", ")+` ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, idempotency_key`, args,
		func(scan func(...any) error) error {
			var id int64
			var key string
			err := scan(&id, &key)
			ids[key] = id
			return err
		})
	if err != nil {
		return 0, err
	}
	var booked []ledger.Journal
	var before []any
	for _, j := range js {
		if ids[j.Key] != 0 {
			booked = append(booked, j)
		} else {
			before = append(before, j.Key)
		}
	}
	if len(before) > 0 {
		err := tx.Each(ctx, `SELECT idempotency_key, digest FROM journals WHERE idempotency_key IN (`+sqldb.Placeholders(len(before))+`)`, before,
			func(scan func(...any) error) error {
				var key, digest string
				if err := scan(&key, &digest); err != nil {
					return err
				}
				if digest != digests[key] {
					return ledger.KeyReused(key)
				}
				return nil
			})
		if err != nil {
			return 0, err
		}
	}
	var codes []string
	for _, j := range booked {
		for _, e := range j.Entries {
			codes = append(codes, e.Account)
		}
	}
	slices.Sort(codes)
	codes = slices.Compact(codes)
	if len(codes) == 0 {
		return 0, nil
	}
	acct, err := LedgerAccounts(ctx, tx, codes, currency)
	if err != nil {
		return 0, err
	}
	now := map[string]int64{} // wallet accounts: changed here, summed
	var rows entryRows
	for _, j := range booked {
		for _, e := range j.Entries {
			if deferrable(e.Account) {
				deferBalance(tx, acct[e.Account], e.Account, signed(e))
			} else {
				now[e.Account] += signed(e)
			}
			rows.add(ids[j.Key], acct[e.Account], e, currency)
			if rows.n == 1000 {
				if err := rows.insert(ctx, tx); err != nil {
					return 0, err
				}
			}
		}
	}
	if err := rows.insert(ctx, tx); err != nil {
		return 0, err
	}
	var wids []int64 // wallet accounts, locked by the caller
	wdeltas := map[int64]int64{}
	for _, code := range codes {
		if d := now[code]; d != 0 {
			wids = append(wids, acct[code])
			wdeltas[acct[code]] = d
		}
	}
	return len(booked), addBalances(ctx, tx, wids, wdeltas)
}

// entryRows gathers ledger entries for one multi-row INSERT.
type entryRows struct {
	n      int
	values []string
	args   []any
}

func (r *entryRows) add(journalID, accountID int64, e ledger.Entry, currency string) {
	r.n++
	r.values = append(r.values, "(?, ?, ?, ?, ?)")
	r.args = append(r.args, journalID, accountID, string(e.Direction), int64(e.Amount), currency)
}

// insert writes the gathered entries and empties r.
func (r *entryRows) insert(ctx context.Context, tx *sqldb.Tx) error {
	if r.n == 0 {
		return nil
	}
	err := tx.ExecLater(ctx, `INSERT INTO ledger_entries (journal_id, account_id, direction, amount, currency) VALUES `+
		strings.Join(r.values, ", "), r.args...)
	*r = entryRows{}
	return err
}

// signed is an entry's change to its account's balance (credits − debits).
func signed(e ledger.Entry) int64 {
	if e.Direction == ledger.Debit {
		return -int64(e.Amount)
	}
	return int64(e.Amount)
}
