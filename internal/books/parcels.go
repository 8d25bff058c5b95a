package books

import (
	"context"
	"fmt"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// Parcel fees: the shipping fee of a paid parcel (fulfilment order) is the
// supplier's, outside every commission line, so never part of a commission
// base (docs/shipping.md). It moves like the supplier's share of a line:
// booked to supplier_pending on payment (book:parcel:{id}), to
// supplier_payable once every line of the parcel has settled
// (settle:parcel:{id}), and back to the customer when every line of the
// parcel is refunded (refund:parcel:{id}). The journals touch no wallet, so
// they need no wallet locks; their supplier accounts are locked by Post's
// balance update, after any wallet the caller holds (docs/money.md, "Lock
// order").

// ParcelFee is one parcel's fee to book on payment.
type ParcelFee struct {
	FulfilmentID, OrderID, SupplierID int64
	Fee                               money.Amount
}

// BookParcelFees books the fees of a paid order's parcels (fees of 0 are
// skipped): one parcel_fees row and one journal each, clearing debited and
// the supplier's pending account credited. A parcel booked before is not
// booked again (its row and its journal key stay).
func BookParcelFees(ctx context.Context, tx *sqldb.Tx, currency string, fees []ParcelFee) error {
	var js []ledger.Journal
	for _, f := range fees {
		if f.Fee <= 0 {
			continue
		}
		ids, err := sqldb.Column[int64](ctx, tx, `INSERT INTO parcel_fees (fulfilment_id, order_id, supplier_id, currency, fee, amount, status, booked_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fulfilment_id) DO NOTHING RETURNING fulfilment_id`,
			[]any{f.FulfilmentID, f.OrderID, f.SupplierID, currency, int64(f.Fee), int64(f.Fee), string(LinePending), sqldb.TS(tx.Now())})
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			continue
		}
		p := Posting{}
		p.Debit(ledger.Code(ledger.Clearing, 0), f.Fee)
		p.Credit(ledger.Code(ledger.SupplierPending, f.SupplierID), f.Fee)
		j, _ := p.Journal(fmt.Sprintf("book:parcel:%d", f.FulfilmentID), "book",
			fmt.Sprintf("order %d parcel %d shipping fee paid", f.OrderID, f.FulfilmentID), currency)
		js = append(js, j)
	}
	_, err := PostMany(ctx, tx, currency, js)
	return err
}

