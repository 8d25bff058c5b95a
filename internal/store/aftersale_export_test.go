package store

import (
	"context"
	"fmt"

	"sharemall/internal/commission"
)

// PaidLineForTest is one line of an order PaidOrderForTest inserts.
type PaidLineForTest struct {
	SKUID, ProductID int64
	Snapshot         commission.Snapshot
	Line             commission.Line
}

// PaidOrderForTest inserts an order as checkout and a sandbox payment leave
// it: paid, stock committed (taken off on-hand), one fulfilment order
// released to the warehouse, every line booked. It returns the order, the
// fulfilment order and the line ids.
func (db *DB) PaidOrderForTest(ctx context.Context, customerID, supplierID, warehouseID int64, lines []PaidLineForTest) (orderID, fulfilmentID int64, lineIDs []int64, err error) {
	err = db.Write(ctx, func(tx *Tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		var total, discount int64
		for _, l := range lines {
			total += int64(l.Line.Paid())
			discount += (int64(l.Line.Base)+l.Line.Quantity-1)/l.Line.Quantity*l.Line.Quantity - int64(l.Line.Base)
		}
		seller := lines[0].Snapshot.SellerID
		orderID, err = tx.Insert(ctx, `INSERT INTO orders (customer_account_id, seller_id, attribution, currency, goods_total, discount, total,
				ship_region, ship_name, ship_phone, ship_address, settings_version, status, created_at, pay_by, paid_at)
			VALUES (?, ?, '{}', ?, ?, ?, ?, 'CN.44.03', 'Li Lei', '13800000000', '1 Test Road', ?, 'paid', ?, ?, ?)`,
			customerID, nullInt(seller), s.CurrencyCode, total+discount, discount, total, s.Version, ts(tx.Now()), ts(tx.Now()), ts(tx.Now()))
		if err != nil {
			return err
		}
		fulfilmentID, err = tx.Insert(ctx, `INSERT INTO fulfilment_orders (order_id, supplier_id, warehouse_id, status, released_at)
			VALUES (?, ?, ?, 'released', ?)`, orderID, supplierID, warehouseID, ts(tx.Now()))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO payments (order_id, provider, provider_ref, amount, currency, status, created_at, paid_at)
			VALUES (?, 'sandbox', ?, ?, ?, 'paid', ?, ?)`, orderID, fmt.Sprintf("sbx_test_%d", orderID), total, s.CurrencyCode,
			ts(tx.Now()), ts(tx.Now())); err != nil {
			return err
		}
		for _, l := range lines {
			q := l.Line.Quantity
			retail := (int64(l.Line.Base) + q - 1) / q
			price := retail + int64(l.Line.Markup)/q
			id, err := tx.Insert(ctx, `INSERT INTO order_lines (order_id, fulfilment_id, sku_id, product_id, supplier_id, warehouse_id, title,
					quantity, unit_retail, unit_price, discount, base, markup, snapshot)
				VALUES (?, ?, ?, ?, ?, ?, 'Oolong', ?, ?, ?, ?, ?, ?, '{}')`, orderID, fulfilmentID, l.SKUID, l.ProductID, supplierID,
				warehouseID, q, retail, price, retail*q-int64(l.Line.Base), int64(l.Line.Base), int64(l.Line.Markup))
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE stock SET on_hand = on_hand - ? WHERE warehouse_id = ? AND sku_id = ?`, q, warehouseID, l.SKUID); err != nil {
				return err
			}
			if _, _, err := tx.bookLine(ctx, LineBooking{LineID: id, OrderID: orderID, Snapshot: l.Snapshot, Line: l.Line}); err != nil {
				return err
			}
			lineIDs = append(lineIDs, id)
		}
		return nil
	})
	return orderID, fulfilmentID, lineIDs, err
}
