package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/fraud"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/notify"
	"sharemall/internal/order"
	"sharemall/internal/payout"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
	"sharemall/internal/wallet"
)

// fraudWorld: a shopWorld with one product (10000, so tier 1 earns 1000
// and tier 2 500) in stock, and payout keys.
type fraudWorld struct {
	*shopWorld
	product, sku int64
	refs         int
}

func newFraudWorld(t *testing.T, db *store.DB) *fraudWorld {
	t.Helper()
	w := &fraudWorld{shopWorld: newShopWorld(t, db)}
	p := w.shopWorld.product(w.a, "Tea", [2]int64{10000, 0})
	w.product, w.sku = p.ID, p.SKUs[0].ID
	w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{w.sku: 1000})
	k, _ := payoutKeys(t, "k1")
	db.UsePayoutKeys(k)
	return w
}

// buy: who checks out bound to through (nil: no one), shipping to phone
// and address in Shenzhen, and pays.
func (w *fraudWorld) buy(who account.Actor, through *network.Distributor, phone, addr string) *order.Order {
	w.t.Helper()
	if through != nil {
		w.exec(`INSERT INTO bindings (customer_account_id, distributor_id, mode, bound_at) VALUES (?, ?, 'first_touch', 0)
			ON CONFLICT (customer_account_id) DO UPDATE SET distributor_id = excluded.distributor_id`, who.AccountID, through.ID)
	}
	o := w.checkout(who, order.CheckoutInput{Items: []order.Item{{SKUID: w.sku, Quantity: 1}},
		ShipTo: order.ShipTo{RegionCode: "CN.44.03.05", Name: "Buyer", Phone: phone, Address: addr}}, "")
	w.refs++
	ref := fmt.Sprintf("fraud-ref-%d", w.refs)
	if _, err := w.db.StartPayment(w.ctx, who, o.ID, "sandbox", ref); err != nil {
		w.t.Fatal(err)
	}
	if _, _, err := w.db.ApplyPayment(w.ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: ref, Amount: o.Total + o.Shipping, Currency: o.Currency, Payload: "{}"}); err != nil {
		w.t.Fatal(err)
	}
	return o
}

// customer is a new customer account.
func (w *fraudWorld) customer() account.Actor { return w.account(account.Customer) }

// card records payout details (a bank card) for a distributor.
func (w *fraudWorld) card(who account.Actor, d *network.Distributor, number string) {
	w.t.Helper()
	if _, err := w.db.SetPayoutDetails(w.ctx, who, store.PayoutOwner{Kind: store.PayoutDistributor, ID: d.ID},
		payout.Details{Method: payout.BankCard, Bank: "ICBC", HolderName: "Li Lei", CardNumber: number}); err != nil {
		w.t.Fatal(err)
	}
}

// sweep runs the fraud sweep and returns the signals found, newest first.
func (w *fraudWorld) sweep() []store.FraudSignal {
	w.t.Helper()
	if _, err := w.db.SweepFraud(w.ctx, 500); err != nil {
		w.t.Fatal(err)
	}
	return w.signals(0)
}

func (w *fraudWorld) signals(d int64) []store.FraudSignal {
	w.t.Helper()
	l, err := w.db.FraudSignals(w.ctx, w.op, store.FraudFilter{DistributorID: d, Limit: 200})
	if err != nil {
		w.t.Fatal(err)
	}
	return l
}

func (w *fraudWorld) fraudSettings(change func(f *program.Fraud)) {
	w.settings(func(s *program.Settings) { change(&s.Fraud) })
}

func (w *fraudWorld) held(d int64) store.SettlementHold {
	w.t.Helper()
	h, err := w.db.SettlementHoldOf(w.ctx, w.op, d)
	if err != nil {
		w.t.Fatal(err)
	}
	return *h
}