// SettleParcelFees settles the pending fees of the orders' parcels whose
// every line has settled: what is left of each fee (nothing when the parcel
// was refunded whole) moves from the supplier's pending account to its
// payable. It is called in the transaction that settled the lines.
//
// Two transactions may each settle the last line of one parcel. On
// PostgreSQL (READ COMMITTED) each first locks the parcel's fee row (FOR
// UPDATE, in fulfilment id order), then checks the lines in a statement of
// its own, whose snapshot is taken after the lock: the second to lock sees
// the first's settled line and settles the fee, where two checks that could
// not see each other would both leave it pending for ever. SQLite has one
// writer. Lock order: wallets, then commission lines (SettleLines), then
// fee rows, then orders (completeOrders).
func SettleParcelFees(ctx context.Context, tx *sqldb.Tx, currency string, orderIDs []int64) error {
	if len(orderIDs) == 0 {
		return nil
	}
	type fee struct {
		id, order, supplier int64
		amount              money.Amount
	}
	var pending []fee
	q := `SELECT fulfilment_id, order_id, supplier_id, amount FROM parcel_fees
		WHERE order_id IN (` + sqldb.Placeholders(len(orderIDs)) + `) AND status = ? AND currency = ? ORDER BY fulfilment_id`
	if tx.Engine() == sqldb.Postgres {
		q += ` FOR UPDATE`
	}
	err := tx.Each(ctx, q, append(sqldb.Args(orderIDs), string(LinePending), currency), func(scan func(...any) error) error {
		var f fee
		err := scan(&f.id, &f.order, &f.supplier, &f.amount)
		pending = append(pending, f)
		return err
	})
	if err != nil || len(pending) == 0 {
		return err
	}
	tx.Point(ctx, "settle.parcel.locked")
	var js []ledger.Journal
	for _, f := range pending {
		left, err := tx.Exists(ctx, `SELECT 1 FROM order_lines l JOIN commission_lines c ON c.line_id = l.id
			WHERE l.fulfilment_id = ? AND c.status <> ?`, f.id, string(LineSettled))
		if err != nil {
			return err
		}
		if left {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE parcel_fees SET status = ?, settled_at = ? WHERE fulfilment_id = ?`,
			string(LineSettled), sqldb.TS(tx.Now()), f.id); err != nil {
			return err
		}
		if f.amount == 0 {
			continue
		}
		p := Posting{}
		p.Debit(ledger.Code(ledger.SupplierPending, f.supplier), f.amount)
		p.Credit(ledger.Code(ledger.SupplierPayable, f.supplier), f.amount)
		j, _ := p.Journal(fmt.Sprintf("settle:parcel:%d", f.id), "settle",
			fmt.Sprintf("order %d parcel %d shipping fee settled", f.order, f.id), currency)
		js = append(js, j)
	}
	tx.Point(ctx, "settle.parcel.checked")
	_, err = PostMany(ctx, tx, currency, js)
	return err
}

// RefundParcelFee gives a parcel's fee back, crediting account to
// (refunds_due while the provider still has to send it), when every line of
// the parcel has been refunded whole; a partial refund keeps the fee. It
// takes the fee out of the supplier's pending account, or its payable once
// settled. It returns the amount refunded: 0 when the parcel has no fee,
// lines are left or the fee went back before.
func RefundParcelFee(ctx context.Context, tx *sqldb.Tx, fulfilmentID int64, refundKey, to string) (money.Amount, error) {
	if strings.TrimSpace(refundKey) == "" || len(refundKey) > 100 {
		return 0, fmt.Errorf("books: parcel %d: refund key must be 1 to 100 characters", fulfilmentID)
	}
	// The fee row first (FOR UPDATE on PostgreSQL), then the lines in a
	// statement of its own: of two cases refunding the last units of two
	// lines of one parcel, the second to lock sees the first's refund (see
	// SettleParcelFees; a settlement holding the row is seen the same way).
	// Lock order: the case's line and wallets (RefundLine), then the fee
	// row, then the fulfilment order and stock (the caller).
	q := `SELECT order_id, supplier_id, amount, status, currency FROM parcel_fees WHERE fulfilment_id = ?`
	if tx.Engine() == sqldb.Postgres {
		q += ` FOR UPDATE`
	}
	var order, supplier int64
	var amount money.Amount
	var status, currency string
	err := tx.Get(ctx, "parcel fee", q, []any{fulfilmentID}, &order, &supplier, &amount, &status, &currency)
	if errs.Is(err, errs.NotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	if amount == 0 {
		return 0, nil
	}
	left, err := tx.Exists(ctx, `SELECT 1 FROM order_lines l JOIN commission_lines c ON c.line_id = l.id
		WHERE l.fulfilment_id = ? AND c.quantity > 0`, fulfilmentID)
	tx.Point(ctx, "refund.parcel.checked")
	if err != nil || left {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE parcel_fees SET amount = 0, refund_key = ?, refunded_at = ? WHERE fulfilment_id = ?`,
		refundKey, sqldb.TS(tx.Now()), fulfilmentID); err != nil {
		return 0, err
	}
	from := ledger.Code(ledger.SupplierPending, supplier)
	if status == string(LineSettled) {
		from = ledger.Code(ledger.SupplierPayable, supplier)
	}
	p := Posting{}
	p.Debit(from, amount)
	p.Credit(to, amount)
	j, _ := p.Journal(fmt.Sprintf("refund:parcel:%d", fulfilmentID), "refund",
		fmt.Sprintf("order %d parcel %d refunded whole: its shipping fee goes back (%s)", order, fulfilmentID, refundKey), currency)
	_, _, err = Post(ctx, tx, j)
	return amount, err
}

// pendingParcelFees adds to shares, by supplier pending account, the fees
// of parcels not settled yet (for checkPendingShares).
func pendingParcelFees(ctx context.Context, tx *sqldb.Tx, shares map[string]int64) error {
	return tx.Each(ctx, `SELECT supplier_id, SUM(amount) FROM parcel_fees WHERE status = ? GROUP BY supplier_id`,
		[]any{string(LinePending)}, func(scan func(...any) error) error {
			var id, sum int64
			err := scan(&id, &sum)
			shares[ledger.Code(ledger.SupplierPending, id)] += sum
			return err
		})
}

// checkParcelFees: every parcel fee booked has its booking journal, every
// settled one with something left its settlement journal, every one given
// back its refund journal; and each paid order's parcels' fees add up to
// the order's shipping.
func checkParcelFees(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	var missing []Problem
	err := tx.Each(ctx, `SELECT f.fulfilment_id, 'book' FROM parcel_fees f
			WHERE NOT EXISTS (SELECT 1 FROM journals j WHERE j.idempotency_key = 'book:parcel:' || f.fulfilment_id)
		UNION ALL
		SELECT f.fulfilment_id, 'settle' FROM parcel_fees f WHERE f.status = ? AND f.amount > 0
			AND NOT EXISTS (SELECT 1 FROM journals j WHERE j.idempotency_key = 'settle:parcel:' || f.fulfilment_id)
		UNION ALL
		SELECT f.fulfilment_id, 'refund' FROM parcel_fees f WHERE f.refund_key <> ''
			AND NOT EXISTS (SELECT 1 FROM journals j WHERE j.idempotency_key = 'refund:parcel:' || f.fulfilment_id)
		ORDER BY 1, 2`, []any{string(LineSettled)}, func(scan func(...any) error) error {
		var id int64
		var event string
		if err := scan(&id, &event); err != nil {
			return err
		}
		key := fmt.Sprintf("%s:parcel:%d", event, id)
		missing = append(missing, Problem{Journal: key, What: fmt.Sprintf("the shipping fee of parcel %d: its journal %s is missing", id, key)})
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range missing {
		add(p)
	}
	return tx.Each(ctx, `SELECT o.id, o.shipping, COALESCE(SUM(f.shipping_fee), 0) FROM orders o
			JOIN fulfilment_orders f ON f.order_id = o.id
		GROUP BY o.id, o.shipping HAVING o.shipping <> COALESCE(SUM(f.shipping_fee), 0) ORDER BY o.id`, nil,
		func(scan func(...any) error) error {
			var id, shipping, sum int64
			if err := scan(&id, &shipping, &sum); err != nil {
				return err
			}
			add(Problem{What: fmt.Sprintf("order %d charges shipping %d, but its parcels' fees add up to %d", id, shipping, sum)})
			return nil
		})
}
