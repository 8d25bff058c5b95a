package store_test

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"testing"
	"time"

	"pgregory.net/rapid"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// netModel is what the network property test remembers: the active
// members per depth at the end of each month it saw (brute force over
// the distributors table after every step), each join's month and depth,
// and each booked line's seller grade.
type netModel struct {
	loc       *time.Location
	monthEnd  map[int]map[int64]int64 // month key → depth → active members
	joined    map[int]map[int64]int64 // month key → depth → joins
	lineGrade map[int64]int64         // order line → the seller's grade when booked
}

func (m *netModel) month(t time.Time) int {
	return insight.Key(insight.Start(insight.Month, insight.DateOf(insight.DayKey(t, m.loc), m.loc)))
}

// snapshot records the active members per depth now, by brute force.
func (m *netModel) snapshot(tb fataler, db *store.DB, now time.Time) {
	nums, _ := rawRows(tb, db, `SELECT depth, COUNT(*) FROM distributors WHERE status = 'active' GROUP BY depth`)
	s := map[int64]int64{}
	for _, r := range nums {
		s[r[0]] = r[1]
	}
	m.monthEnd[m.month(now)] = s
}

func (m *netModel) join(d *network.Distributor) {
	k := m.month(d.JoinedAt)
	if m.joined[k] == nil {
		m.joined[k] = map[int64]int64{}
	}
	m.joined[k][d.Depth]++
}

