package store

import (
	"context"
	"time"

	"golang.org/x/sync/errgroup"

	"sharemall/internal/errs"
	"sharemall/internal/program"
	"sharemall/internal/sqldb"
)

// ClaimLease takes the named lease for holder until now+ttl when it is free
// or expired (or already the holder's). It reports whether holder has it.
func (db *DB) ClaimLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	var got bool
	err := db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO job_leases (name) VALUES (?) ON CONFLICT (name) DO NOTHING`, name); err != nil {
			return err
		}
		n, err := tx.ExecN(ctx, `UPDATE job_leases SET holder = ?, held_until = ? WHERE name = ? AND (held_until <= ? OR holder = ?)`,
			holder, ts(tx.Now().Add(ttl)), name, ts(tx.Now()), holder)
		got = n == 1
		return err
	})
	return got, errs.Wrap("store.ClaimLease", err)
}

// ReleaseLease gives the lease back and records the run.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string, count int) error {
	return errs.Wrap("store.ReleaseLease", db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `UPDATE job_leases SET held_until = 0, last_run = ?, last_count = ? WHERE name = ? AND holder = ?`,
			ts(tx.Now()), count, name, holder)
		return err
	}))
}

// dueIDs runs a query for at most limit ids of items due now.
func (db *DB) dueIDs(ctx context.Context, q string, args ...any) ([]int64, error) {
	var ids []int64
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.Each(ctx, q, args, func(scan func(...any) error) error {
			var id int64
			if err := scan(&id); err != nil {
				return sqldb.MapErr(err)
			}
			ids = append(ids, id)
			return nil
		})
	})
	return ids, err
}

// CancelUnpaidOrders cancels up to limit orders whose payment deadline has
// passed, releasing their reserved stock and coupon use. Each order is its
// own transaction and changes only if it is still unpaid, so a payment that
// lands first wins and two sweeps never cancel one order twice. An order
// that cannot be cancelled is recorded (see RecordFailure) and the others
// are; the error is then an ItemsFailed.
func (db *DB) CancelUnpaidOrders(ctx context.Context, limit int) (int, error) {
	t := &sweepTally{kind: SweepCancelUnpaid}
	err := db.sweep(ctx, t, limit, func(limit int) ([]int64, error) {
		return db.dueIDs(ctx, `SELECT id FROM orders WHERE status = 'unpaid' AND pay_by <= ? AND `+notFailing(t.kind, "orders.id")+`
			ORDER BY pay_by, id LIMIT ?`, ts(db.Now()), limit)
	}, func(ctx context.Context, tx *Tx, id int64) (int, error) {
		n, err := tx.ExecN(ctx, `UPDATE orders SET status = 'cancelled', cancelled_at = ? WHERE id = ? AND status = 'unpaid' AND pay_by <= ?`,
			ts(tx.Now()), id, ts(tx.Now()))
		tx.Point(ctx, "cancel.updated") // the order cancelled if still unpaid; its stock and coupon not released yet
		if err != nil || n == 0 {
			return 0, err
		}
		return 1, tx.releaseOrder(ctx, id)
	})
	return t.result("store.CancelUnpaidOrders", err)
}

// releaseOrder gives back what an unpaid order held: reserved stock, its
// campaign units, its fulfilment orders and its coupon use, locking them in
// that order: stock rows in SKU order, as checkout and payment lock them,
// campaign rows in id order, and the coupon after them, as checkout does, so PostgreSQL cannot deadlock between
// them (docs/money.md, "Lock order").
func (tx *Tx) releaseOrder(ctx context.Context, orderID int64) error {
	type hold struct{ warehouse, sku, qty int64 }
	var holds []hold
	err := tx.Each(ctx, `SELECT warehouse_id, sku_id, quantity FROM order_lines WHERE order_id = ? ORDER BY sku_id, warehouse_id`,
		[]any{orderID}, func(scan func(...any) error) error {
			var h hold
			if err := scan(&h.warehouse, &h.sku, &h.qty); err != nil {
				return sqldb.MapErr(err)
			}
			holds = append(holds, h)
			return nil
		})
	if err != nil {
		return err
	}
	for _, h := range holds {
		if _, err := tx.Exec(ctx, `UPDATE stock SET reserved = reserved - ?, updated_at = ? WHERE warehouse_id = ? AND sku_id = ?`,
			h.qty, ts(tx.Now()), h.warehouse, h.sku); err != nil {
			return err
		}
	}
	if err := tx.releaseCampaigns(ctx, orderID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE fulfilment_orders SET status = 'cancelled' WHERE order_id = ? AND status = 'pending'`, orderID); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE coupons SET used = used - 1 WHERE used > 0 AND id = (SELECT coupon_id FROM orders WHERE id = ?)`, orderID)
	return err
}

// versionCutoffs returns, for every settings version orders may carry, the
// instant before which an event is past the window days(settings) long.
// There are few versions, so sweeps query per version and stay exact.
func (db *DB) versionCutoffs(ctx context.Context, days func(*program.Settings) int) (map[int64]time.Time, error) {
	var out map[int64]time.Time
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.versionCutoffs(ctx, days)
		return err
	})
	return out, err
}

func (tx *Tx) versionCutoffs(ctx context.Context, days func(*program.Settings) int) (map[int64]time.Time, error) {
	versions, err := sqldb.Column[int64](ctx, tx.Tx, `SELECT version FROM program_settings`, nil)
	if err != nil {
		return nil, err
	}
	out := map[int64]time.Time{}
	for _, v := range append(versions, 0) {
		s, err := tx.settingsAt(ctx, v)
		if err != nil {
			return nil, err
		}
		out[v] = tx.Now().AddDate(0, 0, -days(s))
	}
	return out, nil
}

// ConfirmShippedOrders marks received up to limit fulfilment orders shipped
// longer ago than their order's auto-confirm days (the rules the order was
// placed under). One that fails is recorded and the others are confirmed.
func (db *DB) ConfirmShippedOrders(ctx context.Context, limit int) (int, error) {
	t := &sweepTally{kind: SweepConfirmReceipt}
	err := db.sweep(ctx, t, limit, func(limit int) ([]int64, error) {
		cutoffs, err := db.versionCutoffs(ctx, func(s *program.Settings) int { return s.AutoConfirmDays })
		if err != nil {
			return nil, err
		}
		var due []int64
		for version, cutoff := range cutoffs {
			ids, err := db.dueIDs(ctx, `SELECT f.id FROM fulfilment_orders f JOIN orders o ON o.id = f.order_id
				WHERE f.status = 'shipped' AND o.settings_version = ? AND f.shipped_at <= ? AND `+notFailing(t.kind, "f.id")+`
				ORDER BY f.shipped_at, f.id LIMIT ?`, version, ts(cutoff), limit-len(due))
			if err != nil {
				return nil, err
			}
			if due = append(due, ids...); len(due) >= limit {
				break
			}
		}
		return due, nil
	}, func(ctx context.Context, tx *Tx, id int64) (int, error) {
		// A fulfilment order due once stays due: its shipping time and its
		// order's rules do not change. So only its status is checked again.
		n, err := tx.ExecN(ctx, `UPDATE fulfilment_orders SET status = 'received', received_at = ? WHERE id = ? AND status = 'shipped'`, ts(tx.Now()), id)
		return int(n), err
	})
	return t.result("store.ConfirmShippedOrders", err)
}

// The settlement sweep settles lines in chunks of SettleChunk, one
// transaction each, SettleWorkers chunks at a time.
const (
	SettleChunk   = 32
	SettleWorkers = 8
)

// SettleMaturedLines settles up to limit commission lines whose fulfilment
// order was received longer ago than the order's after-sale days and that no
// open after-sale case holds; then completes orders with nothing left to do.
// settleLine changes a line only once, so concurrent sweeps settle it once.
//
// A chunk's transaction locks the wallets of all its lines first, in
// account-code order, and the platform's and suppliers' accounts only at
// its end, in code order too (see books' flushBalances): chunks run side by side on
// PostgreSQL without deadlocking, and each takes the shared accounts' locks
// once for all its lines rather than once per line. On SQLite concurrent
// chunks also share commits (see batcher).
//
// A chunk that fails is settled again line by line, so its good lines
// settle and only the bad one is recorded as failed (see RecordFailure).
func (db *DB) SettleMaturedLines(ctx context.Context, limit int) (int, error) {
	t := &sweepTally{kind: SweepSettle}
	err := db.retryDue(ctx, t, limit, settleOne)
	if err == nil && t.seen() < limit {
		err = db.settleChunks(ctx, t, limit)
	}
	return t.result("store.SettleMaturedLines", err)
}

// settleOne settles one line alone (0 when it is settled, held or gone).
func settleOne(ctx context.Context, tx *Tx, id int64) (int, error) {
	currency, err := sqldb.Column[string](ctx, tx.Tx, `SELECT currency FROM commission_lines WHERE line_id = ?`, []any{id})
	if err != nil || len(currency) == 0 {
		return 0, err
	}
	return tx.settleLines(ctx, currency[0], []int64{id})
}

// settleChunks settles due lines in chunks of SettleChunk lines of one
// currency, SettleWorkers chunks at a time, until limit lines were seen.
func (db *DB) settleChunks(ctx context.Context, t *sweepTally, limit int) error {
	cutoffs, err := db.versionCutoffs(ctx, func(s *program.Settings) int { return s.AfterSaleDays })
	if err != nil {
		return err
	}
	for version, cutoff := range cutoffs {
		type due struct {
			line     int64
			currency string
		}
		var list []due
		err := db.Read(ctx, func(tx *Tx) error {
			return tx.Each(ctx, `SELECT c.line_id, c.currency FROM commission_lines c
				JOIN order_lines l ON l.id = c.line_id JOIN fulfilment_orders f ON f.id = l.fulfilment_id JOIN orders o ON o.id = l.order_id
				WHERE c.status = 'pending' AND c.held = FALSE AND f.status = 'received' AND o.settings_version = ? AND f.received_at <= ?
					AND `+notFailing(t.kind, "c.line_id")+`
				ORDER BY f.received_at, c.line_id LIMIT ?`, []any{version, ts(cutoff), limit - t.seen()}, func(scan func(...any) error) error {
				var d due
				if err := scan(&d.line, &d.currency); err != nil {
					return sqldb.MapErr(err)
				}
				list = append(list, d)
				return nil
			})
		})
		if err != nil {
			return err
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(SettleWorkers)
		for len(list) > 0 {
			n := 1 // a chunk: up to SettleChunk lines of one currency
			for n < len(list) && n < SettleChunk && list[n].currency == list[0].currency {
				n++
			}
			currency, ids := list[0].currency, make([]int64, n)
			for i := range n {
				ids[i] = list[i].line
			}
			list = list[n:]
			g.Go(func() error {
				var n int
				err := db.Write(gctx, func(tx *Tx) error {
					var err error
					n, err = tx.settleLines(gctx, currency, ids)
					return err
				})
				if err == nil {
					t.add(n) // counted once committed
					return nil
				}
				if gctx.Err() != nil || errs.Is(err, errs.Unavailable) {
					return err
				}
				// One bad line fails its whole chunk: settle the chunk's
				// lines one by one, so only the bad one is left.
				for _, id := range ids {
					if err := db.item(gctx, t, id, false, settleOne); err != nil {
						return err
					}
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		if t.seen() >= limit {
			break
		}
	}
	return nil
}

// completeOrders marks the paid orders among ids (ascending) completed once
// every fulfilment order is received (or cancelled) and every line settled.
//
// It locks the orders, then checks, in a second statement. On PostgreSQL
// (READ COMMITTED) a statement sees what was committed when it began. Two
// settlements taking an order's last two lines each claim theirs and then
// come here: the first to lock the order cannot see the other's claim (not
// committed), and a check in the statement that waited for the lock would
// see a snapshot from before the first committed and miss its claim too;
// the order would stay paid for ever. Begun after the lock is granted, the
// check sees the claims of every transaction that held the lock before, and
// every transaction that settles a line or ends a fulfilment order locks
// the order after doing so: the last of them completes it. SQLite runs
// writes one at a time.
func (tx *Tx) completeOrders(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if tx.Engine() == Postgres {
		if _, err := tx.Exec(ctx, `SELECT id FROM orders WHERE id IN (`+sqldb.Placeholders(len(ids))+`) AND status = 'paid'
			ORDER BY id FOR NO KEY UPDATE`, sqldb.Args(ids)...); err != nil {
			return err
		}
	}
	// The share funnel's settled step: the orders the UPDATE below completes
	// (the same conditions, in the same transaction, rows locked above).
	if err := tx.recordOrderFunnel(ctx, stepSettled, `o.id IN (`+sqldb.Placeholders(len(ids))+`) AND o.status = 'paid'
		AND NOT EXISTS (SELECT 1 FROM fulfilment_orders f WHERE f.order_id = o.id AND f.status NOT IN ('received', 'cancelled'))
		AND NOT EXISTS (SELECT 1 FROM commission_lines c WHERE c.order_id = o.id AND c.status <> 'settled')`, sqldb.Args(ids)...); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE orders SET status = 'completed' WHERE id IN (`+sqldb.Placeholders(len(ids))+`)
		AND status = 'paid'
		AND NOT EXISTS (SELECT 1 FROM fulfilment_orders f WHERE f.order_id = orders.id AND f.status NOT IN ('received', 'cancelled'))
		AND NOT EXISTS (SELECT 1 FROM commission_lines c WHERE c.order_id = orders.id AND c.status <> 'settled')`, sqldb.Args(ids)...)
	return err
}

// completeOrder is completeOrders for one order.
func (tx *Tx) completeOrder(ctx context.Context, orderID int64) error {
	return tx.completeOrders(ctx, []int64{orderID})
}
