package store_test

import (
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payment"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// asWorld is an after-sale world: the catalog fixture's suppliers and
// customer, a seller under a sponsor, supplier A's warehouse stocking a SKU.
type asWorld struct {
	*catFixture
	clock           *testutil.Clock
	seller, sponsor int64
	sellerA         account.Actor
	wh, sku, prod   int64
	other           account.Actor // a customer who did not buy
	sandbox         *payment.Sandbox
}

func newASWorld(t *testing.T, db *store.DB) *asWorld {
	t.Helper()
	w := &asWorld{catFixture: newCatFixture(t, db), clock: testutil.NewClock(), sandbox: &payment.Sandbox{Secret: []byte("s")}}
	db.Now = w.clock.Now
	w.other = w.account(account.Customer)
	ids, err := db.SeedTree(w.ctx, []int{-1, 0})
	if err != nil {
		t.Fatal(err)
	}
	w.sponsor, w.seller = ids[0], ids[1]
	w.sellerA = account.Actor{AccountID: 901, Roles: []account.Role{account.Distributor}, DistributorID: w.seller}
	p := w.product(w.a, w.supA.ID)
	w.prod, w.sku = p.ID, p.SKUs[0].ID
	wh, err := db.CreateWarehouse(w.ctx, w.a, &catalog.Warehouse{Name: "Shenzhen", RegionCode: "CN.44.03.05", Active: true, Areas: []string{"CN"}})
	if err != nil {
		t.Fatal(err)
	}
	w.wh = wh.ID
	if _, err := db.SetStock(w.ctx, w.a, w.wh, w.sku, 100); err != nil {
		t.Fatal(err)
	}
	return w
}

// order makes a paid order of one line per l with the worked example's
// rules (tiers 10% and 5%, platform 2%); it returns the fulfilment order and lines.
func (w *asWorld) order(ls ...commission.Line) (int64, []int64) {
	w.t.Helper()
	snap := commission.Snapshot{Currency: "CNY", SupplierID: w.supA.ID, SellerID: w.seller, Upline: []int64{w.sponsor},
		Rules: []commission.TierRule{commission.Rate(1000), commission.Rate(500)}, PlatformRate: 200, Cap: 3000}
	var in []store.PaidLineForTest
	for _, l := range ls {
		in = append(in, store.PaidLineForTest{SKUID: w.sku, ProductID: w.prod, Snapshot: snap, Line: l})
	}
	_, f, lines, err := w.db.PaidOrderForTest(w.ctx, w.cust.AccountID, w.supA.ID, w.wh, in)
	if err != nil {
		w.t.Fatal(err)
	}
	return f, lines
}

func (w *asWorld) shipAndReceive(fulfilmentID int64) {
	w.t.Helper()
	if _, err := w.db.ShipFulfilment(w.ctx, w.a, fulfilmentID, "SF Express", "SF123456"); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.db.ConfirmReceipt(w.ctx, w.cust, fulfilmentID); err != nil {
		w.t.Fatal(err)
	}
}

func (w *asWorld) open(who account.Actor, line int64, kind store.CaseKind, qty int64) *store.AfterSaleCase {
	w.t.Helper()
	c, err := w.db.OpenCase(w.ctx, who, line, kind, qty, "broken")
	if err != nil {
		w.t.Fatalf("OpenCase: %v", err)
	}
	return c
}

func (w *asWorld) approve(id int64) *store.AfterSaleCase {
	w.t.Helper()
	c, err := w.db.DecideCase(w.ctx, w.a, id, true, "sorry", w.sandbox)
	if err != nil {
		w.t.Fatalf("DecideCase: %v", err)
	}
	return c
}

func (w *asWorld) line(id int64) *store.CommissionLine {
	w.t.Helper()
	l, err := w.db.CommissionLine(w.ctx, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return l
}

// shares maps each party kind and tier to its current share of a line.
func (w *asWorld) shares(id int64) map[string]money.Amount {
	out := map[string]money.Amount{}
	for _, s := range w.line(id).Shares {
		out[s.Party.String()] = s.Amount
	}
	return out
}

func (w *asWorld) onHand() int64 {
	w.t.Helper()
	st, err := w.db.Stock(w.ctx, w.a, w.wh)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, s := range st {
		if s.SKUID == w.sku {
			return s.OnHand
		}
	}
	w.t.Fatal("no stock row")
	return 0
}

func (w *asWorld) wallet(id int64) walletView {
	w.t.Helper()
	v, err := w.db.Wallet(w.ctx, w.op, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return walletView{v.Pending, v.Available, v.Withdrawing, v.Withdrawn, v.Debt}
}

func (w *asWorld) settle(want int) {
	w.t.Helper()
	n, err := w.db.SettleMaturedLines(w.ctx, 100)
	if err != nil || n != want {
		w.t.Fatalf("settled %d, %v; want %d", n, err, want)
	}
}

func (w *asWorld) clean() {
	w.t.Helper()
	(&books{t: w.t, db: w.db, ctx: w.ctx}).clean()
}

const day = 24 * time.Hour

// The worked example of docs/money.md with a markup of 1.00 a unit: a
// refund of one unit before settlement, the case holding settlement.
func TestAfterSalePartialRefundBeforeSettlement(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newASWorld(t, db)
		f, lines := w.order(commission.Line{Base: 5997, Markup: 300, Quantity: 3})
		w.shipAndReceive(f)
		w.clock.Advance(2 * day)
		c := w.open(w.cust, lines[0], store.RefundOnly, 1)
		if c.Status != store.CaseOpen || c.Amount != 2099 || c.BaseRefund != 1999 || c.MarkupRefund != 100 || !w.line(lines[0]).Held {
			t.Fatalf("opened %+v", c)
		}
		w.clock.Advance(6 * day) // the window closed: only the hold keeps the line pending
		w.settle(0)
		if got := w.wallet(w.seller); got.pending != 899 {
			t.Fatalf("seller before refund %+v", got)
		}
		c = w.approve(c.ID)
		if c.Status != store.CaseRefunded || c.Amount != 2099 || c.RefundRef == "" || c.RefundedAt == nil {
			t.Fatalf("refunded %+v", c)
		}
		want := map[string]money.Amount{"tier1:" + itoa(w.seller): 399, "markup:" + itoa(w.seller): 200,
			"tier2:" + itoa(w.sponsor): 199, "platform": 79, "supplier:" + itoa(w.supA.ID): 3321}
		got := w.shares(lines[0])
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("share %s = %d, want %d (all %v)", k, got[k], v, got)
			}
		}
		if w.line(lines[0]).Held {
			t.Fatal("still held after the refund")
		}
		if w.onHand() != 97 {
			t.Fatalf("on hand %d: a refund only of shipped goods returns no stock", w.onHand())
		}
		w.settle(1)
		if got := w.wallet(w.seller); got.pending != 0 || got.available != 599 {
			t.Fatalf("seller after settlement %+v", got)
		}
		if got := w.wallet(w.sponsor); got.available != 199 {
			t.Fatalf("sponsor after settlement %+v", got)
		}
		// Approving again changes nothing.
		if again := w.approve(c.ID); again.Status != store.CaseRefunded || again.Amount != 2099 {
			t.Fatalf("again %+v", again)
		}
		w.clean()
	})
}