// TestNetworkInsightEqualsBruteForce: random joins (some under review,
// then approved or rejected), suspensions, reinstatements, moves, grade
// changes, paid orders and refunds across months, folded in random
// slices; then members per depth at every month's end, the month's joins,
// time to first sale per join month and sales by grade equal brute-force
// computations over the raw tables.
func TestNetworkInsightEqualsBruteForce(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFiguresWorld(t, db)
		s, err := db.Settings(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := &netModel{loc: s.Location(), monthEnd: map[int]map[int64]int64{}, joined: map[int]map[int64]int64{}, lineGrade: map[int64]int64{}}
		dists := []*network.Distributor{w.root, w.mid, w.seller, w.d4, w.d5, w.d6, w.x}
		for _, d := range dists {
			m.join(d)
		}
		var grades []int64
		for i, name := range []string{"Silver", "Gold"} {
			g, err := db.CreateGrade(w.ctx, w.op, network.Grade{Name: name, Rank: int64(i + 1)})
			if err != nil {
				t.Fatal(err)
			}
			grades = append(grades, g.ID)
		}
		first := w.clock.Now()
		// The members at the start: a first step may fall in a later month
		// than the fixture's (the clock moves as the fixture works), and the
		// fixture's month still ends with them.
		m.snapshot(t, db, first)
		var lines []*insightLine
		moves, sales := 0, 0
		reload := func(rt *rapid.T, d *network.Distributor) *network.Distributor {
			got, err := db.Distributor(w.ctx, w.op, d.ID)
			if err != nil {
				rt.Fatal(err)
			}
			return got
		}
		if raceDetector { // the fold and the oracle, ten times slower: fewer cases (-rapid.checks asks for more)
			rapidDefaults(t, 25, 30)
		}
		rapid.Check(t, func(rt *rapid.T) {
			for range rapid.IntRange(1, 8).Draw(rt, "steps") {
				switch op := rapid.IntRange(0, 12).Draw(rt, "op"); op {
				case 0, 1: // a distributor joins, at once or under review
					review := rapid.Bool().Draw(rt, "review")
					if review {
						w.settings(func(s *program.Settings) { s.DistributorReview = true })
					}
					active := activeOf(rt, db, w, dists)
					var code string
					if len(active) > 0 && rapid.IntRange(0, 4).Draw(rt, "root") > 0 {
						code = rapid.SampledFrom(active).Draw(rt, "sponsor").ReferralCode
					}
					d, _ := w.join(code)
					if review {
						w.settings(func(s *program.Settings) { s.DistributorReview = false })
					}
					dists = append(dists, d)
					m.join(d)
				case 2: // a pending distributor is approved or rejected
					var pending []*network.Distributor
					for _, d := range dists {
						if reload(rt, d).Status == network.Pending {
							pending = append(pending, d)
						}
					}
					if len(pending) == 0 {
						break // out of the switch: the month still ends in the model
					}
					d := rapid.SampledFrom(pending).Draw(rt, "reviewed")
					approve := rapid.Bool().Draw(rt, "approve")
					if _, err := db.ReviewDistributor(w.ctx, w.op, d.ID, approve, "no"); err != nil {
						rt.Fatal(err)
					}
				case 3: // suspend or reinstate
					d := reload(rt, rapid.SampledFrom(dists).Draw(rt, "suspended"))
					var err error
					switch d.Status {
					case network.Active:
						_, err = db.SuspendDistributor(w.ctx, w.op, d.ID, "test")
					case network.Suspended:
						_, err = db.ReinstateDistributor(w.ctx, w.op, d.ID, "test")
					}
					if err != nil {
						rt.Fatal(err)
					}
				case 4, 5: // a move with the whole team (refused moves change nothing)
					d := rapid.SampledFrom(dists).Draw(rt, "moved")
					to := int64(0)
					if rapid.IntRange(0, 3).Draw(rt, "to root") > 0 {
						to = rapid.SampledFrom(dists).Draw(rt, "new sponsor").ID
					}
					_, err := db.MoveDistributor(w.ctx, w.op, d.ID, to)
					if err != nil && !errs.Is(err, errs.Invalid) {
						rt.Fatal(err)
					}
					if err == nil {
						moves++
					}
				case 6: // a grade change
					d := rapid.SampledFrom(dists).Draw(rt, "graded")
					g := rapid.SampledFrom(append([]int64{0}, grades...)).Draw(rt, "grade")
					if _, err := db.SetGrade(w.ctx, w.op, d.ID, g); err != nil {
						rt.Fatal(err)
					}
				case 7, 8: // a paid order through a (maybe new) customer of a distributor
					d := rapid.SampledFrom(dists).Draw(rt, "bound to")
					if reload(rt, d).Status != network.Active {
						break // a customer is not bound to an inactive distributor
					}
					o := w.buy(w.customer(d), "CN.44.03.05", order.Item{SKUID: w.tea, Quantity: int64(rapid.IntRange(1, 3).Draw(rt, "quantity"))})
					if o.SellerID == 0 {
						break // out of the switch: the month still ends in the model
					}
					grade := reload(rt, &network.Distributor{ID: o.SellerID}).GradeID
					for _, l := range o.Lines {
						m.lineGrade[l.ID] = grade
						lines = append(lines, &insightLine{id: l.ID, base: int64(l.Base), markup: int64(l.Markup), quantity: l.Quantity})
					}
					sales++
				case 9: // a whole line refunded (after any grade change)
					open := linesWhere(lines, func(l *insightLine) bool { return !l.empty })
					if len(open) == 0 {
						break // out of the switch: the month still ends in the model
					}
					l := rapid.SampledFrom(open).Draw(rt, "refunded")
					l.refunds++
					if _, _, err := db.RefundLine(w.ctx, l.id, fmt.Sprintf("net-%d-%d", l.id, l.refunds), commission.Line{}); err != nil {
						rt.Fatal(err)
					}
					l.empty = true
				case 10: // hours pass
					w.clock.Advance(time.Duration(rapid.IntRange(1, 60).Draw(rt, "hours")) * time.Hour)
				case 11: // days pass, across months
					w.clock.Advance(time.Duration(rapid.IntRange(1, 40).Draw(rt, "days")) * 24 * time.Hour)
				default:
					if _, err := db.FoldInsight(w.ctx, rapid.IntRange(1, 7).Draw(rt, "fold limit")); err != nil {
						rt.Fatal(err)
					}
				}
				m.snapshot(rt, db, w.clock.Now())
			}
			foldInsightAll(rt, db, w)
			checkNetworkInsight(rt, db, w, m, first)
		})
		if moves == 0 || sales == 0 {
			t.Fatalf("%d moves, %d sales: the test proves too little", moves, sales)
		}
	})
}

