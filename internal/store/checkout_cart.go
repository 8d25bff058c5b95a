package store

import (
	"context"
	"database/sql"
	"fmt"

	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/sqldb"
)

// cartLine is one item of a checkout as it is priced and routed.
type cartLine struct {
	item        order.Item
	sku         *catalog.SKU
	productID   int64
	supplierID  int64
	title       string
	productRule *catalog.Commission
	allowMarkup bool
	templateID  int64 // the product's shipping template, else its supplier's default, else 0 (ships free)
	grams       int64 // the SKU's weight
	line        order.Line
	campaign    *lineCampaign // the campaign the line is priced under, nil for none
}

// cartLines reads every item's SKU, product and supplier; anything not for
// sale names the item.
func (tx *Tx) cartLines(ctx context.Context, items []order.Item) ([]*cartLine, error) {
	rows := make([]skuRow, len(items))
	qs := make([]sqldb.Query, len(items))
	for i, it := range items {
		qs[i] = rows[i].query(it)
	}
	if err := tx.Queries(ctx, qs...); err != nil {
		return nil, err
	}
	return cartLinesOf(rows)
}

// skuRow is what cartLines reads of one item.
type skuRow struct {
	c      cartLine
	found  bool
	comm   nullableString
	onSale bool
	status string
}

func (r *skuRow) query(it order.Item) sqldb.Query {
	r.c.item = it
	return sqldb.Query{SQL: `SELECT k.*, p.supplier_id, p.title, p.commission, (p.on_sale AND p.review = 'approved'), s.status, s.allow_markup,
				COALESCE(p.shipping_template_id, s.shipping_template_id, 0)
			FROM (SELECT ` + skuCols + `, weight_grams FROM skus WHERE id = ?) k
			JOIN products p ON p.id = k.product_id JOIN suppliers s ON s.id = p.supplier_id`, Args: []any{it.SKUID},
		Row: func(scan func(...any) error) error {
			c := &r.c
			var err error
			c.sku, err = scanSKU(func(dest ...any) error {
				return scan(append(dest, &c.grams, &c.supplierID, &c.title, &r.comm, &r.onSale, &r.status, &c.allowMarkup, &c.templateID)...)
			})
			r.found = true
			return err
		}}
}

