package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"sharemall/internal/sqldb"
)

// How effects show in `sharemall jobs status` and the sweep metrics, as
// the effects sweep's work: due are those waiting for their first call;
// failing are those whose last call failed (waiting for their retry) or
// that the provider refused for good (waiting for a person).

// countEffectsDue adds to w the effects waiting for their first call.
func (tx *Tx) countEffectsDue(ctx context.Context, w *DueWork) error {
	return tx.countDue(ctx, w, 0, `SELECT COUNT(*), MIN(next_attempt_at) FROM effects
		WHERE status = 'due' AND attempts = 0 AND next_attempt_at <= ?`, ts(tx.Now()))
}

// addFailingEffects fills in the effects sweep's failing items.
func (tx *Tx) addFailingEffects(ctx context.Context, out []DueWork) error {
	for i := range out {
		if out[i].Sweep != SweepEffects {
			continue
		}
		var failing, retry sql.NullInt64
		if err := tx.Get(ctx, "effects", `SELECT COUNT(*), SUM(CASE WHEN status = 'due' AND next_attempt_at <= ? THEN 1 ELSE 0 END)
			FROM effects WHERE (status = 'due' AND attempts > 0) OR status = 'failed'`, []any{ts(tx.Now())}, &failing, &retry); err != nil {
			return err
		}
		out[i].Failing, out[i].RetryDue = failing.Int64, retry.Int64
	}
	return nil
}

// effectFailures lists the effects whose last call failed, as failed items
// of the effects sweep: the item is the effect's kind and key. One the
// provider refused for good has no next attempt (a zero NextAttemptAt).
func (tx *Tx) effectFailures(ctx context.Context) ([]JobFailure, error) {
	var out []JobFailure
	err := tx.Each(ctx, `SELECT kind, idempotency_key, status, attempts, last_error, first_failed_at, last_failed_at, next_attempt_at
		FROM effects WHERE (status = 'due' AND attempts > 0) OR status = 'failed' ORDER BY next_attempt_at, id`, nil,
		func(scan func(...any) error) error {
			var kind, key, status string
			var f JobFailure
			var first, last sql.NullInt64
			var next int64
			if err := scan(&kind, &key, &status, &f.Attempts, &f.LastError, &first, &last, &next); err != nil {
				return sqldb.MapErr(err)
			}
			f.Kind, f.Item = SweepEffects, fmt.Sprintf("%s %s", kind, key)
			f.FirstFailedAt, f.LastFailedAt = fromTS(first.Int64), fromTS(last.Int64)
			if status == EffectDue {
				f.NextAttemptAt = fromTS(next)
			} else {
				f.LastError = "refused for good, waits for a person: " + f.LastError
				f.NextAttemptAt = time.Time{}
			}
			out = append(out, f)
			return nil
		})
	return out, err
}