func activeOf(rt *rapid.T, db *store.DB, w *figuresWorld, dists []*network.Distributor) []*network.Distributor {
	var out []*network.Distributor
	for _, d := range dists {
		got, err := db.Distributor(w.ctx, w.op, d.ID)
		if err != nil {
			rt.Fatal(err)
		}
		if got.Status == network.Active {
			out = append(out, got)
		}
	}
	return out
}

func checkNetworkInsight(tb fataler, db *store.DB, w *figuresWorld, m *netModel, first time.Time) {
	tb.Helper()
	months := insight.Periods(insight.Month, insight.Start(insight.Month, insight.DateOf(insight.DayKey(first, m.loc), m.loc)),
		insight.DateOf(insight.DayKey(w.clock.Now(), m.loc), m.loc))
	// Members per depth: a month without a step keeps the previous month's end.
	var last map[int64]int64
	for _, mo := range months {
		k := insight.Key(mo)
		if s, ok := m.monthEnd[k]; ok {
			last = s
		}
		want := map[int64][2]int64{}
		for depth, n := range last {
			if n != 0 {
				want[depth] = [2]int64{n, 0}
			}
		}
		for depth, n := range m.joined[k] {
			v := want[depth]
			want[depth] = [2]int64{v[0], n}
		}
		got, err := db.InsightDepths(w.ctx, w.op, mo)
		if err != nil {
			tb.Fatal(err)
		}
		gotMap := map[int64][2]int64{}
		for _, r := range got.Rows {
			gotMap[r.Depth] = [2]int64{r.Members, r.Joined}
		}
		// Months before the test's (the fixture's joins) are in want too.
		if !reflect.DeepEqual(gotMap, want) {
			tb.Fatalf("depths at the end of %s:\n got %v\nwant %v", insight.FormatMonth(mo), gotMap, want)
		}
	}

	// Time to first sale: each seller's earliest booking, by brute force.
	nums, _ := rawRows(tb, db, `SELECT e.seller_id, MIN(e.at), d.joined_at FROM sales_events e JOIN distributors d ON d.id = e.seller_id
		WHERE e.refund = FALSE AND e.seller_id <> 0 GROUP BY e.seller_id, d.joined_at`)
	wantDays := map[int][]int{} // cohort → day counts
	for _, r := range nums {
		joined, sold := time.UnixMicro(r[2]).In(m.loc), time.UnixMicro(r[1]).In(m.loc)
		days := 0
		for d := time.Date(joined.Year(), joined.Month(), joined.Day(), 12, 0, 0, 0, m.loc); d.Format(time.DateOnly) < sold.Format(time.DateOnly); d = d.AddDate(0, 0, 1) {
			days++
		}
		days = min(days, insight.OverFirstSaleDays)
		c := m.month(joined)
		wantDays[c] = append(wantDays[c], days)
	}
	var cohorts []store.FirstSaleCohort
	var total, gotTotal int64
	for i := 0; i < len(months); i += insight.MaxMonths {
		got, err := db.InsightFirstSale(w.ctx, w.op, months[i], months[min(i+insight.MaxMonths, len(months))-1])
		if err != nil {
			tb.Fatal(err)
		}
		cohorts = append(cohorts, got.Cohorts...)
		gotTotal += got.Total.Sellers
	}
	if len(cohorts) != len(months) {
		tb.Fatalf("%d cohorts, want %d", len(cohorts), len(months))
	}
	for i, c := range cohorts {
		k := insight.Key(months[i])
		days := wantDays[k]
		sort.Ints(days)
		hist := make([]int64, insight.OverFirstSaleDays+1)
		for _, d := range days {
			hist[d]++
		}
		var joined int64
		for _, n := range m.joined[k] {
			joined += n
		}
		if !c.Month.Equal(months[i]) || c.Sellers != int64(len(days)) || !reflect.DeepEqual(c.Days, hist) || c.Joined != joined {
			tb.Fatalf("first sale of %s: got %d sellers of %d joined, days %v; want %d of %d, days %v", insight.FormatMonth(months[i]),
				c.Sellers, c.Joined, nonZero(c.Days), len(days), joined, nonZero(hist))
		}
		if len(days) > 0 && (!c.HasMedian || c.MedianDays != days[(len(days)-1)/2]) {
			tb.Fatalf("first sale of %s: median %d (%v), want %d of %v", insight.FormatMonth(months[i]), c.MedianDays, c.HasMedian, days[(len(days)-1)/2], days)
		}
		var inBuckets int64
		for _, n := range c.Buckets {
			inBuckets += n
		}
		if inBuckets != c.Sellers {
			tb.Fatalf("first sale of %s: buckets %v hold %d, not %d", insight.FormatMonth(months[i]), c.Buckets, inBuckets, c.Sellers)
		}
		total += c.Sellers
	}
	if gotTotal != total {
		tb.Fatalf("first sale total %d, cohorts %d", gotTotal, total)
	}

	// Sales by grade: each line under its seller's grade when it was
	// booked, refunds included, whatever the grade became since.
	rows, _ := rawRows(tb, db, `SELECT line_id, base, tier1_amount FROM sales_events WHERE seller_id <> 0`)
	want := map[string][2]int64{}
	for _, r := range rows {
		g, ok := m.lineGrade[r[0]]
		if !ok {
			tb.Fatalf("line %d has no recorded grade", r[0])
		}
		k := fmt.Sprint(g)
		v := want[k]
		want[k] = [2]int64{v[0] + r[1], v[1] + r[2]}
	}
	gotMap := map[string][2]int64{}
	end := insight.DateOf(insight.DayKey(w.clock.Now(), m.loc), m.loc)
	for from := months[0]; !from.After(end); from = from.AddDate(0, 0, insight.MaxPoints) {
		to := from.AddDate(0, 0, insight.MaxPoints-1)
		if to.After(end) {
			to = end
		}
		b, err := db.InsightBreakdown(w.ctx, w.op, store.BreakdownQuery{By: insight.ByGrade, From: from, To: to, Limit: insight.MaxBreakdown})
		if err != nil {
			tb.Fatal(err)
		}
		for _, r := range b.Rows {
			v := gotMap[r.Key]
			gotMap[r.Key] = [2]int64{v[0] + int64(r.Amount), v[1] + int64(r.Commission)}
		}
	}
	for k, v := range gotMap {
		if v == [2]int64{} {
			delete(gotMap, k)
		}
	}
	for k, v := range want {
		if v == [2]int64{} {
			delete(want, k)
		}
	}
	if !reflect.DeepEqual(gotMap, want) {
		tb.Fatalf("sales by grade:\n got %v\nwant %v", gotMap, want)
	}
}

