package store_test

import (
	"strings"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/payment"
	"sharemall/internal/shipping"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// shipWorld: supplier A sells Tea (10.00) under its default template, per
// piece, free from 200.00, cheaper in Guangdong and cheaper still in
// Shenzhen; supplier B sells a Cup (20.00, 700 g) under a per-weight
// template named on the product. Each has one warehouse serving CN, so a
// cart of both is two parcels. The customer is bound to the seller, so
// tiers 1 and 2 earn on every line.
type shipWorld struct {
	*shopWorld
	tea, cup   int64 // SKUs
	cupProduct int64
	wa, wb     int64 // warehouses
	ta, tb     *shipping.Template
}

func piece(first, firstFee, add, addFee int64, regions ...string) shipping.Rule {
	return shipping.Rule{Regions: regions, FirstUnits: first, FirstFee: money.Amount(firstFee), AdditionalUnits: add, AdditionalFee: money.Amount(addFee)}
}

func newShipWorld(t *testing.T, db *store.DB) *shipWorld {
	t.Helper()
	w := &shipWorld{shopWorld: newShopWorld(t, db)}
	pa := w.product(w.a, "Tea", [2]int64{1000, 0})
	pb := w.product(w.b, "Cup", [2]int64{2000, 0})
	w.tea, w.cup, w.cupProduct = pa.SKUs[0].ID, pb.SKUs[0].ID, pb.ID
	w.wa = w.warehouse(w.a, "A-CN", 0, []string{"CN"}, map[int64]int64{w.tea: 100})
	w.wb = w.warehouse(w.b, "B-CN", 0, []string{"CN"}, map[int64]int64{w.cup: 100})
	var err error
	w.ta, err = db.SaveShippingTemplate(w.ctx, w.a, &shipping.Template{Name: "Express", Basis: shipping.PerPiece, FreeAbove: amount(20000),
		Default: piece(1, 1000, 1, 500), Rules: []shipping.Rule{piece(1, 800, 1, 300, "CN.44"), piece(2, 600, 2, 200, "CN.44.03")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetShippingTemplate(w.ctx, w.a, 0, 0, w.ta.ID); err != nil {
		t.Fatal(err)
	}
	w.tb, err = db.SaveShippingTemplate(w.ctx, w.b, &shipping.Template{Name: "Heavy", Basis: shipping.PerWeight,
		Default: piece(1000, 1200, 500, 400)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetShippingTemplate(w.ctx, w.b, 0, w.cupProduct, w.tb.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSKUWeight(w.ctx, w.b, w.cup, 700); err != nil {
		t.Fatal(err)
	}
	w.bind(w.cust, w.seller)
	return w
}

func (w *shipWorld) quote(in order.CheckoutInput) *store.Quote {
	w.t.Helper()
	q, err := w.db.Quote(w.ctx, w.cust, in)
	if err != nil {
		w.t.Fatal(err)
	}
	return q
}

func (w *shipWorld) balance(code string) money.Amount {
	w.t.Helper()
	b, err := w.db.Balance(w.ctx, code)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

// Templates by region and by weight, free-above, two parcels with two
// fees; the customer pays goods + fees, each fee is booked to its
// supplier's pending account and no commission is computed on it; the
// order keeps its fees when the template changes.
func TestShippingFeesAtCheckout(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShipWorld(t, db)
		in := cart("CN.44.03.05", order.Item{SKUID: w.tea, Quantity: 3}, order.Item{SKUID: w.cup, Quantity: 2})
		q := w.quote(in)
		// Tea to Shenzhen: 6.00 for the first 2, 2.00 for each next 2 or part (1).
		// Cup: 1400 g: 12.00 for the first 1000 g, 4.00 for the next 500 g (400 of them).
		if q.GoodsTotal != 7000 || q.Shipping != 2400 || q.Total != 9400 || len(q.Parcels) != 2 ||
			q.Parcels[0].Shipping.Amount != 800 || q.Parcels[1].Shipping.Amount != 1600 {
			t.Fatalf("quote %+v", q)
		}
		if p := q.Parcels[0].Shipping.Parts[0]; p.Region != "CN.44.03" || p.Units != 3 || !p.FirstPiece {
			t.Fatalf("tea part %+v", p)
		}
		// Elsewhere in Guangdong the province rule, elsewhere the default.
		if q := w.quote(cart("CN.44.01.03", order.Item{SKUID: w.tea, Quantity: 3})); q.Shipping != 800+2*300 {
			t.Fatalf("Guangzhou %d", q.Shipping)
		}
		if q := w.quote(cart("CN.11.01.01", order.Item{SKUID: w.tea, Quantity: 3})); q.Shipping != 1000+2*500 {
			t.Fatalf("Beijing %d", q.Shipping)
		}
		// Free from 200.00 of goods in the parcel.
		if q := w.quote(cart("CN.11.01.01", order.Item{SKUID: w.tea, Quantity: 20}, order.Item{SKUID: w.cup, Quantity: 1})); q.Shipping != 1200 ||
			q.Parcels[0].Shipping.Amount != 0 || !q.Parcels[0].Shipping.Parts[0].Free {
			t.Fatalf("free above %+v", q.Parcels)
		}

		o := w.checkout(w.cust, in, "")
		if o.Shipping != 2400 || o.Total != 9400 || o.GoodsTotal != 7000 || len(o.Fulfilments) != 2 ||
			o.Fulfilments[0].ShippingFee != 800 || o.Fulfilments[1].ShippingFee != 1600 || o.Fulfilments[0].ShippingBasis == nil {
			t.Fatalf("order %+v %+v", o, o.Fulfilments)
		}
		w.payOrder(o) // the payment must be 94.00: ApplyPayment refuses another amount
		lt, lc := o.Lines[0], o.Lines[1]
		share := func(line int64, party string) int64 {
			return w.int(`SELECT amount FROM commission_shares WHERE line_id = ? AND party = ?`, line, party)
		}
		// The commission base is the goods only: 10% and 5% of 30.00 and 40.00.
		if lt.Base != 3000 || lc.Base != 4000 || share(lt.ID, "tier1:"+itoa(w.seller.ID)) != 300 || share(lc.ID, "tier1:"+itoa(w.seller.ID)) != 400 ||
			share(lt.ID, "tier2:"+itoa(w.mid.ID)) != 150 || share(lc.ID, "tier2:"+itoa(w.mid.ID)) != 200 {
			t.Fatalf("commissions on lines %+v %+v", lt, lc)
		}
		if got := w.balance("supplier_pending:" + itoa(w.supA.ID)); got != money.Amount(share(lt.ID, "supplier:"+itoa(w.supA.ID)))+800 {
			t.Fatalf("supplier A pending %d", got)
		}
		if got := w.balance("supplier_pending:" + itoa(w.supB.ID)); got != money.Amount(share(lc.ID, "supplier:"+itoa(w.supB.ID)))+1600 {
			t.Fatalf("supplier B pending %d", got)
		}
		if got := w.balance("clearing"); got != -9400 {
			t.Fatalf("clearing %d", got)
		}
		w.checkLedger()

		// A template changed later changes no placed order, only new quotes.
		w.ta.Default, w.ta.Rules = piece(1, 5000, 1, 5000), nil
		if _, err := db.SaveShippingTemplate(w.ctx, w.a, w.ta); err != nil {
			t.Fatal(err)
		}
		got, err := db.Order(w.ctx, w.cust, o.ID)
		if err != nil || got.Shipping != 2400 || got.Total != 9400 || got.Fulfilments[0].ShippingFee != 800 ||
			got.Fulfilments[0].ShippingBasis.Parts[0].Rule.FirstFee != 600 {
			t.Fatalf("after the template changed %+v %v", got, err)
		}
		if q := w.quote(cart("CN.44.03.05", order.Item{SKUID: w.tea, Quantity: 1})); q.Shipping != 5000 {
			t.Fatalf("new quote %d", q.Shipping)
		}
		w.checkLedger()
	})
}

// Refunding every line of a parcel gives its fee back; a partial refund
// of the other parcel keeps its fee, which settles to the supplier's
// payable with the parcel's lines. The ledger check proves every step.
func TestShippingParcelRefund(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShipWorld(t, db)
		sandbox := &payment.Sandbox{Secret: []byte("s")}
		o := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: w.tea, Quantity: 3}, order.Item{SKUID: w.cup, Quantity: 2}), "")
		w.payOrder(o)
		lt, lc := o.Lines[0], o.Lines[1]
		refund := func(line, qty int64) *store.AfterSaleCase {
			t.Helper()
			c, err := db.OpenCase(w.ctx, w.cust, line, store.RefundOnly, qty, "broken")
			if err != nil {
				t.Fatal(err)
			}
			approver := w.a
			if line == lc.ID {
				approver = w.b
			}
			if c, err = db.DecideCase(w.ctx, approver, c.ID, true, "sorry", sandbox); err != nil || c.Status != store.CaseRefunded {
				t.Fatalf("%+v %v", c, err)
			}
			return c
		}
		pay := func() *store.Payment {
			p, err := db.PaymentByRef(w.ctx, "sandbox", "ref-"+itoa(o.ID))
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		// One tea of three: the fee stays.
		refund(lt.ID, 1)
		if p := pay(); p.RefundedAmount != 1000 {
			t.Fatalf("after a partial refund the payment shows %d back", p.RefundedAmount)
		}
		if n := w.int(`SELECT amount FROM parcel_fees WHERE fulfilment_id = ?`, lt.FulfilmentID); n != 800 {
			t.Fatalf("tea parcel fee left %d", n)
		}
		w.checkLedger()
		// Both cups, the whole parcel: 40.00 of goods and its 16.00 fee.
		refund(lc.ID, 2)
		if p := pay(); p.RefundedAmount != 1000+4000+1600 {
			t.Fatalf("after the parcel's refund the payment shows %d back", p.RefundedAmount)
		}
		if got := w.balance("supplier_pending:" + itoa(w.supB.ID)); got != 0 {
			t.Fatalf("supplier B pending %d after its whole parcel was refunded", got)
		}
		if n := w.int(`SELECT amount FROM parcel_fees WHERE fulfilment_id = ?`, lc.FulfilmentID); n != 0 {
			t.Fatalf("cup parcel fee left %d", n)
		}
		w.checkLedger()
		// The tea parcel settles: its fee moves to supplier A's payable with the line.
		supplierShare := money.Amount(w.int(`SELECT amount FROM commission_shares WHERE line_id = ? AND party = ?`, lt.ID, "supplier:"+itoa(w.supA.ID)))
		if n, err := db.SettleLines(w.ctx, "CNY", []int64{lt.ID}); err != nil || n != 1 {
			t.Fatalf("settled %d, %v", n, err)
		}
		if p, a := w.balance("supplier_pending:"+itoa(w.supA.ID)), w.balance("supplier_payable:"+itoa(w.supA.ID)); p != 0 || a != supplierShare+800 {
			t.Fatalf("supplier A pending %d payable %d, want 0 and %d", p, a, supplierShare+800)
		}
		w.checkLedger()
		if n, err := db.SettleLines(w.ctx, "CNY", []int64{lt.ID}); err != nil || n != 0 {
			t.Fatalf("settled again %d, %v", n, err)
		}
		if n := w.int(`SELECT COUNT(*) FROM journals WHERE idempotency_key LIKE 'settle:parcel:%'`); n != 1 {
			t.Fatalf("%d parcel settlements", n)
		}
		w.checkLedger()
	})
}

// Every wrong template is refused by field and changes nothing; another
// supplier's template can be neither read, changed nor used.
func TestShippingTemplateRefused(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShipWorld(t, db)
		for _, tc := range []struct {
			field  string
			change func(*shipping.Template)
		}{
			{"rules[0].regions[0]", func(t *shipping.Template) { t.Rules = []shipping.Rule{piece(1, 1, 1, 1, "CN.99")} }},
			{"rules[1].regions[0]", func(t *shipping.Template) {
				t.Rules = []shipping.Rule{piece(1, 1, 1, 1, "CN.44"), piece(1, 1, 1, 1, "CN.44")}
			}},
			{"rules[0].regions[1]", func(t *shipping.Template) { t.Rules = []shipping.Rule{piece(1, 1, 1, 1, "CN.44", "CN.98")} }},
			{"default.first_fee", func(t *shipping.Template) { t.Default.FirstFee = -1 }},
			{"rules[0].additional_fee", func(t *shipping.Template) { t.Rules = []shipping.Rule{piece(1, 1, 1, -1, "CN.44")} }},
			{"free_above", func(t *shipping.Template) { t.FreeAbove = amount(-1) }},
			{"basis", func(t *shipping.Template) { t.Basis = "volume" }},
		} {
			tmpl := &shipping.Template{Name: "New", Basis: shipping.PerPiece, Default: piece(1, 100, 1, 100)}
			tc.change(tmpl)
			_, err := db.SaveShippingTemplate(w.ctx, w.a, tmpl)
			wantCode(t, err, errs.Invalid, tc.field)
		}
		_, err := db.SaveShippingTemplate(w.ctx, w.a, &shipping.Template{Name: "Express", Basis: shipping.PerPiece, Default: piece(1, 1, 1, 1)})
		wantCode(t, err, errs.Conflict, "name")
		list, def, err := db.ShippingTemplates(w.ctx, w.a, 0)
		if err != nil || len(list) != 1 || def != w.ta.ID {
			t.Fatalf("templates %+v default %d, %v", list, def, err)
		}
		// Supplier B can neither read nor change A's template, nor use it.
		_, err = db.ShippingTemplate(w.ctx, w.b, w.ta.ID)
		wantCode(t, err, errs.NotFound, "")
		changed := *w.ta
		changed.Name = "Mine"
		_, err = db.SaveShippingTemplate(w.ctx, w.b, &changed)
		wantCode(t, err, errs.NotFound, "")
		wantCode(t, db.SetShippingTemplate(w.ctx, w.b, 0, w.cupProduct, w.ta.ID), errs.Invalid, "shipping_template_id")
		wantCode(t, db.SetSKUWeight(w.ctx, w.b, w.cup, -1), errs.Invalid, "weight_grams")
		wantCode(t, db.SetSKUWeight(w.ctx, w.b, w.tea, 5), errs.NotFound, "")
		if got, _ := db.ShippingTemplate(w.ctx, w.a, w.ta.ID); got.Name != "Express" {
			t.Fatalf("changed by another supplier: %+v", got)
		}
	})
}

