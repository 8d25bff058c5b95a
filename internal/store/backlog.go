package store

import (
	"context"
	"database/sql"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/program"
)

// Backlog is how late the background work is: for each kind of work, how
// long ago its oldest due item became due (0 when nothing is due). A sweep
// that keeps up holds these near zero; one that fails or stalls lets them grow.
type Backlog struct {
	CancelUnpaid   time.Duration // unpaid orders past their payment deadline
	ConfirmReceipt time.Duration // shipped fulfilment orders past their auto-confirm days
	Settle         time.Duration // commission lines past their after-sale window, not held
	Figures        time.Duration // sales events not yet folded into the figures (due at once)
}

// Backlog measures the background work that is due now, with the same
// conditions the sweeps use.
func (db *DB) Backlog(ctx context.Context) (Backlog, error) {
	var b Backlog
	now := db.Now()
	age := func(due *int64) time.Duration {
		if due == nil {
			return 0
		}
		return max(0, now.Sub(time.UnixMicro(*due)))
	}
	err := db.Read(ctx, func(tx *Tx) error {
		var due *int64
		if err := tx.get(ctx, "orders", `SELECT MIN(pay_by) FROM orders WHERE status = 'unpaid' AND pay_by <= ?`, []any{ts(now)}, &due); err != nil {
			return err
		}
		b.CancelUnpaid = age(due)
		due = nil
		if err := tx.get(ctx, "sales events", `SELECT MIN(at) FROM sales_events WHERE folded = FALSE`, nil, &due); err != nil {
			return err
		}
		b.Figures = age(due)
		return nil
	})
	if err != nil {
		return b, errs.Wrap("store.Backlog", err)
	}
	// Receipt and settlement are due a number of days after an event, the
	// days of the rules each order was placed under: an item is late by
	// (now - days) - event = cutoff - event.
	lateness := func(days func(*program.Settings) int, q string) (time.Duration, error) {
		cutoffs, err := db.versionCutoffs(ctx, days)
		if err != nil {
			return 0, err
		}
		var worst time.Duration
		err = db.Read(ctx, func(tx *Tx) error {
			for version, cutoff := range cutoffs {
				var event *int64
				if err := tx.get(ctx, "backlog", q, []any{version, ts(cutoff)}, &event); err != nil {
					return err
				}
				if event != nil {
					worst = max(worst, cutoff.Sub(time.UnixMicro(*event)))
				}
			}
			return nil
		})
		return worst, err
	}
	if b.ConfirmReceipt, err = lateness(func(s *program.Settings) int { return s.AutoConfirmDays },
		`SELECT MIN(f.shipped_at) FROM fulfilment_orders f JOIN orders o ON o.id = f.order_id
		WHERE f.status = 'shipped' AND o.settings_version = ? AND f.shipped_at <= ?`); err != nil {
		return b, errs.Wrap("store.Backlog", err)
	}
	if b.Settle, err = lateness(func(s *program.Settings) int { return s.AfterSaleDays },
		`SELECT MIN(f.received_at) FROM commission_lines c
		JOIN order_lines l ON l.id = c.line_id JOIN fulfilment_orders f ON f.id = l.fulfilment_id JOIN orders o ON o.id = l.order_id
		WHERE c.status = 'pending' AND c.held = FALSE AND f.status = 'received' AND o.settings_version = ? AND f.received_at <= ?`); err != nil {
		return b, errs.Wrap("store.Backlog", err)
	}
	return b, nil
}

// PoolStats reports the connection pools by name: on SQLite "write" (one
// connection) and "read"; on PostgreSQL "main" and "accounts" (the small
// pool that creates ledger accounts).
func (db *DB) PoolStats() map[string]sql.DBStats {
	if db.engine == SQLite {
		return map[string]sql.DBStats{"write": db.write.Stats(), "read": db.read.Stats()}
	}
	return map[string]sql.DBStats{"main": db.write.Stats(), "accounts": db.accounts.Stats()}
}
