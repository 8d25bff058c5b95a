package demo

import (
	"context"
	"maps"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/fraud"
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
		// The fraud queue has the demo's flagged distributors: a cluster
		// that holds three, and click spam on one shop's link.
		op, err := db.ActorFor(ctx, mustAccount(t, db, operatorLogin))
		if err != nil {
			t.Fatal(err)
		}
		signals, err := db.FraudSignals(ctx, op, store.FraudFilter{Status: fraud.Open})
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[fraud.Kind]int{}
		for _, s := range signals {
			kinds[s.Kind]++
		}
		if kinds[fraud.Cluster] < 3 || kinds[fraud.ClickSpam] < 1 {
			t.Errorf("fraud signals %v", kinds)
		}
		if db.Now().Before(time.Now().Add(-time.Minute)) {
			t.Errorf("the demo left the clock at %v", db.Now())
		}
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

func mustAccount(t *testing.T, db *store.DB, login string) int64 {
	t.Helper()
	c, err := db.CredentialsFor(context.Background(), login, "")
	if err != nil {
		t.Fatal(err)
	}
	return c.AccountID
}
