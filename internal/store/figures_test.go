package store_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// figuresWorld extends shopWorld: three tiers, the chain root ← mid ←
// seller ← d4 ← d5 ← d6, products of suppliers A and B.
type figuresWorld struct {
	*shopWorld
	d4, d5, d6     *network.Distributor
	tea, cup       int64 // SKUs: A's tea 10.00 (ceiling 20.00), B's cup 5.00
	teaProd, cupPr int64
}

func newFiguresWorld(t *testing.T, db *store.DB) *figuresWorld {
	w := &figuresWorld{shopWorld: newShopWorld(t, db)}
	w.settings(func(s *program.Settings) { s.Tiers, s.TierRates = 3, []money.Rate{1000, 500, 200} })
	w.d4, _ = w.join(w.seller.ReferralCode)
	w.d5, _ = w.join(w.d4.ReferralCode)
	w.d6, _ = w.join(w.d5.ReferralCode)
	tea := w.product(w.a, "Tea", [2]int64{1000, 2000})
	cup := w.product(w.b, "Cup", [2]int64{500, 0})
	w.tea, w.teaProd, w.cup, w.cupPr = tea.SKUs[0].ID, tea.ID, cup.SKUs[0].ID, cup.ID
	w.warehouse(w.a, "A main", 0, []string{"CN"}, map[int64]int64{w.tea: 1000})
	w.warehouse(w.b, "B main", 0, []string{"CN"}, map[int64]int64{w.cup: 1000})
	return w
}

// customer is a new customer bound to d (nil: unbound).
func (w *figuresWorld) customer(d *network.Distributor) account.Actor {
	c := w.account(account.Customer)
	if d != nil {
		w.bind(c, d)
	}
	return c
}

// buy checks out and pays as the customer would.
func (w *figuresWorld) buy(c account.Actor, region string, items ...order.Item) *order.Order {
	w.t.Helper()
	w.n++
	o := w.checkout(c, cart(region, items...), fmt.Sprintf("fig-%d", w.n))
	ref := fmt.Sprintf("fig-ref-%d", o.ID)
	if _, err := w.db.StartPayment(w.ctx, c, o.ID, "sandbox", ref); err != nil {
		w.t.Fatal(err)
	}
	if _, _, err := w.db.ApplyPayment(w.ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: ref, Amount: o.Total, Currency: o.Currency, Payload: "{}"}); err != nil {
		w.t.Fatal(err)
	}
	return o
}

// foldAll folds every event in batches of batch, and returns how many.
func (w *figuresWorld) foldAll(batch int) int {
	w.t.Helper()
	total := 0
	for {
		n, err := w.db.FoldSalesEvents(w.ctx, batch)
		if err != nil {
			w.t.Fatal(err)
		}
		total += n
		if n < batch {
			return total
		}
	}
}