func nonZero(h []int64) map[int]int64 {
	out := map[int]int64{}
	for d, n := range h {
		if n != 0 {
			out[d] = n
		}
	}
	return out
}

// TestNetworkInsightRefusals: the network's figures are the operator's;
// a supplier and a customer are refused, a stranger must sign in, and a
// bad range names its field.
func TestNetworkInsightRefusals(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		now := w.clock.Now()
		for _, c := range []struct {
			who  account.Actor
			kind errs.Code
		}{{w.a, errs.Forbidden}, {w.cust, errs.Forbidden}, {account.Actor{}, errs.Unauthorized}} {
			if _, err := db.InsightDepths(w.ctx, c.who, now); !errs.Is(err, c.kind) {
				t.Errorf("depths as %+v: %v, want %s", c.who, err, c.kind)
			}
			if _, err := db.InsightFirstSale(w.ctx, c.who, now, now); !errs.Is(err, c.kind) {
				t.Errorf("first sale as %+v: %v, want %s", c.who, err, c.kind)
			}
		}
		if _, err := db.InsightFirstSale(w.ctx, w.op, now, now.AddDate(0, -1, 0)); errs.FieldOf(err) != "to" {
			t.Errorf("backwards: %v", err)
		}
		if _, err := db.InsightFirstSale(w.ctx, w.op, now, now.AddDate(0, insight.MaxMonths, 0)); errs.FieldOf(err) != "to" {
			t.Errorf("too long: %v", err)
		}
	})
}

