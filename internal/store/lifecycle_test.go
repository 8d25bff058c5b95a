package store_test

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/jobs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/payment"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// lifeWorld is the shop world with three tiers (10%, 5%, 2%), a 1% regional
// agent and a 0.5% platform fee; supplier A's tea (retail 19.99, ceiling
// 24.99) and supplier B's cup (10.00), stocked for all of China.
type lifeWorld struct {
	*shopWorld
	sandbox *payment.Sandbox
	a1, b1  int64 // SKUs
	pa      int64 // tea product
	refs    int
}

func newLifeWorld(t *testing.T, db *store.DB) *lifeWorld {
	t.Helper()
	w := &lifeWorld{shopWorld: newShopWorld(t, db), sandbox: &payment.Sandbox{Secret: []byte("s")}}
	w.settings(func(s *program.Settings) {
		s.Tiers, s.TierRates, s.AreaRate, s.PlatformRate = 3, []money.Rate{1000, 500, 200}, 100, 50
	})
	pa := w.product(w.a, "Tea", [2]int64{1999, 2499})
	pb := w.product(w.b, "Cup", [2]int64{1000, 0})
	w.pa, w.a1, w.b1 = pa.ID, pa.SKUs[0].ID, pb.SKUs[0].ID
	w.warehouse(w.a, "A-CN", 0, []string{"CN"}, map[int64]int64{w.a1: 100})
	w.warehouse(w.b, "B-CN", 0, []string{"CN"}, map[int64]int64{w.b1: 100})
	return w
}

func (w *lifeWorld) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// pay pays an order through the sandbox's callback path.
func (w *lifeWorld) pay(o *order.Order, cust account.Actor) {
	w.t.Helper()
	w.refs++
	ref := fmt.Sprintf("sbx_life_%d", w.refs)
	_, err := w.db.StartPayment(w.ctx, cust, o.ID, "sandbox", ref)
	w.must(err)
	out, _, err := w.db.ApplyPayment(w.ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: ref, Amount: o.Total, Currency: "CNY", Payload: "{}"})
	if err != nil || out != store.OutcomeApplied {
		w.t.Fatalf("payment: %s %v", out, err)
	}
}

func (w *lifeWorld) supplierOf(id int64) account.Actor {
	if id == w.supA.ID {
		return w.a
	}
	return w.b
}

// deliver ships every fulfilment order of o and has the customer confirm it.
func (w *lifeWorld) deliver(o *order.Order, cust account.Actor) {
	w.t.Helper()
	for _, f := range o.Fulfilments {
		_, err := w.db.ShipFulfilment(w.ctx, w.supplierOf(f.SupplierID), f.ID, "SF Express", fmt.Sprintf("SF%08d", f.ID))
		w.must(err)
	}
	w.clock.Advance(day)
	for _, f := range o.Fulfilments {
		_, err := w.db.ConfirmReceipt(w.ctx, cust, f.ID)
		w.must(err)
	}
}

// refund opens a refund of qty units of l and has its supplier approve it.
func (w *lifeWorld) refund(who account.Actor, l order.Line, qty int64) *store.AfterSaleCase {
	w.t.Helper()
	c, err := w.db.OpenCase(w.ctx, who, l.ID, store.RefundOnly, qty, "broken")
	w.must(err)
	c, err = w.db.DecideCase(w.ctx, w.supplierOf(l.SupplierID), c.ID, true, "sorry", w.sandbox)
	w.must(err)
	if c.Status != store.CaseRefunded {
		w.t.Fatalf("case %+v", c)
	}
	return c
}

func (w *lifeWorld) runner(holder string) *jobs.Runner {
	return &jobs.Runner{DB: w.db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Holder: holder, Batch: 100,
		Lease: time.Minute, Sweeps: jobs.Sweeps(w.db)}
}

// runDue runs the jobs once and checks how many lines they settled.
func (w *lifeWorld) runDue(settled int) {
	w.t.Helper()
	res, err := w.runner("test").RunDue(w.ctx)
	if err != nil || res.Done["settle"] != settled {
		w.t.Fatalf("run-due %+v %v; want %d settled", res, err, settled)
	}
}

// books checks the ledger accounts (suppliers' and the platform's) and the
// distributors' wallets, then that the ledger check finds nothing.
func (w *lifeWorld) books(accounts map[string]money.Amount, wallets map[*network.Distributor]walletView) {
	w.t.Helper()
	b := &books{t: w.t, db: w.db, ctx: w.ctx, op: w.op}
	b.balances(accounts)
	for d, want := range wallets {
		if got := b.wallet(d.ID); got != want {
			w.t.Errorf("wallet of %d = %+v, want %+v", d.ID, got, want)
		}
	}
	if w.t.Failed() {
		w.t.FailNow()
	}
	b.clean()
}

func (w *lifeWorld) status(cust account.Actor, id int64) order.Status {
	w.t.Helper()
	o, err := w.db.Order(w.ctx, cust, id)
	w.must(err)
	return o.Status
}

