package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/shipping"
	"sharemall/internal/sqldb"
)

// Order returns an order as the actor may see it: the customer and
// operators see all of it; the seller sees its attributed order without the
// address; a supplier sees only its own fulfilment orders and their lines.
// Anyone else gets NotFound.
func (db *DB) Order(ctx context.Context, actor account.Actor, id int64) (*order.Order, error) {
	var o *order.Order
	err := db.Read(ctx, func(tx *Tx) error {
		if actor.Anonymous() {
			return errs.E(errs.Unauthorized, "", "sign in first")
		}
		var err error
		if o, err = tx.loadOrder(ctx, id); err != nil {
			return err
		}
		var ok bool
		if o, ok = visibleOrder(actor, o); !ok {
			return errs.E(errs.NotFound, "", "order not found")
		}
		return nil
	})
	return o, errs.Wrap("store.Order", err)
}

// Orders lists the orders the actor may see, in id order: an operator all,
// everyone else those it bought, sold or ships part of.
func (db *DB) Orders(ctx context.Context, actor account.Actor, f order.Filter) ([]order.Order, error) {
	var out []order.Order
	err := db.Read(ctx, func(tx *Tx) error {
		if actor.Anonymous() {
			return errs.E(errs.Unauthorized, "", "sign in first")
		}
		q, args := `SELECT `+orderCols+` FROM orders WHERE id > ?`, []any{f.After}
		if !actor.IsOperator() {
			q += ` AND (customer_account_id = ? OR seller_id = ? OR id IN (SELECT order_id FROM fulfilment_orders WHERE supplier_id = ?))`
			args = append(args, actor.AccountID, distributorOf(actor), supplierOf(actor))
		}
		if f.Status != "" {
			q, args = q+` AND status = ?`, append(args, string(f.Status))
		}
		q, args = q+` ORDER BY id LIMIT ?`, append(args, limitPlusOne(f.Limit))
		os, err := tx.ordersWithLines(ctx, q, args)
		if err != nil {
			return err
		}
		for _, o := range os {
			if v, ok := visibleOrder(actor, o); ok {
				out = append(out, *v)
			}
		}
		return nil
	})
	return out, errs.Wrap("store.Orders", err)
}

func distributorOf(a account.Actor) int64 {
	if a.Has(account.Distributor) {
		return a.DistributorID
	}
	return -1
}

func supplierOf(a account.Actor) int64 {
	if a.Has(account.Supplier) && a.SupplierID != 0 {
		return a.SupplierID
	}
	return -1
}

// visibleOrder shapes o for actor, or says it may not see it.
func visibleOrder(actor account.Actor, o *order.Order) (*order.Order, bool) {
	if actor.IsOperator() || (o.CustomerAccountID == actor.AccountID && actor.APIKeyID == 0) {
		return o, true
	}
	if sup := supplierOf(actor); sup > 0 {
		c := *o
		c.Lines, c.Fulfilments = nil, nil
		for _, l := range o.Lines {
			if l.SupplierID == sup {
				c.Lines = append(c.Lines, l)
			}
		}
		for _, f := range o.Fulfilments {
			if f.SupplierID == sup {
				c.Fulfilments = append(c.Fulfilments, f)
			}
		}
		if len(c.Fulfilments) > 0 {
			return &c, true
		}
	}
	if d := distributorOf(actor); d > 0 && o.SellerID == d {
		c := *o
		c.ShipTo.Name, c.ShipTo.Phone, c.ShipTo.Address, c.AddressHidden = "", "", "", true
		return &c, true
	}
	return nil, false
}

const orderCols = `id, customer_account_id, seller_id, attribution, coupon_id, currency, goods_total, discount, total,
	ship_region, ship_name, ship_phone, ship_address, settings_version, status, created_at, pay_by, paid_at, cancelled_at, shipping`

func scanOrder(scan func(...any) error) (*order.Order, error) {
	o := &order.Order{}
	var seller, coupon nullableInt
	var attr, status string
	var goods, discount, total, created, payBy, shipping int64
	var paid, cancelled sql.NullInt64
	if err := scan(&o.ID, &o.CustomerAccountID, &seller, &attr, &coupon, &o.Currency, &goods, &discount, &total,
		&o.ShipTo.RegionCode, &o.ShipTo.Name, &o.ShipTo.Phone, &o.ShipTo.Address, &o.SettingsVersion, &status,
		&created, &payBy, &paid, &cancelled, &shipping); err != nil {
		return nil, sqldb.MapErr(err)
	}
	o.SellerID, o.CouponID, o.Status = int64(seller), int64(coupon), order.Status(status)
	// The column total is the goods after the discount (its CHECK predates
	// shipping); the customer pays the parcels' fees on top.
	o.GoodsTotal, o.Discount, o.Shipping = money.Amount(goods), money.Amount(discount), money.Amount(shipping)
	o.Total = money.Amount(total) + o.Shipping
	o.CreatedAt, o.PayBy, o.PaidAt, o.CancelledAt = fromTS(created), fromTS(payBy), fromNullTS(paid), fromNullTS(cancelled)
	if err := json.Unmarshal([]byte(attr), &o.Attribution); err != nil {
		return nil, fmt.Errorf("store: order %d attribution: %w", o.ID, err)
	}
	return o, nil
}