// After settlement the customer's window is closed; an operator opens a
// late case and its refund claws back from the wallets, into debt.
func TestAfterSaleRefundAfterSettlementIntoDebt(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newASWorld(t, db)
		f, lines := w.order(commission.Line{Base: 5997, Markup: 300, Quantity: 3})
		w.shipAndReceive(f)
		w.clock.Advance(8 * day)
		w.settle(1)
		if got := w.wallet(w.seller); got.available != 899 {
			t.Fatalf("seller settled %+v", got)
		}
		if _, err := db.RequestWithdrawal(w.ctx, w.sellerA, w.seller, 800, ""); err != nil {
			t.Fatal(err)
		}
		_, err := db.OpenCase(w.ctx, w.cust, lines[0], store.RefundOnly, 1, "late")
		wantErr(t, err, errs.Conflict, "order_line_id")
		c := w.open(w.op, lines[0], store.RefundOnly, 2)
		if c.Amount != 4198 || c.CustomerAccountID != w.cust.AccountID {
			t.Fatalf("late case %+v", c)
		}
		w.approve(c.ID)
		// Seller: tier 1 599→199 and markup 300→100 claw 600 back from the 99 available: 501 in debt.
		if got := w.wallet(w.seller); got.available != 0 || got.debt != 501 || got.withdrawing != 800 {
			t.Fatalf("seller after clawback %+v", got)
		}
		if got := w.wallet(w.sponsor); got.available != 99 {
			t.Fatalf("sponsor after clawback %+v", got)
		}
		// Past the late window nobody may open one.
		w.clock.Advance(time.Duration(store.LateCaseDays) * day)
		_, err = db.OpenCase(w.ctx, w.op, lines[0], store.RefundOnly, 1, "too late")
		wantErr(t, err, errs.Conflict, "order_line_id")
		w.clean()
	})
}