// One customer's orders from checkout to cash: a shop price, a coupon,
// two suppliers, three tiers and an agent; a refund before settlement,
// settlement by the jobs runner, a withdrawal, a refund after settlement
// that puts the seller into debt, and a later order whose earnings pay it.
// Then a seller without sponsor. Every amount is checked to the cent.
func TestLifecycle(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newLifeWorld(t, db)
		_, err := db.OpenShop(w.ctx, w.sellerActor, store.ShopInput{Name: "Seller's shop"})
		w.must(err)
		_, err = db.AddShopItem(w.ctx, w.sellerActor, w.pa)
		w.must(err)
		_, err = db.SetShopPrice(w.ctx, w.sellerActor, w.a1, 2299)
		w.must(err)
		_, err = db.CreateCoupon(w.ctx, w.sellerActor, store.CouponInput{Code: "SAVE10", Kind: store.CouponAmount, Value: 1000})
		w.must(err)
		_, err = db.GrantArea(w.ctx, w.op, "CN.44", w.x.ID)
		w.must(err)

		seller, mid, root, agent := w.seller, w.mid, w.root, w.x
		pendA, pendB := code(ledger.SupplierPending, w.supA.ID), code(ledger.SupplierPending, w.supB.ID)
		payA, payB := code(ledger.SupplierPayable, w.supA.ID), code(ledger.SupplierPayable, w.supB.ID)
		plat, rev := string(ledger.PlatformPending), string(ledger.PlatformRevenue)

		// Checkout: 2 × tea at the shop's 22.99 (19.99 retail, 3.00 markup a
		// unit) and a cup at 10.00; the coupon's 10.00 off goes 8.00 / 2.00
		// over the bases 39.98 and 10.00. Shipped into the agent's area.
		in := cart("CN.44.03.05", order.Item{SKUID: w.a1, Quantity: 2}, order.Item{SKUID: w.b1, Quantity: 1})
		in.CouponCode = "SAVE10"
		o1 := w.checkout(w.cust, in, "")
		if o1.Total != 4598 || len(o1.Fulfilments) != 2 || o1.SellerID != seller.ID {
			t.Fatalf("order %+v", o1)
		}
		la, lb := o1.Lines[0], o1.Lines[1]
		if la.Base != 3198 || la.Markup != 600 || lb.Base != 800 || lb.Markup != 0 {
			t.Fatalf("lines %+v %+v", la, lb)
		}
		w.books(map[string]money.Amount{pendA: 0, plat: 0}, nil) // nothing booked before payment
		w.pay(o1, w.cust)
		// Line a (base 31.98): tiers 3.19, 1.59, 0.63; agent 0.31; platform 0.15; supplier 26.11; markup 6.00.
		// Line b (base 8.00): tiers 0.80, 0.40, 0.16; agent 0.08; platform 0.04; supplier 6.52.
		w.books(map[string]money.Amount{string(ledger.Clearing): -4598, pendA: 2611, pendB: 652, plat: 19, payA: 0, rev: 0},
			map[*network.Distributor]walletView{seller: {pending: 319 + 600 + 80}, mid: {pending: 159 + 40},
				root: {pending: 63 + 16}, agent: {pending: 31 + 8}})

		// Delivered; a refund of one tea before settlement: 15.99 of base and
		// 3.00 of markup back; the line is recomputed on base 15.99.
		w.deliver(o1, w.cust)
		c := w.refund(w.cust, la, 1)
		if c.Amount != 1899 || c.BaseRefund != 1599 || c.MarkupRefund != 300 {
			t.Fatalf("case %+v", c)
		}
		w.books(map[string]money.Amount{string(ledger.Clearing): -4598, string(ledger.Refunds): 1899, pendA: 1308, pendB: 652, plat: 11},
			map[*network.Distributor]walletView{seller: {pending: 159 + 300 + 80}, mid: {pending: 79 + 40},
				root: {pending: 31 + 16}, agent: {pending: 15 + 8}})

		// The jobs runner settles nothing while the after-sale window is open…
		w.clock.Advance(6 * day)
		w.runDue(0)
		// …and both lines once it has closed, completing the order.
		w.clock.Advance(2 * day)
		w.runDue(2)
		w.runDue(0)
		if st := w.status(w.cust, o1.ID); st != order.Completed {
			t.Fatalf("order is %s", st)
		}
		w.books(map[string]money.Amount{pendA: 0, pendB: 0, plat: 0, payA: 1308, payB: 652, rev: 11},
			map[*network.Distributor]walletView{seller: {available: 539}, mid: {available: 119}, root: {available: 47}, agent: {available: 23}})

		// The seller withdraws 5.00; then the operator refunds the other tea
		// after settlement (the customer's own window has closed): the seller
		// gives back 1.59 + 3.00 from 0.39 available, 4.20 in debt.
		_, err = db.RequestWithdrawal(w.ctx, w.sellerActor, seller.ID, 500, "")
		w.must(err)
		_, err = db.OpenCase(w.ctx, w.cust, la.ID, store.RefundOnly, 1, "late")
		wantCode(t, err, errs.Conflict, "order_line_id")
		w.books(map[string]money.Amount{payA: 1308}, map[*network.Distributor]walletView{seller: {available: 39, withdrawing: 500}})
		c = w.refund(w.op, la, 1)
		if c.Amount != 1899 {
			t.Fatalf("late case %+v", c)
		}
		w.books(map[string]money.Amount{string(ledger.Refunds): 2 * 1899, payA: 0, payB: 652, rev: 4},
			map[*network.Distributor]walletView{seller: {withdrawing: 500, debt: 420}, mid: {available: 40},
				root: {available: 16}, agent: {available: 8}})

		// A later order of one tea (bound by the coupon: the shop price), not
		// in the agent's area: base 19.99, markup 3.00. Its 1.99 + 3.00 for
		// the seller pay the 4.20 of debt first.
		o2 := w.checkout(w.cust, cart("CN.11.01.05", order.Item{SKUID: w.a1, Quantity: 1}), "")
		if o2.Total != 2299 || o2.Lines[0].Snapshot.Agent != nil {
			t.Fatalf("order 2 %+v", o2)
		}
		w.pay(o2, w.cust)
		w.deliver(o2, w.cust)
		w.clock.Advance(8 * day)
		w.runDue(1)
		w.books(map[string]money.Amount{payA: 1653, rev: 4 + 9},
			map[*network.Distributor]walletView{seller: {available: 79, withdrawing: 500}, mid: {available: 40 + 99},
				root: {available: 16 + 39}, agent: {available: 8}})

		// A seller without sponsor: only tier 1 is paid; what tiers 2 and 3
		// would have earned stays with the supplier.
		if w.x.SponsorID != 0 {
			t.Fatal("x has a sponsor")
		}
		founder, founderActor := w.join("")
		_, err = db.OpenShop(w.ctx, founderActor, store.ShopInput{Name: "Founder"})
		w.must(err)
		link, err := db.ShareLink(w.ctx, founderActor, 0, store.ChannelLink)
		w.must(err)
		cust2 := w.account(account.Customer)
		_, _, err = db.RecordVisit(w.ctx, cust2, link.Code, "")
		w.must(err)
		o3 := w.checkout(cust2, cart("CN.44.01.06", order.Item{SKUID: w.b1, Quantity: 2}), "")
		if s := o3.Lines[0].Snapshot; o3.SellerID != founder.ID || len(s.Upline) != 0 || s.Agent == nil {
			t.Fatalf("order 3 %+v", o3)
		}
		w.pay(o3, cust2)
		w.deliver(o3, cust2)
		w.clock.Advance(8 * day)
		w.runDue(1)
		// Base 20.00: founder 2.00, agent 0.20, platform 0.10, supplier 17.70.
		w.books(map[string]money.Amount{payB: 652 + 1770, rev: 13 + 10, string(ledger.Clearing): -(4598 + 2299 + 2000), string(ledger.Refunds): 2 * 1899},
			map[*network.Distributor]walletView{founder: {available: 200}, agent: {available: 8 + 20}, seller: {available: 79, withdrawing: 500}})
	})
}

