package store_test

import (
	"fmt"
	"sync"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// Orders paid side by side, by customers of sellers whose uplines overlap,
// with their lines in either order; then two sweeps settling them side by
// side. On PostgreSQL this is where transactions taking the same ledger
// rows in different orders would deadlock: every payment and every line must
// go through, and the books must balance.
func TestConcurrentPaymentsAndSettlements(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newLifeWorld(t, db)
		sellers := []int64{w.seller.ID, w.mid.ID, w.root.ID, w.x.ID}
		var custs []account.Actor
		for _, s := range sellers {
			c := w.account(account.Customer)
			w.exec(`INSERT INTO bindings (customer_account_id, distributor_id, mode, bound_at) VALUES (?, ?, 'first_touch', 0)`, c.AccountID, s)
			custs = append(custs, c)
		}
		var orders []*order.Order
		var who []account.Actor
		lines := 0
		for i := range 24 {
			items := []order.Item{{SKUID: w.a1, Quantity: 1}, {SKUID: w.b1, Quantity: 1}}
			if i%2 == 1 {
				items[0], items[1] = items[1], items[0]
			}
			c := custs[i%len(custs)]
			o := w.checkout(c, cart("CN.44.03.05", items...), "")
			orders, who = append(orders, o), append(who, c)
			lines += len(o.Lines)
		}
		var wg sync.WaitGroup
		for k := range 8 {
			wg.Go(func() {
				for i := k; i < len(orders); i += 8 {
					o, ref := orders[i], fmt.Sprintf("sbx_conc_%d", i)
					if _, err := db.StartPayment(w.ctx, who[i], o.ID, "sandbox", ref); err != nil {
						t.Errorf("order %d: start payment: %v", o.ID, err)
						return
					}
					out, _, err := db.ApplyPayment(w.ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: ref, Amount: o.Total, Currency: "CNY", Payload: "{}"})
					if err != nil || out != store.OutcomeApplied {
						t.Errorf("order %d: payment %s %v", o.ID, out, err)
						return
					}
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		for i, o := range orders {
			o, err := db.Order(w.ctx, who[i], o.ID)
			w.must(err)
			w.deliver(o, who[i])
		}
		w.clock.Advance(8 * day)
		for range 2 {
			wg.Go(func() {
				if _, err := db.SettleMaturedLines(w.ctx, 1000); err != nil {
					t.Errorf("settle: %v", err)
				}
			})
		}
		wg.Wait()
		if n := w.int(`SELECT COUNT(*) FROM commission_lines WHERE status = 'settled'`); n != int64(lines) {
			t.Fatalf("%d of %d lines settled", n, lines)
		}
		if n := w.int(`SELECT COUNT(*) FROM orders WHERE status = 'completed'`); n != int64(len(orders)) {
			t.Fatalf("%d of %d orders completed", n, len(orders))
		}
		(&books{t: t, db: db, ctx: w.ctx}).clean()
	})
}

// Two chunks settled side by side, each the first settlement of both
// suppliers, which creates their payable accounts: one chunk meets
// supplier A's line first, the other supplier B's. Accounts created inside
// the transactions would make each wait on the other's new account.
func TestConcurrentChunksCreateAccounts(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newLifeWorld(t, db)
		// Two customers of sellers in separate trees: the chunks lock no
		// wallet in common, so nothing queues them one after the other.
		custs := []account.Actor{w.cust, w.account(account.Customer)}
		w.bind(custs[0], w.seller)
		w.bind(custs[1], w.x)
		for round := range 3 {
			if round > 0 {
				// Fresh suppliers, whose accounts do not exist yet.
				w.a, w.supA = w.supplier(fmt.Sprintf("A%d", round))
				w.b, w.supB = w.supplier(fmt.Sprintf("B%d", round))
				pa := w.product(w.a, "Tea", [2]int64{1999, 2499})
				pb := w.product(w.b, "Cup", [2]int64{1000, 0})
				w.a1, w.b1 = pa.SKUs[0].ID, pb.SKUs[0].ID
				w.warehouse(w.a, "A-CN", 0, []string{"CN"}, map[int64]int64{w.a1: 100})
				w.warehouse(w.b, "B-CN", 0, []string{"CN"}, map[int64]int64{w.b1: 100})
			}
			var chunks [2][]int64
			for k, items := range [][]order.Item{{{SKUID: w.a1, Quantity: 1}, {SKUID: w.b1, Quantity: 1}},
				{{SKUID: w.b1, Quantity: 1}, {SKUID: w.a1, Quantity: 1}}} {
				o := w.checkout(custs[k], cart("CN.44.03.05", items...), "")
				w.pay(o, custs[k])
				w.deliver(o, custs[k])
				for _, l := range o.Lines {
					chunks[k] = append(chunks[k], l.ID)
				}
			}
			w.clock.Advance(8 * day)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for _, ids := range chunks {
				wg.Go(func() {
					<-start
					if n, err := db.SettleLines(w.ctx, "CNY", ids); err != nil || n != len(ids) {
						t.Errorf("round %d: settled %d of %v: %v", round, n, ids, err)
					}
				})
			}
			close(start)
			wg.Wait()
			(&books{t: t, db: db, ctx: w.ctx}).clean()
		}
	})
}