// checkOracle compares the rollups with a recomputation from the raw tables.
func (w *figuresWorld) checkOracle() {
	w.t.Helper()
	got, err := w.db.FiguresStoredForTest(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	want, err := w.db.FiguresRecomputedForTest(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		w.t.Fatalf("figures differ from the recomputation:\n got %+v\nwant %+v", got, want)
	}
	if len(want.Distributors) == 0 {
		w.t.Fatal("the oracle found no sales: the test proves nothing")
	}
}

func (w *figuresWorld) figures(id int64) *store.TeamFigures {
	w.t.Helper()
	f, err := w.db.TeamFigures(w.ctx, w.op, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return f
}

// TestFiguresFollowOrdersAndRefunds: after paid orders (one of two
// suppliers, one unattributed) and refunds (partial, full), the figures
// equal a recomputation from the raw tables; a sale five levels down shows
// in the team of every ancestor; folding again changes nothing.
func TestFiguresFollowOrdersAndRefunds(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFiguresWorld(t, db)
		deep := w.buy(w.customer(w.d6), "CN.44.03.05", order.Item{SKUID: w.tea, Quantity: 2}, order.Item{SKUID: w.cup, Quantity: 1})
		w.buy(w.customer(w.seller), "CN.11.01.05", order.Item{SKUID: w.tea, Quantity: 3})
		anon := w.buy(w.customer(nil), "CN.51.01.04", order.Item{SKUID: w.cup, Quantity: 2})

		if f := w.figures(w.root.ID); f.TeamSales != 0 {
			t.Fatalf("figures before any fold: %+v", f)
		}
		if n := w.foldAll(2); n != 4 {
			t.Fatalf("folded %d events, want 4 (one per line)", n)
		}
		w.checkOracle()
		d6 := w.figures(w.d6.ID)
		if d6.OwnSales != 2500 || d6.OwnOrders != 1 {
			t.Fatalf("d6 own figures: %+v", d6)
		}
		for _, a := range []*network.Distributor{w.d5, w.d4, w.seller, w.mid, w.root} {
			f := w.figures(a.ID)
			want := d6.OwnSales
			if a.ID == w.mid.ID || a.ID == w.root.ID {
				want += 3000 // the seller's own sale
			}
			if f.TeamSales != want {
				t.Fatalf("team sales of %d: %d, want %d", a.ID, f.TeamSales, want)
			}
		}
		if f := w.figures(w.root.ID); f.SalesByDepth != [3]money.Amount{0, 3000, 0} || f.TeamSize != 5 {
			t.Fatalf("root by depth: %+v", f)
		}

		// A partial refund of the deep tea line, a full one of the anonymous order.
		refund := func(o *order.Order, i int, key string, after commission.Line) {
			t.Helper()
			if _, _, err := db.RefundLine(w.ctx, o.Lines[i].ID, key, after); err != nil {
				t.Fatal(err)
			}
		}
		teaLine := 0
		if deep.Lines[0].SKUID != w.tea {
			teaLine = 1
		}
		refund(deep, teaLine, "r1", commission.Line{Base: 1000, Quantity: 1})
		refund(anon, 0, "r2", commission.Line{})
		if n := w.foldAll(500); n != 2 {
			t.Fatalf("folded %d refund events, want 2", n)
		}
		w.checkOracle()
		if f := w.figures(w.root.ID); f.TeamSales != 1500+3000 {
			t.Fatalf("root team after refund: %+v", f)
		}
		before, _ := db.FiguresStoredForTest(w.ctx)
		if n := w.foldAll(500); n != 0 {
			t.Fatalf("second fold folded %d", n)
		}
		after, _ := db.FiguresStoredForTest(w.ctx)
		if !reflect.DeepEqual(before, after) {
			t.Fatal("a fold with nothing to fold changed the figures")
		}

		// Reports: per tier and region, all suppliers and one.
		tiers, err := db.SalesByTier(w.ctx, w.op, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Lines now: deep tea 10.00 (tiers 1..3), deep cup 5.00 (tiers 1..3),
		// seller tea 30.00 (tiers 1..3 via seller, mid, root), anonymous cup 0.
		if tiers[0].Base != 4500 || tiers[1].Base != 4500 || tiers[3].Base != 4500 || tiers[1].Commission != 450 {
			t.Fatalf("sales by tier: %+v", tiers)
		}
		regions, err := db.SalesByRegion(w.ctx, w.a, 0, "CN")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]money.Amount{}
		for _, r := range regions {
			got[r.Code] = r.Base
		}
		if got["CN.44"] != 1000 || got["CN.11"] != 3000 || got["CN.51"] != 0 || len(regions) != 31 { // every province, sold in or not
			t.Fatalf("supplier A by region under CN: %+v", regions)
		}
	})
}

