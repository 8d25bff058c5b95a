package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/store"
)

// A new visitor opens a distributor's share link, signs up, fills the cart
// with a product of each of two suppliers at the shop's prices, checks out
// to a new address (the region picker, with its script), sees two parcels,
// pays on the sandbox's page and comes back to the order, paid.
func TestShareLinkToPaidOrder(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		const lang = "zh"
		m := newMarket(t, app, lang)
		u := app.Visitor(lang)

		u.Open("/s/" + m.link)
		if got := u.Text(Test("shop-name")); got != m.names.shop {
			t.Errorf("the landing says the shop is %q", got)
		}
		if got := u.Text(Test("price").In(Test("shared-product"))); got != T(lang, "shop.from", "¥68.00") {
			t.Errorf("the shared tea costs %q on the landing, not the shop's price", got)
		}

		u.Click(Link(T(lang, "nav.me")))
		u.Click(Link(T(lang, "signup.title")))
		u.Fill(Label(T(lang, "signup.phone")), "139 0013 9000")
		u.Fill(Label(T(lang, "signup.name")), "韩梅梅")
		u.Fill(Label(T(lang, "signin.password")), "correct horse 1")
		u.Click(Button(T(lang, "signup.submit")))
		if name := u.Text(Test("me-name")); name != "韩梅梅" {
			t.Fatalf("after signing up, /me shows %q", name)
		}

		// Home is the shop the link bound the new account to, at its prices.
		u.Click(Link(T(lang, "nav.home")))
		if got := u.Text(Test("price").In(Test("product").With(m.names.tea))); got != T(lang, "shop.from", "¥68.00") {
			t.Errorf("signed up, the tea costs %q in the grid, not the shop's price", got)
		}
		u.Click(Test("product").With(m.names.tea))
		m.addToCart(u, m.tea.SKUs[1], "¥138.00", 2)
		u.Click(Link(T(lang, "cart.continue")))
		u.Click(Test("product").With(m.names.cup))
		m.addToCart(u, m.cup.SKUs[1], "¥49.00", 1)

		if got := u.Text(Test(testID("unit", m.tea.SKUs[1].ID))); got != "¥138.00" {
			t.Errorf("the cart's tea costs %q", got)
		}
		if got := u.Text(Test("total")); got != "¥325.00" { // 2 × 138.00 + 49.00
			t.Errorf("the cart's total is %q", got)
		}
		u.Click(Button(T(lang, "cart.checkout") + " (2)"))

		u.Click(Test("add-address"))
		fillAddress(u, lang, "韩梅梅", []string{"浙江省", "杭州市", "西湖区"}, "文三路 90 号")
		if got := u.Text(Test("ship-where")); got != "浙江省 杭州市 西湖区 文三路 90 号" {
			t.Errorf("checkout ships to %q", got)
		}
		if n := u.Count(Test("parcel")); n != 2 {
			t.Fatalf("checkout shows %d parcels, want one per supplier's warehouse", n)
		}
		for _, want := range []string{m.names.teaCo + " · " + T(lang, "checkout.ships_from", m.names.teaWarehouse),
			m.names.cupCo + " · " + T(lang, "checkout.ships_from", m.names.cupWarehouse)} {
			if !u.Has(Test("parcel").With(want)) {
				t.Errorf("no parcel says %q: %q", want, u.Texts(Test("parcel")))
			}
		}
		if got := u.Text(Test("to-pay")); got != "¥325.00" {
			t.Errorf("checkout asks %q", got)
		}

		u.Click(Button(T(lang, "checkout.place")))
		u.See("325.00 CNY")
		u.Click(Button("Pay")) // the sandbox provider's own page, in English
		o := m.orderShown(u)
		u.See(T(lang, "orders.notice.paid"))
		if got := u.Text(Test("order-state")); got != T(lang, "orders.state.to_ship") {
			t.Errorf("the paid order's state is %q", got)
		}
		if got := u.Texts(Test("parcel-status")); len(got) != 2 || got[0] != T(lang, "orders.parcel.released") || got[1] != got[0] {
			t.Errorf("the paid order's parcels: %q", got)
		}
		if got := u.Text(Test("total")); got != "¥325.00" {
			t.Errorf("the order's total is %q", got)
		}
		if got := u.Text(Test("ship-to")); !strings.HasSuffix(got, "浙江省 杭州市 西湖区 文三路 90 号") {
			t.Errorf("the order ships to %q", got)
		}
		if o.SellerID != m.dist.ID || o.Status != order.Paid || len(o.Fulfilments) != 2 {
			t.Errorf("the order in the store: seller %d (want %d), %s, %d parcels", o.SellerID, m.dist.ID, o.Status, len(o.Fulfilments))
		}
	})
}