// loadOrder reads an order with its lines and fulfilment orders, whoever asks.
func (tx *Tx) loadOrder(ctx context.Context, id int64) (*order.Order, error) {
	var o *order.Order
	lines, fulfilments := linesQuery(id, &o), fulfilmentsQuery(id, &o)
	err := tx.Queries(ctx, sqldb.Query{SQL: `SELECT ` + orderCols + ` FROM orders WHERE id = ?`, Args: []any{id},
		Row: func(scan func(...any) error) error {
			var err error
			o, err = scanOrder(scan)
			return err
		}}, lines, fulfilments)
	if err == nil && o == nil {
		err = errs.E(errs.NotFound, "", "order not found")
	}
	return o, err
}

// orderHeader reads an order without its lines and fulfilment orders.
func (tx *Tx) orderHeader(ctx context.Context, id int64) (*order.Order, error) {
	var o *order.Order
	err := tx.One(ctx, "order", `SELECT `+orderCols+` FROM orders WHERE id = ?`, []any{id}, func(scan func(...any) error) error {
		var err error
		o, err = scanOrder(scan)
		return err
	})
	return o, err
}

const lineCols = `id, fulfilment_id, sku_id, product_id, supplier_id, warehouse_id, title, quantity,
	unit_retail, unit_price, discount, base, markup, snapshot`

func (tx *Tx) attachLines(ctx context.Context, o *order.Order) error {
	return tx.Queries(ctx, linesQuery(o.ID, &o), fulfilmentsQuery(o.ID, &o))
}

// linesQuery reads order id's lines into (*o).Lines; the rows arrive after
// the query that sets *o, when both share a round trip.
func linesQuery(id int64, o **order.Order) sqldb.Query {
	return sqldb.Query{SQL: `SELECT ` + lineCols + ` FROM order_lines WHERE order_id = ? ORDER BY id`, Args: []any{id},
		Row: func(scan func(...any) error) error {
			var l order.Line
			var retail, price, discount, base, markup int64
			var snap string
			if err := scan(&l.ID, &l.FulfilmentID, &l.SKUID, &l.ProductID, &l.SupplierID, &l.WarehouseID, &l.Title, &l.Quantity,
				&retail, &price, &discount, &base, &markup, &snap); err != nil {
				return err
			}
			l.UnitRetail, l.UnitPrice, l.Discount = money.Amount(retail), money.Amount(price), money.Amount(discount)
			l.Base, l.Markup = money.Amount(base), money.Amount(markup)
			if err := json.Unmarshal([]byte(snap), &l.Snapshot); err != nil {
				return fmt.Errorf("store: order line %d snapshot: %w", l.ID, err)
			}
			(*o).Lines = append((*o).Lines, l)
			return nil
		}}
}

// fulfilmentsQuery reads order id's fulfilment orders into (*o).Fulfilments.
func fulfilmentsQuery(id int64, o **order.Order) sqldb.Query {
	return sqldb.Query{SQL: `SELECT id, order_id, supplier_id, warehouse_id, status, carrier, tracking_number, released_at, shipped_at, received_at,
		shipping_fee, shipping_basis FROM fulfilment_orders WHERE order_id = ? ORDER BY id`, Args: []any{id},
		Row: func(scan func(...any) error) error {
			var f order.Fulfilment
			var status, basis string
			var released, shipped, received sql.NullInt64
			if err := scan(&f.ID, &f.OrderID, &f.SupplierID, &f.WarehouseID, &status, &f.Carrier, &f.TrackingNumber,
				&released, &shipped, &received, &f.ShippingFee, &basis); err != nil {
				return err
			}
			if basis != "" {
				f.ShippingBasis = &shipping.Fee{}
				if err := json.Unmarshal([]byte(basis), f.ShippingBasis); err != nil {
					return fmt.Errorf("store: fulfilment order %d shipping basis: %w", f.ID, err)
				}
			}
			f.Status = order.FulfilmentStatus(status)
			f.ReleasedAt, f.ShippedAt, f.ReceivedAt = fromNullTS(released), fromNullTS(shipped), fromNullTS(received)
			(*o).Fulfilments = append((*o).Fulfilments, f)
			return nil
		}}
}

// ordersWithLines reads the orders query q finds, each with its lines.
func (tx *Tx) ordersWithLines(ctx context.Context, q string, args []any) ([]*order.Order, error) {
	var os []*order.Order
	err := tx.Each(ctx, q, args, func(scan func(...any) error) error {
		o, err := scanOrder(scan)
		os = append(os, o)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, o := range os {
		if err := tx.attachLines(ctx, o); err != nil {
			return nil, err
		}
	}
	return os, nil
}
