package store_test

import (
	"fmt"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// quoteWorld is a cart world where supplier A also has a Shenzhen warehouse
// with one tea and a pen, the seller a 10% coupon.
type quoteWorld struct {
	*cartWorld
	pen  int64
	whSZ int64
}

func newQuoteWorld(t *testing.T, db *store.DB) *quoteWorld {
	w := &quoteWorld{cartWorld: newCartWorld(t, db)}
	w.pen = w.product(w.a, "Pen", [2]int64{333, 0}).SKUs[0].ID
	w.whSZ = w.warehouse(w.a, "A-SZ", 0, []string{"CN.44.03"}, map[int64]int64{w.teaK: 1, w.pen: 10})
	w.coupon(w.seller, "TENOFF", "percent", 1000, 0)
	w.bind(w.cust, w.x)
	return w
}

// state is what a quote must leave as it was.
func (w *quoteWorld) state() string {
	return fmt.Sprint(w.int(`SELECT COALESCE(SUM(reserved), 0) FROM stock`), w.int(`SELECT COUNT(*) FROM orders`),
		w.int(`SELECT used FROM coupons WHERE code = 'TENOFF'`), w.int(`SELECT COUNT(*) FROM visits`),
		w.int(`SELECT distributor_id FROM bindings WHERE customer_account_id = ?`, w.cust.AccountID))
}

// quoteMatches fails unless q describes o: lines, discount, totals, parcels.
func quoteMatches(t *testing.T, q *store.Quote, o *order.Order) {
	t.Helper()
	if q.GoodsTotal != o.GoodsTotal || q.Discount != o.Discount || q.Total != o.Total || q.SellerID != o.SellerID || len(q.Lines) != len(o.Lines) {
		t.Fatalf("quote %+v\norder %+v", q, o)
	}
	for i, l := range o.Lines {
		ql := q.Lines[i]
		if ql.SKUID != l.SKUID || ql.Quantity != l.Quantity || ql.UnitRetail != l.UnitRetail || ql.UnitPrice != l.UnitPrice ||
			ql.Discount != l.Discount || ql.Paid != l.Paid() || ql.WarehouseID != l.WarehouseID || ql.SupplierID != l.SupplierID ||
			ql.Title != l.Title || ql.Subtotal != l.Paid()+l.Discount {
			t.Fatalf("line %d: quote %+v, order %+v", i, ql, l)
		}
	}
	if len(q.Parcels) != len(o.Fulfilments) {
		t.Fatalf("%d parcels, %d fulfilment orders", len(q.Parcels), len(o.Fulfilments))
	}
	for i, f := range o.Fulfilments {
		p := q.Parcels[i]
		var skus []int64
		for _, l := range o.Lines {
			if l.FulfilmentID == f.ID {
				skus = append(skus, l.SKUID)
			}
		}
		var got []int64
		for _, l := range p.Lines {
			got = append(got, l.SKUID)
		}
		if p.WarehouseID != f.WarehouseID || p.SupplierID != f.SupplierID || fmt.Sprint(got) != fmt.Sprint(skus) || p.WarehouseName == "" || p.SupplierName == "" {
			t.Fatalf("parcel %d %+v, fulfilment %+v with %v", i, p, f, skus)
		}
	}
}

// A quote is the order checkout then places: lines, coupon discount,
// totals and one parcel per warehouse; and it writes nothing.
func TestQuoteIsTheOrder(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newQuoteWorld(t, db)
		in := cart("CN.44.03.05", order.Item{SKUID: w.teaK, Quantity: 2}, order.Item{SKUID: w.cupK, Quantity: 1},
			order.Item{SKUID: w.pen, Quantity: 3})
		in.CouponCode = " tenoff "
		before := w.state()
		q, err := db.Quote(w.ctx, w.cust, in)
		if err != nil {
			t.Fatal(err)
		}
		if w.state() != before {
			t.Fatalf("the quote wrote: %s, was %s", w.state(), before)
		}
		// The coupon attributes to the seller (its shop price for the tea);
		// Shenzhen has one tea, so the tea ships from A-CN, the pens from A-SZ.
		if q.CouponCode != "TENOFF" || q.CouponError != nil || q.SellerID != w.seller.ID || q.Attribution.Source != order.FromCoupon ||
			q.Lines[0].UnitPrice != 1200 || q.Lines[0].WarehouseID != w.whA || q.Lines[2].WarehouseID != w.whSZ || len(q.Parcels) != 3 ||
			q.Parcels[0].WarehouseName != "A-CN" || q.Parcels[0].SupplierName != "Supplier A" || q.Discount == 0 {
			t.Fatalf("quote %+v", q)
		}
		o := w.checkout(w.cust, in, "")
		quoteMatches(t, q, o)

		// A coupon that does not apply: its error, and the quote without it,
		// which is what checkout without it places.
		in.CouponCode = "NOSUCH"
		q, err = db.Quote(w.ctx, w.cust, in)
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, q.CouponError, errs.Invalid, "coupon_code")
		if q.Discount != 0 || q.CouponCode != "" {
			t.Fatalf("quote with a bad coupon %+v", q)
		}
		_, err = db.Checkout(w.ctx, w.cust, in, "")
		wantCode(t, err, errs.Invalid, "coupon_code")
		in.CouponCode = ""
		in.Items = in.Items[1:] // without the tea
		q, err = db.Quote(w.ctx, w.cust, in)
		if err != nil {
			t.Fatal(err)
		}
		quoteMatches(t, q, w.checkout(w.cust, in, ""))

		// Checkout's own refusals.
		_, err = db.Quote(w.ctx, w.cust, cart("CN.44.03", order.Item{SKUID: w.cupK, Quantity: 1}))
		wantCode(t, err, errs.Invalid, "ship_to.region_code")
		_, err = db.Quote(w.ctx, w.cust, cart("CN.44.03.05", order.Item{SKUID: w.cupK, Quantity: 1}, order.Item{SKUID: w.teaK, Quantity: 99}))
		wantCode(t, err, errs.Conflict, "items[1].sku_id")
		_, err = db.Quote(w.ctx, w.op, cart("CN.44.03.05", order.Item{SKUID: w.cupK, Quantity: 1}))
		wantCode(t, err, errs.Forbidden, "")
	})
}

