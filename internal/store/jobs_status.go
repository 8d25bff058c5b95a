package store

import (
	"context"
	"database/sql"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/program"
	"sharemall/internal/sqldb"
)

// DueWork is what one sweep has to do now, for `sharemall jobs status` and
// for metrics.
type DueWork struct {
	Sweep     string
	Due       int64      // items due now, leaving out those with a failure on record
	OldestDue *time.Time // when the longest-waiting of them became due; nil when none is
	Failing   int64      // items with a failure on record
	RetryDue  int64      // of those, the ones whose next attempt has come
	LastRun   *time.Time // when a run of this sweep last finished, on any server
	LastCount int64      // items that run did
	Err       string     // why the sweep's due items could not be counted (its run fails the same way)
}

// OldestAge is how long the longest-waiting due item has waited at now (0
// when nothing is due).
func (w DueWork) OldestAge(now time.Time) time.Duration {
	if w.OldestDue == nil || now.Before(*w.OldestDue) {
		return 0
	}
	return now.Sub(*w.OldestDue)
}

// JobsDue returns, per sweep in the order they run, what is due now and
// what is failing. It counts with the sweeps' own conditions, so a number
// here is what the next run would pick up. A sweep whose count fails (as
// its run would) says so in Err; the others are still counted.
func (db *DB) JobsDue(ctx context.Context) ([]DueWork, error) {
	confirmDays := func(s *program.Settings) int { return s.AutoConfirmDays }
	afterSaleDays := func(s *program.Settings) int { return s.AfterSaleDays }
	count := []struct {
		sweep string
		fn    func(tx *Tx, w *DueWork) error
	}{
		{SweepCancelUnpaid, func(tx *Tx, w *DueWork) error {
			return tx.countDue(ctx, w, 0, `SELECT COUNT(*), MIN(pay_by) FROM orders
				WHERE status = 'unpaid' AND pay_by <= ? AND `+notFailing(SweepCancelUnpaid, "orders.id"), ts(tx.Now()))
		}},
		{SweepConfirmReceipt, func(tx *Tx, w *DueWork) error {
			return tx.countByVersion(ctx, w, confirmDays, `SELECT COUNT(*), MIN(f.shipped_at) FROM fulfilment_orders f
				JOIN orders o ON o.id = f.order_id
				WHERE f.status = 'shipped' AND o.settings_version = ? AND f.shipped_at <= ? AND `+notFailing(SweepConfirmReceipt, "f.id"))
		}},
		{SweepSettle, func(tx *Tx, w *DueWork) error {
			return tx.countByVersion(ctx, w, afterSaleDays, `SELECT COUNT(*), MIN(f.received_at) FROM commission_lines c
				JOIN order_lines l ON l.id = c.line_id JOIN fulfilment_orders f ON f.id = l.fulfilment_id JOIN orders o ON o.id = l.order_id
				WHERE c.status = 'pending' AND c.held = FALSE AND f.status = 'received' AND o.settings_version = ? AND f.received_at <= ?
					AND `+notFailing(SweepSettle, "c.line_id"))
		}},
		{SweepFigures, func(tx *Tx, w *DueWork) error {
			return tx.countDue(ctx, w, 0, `SELECT COUNT(*), MIN(at) FROM sales_events
				WHERE folded = FALSE AND `+notFailing(SweepFigures, "sales_events.id"))
		}},
		{SweepGrades, func(tx *Tx, w *DueWork) error {
			return tx.countDue(ctx, w, 0, `SELECT COUNT(*), MIN(s.updated_at) FROM distributor_sales s
				WHERE s.grade_due = TRUE AND `+notFailing(SweepGrades, "s.distributor_id"))
		}},
		{SweepInsight, func(tx *Tx, w *DueWork) error {
			return tx.countDue(ctx, w, 0, `SELECT COUNT(*), MIN(at) FROM (SELECT at FROM sales_events WHERE insight_folded = FALSE
				UNION ALL SELECT at FROM insight_events WHERE folded = FALSE
				UNION ALL SELECT at FROM network_events WHERE folded = FALSE
				UNION ALL SELECT sold_at FROM insight_first_sellers WHERE folded = FALSE
				UNION ALL SELECT at FROM funnel_events WHERE folded = FALSE) due`)
		}},
		{SweepPaymentQuery, func(tx *Tx, w *DueWork) error {
			return tx.countDue(ctx, w, 0, `SELECT COUNT(*), MIN(created_at) FROM payments WHERE status = 'pending' AND created_at <= ? AND created_at >= ?
				AND provider <> 'sandbox'`, // the sandbox is never asked: its state is these rows
				ts(tx.Now().Add(-PaymentQueryAfter)), ts(tx.Now().Add(-PaymentQueryFor)))
		}},
		{SweepSimLines, func(tx *Tx, w *DueWork) error {
			return tx.countDue(ctx, w, 0, `SELECT COUNT(*), MIN(at) FROM sales_events WHERE sim_folded = FALSE`)
		}},
		{SweepEffects, func(tx *Tx, w *DueWork) error { return tx.countEffectsDue(ctx, w) }},
		{SweepLedger, func(tx *Tx, w *DueWork) error { return tx.countLedgerDue(ctx, w) }},
	}
	out := make([]DueWork, len(count))
	for i, c := range count {
		out[i].Sweep = c.sweep
		// Each in its own transaction: on PostgreSQL a failed statement
		// would end the transaction for the others.
		if err := db.Read(ctx, func(tx *Tx) error { return c.fn(tx, &out[i]) }); err != nil {
			if ctx.Err() != nil || errs.Is(err, errs.Unavailable) {
				return nil, errs.Wrap("store.JobsDue", err)
			}
			out[i].Err = err.Error()
		}
	}
	err := db.Read(ctx, func(tx *Tx) error {
		if err := tx.addFailingAndRuns(ctx, out); err != nil {
			return err
		}
		return tx.addFailingEffects(ctx, out)
	})
	return out, errs.Wrap("store.JobsDue", err)
}

