package store_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/payment"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// A markup, a coupon, two suppliers, three tiers and an agent, to the cent;
// then the payment applied once however often its callback comes.
func TestCheckoutPricingAndPayment(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		w.settings(func(s *program.Settings) {
			s.Tiers, s.TierRates, s.AreaRate, s.PlatformRate = 3, []money.Rate{1000, 500, 200}, 100, 50
		})
		pa := w.product(w.a, "Tea", [2]int64{1999, 2499})
		pb := w.product(w.b, "Cup", [2]int64{1000, 0})
		a1, b1 := pa.SKUs[0].ID, pb.SKUs[0].ID
		wa := w.warehouse(w.a, "A-CN", 0, []string{"CN"}, map[int64]int64{a1: 5})
		wb := w.warehouse(w.b, "B-CN", 0, []string{"CN"}, map[int64]int64{b1: 5})
		w.shopPrice(w.seller, pa.ID, a1, 2299)
		w.coupon(w.seller, "SAVE10", "amount", 1000, 0)
		if _, err := db.GrantArea(w.ctx, w.op, "CN.44", w.x.ID); err != nil {
			t.Fatal(err)
		}
		in := cart("CN.44.03.05", order.Item{SKUID: a1, Quantity: 2}, order.Item{SKUID: b1, Quantity: 1})
		in.CouponCode = "save10"
		o := w.checkout(w.cust, in, "")
		if o.GoodsTotal != 5598 || o.Discount != 1000 || o.Total != 4598 || o.Status != order.Unpaid || o.SellerID != w.seller.ID {
			t.Fatalf("order %+v", o)
		}
		if a := o.Attribution; a.Source != order.FromCoupon || a.DistributorID != w.seller.ID || a.VisitID == 0 || a.CouponCode != "SAVE10" {
			t.Fatalf("attribution %+v", a)
		}
		la, lb := o.Lines[0], o.Lines[1]
		if la.UnitRetail != 1999 || la.UnitPrice != 2299 || la.Markup != 600 || la.Discount != 800 || la.Base != 3198 || la.WarehouseID != wa {
			t.Fatalf("line a %+v", la)
		}
		if lb.UnitPrice != 1000 || lb.Markup != 0 || lb.Discount != 200 || lb.Base != 800 || lb.WarehouseID != wb {
			t.Fatalf("line b %+v", lb)
		}
		s := la.Snapshot
		if s.SellerID != w.seller.ID || !slices.Equal(s.Upline, []int64{w.mid.ID, w.root.ID}) || len(s.Rules) != 3 ||
			s.Rules[2].Rate != 200 || s.Agent == nil || s.Agent.DistributorID != w.x.ID || s.Agent.Rate != 100 || s.PlatformRate != 50 || s.Cap != 3000 {
			t.Fatalf("snapshot %+v", s)
		}
		if len(o.Fulfilments) != 2 || o.Fulfilments[0].Status != order.FulfilmentPending || o.Fulfilments[0].SupplierID == o.Fulfilments[1].SupplierID {
			t.Fatalf("fulfilments %+v", o.Fulfilments)
		}
		if h, r := w.stock(wa, a1); h != 5 || r != 2 {
			t.Fatalf("stock %d/%d", h, r)
		}
		if n := w.int(`SELECT used FROM coupons WHERE code = 'SAVE10'`); n != 1 {
			t.Fatalf("coupon used %d", n)
		}

		p, err := db.StartPayment(w.ctx, w.cust, o.ID, "sandbox", "ref-1")
		if err != nil || p.Amount != 4598 || p.Status != "pending" {
			t.Fatalf("%+v %v", p, err)
		}
		_, err = db.StartPayment(w.ctx, w.sellerActor, o.ID, "sandbox", "ref-x")
		wantCode(t, err, errs.Forbidden, "")
		// A wrong amount is refused and changes nothing.
		_, _, err = db.ApplyPayment(w.ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: "ref-1", Amount: 4599, Currency: "CNY", Payload: "{}"})
		wantCode(t, err, errs.Invalid, "amount")
		_, _, err = db.ApplyPayment(w.ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: "nope", Amount: 4598, Currency: "CNY", Payload: "{}"})
		wantCode(t, err, errs.NotFound, "provider_ref")
		if got, _ := db.Order(w.ctx, w.cust, o.ID); got.Status != order.Unpaid || w.int(`SELECT COUNT(*) FROM commission_lines`) != 0 {
			t.Fatal("a refused callback changed the order")
		}
		for i := range 100 {
			out, _, err := db.ApplyPayment(w.ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: "ref-1", Amount: 4598, Currency: "CNY", Payload: "{}"})
			want := store.OutcomeDuplicate
			if i == 0 {
				want = store.OutcomeApplied
			}
			if err != nil || out != want {
				t.Fatalf("delivery %d: %s %v", i, out, err)
			}
		}
		got, err := db.Order(w.ctx, w.cust, o.ID)
		if err != nil || got.Status != order.Paid || got.PaidAt == nil || got.Fulfilments[0].Status != order.FulfilmentReleased {
			t.Fatalf("%+v %v", got, err)
		}
		if h, r := w.stock(wa, a1); h != 3 || r != 0 {
			t.Fatalf("stock after payment %d/%d", h, r)
		}
		share := func(lineID int64, party string) int64 {
			return w.int(`SELECT amount FROM commission_shares WHERE line_id = ? AND party = ?`, lineID, party)
		}
		for party, want := range map[string]int64{
			fmt.Sprintf("tier1:%d", w.seller.ID): 319, fmt.Sprintf("tier2:%d", w.mid.ID): 159, fmt.Sprintf("tier3:%d", w.root.ID): 63,
			fmt.Sprintf("agent:%d", w.x.ID): 31, "platform": 15, fmt.Sprintf("supplier:%d", w.supA.ID): 2611,
			fmt.Sprintf("markup:%d", w.seller.ID): 600,
		} {
			if got := share(la.ID, party); got != want {
				t.Errorf("line a %s: %d, want %d", party, got, want)
			}
		}
		if got := share(lb.ID, fmt.Sprintf("supplier:%d", w.supB.ID)); got != 652 {
			t.Errorf("line b supplier %d", got)
		}
		if n := w.int(`SELECT COUNT(*) FROM commission_lines`); n != 2 {
			t.Fatalf("%d commission lines", n)
		}
		outs, err := db.CallbackOutcomes(w.ctx, w.op, "sandbox", "ref-1")
		if err != nil || len(outs) != 101 || outs[0] != store.OutcomeBadAmount || outs[1] != store.OutcomeApplied || outs[100] != store.OutcomeDuplicate {
			t.Fatalf("outcomes %d %v", len(outs), err)
		}

		// Twenty concurrent deliveries of another order's callback: one applies.
		// The coupon bound the customer to the seller, so its price applies.
		o2 := w.checkout(w.cust, cart("CN.11.01.05", order.Item{SKUID: a1, Quantity: 1}), "")
		if o2.Attribution.Source != order.FromBinding || o2.Total != 2299 {
			t.Fatalf("second order %+v", o2)
		}
		if _, err := db.StartPayment(w.ctx, w.cust, o2.ID, "sandbox", "ref-2"); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		applied := 0
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				out, _, err := db.ApplyPayment(w.ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: "ref-2", Amount: o2.Total, Currency: "CNY", Payload: "{}"})
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				if out == store.OutcomeApplied {
					applied++
				}
			})
		}
		wg.Wait()
		if h, r := w.stock(wa, a1); applied != 1 || h != 2 || r != 0 {
			t.Fatalf("applied %d, stock %d/%d", applied, h, r)
		}

		// A payment for a cancelled order is recorded and owed back; its
		// refund, once made, shows on it.
		o3 := w.checkout(w.cust, cart("CN.11.01.05", order.Item{SKUID: a1, Quantity: 1}), "")
		if _, err := db.StartPayment(w.ctx, w.cust, o3.ID, "sandbox", "ref-3"); err != nil {
			t.Fatal(err)
		}
		w.exec(`UPDATE orders SET status = 'cancelled' WHERE id = ?`, o3.ID)
		out, p3, err := db.ApplyPayment(w.ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: "ref-3", Amount: o3.Total, Currency: "CNY", Payload: "{}"})
		if err != nil || out != store.OutcomeLatePayment || p3.Status != store.PaymentRefundDue {
			t.Fatalf("%s %+v %v", out, p3, err)
		}
		if e, err := db.RunEffect(w.ctx, store.PaymentRefundKey(p3.ID), store.RefundersOf(&payment.Sandbox{})); err != nil || e.Status != store.EffectDone {
			t.Fatalf("refund %+v %v", e, err)
		}
		if p3, err = db.PaymentByRef(w.ctx, "sandbox", "ref-3"); err != nil || p3.Status != store.PaymentRefunded || p3.RefundedAmount != o3.Total || p3.RefundedAt == nil {
			t.Fatalf("refunded %+v %v", p3, err)
		}
		if h, r := w.stock(wa, a1); h != 2 || r != 1 {
			t.Fatalf("late payment moved stock: %d/%d", h, r)
		}
		_, err = db.StartPayment(w.ctx, w.cust, o3.ID, "sandbox", "ref-4")
		wantCode(t, err, errs.Conflict, "status")
	})
}

