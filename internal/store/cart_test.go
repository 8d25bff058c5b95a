package store_test

import (
	"fmt"
	"sync"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// cartWorld: a tea of supplier A (retail 10.00, ceiling 15.00) that the
// seller's shop sells at 12.00, a cup of supplier B (5.00), each in one
// warehouse serving the whole country.
type cartWorld struct {
	*shopWorld
	tea, cup   *catalog.Product
	teaK, cupK int64
	whA, whB   int64
	custCart   store.CartOwner
}

func newCartWorld(t *testing.T, db *store.DB) *cartWorld {
	w := &cartWorld{shopWorld: newShopWorld(t, db)}
	w.tea = w.product(w.a, "Tea", [2]int64{1000, 1500})
	w.cup = w.product(w.b, "Cup", [2]int64{500, 0})
	w.teaK, w.cupK = w.tea.SKUs[0].ID, w.cup.SKUs[0].ID
	w.whA = w.warehouse(w.a, "A-CN", 0, []string{"CN"}, map[int64]int64{w.teaK: 5})
	w.whB = w.warehouse(w.b, "B-CN", 0, []string{"CN"}, map[int64]int64{w.cupK: 2})
	w.shopPrice(w.seller, w.tea.ID, w.teaK, 1200)
	w.custCart = store.CartOwner{AccountID: w.cust.AccountID}
	return w
}

func (w *cartWorld) set(who account.Actor, owner store.CartOwner, sku, q int64) {
	w.t.Helper()
	if err := w.db.SetCartQuantity(w.ctx, who, owner, sku, q); err != nil {
		w.t.Fatalf("set %d × %d: %v", q, sku, err)
	}
}

func (w *cartWorld) cartOf(who account.Actor, owner store.CartOwner) *store.Cart {
	w.t.Helper()
	c, err := w.db.Cart(w.ctx, who, owner)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// line finds a SKU's line in a cart.
func line(t *testing.T, c *store.Cart, sku int64) store.CartLine {
	t.Helper()
	for _, l := range c.Lines {
		if l.SKUID == sku {
			return l
		}
	}
	t.Fatalf("no line of SKU %d in %+v", sku, c.Lines)
	return store.CartLine{}
}

// quantities is a cart as SKU → quantity.
func quantities(c *store.Cart) map[int64]int64 {
	m := map[int64]int64{}
	for _, l := range c.Lines {
		m[l.SKUID] = l.Quantity
	}
	return m
}

// A cart across two suppliers, priced for the customer's seller, with its
// stock states; what is refused names its field and changes nothing.
func TestCartTwoSuppliers(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCartWorld(t, db)
		w.bind(w.cust, w.seller)
		if c := w.cartOf(w.cust, w.custCart); len(c.Lines) != 0 || c.Total != 0 || c.SellerID != w.seller.ID || c.Currency != "CNY" {
			t.Fatalf("empty cart %+v", c)
		}
		w.set(w.cust, w.custCart, w.teaK, 2)
		w.set(w.cust, w.custCart, w.cupK, 3)
		c := w.cartOf(w.cust, w.custCart)
		tea, cup := line(t, c, w.teaK), line(t, c, w.cupK)
		if len(c.Lines) != 2 || c.Lines[0].SKUID != w.teaK || tea.UnitRetail != 1000 || tea.UnitPrice != 1200 || tea.Subtotal != 2400 ||
			tea.Stock != store.InStock || tea.Available != 5 || tea.SupplierID != w.supA.ID || tea.SupplierName != "Supplier A" || tea.Title != "Tea" {
			t.Fatalf("tea %+v", tea)
		}
		if cup.UnitPrice != 500 || cup.Subtotal != 1500 || cup.Stock != store.ShortStock || cup.Available != 2 || cup.SupplierID != w.supB.ID {
			t.Fatalf("cup %+v", cup)
		}
		if c.Total != 2400 || c.TotalOf([]int64{w.teaK, w.cupK}) != 2400 || c.TotalOf([]int64{w.cupK}) != 0 { // the short line is not in the total
			t.Fatalf("total %d", c.Total)
		}
		w.set(w.cust, w.custCart, w.cupK, 2) // sets, not adds
		if c := w.cartOf(w.cust, w.custCart); c.Total != 3400 || line(t, c, w.cupK).Stock != store.InStock || len(c.Lines) != 2 ||
			c.TotalOf([]int64{w.cupK}) != 1000 || c.TotalOf(nil) != 0 {
			t.Fatalf("after setting 2 cups: %+v", c)
		}
		if err := db.AddToCart(w.ctx, w.cust, w.custCart, w.teaK, 3); err != nil {
			t.Fatal(err)
		}
		if q := quantities(w.cartOf(w.cust, w.custCart)); q[w.teaK] != 5 {
			t.Fatalf("after adding 3 teas: %v", q)
		}
		wantCode(t, db.AddToCart(w.ctx, w.cust, w.custCart, w.teaK, order.MaxQuantity), errs.Invalid, "quantity")

		// Sold out, then not for sale.
		if _, err := db.SetStock(w.ctx, w.b, w.whB, w.cupK, 0); err != nil {
			t.Fatal(err)
		}
		if c := w.cartOf(w.cust, w.custCart); line(t, c, w.cupK).Stock != store.SoldOut || c.Total != 6000 {
			t.Fatalf("sold out: %+v", c)
		}
		w.exec(`UPDATE products SET on_sale = FALSE WHERE id = ?`, w.cup.ID)
		c = w.cartOf(w.cust, w.custCart)
		if cup := line(t, c, w.cupK); cup.Stock != store.NotForSale || cup.UnitPrice != 0 || cup.Subtotal != 0 || cup.Quantity != 2 || c.Total != 6000 {
			t.Fatalf("not for sale: %+v", c)
		}

		// Refused, each on its field.
		before := quantities(c)
		for _, r := range []struct {
			name  string
			sku   int64
			q     int64
			code  errs.Code
			field string
		}{
			{"not for sale", w.cupK, 1, errs.Invalid, "sku_id"},
			{"no such SKU", 999999, 1, errs.Invalid, "sku_id"},
			{"zero SKU", 0, 1, errs.Invalid, "sku_id"},
			{"zero quantity", w.teaK, 0, errs.Invalid, "quantity"},
			{"too many", w.teaK, order.MaxQuantity + 1, errs.Invalid, "quantity"},
		} {
			wantCode(t, db.SetCartQuantity(w.ctx, w.cust, w.custCart, r.sku, r.q), r.code, r.field)
		}
		wantCode(t, db.SetCartQuantity(w.ctx, w.sellerActor, w.custCart, w.teaK, 1), errs.Forbidden, "")
		if _, err := db.Cart(w.ctx, w.sellerActor, w.custCart); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("another's cart: %v", err)
		}
		wantCode(t, db.SetCartQuantity(w.ctx, account.Actor{}, store.CartOwner{}, w.teaK, 1), errs.Invalid, "visitor")
		wantCode(t, db.SetCartQuantity(w.ctx, account.Actor{}, store.CartOwner{Visitor: "not a token"}, w.teaK, 1), errs.Invalid, "visitor")
		if got := quantities(w.cartOf(w.cust, w.custCart)); fmt.Sprint(got) != fmt.Sprint(before) {
			t.Fatalf("a refused write changed the cart: %v, was %v", got, before)
		}

		if err := db.RemoveCartLine(w.ctx, w.cust, w.custCart, w.cupK); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.RemoveCartLine(w.ctx, w.cust, w.custCart, w.cupK), errs.NotFound, "")
		if c := w.cartOf(w.cust, w.custCart); len(c.Lines) != 1 || c.Lines[0].SKUID != w.teaK {
			t.Fatalf("after removing: %+v", c)
		}
	})
}

