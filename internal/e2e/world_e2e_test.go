package e2e

import (
	"context"
	"fmt"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/program"
	"sharemall/internal/store"
)

// password is every seeded person's.
const password = "correct horse 1"

// world is what the journeys about shops and money start from, seeded
// through the store: an operator, an approved supplier that lets shops
// mark prices up, and its tea with two sizes in stock across the country.
type world struct {
	t   *testing.T
	app *App
	ctx context.Context
	op  account.Actor
	sup account.Actor
	tea *catalog.Product // SKUs[0]: 100 g at 88.00 (up to 108.00), SKUs[1]: 250 g at 168.00 (up to 198.00)
	n   int              // payments made, for their references
}

func newWorld(t *testing.T, app *App, teaTitle string) *world {
	t.Helper()
	w := &world{t: t, app: app, ctx: context.Background()}
	w.op = w.person("op@example.com", "Olivia", account.Operator)
	w.sup = w.person("sup@example.com", "Tea Co")
	sp, err := app.DB.ApplySupplier(w.ctx, w.sup, catalog.SupplierApplication{Name: "Tea Co", ContactEmail: "sup@example.com", AllowMarkup: true})
	w.must(err)
	_, err = app.DB.SetSupplierStatus(w.ctx, w.op, sp.ID, catalog.Approved, "")
	w.must(err)
	w.sup = w.actor(w.sup.AccountID)
	ceiling := func(a money.Amount) *money.Amount { return &a }
	w.tea, err = app.DB.CreateProduct(w.ctx, w.sup, &catalog.Product{Title: teaTitle, OnSale: true, SKUs: []catalog.SKU{
		{Code: "T-100", RetailPrice: 8800, PriceCeiling: ceiling(10800), Options: map[string]string{"size": "100g"}, OnSale: true},
		{Code: "T-250", RetailPrice: 16800, PriceCeiling: ceiling(19800), Options: map[string]string{"size": "250g"}, OnSale: true}}})
	w.must(err)
	wh, err := app.DB.CreateWarehouse(w.ctx, w.sup, &catalog.Warehouse{Name: "Hangzhou", RegionCode: "CN", Active: true, Areas: []string{"CN"}})
	w.must(err)
	for _, sku := range w.tea.SKUs {
		_, err := app.DB.SetStock(w.ctx, w.sup, wh.ID, sku.ID, 50)
		w.must(err)
	}
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) actor(accountID int64) account.Actor {
	w.t.Helper()
	a, err := w.app.DB.ActorFor(w.ctx, accountID)
	w.must(err)
	return a
}

// person makes an account signing in with email and password.
func (w *world) person(email, name string, roles ...account.Role) account.Actor {
	w.t.Helper()
	hash, err := account.HashPassword(LocalConfig().HashParams, password)
	w.must(err)
	a, err := w.app.DB.CreateAccount(w.ctx, account.SignUp{Email: email, Name: name}, hash, append(roles, account.Customer)...)
	w.must(err)
	return w.actor(a.ID)
}

// distributor makes a person a distributor under invite ("" for none)
// with a shop named shop that sells the tea at retail.
func (w *world) distributor(email, name, shop, invite string) (*network.Distributor, account.Actor) {
	w.t.Helper()
	a := w.person(email, name)
	d, err := w.app.DB.JoinNetwork(w.ctx, a, network.Join{InviteCode: invite, DisplayName: name})
	w.must(err)
	a = w.actor(a.AccountID)
	_, err = w.app.DB.OpenShop(w.ctx, a, store.ShopInput{Name: shop})
	w.must(err)
	_, err = w.app.DB.AddShopItem(w.ctx, a, w.tea.ID)
	w.must(err)
	return d, a
}

// shareLink is the path of d's share link to a product (0: its shop).
func (w *world) shareLink(d account.Actor, product int64) string {
	w.t.Helper()
	l, err := w.app.DB.ShareLink(w.ctx, d, product, store.ChannelLink)
	w.must(err)
	return "/s/" + l.Code
}

// buy checks qty of a SKU out for c, shipped to a district of Beijing, and
// pays through the sandbox's callback, as the API's payment flow ends.
func (w *world) buy(c account.Actor, sku, qty int64) *order.Order {
	w.t.Helper()
	o, err := w.app.DB.Checkout(w.ctx, c, order.CheckoutInput{Items: []order.Item{{SKUID: sku, Quantity: qty}},
		ShipTo: order.ShipTo{RegionCode: "CN.11.01.01", Name: "Zhang San", Phone: "13800138000", Address: "1 Road"}}, "")
	w.must(err)
	w.n++
	ref := fmt.Sprintf("sbx_e2e_%d", w.n)
	_, err = w.app.DB.StartPayment(w.ctx, c, o.ID, "sandbox", ref)
	w.must(err)
	out, _, err := w.app.DB.ApplyPayment(w.ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: ref, Amount: o.Total, Currency: "CNY", Payload: "{}"})
	if err != nil || out != store.OutcomeApplied {
		w.t.Fatalf("payment of order %d: %s %v", o.ID, out, err)
	}
	return o
}

// deliver has the supplier ship every parcel of o and c confirm receipt.
func (w *world) deliver(o *order.Order, c account.Actor) {
	w.t.Helper()
	for _, f := range o.Fulfilments {
		_, err := w.app.DB.ShipFulfilment(w.ctx, w.sup, f.ID, "SF Express", fmt.Sprintf("SF%08d", f.ID))
		w.must(err)
		_, err = w.app.DB.ConfirmReceipt(w.ctx, c, f.ID)
		w.must(err)
	}
}

// withdrawalRules sets the program's withdrawal minimum, fee (basis
// points) and requests a day, as an operator does.
func (w *world) withdrawalRules(minimum money.Amount, fee money.Rate, perDay int) {
	w.t.Helper()
	s, err := w.app.DB.Settings(w.ctx)
	w.must(err)
	s.Withdrawal = program.Withdrawal{Minimum: minimum, FeeRate: fee, DailyLimit: perDay}
	_, err = w.app.DB.UpdateSettings(w.ctx, w.op, s, s.Version)
	w.must(err)
}

// shopPrice sets d's prices of the tea's two sizes.
func (w *world) shopPrice(d account.Actor, small, large money.Amount) {
	w.t.Helper()
	for i, price := range []money.Amount{small, large} {
		_, err := w.app.DB.SetShopPrice(w.ctx, d, w.tea.SKUs[i].ID, price)
		w.must(err)
	}
}
