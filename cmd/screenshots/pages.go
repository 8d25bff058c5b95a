package main

import (
	"context"
	"fmt"

	"sharemall/internal/account"
	"sharemall/internal/demo"
	"sharemall/internal/e2e"
	"sharemall/internal/order"
	"sharemall/internal/store"
)

// pages are the screens taken, each in English and Chinese, in the order
// the README shows them. To add one: a name (the files are
// <name>-en.png and <name>-zh.png), its path in the demo (a func may look
// the demo up: a distributor's share code, an order of the customer), the
// demo login it is seen as ("" for a visitor: one visitor per language,
// who opens the pages in this order), and what to wait for when a script
// draws part of the page (a data-test name).
var pages = []page{
	{name: "share-landing", title: "Share link", path: shareLanding},
	{name: "home", title: "Home (the shop of the link)", path: at("/")},
	{name: "product", title: "Product", path: productPage},
	{name: "cart", title: "Cart (two suppliers)", path: cartPage, as: customer},
	{name: "checkout", title: "Checkout (a parcel per warehouse, each with its shipping fee)", path: checkoutPage, as: customer},
	{name: "signin", title: "Sign in", path: at("/signin")},
	{name: "signup", title: "Sign up", path: at("/signup")},
	{name: "me", title: "Me", path: at("/me"), as: customer},
	{name: "orders", title: "My orders", path: at("/orders"), as: customer},
	{name: "order", title: "An order and its parcels", path: parcelOrder, as: customer},
	{name: "centre", title: "Distributor centre", path: at("/centre"), as: seller},
	{name: "centre-shop", title: "My shop", path: at("/centre/shop"), as: seller},
	{name: "centre-poster", title: "Share a product (poster)", path: posterPage, as: seller, ready: "poster-img"},
	{name: "team", title: "Team", path: at("/centre/team"), as: seller},
	{name: "money", title: "Money", path: at("/centre/money"), as: seller},
	{name: "ops-dashboard", title: "Operator dashboard (laptop)", path: at("/ops/dashboard"), as: operator, ready: "charts-drawn", laptop: true},
	{name: "ops-network", title: "Network insight (phone)", path: at("/ops/insight/network"), as: operator, ready: "bars-drawn"},
	{name: "ops-tree", title: "A distributor's tree (laptop)", path: sellerTree, as: operator, laptop: true},
	{name: "sup-insight", title: "Supplier insight (laptop)", path: at("/sup/insight"), as: supplier, ready: "charts-drawn", laptop: true},
	{name: "sup-parcels", title: "Supplier fulfilment queue (laptop)", path: at("/sup/parcels"), as: supplier, laptop: true},
	{name: "sup-product", title: "A product's pictures (supplier)", path: supplierProduct, as: supplier},
	{name: "ops-funnel", title: "Share funnel and cohorts (operator)", path: at("/ops/insight/fission"), as: operator, ready: "funnel-drawn"},
	// Money in and out (pages_money.go).
	{name: "pay-choice", title: "An unpaid order: how to pay", path: payChoicePage, as: customer},
	{name: "pay-qr", title: "Pay by QR code", path: payQRPage, as: customer, ready: "pay-qr"},
	{name: "notifications", title: "Notifications", path: at("/notifications"), as: customer},
	{name: "centre-payout", title: "Where a distributor is paid", path: at("/centre/payout"), as: seller},
	{name: "money-withdrawals", title: "A withdrawal: tax withheld, where it is paid", path: at("/centre/money#withdrawals"), as: seller},
	{name: "sup-shipping", title: "Shipping templates (supplier)", path: at("/sup/shipping"), as: supplier},
	{name: "sup-shipping-template", title: "A shipping template's rules by region", path: shippingTemplatePage, as: supplier},
	{name: "sup-payouts", title: "Supplier balance and payouts", path: at("/sup/payouts"), as: supplier},
	{name: "ops-withholding", title: "Tax withheld (operator)", path: withholdingPage, as: operator},
	{name: "ops-supplier-payouts", title: "Supplier payouts (operator)", path: at("/ops/supplier-payouts"), as: operator},
	{name: "ops-webhooks", title: "Webhooks (operator)", path: webhooksPage, as: operator},
	{name: "ops-webhook-delivery", title: "A webhook delivery and its log", path: webhookDeliveryPage, as: operator},
	{name: "centre-materials", title: "Marketing materials (distributor)", path: at("/centre/materials"), as: seller},
	{name: "ops-materials", title: "Materials and their funnels (operator)", path: at("/ops/materials"), as: operator},
	{name: "ops-audit-export", title: "Regulator's audit export (operator)", path: at("/ops/audit/regulator"), as: operator},
	{name: "ops-fraud", title: "Fraud review queue (laptop)", path: at("/ops/fraud"), as: operator, laptop: true},
	{name: "centre-campaigns", title: "Campaigns (distributor)", path: at("/centre/campaigns"), as: seller},
	{name: "sup-campaigns", title: "Campaigns (supplier, laptop)", path: at("/sup/campaigns"), as: supplier, laptop: true},
	{name: "ops-simulator", title: "Commission cost simulator (laptop)", path: at("/ops/simulator"), as: operator, laptop: true},
}

