package store

import (
	"context"
	"database/sql"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/sqldb"
)

// SellerOrder is an order attributed to a distributor, as its seller sees
// it in a list: the customer's name masked, no address, what the seller
// earns on it.
type SellerOrder struct {
	ID       int64
	Customer string // masked: 张*, L***
	Currency string
	Total    money.Amount
	Status   order.Status
	Title    string // the first line's product
	Lines    int64
	Units    int64
	// Shipped and Received count the order's fulfilment orders in those
	// states (received ones are not counted as shipped), of Parcels.
	Parcels, Shipped, Received int64
	// The seller's shares on the order (tier, markup, agent): as booked on
	// payment, and as they stand after refunds. Both 0 before payment.
	Booked, Commission money.Amount
	// Settled: every line's commission is settled (in the wallet); false
	// while any is pending or none was booked.
	Settled   bool
	Refunded  bool // a refund took part of the order back
	CreatedAt time.Time
	PaidAt    *time.Time
}

// SellerOrderFilter selects a seller's orders, newest first.
type SellerOrderFilter struct {
	DistributorID int64        // the seller; 0: the caller's own
	Status        order.Status // "" for every status
	Before        int64        // ids below this; 0 for the newest
	Limit         int          // 1..200, default 50; one more is returned to detect a next page
}

// SellerOrders lists the orders attributed to a distributor, newest first:
// to the distributor itself and operators; another's is NotFound. Customers
// are named by a mask of their account name (or email, or phone) only.
//
// Cost: one range of the orders_seller index, and per order a few look-ups
// by the order's id (lines, fulfilment orders, the seller's shares,
// commission lines, refunds): bounded by the page size.
func (db *DB) SellerOrders(ctx context.Context, actor account.Actor, f SellerOrderFilter) ([]SellerOrder, error) {
	const op = "store.SellerOrders"
	if f.DistributorID == 0 {
		f.DistributorID = actor.DistributorID
	}
	if err := actor.Require(account.Distributor, account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if f.Before < 0 {
		return nil, errs.Wrap(op, errs.Invalidf("before", "must not be negative"))
	}
	if f.DistributorID <= 0 || !ownsWallet(actor, f.DistributorID) {
		return nil, errs.Wrap(op, errs.E(errs.NotFound, "", "distributor not found"))
	}
	switch f.Status {
	case "", order.Unpaid, order.Paid, order.Cancelled, order.Completed:
	default:
		return nil, errs.Wrap(op, errs.Invalidf("status", "must be one of unpaid, paid, cancelled, completed"))
	}
	if f.Before == 0 {
		f.Before = 1<<63 - 1
	}
	d := f.DistributorID
	q := `SELECT o.id, a.name, COALESCE(a.email, ''), COALESCE(a.phone, ''), o.currency, o.total, o.status, o.created_at, o.paid_at,
			(SELECT l.title FROM order_lines l WHERE l.order_id = o.id ORDER BY l.id LIMIT 1),
			(SELECT COUNT(*) FROM order_lines l WHERE l.order_id = o.id),
			(SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l WHERE l.order_id = o.id),
			(SELECT COUNT(*) FROM fulfilment_orders f WHERE f.order_id = o.id),
			(SELECT COUNT(*) FROM fulfilment_orders f WHERE f.order_id = o.id AND f.status = 'shipped'),
			(SELECT COUNT(*) FROM fulfilment_orders f WHERE f.order_id = o.id AND f.status = 'received'),
			(SELECT COALESCE(SUM(s.booked_amount), 0) FROM commission_shares s WHERE s.order_id = o.id AND s.beneficiary_id = ? AND s.kind IN (?, ?, ?)),
			(SELECT COALESCE(SUM(s.amount), 0) FROM commission_shares s WHERE s.order_id = o.id AND s.beneficiary_id = ? AND s.kind IN (?, ?, ?)),
			(SELECT COUNT(*) FROM commission_lines c WHERE c.order_id = o.id),
			(SELECT COUNT(*) FROM commission_lines c WHERE c.order_id = o.id AND c.status = 'settled'),
			CASE WHEN EXISTS (SELECT 1 FROM commission_lines c JOIN commission_refunds r ON r.line_id = c.line_id WHERE c.order_id = o.id)
				THEN TRUE ELSE FALSE END
		FROM orders o JOIN accounts a ON a.id = o.customer_account_id
		WHERE o.seller_id = ? AND o.id < ?`
	kinds := []any{string(commission.KindTier), string(commission.KindMarkup), string(commission.KindAgent)}
	args := append(append(append([]any{d}, kinds...), d), kinds...)
	args = append(args, d, f.Before)
	if f.Status != "" {
		q += ` AND o.status = ?`
		args = append(args, string(f.Status))
	}
	q += ` ORDER BY o.id DESC LIMIT ?`
	args = append(args, limitPlusOne(f.Limit))
	var out []SellerOrder
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.Each(ctx, q, args, func(scan func(...any) error) error {
			var o SellerOrder
			var name, email, phone, status string
			var title sql.NullString
			var created int64
			var paid sql.NullInt64
			var lines, settled int64
			if err := scan(&o.ID, &name, &email, &phone, &o.Currency, &o.Total, &status, &created, &paid, &title, &o.Lines, &o.Units,
				&o.Parcels, &o.Shipped, &o.Received, &o.Booked, &o.Commission, &lines, &settled, &o.Refunded); err != nil {
				return sqldb.MapErr(err)
			}
			o.Customer, o.Status, o.Title = account.MaskedName(name, phone, email), order.Status(status), title.String
			o.CreatedAt, o.PaidAt, o.Settled = fromTS(created), fromNullTS(paid), lines > 0 && settled == lines
			out = append(out, o)
			return nil
		})
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	return out, nil
}