func (w *fraudWorld) checkLedger() {
	w.t.Helper()
	if problems, err := w.db.CheckLedger(w.ctx); err != nil || len(problems) != 0 {
		w.t.Fatalf("ledger: %v %v", problems, err)
	}
}

// luhn appends the check digit that makes digits a valid card number.
func luhn(digits string) string {
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return digits + fmt.Sprint((10-sum%10)%10)
}

// spaced writes a card number in groups of four, as people type it.
func spaced(n string) string {
	var out []string
	for len(n) > 4 {
		out, n = append(out, n[:4]), n[4:]
	}
	return strings.Join(append(out, n), " ")
}

// kinds counts the signals by distributor and kind.
func kinds(l []store.FraudSignal) map[string]int {
	m := map[string]int{}
	for _, s := range l {
		m[fmt.Sprintf("%d:%s", s.DistributorID, s.Kind)]++
	}
	return m
}

// TestFraudSelfPurchase: orders through a seller by its own account, or by
// accounts sharing its phone, shipping address or payout account, are
// signals; an ordinary customer, one living next door and one with a
// similar phone are not. Running the sweep again finds nothing new.
func TestFraudSelfPurchase(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFraudWorld(t, db)
		s := w.seller
		// The seller's own contact points: an order it placed through x.
		w.buy(w.sellerActor, w.x, "+8613900000001", "8 Home Lane, Room 301")

		innocent := w.buy(w.customer(), s, "+8613700000002", "99 Other Road")
		nextDoor := w.buy(w.customer(), s, "+8613700000003", "8 Home Lane, Room 302")
		similarPhone := w.buy(w.customer(), s, "+8613900000011", "12 Far Street")
		// Checkout never attributes a distributor's own order to itself
		// today; a program that pays on own purchases would: as it records it.
		own := w.buy(w.sellerActor, w.x, "+8613900000001", "8 Home Lane, Room 301")
		w.exec(`UPDATE orders SET seller_id = ? WHERE id = ?`, s.ID, own.ID)
		// A program paying commission on own purchases attributes them so,
		// by the operator's rule: not a signal.
		paidOwn := w.buy(w.sellerActor, w.x, "+8613900000001", "8 Home Lane, Room 301")
		w.exec(`UPDATE orders SET seller_id = ?, attribution = ? WHERE id = ?`, s.ID, `{"source":"own_purchase","distributor_id":1,"reason":"own purchase"}`, paidOwn.ID)
		sameAddr := w.buy(w.customer(), s, "+8613700000004", "8 home lane room 301")
		samePhone := w.buy(w.customer(), s, "+86 139 0000 0001", "1 Elsewhere")
		// A distributor paid to the seller's card buys through the seller.
		w.card(w.sellerActor, s, luhn("622202020011223344"))
		twin, twinActor := w.join("")
		w.card(twinActor, twin, spaced(luhn("622202020011223344")))
		samePayout := w.buy(twinActor, s, "+8613700000005", "77 Twin Street")

		got := w.sweep()
		want := map[int64][]string{own.ID: {"account"}, sameAddr.ID: {"address"}, samePhone.ID: {"phone"}, samePayout.ID: {"payout"}}
		for _, sig := range got {
			if sig.Kind != fraud.SelfPurchase {
				continue
			}
			if sig.DistributorID != s.ID || len(sig.Evidence.Orders) != 1 || !sig.Holds || sig.Status != fraud.Open {
				t.Fatalf("signal %+v", sig)
			}
			o := sig.Evidence.Orders[0]
			if m, ok := want[o]; !ok || fmt.Sprint(m) != fmt.Sprint(sig.Evidence.Match) {
				t.Fatalf("order %d flagged on %v, want %v (innocent %d, next door %d, similar phone %d, own purchase paid %d)", o, sig.Evidence.Match, m,
					innocent.ID, nextDoor.ID, similarPhone.ID, paidOwn.ID)
			}
			delete(want, o)
		}
		if len(want) != 0 {
			t.Fatalf("not flagged: %v", want)
		}
		if h := w.held(s.ID); !h.Held {
			t.Fatal("self-purchase holds the seller's settlement by default")
		}
		if h := w.held(w.mid.ID); h.Held {
			t.Fatal("the sponsor is not held")
		}
		// Again, and again after the aggregates are due: nothing new.
		before := len(got)
		w.clock.Advance(2 * time.Hour)
		if again := w.sweep(); len(again) != before {
			t.Fatalf("second sweep: %d signals, want %d", len(again), before)
		}
	})
}