// Both suppliers ship a paid order of two parcels; the customer confirms
// receipt of one on the order page and asks for a refund of one unit of a
// line: a first try without a reason is refused by its field, the second
// opens a case waiting for the supplier.
func TestReceiveAndAskRefund(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		const lang = "en"
		m := newMarket(t, app, lang)
		o := m.placeOrder("ann@example.com", order.Item{SKUID: m.tea.SKUs[1].ID, Quantity: 2}, order.Item{SKUID: m.cup.SKUs[0].ID, Quantity: 1})
		u := app.SignedIn(lang, "ann@example.com", "correct horse 1")
		u.Open(orderPath(o))
		u.Click(Button(T(lang, "orders.pay")))
		u.Click(Button("Pay"))
		u.See(T(lang, "orders.notice.paid"))

		m.shipAll(m.teaCo, "SF1001")
		m.shipAll(m.cupCo, "YT2002")
		u.Open(orderPath(o))
		if got := u.Text(Test("order-state")); got != T(lang, "orders.state.to_receive") {
			t.Errorf("shipped, the order's state is %q", got)
		}
		tea := Test(testID("parcel", m.parcelOf(o, m.teaCo).ID))
		cup := Test(testID("parcel", m.parcelOf(o, m.cupCo).ID))
		if got := u.Text(Test("ship-to")); !strings.HasSuffix(got, "Zhejiang Hangzhou Xihu 90 Wensan Road") {
			t.Errorf("the order ships to %q", got)
		}
		if got := u.Text(Test("tracking").In(tea)); got != "SF1001" {
			t.Errorf("the tea's parcel shows tracking %q", got)
		}

		asked := acceptDialogs(u)
		u.Click(Button(T(lang, "orders.receive")).In(tea))
		u.See(T(lang, "orders.notice.received"))
		if got := asked(); len(got) != 1 || got[0] != T(lang, "orders.receive_confirm") {
			t.Errorf("confirming receipt asked %q", got)
		}
		if got := u.Text(Test("parcel-status").In(tea)); got != T(lang, "orders.parcel.received") {
			t.Errorf("the received parcel is %q", got)
		}
		if got := u.Text(Test("parcel-status").In(cup)); got != T(lang, "orders.parcel.shipped") {
			t.Errorf("the other parcel is %q", got)
		}

		u.Click(Link(T(lang, "orders.ask_aftersale")).In(Test(testID("line", lineOf(o, m.tea.SKUs[1].ID).ID))))
		u.See(T(lang, "aftersale.left", 2))
		u.ClickInPlace(Test("kind-refund_only"))
		u.Fill(Label(T(lang, "aftersale.quantity")), "1")
		if status := u.Click(Button(T(lang, "aftersale.submit"))); status != http.StatusBadRequest {
			t.Errorf("a request without a reason: status %d, want 400", status)
		}
		if got := u.Text(Test("error-reason")); got == "" {
			t.Error("the refused reason says nothing")
		}
		if got := u.Value(Label(T(lang, "aftersale.quantity"))); got != "1" {
			t.Errorf("the refused form lost the quantity: %q", got)
		}
		u.Fill(Label(T(lang, "aftersale.reason")), "One tin arrived crushed.")
		u.Click(Button(T(lang, "aftersale.submit")))
		u.See(T(lang, "aftersale.notice.opened"))
		if got := u.Text(Test("case-status")); got != T(lang, "aftersale.status.open") {
			t.Errorf("the new case is %q", got)
		}
		if got := u.Text(Test("case-amount")); got != "¥138.00" { // one unit at the shop's price
			t.Errorf("the case refunds %q", got)
		}
		u.Click(Link(T(lang, "orders.order_title", o.ID)))
		if got := u.Text(Test("line-case")); got != T(lang, "orders.line_case", T(lang, "aftersale.status.open")) {
			t.Errorf("the order's line says %q", got)
		}
	})
}