// TestNetworkInsightHistory: migration 00026 rebuilds the network's
// figures of a program that ran before it (joins, a review, a suspension,
// sales by graded sellers) as the events would have: the same members per
// depth, first sales and sales by grade.
func TestNetworkInsightHistory(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFiguresWorld(t, db)
		g, err := db.CreateGrade(w.ctx, w.op, network.Grade{Name: "Gold", Rank: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetGrade(w.ctx, w.op, w.seller.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		first := w.clock.Now()
		w.clock.Advance(40 * 24 * time.Hour)
		w.buy(w.customer(w.seller), "CN.44.03.05", order.Item{SKUID: w.tea, Quantity: 2})
		w.settings(func(s *program.Settings) { s.DistributorReview = true })
		p, _ := w.join(w.d4.ReferralCode)
		w.settings(func(s *program.Settings) { s.DistributorReview = false })
		w.clock.Advance(3 * 24 * time.Hour)
		if _, err := db.ReviewDistributor(w.ctx, w.op, p.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		w.buy(w.customer(w.d4), "CN.44.03.05", order.Item{SKUID: w.cup, Quantity: 1})
		w.clock.Advance(40 * 24 * time.Hour)
		if _, err := db.SuspendDistributor(w.ctx, w.op, w.d5.ID, "test"); err != nil {
			t.Fatal(err)
		}
		foldInsightAll(t, db, w)
		read := func() string {
			s, err := db.Settings(w.ctx)
			if err != nil {
				t.Fatal(err)
			}
			loc := s.Location()
			from, to := insight.DateOf(insight.DayKey(first, loc), loc), insight.DateOf(insight.DayKey(w.clock.Now(), loc), loc)
			out := ""
			for _, m := range insight.Periods(insight.Month, from, to) {
				d, err := db.InsightDepths(w.ctx, w.op, m)
				if err != nil {
					t.Fatal(err)
				}
				out += fmt.Sprintf("%s %+v\n", insight.FormatMonth(m), d.Rows)
			}
			f, err := db.InsightFirstSale(w.ctx, w.op, from, to)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range f.Cohorts {
				out += fmt.Sprintf("%s joined %d sold %d %v median %d\n", insight.FormatMonth(c.Month), c.Joined, c.Sellers, nonZero(c.Days), c.MedianDays)
			}
			b, err := db.InsightBreakdown(w.ctx, w.op, store.BreakdownQuery{By: insight.ByGrade, From: from, To: to})
			if err != nil {
				t.Fatal(err)
			}
			return out + fmt.Sprintf("grades %+v\n", b.Rows)
		}
		want := read()
		if !regexpMatch(`sold 2 .*\n`, want) || !regexpMatch(`grades \[\{Key:`+fmt.Sprint(g.ID)+` Name:Gold`, want) {
			t.Fatalf("the history proves too little:\n%s", want)
		}
		if err := db.MigrateDownToForTest(w.ctx, 25); err != nil { // just before 00026
			t.Fatal(err)
		}
		if _, err := db.Migrate(w.ctx); err != nil {
			t.Fatal(err)
		}
		foldInsightAll(t, db, w)
		if got := read(); got != want {
			t.Fatalf("after the migration:\n%s\nbefore:\n%s", got, want)
		}
	})
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }
