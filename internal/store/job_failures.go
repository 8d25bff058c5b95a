package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// The sweeps' names: the kinds their items' failures are recorded under.
const (
	SweepCancelUnpaid   = "cancel-unpaid"
	SweepConfirmReceipt = "confirm-receipt"
	SweepSettle         = "settle"
	SweepFigures        = "figures"
	SweepGrades         = "grades"
	SweepInsight        = "insight"
	// FailedSweep is the kind of a sweep that failed as a whole (its due
	// query, not one item); the item is the sweep's name.
	FailedSweep = "sweep"
)

// A failing item waits FailureBackoff after its first failure, twice as
// long after each further one, never longer than FailureBackoffCap: a
// passing fault (a lock, a restart) is retried soon, a bad row costs one
// attempt an hour.
const (
	FailureBackoff    = time.Minute
	FailureBackoffCap = time.Hour
)

// maxErrorText bounds the error text kept per failure.
const maxErrorText = 2000

// Backoff is how long an item waits after its attempts-th failure.
func Backoff(attempts int64) time.Duration {
	d := FailureBackoff
	for i := int64(1); i < attempts && d < FailureBackoffCap; i++ {
		d *= 2
	}
	return min(d, FailureBackoffCap)
}

// JobFailure is an item background work could not do.
type JobFailure struct {
	Kind          string // the sweep (or other work) it belongs to
	Item          string // which item: an order, line, event or distributor id
	Attempts      int64
	LastError     string
	FirstFailedAt time.Time
	LastFailedAt  time.Time
	NextAttemptAt time.Time // the work leaves the item alone until then
}

// ItemsFailed is the error of a sweep some of whose items failed: each is
// recorded (see JobFailures) and the rest of the sweep was done.
type ItemsFailed struct {
	Kind  string
	Count int
	Last  error // the last failure's cause
}

func (e *ItemsFailed) Error() string {
	return fmt.Sprintf("%s: %d item(s) failed and will be retried; the last: %v", e.Kind, e.Count, e.Last)
}

func (e *ItemsFailed) Unwrap() error { return e.Last }

// RecordFailure records that kind's item failed with cause: one more
// attempt, and the next one after the backoff.
func (db *DB) RecordFailure(ctx context.Context, kind, item string, cause error) error {
	text := "unknown error"
	if cause != nil {
		text = errorText(cause)
	}
	return errs.Wrap("store.RecordFailure", db.Write(ctx, func(tx *Tx) error {
		var attempts int64
		err := tx.Get(ctx, "failure", `SELECT attempts FROM job_failures WHERE kind = ? AND item = ?`, []any{kind, item}, &attempts)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		attempts++
		next := ts(tx.Now().Add(Backoff(attempts)))
		_, err = tx.Exec(ctx, `INSERT INTO job_failures (kind, item, attempts, last_error, first_failed_at, last_failed_at, next_attempt_at)
			VALUES (?, ?, 1, ?, ?, ?, ?)
			ON CONFLICT (kind, item) DO UPDATE SET attempts = job_failures.attempts + 1, last_error = excluded.last_error,
				last_failed_at = excluded.last_failed_at, next_attempt_at = ?`,
			kind, item, text, ts(tx.Now()), ts(tx.Now()), next, next)
		return err
	}))
}

// errorText is an error's text as a TEXT column of either engine takes it:
// valid UTF-8 without NUL, at most maxErrorText bytes.
func errorText(err error) string {
	text := strings.ReplaceAll(strings.ToValidUTF8(err.Error(), "?"), "\x00", "?")
	if len(text) > maxErrorText {
		text = strings.ToValidUTF8(text[:maxErrorText], "")
	}
	return text
}

// ClearFailure forgets kind's item: it succeeded, or no longer needs doing.
func (db *DB) ClearFailure(ctx context.Context, kind, item string) error {
	return errs.Wrap("store.ClearFailure", db.Write(ctx, func(tx *Tx) error {
		return tx.clearFailure(ctx, kind, item)
	}))
}

func (tx *Tx) clearFailure(ctx context.Context, kind, item string) error {
	_, err := tx.Exec(ctx, `DELETE FROM job_failures WHERE kind = ? AND item = ?`, kind, item)
	return err
}

// JobFailures lists the recorded failures, of kind or of every kind when
// kind is empty, soonest next attempt first.
func (db *DB) JobFailures(ctx context.Context, kind string) ([]JobFailure, error) {
	q, args := `SELECT kind, item, attempts, last_error, first_failed_at, last_failed_at, next_attempt_at FROM job_failures`, []any{}
	if kind != "" {
		q, args = q+` WHERE kind = ?`, append(args, kind)
	}
	var out []JobFailure
	err := db.Read(ctx, func(tx *Tx) error {
		err := tx.Each(ctx, q+` ORDER BY next_attempt_at, kind, item`, args,
			func(scan func(...any) error) error {
				var f JobFailure
				var first, last, next int64
				if err := scan(&f.Kind, &f.Item, &f.Attempts, &f.LastError, &first, &last, &next); err != nil {
					return sqldb.MapErr(err)
				}
				f.FirstFailedAt, f.LastFailedAt, f.NextAttemptAt = fromTS(first), fromTS(last), fromTS(next)
				out = append(out, f)
				return nil
			})
		if err != nil || (kind != "" && kind != SweepEffects) {
			return err
		}
		// Effects keep their failures on their own rows (effects_status.go).
		effects, err := tx.effectFailures(ctx)
		out = append(out, effects...)
		return err
	})
	slices.SortStableFunc(out, func(a, b JobFailure) int { return a.NextAttemptAt.Compare(b.NextAttemptAt) })
	return out, errs.Wrap("store.JobFailures", err)
}

// notFailing is the SQL condition that the item in column col has no
// failure of kind on record: a sweep's due query leaves such items to the
// sweep's retries. kind is one of the constants above, never input.
func notFailing(kind, col string) string {
	return `NOT EXISTS (SELECT 1 FROM job_failures jf WHERE jf.kind = '` + kind + `' AND jf.item = CAST(` + col + ` AS TEXT))`
}

// dueRetries returns up to limit items of kind whose next attempt is due.
func (db *DB) dueRetries(ctx context.Context, kind string, limit int) ([]int64, error) {
	var items []string
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		items, err = sqldb.Column[string](ctx, tx.Tx, `SELECT item FROM job_failures WHERE kind = ? AND next_attempt_at <= ?
			ORDER BY next_attempt_at, item LIMIT ?`, []any{kind, ts(tx.Now()), limit})
		return err
	})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		id, err := strconv.ParseInt(it, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("store: %s failure on item %q, which is not an id", kind, it)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// sweepTally counts what one call of a sweep did. Settlement's workers
// share one, hence the lock.
type sweepTally struct {
	kind   string
	mu     sync.Mutex
	done   int
	failed int
	last   error
}

func (t *sweepTally) add(done int) {
	t.mu.Lock()
	t.done += done
	t.mu.Unlock()
}

func (t *sweepTally) seen() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.done + t.failed
}

// result is what the sweep returns: the items done, and an ItemsFailed
// when any failed.
func (t *sweepTally) result(op string, err error) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		return t.done, errs.Wrap(op, err)
	}
	if t.failed > 0 {
		return t.done, &ItemsFailed{Kind: t.kind, Count: t.failed, Last: t.last}
	}
	return t.done, nil
}

// sweep does up to limit items of t's kind, each in its own transaction:
// first the failed ones whose next attempt has come, then those due
// returns (due leaves out every item with a failure on record).
func (db *DB) sweep(ctx context.Context, t *sweepTally, limit int, due func(limit int) ([]int64, error), do itemFunc) error {
	if err := db.retryDue(ctx, t, limit, do); err != nil || t.seen() >= limit {
		return err
	}
	ids, err := due(limit - t.seen())
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := db.item(ctx, t, id, false, do); err != nil {
			return err
		}
	}
	return nil
}

// itemFunc does one item of a sweep in tx, and returns how many things it
// changed: 0 when the item no longer needs doing.
type itemFunc func(ctx context.Context, tx *Tx, id int64) (int, error)

// retryDue does again, one by one, up to limit failed items of t's kind
// whose next attempt has come.
func (db *DB) retryDue(ctx context.Context, t *sweepTally, limit int, do itemFunc) error {
	retries, err := db.dueRetries(ctx, t.kind, limit)
	if err != nil {
		return err
	}
	for _, id := range retries {
		if err := db.item(ctx, t, id, true, do); err != nil {
			return err
		}
	}
	return nil
}

// item does one item in its own transaction. A retried item is
// cleared in the same transaction when do succeeds. A failure is recorded
// and the sweep goes on; only a failure that is not the item's (the
// database unavailable, the context ended) is returned, to stop the sweep.
func (db *DB) item(ctx context.Context, t *sweepTally, id int64, retry bool, do itemFunc) error {
	key := strconv.FormatInt(id, 10)
	var n int
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		if n, err = do(ctx, tx, id); err != nil {
			return err
		}
		if retry {
			return tx.clearFailure(ctx, t.kind, key)
		}
		return nil
	})
	if err == nil {
		t.add(n)
		return nil
	}
	return db.itemFailed(ctx, t, key, err)
}

// itemFailed records an item's failure, or returns it when it is not the
// item's fault.
func (db *DB) itemFailed(ctx context.Context, t *sweepTally, key string, cause error) error {
	if ctx.Err() != nil || errs.Is(cause, errs.Unavailable) {
		return cause
	}
	if err := db.RecordFailure(ctx, t.kind, key, cause); err != nil {
		return fmt.Errorf("recording the failure of %s %s (%v): %w", t.kind, key, cause, err)
	}
	t.mu.Lock()
	t.failed++
	t.last = fmt.Errorf("%s %s: %w", t.kind, key, cause)
	t.mu.Unlock()
	return nil
}