// market is a distributor's shop selling the products of two suppliers
// whose warehouses differ (a tea from Hangzhou, a cup from Shenzhen), each
// product with two options priced above retail in the shop, and the
// distributor's share link to the tea.
type market struct {
	t            *testing.T
	app          *App
	ctx          context.Context
	names        marketNames
	op           account.Actor
	teaCo, cupCo account.Actor // the suppliers' owners
	tea, cup     *catalog.Product
	dist         *network.Distributor
	link         string
}

type marketNames struct {
	shop, teaCo, cupCo, teaWarehouse, cupWarehouse, tea, cup string
	small, big, white, green                                 string // the options
}

var namesIn = map[string]marketNames{
	"en": {"Leaf & Co", "West Lake Tea", "Longquan Kiln", "Hangzhou warehouse", "Shenzhen warehouse",
		"Longjing green tea", "Celadon cup", "100 g", "250 g", "White", "Green"},
	"zh": {"叶子小铺", "西湖茶庄", "龙泉窑", "杭州仓", "深圳仓", "西湖龙井", "青瓷茶杯", "100克", "250克", "白色", "青色"},
}

func newMarket(t *testing.T, app *App, lang string) *market {
	t.Helper()
	m := &market{t: t, app: app, ctx: context.Background(), names: namesIn[lang]}
	m.op = m.person("op@example.com", account.Operator)
	m.teaCo = m.supplier("tea@example.com", m.names.teaCo, m.names.teaWarehouse, "CN.33.01")
	m.cupCo = m.supplier("cup@example.com", m.names.cupCo, m.names.cupWarehouse, "CN.44.03")
	owner := m.person("dist@example.com")
	var err error
	m.dist, err = app.DB.JoinNetwork(m.ctx, owner, network.Join{DisplayName: m.names.shop})
	m.must(err)
	d := m.actor(owner.AccountID)
	_, err = app.DB.OpenShop(m.ctx, d, store.ShopInput{Name: m.names.shop})
	m.must(err)
	// Options, then prices at retail and in the shop.
	m.tea = m.product(d, m.teaCo, m.names.tea, [2]string{m.names.small, m.names.big}, [2]money.Amount{5800, 12800}, [2]money.Amount{6800, 13800})
	m.cup = m.product(d, m.cupCo, m.names.cup, [2]string{m.names.white, m.names.green}, [2]money.Amount{3500, 4500}, [2]money.Amount{3900, 4900})
	l, err := app.DB.ShareLink(m.ctx, d, m.tea.ID, store.ChannelLink)
	m.must(err)
	m.link = l.Code
	return m
}

func (m *market) must(err error) {
	m.t.Helper()
	if err != nil {
		m.t.Fatal(err)
	}
}

func (m *market) actor(id int64) account.Actor {
	m.t.Helper()
	a, err := m.app.DB.ActorFor(m.ctx, id)
	m.must(err)
	return a
}

// person makes an account (password "correct horse 1") with roles.
func (m *market) person(email string, roles ...account.Role) account.Actor {
	m.t.Helper()
	hash, err := account.HashPassword(LocalConfig().HashParams, "correct horse 1")
	m.must(err)
	a, err := m.app.DB.CreateAccount(m.ctx, account.SignUp{Email: email, Name: strings.Split(email, "@")[0]}, hash,
		append([]account.Role{account.Customer}, roles...)...)
	m.must(err)
	return m.actor(a.ID)
}

