package books

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// ErrNotCovered is returned by Post when a Covered debit exceeds its balance.
var (
	errInsufficient = errors.New("ledger: balance does not cover the debit")
	ErrNotCovered   = &errs.Error{Code: errs.Conflict, Field: "amount", Message: "is more than the balance available", Err: errInsufficient}
)

// Post books a journal in the caller's transaction. The idempotency key
// makes it safe to repeat: a journal already booked under the key is not
// booked again (posted is false), and a different movement under a used key
// is refused with ledger.ErrKeyReused. Balances are updated in the same
// transaction; a Covered debit that the balance cannot cover fails the whole
// journal with ErrNotCovered.
func Post(ctx context.Context, tx *sqldb.Tx, j ledger.Journal) (id int64, posted bool, err error) {
	if err := j.Validate(); err != nil {
		return 0, false, err
	}
	digest := j.Digest()
	// ON CONFLICT DO NOTHING: the key booked before, or by a concurrent
	// transaction (which this one waits for on PostgreSQL), returns no row.
	// entry_count seals the journal once its entries are in (migration 00019).
	err = tx.Get(ctx, "journal", `INSERT INTO journals (idempotency_key, kind, memo, currency, digest, entry_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`, []any{j.Key, j.Kind, j.Memo, j.Currency, digest, len(j.Entries), sqldb.TS(tx.Now())}, &id)
	if errs.Is(err, errs.NotFound) {
		var existing string
		if err := tx.Get(ctx, "journal", `SELECT id, digest FROM journals WHERE idempotency_key = ?`, []any{j.Key}, &id, &existing); err != nil {
			return 0, false, err
		}
		if existing != digest {
			return id, false, ledger.KeyReused(j.Key)
		}
		return id, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	codes := make([]string, len(j.Entries))
	for i, e := range j.Entries {
		codes[i] = e.Account
	}
	ids, err := LedgerAccounts(ctx, tx, codes, j.Currency)
	if err != nil {
		return 0, false, err
	}
	// Wallet accounts change here, in the journal's code order, a Covered
	// debit only if the balance covers it; every other account at the end
	// of the transaction (see deferrable and flushBalances).
	var rows entryRows
	for _, e := range j.Entries {
		acct := ids[e.Account]
		rows.add(id, acct, e, j.Currency)
		if !e.Covered && deferrable(e.Account) {
			deferBalance(tx, acct, e.Account, signed(e))
			continue
		}
		q := `UPDATE ledger_accounts SET balance = balance + ? WHERE id = ?`
		uargs := []any{signed(e), acct}
		if e.Covered && e.Direction == ledger.Debit {
			// Atomic on both engines: the row is locked by the UPDATE, and the
			// condition is evaluated on the latest committed balance.
			q += ` AND balance >= ?`
			uargs = append(uargs, int64(e.Amount))
		}
		n, err := tx.ExecN(ctx, q, uargs...)
		if err != nil {
			return 0, false, err
		}
		if n == 0 {
			return 0, false, ErrNotCovered
		}
	}
	if err := rows.insert(ctx, tx); err != nil {
		return 0, false, err
	}
	return id, true, nil
}

// deferrable reports whether an account's cached balance may change at the
// end of the transaction rather than at once: every account but a
// distributor's wallet (available, debt, withdrawing), which transactions
// lock first, read, and debit only if covered.
//
// Why no transaction can deadlock on ledger rows (PostgreSQL): a
// transaction first locks wallet accounts, all in one account-code-ordered
// go (LockWallets, or the one journal of a withdrawal), and only at its end
// the deferrable accounts, in code order (flushBalances); it never goes back
// from the second phase to the first.
func deferrable(code string) bool {
	kind, _, err := ledger.ParseCode(code)
	if err != nil {
		return false
	}
	switch kind {
	case ledger.DistributorAvailable, ledger.DistributorDebt, ledger.DistributorWithdrawing:
		return false
	}
	return true
}

type deferredBalance struct {
	id    int64
	delta int64
}

// deferredKey holds a transaction's deferred balance changes (Tx.Value):
// a map[string]*deferredBalance by account code.
type deferredKey struct{}

// deferred returns the transaction's deferred balance changes, nil if none.
func deferred(tx *sqldb.Tx) map[string]*deferredBalance {
	m, _ := tx.Value(deferredKey{}).(map[string]*deferredBalance)
	return m
}

// deferBalance adds delta to an account's balance at the end of the transaction.
func deferBalance(tx *sqldb.Tx, id int64, code string, delta int64) {
	deferred := deferred(tx)
	if deferred == nil {
		deferred = map[string]*deferredBalance{}
		tx.SetValue(deferredKey{}, deferred)
		tx.BeforeCommit(deferredKey{}, func(ctx context.Context) error { return flushBalances(ctx, tx) })
	}
	d := deferred[code]
	if d == nil {
		d = &deferredBalance{id: id}
		deferred[code] = d
	}
	d.delta += delta
}

// flushBalances applies the deferred balance changes as the transaction's
// last statements, locking the rows in account-code order first. Every
// transaction locks these shared rows only here, in one order, and holds
// them only until its commit: concurrent orders queue on them briefly and
// cannot deadlock.
func flushBalances(ctx context.Context, tx *sqldb.Tx) error {
	deferred := deferred(tx)
	codes := make([]string, 0, len(deferred))
	for code, d := range deferred {
		if d.delta != 0 {
			codes = append(codes, code)
		}
	}
	slices.Sort(codes)
	deltas := make(map[int64]int64, len(codes))
	ids := make([]int64, 0, len(codes))
	for _, code := range codes {
		d := deferred[code]
		ids = append(ids, d.id)
		deltas[d.id] = d.delta
	}
	tx.SetValue(deferredKey{}, nil)
	if tx.Engine() == sqldb.Postgres && len(ids) > 1 {
		// One UPDATE locks its rows in whatever order its plan meets them.
		if err := tx.ExecLater(ctx, lockBalancesQuery(tx, len(ids)), sqldb.Args(ids)...); err != nil {
			return err
		}
	}
	return addBalances(ctx, tx, ids, deltas)
}

// byCode is the ORDER BY that takes ledger account rows in the order Go's
// slices.Sort puts their codes (bytes), which is the order every other lock
// on them is taken in: a journal's entries, LockAccounts, a posting's
// codes. A PostgreSQL text column sorts by its collation, by default the
// database's: one created with a language's collation would lock in
// another order than Go sorts (ICU's numeric ordering puts
// "distributor_debt:9" before "distributor_debt:10"; others ignore
// punctuation or case, which codes added later may hold), and two
// transactions could wait on each other. "C" compares bytes. SQLite's
// default collation (BINARY) already does.
func byCode(tx *sqldb.Tx) string {
	if tx.Engine() == sqldb.Postgres {
		return `code COLLATE "C"`
	}
	return `code`
}

// lockWalletsQuery locks n ledger accounts given by code, in code order,
// and returns their code, currency and balance (LockWalletAccounts).
func lockWalletsQuery(tx *sqldb.Tx, n int) string {
	q := `SELECT code, currency, balance FROM ledger_accounts WHERE code IN (` + sqldb.Placeholders(n) + `) ORDER BY ` + byCode(tx)
	if tx.Engine() == sqldb.Postgres {
		// Rows are locked in the ORDER BY's order; NO KEY UPDATE, as an
		// UPDATE would, so inserting entries that refer to them is not blocked.
		q += ` FOR NO KEY UPDATE`
	}
	return q
}

// lockBalancesQuery locks n ledger accounts given by id, in code order
// (flushBalances).
func lockBalancesQuery(tx *sqldb.Tx, n int) string {
	q := `SELECT id FROM ledger_accounts WHERE id IN (` + sqldb.Placeholders(n) + `) ORDER BY ` + byCode(tx)
	if tx.Engine() == sqldb.Postgres {
		q += ` FOR NO KEY UPDATE`
	}
	return q
}

// addBalances adds deltas[id] to the cached balance of each account in
// ids, in one statement. Where row locks matter the caller holds them.
func addBalances(ctx context.Context, tx *sqldb.Tx, ids []int64, deltas map[int64]int64) error {
	switch len(ids) {
	case 0:
		return nil
	case 1:
		return tx.ExecLaterN(ctx, 1, `UPDATE ledger_accounts SET balance = balance + ? WHERE id = ?`, deltas[ids[0]], ids[0])
	}
	var b strings.Builder
	args := make([]any, 0, 3*len(ids))
	b.WriteString(`UPDATE ledger_accounts SET balance = balance + CASE id`)
	for _, id := range ids {
		b.WriteString(` WHEN ? THEN CAST(? AS BIGINT)`)
		args = append(args, id, deltas[id])
	}
	b.WriteString(` END WHERE id IN (` + sqldb.Placeholders(len(ids)) + `)`)
	for _, id := range ids {
		args = append(args, id)
	}
	// Every account's row, or the transaction fails.
	return tx.ExecLaterN(ctx, int64(len(ids)), b.String(), args...)
}

// LedgerAccounts returns the ids of the accounts with codes, in currency,
// creating those used for the first time (all in one statement).
func LedgerAccounts(ctx context.Context, tx *sqldb.Tx, codes []string, currency string) (map[string]int64, error) {
	ids := make(map[string]int64, len(codes))
	read := func(codes []string) error {
		args := make([]any, len(codes))
		for i, c := range codes {
			args[i] = c
		}
		return tx.Each(ctx, `SELECT id, code, currency FROM ledger_accounts WHERE code IN (`+sqldb.Placeholders(len(codes))+`)`, args,
			func(scan func(...any) error) error {
				var id int64
				var code, cur string
				if err := scan(&id, &code, &cur); err != nil {
					return err
				}
				if cur != currency {
					return fmt.Errorf("ledger account %s is in %s, not %s", code, cur, currency)
				}
				ids[code] = id
				return nil
			})
	}
	if err := read(codes); err != nil {
		return nil, err
	}
	var missing []string
	for _, c := range codes {
		if ids[c] == 0 {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return ids, nil
	}
	slices.Sort(missing)
	missing = slices.Compact(missing)
	if err := createAccounts(ctx, tx, missing, currency); err != nil {
		return nil, err
	}
	if err := read(missing); err != nil {
		return nil, err
	}
	for _, c := range missing {
		if ids[c] == 0 {
			return nil, fmt.Errorf("books: ledger account %s was not created", c)
		}
	}
	return ids, nil
}

// ledgerAccount returns the id of the account with code, creating it on first use.
func ledgerAccount(ctx context.Context, tx *sqldb.Tx, code, currency string) (int64, error) {
	ids, err := LedgerAccounts(ctx, tx, []string{code}, currency)
	return ids[code], err
}

// createAccounts creates the accounts with codes (sorted) that do not exist
// yet, in one statement. ON CONFLICT DO NOTHING: two transactions may create
// the same account at once; the loser reads the winner's row. On
// PostgreSQL the statement runs and commits at once on a pool of its own, so
// that no transaction waits on another's uncommitted new account (two
// creating two accounts in opposite orders would deadlock); the codes are
// sorted so that two such statements cannot either. An empty account
// carries no money, so it may outlive a transaction that rolls back.
func createAccounts(ctx context.Context, tx *sqldb.Tx, codes []string, currency string) error {
	q, args, err := insertAccounts(tx, codes, currency)
	if err != nil {
		return err
	}
	return tx.ExecAside(ctx, q, args...)
}

// insertAccounts is the statement that creates the accounts with codes,
// none of them twice.
func insertAccounts(tx *sqldb.Tx, codes []string, currency string) (string, []any, error) {
	values := make([]string, len(codes))
	args := make([]any, 0, 5*len(codes))
	for i, code := range codes {
		kind, owner, err := ledger.ParseCode(code)
		if err != nil {
			return "", nil, err
		}
		values[i] = "(?, ?, ?, ?, ?)"
		args = append(args, code, string(kind), sqldb.NullInt(owner), currency, sqldb.TS(tx.Now()))
	}
	return `INSERT INTO ledger_accounts (code, kind, owner_id, currency, created_at) VALUES ` + strings.Join(values, ", ") +
		` ON CONFLICT (code) DO NOTHING`, args, nil
}

// OpenNewOwnerAccounts creates, inside tx, the accounts with codes of an
// owner tx has just created (a distributor joining), so that the owner's
// first booking finds them instead of creating them beside its
// transaction (createAccounts: a statement and a commit of its own, and a
// second read). Nobody else can be creating an account of an owner that
// is not committed yet, so the insert waits on no one; ON CONFLICT DO
// NOTHING keeps it harmless if one exists all the same.
func OpenNewOwnerAccounts(ctx context.Context, tx *sqldb.Tx, codes []string, currency string) error {
	q, args, err := insertAccounts(tx, codes, currency)
	if err != nil {
		return err
	}
	return tx.ExecLater(ctx, q, args...)
}

// Balance returns an account's cached balance (credits − debits); 0 for an
// account never used.
func Balance(ctx context.Context, tx *sqldb.Tx, code string) (money.Amount, error) {
	var b int64
	err := tx.Get(ctx, "ledger account", `SELECT balance FROM ledger_accounts WHERE code = ?`, []any{code}, &b)
	if errs.Is(err, errs.NotFound) {
		return 0, nil
	}
	if d := deferred(tx)[code]; d != nil {
		b += d.delta
	}
	return money.Amount(b), err
}

// PostedEntry is an entry as stored.
type PostedEntry struct {
	ID        int64
	Account   string
	Direction ledger.Direction
	Amount    money.Amount
}

// PostedJournal is a journal as stored, with its entries.
type PostedJournal struct {
	ID       int64
	Key      string
	Kind     string
	Memo     string
	Currency string
	Entries  []PostedEntry
	Created  int64 // Unix microseconds
}

// JournalFilter selects journals in id order.
type JournalFilter struct {
	Kind    string // "" for all
	Account string // only journals touching this account code; "" for all
	After   int64
	Limit   int // 1..1000, default 100
}

// ReadJournals lists journals with their entries, in id order.
func ReadJournals(ctx context.Context, tx *sqldb.Tx, f JournalFilter) ([]PostedJournal, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	var out []PostedJournal
	q := `SELECT j.id, j.idempotency_key, j.kind, j.memo, j.currency, j.created_at FROM journals j WHERE j.id > ?`
	args := []any{f.After}
	if f.Kind != "" {
		q += ` AND j.kind = ?`
		args = append(args, f.Kind)
	}
	if f.Account != "" {
		q += ` AND j.id IN (SELECT e.journal_id FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE a.code = ?)`
		args = append(args, f.Account)
	}
	q += ` ORDER BY j.id LIMIT ?`
	args = append(args, f.Limit)
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var j PostedJournal
		if err := rows.Scan(&j.ID, &j.Key, &j.Kind, &j.Memo, &j.Currency, &j.Created); err != nil {
			rows.Close()
			return nil, sqldb.MapErr(err)
		}
		out = append(out, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, sqldb.MapErr(err)
	}
	for i := range out {
		if out[i].Entries, err = journalEntries(ctx, tx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func journalEntries(ctx context.Context, tx *sqldb.Tx, journalID int64) ([]PostedEntry, error) {
	rows, err := tx.Query(ctx, `SELECT e.id, a.code, e.direction, e.amount FROM ledger_entries e
		JOIN ledger_accounts a ON a.id = e.account_id WHERE e.journal_id = ? ORDER BY e.id`, journalID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PostedEntry
	for rows.Next() {
		var e PostedEntry
		var dir string
		if err := rows.Scan(&e.ID, &e.Account, &dir, &e.Amount); err != nil {
			return nil, sqldb.MapErr(err)
		}
		e.Direction = ledger.Direction(dir)
		out = append(out, e)
	}
	return out, sqldb.MapErr(rows.Err())
}

// IsNotCovered reports whether err is a Covered debit that the balance could not cover.
func IsNotCovered(err error) bool { return errors.Is(err, errInsufficient) }
