package store

import (
	"context"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
)

// OrderStage is where a customer's order stands as the customer sees it
// (the tabs of "my orders"): a paid order is still to ship while a parcel
// waits for its supplier, and to receive while one is on its way, so an
// order of several parcels may stand in both.
type OrderStage string

const (
	StageUnpaid    OrderStage = "unpaid"
	StageToShip    OrderStage = "to_ship"
	StageToReceive OrderStage = "to_receive"
	StageDone      OrderStage = "done" // every parcel received (or cancelled), or the order completed
)

// stageCond is the SQL condition on orders (as o) of each stage.
var stageCond = map[OrderStage]string{
	StageUnpaid:    `o.status = 'unpaid'`,
	StageToShip:    `o.status = 'paid' AND EXISTS (SELECT 1 FROM fulfilment_orders f WHERE f.order_id = o.id AND f.status = 'released')`,
	StageToReceive: `o.status = 'paid' AND EXISTS (SELECT 1 FROM fulfilment_orders f WHERE f.order_id = o.id AND f.status = 'shipped')`,
	StageDone: `(o.status = 'completed' OR o.status = 'paid' AND NOT EXISTS
		(SELECT 1 FROM fulfilment_orders f WHERE f.order_id = o.id AND f.status NOT IN ('received', 'cancelled')))`,
}

// CustomerOrderFilter selects a page of the orders a customer placed,
// newest first.
type CustomerOrderFilter struct {
	Stage  OrderStage // "" for every order
	Before int64      // page: orders with a lower id; 0 from the newest
	Limit  int        // at most 200; 0 means 50 (one more is returned when there are more)
}

// CustomerOrders lists the orders the actor placed as a customer, newest
// first: never those it sold or ships, which Orders lists too.
func (db *DB) CustomerOrders(ctx context.Context, actor account.Actor, f CustomerOrderFilter) ([]order.Order, error) {
	if err := asCustomer(actor); err != nil {
		return nil, errs.Wrap("store.CustomerOrders", err)
	}
	q, args := `SELECT `+orderCols+` FROM orders o WHERE o.customer_account_id = ?`, []any{actor.AccountID}
	if f.Stage != "" {
		cond, ok := stageCond[f.Stage]
		if !ok {
			return nil, errs.Wrap("store.CustomerOrders", errs.Invalidf("status", "must be unpaid, to_ship, to_receive or done"))
		}
		q += ` AND ` + cond
	}
	if f.Before > 0 {
		q, args = q+` AND o.id < ?`, append(args, f.Before)
	}
	q, args = q+` ORDER BY o.id DESC LIMIT ?`, append(args, limitPlusOne(f.Limit))
	var out []order.Order
	err := db.Read(ctx, func(tx *Tx) error {
		os, err := tx.ordersWithLines(ctx, q, args)
		for _, o := range os {
			out = append(out, *o)
		}
		return err
	})
	return out, errs.Wrap("store.CustomerOrders", err)
}

// CancelOrder is the customer calling off its own order before paying: the
// order is cancelled and its reserved stock, fulfilment orders and coupon
// use released, as the sweep does when the time to pay runs out. A payment
// that still arrives is owed back (ApplyPayment's late payment).
// Cancelling a cancelled order changes nothing.
func (db *DB) CancelOrder(ctx context.Context, actor account.Actor, id int64) (*order.Order, error) {
	var out *order.Order
	err := db.Write(ctx, func(tx *Tx) error {
		if err := asCustomer(actor); err != nil {
			return err
		}
		if err := tx.customerOwnsOrder(ctx, actor, id, "order"); err != nil {
			return err
		}
		n, err := tx.ExecN(ctx, `UPDATE orders SET status = 'cancelled', cancelled_at = ? WHERE id = ? AND status = 'unpaid'`, ts(tx.Now()), id)
		if err != nil {
			return err
		}
		if n == 1 {
			if err := tx.releaseOrder(ctx, id); err != nil {
				return err
			}
		}
		if out, err = tx.loadOrder(ctx, id); err != nil {
			return err
		}
		if out.Status != order.Cancelled {
			return errs.E(errs.Conflict, "status", "the order is %s; only an unpaid order can be cancelled", out.Status)
		}
		return nil
	})
	return out, errs.Wrap("store.CancelOrder", err)
}

// OrderRefunded is how much of what was paid for an order went back to
// its customer, as the payment providers confirmed: after-sale refunds,
// and payments that came too late or twice.
func (db *DB) OrderRefunded(ctx context.Context, actor account.Actor, id int64) (money.Amount, error) {
	var sum int64
	err := db.Read(ctx, func(tx *Tx) error {
		if err := asCustomer(actor); err != nil {
			return err
		}
		if err := tx.customerOwnsOrder(ctx, actor, id, "order"); err != nil {
			return err
		}
		return tx.Get(ctx, "order", `SELECT COALESCE(SUM(refunded_amount), 0) FROM payments WHERE order_id = ?`, []any{id}, &sum)
	})
	return money.Amount(sum), errs.Wrap("store.OrderRefunded", err)
}