// Routing: most specific covering area with the stock, then priority, then id.
func TestCheckoutRouting(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{500, 0})
		sku := p.SKUs[0].ID
		wCN := w.warehouse(w.a, "cn", 9, []string{"CN"}, map[int64]int64{sku: 10})
		w.warehouse(w.a, "gd-low", 0, []string{"CN.44"}, map[int64]int64{sku: 10})
		wHigh := w.warehouse(w.a, "gd-high", 1, []string{"CN.44"}, map[int64]int64{sku: 10})
		wSZ := w.warehouse(w.a, "sz", 0, []string{"CN.44.03"}, map[int64]int64{sku: 1})
		w.warehouse(w.b, "other", 99, []string{"CN.44.03.05"}, nil)
		route := func(region string, q int64) int64 {
			t.Helper()
			return w.checkout(w.cust, cart(region, order.Item{SKUID: sku, Quantity: q}), "").Lines[0].WarehouseID
		}
		if got := route("CN.44.03.05", 2); got != wHigh {
			t.Fatalf("2 units went to %d, want the higher priority province warehouse %d", got, wHigh)
		}
		if got := route("CN.44.03.05", 1); got != wSZ {
			t.Fatalf("1 unit went to %d, want the city warehouse %d", got, wSZ)
		}
		if got := route("CN.11.01.05", 1); got != wCN {
			t.Fatalf("went to %d, want %d", got, wCN)
		}
		before := w.int(`SELECT SUM(reserved) FROM stock`)
		_, err := db.Checkout(w.ctx, w.cust, cart("CN.44.03.05", order.Item{SKUID: sku, Quantity: 11}), "")
		wantCode(t, err, errs.Conflict, "items[0].sku_id")
		if after := w.int(`SELECT SUM(reserved) FROM stock`); after != before || w.int(`SELECT COUNT(*) FROM orders`) != 3 {
			t.Fatal("a refused checkout changed stock or orders")
		}
	})
}