// supplier makes an approved supplier that allows markup, with one
// warehouse at region serving the whole country; it returns its owner.
func (m *market) supplier(email, name, warehouse, region string) account.Actor {
	m.t.Helper()
	owner := m.person(email)
	s, err := m.app.DB.ApplySupplier(m.ctx, owner, catalog.SupplierApplication{Name: name, ContactEmail: email, AllowMarkup: true})
	m.must(err)
	_, err = m.app.DB.SetSupplierStatus(m.ctx, m.op, s.ID, catalog.Approved, "")
	m.must(err)
	owner = m.actor(owner.AccountID)
	_, err = m.app.DB.CreateWarehouse(m.ctx, owner, &catalog.Warehouse{Name: warehouse, RegionCode: region, Active: true, Areas: []string{"CN"}})
	m.must(err)
	return owner
}

// product puts a product of two options on sale at retail, 20 of each in
// the supplier's warehouse, and the distributor d lists it at shop prices.
func (m *market) product(d, owner account.Actor, title string, options [2]string, retail, shop [2]money.Amount) *catalog.Product {
	m.t.Helper()
	p := &catalog.Product{Title: title, OnSale: true}
	for i := range options {
		ceiling := retail[i] + 2000
		p.SKUs = append(p.SKUs, catalog.SKU{Code: fmt.Sprintf("S%d-%d", retail[0], i), RetailPrice: retail[i], PriceCeiling: &ceiling,
			Options: map[string]string{"option": options[i]}, OnSale: true})
	}
	p, err := m.app.DB.CreateProduct(m.ctx, owner, p)
	m.must(err)
	wh, err := m.app.DB.Warehouses(m.ctx, owner, owner.SupplierID)
	m.must(err)
	_, err = m.app.DB.AddShopItem(m.ctx, d, p.ID)
	m.must(err)
	for i, k := range p.SKUs {
		_, err = m.app.DB.SetStock(m.ctx, owner, wh[0].ID, k.ID, 20)
		m.must(err)
		_, err = m.app.DB.SetShopPrice(m.ctx, d, k.ID, shop[i])
		m.must(err)
	}
	return p
}

// addToCart, on a product page, taps "add to cart" (which opens the
// options), chooses sku, checks the price shown, adds units with "+" and
// taps "add to cart" again, which opens the cart.
func (m *market) addToCart(u *Tab, sku catalog.SKU, price string, quantity int) {
	m.t.Helper()
	add := Button(T(u.Lang, "shop.product.add"))
	u.ClickInPlace(add)
	settled(u) // the options slide up
	u.ClickInPlace(Test(testID("sku", sku.ID)))
	if got := u.Text(Test("price")); got != price {
		m.t.Errorf("%s: the product page shows %q for the chosen option, want %q", u.Path(), got, price)
	}
	for i := 1; i < quantity; i++ {
		u.ClickInPlace(Button(T(u.Lang, "shop.product.more")))
	}
	u.Click(add)
	u.See(T(u.Lang, "cart.added"))
	if got := u.Value(Test(testID("qty", sku.ID))); got != strconv.Itoa(quantity) {
		m.t.Errorf("the cart holds %s of option %d, want %d", got, sku.ID, quantity)
	}
}

// fillAddress fills the address form (the region picker's levels in
// order: each fills the next from the regions API) and saves it.
func fillAddress(u *Tab, lang, name string, regions []string, street string) {
	u.Fill(Label(T(lang, "address.name")), name)
	u.Fill(Label(T(lang, "address.phone")), "139 0013 9000")
	for i, level := range []string{"address.province", "address.city", "address.district"} {
		shown(u, Label(T(lang, level))) // the script shows a level once it has filled it
		u.Choose(Label(T(lang, level)), regions[i])
	}
	u.Fill(Label(T(lang, "address.detail")), street)
	u.Click(Test("save")) // Button would find the hidden "save" first, which makes Enter save
}

