package store_test

import (
	"fmt"
	"reflect"

	"testing"
	"time"

	"pgregory.net/rapid"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// fissionWorld drives share links, visits, bindings, orders, settlements
// and joins for the fission tests.
type fissionWorld struct {
	*figuresWorld
	dists     []*network.Distributor
	actors    map[int64]account.Actor // distributor → its account
	codes     []string                // share link codes made
	customers []account.Actor
	open      []*order.Order      // paid orders not completed yet
	completed map[int64]time.Time // order → when it completed
	buyers    map[int64]account.Actor
}

func newFissionWorld(t *testing.T, db *store.DB) *fissionWorld {
	w := &fissionWorld{figuresWorld: newFiguresWorld(t, db), actors: map[int64]account.Actor{},
		completed: map[int64]time.Time{}, buyers: map[int64]account.Actor{}}
	w.dists = []*network.Distributor{w.mid, w.seller}
	w.actors[w.mid.ID], w.actors[w.seller.ID] = w.midActor, w.sellerActor
	return w
}

func (w *fissionWorld) joinUnder(sponsor *network.Distributor) *network.Distributor {
	d, a := w.join(sponsor.ReferralCode)
	w.dists = append(w.dists, d)
	w.actors[d.ID] = a
	return d
}

func (w *fissionWorld) link(d *network.Distributor, product int64, channel string) string {
	w.t.Helper()
	l, err := w.db.ShareLink(w.ctx, w.actors[d.ID], product, channel)
	if err != nil {
		w.t.Fatal(err)
	}
	w.codes = append(w.codes, l.Code)
	return l.Code
}

func (w *fissionWorld) visit(who account.Actor, code, visitor string) {
	w.t.Helper()
	if _, _, err := w.db.RecordVisit(w.ctx, who, code, visitor); err != nil {
		w.t.Fatal(err)
	}
}

// complete ships and receives o's goods and settles its lines: the order
// completes now.
func (w *fissionWorld) complete(o *order.Order) {
	w.t.Helper()
	for _, f := range o.Fulfilments {
		sup := w.a
		if f.SupplierID == w.supB.ID {
			sup = w.b
		}
		if _, err := w.db.ShipFulfilment(w.ctx, sup, f.ID, "SF Express", fmt.Sprintf("SF%08d", f.ID)); err != nil {
			w.t.Fatal(err)
		}
		if _, err := w.db.ConfirmReceipt(w.ctx, w.buyers[o.ID], f.ID); err != nil {
			w.t.Fatal(err)
		}
	}
	for _, l := range o.Lines {
		if _, err := w.db.SettleLine(w.ctx, l.ID); err != nil {
			w.t.Fatal(err)
		}
	}
	w.completed[o.ID] = w.clock.Now()
}

func (w *fissionWorld) rows(q string, args ...any) ([][]int64, [][]string) {
	w.t.Helper()
	n, s, err := w.db.InsightRowsForTest(w.ctx, q, args...)
	if err != nil {
		w.t.Fatal(err)
	}
	return n, s
}

// funnelKey is one funnel row the oracle computes: scope, grain, period,
// distributor (0: all), product (0: all).
type funnelKey struct {
	supplier    int64
	grain       insight.Grain
	period      int
	distributor int64
	product     int64
}

// fissionOracle computes every funnel row and every cohort from the raw
// tables (share links, visits, binding events, orders and their lines,
// distributors), bucketed in the program's time zone.
func (w *fissionWorld) fissionOracle(loc *time.Location) (map[funnelKey]*insight.Funnel, map[int][3]int64, map[[2]int]int64) {
	supplierOf := map[int64]int64{w.teaProd: w.supA.ID, w.cupPr: w.supB.ID}
	out := map[funnelKey]*insight.Funnel{}
	seen := map[string]bool{}
	// add counts one step at instant at for distributor d and the products
	// (each with its supplier); order steps count the order once per row.
	add := func(at int64, d int64, products []int64, bump func(f *insight.Funnel, key funnelKey) bool) {
		day := insight.DateOf(insight.DayKey(time.UnixMicro(at), loc), loc)
		for _, g := range insight.Grains {
			period := insight.Key(insight.Start(g, day))
			scopes := map[int64]bool{0: true}
			for _, p := range products {
				if p != 0 {
					scopes[supplierOf[p]] = true
				}
			}
			for sup := range scopes {
				keys := map[[2]int64]bool{{d, 0}: true, {0, 0}: true}
				for _, p := range products {
					if p != 0 && (sup == 0 || supplierOf[p] == sup) {
						keys[[2]int64{0, p}] = true
					}
				}
				for k := range keys {
					fk := funnelKey{sup, g, period, k[0], k[1]}
					f := out[fk]
					if f == nil {
						f = &insight.Funnel{}
						out[fk] = f
					}
					bump(f, fk)
				}
			}
		}
	}
	n, _ := w.rows(`SELECT distributor_id, COALESCE(product_id, 0), created_at FROM share_links`)
	for _, r := range n {
		add(r[2], r[0], []int64{r[1]}, func(f *insight.Funnel, _ funnelKey) bool { f.Links++; return true })
	}
	n, s := w.rows(`SELECT distributor_id, COALESCE(product_id, 0), at, COALESCE(customer_account_id, 0), visitor FROM visits WHERE channel <> 'coupon'`)
	for i, r := range n {
		who := ""
		if v := s[i][4]; v != "" {
			who = "v:" + v
		} else if r[3] != 0 {
			who = fmt.Sprintf("a:%d", r[3])
		}
		d, p := r[0], r[1]
		add(r[2], d, []int64{p}, func(f *insight.Funnel, k funnelKey) bool {
			f.Visits++
			// A unique visitor is the first visit of one per (distributor,
			// product, period): a row counts the distinct (distributor,
			// product, visitor) of its visits.
			id := fmt.Sprintf("%v|%d/%d/%s", k, d, p, who)
			if who != "" && !seen[id] {
				seen[id] = true
				f.Visitors++
			}
			return true
		})
	}
	n, _ = w.rows(`SELECT e.distributor_id, COALESCE(v.product_id, 0), e.at FROM binding_events e LEFT JOIN visits v ON v.id = e.visit_id
		WHERE e.outcome IN ('bound', 'rebound')`)
	for _, r := range n {
		add(r[2], r[0], []int64{r[1]}, func(f *insight.Funnel, _ funnelKey) bool { f.Bindings++; return true })
	}
	products := map[int64][]int64{}
	n, _ = w.rows(`SELECT DISTINCT order_id, product_id FROM order_lines ORDER BY order_id, product_id`)
	for _, r := range n {
		products[r[0]] = append(products[r[0]], r[1])
	}
	n, _ = w.rows(`SELECT id, seller_id, created_at, COALESCE(paid_at, 0) FROM orders WHERE seller_id IS NOT NULL`)
	for _, r := range n {
		add(r[2], r[1], products[r[0]], func(f *insight.Funnel, _ funnelKey) bool { f.Orders++; return true })
		if r[3] != 0 {
			add(r[3], r[1], products[r[0]], func(f *insight.Funnel, _ funnelKey) bool { f.Paid++; return true })
		}
		if at, ok := w.completed[r[0]]; ok {
			add(at.UnixMicro(), r[1], products[r[0]], func(f *insight.Funnel, _ funnelKey) bool { f.Settled++; return true })
		}
	}
	// Cohorts: joins by month, invitations by the sponsor's month.
	cohorts := map[int][3]int64{}
	joined := map[int64]int64{}
	n, _ = w.rows(`SELECT d.id, d.joined_at, COALESCE(s.joined_at, -1) FROM distributors d LEFT JOIN distributors s ON s.id = d.sponsor_id`)
	for _, r := range n {
		joined[r[0]] = r[1]
		c := cohorts[insight.MonthKey(time.UnixMicro(r[1]), loc)]
		c[0]++
		cohorts[insight.MonthKey(time.UnixMicro(r[1]), loc)] = c
		if r[2] >= 0 {
			sk := insight.MonthKey(time.UnixMicro(r[2]), loc)
			c := cohorts[sk]
			c[2]++
			if time.Duration(r[1]-r[2])*time.Microsecond <= 30*24*time.Hour {
				c[1]++
			}
			cohorts[sk] = c
		}
	}
	active := map[[3]int64]bool{}
	n, _ = w.rows(`SELECT seller_id, paid_at FROM orders WHERE seller_id IS NOT NULL AND paid_at IS NOT NULL`)
	for _, r := range n {
		c := insight.MonthKey(time.UnixMicro(joined[r[0]]), loc)
		m := insight.MonthKey(time.UnixMicro(r[1]), loc)
		active[[3]int64{int64(c), r[0], int64(m)}] = true
	}
	retention := map[[2]int]int64{}
	for k := range active {
		kk := insight.MonthsBetween(insight.DateOf(int(k[0]), loc), insight.DateOf(int(k[2]), loc))
		if kk <= insight.MaxRetentionMonths {
			retention[[2]int{int(k[0]), kk}]++
		}
	}
	return out, cohorts, retention
}

// TestFunnelEqualsBruteForce: random share links, visits (anonymous and
// signed in, so some bind), orders paid and unpaid, completions and joins
// across days, weeks and months, folded in random slices; then the funnel
// of every scope, grain and row (totals, each distributor, each product)
// and every cohort equal a computation over the raw tables.
func TestFunnelEqualsBruteForce(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFissionWorld(t, db)
		first := w.clock.Now()
		s, err := db.Settings(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		loc := s.Location()
		tokens := []string{"", "tok-a", "tok-b", "tok-c"}
		rapid.Check(t, func(rt *rapid.T) {
			for range rapid.IntRange(1, 8).Draw(rt, "steps") {
				switch op := rapid.IntRange(0, 12).Draw(rt, "op"); {
				case op <= 1: // a share link (asking twice gives the same link)
					d := rapid.SampledFrom(w.dists).Draw(rt, "sharer")
					p := rapid.SampledFrom([]int64{w.teaProd, w.cupPr}).Draw(rt, "product")
					w.link(d, p, rapid.SampledFrom([]string{"link", "poster"}).Draw(rt, "channel"))
				case op <= 4: // a visit, anonymous or by a (new) signed-in customer
					if len(w.codes) == 0 {
						continue
					}
					code := rapid.SampledFrom(w.codes).Draw(rt, "code")
					var who account.Actor
					switch rapid.IntRange(0, 2).Draw(rt, "visitor kind") {
					case 1:
						who = w.account(account.Customer)
						w.customers = append(w.customers, who)
					case 2:
						if len(w.customers) > 0 {
							who = rapid.SampledFrom(w.customers).Draw(rt, "customer")
						}
					}
					w.visit(who, code, rapid.SampledFrom(tokens).Draw(rt, "token"))
				case op <= 6: // an order by a customer (bound or not), paid or left unpaid
					if len(w.customers) == 0 {
						continue
					}
					c := rapid.SampledFrom(w.customers).Draw(rt, "buyer")
					var items []order.Item
					if rapid.Bool().Draw(rt, "tea") {
						items = append(items, order.Item{SKUID: w.tea, Quantity: 1})
					}
					if len(items) == 0 || rapid.Bool().Draw(rt, "cup") {
						items = append(items, order.Item{SKUID: w.cup, Quantity: 2})
					}
					if rapid.IntRange(0, 3).Draw(rt, "unpaid") == 0 {
						w.n++
						w.checkout(c, cart("CN.44.03.05", items...), fmt.Sprintf("fis-%d", w.n))
						continue
					}
					o := w.buy(c, "CN.44.03.05", items...)
					w.buyers[o.ID] = c
					w.open = append(w.open, o)
				case op == 7: // an order completes
					if len(w.open) == 0 {
						continue
					}
					i := rapid.IntRange(0, len(w.open)-1).Draw(rt, "completed")
					w.complete(w.open[i])
					w.open = append(w.open[:i], w.open[i+1:]...)
				case op == 8: // a distributor joins
					w.joinUnder(rapid.SampledFrom(w.dists).Draw(rt, "sponsor"))
				case op <= 10: // time passes: hours, or weeks
					h := rapid.IntRange(1, 60).Draw(rt, "hours")
					if rapid.IntRange(0, 4).Draw(rt, "long") == 0 {
						h *= 12
					}
					w.clock.Advance(time.Duration(h) * time.Hour)
				default: // a partial fold
					if _, err := db.FoldInsight(w.ctx, rapid.IntRange(1, 9).Draw(rt, "fold limit")); err != nil {
						rt.Fatal(err)
					}
				}
			}
			foldInsightAll(rt, db, w.figuresWorld)
			w.checkFission(rt, loc, first, rapid.SampledFrom(insight.Grains).Draw(rt, "grain"))
		})
		var got [7]int64
		for _, sup := range []int64{0} {
			r, err := db.InsightFunnel(w.ctx, w.op, store.FunnelQuery{Grain: insight.Month, From: first, To: w.clock.Now(), SupplierID: sup})
			if err != nil {
				t.Fatal(err)
			}
			copy(got[:], r.Total.Steps())
		}
		for i, n := range got {
			if n == 0 {
				t.Errorf("step %s never happened: the test proves too little (%v)", insight.FunnelSteps[i], got)
			}
		}
	})
}