// A seller without sponsor, two tiers, no agent; attribution by binding.
func TestCheckoutSnapshotBinding(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{1000, 1500})
		sku := p.SKUs[0].ID
		w.warehouse(w.a, "cn", 0, []string{"CN"}, map[int64]int64{sku: 10})
		w.shopPrice(w.root, p.ID, sku, 1600) // above the ceiling now: retail applies
		w.bind(w.cust, w.root)
		o := w.checkout(w.cust, cart("CN.11.01.05", order.Item{SKUID: sku, Quantity: 1}), "")
		s := o.Lines[0].Snapshot
		if o.Attribution.Source != order.FromBinding || s.SellerID != w.root.ID || len(s.Upline) != 0 || s.Agent != nil || len(s.Rules) != 2 || s.Rules[0].Rate != 1000 {
			t.Fatalf("attribution %+v snapshot %+v", o.Attribution, s)
		}
		if o.Lines[0].UnitPrice != 1000 || o.Total != 1000 {
			t.Fatalf("line %+v", o.Lines[0])
		}
		// The seller buying from itself: no seller, no markup.
		w.shopPrice(w.seller, p.ID, sku, 1200)
		w.bind(w.sellerActor, w.seller)
		o = w.checkout(w.sellerActor, cart("CN.11.01.05", order.Item{SKUID: sku, Quantity: 1}), "")
		if o.SellerID != 0 || o.Attribution.Source != order.FromNone || o.Total != 1000 {
			t.Fatalf("self purchase %+v", o)
		}
		// Later rule changes do not change the order.
		w.settings(func(s *program.Settings) { s.TierRates = []money.Rate{500, 100} })
		got, err := db.Order(w.ctx, w.cust, o.ID-1)
		if err != nil || got.Lines[0].Snapshot.Rules[0].Rate != 1000 {
			t.Fatalf("%+v %v", got, err)
		}
	})
}