// A cart takes at most order.MaxItems lines.
func TestCartLineLimit(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCartWorld(t, db)
		many := make([][2]int64, order.MaxItems+1)
		for i := range many {
			many[i] = [2]int64{100, 0}
		}
		p := w.product(w.a, "Many", many...)
		for _, k := range p.SKUs[:order.MaxItems] {
			w.set(w.cust, w.custCart, k.ID, 1)
		}
		wantCode(t, db.SetCartQuantity(w.ctx, w.cust, w.custCart, p.SKUs[order.MaxItems].ID, 1), errs.Conflict, "sku_id")
		w.set(w.cust, w.custCart, p.SKUs[0].ID, 7) // a line already there may change
		if c := w.cartOf(w.cust, w.custCart); len(c.Lines) != order.MaxItems || c.Lines[0].Quantity != 7 {
			t.Fatalf("%d lines", len(c.Lines))
		}
	})
}

// Prices follow attribution: an anonymous visitor sees the shop its visits
// will bind it to, a customer its binding's shop, and the quote and the
// order charge what the cart showed.
func TestCartPricesFollowAttribution(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCartWorld(t, db)
		anon := account.Actor{}
		fresh := store.CartOwner{Visitor: "visitor-without-visits"}
		w.set(anon, fresh, w.teaK, 1)
		if c := w.cartOf(anon, fresh); c.SellerID != 0 || c.Lines[0].UnitPrice != 1000 {
			t.Fatalf("no visits: retail, got %+v", c)
		}

		link, err := db.ShareLink(w.ctx, w.sellerActor, w.tea.ID, store.ChannelLink)
		if err != nil {
			t.Fatal(err)
		}
		visitor := store.CartOwner{Visitor: "visitor-of-the-seller"}
		if _, _, err := db.RecordVisit(w.ctx, anon, link.Code, visitor.Visitor); err != nil {
			t.Fatal(err)
		}
		w.set(anon, visitor, w.teaK, 2)
		if c := w.cartOf(anon, visitor); c.SellerID != w.seller.ID || c.Lines[0].UnitPrice != 1200 || c.Total != 2400 {
			t.Fatalf("the seller's visitor: %+v", c)
		}

		// Signed in and bound to x, who sells at retail.
		w.bind(w.cust, w.x)
		w.set(w.cust, w.custCart, w.teaK, 2)
		if c := w.cartOf(w.cust, w.custCart); c.SellerID != w.x.ID || c.Lines[0].UnitPrice != 1000 {
			t.Fatalf("bound to x: %+v", c)
		}
		// Claiming the seller's visit does not re-bind (first touch): still x's prices.
		if _, err := db.ClaimVisits(w.ctx, w.cust, visitor.Visitor); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimCart(w.ctx, w.cust, visitor.Visitor); err != nil {
			t.Fatal(err)
		}
		c := w.cartOf(w.cust, w.custCart)
		if c.SellerID != w.x.ID || c.Lines[0].UnitPrice != 1000 || c.Lines[0].Quantity != 4 {
			t.Fatalf("after claiming: %+v", c)
		}

		// Another customer bound to the seller: the cart, the quote and the
		// order agree on 12.00.
		buyer := w.account(account.Customer)
		w.bind(buyer, w.seller)
		own := store.CartOwner{AccountID: buyer.AccountID}
		w.set(buyer, own, w.teaK, 1)
		in := cart("CN.44.03.05", order.Item{SKUID: w.teaK, Quantity: 1})
		q, err := db.Quote(w.ctx, buyer, in)
		if err != nil {
			t.Fatal(err)
		}
		o := w.checkout(buyer, in, "")
		if got := w.cartOf(buyer, own).Lines[0].UnitPrice; got != 1200 || q.Lines[0].UnitPrice != got || o.Lines[0].UnitPrice != got || q.SellerID != w.seller.ID {
			t.Fatalf("cart %d, quote %d, order %d", got, q.Lines[0].UnitPrice, o.Lines[0].UnitPrice)
		}
	})
}

