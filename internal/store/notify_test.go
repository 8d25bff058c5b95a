package store_test

import (
	"maps"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/notify"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// inbox reads every notification of who, page by page (3 a page, so the
// paging is walked), and counts them by kind.
func inbox(t *testing.T, w *lifeWorld, who account.Actor) (map[notify.Kind]int, []notify.Notification, int) {
	t.Helper()
	got, all := map[notify.Kind]int{}, []notify.Notification(nil)
	unread := -1
	for before := ""; ; {
		p, err := w.db.Notifications(w.ctx, who, store.NotificationFilter{Before: before, Limit: 3})
		w.must(err)
		if unread == -1 {
			unread = p.Unread
		}
		for _, n := range p.Items {
			got[n.Kind]++
			if len(all) > 0 {
				prev := all[len(all)-1]
				if n.At.After(prev.At) || (n.At.Equal(prev.At) && n.ID >= prev.ID) {
					t.Fatalf("not newest first: %+v after %+v", n, prev)
				}
			}
			all = append(all, n)
		}
		if before = p.Next; before == "" {
			return got, all, unread
		}
	}
}

func wantInbox(t *testing.T, w *lifeWorld, name string, who account.Actor, want map[notify.Kind]int) []notify.Notification {
	t.Helper()
	got, all, _ := inbox(t, w, who)
	if !maps.Equal(got, want) {
		t.Fatalf("%s's notifications = %v, want %v", name, got, want)
	}
	return all
}

// Every kind of notification comes from a real flow, once each however
// often the sweep runs: joins, checkout, payment, shipping, receipt, a
// refund before settlement, settlement, a withdrawal decided. Then unread
// counts and marking read.
func TestNotificationsFromFlow(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newLifeWorld(t, db)
		rootActor := w.actor(w.root.AccountID)
		_, err := db.OpenShop(w.ctx, w.sellerActor, store.ShopInput{Name: "Seller's shop"})
		w.must(err)
		_, err = db.AddShopItem(w.ctx, w.sellerActor, w.pa)
		w.must(err)
		_, err = db.SetShopPrice(w.ctx, w.sellerActor, w.a1, 2299)
		w.must(err)
		_, err = db.CreateCoupon(w.ctx, w.sellerActor, store.CouponInput{Code: "SAVE10", Kind: store.CouponAmount, Value: 1000})
		w.must(err)
		in := cart("CN.44.03.05", order.Item{SKUID: w.a1, Quantity: 2}, order.Item{SKUID: w.b1, Quantity: 1})
		in.CouponCode = "SAVE10" // binds the customer to the seller
		o := w.checkout(w.cust, in, "")
		w.pay(o, w.cust)
		n, err := db.SweepNotifications(w.ctx, 0)
		w.must(err)
		// Joins (mid under root, seller under mid), the order paid, two
		// fulfilment orders, the commission booked.
		if n != 2+1+2+1 {
			t.Fatalf("first sweep recorded %d events", n)
		}
		wantInbox(t, w, "customer", w.cust, map[notify.Kind]int{notify.OrderPaid: 1})
		w.deliver(o, w.cust)
		w.refund(w.cust, o.Lines[0], 1)
		w.clock.Advance(8 * day)
		w.runDue(2) // settles both lines; the runner's notify sweep records what happened
		wd, err := db.RequestWithdrawal(w.ctx, w.sellerActor, w.seller.ID, 500, "")
		w.must(err)
		_, err = db.ApproveWithdrawal(w.ctx, w.op, wd.ID, "BANK-1")
		w.must(err)
		w.clock.Advance(store.NotifyMargin + 1) // past the margin: the sweep reads only what is new
		for range 2 {
			_, err = db.SweepNotifications(w.ctx, 0)
			w.must(err)
		}

		cust := wantInbox(t, w, "customer", w.cust, map[notify.Kind]int{notify.OrderPaid: 1, notify.OrderShipped: 2, notify.OrderDelivered: 2, notify.AfterSaleDecided: 1})
		if k := cust[0].Kind; k != notify.AfterSaleDecided || cust[0].Data["approved"] != true {
			t.Fatalf("newest of the customer's: %+v", cust[0])
		}
		earner := map[notify.Kind]int{notify.CommissionBooked: 1, notify.CommissionReverse: 1, notify.CommissionSettled: 2}
		seller := wantInbox(t, w, "seller", w.sellerActor, with(earner, notify.WithdrawalDecided, 1))
		wantInbox(t, w, "mid", w.midActor, with(earner, notify.TeamJoined, 1))
		wantInbox(t, w, "root", rootActor, with(earner, notify.TeamJoined, 1))
		wantInbox(t, w, "supplier A", w.a, map[notify.Kind]int{notify.FulfilmentCreated: 1})
		wantInbox(t, w, "supplier B", w.b, map[notify.Kind]int{notify.FulfilmentCreated: 1})
		wantInbox(t, w, "x", w.actor(w.x.AccountID), map[notify.Kind]int{})
		for _, n := range seller {
			if n.Kind == notify.CommissionBooked && n.Amount != 319+600+80 { // tier 1 on both lines and the markup
				t.Fatalf("seller's booked commission %+v", n)
			}
		}

		// Unread counts; marking one, someone else's, then all.
		_, _, unread := inbox(t, w, w.sellerActor)
		if unread != 5 {
			t.Fatalf("seller's unread = %d", unread)
		}
		left, err := db.MarkNotificationsRead(w.ctx, w.sellerActor, []int64{seller[0].ID}, false)
		if err != nil || left != 4 {
			t.Fatalf("mark one: %d %v", left, err)
		}
		_, err = db.MarkNotificationsRead(w.ctx, w.sellerActor, []int64{cust[0].ID}, false)
		wantCode(t, err, errs.NotFound, "ids")
		_, err = db.MarkNotificationsRead(w.ctx, w.sellerActor, nil, false)
		wantCode(t, err, errs.Invalid, "ids")
		if c, _ := db.UnreadNotifications(w.ctx, w.sellerActor); c != 4 {
			t.Fatalf("unread after a refused mark = %d", c)
		}
		if left, err = db.MarkNotificationsRead(w.ctx, w.sellerActor, nil, true); err != nil || left != 0 {
			t.Fatalf("mark all: %d %v", left, err)
		}
		if c, _ := db.UnreadNotifications(w.ctx, w.cust); c != 6 {
			t.Fatalf("customer's unread = %d (the seller's marks touched them?)", c)
		}
		_, err = db.Notifications(w.ctx, w.cust, store.NotificationFilter{Before: "x"})
		wantCode(t, err, errs.Invalid, "before")
		key := w.a
		key.APIKeyID = 1 // a supplier's API key acts for the supplier, not a person
		_, err = db.Notifications(w.ctx, key, store.NotificationFilter{})
		wantCode(t, err, errs.Forbidden, "")
		_, err = db.Notifications(w.ctx, account.Actor{}, store.NotificationFilter{})
		wantCode(t, err, errs.Unauthorized, "")
	})
}

func with(m map[notify.Kind]int, k notify.Kind, n int) map[notify.Kind]int {
	out := maps.Clone(m)
	out[k] = n
	return out
}