func TestCheckoutRefused(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{1000, 0})
		sku := p.SKUs[0].ID
		w.warehouse(w.a, "cn", 0, []string{"CN"}, map[int64]int64{sku: 10})
		w.coupon(w.seller, "ONCE", "percent", 1000, 1)
		w.coupon(w.seller, "BIG", "amount", 100, 0)
		w.exec(`UPDATE coupons SET min_order = 5000 WHERE code = 'BIG'`)
		ok := cart("CN.11.01.05", order.Item{SKUID: sku, Quantity: 1})
		withCoupon := func(c string) order.CheckoutInput { in := ok; in.CouponCode = c; return in }
		for _, c := range []struct {
			name  string
			who   account.Actor
			in    order.CheckoutInput
			code  errs.Code
			field string
		}{
			{"anonymous", account.Actor{}, ok, errs.Unauthorized, ""},
			{"supplier only", w.op, ok, errs.Forbidden, ""},
			{"quantity", w.cust, cart("CN.11.01.05", order.Item{SKUID: sku, Quantity: 0}), errs.Invalid, "items[0].quantity"},
			{"unknown sku", w.cust, cart("CN.11.01.05", order.Item{SKUID: 999, Quantity: 1}), errs.Invalid, "items[0].sku_id"},
			{"unknown region", w.cust, cart("CN.99", order.Item{SKUID: sku, Quantity: 1}), errs.Invalid, "ship_to.region_code"},
			{"province", w.cust, cart("CN.44", order.Item{SKUID: sku, Quantity: 1}), errs.Invalid, "ship_to.region_code"},
			{"city with districts", w.cust, cart("CN.44.03", order.Item{SKUID: sku, Quantity: 1}), errs.Invalid, "ship_to.region_code"},
			{"unknown coupon", w.cust, withCoupon("NOPE"), errs.Invalid, "coupon_code"},
			{"min order", w.cust, withCoupon("BIG"), errs.Invalid, "coupon_code"},
			{"own coupon", w.sellerActor, withCoupon("ONCE"), errs.Invalid, "coupon_code"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := db.Checkout(w.ctx, c.who, c.in, "")
				wantCode(t, err, c.code, c.field)
			})
		}
		o := w.checkout(w.cust, withCoupon("once"), "")
		if o.Discount != 100 || o.Total != 900 {
			t.Fatalf("%+v", o)
		}
		_, err := db.Checkout(w.ctx, w.cust, withCoupon("ONCE"), "")
		wantCode(t, err, errs.Invalid, "coupon_code")
		if n := w.int(`SELECT COUNT(*) FROM orders`); n != 1 || w.int(`SELECT SUM(reserved) FROM stock`) != 1 {
			t.Fatalf("refused checkouts left %d orders", n)
		}
	})
}

func TestCheckoutIdempotent(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{1000, 0})
		sku := p.SKUs[0].ID
		wh := w.warehouse(w.a, "cn", 0, []string{"CN"}, map[int64]int64{sku: 10})
		in := cart("CN.11.01.05", order.Item{SKUID: sku, Quantity: 2})
		o1 := w.checkout(w.cust, in, "key-1")
		in2 := in
		in2.ShipTo.Name = "  Li Lei " // the same once normalized
		if o2 := w.checkout(w.cust, in2, "key-1"); o2.ID != o1.ID {
			t.Fatalf("retry made order %d, want %d", o2.ID, o1.ID)
		}
		other := cart("CN.11.01.05", order.Item{SKUID: sku, Quantity: 3})
		_, err := db.Checkout(w.ctx, w.cust, other, "key-1")
		wantCode(t, err, errs.Conflict, "Idempotency-Key")
		if _, r := w.stock(wh, sku); r != 2 {
			t.Fatalf("reserved %d", r)
		}
		// Concurrent retries with one key: one order, reserved once.
		in4 := cart("CN.11.01.05", order.Item{SKUID: sku, Quantity: 1})
		ids := make([]int64, 10)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				o, err := db.Checkout(w.ctx, w.cust, in4, "key-2")
				if err != nil {
					t.Error(err)
					return
				}
				ids[i] = o.ID
			})
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("one key made orders %v", ids)
			}
		}
		if _, r := w.stock(wh, sku); r != 3 {
			t.Fatalf("reserved %d after concurrent retries", r)
		}
		// Keys are per customer.
		if o3 := w.checkout(w.sellerActor, in, "key-1"); o3.ID == o1.ID {
			t.Fatal("another customer's key returned its order")
		}
	})
}

// 50 concurrent checkouts for the last 10 units: exactly 10 succeed.
func TestCheckoutConcurrentLastUnits(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{1000, 0})
		sku := p.SKUs[0].ID
		wh := w.warehouse(w.a, "cn", 0, []string{"CN"}, map[int64]int64{sku: 10})
		var mu sync.Mutex
		ok, conflict := 0, 0
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				_, err := db.Checkout(w.ctx, w.cust, cart("CN.11.01.05", order.Item{SKUID: sku, Quantity: 1}), "")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errs.CodeOf(err) == errs.Conflict && errs.FieldOf(err) == "items[0].sku_id":
					conflict++
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		h, r := w.stock(wh, sku)
		if ok != 10 || conflict != 40 || h != 10 || r != 10 {
			t.Fatalf("ok %d conflict %d stock %d/%d", ok, conflict, h, r)
		}
	})
}

