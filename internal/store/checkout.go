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
	"sharemall/internal/program"
	"sharemall/internal/shipping"
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
	if err := checkIdempotencyKey(idempotencyKey); err != nil {
		return nil, errs.Wrap("store.Checkout", err)
	}
	if err := in.Normalize(); err != nil {
		return nil, errs.Wrap("store.Checkout", err)
	}
	o, err := db.placeOrder(ctx, actor.AccountID, idempotencyKey, in.Hash(), func(tx *Tx) (int64, error) {
		return tx.checkout(ctx, actor.AccountID, in)
	})
	return o, errs.Wrap("store.Checkout", err)
}

func checkIdempotencyKey(key string) error {
	if len(key) > 200 || strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
		return errs.Invalidf("Idempotency-Key", "must be at most 200 printable ASCII characters")
	}
	return nil
}

// placeOrder runs place (which checks out and returns the new order's id)
// in a write transaction under the customer's idempotency key ("" for
// none): a key already used with the same request hash returns its order
// without running place, with another hash it is a Conflict.
func (db *DB) placeOrder(ctx context.Context, customerID int64, idempotencyKey, hash string, place func(tx *Tx) (int64, error)) (*order.Order, error) {
	var o *order.Order
	var placed int64
	err := db.Write(ctx, func(tx *Tx) error {
		if idempotencyKey != "" {
			var err error
			if o, err = tx.keyedOrder(ctx, customerID, idempotencyKey, hash); o != nil || err != nil {
				return err
			}
		}
		id, err := place(tx)
		if err != nil {
			return err
		}
		tx.tally().order()
		if idempotencyKey != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO checkout_keys (customer_account_id, idempotency_key, request_hash, order_id, created_at)
				VALUES (?, ?, ?, ?, ?)`, customerID, idempotencyKey, hash, id, ts(tx.Now())); err != nil {
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
			if o, err = tx.keyedOrder(ctx, customerID, idempotencyKey, hash); err == nil && o == nil {
				err = errs.E(errs.Conflict, "Idempotency-Key", "is being used by another checkout; retry")
			}
			return err
		})
	}
	return o, err
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

// checkoutPlan is what checkout decides before it writes anything: the
// lines priced for the seller the order is attributed to, the coupon and
// its discount. Checkout carries it out; Quote shows it. Both call
// planCheckout, so a quote is priced by the code that places the order.
type checkoutPlan struct {
	s               *program.Settings
	lines           []*cartLine
	ain             order.AttributionInput
	coupon          *couponRow
	seller          *network.Distributor
	gradeTier1      *money.Rate
	goods, discount money.Amount
	// fees are the parcels' shipping fees by warehouse, and shipping their
	// sum; ship sets them once the lines are routed and discounted.
	fees     map[int64]shipping.Fee
	shipping money.Amount
	// agents are the active regional agents of the ship-to region and the
	// regions above it.
	agents []order.AgentArea
}

// ship computes each parcel's shipping fee (shipping.ParcelFee) from the
// templates of its goods as they stand now; the lines must be routed and
// the discount allocated (free_above counts what the customer pays).
func (p *checkoutPlan) ship(ctx context.Context, tx *Tx, region string) error {
	var ids []int64
	items := map[int64][]shipping.Item{}
	var warehouses []int64
	for _, c := range p.lines {
		if c.templateID != 0 {
			ids = append(ids, c.templateID)
		}
		w := c.line.WarehouseID
		if _, ok := items[w]; !ok {
			warehouses = append(warehouses, w)
		}
		items[w] = append(items[w], shipping.Item{TemplateID: c.templateID, Quantity: c.line.Quantity, UnitGrams: c.grams,
			Paid: c.line.Base + c.line.Markup})
	}
	slices.Sort(ids)
	templates, err := tx.templatesByID(ctx, slices.Compact(ids))
	if err != nil {
		return err
	}
	p.fees, p.shipping = map[int64]shipping.Fee{}, 0
	for _, w := range warehouses {
		f := shipping.ParcelFee(region, templates, items[w])
		p.fees[w] = f
		p.shipping += f.Amount
	}
	return nil
}

// planCheckout reads and checks everything checkout needs and writes
// nothing; in must be normalized.
func (tx *Tx) planCheckout(ctx context.Context, customerID int64, in order.CheckoutInput) (*checkoutPlan, error) {
	p := &checkoutPlan{}
	// What depends on nothing else is read in one round trip on PostgreSQL,
	// and checked in the order a refusal names: settings, region, items.
	var sr settingsRow
	var leaf leafRow
	var br bindingRow
	var self int64
	var selfStatus string
	skus := make([]skuRow, len(in.Items))
	qs := []sqldb.Query{sr.query(), leaf.query(in.ShipTo.RegionCode), agentsQuery(in.ShipTo.RegionCode, &p.agents)}
	for i, it := range in.Items {
		qs = append(qs, skus[i].query(it))
	}
	qs = append(qs, sqldb.Query{SQL: `SELECT id, status FROM distributors WHERE account_id = ?`, Args: []any{customerID},
		Row: func(scan func(...any) error) error { return scan(&self, &selfStatus) }}, br.query(customerID))
	if err := tx.Queries(ctx, qs...); err != nil {
		return nil, err
	}
	var err error
	if p.s, err = sr.settings(); err != nil {
		return nil, err
	}
	if err := leaf.check("ship_to.region_code", in.ShipTo.RegionCode); err != nil {
		return nil, err
	}
	if p.lines, err = cartLinesOf(skus); err != nil {
		return nil, err
	}
	// Who sells: the coupon entered, else the binding (order.Attribute).
	p.ain = order.AttributionInput{CustomerDistributorID: self, OwnPurchase: p.s.OwnPurchaseCommission,
		CustomerActive: selfStatus == string(network.Active)}
	if in.CouponCode != "" {
		if p.coupon, err = tx.checkoutCoupon(ctx, in.CouponCode, self); err != nil {
			return nil, err
		}
		p.ain.Coupon = &order.Touch{DistributorID: p.coupon.distributorID, Active: p.coupon.distributorActive, CouponCode: p.coupon.code}
	}
	p.ain.Binding = br.touch()
	if a := order.Attribute(p.ain); a.DistributorID != 0 {
		if p.seller, err = tx.distributor(ctx, a.DistributorID); err != nil {
			return nil, err
		}
		if p.seller.GradeID != 0 {
			g, err := tx.grade(ctx, p.seller.GradeID)
			if err != nil {
				return nil, err
			}
			p.gradeTier1 = g.Tier1Rate
		}
	}
	if err := tx.price(ctx, sellerID(p.seller), p.lines); err != nil {
		return nil, err
	}
	var baseTotal money.Amount
	for _, c := range p.lines {
		p.goods += c.line.Base + c.line.Markup
		baseTotal += c.line.Base
	}
	if p.coupon != nil {
		if p.discount, err = p.coupon.discount(p.goods, baseTotal, p.s.Currency()); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// allocate spreads the discount over the lines' bases to the cent.
func (p *checkoutPlan) allocate() error {
	bases := make([]money.Amount, len(p.lines))
	for i, c := range p.lines {
		bases[i] = c.line.Base
	}
	parts, err := money.Allocate(p.discount, bases)
	if err != nil {
		return err
	}
	for i, c := range p.lines {
		c.line.Discount, c.line.Base = parts[i], c.line.Base-parts[i]
	}
	return nil
}

// planLocked plans the checkout and holds its seller: on PostgreSQL the
// seller's row is share-locked (FOR SHARE) and its status read again, so a
// suspension committed meanwhile is seen (the plan is made again, without
// that seller) and one not yet committed waits for this checkout. The
// order is therefore attributed wholly before a suspension or not at all.
// It is checkout's first lock, before stock: a suspension holds only
// distributor rows and the network lock, so the two never wait in a cycle.
// upline is the seller's upline to the program's tiers as the snapshot
// records it: a distributor that is not active is 0, nobody, so its tier's
// share stays with the supplier (docs/money.md, "Suspension").
func (tx *Tx) planLocked(ctx context.Context, customerID int64, in order.CheckoutInput) (*checkoutPlan, []int64, error) {
	for range 3 {
		p, err := tx.planCheckout(ctx, customerID, in)
		if err != nil || p.seller == nil {
			return p, nil, err
		}
		q := `SELECT status FROM distributors WHERE id = ?`
		if tx.Engine() == Postgres {
			q += ` FOR SHARE`
		}
		var status string
		if err := tx.Get(ctx, "distributor", q, []any{p.seller.ID}, &status); err != nil {
			return nil, nil, err
		}
		tx.Point(ctx, "checkout.seller.locked")
		if status != string(network.Active) {
			continue // suspended since the plan read it: plan again, without it
		}
		upline, err := tx.activeUpline(ctx, p.seller, p.s.Tiers)
		return p, upline, err
	}
	return nil, nil, errs.E(errs.Conflict, "", "the seller's status is changing concurrently; retry")
}

// activeUpline is seller's upline to tiers tiers, each distributor that is
// not active replaced by 0; read in one statement.
func (tx *Tx) activeUpline(ctx context.Context, seller *network.Distributor, tiers int) ([]int64, error) {
	var up []int64
	for k, id := range []int64{seller.SponsorID, seller.Ancestor2ID} {
		if k+2 > tiers || id == 0 {
			break
		}
		up = append(up, id)
	}
	if len(up) == 0 {
		return nil, nil
	}
	active := map[int64]bool{}
	err := tx.Each(ctx, `SELECT id FROM distributors WHERE id IN (`+sqldb.Placeholders(len(up))+`) AND status = ?`,
		append(sqldb.Args(up), string(network.Active)), func(scan func(...any) error) error {
			var id int64
			err := scan(&id)
			active[id] = true
			return err
		})
	for i, id := range up {
		if !active[id] {
			up[i] = 0
		}
	}
	return up, err
}

// checkout does the work of Checkout in tx and returns the new order's id.
func (tx *Tx) checkout(ctx context.Context, customerID int64, in order.CheckoutInput) (int64, error) {
	p, upline, err := tx.planLocked(ctx, customerID, in)
	if err != nil {
		return 0, err
	}
	s, lines, coupon, seller := p.s, p.lines, p.coupon, p.seller
	// Stock rows first, then campaign rows, then the coupon: the lock order
	// of every path that takes them (docs/money.md, "Lock order";
	// docs/campaigns.md); releasing an unpaid order takes them in the same order.
	if err := tx.reserve(ctx, in.ShipTo.RegionCode, lines); err != nil {
		return 0, err
	}
	tx.Point(ctx, "checkout.stock.reserved")
	if err := tx.claimCampaigns(ctx, lines); err != nil {
		return 0, err
	}
	tx.Point(ctx, "checkout.campaign.claimed")
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
		p.ain.Coupon.VisitID = visit
	}
	if err := p.allocate(); err != nil {
		return 0, err
	}
	if err := p.ship(ctx, tx, in.ShipTo.RegionCode); err != nil {
		return 0, err
	}
	var agent *commission.Agent
	if a, ok := order.AgentFor(in.ShipTo.RegionCode, p.agents); ok {
		agent = &commission.Agent{DistributorID: a.DistributorID, Rate: s.AreaRate}
	}
	for _, c := range lines {
		c.line.Snapshot = snapshot(s.CurrencyCode, c.supplierID, seller, upline, p.gradeTier1, s.Tiers, s.TierRates, s.PlatformRate,
			s.CommissionCap, agent, c.productRule, c.sku.Commission, c.campaign)
		// Split now, so that booking at payment cannot fail on this line.
		if _, err := commission.Split(c.line.Snapshot, commission.Line{Base: c.line.Base, Markup: c.line.Markup, Quantity: c.line.Quantity}); err != nil {
			return 0, err
		}
	}
	attribution := order.Attribute(p.ain) // again, now that the coupon's visit is known
	attr, err := json.Marshal(attribution)
	if err != nil {
		return 0, err
	}
	var couponID any
	if coupon != nil {
		couponID = coupon.id
	}
	goods, discount := p.goods, p.discount
	id, err := tx.Insert(ctx, `INSERT INTO orders (customer_account_id, seller_id, attribution, coupon_id, currency, goods_total,
		discount, total, shipping, ship_region, ship_name, ship_phone, ship_address, settings_version, status, created_at, pay_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		customerID, nullInt(sellerID(seller)), string(attr), couponID, s.CurrencyCode, int64(goods), int64(discount),
		int64(goods-discount), int64(p.shipping), in.ShipTo.RegionCode, in.ShipTo.Name, in.ShipTo.Phone, in.ShipTo.Address, s.Version,
		string(order.Unpaid), ts(tx.Now()), ts(tx.Now().Add(time.Duration(s.UnpaidTimeoutMinutes)*time.Minute)))
	if err != nil {
		return 0, err
	}
	if err := tx.insertLines(ctx, id, lines, p.fees); err != nil {
		return 0, err
	}
	products := make([]funnelProduct, len(lines))
	for i, c := range lines {
		products[i] = funnelProduct{c.productID, c.supplierID}
	}
	return id, tx.recordLinesFunnel(ctx, stepOrder, sellerID(seller), products)
}

func sellerID(d *network.Distributor) int64 {
	if d == nil {
		return 0
	}
	return d.ID
}

// reserve routes each line and reserves its stock with a conditional
// UPDATE; one that finds the stock gone moves on to the next candidate.
func (tx *Tx) reserve(ctx context.Context, region string, lines []*cartLine) error {
	return tx.route(ctx, region, lines, func(w order.Candidate, rl order.RouteLine) (bool, error) {
		n, err := tx.ExecN(ctx, `UPDATE stock SET reserved = reserved + ?, updated_at = ?
			WHERE warehouse_id = ? AND sku_id = ? AND on_hand - reserved >= ?`, rl.Quantity, ts(tx.Now()), w.WarehouseID, rl.SKUID, rl.Quantity)
		return n == 1, err
	})
}

// route sets each line's warehouse: for each line the candidates
// order.Rank lists, best first, until take takes the stock (checkout
// reserves it; a quote takes what it read). Lines go in SKU order so that
// concurrent checkouts lock stock rows in one order (no deadlock on
// PostgreSQL).
func (tx *Tx) route(ctx context.Context, region string, lines []*cartLine, take func(w order.Candidate, rl order.RouteLine) (bool, error)) error {
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
			ok, err := take(w, rl)
			if err != nil {
				return err
			}
			if ok {
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
	// Both in one round trip: the stock rows arrive after every warehouse.
	err := tx.Queries(ctx, sqldb.Query{SQL: `SELECT w.id, w.supplier_id, w.priority, wa.region_code FROM warehouses w
		JOIN warehouse_areas wa ON wa.warehouse_id = w.id
		WHERE w.active = TRUE AND w.supplier_id IN (` + sqldb.Placeholders(len(sups)) + `) ORDER BY w.id`, Args: sups,
		Row: func(scan func(...any) error) error {
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
		}}, sqldb.Query{SQL: `SELECT warehouse_id, sku_id, on_hand - reserved FROM stock WHERE sku_id IN (` + sqldb.Placeholders(len(skus)) + `)`, Args: skus,
		Row: func(scan func(...any) error) error {
			var w, sku, avail int64
			if err := scan(&w, &sku, &avail); err != nil {
				return err
			}
			if c := byID[w]; c != nil {
				c.Available[sku] = avail
			}
			return nil
		}})
	out := make([]order.Candidate, len(ids))
	for i, id := range ids {
		out[i] = *byID[id]
	}
	return out, err
}

// insertLines writes one fulfilment order per warehouse, with its shipping
// fee and how it was reached (fees, by warehouse), then the lines.
func (tx *Tx) insertLines(ctx context.Context, orderID int64, lines []*cartLine, fees map[int64]shipping.Fee) error {
	// One fulfilment order per warehouse, in one statement.
	var fvalues []string
	var fargs []any
	seen := map[int64]bool{}
	for _, c := range lines {
		if seen[c.line.WarehouseID] {
			continue
		}
		seen[c.line.WarehouseID] = true
		fee := fees[c.line.WarehouseID]
		basis, err := json.Marshal(fee)
		if err != nil {
			return err
		}
		fvalues = append(fvalues, "(?, ?, ?, ?, ?, ?)")
		fargs = append(fargs, orderID, c.supplierID, c.line.WarehouseID, string(order.FulfilmentPending), int64(fee.Amount), string(basis))
	}
	fulfilment := make(map[int64]int64, len(fvalues))
	err := tx.Each(ctx, `INSERT INTO fulfilment_orders (order_id, supplier_id, warehouse_id, status, shipping_fee, shipping_basis)
		VALUES `+strings.Join(fvalues, ", ")+` RETURNING id, warehouse_id`, fargs, func(scan func(...any) error) error {
		var id, warehouse int64
		err := scan(&id, &warehouse)
		fulfilment[warehouse] = id
		return err
	})
	if err != nil {
		return err
	}
	values := make([]string, 0, len(lines))
	args := make([]any, 0, 15*len(lines))
	for _, c := range lines {
		snap, err := json.Marshal(c.line.Snapshot)
		if err != nil {
			return err
		}
		l := c.line
		var camp any
		if c.campaign != nil {
			camp = c.campaign.ref.ID
		}
		values = append(values, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, orderID, fulfilment[l.WarehouseID], c.sku.ID, c.productID, c.supplierID, l.WarehouseID, c.title, l.Quantity,
			int64(l.UnitRetail), int64(l.UnitPrice), int64(l.Discount), int64(l.Base), int64(l.Markup), string(snap), camp)
	}
	// One statement, its rows in the cart's order, sent with the next.
	if err := tx.ExecLater(ctx, `INSERT INTO order_lines (order_id, fulfilment_id, sku_id, product_id, supplier_id, warehouse_id,
		title, quantity, unit_retail, unit_price, discount, base, markup, snapshot, campaign_id) VALUES `+strings.Join(values, ", "), args...); err != nil {
		return err
	}
	return nil
}