// cartLinesOf checks the items' rows in order: the first not for sale is
// the error, naming its item.
func cartLinesOf(rows []skuRow) ([]*cartLine, error) {
	out := make([]*cartLine, len(rows))
	for i := range rows {
		r := &rows[i]
		field := fmt.Sprintf("items[%d].sku_id", i)
		if !r.found {
			return nil, errs.Invalidf(field, "no such SKU")
		}
		c := &r.c
		c.productID = c.sku.ProductID
		if !forSale(r.onSale, c.sku.OnSale, r.status) {
			return nil, errs.Invalidf(field, "SKU %d is not for sale", c.item.SKUID)
		}
		var err error
		if c.productRule, err = catalog.UnmarshalCommission(string(r.comm)); err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// forSale is whether a SKU may be bought: it and its product on sale (a
// product only once approved where products are reviewed), its supplier
// approved. Checkout refuses anything else; a cart shows it as no
// longer for sale.
func forSale(productOnSale, skuOnSale bool, supplierStatus string) bool {
	return productOnSale && skuOnSale && supplierStatus == string(catalog.Approved)
}

// price sets each line's unit prices: the seller's shop price where the
// seller lists the product and the price is still within retail and the
// SKU's ceiling (and the supplier still allows markup), else retail.
func (tx *Tx) price(ctx context.Context, sellerID int64, lines []*cartLine) error {
	for _, c := range lines {
		c.line.UnitRetail, c.line.UnitPrice = c.sku.RetailPrice, c.sku.RetailPrice
		if sellerID == 0 || !c.allowMarkup || c.sku.PriceCeiling == nil {
			continue
		}
		var p int64
		err := tx.Get(ctx, "shop price", `SELECT sp.price FROM shop_prices sp
			JOIN shop_items si ON si.distributor_id = sp.distributor_id AND si.product_id = ?
			WHERE sp.distributor_id = ? AND sp.sku_id = ?`, []any{c.productID, sellerID, c.sku.ID}, &p)
		if errs.Is(err, errs.NotFound) {
			continue
		} else if err != nil {
			return err
		}
		if money.Amount(p) >= c.sku.RetailPrice && money.Amount(p) <= *c.sku.PriceCeiling {
			c.line.UnitPrice = money.Amount(p)
		}
	}
	for _, c := range lines {
		q := money.Amount(c.item.Quantity)
		c.line.Quantity = c.item.Quantity
		c.line.Base = c.line.UnitRetail * q // before the discount; q ≤ 10^4 and prices ≤ 10^12: no overflow
		c.line.Markup = (c.line.UnitPrice - c.line.UnitRetail) * q
	}
	return tx.applyCampaigns(ctx, lines)
}

// couponRow is a coupon as checkout needs it.
type couponRow struct {
	id, distributorID, value, minOrder int64
	code, kind                         string
	maxUses                            sql.NullInt64
	used                               int64
	from, until                        sql.NullInt64
	active                             bool
	distributorActive                  bool
}

// checkoutCoupon reads and checks a coupon code for a customer; every refusal
// names coupon_code.
func (tx *Tx) checkoutCoupon(ctx context.Context, code string, customerDistributorID int64) (*couponRow, error) {
	var c couponRow
	var status string
	err := tx.Get(ctx, "coupon", `SELECT c.id, c.code, c.distributor_id, c.kind, c.value, c.min_order, c.max_uses, c.used,
		c.valid_from, c.valid_until, c.active, d.status FROM coupons c JOIN distributors d ON d.id = c.distributor_id WHERE c.code = ?`,
		[]any{normalizeCouponCode(code)}, &c.id, &c.code, &c.distributorID, &c.kind, &c.value, &c.minOrder, &c.maxUses, &c.used,
		&c.from, &c.until, &c.active, &status)
	switch {
	case errs.Is(err, errs.NotFound):
		return nil, errs.Invalidf("coupon_code", "no such coupon")
	case err != nil:
		return nil, err
	case !c.active || status != string(network.Active):
		return nil, errs.Invalidf("coupon_code", "is no longer active")
	case c.from.Valid && c.from.Int64 > ts(tx.Now()):
		return nil, errs.Invalidf("coupon_code", "is not valid yet")
	case c.until.Valid && c.until.Int64 <= ts(tx.Now()):
		return nil, errs.Invalidf("coupon_code", "has expired")
	case c.maxUses.Valid && c.used >= c.maxUses.Int64:
		return nil, errs.Invalidf("coupon_code", "has been used up")
	case c.distributorID == customerDistributorID:
		return nil, errs.Invalidf("coupon_code", "is your own coupon; it cannot discount your own order")
	}
	c.distributorActive = true
	return &c, nil
}

// discount is what the coupon takes off the commission base (retail
// prices): markup is never discounted, so the seller's markup stays whole.
func (c *couponRow) discount(goodsTotal, baseTotal money.Amount, cur money.Currency) (money.Amount, error) {
	if goodsTotal < money.Amount(c.minOrder) {
		return 0, errs.Invalidf("coupon_code", "needs an order of at least %s %s", cur.Format(money.Amount(c.minOrder)), cur.Code)
	}
	var d money.Amount
	switch c.kind {
	case "amount":
		d = money.Amount(c.value)
	case "percent":
		var err error
		if d, err = money.Rate(min(c.value, int64(money.MaxRate))).MulFloor(baseTotal); err != nil {
			return 0, err
		}
	default:
		return 0, fmt.Errorf("store: coupon %d has kind %q", c.id, c.kind)
	}
	return min(d, baseTotal), nil
}

// redeem counts one use; a coupon used up by a concurrent checkout is a Conflict.
func (tx *Tx) redeem(ctx context.Context, c *couponRow) error {
	n, err := tx.ExecN(ctx, `UPDATE coupons SET used = used + 1 WHERE id = ? AND (max_uses IS NULL OR used < max_uses)`, c.id)
	if err != nil {
		return err
	}
	if n == 0 {
		return errs.E(errs.Conflict, "coupon_code", "has just been used up")
	}
	return nil
}

// bindingTouch is the customer's binding, if any.
func (tx *Tx) bindingTouch(ctx context.Context, customerAccountID int64) (*order.Touch, error) {
	var r bindingRow
	if err := tx.Queries(ctx, r.query(customerAccountID)); err != nil {
		return nil, err
	}
	return r.touch(), nil
}

// bindingRow is a customer's binding as read (found false: none).
type bindingRow struct {
	t      order.Touch
	visit  nullableInt
	status string
	found  bool
}

func (r *bindingRow) query(customerAccountID int64) sqldb.Query {
	return sqldb.Query{SQL: `SELECT b.distributor_id, b.visit_id, d.status FROM bindings b
		JOIN distributors d ON d.id = b.distributor_id WHERE b.customer_account_id = ?`, Args: []any{customerAccountID},
		Row: func(scan func(...any) error) error {
			r.found = true
			return scan(&r.t.DistributorID, &r.visit, &r.status)
		}}
}

func (r *bindingRow) touch() *order.Touch {
	if !r.found {
		return nil
	}
	t := r.t
	t.VisitID, t.Active = int64(r.visit), r.status == string(network.Active)
	return &t
}

// snapshot is what checkout records for a line of seller (nil: no seller).
// upline is the seller's upline as the snapshot records it (tier 2 first;
// 0 for nobody), from activeUpline.
func snapshot(currency string, supplierID int64, seller *network.Distributor, upline []int64, gradeTier1 *money.Rate, tiers int,
	rates []money.Rate, platform, cap money.Rate, agent *commission.Agent, product, sku *catalog.Commission, camp *lineCampaign) commission.Snapshot {
	src := commission.Sources{Tiers: tiers, Program: rates, GradeTier1: gradeTier1, Product: product, SKU: sku}
	s := commission.Snapshot{Currency: currency, SupplierID: supplierID, PlatformRate: platform, Cap: cap, Agent: agent}
	if camp != nil {
		// The campaign's rule is tier 1's and the snapshot names the campaign
		// and its version (with no seller, tier 1 pays nobody, as always).
		src.Campaign = camp.rule
		ref := camp.ref
		s.Campaign = &ref
	}
	s.Rules = commission.Resolve(src)
	if seller != nil {
		s.SellerID = seller.ID
		// A trailing nobody is left out, as a tree that ends there would be.
		for len(upline) > 0 && upline[len(upline)-1] == 0 {
			upline = upline[:len(upline)-1]
		}
		s.Upline = upline
	}
	return s
}