func TestOrderVisibility(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		pa := w.product(w.a, "Tea", [2]int64{1000, 0})
		pb := w.product(w.b, "Cup", [2]int64{500, 0})
		w.warehouse(w.a, "a", 0, []string{"CN"}, map[int64]int64{pa.SKUs[0].ID: 5})
		w.warehouse(w.b, "b", 0, []string{"CN"}, map[int64]int64{pb.SKUs[0].ID: 5})
		w.bind(w.cust, w.seller)
		o := w.checkout(w.cust, cart("CN.11.01.05", order.Item{SKUID: pa.SKUs[0].ID, Quantity: 1}, order.Item{SKUID: pb.SKUs[0].ID, Quantity: 1}), "")
		other := w.account(account.Customer)
		for _, c := range []struct {
			name    string
			who     account.Actor
			lines   int
			address bool
		}{{"customer", w.cust, 2, true}, {"operator", w.op, 2, true}, {"seller", w.sellerActor, 2, false}, {"supplier B", w.b, 1, true}} {
			got, err := db.Order(w.ctx, c.who, o.ID)
			if err != nil || len(got.Lines) != c.lines || (got.ShipTo.Address != "") != c.address || got.AddressHidden == c.address {
				t.Fatalf("%s: %+v %v", c.name, got, err)
			}
			list, err := db.Orders(w.ctx, c.who, order.Filter{})
			if err != nil || len(list) != 1 || list[0].ID != o.ID {
				t.Fatalf("%s list: %v %v", c.name, list, err)
			}
		}
		for _, who := range []account.Actor{other, w.midActor} {
			_, err := db.Order(w.ctx, who, o.ID)
			wantCode(t, err, errs.NotFound, "")
			if list, err := db.Orders(w.ctx, who, order.Filter{}); err != nil || len(list) != 0 {
				t.Fatalf("list %v %v", list, err)
			}
		}
		_, err := db.Order(w.ctx, account.Actor{}, o.ID)
		wantCode(t, err, errs.Unauthorized, "")
	})
}

func TestRegionalAgents(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		_, err := db.GrantArea(w.ctx, w.sellerActor, "CN.44", w.x.ID)
		wantCode(t, err, errs.Forbidden, "")
		_, err = db.GrantArea(w.ctx, w.op, "CN-44", w.x.ID)
		wantCode(t, err, errs.Invalid, "region_code")
		_, err = db.GrantArea(w.ctx, w.op, "CN.99", w.x.ID)
		wantCode(t, err, errs.NotFound, "")
		_, err = db.GrantArea(w.ctx, w.op, "CN.44", 999)
		wantCode(t, err, errs.Invalid, "distributor_id")
		w.exec(`UPDATE distributors SET status = 'suspended' WHERE id = ?`, w.mid.ID)
		_, err = db.GrantArea(w.ctx, w.op, "CN.44", w.mid.ID)
		wantCode(t, err, errs.Invalid, "distributor_id")
		if n := w.int(`SELECT COUNT(*) FROM regional_agents`); n != 0 {
			t.Fatal("refused grants left rows")
		}
		if _, err := db.GrantArea(w.ctx, w.op, "CN.44", w.x.ID); err != nil {
			t.Fatal(err)
		}
		a, err := db.GrantArea(w.ctx, w.op, "CN.44", w.seller.ID) // replaces
		if err != nil || a.DistributorID != w.seller.ID || a.GrantedBy != w.op.AccountID {
			t.Fatalf("%+v %v", a, err)
		}
		if list, err := db.Agents(w.ctx, w.sellerActor); err != nil || len(list) != 1 {
			t.Fatalf("%v %v", list, err)
		}
		if list, err := db.Agents(w.ctx, w.op); err != nil || len(list) != 1 {
			t.Fatalf("%v %v", list, err)
		}
		if n := w.int(`SELECT COUNT(*) FROM audit_log WHERE action = 'region.agent.grant'`); n != 2 {
			t.Fatalf("%d audit lines", n)
		}
		if err := db.RevokeArea(w.ctx, w.op, "CN.44"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.RevokeArea(w.ctx, w.op, "CN.44"), errs.NotFound, "")
		if list, _ := db.Agents(w.ctx, w.op); len(list) != 0 {
			t.Fatal(list)
		}
	})
}