// countByVersion adds to w the count and earliest time of q, asked per
// settings version with the version and its cutoff (days long).
func (tx *Tx) countByVersion(ctx context.Context, w *DueWork, days func(*program.Settings) int, q string) error {
	cutoffs, err := tx.versionCutoffs(ctx, days)
	if err != nil {
		return err
	}
	for version, cutoff := range cutoffs {
		if err := tx.countDue(ctx, w, tx.Now().Sub(cutoff), q, version, ts(cutoff)); err != nil {
			return err
		}
	}
	return nil
}

// countDue adds to w the count and earliest time q returns; an item became
// due wait after that time.
func (tx *Tx) countDue(ctx context.Context, w *DueWork, wait time.Duration, q string, args ...any) error {
	var n int64
	var earliest sql.NullInt64
	if err := tx.Get(ctx, "due work", q, args, &n, &earliest); err != nil {
		return err
	}
	w.Due += n
	if earliest.Valid {
		at := fromTS(earliest.Int64).Add(wait)
		if w.OldestDue == nil || at.Before(*w.OldestDue) {
			w.OldestDue = &at
		}
	}
	return nil
}

// addFailingAndRuns fills in each sweep's failures and last run.
func (tx *Tx) addFailingAndRuns(ctx context.Context, out []DueWork) error {
	at := map[string]*DueWork{}
	for i := range out {
		at[out[i].Sweep] = &out[i]
	}
	err := tx.Each(ctx, `SELECT kind, COUNT(*), SUM(CASE WHEN next_attempt_at <= ? THEN 1 ELSE 0 END) FROM job_failures GROUP BY kind`,
		[]any{ts(tx.Now())}, func(scan func(...any) error) error {
			var kind string
			var n, due int64
			if err := scan(&kind, &n, &due); err != nil {
				return sqldb.MapErr(err)
			}
			if w := at[kind]; w != nil {
				w.Failing, w.RetryDue = n, due
			}
			return nil
		})
	if err != nil {
		return err
	}
	return tx.Each(ctx, `SELECT name, last_run, last_count FROM job_leases`, nil, func(scan func(...any) error) error {
		var name string
		var last sql.NullInt64
		var count int64
		if err := scan(&name, &last, &count); err != nil {
			return sqldb.MapErr(err)
		}
		if w := at[name]; w != nil {
			w.LastRun, w.LastCount = fromNullTS(last), count
		}
		return nil
	})
}

// countLedgerDue says whether the hourly ledger check is due: 1 when no run
// finished in the last LedgerCheckEvery (due since the last run's hour
// ended; since now when it never ran).
func (tx *Tx) countLedgerDue(ctx context.Context, w *DueWork) error {
	var last sql.NullInt64
	if err := tx.Get(ctx, "ledger check", `SELECT MAX(at) FROM ledger_checks`, nil, &last); err != nil {
		return err
	}
	due := tx.Now()
	if last.Valid {
		due = fromTS(last.Int64).Add(LedgerCheckEvery)
	}
	if due.After(tx.Now()) {
		return nil
	}
	w.Due, w.OldestDue = 1, &due
	return nil
}
