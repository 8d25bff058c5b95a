package books

import (
	"context"
	"database/sql"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// The effects outbox's rows. An effect is a call to an outside provider (a
// refund now) that state committed in the same transaction needs; the
// store runs the calls (store.RunEffect, the effects sweep) and records
// their outcome here. The statuses:
const (
	EffectDue    = "due"    // to be made (again, after a failure: LastError says why)
	EffectDone   = "done"   // the provider confirmed it
	EffectFailed = "failed" // the provider refused it for good; it waits for a person
)

// Effect is a call to an outside provider that state committed in the
// database needs.
type Effect struct {
	ID            int64
	Kind          string
	Key           string // the provider's idempotency key
	Provider      string
	Payload       string // JSON, by kind
	Amount        money.Amount
	Currency      string
	Status        string
	Attempts      int64 // failed attempts
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	DoneAt        *time.Time
}

// RecordEffect records an effect due now, in the caller's transaction. The
// same key again with the same call changes nothing; with another call it
// is a bug, refused as a Conflict.
func RecordEffect(ctx context.Context, tx *sqldb.Tx, kind, key, provider, payload string, amount money.Amount, currency string) error {
	now := sqldb.TS(tx.Now())
	n, err := tx.ExecN(ctx, `INSERT INTO effects (kind, idempotency_key, provider, payload, amount, currency, status, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, 'due', ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
		kind, key, provider, payload, int64(amount), currency, now, now)
	if err != nil || n == 1 {
		return err
	}
	e, err := ReadEffect(ctx, tx, `idempotency_key = ?`, key)
	if err != nil {
		return err
	}
	if e.Kind != kind || e.Provider != provider || e.Payload != payload || e.Amount != amount || e.Currency != currency {
		return errs.E(errs.Conflict, "", "effect %s was already recorded for another call", key)
	}
	return nil
}

// ClaimEffect takes effect id for its caller until claimUntil, when it is
// due (force: whatever its backoff, failed too) and no one holds it. It
// returns nil when the effect is not to be made now.
func ClaimEffect(ctx context.Context, tx *sqldb.Tx, id int64, claimUntil time.Time, force bool) (*Effect, error) {
	q := `UPDATE effects SET claimed_until = ?, status = 'due' WHERE id = ? AND claimed_until <= ? AND `
	args := []any{sqldb.TS(claimUntil), id, sqldb.TS(tx.Now())}
	if force {
		q += `status IN ('due', 'failed')`
	} else {
		q += `status = 'due' AND next_attempt_at <= ?`
		args = append(args, sqldb.TS(tx.Now()))
	}
	n, err := tx.ExecN(ctx, q, args...)
	if err != nil || n == 0 {
		return nil, err
	}
	return ReadEffect(ctx, tx, `id = ?`, id)
}

// ReleaseEffect lets go of a claim without an attempt counted.
func ReleaseEffect(ctx context.Context, tx *sqldb.Tx, id int64) error {
	_, err := tx.Exec(ctx, `UPDATE effects SET claimed_until = 0 WHERE id = ? AND status = 'due'`, id)
	return err
}

// FailEffect records a failed call of a claimed effect: one more attempt,
// with status EffectDue (retried at next) or EffectFailed (refused for good).
func FailEffect(ctx context.Context, tx *sqldb.Tx, id int64, status, lastError string, next time.Time) error {
	now := sqldb.TS(tx.Now())
	_, err := tx.Exec(ctx, `UPDATE effects SET attempts = attempts + 1, last_error = ?, status = ?, claimed_until = 0,
			first_failed_at = COALESCE(first_failed_at, ?), last_failed_at = ?, next_attempt_at = ?
		WHERE id = ? AND status = 'due'`,
		lastError, status, now, now, sqldb.TS(next), id)
	return err
}

// CompleteEffect records that the provider made effect id, once: it reports
// false when another executor recorded it first. The caller books what
// follows from it in the same transaction.
func CompleteEffect(ctx context.Context, tx *sqldb.Tx, id int64) (bool, error) {
	n, err := tx.ExecN(ctx, `UPDATE effects SET status = 'done', done_at = ?, claimed_until = 0 WHERE id = ? AND status <> 'done'`,
		sqldb.TS(tx.Now()), id)
	return n == 1, err
}

const effectCols = `id, kind, idempotency_key, provider, payload, amount, currency, status, attempts, next_attempt_at, last_error, created_at, done_at`

// ReadEffect reads the effect meeting cond (a WHERE condition on effects).
func ReadEffect(ctx context.Context, tx *sqldb.Tx, cond string, args ...any) (*Effect, error) {
	e := &Effect{}
	var amount, next, created int64
	var done sql.NullInt64
	if err := tx.Get(ctx, "effect", `SELECT `+effectCols+` FROM effects WHERE `+cond, args,
		&e.ID, &e.Kind, &e.Key, &e.Provider, &e.Payload, &amount, &e.Currency, &e.Status, &e.Attempts, &next, &e.LastError,
		&created, &done); err != nil {
		return nil, err
	}
	e.Amount, e.NextAttemptAt, e.CreatedAt = money.Amount(amount), sqldb.FromTS(next), sqldb.FromTS(created)
	if done.Valid {
		t := sqldb.FromTS(done.Int64)
		e.DoneAt = &t
	}
	return e, nil
}

// NoteRemote keeps what the provider last said of effect id (a refund's
// status there, and its id for it when it gives one).
func NoteRemote(ctx context.Context, tx *sqldb.Tx, id int64, status, ref string) error {
	_, err := tx.Exec(ctx, `UPDATE effects SET remote_status = ?, remote_ref = CASE WHEN ? = '' THEN remote_ref ELSE ? END WHERE id = ?`,
		status, ref, ref, id)
	return err
}

// GiveUpEffect marks a due effect failed because the provider gave up on
// it (a refund notification said so): it waits for a person.
func GiveUpEffect(ctx context.Context, tx *sqldb.Tx, id int64, lastError string) error {
	_, err := tx.Exec(ctx, `UPDATE effects SET status = 'failed', last_error = ?, claimed_until = 0, last_failed_at = ?,
			first_failed_at = COALESCE(first_failed_at, ?) WHERE id = ? AND status = 'due'`,
		lastError, sqldb.TS(tx.Now()), sqldb.TS(tx.Now()), id)
	return err
}
