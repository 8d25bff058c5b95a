package store

import (
	"context"
	"slices"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// LoginAttempt is a login whose password may be checked: it is already
// counted as a failure until LoginSucceeded or CancelLoginAttempt says
// otherwise, so a crash or a lost race never lets a guess go uncounted.
type LoginAttempt struct {
	ID      int64
	Login   string // the normalised email or phone
	Address string // the client address, as the API keys it
}

// ReserveLoginAttempt counts a login name's and a client address's recent
// failures and, when the policy lets the attempt be checked, records it in
// the same transaction, before any password is checked. Attempts on the same
// name or address are serialised (SQLite's one writer; advisory locks on
// PostgreSQL), so concurrent guesses see each other and at most the policy's
// number are checked. A refusal is TooMany with the real time left.
func (db *DB) ReserveLoginAttempt(ctx context.Context, login, address string, p account.LoginPolicy) (LoginAttempt, error) {
	a := LoginAttempt{Login: login, Address: address}
	err := db.Write(ctx, func(tx *Tx) error {
		if err := tx.lockLoginKeys(ctx, "login:"+login, "address:"+address); err != nil {
			return err
		}
		since := ts(tx.Now().Add(-p.Window))
		if err := tx.pruneLoginAttempts(ctx, since); err != nil {
			return err
		}
		var h account.LoginHistory
		byAddress, err := sqldb.Column[int64](ctx, tx.Tx, `SELECT at FROM login_attempts WHERE address = ? AND at > ? ORDER BY at`, []any{address, since})
		if err != nil {
			return err
		}
		for _, at := range byAddress {
			h.Address = append(h.Address, fromTS(at))
		}
		var last int64
		if err := tx.Get(ctx, "login attempts", `SELECT COUNT(*), COALESCE(MAX(at), 0) FROM login_attempts WHERE login = ? AND at > ?`,
			[]any{login, since}, &h.NameCount, &last); err != nil {
			return err
		}
		h.NameLast = fromTS(last)
		if wait := p.Check(h, tx.Now()); wait.After > 0 {
			field := "login"
			if wait.ByAddress {
				field = ""
			}
			return errs.TooManyFor(wait.After, field, "%s", wait.Message())
		}
		a.ID, err = tx.Insert(ctx, `INSERT INTO login_attempts (login, address, at) VALUES (?, ?, ?)`, login, address, ts(tx.Now()))
		return err
	})
	return a, errs.Wrap("store.ReserveLoginAttempt", err)
}

// lockLoginKeys takes PostgreSQL transaction-scoped advisory locks on the
// keys, in sorted order so two attempts never wait on each other in a
// circle. SQLite needs none: its writes run one at a time.
func (tx *Tx) lockLoginKeys(ctx context.Context, keys ...string) error {
	if tx.Engine() != Postgres {
		return nil
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, k); err != nil {
			return err
		}
	}
	return nil
}

// pruneLoginAttempts forgets attempts that have left the window, anyone's,
// a bounded batch at a time. On PostgreSQL it skips rows another
// transaction is deleting, so concurrent logins never wait on (or deadlock
// over) the same old rows; SQLite's writes run one at a time anyway.
func (tx *Tx) pruneLoginAttempts(ctx context.Context, before int64) error {
	q := `DELETE FROM login_attempts WHERE at <= ?`
	if tx.Engine() == Postgres {
		q = `DELETE FROM login_attempts WHERE id IN (SELECT id FROM login_attempts WHERE at <= ? LIMIT 256 FOR UPDATE SKIP LOCKED)`
	}
	_, err := tx.Exec(ctx, q, before)
	return err
}

// LoginSucceeded forgets the attempt and its name's failures from its
// address: the owner proved the password from there. Failures from other
// addresses stay, so a good login never clears an attacker's record.
func (db *DB) LoginSucceeded(ctx context.Context, a LoginAttempt) error {
	return errs.Wrap("store.LoginSucceeded", db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM login_attempts WHERE login = ? AND address = ?`, a.Login, a.Address)
		return err
	}))
}

// CancelLoginAttempt forgets an attempt whose password was never judged
// (a fault of ours, such as the database failing mid-way).
func (db *DB) CancelLoginAttempt(ctx context.Context, a LoginAttempt) error {
	return errs.Wrap("store.CancelLoginAttempt", db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM login_attempts WHERE id = ?`, a.ID)
		return err
	}))
}
