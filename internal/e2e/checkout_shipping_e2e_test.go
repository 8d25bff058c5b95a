package e2e

import (
	"testing"

	"sharemall/internal/money"
	"sharemall/internal/shipping"
	"sharemall/internal/store"
)

// A customer in Hangzhou checks out a cart of two suppliers' goods: the
// tea's supplier charges by piece, less in Zhejiang, so its parcel shows
// 8.00 + 4.00; the cup's supplier ships free above 40.00, which the cup
// reaches. The fee is what is paid and what the order page shows.
func TestCheckoutChargesShippingPerParcel(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		const lang = "en"
		m := newMarket(t, app, lang)
		free := money.Amount(4000)
		teaT, err := app.DB.SaveShippingTemplate(m.ctx, m.teaCo, &shipping.Template{Name: "Tea", Basis: shipping.PerPiece,
			Default: shipping.Rule{FirstUnits: 1, FirstFee: 1200, AdditionalUnits: 1, AdditionalFee: 600},
			Rules:   []shipping.Rule{{Regions: []string{"CN.33"}, FirstUnits: 1, FirstFee: 800, AdditionalUnits: 1, AdditionalFee: 400}}})
		m.must(err)
		m.must(app.DB.SetShippingTemplate(m.ctx, m.teaCo, 0, 0, teaT.ID))
		cupT, err := app.DB.SaveShippingTemplate(m.ctx, m.cupCo, &shipping.Template{Name: "Cups", Basis: shipping.PerPiece, FreeAbove: &free,
			Default: shipping.Rule{FirstUnits: 1, FirstFee: 1000, AdditionalUnits: 1, AdditionalFee: 500}})
		m.must(err)
		m.must(app.DB.SetShippingTemplate(m.ctx, m.cupCo, 0, m.cup.ID, cupT.ID)) // the product's own template

		c := m.person("ann@example.com")
		_, _, err = app.DB.RecordVisit(m.ctx, c, m.link, "")
		m.must(err)
		_, err = app.DB.SaveAddress(m.ctx, c, store.Address{Name: "Ann Lee", Phone: "+8613900139000", RegionCode: "CN.33.01.06", Address: "90 Wensan Road"})
		m.must(err)
		owner := store.CartOwner{AccountID: c.AccountID}
		m.must(app.DB.AddToCart(m.ctx, c, owner, m.tea.SKUs[1].ID, 2))
		m.must(app.DB.AddToCart(m.ctx, c, owner, m.cup.SKUs[1].ID, 1))

		u := app.SignedIn(lang, "ann@example.com", password)
		u.Open("/cart")
		u.Click(Button(T(lang, "cart.checkout") + " (2)"))
		shipping := func(supplier string) string {
			return u.Text(Test("parcel-shipping").In(Test("parcel").With(supplier)))
		}
		if got := shipping(m.names.teaCo); got != "¥12.00" { // 8.00 first piece in Zhejiang + 4.00 the second
			t.Errorf("the tea's parcel ships for %q", got)
		}
		if got := shipping(m.names.cupCo); got != T(lang, "shipping.free_reached") {
			t.Errorf("the cup's parcel (49.00, free above 40.00) ships for %q", got)
		}
		for name, want := range map[string]string{"goods-total": "¥325.00", "shipping": "¥12.00", "to-pay": "¥337.00"} {
			if got := u.Text(Test(name)); got != want {
				t.Errorf("checkout's %s is %q, want %q", name, got, want)
			}
		}

		u.Click(Button(T(lang, "checkout.place")))
		u.See("337.00 CNY") // the sandbox asks for goods and fees
		u.Click(Button("Pay"))
		o := m.orderShown(u)
		u.See(T(lang, "orders.notice.paid"))
		if got := u.Text(Test("shipping")); got != "¥12.00" {
			t.Errorf("the order page's shipping is %q", got)
		}
		if got := u.Text(Test("total")); got != "¥337.00" {
			t.Errorf("the order page's total is %q", got)
		}
		if o.Shipping != 1200 || o.Total != 33700 || m.parcelOf(o, m.teaCo).ShippingFee != 1200 || m.parcelOf(o, m.cupCo).ShippingFee != 0 {
			t.Errorf("the order in the store: shipping %d, total %d, parcels %+v", o.Shipping, o.Total, o.Fulfilments)
		}
	})
}