// TestFraudHoldAndRelease: while the seller's self-purchase signal is
// open, its share of a settled line stays pending and the sponsor's moves
// to available; dismissing without a reason changes nothing; dismissing
// with one releases exactly what was held, is audited, and cannot be done
// twice. The ledger balances throughout.
func TestFraudHoldAndRelease(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFraudWorld(t, db)
		s := w.seller
		w.buy(w.sellerActor, w.x, "+8613900000001", "8 Home Lane")
		friend := w.customer()
		w.buy(friend, s, "+8613900000001", "3 Friend Street") // the seller's phone
		sig := w.sweep()
		if len(sig) != 1 || !sig[0].Holds {
			t.Fatalf("signals %+v", sig)
		}
		o := w.buy(w.customer(), s, "+8613700000002", "99 Other Road")
		for _, l := range o.Lines {
			if _, err := db.SettleLine(w.ctx, l.ID); err != nil {
				t.Fatal(err)
			}
		}
		seller, mid := w.wallet(s.ID), w.wallet(w.mid.ID)
		if seller.Available != 0 || seller.Pending != 2000 || mid.Available != 500 || mid.Pending != 500 {
			t.Fatalf("held: seller %+v mid %+v", seller, mid)
		}
		if h := w.held(s.ID); !h.Held || h.Pending != 1000 {
			t.Fatalf("hold %+v", h)
		}
		w.checkLedger()
		// The sponsor is told its share settled; the held seller is not.
		if _, err := db.SweepNotifications(w.ctx, 0); err != nil {
			t.Fatal(err)
		}
		for who, want := range map[int64]int{w.sellerActor.AccountID: 0, w.mid.AccountID: len(o.Lines)} {
			p, err := db.Notifications(w.ctx, account.Actor{AccountID: who}, store.NotificationFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			got := 0
			for _, n := range p.Items {
				if n.Kind == notify.CommissionSettled {
					got++
				}
			}
			if got != want {
				t.Errorf("account %d told of %d settled lines, want %d", who, got, want)
			}
		}
		// The seller's listing shows the held share as pending, not available.
		for st, want := range map[store.ShareStatus]int{store.SharesPending: 2, store.SharesAvailable: 0} {
			l, err := db.Commissions(w.ctx, w.sellerActor, store.CommissionFilter{DistributorID: s.ID, Status: st})
			if err != nil || len(l) != want {
				t.Fatalf("%s shares: %d %v, want %d", st, len(l), err, want)
			}
			for _, r := range l {
				if r.ShareStatus() != st {
					t.Fatalf("share %+v is %s, listed as %s", r, r.ShareStatus(), st)
				}
			}
		}

		_, err := db.ReviewFraudSignal(w.ctx, w.op, sig[0].ID, fraud.Dismissed, "  ")
		wantCode(t, err, errs.Invalid, "reason")
		_, err = db.ReviewFraudSignal(w.ctx, w.sellerActor, sig[0].ID, fraud.Dismissed, "mine")
		if errs.CodeOf(err) != errs.Forbidden && errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("a distributor reviewing: %v", err)
		}
		if h := w.held(s.ID); !h.Held {
			t.Fatal("a refused review released the hold")
		}
		rev, err := db.ReviewFraudSignal(w.ctx, w.op, sig[0].ID, fraud.Dismissed, "a test order, refunded offline")
		if err != nil || rev.Status != fraud.Dismissed || rev.ReviewReason != "a test order, refunded offline" || rev.ReviewedBy != w.op.AccountID {
			t.Fatalf("review %+v %v", rev, err)
		}
		seller = w.wallet(s.ID)
		if seller.Available != 1000 || seller.Pending != 1000 { // the friend's order is not settled yet
			t.Fatalf("released: %+v", seller)
		}
		if h := w.held(s.ID); h.Held || h.Pending != 0 {
			t.Fatalf("hold after review %+v", h)
		}
		_, err = db.ReviewFraudSignal(w.ctx, w.op, sig[0].ID, fraud.Confirmed, "")
		wantCode(t, err, errs.Conflict, "status")
		audit, err := db.AuditLog(w.ctx, store.AuditFilter{Action: "fraud_signal.dismiss"})
		if err != nil || len(audit) != 1 || audit[0].ActorAccountID != w.op.AccountID || audit[0].Subject != fmt.Sprintf("fraud_signal:%d", sig[0].ID) {
			t.Fatalf("audit %+v %v", audit, err)
		}
		w.checkLedger()

		// Held again by a new signal; a refund after settlement of a held
		// share comes out of pending, and a confirmation releases the rest.
		w.clock.Advance(time.Minute)
		w.buy(friend, s, "+8613900000001", "3 Friend Street")
		if l := w.sweep(); len(l) != 2 {
			t.Fatalf("signals %d, want 2", len(l))
		}
		o2 := w.buy(w.customer(), s, "+8613700000009", "5 Quiet Road")
		if _, err := db.SettleLine(w.ctx, o2.Lines[0].ID); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(time.Minute)
		if _, _, err := db.RefundLine(w.ctx, o2.Lines[0].ID, "r1", lineOf(0)); err != nil {
			t.Fatal(err)
		}
		w.checkLedger()
		if h := w.held(s.ID); h.Pending != 0 {
			t.Fatalf("held after the refund: %+v", h)
		}
		open, err := db.FraudSignals(w.ctx, w.op, store.FraudFilter{Status: fraud.Open})
		if err != nil || len(open) != 1 {
			t.Fatalf("open %v %v", open, err)
		}
		if _, err := db.ReviewFraudSignal(w.ctx, w.op, open[0].ID, fraud.Confirmed, ""); err != nil {
			t.Fatal(err)
		}
		if h := w.held(s.ID); h.Held {
			t.Fatal("still held after its last signal was reviewed")
		}
		w.checkLedger()
	})
}