// settled waits until the page's animations and transitions have ended:
// a finger taps what has stopped moving.
func settled(u *Tab) {
	u.Eval(`Promise.all(document.getAnimations().map(a => a.finished)).then(() => true)`, nil)
}

// shown waits until what l finds is on the screen, not hidden.
func shown(u *Tab, l Locator) {
	var ok bool
	u.waitJS("see "+l.desc, `(() => { const e = `+l.first()+`; return e && e.checkVisibility() ? true : null })()`, &ok)
}

// orderShown is the order whose page the tab shows, from the store.
func (m *market) orderShown(u *Tab) *order.Order {
	m.t.Helper()
	path := u.Path()
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.SplitN(path, "?", 2)[0], "/orders/"), 10, 64)
	if err != nil {
		m.t.Fatalf("not an order's page: %s", path)
	}
	o, err := m.app.DB.Order(m.ctx, m.op, id)
	m.must(err)
	return o
}

// placeOrder makes a customer bound to the shop by its link and places an
// order of items through the store's checkout, to a Hangzhou address.
func (m *market) placeOrder(email string, items ...order.Item) *order.Order {
	m.t.Helper()
	c := m.person(email)
	_, _, err := m.app.DB.RecordVisit(m.ctx, c, m.link, "")
	m.must(err)
	o, err := m.app.DB.Checkout(m.ctx, c, order.CheckoutInput{Items: items,
		ShipTo: order.ShipTo{RegionCode: "CN.33.01.06", Name: "Ann Lee", Phone: "13900139000", Address: "90 Wensan Road"}}, "")
	m.must(err)
	return o
}

// shipAll ships every parcel in supplier's queue, as the supplier.
func (m *market) shipAll(supplier account.Actor, tracking string) {
	m.t.Helper()
	queue, err := m.app.DB.FulfilmentQueue(m.ctx, supplier, store.FulfilmentFilter{Status: store.FulfilmentReleased})
	m.must(err)
	if len(queue) == 0 {
		m.t.Fatal("nothing to ship")
	}
	for _, f := range queue {
		_, err := m.app.DB.ShipFulfilment(m.ctx, supplier, f.ID, "SF Express", tracking)
		m.must(err)
	}
}

// parcelOf is the order's parcel that supplier ships.
func (m *market) parcelOf(o *order.Order, supplier account.Actor) order.Fulfilment {
	m.t.Helper()
	for _, f := range o.Fulfilments {
		if supplier.OwnsSupplier(f.SupplierID) {
			return f
		}
	}
	m.t.Fatalf("order %d has no parcel of supplier %d", o.ID, supplier.SupplierID)
	return order.Fulfilment{}
}

// lineOf is the order's line of a SKU.
func lineOf(o *order.Order, sku int64) order.Line {
	for _, l := range o.Lines {
		if l.SKUID == sku {
			return l
		}
	}
	panic(fmt.Sprintf("order %d has no line of SKU %d", o.ID, sku))
}

func orderPath(o *order.Order) string { return "/orders/" + strconv.FormatInt(o.ID, 10) }

// testID is a data-test name with an id: "sku-12".
func testID(name string, id int64) string { return name + "-" + strconv.FormatInt(id, 10) }

// acceptDialogs answers every dialog the tab opens from now on (a form's
// "are you sure?") with OK, as the person taps it; the func returns the
// messages asked so far.
func acceptDialogs(u *Tab) func() []string {
	var mu sync.Mutex
	var asked []string
	ctx := u.ctx
	go func() {
		for ev, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			mu.Lock()
			asked = append(asked, ev.Message)
			mu.Unlock()
			go chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
				_, err := cdp.Call(ctx, target, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
				return err
			}))
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), asked...)
	}
}
