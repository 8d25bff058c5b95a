package demo

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
	"sharemall/internal/wallet"
)

func TestSeedTwice(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		opt := Options{HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1}}
		r, err := Seed(ctx, db, opt)
		if err != nil {
			t.Fatal(err)
		}
		if r.Reused || r.Suppliers != 3 || r.Products != 30 || r.Distributors != 200 || r.Generations < 4 || r.Customers != 20 {
			t.Fatalf("demo = %+v", r)
		}
		problems, err := db.CheckNetwork(ctx)
		if err != nil || len(problems) > 0 {
			t.Fatalf("network check: %v %v", problems, err)
		}
		ledger, err := db.CheckLedger(ctx)
		if err != nil || len(ledger) > 0 {
			t.Fatalf("ledger check: %v %v", ledger, err)
		}
		t.Logf("orders %v, withdrawals %v", r.Orders, r.Withdrawals)
		total := 0
		for _, state := range []string{StateUnpaid, StatePaid, StateShipped, StateReceived, StateSettled,
			StatePartlyRefunded, StateFullyRefunded, StateCancelled} {
			if r.Orders[state] == 0 {
				t.Errorf("no order is %s: %v", state, r.Orders)
			}
			total += r.Orders[state]
		}
		if total != 55 {
			t.Errorf("%d orders, want 55: %v", total, r.Orders)
		}
		for _, status := range []wallet.Status{wallet.Requested, wallet.Approved, wallet.Paid} {
			if r.Withdrawals[string(status)] == 0 {
				t.Errorf("no withdrawal is %s: %v", status, r.Withdrawals)
			}
		}
		if db.Now().Before(time.Now().Add(-time.Minute)) {
			t.Errorf("the demo left the clock at %v", db.Now())
		}
		checkFeesPayoutsNotifications(t, ctx, db)
		again, err := Seed(ctx, db, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Reused || again.Distributors != 200 || again.Products != 30 || !maps.Equal(again.Orders, r.Orders) {
			t.Fatalf("second run = %+v", again)
		}
		// Every demo login works with the demo password.
		for _, l := range r.Logins {
			c, err := db.CredentialsFor(ctx, l.Login, "")
			if err != nil {
				t.Fatalf("%s: %v", l.Login, err)
			}
			if ok, err := account.VerifyPassword(c.PasswordHash, Password); !ok || err != nil {
				t.Fatalf("%s: password does not verify", l.Login)
			}
		}
	})
}

// checkFeesPayoutsNotifications: the demo shows what issue 13 added:
// shipping fees charged, payout details recorded and masked, a paid
// withdrawal with tax withheld, and unread notifications for its people.
func checkFeesPayoutsNotifications(t *testing.T, ctx context.Context, db *store.DB) {
	t.Helper()
	op, err := actorOf(ctx, db, operatorLogin)
	if err != nil {
		t.Fatal(err)
	}
	orders, err := db.Orders(ctx, op, order.Filter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var charged, free int
	for _, o := range orders {
		for _, f := range o.Fulfilments {
			if f.ShippingFee > 0 {
				charged++
			} else if f.ShippingBasis != nil {
				free++
			}
		}
	}
	if charged < 10 || free == 0 {
		t.Errorf("%d parcels charged a fee, %d shipped free above the amount", charged, free)
	}
	ws, err := db.Withdrawals(ctx, op, store.WithdrawalFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	paidWithTax := false
	for _, w := range ws {
		if w.PayoutTo == nil {
			t.Errorf("withdrawal %d has no payout details", w.ID)
		} else if strings.Contains(fmt.Sprint(*w.PayoutTo), "6222021001123456789") {
			t.Errorf("withdrawal %d shows the card unmasked: %+v", w.ID, *w.PayoutTo)
		}
		if w.Status == wallet.Paid && w.Withheld > 0 && w.Withheld == w.Amount*demoWithholdingRate/10000 {
			paidWithTax = true
		}
	}
	if !paidWithTax {
		t.Errorf("no paid withdrawal shows tax withheld: %+v", ws)
	}
	paid, approved := 0, 0
	for _, sup := range demoSuppliers[:2] {
		a, err := actorOf(ctx, db, sup.login)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := db.SupplierPayouts(ctx, op, a.SupplierID, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.PayoutTo == nil {
				t.Errorf("supplier payout %d has no payout details", p.ID)
			}
			switch p.Status {
			case "paid":
				paid++
			case "approved":
				approved++
			}
		}
	}
	if paid != 1 || approved != 1 {
		t.Errorf("supplier payouts: %d paid, %d approved; want one each", paid, approved)
	}
	for _, login := range []string{"customer01@demo.example.com", demoShops[0].login, demoSuppliers[0].login} {
		a, err := actorOf(ctx, db, login)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := db.UnreadNotifications(ctx, a); err != nil || n == 0 {
			t.Errorf("%s has %d unread notifications (%v)", login, n, err)
		}
	}
}

func actorOf(ctx context.Context, db *store.DB, login string) (account.Actor, error) {
	c, err := db.CredentialsFor(ctx, login, "")
	if err != nil {
		return account.Actor{}, err
	}
	return db.ActorFor(ctx, c.AccountID)
}