// checkFission compares the folded funnel (every scope, the grain's
// periods since first, the totals, each distributor and each product) and
// the cohorts with the oracle.
func (w *fissionWorld) checkFission(tb fataler, loc *time.Location, first time.Time, g insight.Grain) {
	tb.Helper()
	want, cohorts, retention := w.fissionOracle(loc)
	for _, sup := range []int64{0, w.supA.ID, w.supB.ID} {
		var keys [][2]int64
		keys = append(keys, [2]int64{0, 0}, [2]int64{0, w.teaProd}, [2]int64{0, w.cupPr})
		for _, d := range w.dists {
			keys = append(keys, [2]int64{d.ID, 0})
		}
		for _, k := range keys {
			if sup == w.supA.ID && k[1] == w.cupPr || sup == w.supB.ID && k[1] == w.teaProd {
				continue // another supplier's product: refused (TestFunnelScoping)
			}
			r, err := w.db.InsightFunnel(w.ctx, w.op, store.FunnelQuery{Grain: g, From: first, To: w.clock.Now(),
				DistributorID: k[0], ProductID: k[1], SupplierID: sup})
			if err != nil {
				tb.Fatal(err)
			}
			for _, p := range r.Points {
				exp := insight.Funnel{Period: p.Period}
				if f := want[funnelKey{sup, g, insight.Key(p.Period), k[0], k[1]}]; f != nil {
					exp = *f
					exp.Period = p.Period
				}
				if p != exp {
					tb.Fatalf("supplier %d, %s %s, distributor %d, product %d: folded %+v, raw tables %+v",
						sup, g, insight.FormatDate(p.Period), k[0], k[1], p, exp)
				}
			}
		}
	}
	rep, err := w.db.InsightCohorts(w.ctx, w.op)
	if err != nil {
		tb.Fatal(err)
	}
	got := map[int][3]int64{}
	gotRet := map[[2]int]int64{}
	for _, c := range rep.Cohorts {
		got[insight.Key(c.Month)] = [3]int64{c.Joined, c.Invited30, c.Invited}
		for k, n := range c.Active {
			if n != 0 {
				gotRet[[2]int{insight.Key(c.Month), k}] = n
			}
		}
	}
	if !reflect.DeepEqual(got, cohorts) {
		tb.Fatalf("cohorts folded %v, raw tables %v", got, cohorts)
	}
	if !reflect.DeepEqual(gotRet, retention) {
		tb.Fatalf("retention folded %v, raw tables %v", gotRet, retention)
	}
}