// Claiming on sign-in merges the visitor's lines into the account's (sums,
// capped), adds what fits, leaves no anonymous cart, and is idempotent.
func TestClaimCart(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCartWorld(t, db)
		anon := account.Actor{}
		v := store.CartOwner{Visitor: "browser-1"}
		pen := w.product(w.a, "Pen", [2]int64{200, 0}).SKUs[0].ID
		w.set(anon, v, w.teaK, 3)
		w.set(anon, v, w.cupK, 9000)
		w.set(w.cust, w.custCart, w.cupK, 2000)
		w.set(w.cust, w.custCart, pen, 1)

		res, err := db.ClaimCart(w.ctx, w.cust, v.Visitor)
		if err != nil {
			t.Fatal(err)
		}
		if *res != (store.CartClaim{Merged: 1, Added: 1}) {
			t.Fatalf("claim %+v", res)
		}
		c := w.cartOf(w.cust, w.custCart)
		if q := quantities(c); len(q) != 3 || q[w.cupK] != order.MaxQuantity || q[w.teaK] != 3 || q[pen] != 1 {
			t.Fatalf("merged %v", q)
		}
		if c.Lines[2].SKUID != w.teaK { // added after the account's lines
			t.Fatalf("order %+v", c.Lines)
		}
		if c := w.cartOf(anon, v); len(c.Lines) != 0 {
			t.Fatalf("the anonymous cart is still there: %+v", c)
		}
		if n := w.int(`SELECT COUNT(*) FROM carts WHERE visitor = ?`, v.Visitor); n != 0 {
			t.Fatalf("%d anonymous carts left", n)
		}
		again, err := db.ClaimCart(w.ctx, w.cust, v.Visitor)
		if err != nil || *again != (store.CartClaim{}) {
			t.Fatalf("again: %+v, %v", again, err)
		}
		if q := quantities(w.cartOf(w.cust, w.custCart)); q[w.cupK] != order.MaxQuantity || q[w.teaK] != 3 || len(q) != 3 {
			t.Fatalf("claiming again changed the cart: %v", q)
		}

		// A full account cart takes what fits and drops the rest.
		many := make([][2]int64, order.MaxItems)
		for i := range many {
			many[i] = [2]int64{100, 0}
		}
		skus := w.product(w.b, "Many", many...).SKUs
		full := w.account(account.Customer)
		fullCart := store.CartOwner{AccountID: full.AccountID}
		for _, k := range skus[:order.MaxItems-1] {
			w.set(full, fullCart, k.ID, 1)
		}
		v2 := store.CartOwner{Visitor: "browser-2"}
		w.set(anon, v2, skus[0].ID, 4) // merges even when full
		w.set(anon, v2, w.teaK, 1)
		w.set(anon, v2, w.cupK, 1)
		res, err = db.ClaimCart(w.ctx, full, v2.Visitor)
		if err != nil || *res != (store.CartClaim{Merged: 1, Added: 1, Dropped: 1}) {
			t.Fatalf("full: %+v, %v", res, err)
		}
		if q := quantities(w.cartOf(full, fullCart)); len(q) != order.MaxItems || q[skus[0].ID] != 5 || q[w.teaK] != 1 || q[w.cupK] != 0 {
			t.Fatalf("full cart %v", q)
		}

		_, err = db.ClaimCart(w.ctx, anon, v.Visitor)
		wantCode(t, err, errs.Unauthorized, "")
		_, err = db.ClaimCart(w.ctx, w.cust, "")
		wantCode(t, err, errs.Invalid, "visitor")
		_, err = db.ClaimCart(w.ctx, w.cust, "no spaces")
		wantCode(t, err, errs.Invalid, "visitor")
	})
}

// Two sign-ins of one browser claiming at once merge its cart once.
func TestClaimCartConcurrent(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCartWorld(t, db)
		v := store.CartOwner{Visitor: "browser-twice"}
		w.set(account.Actor{}, v, w.teaK, 2)
		w.set(w.cust, w.custCart, w.teaK, 1)
		var wg sync.WaitGroup
		res := make([]*store.CartClaim, 4)
		errs := make([]error, len(res))
		for i := range res {
			wg.Go(func() { res[i], errs[i] = db.ClaimCart(w.ctx, w.cust, v.Visitor) })
		}
		wg.Wait()
		merged := 0
		for i, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
			merged += res[i].Merged
		}
		if q := quantities(w.cartOf(w.cust, w.custCart)); merged != 1 || q[w.teaK] != 3 {
			t.Fatalf("merged %d times: %v", merged, q)
		}
	})
}
