package store_test

import (
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func (w *shopWorld) suspend(d *network.Distributor) {
	w.t.Helper()
	got, err := w.db.SuspendDistributor(w.ctx, w.op, d.ID, "sold counterfeit goods")
	if err != nil {
		w.t.Fatal(err)
	}
	if got.Status != network.Suspended {
		w.t.Fatalf("status %s after suspension", got.Status)
	}
}

func (w *shopWorld) reinstate(d *network.Distributor) {
	w.t.Helper()
	got, err := w.db.ReinstateDistributor(w.ctx, w.op, d.ID, "the goods were genuine")
	if err != nil {
		w.t.Fatal(err)
	}
	if got.Status != network.Active {
		w.t.Fatalf("status %s after reinstatement", got.Status)
	}
}

// earners maps each distributor tier share of an order to its amount.
func (w *shopWorld) earners(orderID int64) map[int64]int64 {
	w.t.Helper()
	out := map[int64]int64{}
	for _, s := range w.shares(orderID) {
		if s.Party.Kind == commission.KindTier {
			out[s.Party.ID] += int64(s.Amount)
		}
	}
	return out
}

func (w *shopWorld) checkLedger() {
	w.t.Helper()
	problems, err := w.db.CheckLedger(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	if len(problems) > 0 {
		w.t.Fatalf("ledger check: %v", problems)
	}
}

func (w *shopWorld) teamSize(d *network.Distributor) int64 {
	w.t.Helper()
	if problems, err := w.db.CheckNetwork(w.ctx); err != nil || len(problems) > 0 {
		w.t.Fatalf("network check: %v %v", problems, err)
	}
	return w.int(`SELECT team_size FROM distributors WHERE id = ?`, d.ID)
}

// TestSuspendedDistributorEarnsNothingNew: a suspended distributor's link
// and coupon bind nobody, checkout attributes no order to it and pays its
// tier share as nobody's (the supplier keeps it), it cannot withdraw, and
// the order placed before settles to it as booked; reinstated, it sells
// again. Every change is audited with the reason.
func TestSuspendedDistributorEarnsNothingNew(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{10000, 0})
		sku := p.SKUs[0].ID
		w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{sku: 100})
		w.coupon(w.seller, "SELLER1", "amount", 100, 0)
		link, err := db.ShareLink(w.ctx, w.sellerActor, p.ID, store.ChannelLink)
		if err != nil {
			t.Fatal(err)
		}
		w.bind(w.cust, w.seller)
		buy := cart("CN.44.03.05", order.Item{SKUID: sku, Quantity: 1})

		before := w.checkout(w.cust, buy, "")
		w.payOrder(before)
		if e := w.earners(before.ID); e[w.seller.ID] != 1000 || e[w.mid.ID] != 500 {
			t.Fatalf("before the suspension: %v", e)
		}
		rootTeam := w.teamSize(w.root)

		// Bad requests change nothing.
		_, err = db.SuspendDistributor(w.ctx, w.op, w.seller.ID, "  ")
		wantCode(t, err, errs.Invalid, "reason")
		_, err = db.SuspendDistributor(w.ctx, w.cust, w.seller.ID, "no")
		wantCode(t, err, errs.Forbidden, "")
		_, err = db.ReinstateDistributor(w.ctx, w.op, w.seller.ID, "not suspended")
		wantCode(t, err, errs.Conflict, "status")
		_, err = db.SuspendDistributor(w.ctx, w.op, 999999, "who")
		wantCode(t, err, errs.NotFound, "")

		w.suspend(w.seller)
		_, err = db.SuspendDistributor(w.ctx, w.op, w.seller.ID, "again")
		wantCode(t, err, errs.Conflict, "status")
		if got := w.teamSize(w.root); got != rootTeam-1 {
			t.Fatalf("root's team %d after the suspension, want %d", got, rootTeam-1)
		}

		// Its link binds nobody; its coupon is refused; a new customer stays unbound.
		other := w.account(account.Customer)
		_, _, err = db.RecordVisit(w.ctx, other, link.Code, "v1")
		wantCode(t, err, errs.NotFound, "")
		_, _, err = db.BindFromCoupon(w.ctx, other, "SELLER1")
		wantCode(t, err, errs.Invalid, "code")
		if b, err := db.Binding(w.ctx, w.op, other.AccountID); err != nil || b.DistributorID != 0 {
			t.Fatalf("binding after a suspended link: %+v %v", b, err)
		}
		_, err = db.Checkout(w.ctx, w.cust, withCoupon(buy, "SELLER1"), "")
		wantCode(t, err, errs.Invalid, "coupon_code")

		// The bound customer's order has no seller; the binding stays.
		during := w.checkout(w.cust, buy, "")
		if during.SellerID != 0 || during.Attribution.Source != order.FromNone ||
			!strings.Contains(during.Attribution.Reason, "not active") {
			t.Fatalf("order while suspended: seller %d, %+v", during.SellerID, during.Attribution)
		}
		w.payOrder(during)
		if e := w.earners(during.ID); len(e) != 0 {
			t.Fatalf("commission on an order while the seller is suspended: %v", e)
		}
		if b, err := db.Binding(w.ctx, w.op, w.cust.AccountID); err != nil || b.DistributorID != w.seller.ID {
			t.Fatalf("binding: %+v %v", b, err)
		}

		// It cannot withdraw, and says why.
		_, err = db.RequestWithdrawal(w.ctx, w.sellerActor, w.seller.ID, 100, "")
		wantCode(t, err, errs.Conflict, "distributor_id")
		if !strings.Contains(errs.MessageOf(err), "suspended") {
			t.Fatalf("withdrawal refused with %q", errs.MessageOf(err))
		}

		// The order placed before settles to it as booked.
		for _, l := range before.Lines {
			if ok, err := db.SettleLine(w.ctx, l.ID); err != nil || !ok {
				t.Fatalf("settle: %v %v", ok, err)
			}
		}
		wl, err := db.Wallet(w.ctx, w.op, w.seller.ID)
		if err != nil || wl.Available != 1000 {
			t.Fatalf("seller's wallet after settling the earlier order: %+v %v", wl, err)
		}

		// Reinstated, it sells and earns again.
		w.reinstate(w.seller)
		if got := w.teamSize(w.root); got != rootTeam {
			t.Fatalf("root's team %d after the reinstatement, want %d", got, rootTeam)
		}
		after := w.checkout(w.cust, buy, "")
		if after.SellerID != w.seller.ID {
			t.Fatalf("order after reinstatement: seller %d", after.SellerID)
		}

		// A suspended upline is nobody: its tier share stays with the supplier.
		w.suspend(w.mid)
		upline := w.checkout(w.cust, buy, "")
		w.payOrder(upline)
		if e := w.earners(upline.ID); e[w.seller.ID] != 1000 || e[w.mid.ID] != 0 || len(e) != 1 {
			t.Fatalf("shares with the sponsor suspended: %v", e)
		}
		for _, s := range w.shares(upline.ID) {
			if s.Party.Kind == commission.KindSupplier && s.Amount != 9000 {
				t.Fatalf("supplier's share %d, want 9000 (the suspended tier's 500 included)", s.Amount)
			}
		}
		if _, _, err := db.RecordVisit(w.ctx, other, link.Code, "v2"); err != nil {
			t.Fatalf("the seller's link after its reinstatement: %v", err)
		}

		es, err := db.AuditLog(w.ctx, store.AuditFilter{Action: "distributor.suspend"})
		if err != nil || len(es) != 2 || !strings.Contains(string(es[0].New), "sold counterfeit goods") || es[0].ActorAccountID != w.op.AccountID {
			t.Fatalf("suspension audit: %+v %v", es, err)
		}
		if es, err := db.AuditLog(w.ctx, store.AuditFilter{Action: "distributor.reinstate"}); err != nil || len(es) != 1 {
			t.Fatalf("reinstatement audit: %+v %v", es, err)
		}
		w.checkLedger()
	})
}