// The ledger check finds a parcel fee whose books went astray: a fee row
// changed without its journal, an order whose shipping is not its parcels'.
func TestLedgerCheckFindsParcelFeeCorruption(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShipWorld(t, db)
		o := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: w.tea, Quantity: 3}, order.Item{SKUID: w.cup, Quantity: 2}), "")
		w.payOrder(o)
		w.checkLedger()
		problems := func() []string {
			t.Helper()
			ps, err := db.CheckLedger(w.ctx)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, p := range ps {
				out = append(out, p.String())
			}
			return out
		}
		w.exec(`UPDATE parcel_fees SET status = 'settled' WHERE fulfilment_id = ?`, o.Fulfilments[0].ID)
		got := strings.Join(problems(), "\n")
		if !strings.Contains(got, "settle:parcel:"+itoa(o.Fulfilments[0].ID)) || !strings.Contains(got, "supplier_pending:"+itoa(w.supA.ID)) {
			t.Fatalf("a fee settled without its journal: %s", got)
		}
		w.exec(`UPDATE parcel_fees SET status = 'pending' WHERE fulfilment_id = ?`, o.Fulfilments[0].ID)
		w.exec(`UPDATE orders SET shipping = shipping + 1 WHERE id = ?`, o.ID)
		if got := strings.Join(problems(), "\n"); !strings.Contains(got, "order "+itoa(o.ID)+" charges shipping 2401") {
			t.Fatalf("an order's shipping off its parcels': %s", got)
		}
	})
}
