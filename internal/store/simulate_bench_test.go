package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/simulate"
	"sharemall/internal/sqldb"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// simBenchLinesEnv sets how many paid order lines BenchmarkSimulate
// replays; docs/benchmarks.md reports 1,000,000 on both engines.
const simBenchLinesEnv = "SHAREMALL_SIM_BENCH_LINES"

// BenchmarkSimulate replays a period of paid orders, one line each, under
// a proposal that changes both tiers' rates and the grade's, so that most
// lines split differently from what was booked. Folding every line into
// sim_lines first is reported apart (first-fold-s).
//
//	SHAREMALL_SIM_BENCH_LINES=1000000 go test ./internal/store -run '^$' -bench Simulate -benchtime 3x
func BenchmarkSimulate(b *testing.B) {
	n := 20_000
	if v := os.Getenv(simBenchLinesEnv); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("%s=%q: want a positive number", simBenchLinesEnv, v)
		}
	}
	run := func(b *testing.B, db *store.DB) {
		op, grade, period := seedSimLines(b, db, n)
		st, err := db.Settings(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		p := simulate.FromSettings(st)
		p.TierRates = []money.Rate{1200, 600}
		rate := money.Rate(1400)
		p.Grades = map[int64]*money.Rate{grade: &rate}
		// Folding every line into sim_lines happens once (then only what
		// was booked or refunded since); timed apart.
		start := time.Now()
		if _, err := db.FoldSimLines(context.Background(), 0); err != nil {
			b.Fatal(err)
		}
		fold := time.Since(start)
		b.ResetTimer()
		for b.Loop() {
			r, err := db.Simulate(context.Background(), op, p, period, 10)
			if err != nil || r.Lines != int64(n) {
				b.Fatalf("%v; %d lines replayed, want %d", err, r.Lines, n)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		b.ReportMetric(fold.Seconds(), "first-fold-s")
	}
	b.Run("sqlite", func(b *testing.B) { run(b, testutil.OpenSQLite(b)) })
	if os.Getenv(testutil.PostgresEnv) != "" {
		b.Run("postgres", func(b *testing.B) { run(b, testutil.OpenPostgres(b)) })
	}
}

// seedSimLines writes n paid orders of one line each, as checkout and
// booking write them (order, parcel, line with its snapshot, commission
// line, shares by commission.Split, sales event with the seller's grade),
// among 200,000 sellers with a sponsor and a grand-sponsor each, 30% with
// a regional agent and 20% graded; written in bulk, not through checkout,
// which would take hours. It returns the operator, the grade and the
// period that holds them.
func seedSimLines(b *testing.B, db *store.DB, n int) (account.Actor, int64, simulate.Period) {
	ctx := context.Background()
	op := newActor(b, db, "op@example.com", "", account.Operator)
	cust := newActor(b, db, "c@example.com", "", account.Customer)
	owner := newActor(b, db, "s@example.com", "", account.Customer)
	sup, err := db.ApplySupplier(ctx, owner, catalog.SupplierApplication{Name: "S", ContactEmail: "s@example.com"})
	if err == nil {
		sup, err = db.SetSupplierStatus(ctx, op, sup.ID, catalog.Approved, "")
	}
	if err != nil {
		b.Fatal(err)
	}
	owner = actorFor(b, db, owner.AccountID)
	p, err := db.CreateProduct(ctx, owner, &catalog.Product{Title: "Tea", OnSale: true, SKUs: []catalog.SKU{
		{Code: "T-1", RetailPrice: 1999, OnSale: true},
		{Code: "T-2", RetailPrice: 5999, OnSale: true, Commission: &catalog.Commission{Tiers: []*catalog.TierCommission{catalog.FixedTier(300)}}}}})
	if err != nil {
		b.Fatal(err)
	}
	wh, err := db.CreateWarehouse(ctx, owner, &catalog.Warehouse{Name: "W", RegionCode: "CN", Active: true, Areas: []string{"CN"}})
	if err != nil {
		b.Fatal(err)
	}
	gold := money.Rate(1500)
	g, err := db.CreateGrade(ctx, op, network.Grade{Name: "Gold", Rank: 1, Tier1Rate: &gold})
	if err != nil {
		b.Fatal(err)
	}
	st, err := db.Settings(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var first [3]int64 // ids of orders, parcels, lines
	err = db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		for i, t := range []string{"orders", "fulfilment_orders", "order_lines"} {
			if err := tx.Get(ctx, t, `SELECT COALESCE(MAX(id), 0) + 1 FROM `+t, nil, &first[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(14, 14))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const chunk = 20_000
	for lo := 0; lo < n; lo += chunk {
		rows := simRows{}
		for i := lo; i < min(n, lo+chunk); i++ {
			rows.add(rng, i, first, st.CurrencyCode, sup.ID, wh.ID, p, g.ID, cust.AccountID, start.Add(time.Duration(i)*time.Second))
		}
		if err := db.DB.WriteAlone(ctx, rows.write); err != nil {
			b.Fatal(err)
		}
	}
	if db.Engine() == store.Postgres {
		// Fresh statistics, as autovacuum would gather for tables filled
		// by checkout: without them the planner guesses thousands of
		// events per order and compiles the fold's query with its JIT.
		if err := db.DB.WriteAlone(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(ctx, `ANALYZE`)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	return op, g.ID, simulate.Period{From: start, To: start.Add(time.Duration(n+1) * time.Second)}
}

// simRows are the rows of a chunk of generated orders, table by table.
type simRows struct {
	orders, parcels, lines, clines, shares, events [][]any
}

func (r *simRows) add(rng *rand.Rand, i int, first [3]int64, cur string, supplier, wh int64, p *catalog.Product, grade, customer int64, at time.Time) {
	oid, fid, lid := first[0]+int64(i), first[1]+int64(i), first[2]+int64(i)
	k := p.SKUs[rng.IntN(2)]
	qty := 1 + rng.Int64N(3)
	seller := 1 + rng.Int64N(200_000)
	var gradeID int64
	var gradeRate *money.Rate
	if rng.IntN(5) == 0 {
		gold := money.Rate(1500)
		gradeID, gradeRate = grade, &gold
	}
	snap := commission.Snapshot{Currency: cur, SupplierID: supplier, SellerID: seller, Upline: []int64{seller + 200_000},
		Rules: commission.ResolveTierRules(2, []money.Rate{1000, 500}, gradeRate, nil, k.Commission), Cap: 3000}
	if rng.IntN(10) < 3 {
		snap.Agent = &commission.Agent{DistributorID: 400_001 + rng.Int64N(300), Rate: 0}
	}
	line := commission.Line{Base: k.RetailPrice * money.Amount(qty), Quantity: qty}
	shares, err := commission.Split(snap, line)
	if err != nil {
		panic(err)
	}
	raw, _ := json.Marshal(snap)
	ts := at.UnixMicro()
	r.orders = append(r.orders, []any{oid, customer, "{}", cur, int64(line.Base), int64(line.Base), "CN.44.03.05", "Li", "13800138000", "1 Road",
		0, "paid", ts, ts, ts})
	r.parcels = append(r.parcels, []any{fid, oid, supplier, wh, "released"})
	r.lines = append(r.lines, []any{lid, oid, fid, k.ID, p.ID, supplier, wh, "Tea", qty, int64(k.RetailPrice), int64(k.RetailPrice), int64(line.Base),
		0, string(raw)})
	r.clines = append(r.clines, []any{lid, oid, cur, string(raw), int64(line.Base), 0, qty, int64(line.Base), int64(line.Base), 0, qty, "pending", ts})
	var tier [3]int64
	for _, s := range shares {
		r.shares = append(r.shares, []any{lid, oid, s.Party.String(), string(s.Party.Kind), s.Party.Tier, s.Party.ID, int64(s.Amount), int64(s.Amount)})
		if s.Party.Kind == commission.KindTier {
			tier[s.Party.Tier-1] = int64(s.Amount)
		}
	}
	r.events = append(r.events, []any{lid, oid, seller, supplier, "CN.44.03.05", int64(line.Base), seller, seller + 200_000,
		tier[0], tier[1], ts, gradeID})
}

func (r *simRows) write(tx *sqldb.Tx) error {
	ctx := context.Background()
	for _, t := range []struct {
		head string
		rows [][]any
	}{
		{`INSERT INTO orders (id, customer_account_id, attribution, currency, goods_total, total, ship_region, ship_name, ship_phone, ship_address,
			settings_version, status, created_at, pay_by, paid_at)`, r.orders},
		{`INSERT INTO fulfilment_orders (id, order_id, supplier_id, warehouse_id, status)`, r.parcels},
		{`INSERT INTO order_lines (id, order_id, fulfilment_id, sku_id, product_id, supplier_id, warehouse_id, title, quantity, unit_retail,
			unit_price, base, markup, snapshot)`, r.lines},
		{`INSERT INTO commission_lines (line_id, order_id, currency, snapshot, booked_base, booked_markup, booked_quantity, paid, base, markup,
			quantity, status, booked_at)`, r.clines},
		{`INSERT INTO commission_shares (line_id, order_id, party, kind, tier, beneficiary_id, booked_amount, amount)`, r.shares},
		{`INSERT INTO sales_events (line_id, order_id, seller_id, supplier_id, region, new_order, refund, base, tier1_id, tier2_id,
			tier1_amount, tier2_amount, at, seller_grade, folded, insight_folded)`, r.events},
	} {
		cols := len(t.rows[0])
		per := 30_000 / cols
		for lo := 0; lo < len(t.rows); lo += per {
			part := t.rows[lo:min(len(t.rows), lo+per)]
			var q strings.Builder
			q.WriteString(t.head + " VALUES ")
			args := make([]any, 0, len(part)*cols)
			for i, row := range part {
				if i > 0 {
					q.WriteByte(',')
				}
				q.WriteString(simRowSQL(t.head, cols))
				args = append(args, row...)
			}
			if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
				return fmt.Errorf("%s: %w", t.head[:30], err)
			}
		}
	}
	return nil
}

// simRowSQL is one row's placeholders; the sales events' constant flags
// are written in.
func simRowSQL(head string, cols int) string {
	if strings.HasPrefix(head, "INSERT INTO sales_events") {
		return "(?, ?, ?, ?, ?, TRUE, FALSE, ?, ?, ?, ?, ?, ?, ?, TRUE, TRUE)"
	}
	return "(" + sqldb.Placeholders(cols) + ")"
}