// Two job runners sweeping one database at the same time settle every line
// exactly once. Their leases expire at once (Lease 0), so both really sweep
// together: exactly once comes from the conditional claim of each line.
func TestLifecycleTwoRunners(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newLifeWorld(t, db)
		w.bind(w.cust, w.seller)
		lines := 0
		for i := range 12 {
			items := []order.Item{{SKUID: w.a1, Quantity: 1 + int64(i%3)}}
			if i%2 == 0 {
				items = append(items, order.Item{SKUID: w.b1, Quantity: 1})
			}
			o := w.checkout(w.cust, cart("CN.44.03.05", items...), "")
			w.pay(o, w.cust)
			w.deliver(o, w.cust)
			lines += len(o.Lines)
		}
		w.clock.Advance(8 * day)
		settled := map[string]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, holder := range []string{"server-a", "server-b"} {
			r := w.runner(holder)
			r.Lease, r.Batch = 0, 3
			wg.Go(func() {
				<-start
				for range 10 {
					res, err := r.RunDue(w.ctx)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					settled[holder] += res.Done["settle"]
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		t.Logf("%d lines settled by %v", lines, settled)
		journals := w.int(`SELECT COUNT(*) FROM journals WHERE kind = 'settle'`)
		if settled["server-a"]+settled["server-b"] != lines || journals != int64(lines) ||
			w.int(`SELECT COUNT(*) FROM commission_lines WHERE status = 'settled'`) != int64(lines) {
			t.Fatalf("%d lines; settled %v; %d settle journals", lines, settled, journals)
		}
		if n := w.int(`SELECT COUNT(*) FROM orders WHERE status = 'completed'`); n != 12 {
			t.Fatalf("%d orders completed", n)
		}
		(&books{t: t, db: db, ctx: w.ctx}).clean()
	})
}
