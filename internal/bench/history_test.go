package bench

import (
	"context"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"sharemall/internal/bench/seed"
	"sharemall/internal/sqldb"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestHistory generates a small program and 2,000 orders of history, and
// checks it against real orders: the ledger check passes; every table a
// real (placed, paid, shipped, received, settled) order writes grows by
// the same rows per order line in the history (so a table checkout or
// settlement writes that the history forgets fails it, as does one copied
// twice); the unique keys hold; the times lie in the past year in id order;
// and real orders placed and settled afterwards leave the books sound.
func TestHistory(t *testing.T) {
	if raceDetector {
		// Bulk generation and a server in another process: nothing the race
		// detector can watch, and the slowest tests under it. .ci/run runs
		// this test without -race, beside the plain packages.
		t.Skip("run without -race (.ci/run)")
	}
	if testing.Short() {
		t.Skip("places a few hundred orders over HTTP")
	}
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const orders = 2000
		opt := Options{Distributors: 2000, Clients: 4, Seed: 1, Orders: orders}
		r := &run{opt: opt, db: db, logf: t.Logf}
		var err error
		if r.prog, err = seed.Seed(ctx, db, Size(opt.Distributors, opt.Seed), nil); err != nil {
			t.Fatal(err)
		}
		stop, err := r.serve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		counts := map[string]map[string]int64{}
		snap := func(stage string) {
			c, err := seed.TableCounts(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			counts[stage] = c
		}
		snap("start")
		r.histStage = snap
		h, err := r.history(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v", *h)
		c0, cS, cT, c1 := counts["start"], counts["settled"], counts["templates"], counts["copies"]
		if got := c1["orders"] - c0["orders"]; got != orders || h.Orders != orders {
			t.Fatalf("history wrote %d orders (reported %d), want %d", got, h.Orders, orders)
		}
		if bad, err := db.CheckLedger(ctx); err != nil || len(bad) > 0 {
			t.Fatalf("CheckLedger after the history: %v %v", err, bad[:min(5, len(bad))])
		}
		// Nothing is left for the sweeps to fold.
		var unfolded int64
		read(t, db, `SELECT (SELECT COUNT(*) FROM sales_events WHERE folded = FALSE OR insight_folded = FALSE OR sim_folded = FALSE)
			+ (SELECT COUNT(*) FROM funnel_events WHERE folded = FALSE) + (SELECT COUNT(*) FROM insight_events WHERE folded = FALSE)`, &unfolded)
		if unfolded != 0 {
			t.Errorf("%d events left unfolded after the history's fold", unfolded)
		}

		// Rows per order line: the copies (c1 - cT) against the settled
		// templates, real orders placed, paid, shipped, received and settled
		// through the server (cS - c0). A table those write that the copies
		// do not (or write twice as often) fails. Ledger accounts are one per
		// party, opened by its first order.
		tplLines := float64(cS["order_lines"] - c0["order_lines"])
		copyLines := float64(c1["order_lines"] - cT["order_lines"])
		if tplLines < 100 || copyLines < 1000 {
			t.Fatalf("%v template lines, %v copied lines", tplLines, copyLines)
		}
		checked := 0
		for _, tb := range slices.Sorted(maps.Keys(c1)) {
			real, copied := float64(cS[tb]-c0[tb])/tplLines, float64(c1[tb]-cT[tb])/copyLines
			if tb == "ledger_accounts" || real == 0 && !slices.Contains(seed.HistoryTables(), tb) {
				continue // one per party; the folds' rollups
			}
			checked++
			// The copies are 98% settled (the rest within the after-sale
			// window, their settlement rows still to come) and drawn from
			// the templates at random: a few percent apart at most.
			if math.Abs(copied-real) > 0.12*real {
				t.Errorf("%s: %.3f rows per order line in the copies, %.3f in real orders", tb, copied, real)
			}
		}
		if checked < len(seed.HistoryTables()) {
			t.Errorf("compared %d tables, the history copies %d", checked, len(seed.HistoryTables()))
		}

		// The team figures, folded for the templates and scaled for k copies
		// of each, are what the sweep folding every event itself gives.
		scaled := figures(t, db)
		if len(scaled) == 0 {
			t.Fatal("no team figures")
		}
		if err := db.DB.Write(ctx, func(tx *sqldb.Tx) error {
			for _, q := range []string{`UPDATE sales_events SET folded = FALSE`, `DELETE FROM distributor_sales`,
				`DELETE FROM sales_by_tier`, `DELETE FROM sales_by_region`} {
				if _, err := tx.Exec(ctx, q); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for {
			n, err := db.FoldSalesEvents(ctx, 5000)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		if folded := figures(t, db); !maps.Equal(scaled, folded) {
			bad := 0
			for k, v := range folded {
				if scaled[k] != v && bad < 5 {
					t.Errorf("%s: scaled %q, folded %q", k, scaled[k], v)
					bad++
				}
			}
			t.Errorf("team figures: %d rows scaled, %d folded, not the same", len(scaled), len(folded))
		}

		// Real orders, the whole way, now: checkout and the settlement sweep
		// still work, and the books stay sound.
		s, err := db.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(7, 7))
		for i := range 20 {
			if err := r.order(ctx, rng, i, 0, s.Currency(), nil); err != nil {
				t.Fatal(err)
			}
		}
		c2, err := seed.TableCounts(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := seed.ReceiveAll(ctx, db); err != nil {
			t.Fatal(err)
		}
		shift := time.Duration(s.AfterSaleDays+1) * 24 * time.Hour
		orig := db.Now
		db.Now = func() time.Time { return time.Now().Add(shift) }
		settled := 0
		for {
			n, err := db.SettleMaturedLines(ctx, 500)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
			settled += n
		}
		db.Now = orig
		// The sweep settles the real lines and the history's recent ones
		// (paid, within their after-sale window until the clock moved).
		var pending int64
		read(t, db, `SELECT COUNT(*) FROM commission_lines WHERE status <> 'settled'`, &pending)
		if pending != 0 || int64(settled) < c2["order_lines"]-c1["order_lines"] {
			t.Errorf("settled %d lines, %d real ones; %d not settled", settled, c2["order_lines"]-c1["order_lines"], pending)
		}
		if bad, err := db.CheckLedger(ctx); err != nil || len(bad) > 0 {
			t.Fatalf("CheckLedger after real orders: %v %v", err, bad[:min(5, len(bad))])
		}

		// Unique keys: the database refuses duplicates; these check the
		// keys were rewritten to what their own rows say.
		for _, q := range []string{
			`SELECT COUNT(*) FROM journals j WHERE j.idempotency_key NOT IN (
				SELECT 'book:line:' || CAST(line_id AS TEXT) FROM commission_lines UNION ALL SELECT 'settle:line:' || CAST(line_id AS TEXT) FROM commission_lines)
				AND j.kind IN ('book', 'settle')`,
			`SELECT COUNT(*) FROM payments p JOIN payment_events e ON e.reference = p.reference WHERE p.provider_ref <> p.reference`,
			`SELECT COUNT(*) - COUNT(DISTINCT event_id) FROM payment_events`,
			`SELECT COUNT(*) - COUNT(DISTINCT provider_ref) FROM payment_callbacks`,
			`SELECT COUNT(*) FROM payment_callbacks c WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.provider_ref = c.provider_ref)`,
			`SELECT COUNT(*) FROM order_lines l JOIN fulfilment_orders f ON f.id = l.fulfilment_id WHERE f.order_id <> l.order_id`,
		} {
			var n int64
			read(t, db, q, &n)
			if n != 0 {
				t.Errorf("%d rows: %s", n, q)
			}
		}
		// Times: the history within the past year, and the copies' sales
		// events in id order in time order.
		var minAt, maxAt, backwards int64
		read(t, db, `SELECT MIN(created_at), MAX(created_at) FROM orders WHERE id <= ?`, &minAt, &maxAt, c1["orders"])
		now := time.Now()
		if from, to := sqldb.FromTS(minAt), sqldb.FromTS(maxAt); from.Before(now.AddDate(0, 0, -366)) ||
			from.After(now.AddDate(0, 0, -364)) || to.After(now) || to.Before(now.AddDate(0, 0, -1)) {
			t.Errorf("history orders from %v to %v, want the past 365 days", from, to)
		}
		// (Concurrent checkouts commit out of order: the templates and the
		// real orders may, the copies may not.)
		read(t, db, `SELECT COUNT(*) FROM sales_events a JOIN sales_events b ON b.id = a.id + 1 WHERE b.at < a.at AND a.id > ? AND b.id <= ?`,
			&backwards, cT["sales_events"], c1["sales_events"])
		if backwards != 0 {
			t.Errorf("%d sales events earlier than the one before", backwards)
		}
	})
}

// read runs one read query: dest's *int64 are where the columns go, the
// rest are the query's arguments.
func read(t *testing.T, db *store.DB, q string, dest ...any) {
	t.Helper()
	var args, out []any
	for _, d := range dest {
		switch d.(type) {
		case *int64, *string:
			out = append(out, d)
		default:
			args = append(args, d)
		}
	}
	err := db.DB.Read(context.Background(), func(tx *sqldb.Tx) error { return tx.Get(context.Background(), "test", q, args, out...) })
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// figures are the team figures' non-zero rows, key → sums.
func figures(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	ctx := context.Background()
	err := db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		for _, q := range []string{
			`SELECT 'd' || CAST(distributor_id AS TEXT), CAST(own_sales AS TEXT) || ' ' || CAST(own_orders AS TEXT) || ' ' || CAST(depth1_sales AS TEXT) || ' ' ||
				CAST(depth2_sales AS TEXT) || ' ' || CAST(depth3_sales AS TEXT) || ' ' || CAST(team_sales AS TEXT) FROM distributor_sales
				WHERE own_sales <> 0 OR own_orders <> 0 OR team_sales <> 0 OR depth1_sales <> 0`,
			`SELECT 't' || CAST(supplier_id AS TEXT) || ':' || CAST(tier AS TEXT), CAST(base AS TEXT) || ' ' || CAST(commission AS TEXT) FROM sales_by_tier`,
			`SELECT 'r' || CAST(supplier_id AS TEXT) || ':' || region_code, CAST(base AS TEXT) FROM sales_by_region`,
		} {
			err := tx.Each(ctx, q, nil, func(scan func(...any) error) error {
				var k, v string
				if err := scan(&k, &v); err != nil {
					return err
				}
				out[k] = v
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