// TestFunnelScoping: a supplier sees its own goods' funnel only (another's
// is NotFound, its product refused, and the program's shop-link steps and
// another supplier's orders never show in its own); cohorts are the
// operator's only; bad queries are refused by field.
func TestFunnelScoping(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFissionWorld(t, db)
		day := w.clock.Now()
		code := w.link(w.seller, w.cupPr, "link") // supplier B's cup
		c := w.account(account.Customer)
		w.visit(c, code, "tok-1")
		w.visit(account.Actor{}, code, "tok-2")
		o := w.buy(c, "CN.44.03.05", order.Item{SKUID: w.cup, Quantity: 1})
		w.buyers[o.ID] = c
		foldInsightAll(t, db, w.figuresWorld)
		q := store.FunnelQuery{Grain: insight.Day, From: day, To: w.clock.Now()}
		a, err := db.InsightFunnel(w.ctx, w.a, q)
		if err != nil {
			t.Fatal(err)
		}
		if a.SupplierID != w.supA.ID || a.Total != (insight.Funnel{}) {
			t.Fatalf("supplier A sees %+v", a)
		}
		b, err := db.InsightFunnel(w.ctx, w.b, q)
		if err != nil {
			t.Fatal(err)
		}
		if want := (insight.Funnel{Links: 1, Visits: 2, Visitors: 2, Bindings: 1, Orders: 1, Paid: 1}); b.SupplierID != w.supB.ID || b.Total != want {
			t.Fatalf("supplier B sees %+v, want %+v", b.Total, want)
		}
		q.SupplierID = w.supB.ID
		if _, err := db.InsightFunnel(w.ctx, w.a, q); !errs.Is(err, errs.NotFound) {
			t.Fatalf("supplier A asking for B's funnel: %v, want NotFound", err)
		}
		q.SupplierID = 0
		q.ProductID = w.cupPr
		if _, err := db.InsightFunnel(w.ctx, w.a, q); errs.FieldOf(err) != "product" {
			t.Fatalf("supplier A asking for B's product: %v, want refused on product", err)
		}
		q.DistributorID = w.seller.ID
		if _, err := db.InsightFunnel(w.ctx, w.op, q); errs.FieldOf(err) != "product" {
			t.Fatalf("a distributor and a product at once: %v, want refused on product", err)
		}
		q.ProductID, q.DistributorID = 0, 999999
		if _, err := db.InsightFunnel(w.ctx, w.op, q); errs.FieldOf(err) != "distributor" {
			t.Fatalf("an unknown distributor: %v, want refused on distributor", err)
		}
		q.DistributorID, q.Grain = 0, "year"
		if _, err := db.InsightFunnel(w.ctx, w.op, q); errs.FieldOf(err) != "grain" {
			t.Fatalf("a bad grain: %v, want refused on grain", err)
		}
		if _, err := db.InsightFunnel(w.ctx, w.sellerActor, store.FunnelQuery{From: day, To: day}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a distributor reading the funnel: %v, want Forbidden", err)
		}
		if _, err := db.InsightCohorts(w.ctx, w.b); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a supplier reading cohorts: %v, want Forbidden", err)
		}
		rep, err := db.InsightCohorts(w.ctx, w.op)
		if err != nil || len(rep.Cohorts) != 1 || rep.Cohorts[0].Active[0] != 1 {
			t.Fatalf("cohorts %+v, %v", rep, err)
		}
	})
}

