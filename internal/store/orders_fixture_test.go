package store_test

import (
	"context"
	"fmt"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// shopWorld: an operator, a customer, suppliers A (markup allowed) and B,
// a chain of distributors root ← mid ← seller, and an agent distributor.
type shopWorld struct {
	t                     *testing.T
	db                    *store.DB
	ctx                   context.Context
	clock                 *testutil.Clock
	n                     int
	op, cust, a, b        account.Actor
	supA, supB            *catalog.Supplier
	root, mid, seller, x  *network.Distributor
	sellerActor, midActor account.Actor
}

func newShopWorld(t *testing.T, db *store.DB) *shopWorld {
	t.Helper()
	w := &shopWorld{t: t, db: db, ctx: context.Background(), clock: testutil.NewClock()}
	db.Now = w.clock.Now
	w.op = w.account(account.Operator)
	w.cust = w.account(account.Customer)
	w.a, w.supA = w.supplier("Supplier A")
	w.b, w.supB = w.supplier("Supplier B")
	w.root, _ = w.join("")
	w.mid, w.midActor = w.join(w.root.ReferralCode)
	w.seller, w.sellerActor = w.join(w.mid.ReferralCode)
	w.x, _ = w.join("")
	return w
}

func (w *shopWorld) account(roles ...account.Role) account.Actor {
	w.t.Helper()
	w.n++
	return newActor(w.t, w.db, fmt.Sprintf("o%d@example.com", w.n), "", roles...)
}

func (w *shopWorld) actor(id int64) account.Actor { return actorFor(w.t, w.db, id) }

func (w *shopWorld) supplier(name string) (account.Actor, *catalog.Supplier) {
	w.t.Helper()
	owner := w.account(account.Customer)
	s, err := w.db.ApplySupplier(w.ctx, owner, catalog.SupplierApplication{Name: name, ContactEmail: "s@example.com", AllowMarkup: true})
	if err == nil {
		s, err = w.db.SetSupplierStatus(w.ctx, w.op, s.ID, catalog.Approved, "")
	}
	if err != nil {
		w.t.Fatal(err)
	}
	return w.actor(owner.AccountID), s
}

func (w *shopWorld) join(code string) (*network.Distributor, account.Actor) {
	w.t.Helper()
	w.clock.Advance(1e9)
	a := w.account(account.Customer)
	d, err := w.db.JoinNetwork(w.ctx, a, network.Join{InviteCode: code, DisplayName: fmt.Sprintf("d%d", w.n)})
	if err != nil {
		w.t.Fatal(err)
	}
	return d, w.actor(a.AccountID)
}

func (w *shopWorld) settings(change func(s *program.Settings)) {
	w.t.Helper()
	s, err := w.db.Settings(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	change(s)
	if _, err := w.db.UpdateSettings(w.ctx, w.op, s, s.Version); err != nil {
		w.t.Fatal(err)
	}
}

// product makes an on-sale product of one SKU per retail price; ceiling 0 is none.
func (w *shopWorld) product(owner account.Actor, title string, skus ...[2]int64) *catalog.Product {
	w.t.Helper()
	p := &catalog.Product{Title: title, OnSale: true}
	for i, s := range skus {
		k := catalog.SKU{Code: fmt.Sprintf("%s-%d", title, i), RetailPrice: money.Amount(s[0]), OnSale: true}
		if s[1] != 0 {
			k.PriceCeiling = amount(money.Amount(s[1]))
		}
		p.SKUs = append(p.SKUs, k)
	}
	p, err := w.db.CreateProduct(w.ctx, owner, p)
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// warehouse makes an active warehouse serving areas with stock of skus.
func (w *shopWorld) warehouse(owner account.Actor, name string, priority int64, areas []string, stock map[int64]int64) int64 {
	w.t.Helper()
	wh, err := w.db.CreateWarehouse(w.ctx, owner, &catalog.Warehouse{Name: name, RegionCode: "CN", Priority: int(priority), Active: true, Areas: areas})
	if err != nil {
		w.t.Fatal(err)
	}
	for sku, n := range stock {
		if _, err := w.db.SetStock(w.ctx, owner, wh.ID, sku, n); err != nil {
			w.t.Fatal(err)
		}
	}
	return wh.ID
}

func (w *shopWorld) exec(q string, args ...any) {
	w.t.Helper()
	if err := w.db.OrdersExecForTest(w.ctx, q, args...); err != nil {
		w.t.Fatal(err)
	}
}

func (w *shopWorld) int(q string, args ...any) int64 { return w.db.OrdersIntForTest(w.ctx, q, args...) }

// shopPrice lists product in the seller's shop at price for sku.
func (w *shopWorld) shopPrice(d *network.Distributor, productID, skuID, price int64) {
	w.exec(`INSERT INTO shops (distributor_id, name, created_at, updated_at) VALUES (?, 'Shop', 0, 0) ON CONFLICT (distributor_id) DO NOTHING`, d.ID)
	w.exec(`INSERT INTO shop_items (distributor_id, product_id, added_at) VALUES (?, ?, 0) ON CONFLICT (distributor_id, product_id) DO NOTHING`, d.ID, productID)
	w.exec(`INSERT INTO shop_prices (distributor_id, sku_id, price, updated_at) VALUES (?, ?, ?, 0)`, d.ID, skuID, price)
}

func (w *shopWorld) coupon(d *network.Distributor, code, kind string, value, maxUses int64) {
	var mu any
	if maxUses > 0 {
		mu = maxUses
	}
	w.exec(`INSERT INTO coupons (code, distributor_id, kind, value, max_uses, created_at) VALUES (?, ?, ?, ?, ?, 0)`, code, d.ID, kind, value, mu)
}

func (w *shopWorld) bind(customer account.Actor, d *network.Distributor) {
	w.exec(`INSERT INTO bindings (customer_account_id, distributor_id, mode, bound_at) VALUES (?, ?, 'first_touch', 0)`, customer.AccountID, d.ID)
}

func (w *shopWorld) stock(warehouseID, skuID int64) (onHand, reserved int64) {
	return w.int(`SELECT on_hand FROM stock WHERE warehouse_id = ? AND sku_id = ?`, warehouseID, skuID),
		w.int(`SELECT reserved FROM stock WHERE warehouse_id = ? AND sku_id = ?`, warehouseID, skuID)
}

func cart(region string, items ...order.Item) order.CheckoutInput {
	return order.CheckoutInput{Items: items, ShipTo: order.ShipTo{RegionCode: region, Name: "Li Lei", Phone: "13800138000", Address: "1 Road"}}
}

func (w *shopWorld) checkout(who account.Actor, in order.CheckoutInput, key string) *order.Order {
	w.t.Helper()
	o, err := w.db.Checkout(w.ctx, who, in, key)
	if err != nil {
		w.t.Fatalf("checkout: %v", err)
	}
	return o
}

func wantCode(t *testing.T, err error, code errs.Code, field string) {
	t.Helper()
	if errs.CodeOf(err) != code || errs.FieldOf(err) != field {
		t.Fatalf("got %v, want %s on %q", err, code, field)
	}
}
