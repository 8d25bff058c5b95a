package store_test

import (
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestUnitEarningsEqualBooked: what the preview says a unit earns at a price
// is, to the cent, the tier-1 commission and markup checkout snapshots and
// payment books for one unit sold at that price, whatever the rules' source
// (program rate, the seller's grade, a SKU's fixed amount).
func TestUnitEarningsEqualBooked(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p, err := db.CreateProduct(w.ctx, w.a, &catalog.Product{Title: "Tea", OnSale: true, SKUs: []catalog.SKU{
			{Code: "T-1", RetailPrice: 3333, PriceCeiling: amount(4999), OnSale: true},
			{Code: "T-2", RetailPrice: 1999, PriceCeiling: amount(2500), OnSale: true, Commission: overrideFixed(150)},
			{Code: "T-3", RetailPrice: 1000, OnSale: true},
		}})
		if err != nil {
			t.Fatal(err)
		}
		stock := map[int64]int64{}
		for _, k := range p.SKUs {
			stock[k.ID] = 100
		}
		w.warehouse(w.a, "Main", 0, []string{"CN"}, stock)
		if _, _, err := db.PutShop(w.ctx, w.sellerActor, store.ShopInput{Name: "Leaf"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddShopItem(w.ctx, w.sellerActor, p.ID); err != nil {
			t.Fatal(err)
		}
		w.bind(w.cust, w.seller)

		check := func(what string, sku int64, price money.Amount) {
			t.Helper()
			prev, err := db.UnitEarnings(w.ctx, w.sellerActor, []store.PriceQuote{{SKUID: sku, Price: price}})
			if err != nil {
				t.Fatalf("%s: preview: %v", what, err)
			}
			if _, err := db.SetShopPrice(w.ctx, w.sellerActor, sku, prev[0].Price); err != nil {
				t.Fatalf("%s: set price: %v", what, err)
			}
			o := w.checkout(w.cust, cart("CN.31.01.15", order.Item{SKUID: sku, Quantity: 1}), "")
			w.payOrder(o)
			got := map[commission.PartyKind]money.Amount{}
			for _, s := range w.shares(o.ID) {
				if s.Party.ID == w.seller.ID && (s.Party.Kind == commission.KindMarkup || s.Party.Tier == 1) {
					got[s.Party.Kind] = s.Booked
				}
			}
			if got[commission.KindTier] != prev[0].Commission || got[commission.KindMarkup] != prev[0].Markup {
				t.Fatalf("%s: preview %+v, booked tier 1 %d and markup %d", what, prev[0], got[commission.KindTier], got[commission.KindMarkup])
			}
			if prev[0].Commission == 0 {
				t.Fatalf("%s: a preview of nothing proves little: %+v", what, prev[0])
			}
		}
		check("retail at the program rate", p.SKUs[0].ID, 0)
		check("marked up", p.SKUs[0].ID, 4111)
		check("at the ceiling", p.SKUs[0].ID, 4999)
		check("a SKU's fixed amount", p.SKUs[1].ID, 2222)

		r := money.Rate(1333)
		g, err := db.CreateGrade(w.ctx, w.op, network.Grade{Name: "Silver", Rank: 1, Tier1Rate: &r})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetGrade(w.ctx, w.op, w.seller.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		check("the seller's grade rate", p.SKUs[0].ID, 3777)

		e, err := db.UnitEarnings(w.ctx, w.sellerActor, []store.PriceQuote{{SKUID: p.SKUs[0].ID}, {SKUID: p.SKUs[2].ID}})
		if err != nil {
			t.Fatal(err)
		}
		if e[0].Retail != 3333 || e[0].MaxPrice != 4999 || e[0].Price != 3333 || e[0].Markup != 0 || e[0].Commission != 444 {
			t.Fatalf("at retail with a 13.33%% grade: %+v", e[0])
		}
		if e[1].MaxPrice != 1000 || e[1].Total() != 133 {
			t.Fatalf("no ceiling: %+v", e[1])
		}

		for _, tc := range []struct {
			name  string
			who   account.Actor
			q     store.PriceQuote
			code  errs.Code
			field string
		}{
			{"above the ceiling", w.sellerActor, store.PriceQuote{SKUID: p.SKUs[0].ID, Price: 5000}, errs.Invalid, "price"},
			{"below retail", w.sellerActor, store.PriceQuote{SKUID: p.SKUs[0].ID, Price: 3332}, errs.Invalid, "price"},
			{"no ceiling", w.sellerActor, store.PriceQuote{SKUID: p.SKUs[2].ID, Price: 1001}, errs.Invalid, "price"},
			{"no such SKU", w.sellerActor, store.PriceQuote{SKUID: 999999}, errs.Invalid, "sku_id"},
			{"a customer", w.cust, store.PriceQuote{SKUID: p.SKUs[0].ID}, errs.Forbidden, ""},
			{"anonymous", account.Actor{}, store.PriceQuote{SKUID: p.SKUs[0].ID}, errs.Unauthorized, ""},
		} {
			_, err := db.UnitEarnings(w.ctx, tc.who, []store.PriceQuote{tc.q})
			if errs.CodeOf(err) != tc.code || errs.FieldOf(err) != tc.field {
				t.Errorf("%s: got %v, want %s on %q", tc.name, err, tc.code, tc.field)
			}
		}
	})
}

// shares lists the share records of an order, as an operator sees them.
func (w *shopWorld) shares(orderID int64) []store.ShareRecord {
	w.t.Helper()
	out, err := w.db.Commissions(w.ctx, w.op, store.CommissionFilter{OrderID: orderID, Limit: 200})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}
