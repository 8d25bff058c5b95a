package store

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/sqldb"
)

// Checkout prices a cart on the server, attributes it, reserves stock in
// the warehouse chosen for each line, and records the order with one
// fulfilment order per warehouse and each line's commission snapshot.
//
// idempotencyKey ("" for none) makes it safe to retry: the same customer and
// key with the same body return the same order; another body is a Conflict
// on Idempotency-Key.
func (db *DB) Checkout(ctx context.Context, actor account.Actor, in order.CheckoutInput, idempotencyKey string) (*order.Order, error) {
	if err := actor.Require(account.Customer, account.Distributor); err != nil {
		return nil, errs.Wrap("store.Checkout", err)
	}
	if len(idempotencyKey) > 200 || strings.ContainsFunc(idempotencyKey, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
		return nil, errs.Wrap("store.Checkout", errs.Invalidf("Idempotency-Key", "must be at most 200 printable ASCII characters"))
	}
	if err := in.Normalize(); err != nil {
		return nil, errs.Wrap("store.Checkout", err)
	}
	hash := in.Hash()
	var o *order.Order
	var placed int64
	err := db.Write(ctx, func(tx *Tx) error {
		if idempotencyKey != "" {
			var err error
			if o, err = tx.keyedOrder(ctx, actor.AccountID, idempotencyKey, hash); o != nil || err != nil {
				return err
			}
		}
		id, err := tx.checkout(ctx, actor.AccountID, in)
		if err != nil {
			return err
		}
		tx.tally().order()
		if idempotencyKey != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO checkout_keys (customer_account_id, idempotency_key, request_hash, order_id, created_at)
				VALUES (?, ?, ?, ?, ?)`, actor.AccountID, idempotencyKey, hash, id, ts(tx.Now())); err != nil {
				return sqldb.Relabel(err, errs.Conflict, "Idempotency-Key", "is being used by another checkout; retry")
			}
		}
		if db.Engine() == SQLite {
			// SQLite: read the new order back after the commit, on a reader,
			// so the one writer spends no time on it.
			placed = id
			return nil
		}
		o, err = tx.loadOrder(ctx, id)
		return err
	})
	if err == nil && placed != 0 {
		err = db.Read(ctx, func(tx *Tx) error {
			var err error
			o, err = tx.loadOrder(ctx, placed)
			return err
		})
	}
	if errs.FieldOf(err) == "Idempotency-Key" && errs.Is(err, errs.Conflict) {
		// A concurrent retry with the same key won the race: answer as it did.
		err = db.Read(ctx, func(tx *Tx) error {
			var err error
			if o, err = tx.keyedOrder(ctx, actor.AccountID, idempotencyKey, hash); err == nil && o == nil {
				err = errs.E(errs.Conflict, "Idempotency-Key", "is being used by another checkout; retry")
			}
			return err
		})
	}
	return o, errs.Wrap("store.Checkout", err)
}

// keyedOrder returns the order an earlier checkout with key made, nil when
// the key is new; the key with another body is a Conflict.
func (tx *Tx) keyedOrder(ctx context.Context, customerID int64, key, hash string) (*order.Order, error) {
	var was string
	var id int64
	err := tx.Get(ctx, "checkout key", `SELECT request_hash, order_id FROM checkout_keys WHERE customer_account_id = ? AND idempotency_key = ?`,
		[]any{customerID, key}, &was, &id)
	switch {
	case errs.Is(err, errs.NotFound):
		return nil, nil
	case err != nil:
		return nil, err
	case was != hash:
		return nil, errs.E(errs.Conflict, "Idempotency-Key", "was used for a checkout with another body; use a new key")
	}
	return tx.loadOrder(ctx, id)
}

// checkout does the work of Checkout in tx and returns the new order's id.
func (tx *Tx) checkout(ctx context.Context, customerID int64, in order.CheckoutInput) (int64, error) {
	s, err := tx.settings(ctx)
	if err != nil {
		return 0, err
	}
	if _, err := tx.region(ctx, in.ShipTo.RegionCode); errs.Is(err, errs.NotFound) {
		return 0, errs.Invalidf("ship_to.region_code", "no such region")
	} else if err != nil {
		return 0, err
	}
	lines, err := tx.cartLines(ctx, in.Items)
	if err != nil {
		return 0, err
	}
	// Who sells: the coupon entered, else the binding (order.Attribute).
	var self int64
	if err := tx.Get(ctx, "distributor", `SELECT id FROM distributors WHERE account_id = ?`, []any{customerID}, &self); err != nil && !errs.Is(err, errs.NotFound) {
		return 0, err
	}
	ain := order.AttributionInput{CustomerDistributorID: self}
	var coupon *couponRow
	if in.CouponCode != "" {
		if coupon, err = tx.checkoutCoupon(ctx, in.CouponCode, self); err != nil {
			return 0, err
		}
		ain.Coupon = &order.Touch{DistributorID: coupon.distributorID, Active: coupon.distributorActive, CouponCode: coupon.code}
	}
	if ain.Binding, err = tx.bindingTouch(ctx, customerID); err != nil {
		return 0, err
	}
	var seller *network.Distributor
	var gradeTier1 *money.Rate
	if a := order.Attribute(ain); a.DistributorID != 0 {
		if seller, err = tx.distributor(ctx, a.DistributorID); err != nil {
			return 0, err
		}
		if seller.GradeID != 0 {
			g, err := tx.grade(ctx, seller.GradeID)
			if err != nil {
				return 0, err
			}
			gradeTier1 = g.Tier1Rate
		}
	}
	if err := tx.price(ctx, sellerID(seller), lines); err != nil {
		return 0, err
	}
	var goods, baseTotal, discount money.Amount
	bases := make([]money.Amount, len(lines))
	for i, c := range lines {
		goods += c.line.Base + c.line.Markup
		baseTotal += c.line.Base
		bases[i] = c.line.Base
	}
	if coupon != nil {
		if discount, err = coupon.discount(goods, baseTotal); err != nil {
			return 0, err
		}
	}
	// Stock rows first, then the coupon: the lock order of every path that
	// takes both (docs/money.md, "Lock order"); releasing an unpaid order
	// takes them in the same order.
	if err := tx.reserve(ctx, in.ShipTo.RegionCode, lines); err != nil {
		return 0, err
	}
	tx.Point(ctx, "checkout.stock.reserved")
	if coupon != nil {
		if err := tx.redeem(ctx, coupon); err != nil {
			return 0, err
		}
		tx.Point(ctx, "checkout.coupon.redeemed")
		// The coupon is a touch too: recorded, and the binding rule applied.
		visit, err := tx.touchCoupon(ctx, customerID, coupon.id)
		if err != nil {
			return 0, err
		}
		ain.Coupon.VisitID = visit
	}
	parts, err := money.Allocate(discount, bases)
	if err != nil {
		return 0, err
	}
	for i, c := range lines {
		c.line.Discount, c.line.Base = parts[i], c.line.Base-parts[i]
	}
	var agent *commission.Agent
	if a, ok, err := tx.agentFor(ctx, in.ShipTo.RegionCode); err != nil {
		return 0, err
	} else if ok {
		agent = &commission.Agent{DistributorID: a.DistributorID, Rate: s.AreaRate}
	}
	for _, c := range lines {
		c.line.Snapshot = snapshot(s.CurrencyCode, c.supplierID, seller, gradeTier1, s.Tiers, s.TierRates, s.PlatformRate,
			s.CommissionCap, agent, c.productRule, c.sku.Commission)
		// Split now, so that booking at payment cannot fail on this line.
		if _, err := commission.Split(c.line.Snapshot, commission.Line{Base: c.line.Base, Markup: c.line.Markup, Quantity: c.line.Quantity}); err != nil {
			return 0, err
		}
	}
	attribution := order.Attribute(ain) // again, now that the coupon's visit is known
	attr, err := json.Marshal(attribution)
	if err != nil {
		return 0, err
	}
	var couponID any
	if coupon != nil {
		couponID = coupon.id
	}
	id, err := tx.Insert(ctx, `INSERT INTO orders (customer_account_id, seller_id, attribution, coupon_id, currency, goods_total,
		discount, total, ship_region, ship_name, ship_phone, ship_address, settings_version, status, created_at, pay_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		customerID, nullInt(sellerID(seller)), string(attr), couponID, s.CurrencyCode, int64(goods), int64(discount),
		int64(goods-discount), in.ShipTo.RegionCode, in.ShipTo.Name, in.ShipTo.Phone, in.ShipTo.Address, s.Version,
		string(order.Unpaid), ts(tx.Now()), ts(tx.Now().Add(time.Duration(s.UnpaidTimeoutMinutes)*time.Minute)))
	if err != nil {
		return 0, err
	}
	return id, tx.insertLines(ctx, id, lines)
}

func sellerID(d *network.Distributor) int64 {
	if d == nil {
		return 0
	}
	return d.ID
}

// reserve routes each line and reserves its stock. Lines are reserved in
// SKU order so that concurrent checkouts lock stock rows in one order (no
// deadlock on PostgreSQL); a conditional UPDATE that finds the stock gone
// moves on to the next candidate.
func (tx *Tx) reserve(ctx context.Context, region string, lines []*cartLine) error {
	cands, err := tx.routeCandidates(ctx, lines)
	if err != nil {
		return err
	}
	idx := make([]int, len(lines))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(lines[a].sku.ID, lines[b].sku.ID) })
	for _, i := range idx {
		c := lines[i]
		rl := order.RouteLine{SKUID: c.sku.ID, SupplierID: c.supplierID, Quantity: c.item.Quantity}
		for _, w := range order.Rank(region, rl, cands) {
			n, err := tx.ExecN(ctx, `UPDATE stock SET reserved = reserved + ?, updated_at = ?
				WHERE warehouse_id = ? AND sku_id = ? AND on_hand - reserved >= ?`, rl.Quantity, ts(tx.Now()), w.WarehouseID, rl.SKUID, rl.Quantity)
			if err != nil {
				return err
			}
			if n == 1 {
				c.line.WarehouseID = w.WarehouseID
				w.Available[rl.SKUID] -= rl.Quantity // the map is shared with cands
				break
			}
		}
		if c.line.WarehouseID == 0 {
			return order.NoStock(i, rl.SKUID)
		}
	}
	return nil
}