// TestFiguresFoldOnce: two runners folding at once fold each event once.
func TestFiguresFoldOnce(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFiguresWorld(t, db)
		for _, d := range []*network.Distributor{w.d6, w.d5, w.seller, w.mid, w.x} {
			w.buy(w.customer(d), "CN.32.05.08", order.Item{SKUID: w.tea, Quantity: 1}, order.Item{SKUID: w.cup, Quantity: 2})
		}
		var wg sync.WaitGroup
		counts := make([]int, 2)
		errsOut := make([]error, 2)
		for r := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					n, err := db.FoldSalesEvents(w.ctx, 1)
					if err != nil || n == 0 {
						errsOut[r] = err
						return
					}
					counts[r] += n
				}
			}()
		}
		wg.Wait()
		if errsOut[0] != nil || errsOut[1] != nil {
			t.Fatal(errsOut)
		}
		if counts[0]+counts[1] != 10 {
			t.Fatalf("folded %v events, want 10 in all", counts)
		}
		w.checkOracle()
	})
}

// TestFiguresAuthorisation: a distributor's figures are its own and the
// operators'; reports are the operators' and each supplier's own.
func TestFiguresAuthorisation(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFiguresWorld(t, db)
		w.buy(w.customer(w.seller), "CN.44.03.05", order.Item{SKUID: w.tea, Quantity: 1})
		w.foldAll(500)
		_, err := db.TeamFigures(w.ctx, account.Actor{}, w.seller.ID)
		wantCode(t, err, errs.Unauthorized, "")
		_, err = db.TeamFigures(w.ctx, w.actor(w.x.AccountID), w.seller.ID)
		wantCode(t, err, errs.NotFound, "")
		_, err = db.TeamFigures(w.ctx, w.midActor, w.seller.ID) // the sponsor sees the card only
		wantCode(t, err, errs.Forbidden, "")
		if f, err := db.TeamFigures(w.ctx, w.sellerActor, w.seller.ID); err != nil || f.OwnSales != 1000 {
			t.Fatalf("own figures: %+v %v", f, err)
		}
		_, err = db.TeamMembers(w.ctx, w.sellerActor, w.seller.ID, 4, 0, 10)
		wantCode(t, err, errs.Invalid, "depth")
		_, err = db.TeamMembers(w.ctx, w.actor(w.x.AccountID), w.seller.ID, 1, 0, 10)
		wantCode(t, err, errs.NotFound, "")
		ms, err := db.TeamMembers(w.ctx, w.midActor, w.mid.ID, 1, 0, 10)
		if err != nil || len(ms) != 1 || ms[0].ID != w.seller.ID || ms[0].OwnSales != 1000 || ms[0].AccountID != 0 {
			t.Fatalf("mid's members: %+v %v", ms, err)
		}

		_, err = db.SalesByTier(w.ctx, w.sellerActor, 0)
		wantCode(t, err, errs.Forbidden, "")
		_, err = db.SalesByTier(w.ctx, account.Actor{}, 0)
		wantCode(t, err, errs.Unauthorized, "")
		_, err = db.SalesByTier(w.ctx, w.b, w.supA.ID)
		wantCode(t, err, errs.NotFound, "")
		_, err = db.SalesByTier(w.ctx, w.op, 999999)
		wantCode(t, err, errs.NotFound, "")
		_, err = db.SalesByRegion(w.ctx, w.op, 0, "XX.99")
		wantCode(t, err, errs.Invalid, "parent")
		if b, err := db.SalesByTier(w.ctx, w.b, 0); err != nil || b[0].Base != 0 {
			t.Fatalf("supplier B sees %+v %v", b, err)
		}
		if a, err := db.SalesByTier(w.ctx, w.a, 0); err != nil || a[0].Base != 1000 {
			t.Fatalf("supplier A sees %+v %v", a, err)
		}
		top, err := db.SalesByRegion(w.ctx, w.op, 0, "")
		if err != nil || len(top) != 1 || top[0].Code != "CN" || top[0].Base != 1000 || !top[0].HasChildren {
			t.Fatalf("top regions: %+v %v", top, err)
		}
	})
}