func lineOf(base int64) commission.Line { return commission.Line{Base: money.Amount(base)} }

func (w *fraudWorld) wallet(d int64) wallet.Wallet {
	w.t.Helper()
	v, err := w.db.Wallet(w.ctx, w.op, d)
	if err != nil {
		w.t.Fatal(err)
	}
	return *v
}

// TestFraudClusters: three distributors paid to one card, three whose
// accounts saved one address, three who opened links on one browser are
// each a cluster (size 3); two sharing a card, and three at neighbouring
// doors, are not.
func TestFraudClusters(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFraudWorld(t, db)
		type member struct {
			d *network.Distributor
			a account.Actor
		}
		var ms []member
		for range 9 {
			d, a := w.join("")
			ms = append(ms, member{d, a})
		}
		for i, m := range ms[:3] {
			w.card(m.a, m.d, luhn("622202020011223344")) // one card, three owners
			_ = i
		}
		for _, m := range ms[3:5] {
			w.card(m.a, m.d, luhn("621700001000123456")) // two: under the size
		}
		// Details saved before fingerprints existed get theirs from the sweep.
		w.exec(`UPDATE payout_details SET fingerprint = '' WHERE owner_id = ?`, ms[2].d.ID)
		for i, m := range ms[3:6] {
			if _, err := db.SaveAddress(w.ctx, m.a, store.Address{Name: "X", Phone: "+8613800138000", RegionCode: "CN.44.03.05",
				Address: []string{"7 Shared Court", "7 shared court.", "7  SHARED  COURT"}[i]}); err != nil {
				t.Fatal(err)
			}
		}
		for i, m := range ms[6:9] {
			if _, err := db.SaveAddress(w.ctx, m.a, store.Address{Name: "X", Phone: "+8613800138000", RegionCode: "CN.44.03.05",
				Address: fmt.Sprintf("7 Shared Court, Room %d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		link, err := db.ShareLink(w.ctx, w.sellerActor, w.product, "link")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range append([]member{}, ms[0], ms[6], ms[7]) {
			if _, _, err := db.RecordVisit(w.ctx, m.a, link.Code, "browser-one"); err != nil {
				t.Fatal(err)
			}
		}
		got := kinds(w.sweep())
		want := map[string]int{}
		for _, m := range ms[:3] {
			want[fmt.Sprintf("%d:cluster", m.d.ID)]++ // the card
		}
		for _, m := range ms[3:6] {
			want[fmt.Sprintf("%d:cluster", m.d.ID)]++ // the address
		}
		for _, m := range []member{ms[0], ms[6], ms[7]} {
			want[fmt.Sprintf("%d:cluster", m.d.ID)]++ // the browser
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("clusters %v, want %v", got, want)
		}
		for _, sig := range w.signals(ms[0].d.ID) {
			if !sig.Holds || len(sig.Evidence.Distributors) != 2 || sig.Evidence.Count != 3 {
				t.Fatalf("cluster signal %+v", sig)
			}
		}
		if !w.held(ms[0].d.ID).Held || w.held(ms[8].d.ID).Held {
			t.Fatal("holds")
		}
		w.clock.Advance(2 * time.Hour)
		if again := kinds(w.sweep()); fmt.Sprint(again) != fmt.Sprint(want) {
			t.Fatalf("second sweep %v", again)
		}
	})
}

// TestFraudClickSpam: five visits from one address on a day with no buyer
// is click spam (threshold 5); four are not, and five from an address one
// of whose visitors bought are not.
func TestFraudClickSpam(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFraudWorld(t, db)
		w.fraudSettings(func(f *program.Fraud) { f.ClickSpamVisits = 5 })
		link, err := db.ShareLink(w.ctx, w.sellerActor, w.product, "link")
		if err != nil {
			t.Fatal(err)
		}
		visit := func(addr string, who account.Actor, n int) {
			for i := range n {
				ctx := store.WithClientAddress(w.ctx, addr)
				if _, _, err := db.RecordVisit(ctx, who, link.Code, fmt.Sprintf("v-%s-%d", strings.ReplaceAll(addr, ".", "-"), i)); err != nil {
					t.Fatal(err)
				}
			}
		}
		visit("203.0.113.7", account.Actor{}, 5)
		visit("203.0.113.8", account.Actor{}, 4)
		buyer := w.customer()
		visit("203.0.113.9", account.Actor{}, 4)
		visit("203.0.113.9", buyer, 1)
		w.buy(buyer, w.seller, "+8613700000002", "99 Other Road")
		got := w.sweep()
		if len(got) != 1 || got[0].Kind != fraud.ClickSpam || got[0].DistributorID != w.seller.ID || got[0].Evidence.Count != 5 || got[0].Holds {
			t.Fatalf("signals %+v", got)
		}
		if n := w.int(`SELECT COUNT(*) FROM visits WHERE ip_hash <> '' AND ip_hash NOT LIKE '%.%'`); n != 14 {
			t.Fatalf("%d visits keep their address as a hash, want 14", n)
		}
		if again := w.sweep(); len(again) != 1 {
			t.Fatalf("again: %d", len(again))
		}
	})
}