// TestFunnelHistoryFolded: migration 00027 appends the funnel events of
// the history already in the tables (links, visits, bindings, joins,
// orders placed, paid and completed), and the first sweep folds them into
// the same figures as events recorded as they happened.
func TestFunnelHistoryFolded(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFissionWorld(t, db)
		first := w.clock.Now()
		d := w.joinUnder(w.seller)
		tea, cup := w.link(w.seller, w.teaProd, "link"), w.link(d, w.cupPr, "poster")
		for i := range 6 {
			c := w.account(account.Customer)
			w.customers = append(w.customers, c)
			w.visit(c, []string{tea, cup}[i%2], fmt.Sprintf("t%d", i%4))
			w.visit(account.Actor{}, tea, "anon")
			o := w.buy(c, "CN.44.03.05", order.Item{SKUID: w.tea, Quantity: 1}, order.Item{SKUID: w.cup, Quantity: 1})
			w.buyers[o.ID] = c
			if i%2 == 0 {
				w.complete(o)
			}
			w.clock.Advance(9 * 24 * time.Hour)
			w.joinUnder(w.dists[i%len(w.dists)])
		}
		if err := db.MigrateDownToForTest(w.ctx, 26); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(w.ctx); err != nil {
			t.Fatal(err)
		}
		foldInsightAll(t, db, w.figuresWorld)
		s, err := db.Settings(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range insight.Grains {
			w.checkFission(t, s.Location(), first, g)
		}
		r, err := db.InsightFunnel(w.ctx, w.op, store.FunnelQuery{Grain: insight.Month, From: first, To: w.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if want := (insight.Funnel{Links: 2, Visits: 12, Orders: 6, Paid: 6, Settled: 3}); r.Total.Links != want.Links ||
			r.Total.Visits != want.Visits || r.Total.Orders != want.Orders || r.Total.Paid != want.Paid || r.Total.Settled != want.Settled {
			t.Fatalf("history folded %+v, want %+v", r.Total, want)
		}
	})
}

// TestFunnelEventsAreDueWork: funnel events wait for the insight sweep
// like its other events, so jobs status and the metrics count them.
func TestFunnelEventsAreDueWork(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFissionWorld(t, db)
		foldInsightAll(t, db, w.figuresWorld)
		due := func() int64 {
			t.Helper()
			list, err := db.JobsDue(w.ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range list {
				if d.Sweep == store.SweepInsight {
					return d.Due
				}
			}
			t.Fatal("no insight sweep in jobs status")
			return 0
		}
		if n := due(); n != 0 {
			t.Fatalf("%d due after the fold", n)
		}
		code := w.link(w.seller, w.teaProd, "link")
		w.visit(account.Actor{}, code, "tok")
		if n := due(); n != 2 {
			t.Fatalf("%d due after a link and a visit, want 2", n)
		}
		foldInsightAll(t, db, w.figuresWorld)
		if n := due(); n != 0 {
			t.Fatalf("%d due after folding them", n)
		}
	})
}