// Checking out the cart: the chosen lines to the saved address, through
// checkout, out of the cart in the same transaction; idempotent by key;
// refusals name the request's fields and change nothing.
func TestCheckoutCart(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newQuoteWorld(t, db)
		addr := w.address(w.cust, home())
		w.set(w.cust, w.custCart, w.teaK, 2)
		w.set(w.cust, w.custCart, w.cupK, 1)
		w.set(w.cust, w.custCart, w.pen, 1)
		refused := func(in store.CartCheckout, key string, code errs.Code, field string) {
			t.Helper()
			before, cart := w.state(), fmt.Sprint(quantities(w.cartOf(w.cust, w.custCart)))
			_, err := db.CheckoutCart(w.ctx, w.cust, in, key)
			wantCode(t, err, code, field)
			if w.state() != before || fmt.Sprint(quantities(w.cartOf(w.cust, w.custCart))) != cart {
				t.Fatalf("a refused cart checkout changed something")
			}
		}
		other := w.address(w.account(), home())
		refused(store.CartCheckout{}, "", errs.Invalid, "address_id")
		refused(store.CartCheckout{AddressID: other.ID}, "", errs.Invalid, "address_id")
		refused(store.CartCheckout{AddressID: addr.ID, SKUIDs: []int64{w.teaK, 999999}}, "", errs.Invalid, "sku_ids[1]")
		refused(store.CartCheckout{AddressID: addr.ID, SKUIDs: []int64{w.teaK, w.teaK}}, "", errs.Invalid, "sku_ids[1]")
		refused(store.CartCheckout{AddressID: addr.ID, CouponCode: "NOSUCH"}, "", errs.Invalid, "coupon_code")
		w.set(w.cust, w.custCart, w.cupK, 3) // B has 2 cups
		refused(store.CartCheckout{AddressID: addr.ID}, "", errs.Conflict, "sku_ids")
		w.set(w.cust, w.custCart, w.cupK, 1)

		in := store.CartCheckout{AddressID: addr.ID, CouponCode: "tenoff", SKUIDs: []int64{w.cupK, w.teaK}}
		q, err := db.Quote(w.ctx, w.cust, order.CheckoutInput{CouponCode: "tenoff", Items: []order.Item{{SKUID: w.teaK, Quantity: 2}, {SKUID: w.cupK, Quantity: 1}},
			ShipTo: order.ShipTo{RegionCode: addr.RegionCode, Name: addr.Name, Phone: addr.Phone, Address: addr.Address}})
		if err != nil {
			t.Fatal(err)
		}
		o, err := db.CheckoutCart(w.ctx, w.cust, in, "cart-1")
		if err != nil {
			t.Fatal(err)
		}
		if o.ShipTo != (order.ShipTo{RegionCode: "CN.44.03.05", Name: "Li Lei", Phone: "+8613800138000", Address: "1 Science Park Road"}) ||
			len(o.Lines) != 2 || o.Lines[0].SKUID != w.teaK || o.SellerID != w.seller.ID {
			t.Fatalf("order %+v", o)
		}
		quoteMatches(t, q, o) // lines in the cart's order, as the quote of the same items
		if q := quantities(w.cartOf(w.cust, w.custCart)); len(q) != 1 || q[w.pen] != 1 {
			t.Fatalf("left in the cart: %v", q)
		}
		again, err := db.CheckoutCart(w.ctx, w.cust, in, "cart-1")
		if err != nil || again.ID != o.ID {
			t.Fatalf("retry: %v, %v", again, err)
		}
		refused(store.CartCheckout{AddressID: addr.ID}, "cart-1", errs.Conflict, "Idempotency-Key")
		refused(in, "", errs.Invalid, "sku_ids[0]") // the cups left the cart
		if n := w.int(`SELECT COUNT(*) FROM orders`); n != 1 {
			t.Fatalf("%d orders", n)
		}

		// All lines: the pen; then the cart is empty.
		o2, err := db.CheckoutCart(w.ctx, w.cust, store.CartCheckout{AddressID: addr.ID}, "")
		if err != nil || len(o2.Lines) != 1 || o2.Lines[0].SKUID != w.pen || o2.Lines[0].WarehouseID != w.whSZ {
			t.Fatalf("all lines: %+v, %v", o2, err)
		}
		refused(store.CartCheckout{AddressID: addr.ID}, "", errs.Invalid, "sku_ids")
		_, err = db.CheckoutCart(w.ctx, w.op, store.CartCheckout{AddressID: addr.ID}, "")
		wantCode(t, err, errs.Forbidden, "")
	})
}