const (
	customer = "customer01@demo.example.com" // the demo's shopper
	seller   = "dist002@demo.example.com"    // a shop with marked-up prices, a team and earnings
	operator = "operator@demo.example.com"
	supplier = "tea@demo.example.com" // West Lake Tea Co.
)

type page struct {
	name, title string
	as          string // the demo login signed in; "": a visitor
	path        func(ctx context.Context, d *demoData) (string, error)
	ready       string // data-test of what a script adds when the page is drawn; "": the load is enough
	laptop      bool   // seen on a laptop's screen (1280×800), not a phone's: the consoles
}

// demoData is what a page's path may look up.
type demoData struct {
	DB     *store.DB
	Result *demo.Result
	Site   *e2e.Site // the server the browser sees
	hooks  hooks     // the webhook receiver, made on first use (pages_money.go)
}

// at is a page at a fixed path.
func at(path string) func(context.Context, *demoData) (string, error) {
	return func(context.Context, *demoData) (string, error) { return path, nil }
}

// actor is a demo login's actor.
func (d *demoData) actor(ctx context.Context, login string) (account.Actor, error) {
	c, err := d.DB.CredentialsFor(ctx, login, "")
	if err != nil {
		return account.Actor{}, fmt.Errorf("%s: %w", login, err)
	}
	return d.DB.ActorFor(ctx, c.AccountID)
}

// shownProduct is the first product of the seller's shop with several
// options, for the share link, the product page and the poster.
func (d *demoData) shownProduct(ctx context.Context) (account.Actor, *store.ShopItem, error) {
	a, err := d.actor(ctx, seller)
	if err != nil {
		return a, nil, err
	}
	items, err := d.DB.ShopItems(ctx, a.DistributorID, 0, 100)
	if err != nil || len(items) == 0 {
		return a, nil, fmt.Errorf("%s's shop items: %d, %v", seller, len(items), err)
	}
	for i := range items {
		if len(items[i].SKUs) > 1 {
			return a, &items[i], nil
		}
	}
	return a, &items[0], nil
}

// sellerTree is the operator's view of the seller's place in the network.
func sellerTree(ctx context.Context, d *demoData) (string, error) {
	a, err := d.actor(ctx, seller)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("/ops/distributors/%d/tree", a.DistributorID), nil
}

// shareLanding is the seller's share link of its product.
func shareLanding(ctx context.Context, d *demoData) (string, error) {
	a, item, err := d.shownProduct(ctx)
	if err != nil {
		return "", err
	}
	l, err := d.DB.ShareLink(ctx, a, item.ProductID, store.ChannelLink)
	if err != nil {
		return "", err
	}
	return "/s/" + l.Code, nil
}

