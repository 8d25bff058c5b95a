package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/api"
	"sharemall/internal/catalog"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/store"
)

// shopFloor is a site with two approved suppliers, each with a product of
// one SKU in stock (tea at 19.99 from A, a cup at 5.00 from B), and a
// customer signed in on the site's browser. Orders are placed through the
// store's checkout, as the API's tests do.
type shopFloor struct {
	*testSite
	ctx            context.Context
	op, a, b, cust account.Actor // a and b run the suppliers
	tea, cup       int64         // SKU ids
}

func newShopFloor(t *testing.T, db *store.DB, opts ...func(*api.Config)) *shopFloor {
	t.Helper()
	f := &shopFloor{testSite: newTestSite(t, db, opts...), ctx: context.Background()}
	f.op = f.account("op@example.com", account.Operator)
	f.a = f.supplier("a@example.com", "Tea Co")
	f.b = f.supplier("b@example.com", "Cup Co")
	f.tea = f.product(f.a, "Oolong tea", 1999)
	f.cup = f.product(f.b, "Tea cup", 500)
	f.cust = f.account("buyer@example.com")
	f.signIn("buyer@example.com")
	return f
}

func (f *shopFloor) actor(id int64) account.Actor {
	f.t.Helper()
	a, err := f.db.ActorFor(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// account makes an account straight in the store; its password is
// "correct horse 1".
func (f *shopFloor) account(email string, roles ...account.Role) account.Actor {
	f.t.Helper()
	hash, err := account.HashPassword(account.HashParams{Memory: 64, Time: 1, Threads: 1}, "correct horse 1")
	if err != nil {
		f.t.Fatal(err)
	}
	a, err := f.db.CreateAccount(f.ctx, account.SignUp{Email: email, Name: strings.Split(email, "@")[0]}, hash,
		append([]account.Role{account.Customer}, roles...)...)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.actor(a.ID)
}

// signIn starts a session for email in the site's browser.
func (f *shopFloor) signIn(email string) {
	f.t.Helper()
	if p := f.post("/signin", url.Values{"login": {email}, "password": {"correct horse 1"}}); p.Status != http.StatusSeeOther {
		f.t.Fatalf("sign in %s: %d %s", email, p.Status, p.Body)
	}
}

// supplier makes an approved supplier and returns its owner's actor.
func (f *shopFloor) supplier(email, name string) account.Actor {
	f.t.Helper()
	owner := f.account(email)
	s, err := f.db.ApplySupplier(f.ctx, owner, catalog.SupplierApplication{Name: name, ContactEmail: email})
	if err == nil {
		_, err = f.db.SetSupplierStatus(f.ctx, f.op, s.ID, catalog.Approved, "")
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return f.actor(owner.AccountID)
}

// product makes an on-sale product of one SKU at price with 10 in stock
// in a warehouse serving the whole country, and returns the SKU.
func (f *shopFloor) product(owner account.Actor, title string, price money.Amount) int64 {
	f.t.Helper()
	p, err := f.db.CreateProduct(f.ctx, owner, &catalog.Product{Title: title, OnSale: true,
		SKUs: []catalog.SKU{{Code: "SKU-" + strconv.Itoa(int(price)), RetailPrice: price, OnSale: true}}})
	if err != nil {
		f.t.Fatal(err)
	}
	sku := p.SKUs[0].ID
	wh, err := f.db.CreateWarehouse(f.ctx, owner, &catalog.Warehouse{Name: title + " store", RegionCode: "CN.44.03.05", Active: true, Areas: []string{"CN"}})
	if err == nil {
		_, err = f.db.SetStock(f.ctx, owner, wh.ID, sku, 10)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return sku
}

// checkout places an order of items (SKU, quantity pairs) for the customer.
func (f *shopFloor) checkout(items ...[2]int64) *order.Order {
	f.t.Helper()
	in := order.CheckoutInput{ShipTo: order.ShipTo{RegionCode: "CN.44.03.05", Name: "Li Lei", Phone: "13800138000", Address: "1 Test Road"}}
	for _, it := range items {
		in.Items = append(in.Items, order.Item{SKUID: it[0], Quantity: it[1]})
	}
	o, err := f.db.Checkout(f.ctx, f.cust, in, "")
	if err != nil {
		f.t.Fatal(err)
	}
	return o
}

// pay pays an order as its customer does: the order page's Pay button, the
// sandbox's page and its Pay button, and back to the order.
func (f *shopFloor) pay(o *order.Order) {
	f.t.Helper()
	id := strconv.FormatInt(o.ID, 10)
	p := f.post("/orders/"+id+"/pay", nil)
	sandbox := strings.TrimPrefix(p.Header.Get("Location"), f.url)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(sandbox, "/sandbox/pay/") {
		f.t.Fatalf("pay: %d to %q", p.Status, p.Header.Get("Location"))
	}
	if page := f.get(sandbox); page.Status != http.StatusOK || !strings.Contains(page.Body, `href="/orders/`+id+`"`) {
		f.t.Fatalf("sandbox page: %d %s", page.Status, page.Body)
	}
	if back := f.post(sandbox, nil); back.Status != http.StatusSeeOther || back.Header.Get("Location") != "/orders/"+id+"?paid=1" {
		f.t.Fatalf("sandbox pay: %d to %q", back.Status, back.Header.Get("Location"))
	}
}

// ship ships every parcel of an order that its supplier may ship.
func (f *shopFloor) ship(o *order.Order, supplier account.Actor, tracking string) {
	f.t.Helper()
	got, err := f.db.Order(f.ctx, f.cust, o.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, p := range got.Fulfilments {
		if supplier.OwnsSupplier(p.SupplierID) {
			if _, err := f.db.ShipFulfilment(f.ctx, supplier, p.ID, "SF Express", tracking); err != nil {
				f.t.Fatal(err)
			}
		}
	}
}

// parcels are the order's fulfilment orders as its customer sees them.
func (f *shopFloor) parcels(o *order.Order) []store.FulfilmentOrder {
	f.t.Helper()
	list, err := f.db.Tracking(f.ctx, f.cust, o.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

// orderPath is /orders/{id} followed by rest.
func orderPath(o *order.Order, rest string) string {
	return "/orders/" + strconv.FormatInt(o.ID, 10) + rest
}