// Three refunds of one unit each give back exactly what was paid, the last
// unit taking the remainder; every share ends at zero; the goods never
// shipped, so each unit goes back on hand and the fulfilment order is cancelled.
func TestAfterSaleFullRefundInSteps(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newASWorld(t, db)
		f, lines := w.order(commission.Line{Base: 1000, Quantity: 3})
		if w.onHand() != 97 {
			t.Fatalf("on hand %d", w.onHand())
		}
		var amounts []money.Amount
		for range 3 {
			c := w.approve(w.open(w.cust, lines[0], store.RefundOnly, 1).ID)
			amounts = append(amounts, c.Amount)
		}
		if amounts[0] != 333 || amounts[1] != 333 || amounts[2] != 334 {
			t.Fatalf("amounts %v", amounts)
		}
		for k, v := range w.shares(lines[0]) {
			if v != 0 {
				t.Fatalf("share %s = %d after a full refund", k, v)
			}
		}
		if w.onHand() != 100 {
			t.Fatalf("on hand %d after refunding unshipped goods", w.onHand())
		}
		tr, err := db.Tracking(w.ctx, w.cust, mustOrderOf(t, w, lines[0]))
		if err != nil || len(tr) != 1 || tr[0].ID != f || tr[0].Status != store.FulfilmentCancelled || tr[0].Lines[0].Refunded != 3 {
			t.Fatalf("tracking %+v, %v", tr, err)
		}
		if l := w.line(lines[0]); l.Status != store.LineSettled {
			t.Fatalf("fully refunded line of a cancelled fulfilment is %s", l.Status)
		}
		_, err = db.OpenCase(w.ctx, w.cust, lines[0], store.RefundOnly, 1, "more")
		wantErr(t, err, errs.Conflict, "order_line_id")
		w.clean()
	})
}

func mustOrderOf(t *testing.T, w *asWorld, line int64) int64 {
	t.Helper()
	return w.line(line).OrderID
}

// A return and refund: approval waits for the goods; their receipt puts
// them back on hand and refunds.
func TestAfterSaleReturn(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newASWorld(t, db)
		f, lines := w.order(commission.Line{Base: 5997, Quantity: 3})
		_, err := db.OpenCase(w.ctx, w.cust, lines[0], store.ReturnRefund, 1, "nothing shipped")
		wantErr(t, err, errs.Conflict, "kind")
		w.shipAndReceive(f)
		c := w.open(w.cust, lines[0], store.ReturnRefund, 2)
		_, err = db.ReturnReceived(w.ctx, w.a, c.ID, w.sandbox)
		wantErr(t, err, errs.Conflict, "status")
		_, err = db.ReturnShipped(w.ctx, w.cust, c.ID, "SF Express", "SF1234")
		wantErr(t, err, errs.Conflict, "status")
		c = w.approve(c.ID)
		if c.Status != store.CaseApproved || !w.line(lines[0]).Held || w.onHand() != 97 {
			t.Fatalf("approved %+v", c)
		}
		_, err = db.ReturnShipped(w.ctx, w.cust, c.ID, "", "SF1234")
		wantErr(t, err, errs.Invalid, "carrier")
		_, err = db.ReturnShipped(w.ctx, w.cust, c.ID, "SF Express", "SF 12")
		wantErr(t, err, errs.Invalid, "tracking_number")
		_, err = db.ReturnShipped(w.ctx, w.other, c.ID, "SF Express", "SF9876")
		wantErr(t, err, errs.NotFound, "")
		if c, err = db.ReturnShipped(w.ctx, w.cust, c.ID, "SF Express", "SF9876"); err != nil || c.ReturnTracking != "SF9876" {
			t.Fatalf("return shipped %+v, %v", c, err)
		}
		_, err = db.ReturnReceived(w.ctx, w.b, c.ID, w.sandbox)
		wantErr(t, err, errs.NotFound, "")
		if c, err = db.ReturnReceived(w.ctx, w.a, c.ID, w.sandbox); err != nil || c.Status != store.CaseRefunded || c.Amount != 3998 || c.ReturnReceivedAt == nil {
			t.Fatalf("return received %+v, %v", c, err)
		}
		if w.onHand() != 99 || w.line(lines[0]).Held {
			t.Fatalf("on hand %d, held %v", w.onHand(), w.line(lines[0]).Held)
		}
		if again, err := db.ReturnReceived(w.ctx, w.a, c.ID, w.sandbox); err != nil || again.Status != store.CaseRefunded || w.onHand() != 99 {
			t.Fatalf("again %+v, %v, on hand %d", again, err, w.onHand())
		}
		w.clean()
	})
}