// routeCandidates reads the active warehouses of the lines' suppliers, their
// areas and what they have available of the lines' SKUs.
func (tx *Tx) routeCandidates(ctx context.Context, lines []*cartLine) ([]order.Candidate, error) {
	var sups, skus []any
	for _, c := range lines {
		sups, skus = append(sups, c.supplierID), append(skus, c.sku.ID)
	}
	byID := map[int64]*order.Candidate{}
	var ids []int64
	err := tx.Each(ctx, `SELECT w.id, w.supplier_id, w.priority, wa.region_code FROM warehouses w
		JOIN warehouse_areas wa ON wa.warehouse_id = w.id
		WHERE w.active = TRUE AND w.supplier_id IN (`+sqldb.Placeholders(len(sups))+`) ORDER BY w.id`, sups,
		func(scan func(...any) error) error {
			var id, sup, prio int64
			var area string
			if err := scan(&id, &sup, &prio, &area); err != nil {
				return err
			}
			if byID[id] == nil {
				byID[id] = &order.Candidate{WarehouseID: id, SupplierID: sup, Priority: prio, Available: map[int64]int64{}}
				ids = append(ids, id)
			}
			byID[id].Areas = append(byID[id].Areas, area)
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = tx.Each(ctx, `SELECT warehouse_id, sku_id, on_hand - reserved FROM stock WHERE sku_id IN (`+sqldb.Placeholders(len(skus))+`)`, skus,
		func(scan func(...any) error) error {
			var w, sku, avail int64
			if err := scan(&w, &sku, &avail); err != nil {
				return err
			}
			if c := byID[w]; c != nil {
				c.Available[sku] = avail
			}
			return nil
		})
	out := make([]order.Candidate, len(ids))
	for i, id := range ids {
		out[i] = *byID[id]
	}
	return out, err
}

// insertLines writes one fulfilment order per warehouse, then the lines.
func (tx *Tx) insertLines(ctx context.Context, orderID int64, lines []*cartLine) error {
	fulfilment := map[int64]int64{}
	for _, c := range lines {
		if fulfilment[c.line.WarehouseID] != 0 {
			continue
		}
		id, err := tx.Insert(ctx, `INSERT INTO fulfilment_orders (order_id, supplier_id, warehouse_id, status) VALUES (?, ?, ?, ?)`,
			orderID, c.supplierID, c.line.WarehouseID, string(order.FulfilmentPending))
		if err != nil {
			return err
		}
		fulfilment[c.line.WarehouseID] = id
	}
	values := make([]string, 0, len(lines))
	args := make([]any, 0, 14*len(lines))
	for _, c := range lines {
		snap, err := json.Marshal(c.line.Snapshot)
		if err != nil {
			return err
		}
		l := c.line
		values = append(values, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, orderID, fulfilment[l.WarehouseID], c.sku.ID, c.productID, c.supplierID, l.WarehouseID, c.title, l.Quantity,
			int64(l.UnitRetail), int64(l.UnitPrice), int64(l.Discount), int64(l.Base), int64(l.Markup), string(snap))
	}
	// One statement, its rows in the cart's order.
	if _, err := tx.Exec(ctx, `INSERT INTO order_lines (order_id, fulfilment_id, sku_id, product_id, supplier_id, warehouse_id,
		title, quantity, unit_retail, unit_price, discount, base, markup, snapshot) VALUES `+strings.Join(values, ", "), args...); err != nil {
		return err
	}
	return nil
}