// productPage is the product in the seller's shop.
func productPage(ctx context.Context, d *demoData) (string, error) {
	a, item, err := d.shownProduct(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("/shop/%d/p/%d", a.DistributorID, item.ProductID), nil
}

// posterPage is the seller's poster of the product, its links made.
func posterPage(ctx context.Context, d *demoData) (string, error) {
	a, item, err := d.shownProduct(ctx)
	if err != nil {
		return "", err
	}
	for _, ch := range []string{store.ChannelLink, store.ChannelPoster} {
		if _, err := d.DB.ShareLink(ctx, a, item.ProductID, ch); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("/centre/share/%d", item.ProductID), nil
}

// parcelOrder is an order of the customer with a parcel on its way, else
// one whose parcels arrived.
func parcelOrder(ctx context.Context, d *demoData) (string, error) {
	a, err := d.actor(ctx, customer)
	if err != nil {
		return "", err
	}
	for _, stage := range []store.OrderStage{store.StageToReceive, store.StageDone} {
		list, err := d.DB.CustomerOrders(ctx, a, store.CustomerOrderFilter{Stage: stage, Limit: 1})
		if err != nil {
			return "", err
		}
		if len(list) > 0 {
			return fmt.Sprintf("/orders/%d", list[0].ID), nil
		}
	}
	return "", fmt.Errorf("%s has no order with parcels", customer)
}

// shipTo is where the customer's parcels go: its default address in the
// screenshots.
var shipTo = order.ShipTo{Name: "Wang Fang 王芳", Phone: "+8613900139000", RegionCode: "CN.31.01.15",
	Address: "Century Avenue 100, Room 301 世纪大道 100 号 301 室"}

// cartPage fills the customer's cart with one product of each of two
// suppliers that ship to its address (the same each run) and shows it.
func cartPage(ctx context.Context, d *demoData) (string, error) {
	a, err := d.actor(ctx, customer)
	if err != nil {
		return "", err
	}
	items, err := d.DB.RetailItems(ctx, store.ProductFilter{Limit: 100})
	if err != nil {
		return "", err
	}
	owner := store.CartOwner{AccountID: a.AccountID}
	suppliers := map[int64]bool{}
	for _, it := range items {
		if suppliers[it.SupplierID] || len(suppliers) == 2 || len(it.SKUs) == 0 {
			continue
		}
		qty := int64(len(suppliers) + 1)
		in := order.CheckoutInput{Items: []order.Item{{SKUID: it.SKUs[0].ID, Quantity: qty}}, ShipTo: shipTo}
		if _, err := d.DB.Quote(ctx, a, in); err != nil {
			continue // not in stock for the address
		}
		if err := d.DB.SetCartQuantity(ctx, a, owner, it.SKUs[0].ID, qty); err != nil {
			return "", err
		}
		suppliers[it.SupplierID] = true
	}
	if len(suppliers) < 2 {
		return "", fmt.Errorf("the demo catalog has no two suppliers with stock for %s", shipTo.RegionCode)
	}
	return "/cart", nil
}

// checkoutPage is checkout of that cart, to the customer's default
// address (saved the first time).
func checkoutPage(ctx context.Context, d *demoData) (string, error) {
	if _, err := cartPage(ctx, d); err != nil {
		return "", err
	}
	a, err := d.actor(ctx, customer)
	if err != nil {
		return "", err
	}
	list, err := d.DB.Addresses(ctx, a)
	if err != nil {
		return "", err
	}
	if len(list) == 0 {
		_, err = d.DB.SaveAddress(ctx, a, store.Address{Name: shipTo.Name, Phone: shipTo.Phone, RegionCode: shipTo.RegionCode, Address: shipTo.Address})
		if err != nil {
			return "", err
		}
	}
	return "/checkout", nil
}

// supplierProduct is the supplier's page of its first product, at its pictures.
func supplierProduct(ctx context.Context, d *demoData) (string, error) {
	a, err := d.actor(ctx, supplier)
	if err != nil {
		return "", err
	}
	ps, err := d.DB.Products(ctx, a, store.ProductFilter{SupplierID: a.SupplierID, Limit: 1})
	if err != nil || len(ps) == 0 {
		return "", fmt.Errorf("%s's products: %d, %v", supplier, len(ps), err)
	}
	return fmt.Sprintf("/sup/products/%d#pictures", ps[0].ID), nil
}