// TestCheckoutRacingSuspension: a checkout racing its seller's suspension
// attributes the order wholly before the suspension or not at all. Held
// after it took its seller, the checkout makes the suspension wait and
// places the order with the seller; a suspension held before it commits
// makes the checkout wait, which then places the order without a seller
// and pays that distributor nothing.
func TestCheckoutRacingSuspension(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{10000, 0})
		sku := p.SKUs[0].ID
		w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{sku: 100})
		w.bind(w.cust, w.seller)
		buy := cart("CN.44.03.05", order.Item{SKUID: sku, Quantity: 1})

		// The checkout first.
		h := testutil.Hold(t, db, "checkout.seller.locked")
		var placed *order.Order
		co := testutil.Run(func() (err error) { placed, err = db.Checkout(w.ctx, w.cust, buy, ""); return err })
		h.Reached()
		susp := testutil.Run(func() error {
			_, err := db.SuspendDistributor(w.ctx, w.op, w.seller.ID, "fraud")
			return err
		})
		if testutil.BlockedOrEnded(t, db, susp) {
			t.Fatalf("the suspension did not wait for the checkout holding its seller: %v", susp.Err(t))
		}
		h.Release()
		if err := co.Err(t); err != nil {
			t.Fatal(err)
		}
		if err := susp.Err(t); err != nil {
			t.Fatal(err)
		}
		if placed.SellerID != w.seller.ID || placed.Attribution.DistributorID != w.seller.ID {
			t.Fatalf("checkout before the suspension: seller %d, %+v", placed.SellerID, placed.Attribution)
		}
		w.payOrder(placed)
		if e := w.earners(placed.ID); e[w.seller.ID] != 1000 {
			t.Fatalf("the order placed first pays its seller: %v", e)
		}

		// The suspension first (reinstated, then suspended again).
		w.reinstate(w.seller)
		h2 := testutil.Hold(t, db, "distributor.suspend.updated")
		susp = testutil.Run(func() error {
			_, err := db.SuspendDistributor(w.ctx, w.op, w.seller.ID, "fraud again")
			return err
		})
		h2.Reached()
		co = testutil.Run(func() (err error) { placed, err = db.Checkout(w.ctx, w.cust, buy, ""); return err })
		if testutil.BlockedOrEnded(t, db, co) {
			t.Fatalf("the checkout did not wait for the suspension: %v", co.Err(t))
		}
		h2.Release()
		if err := susp.Err(t); err != nil {
			t.Fatal(err)
		}
		if err := co.Err(t); err != nil {
			t.Fatal(err)
		}
		if placed.SellerID != 0 || placed.Attribution.Source != order.FromNone {
			t.Fatalf("checkout after the suspension: seller %d, %+v", placed.SellerID, placed.Attribution)
		}
		w.payOrder(placed)
		if e := w.earners(placed.ID); len(e) != 0 {
			t.Fatalf("the order placed after the suspension pays %v", e)
		}
		w.checkLedger()
	})
}