// TestFraudEmptyTeam: three sign-ups under one sponsor in a week, none of
// whom bought, is empty team growth (threshold 3 in 7 days); three of
// whom one bought, and two, are not; nor three spread over a longer time.
func TestFraudEmptyTeam(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFraudWorld(t, db)
		w.fraudSettings(func(f *program.Fraud) { f.EmptyTeamMembers, f.EmptyTeamDays = 3, 7 })
		slow, _ := w.join("")
		w.join(slow.ReferralCode)
		w.clock.Advance(8 * 24 * time.Hour)
		w.join(slow.ReferralCode)
		w.join(slow.ReferralCode)
		for range 3 {
			w.join(w.seller.ReferralCode)
		}
		_, buyer := w.join(w.x.ReferralCode)
		w.join(w.x.ReferralCode)
		w.join(w.x.ReferralCode)
		w.buy(buyer, nil, "+8613700000002", "99 Other Road")
		w.join(w.root.ReferralCode) // root: mid (long ago) and this one
		got := w.sweep()
		if len(got) != 1 || got[0].Kind != fraud.EmptyTeam || got[0].DistributorID != w.seller.ID || got[0].Evidence.Count != 3 {
			t.Fatalf("signals %+v", got)
		}
	})
}

// TestFraudRefundRate: a seller whose settled sales were refunded above
// the rate (30%, at least 2 orders) is a signal; one just at the rate, and
// one whose refunds came before settlement, are not.
func TestFraudRefundRate(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFraudWorld(t, db)
		w.fraudSettings(func(f *program.Fraud) { f.RefundRate, f.RefundMinOrders = 3000, 2 })
		settle := func(o *order.Order) {
			w.clock.Advance(time.Second)
			for _, l := range o.Lines {
				if _, err := db.SettleLine(w.ctx, l.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		refund := func(o *order.Order, base int64) {
			w.clock.Advance(time.Second)
			if _, _, err := db.RefundLine(w.ctx, o.Lines[0].ID, "r", lineOf(base)); err != nil {
				t.Fatal(err)
			}
		}
		c := w.customer()
		// The seller: two orders settled, one refunded in full after: 50%.
		a, b := w.buy(c, w.seller, "+8613700000002", "99 Other Road"), w.buy(c, w.seller, "+8613700000002", "99 Other Road")
		settle(a)
		settle(b)
		refund(a, 0)
		// x: ten orders of 10000 settled, 30000 refunded after: exactly 30%.
		c2 := w.customer()
		var xs []*order.Order
		for range 10 {
			o := w.buy(c2, w.x, "+8613700000003", "98 Other Road")
			settle(o)
			xs = append(xs, o)
		}
		for _, o := range xs[:3] {
			refund(o, 0)
		}
		// mid: two orders, one refunded before it settled.
		c3 := w.customer()
		m1, m2 := w.buy(c3, w.mid, "+8613700000004", "97 Other Road"), w.buy(c3, w.mid, "+8613700000004", "97 Other Road")
		refund(m1, 0)
		settle(m1)
		settle(m2)
		got := w.sweep()
		if len(got) != 1 || got[0].Kind != fraud.RefundRate || got[0].DistributorID != w.seller.ID || got[0].Evidence.RateBP != 5000 ||
			got[0].Evidence.Settled != 20000 || got[0].Evidence.Refunded != 10000 {
			t.Fatalf("signals %+v", got)
		}
		w.checkLedger()
	})
}

// TestFraudSettingsValidated: a threshold out of range is refused naming
// its field, and changes nothing.
func TestFraudSettingsValidated(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFraudWorld(t, db)
		s, err := db.Settings(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.Fraud.ClusterSize = 1
		_, err = db.UpdateSettings(w.ctx, w.op, s, s.Version)
		wantCode(t, err, errs.Invalid, "fraud.cluster_size")
		if now, _ := db.Settings(context.Background()); now.Fraud != program.DefaultFraud() {
			t.Fatalf("changed: %+v", now.Fraud)
		}
	})
}
