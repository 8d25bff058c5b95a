package store_test

import (
	"fmt"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/campaign"
	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/program"
	"sharemall/internal/simulate"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// simWorld is a period of real orders: placed through checkout and paid,
// some refunded in part or whole, under three tiers, a platform fee, a
// regional agent, a grade (the seller's grade changing after), a product
// override and a SKU's fixed tier 1, markup and a coupon; one order
// without a seller and one after the period.
type simWorld struct {
	*shopWorld
	period simulate.Period
	lines  []order.Line // every line in the period, base net of refunds
	gold   *network.Grade
}

func newSimWorld(t *testing.T, db *store.DB) *simWorld {
	w := &simWorld{shopWorld: newShopWorld(t, db)}
	w.settings(func(s *program.Settings) {
		s.Tiers, s.TierRates, s.PlatformRate, s.AreaRate = 3, []money.Rate{1000, 500, 200}, 100, 300
	})
	if _, err := db.GrantArea(w.ctx, w.op, "CN.44", w.x.ID); err != nil {
		t.Fatal(err)
	}
	gold, silver := money.Rate(1500), money.Rate(1200)
	var err error
	if w.gold, err = db.CreateGrade(w.ctx, w.op, network.Grade{Name: "Gold", Rank: 2, Tier1Rate: &gold}); err != nil {
		t.Fatal(err)
	}
	silverG, err := db.CreateGrade(w.ctx, w.op, network.Grade{Name: "Silver", Rank: 1, Tier1Rate: &silver})
	if err != nil {
		t.Fatal(err)
	}
	tea := w.product(w.a, "Tea", [2]int64{1999, 2999}, [2]int64{3333, 0})
	if _, err := db.UpdateSKU(w.ctx, w.a, tea.SKUs[1].ID, skuCommission(overrideFixed(150))); err != nil {
		t.Fatal(err)
	}
	cups := w.product(w.b, "Cups", [2]int64{777, 0})
	if _, err := db.UpdateProduct(w.ctx, w.b, cups.ID, productCommission(overrideRates(-1, 800))); err != nil {
		t.Fatal(err)
	}
	w.warehouse(w.a, "A", 0, []string{"CN"}, map[int64]int64{tea.SKUs[0].ID: 100, tea.SKUs[1].ID: 100})
	w.warehouse(w.b, "B", 0, []string{"CN"}, map[int64]int64{cups.SKUs[0].ID: 100})
	w.shopPrice(w.seller, tea.ID, tea.SKUs[0].ID, 2499)
	w.coupon(w.mid, "MID5", "percent", 500, 0)
	w.bind(w.cust, w.seller)
	w.clock.Advance(time.Hour)
	w.period.From = w.clock.Now()

	place := func(who account.Actor, in order.CheckoutInput) *order.Order {
		w.clock.Advance(time.Minute)
		o := w.checkout(who, in, "")
		w.payOrderAs(who, o)
		return o
	}
	all := cart("CN.44.03.05", order.Item{SKUID: tea.SKUs[0].ID, Quantity: 3}, order.Item{SKUID: tea.SKUs[1].ID, Quantity: 2},
		order.Item{SKUID: cups.SKUs[0].ID, Quantity: 5})
	o1 := place(w.cust, all)
	if _, err := db.SetGrade(w.ctx, w.op, w.seller.ID, w.gold.ID); err != nil {
		t.Fatal(err)
	}
	o2 := place(w.cust, all)
	// Cups go on a campaign (tier 1 a fixed 1.00 a unit) for o3: the
	// replay keeps the campaign's rule for that line, as checkout did.
	if _, err := db.CreateCampaign(w.ctx, w.op, campaign.Input{Name: "Cups week", StartsAt: w.clock.Now(), EndsAt: w.clock.Now().Add(24 * time.Hour),
		Tier1: catalog.TierCommission{Kind: catalog.FixedCommission, PerUnit: 100}, Items: []campaign.Item{{ProductID: cups.ID}}}); err != nil {
		t.Fatal(err)
	}
	o3 := place(w.cust, withCoupon(cart("CN.11.01.01", order.Item{SKUID: cups.SKUs[0].ID, Quantity: 3}), "MID5"))
	if r := o3.Lines[0].Snapshot.Rules[0]; r.Source != commission.FromCampaign || r.PerUnit != 100 {
		t.Fatalf("o3 was not sold in the campaign: %+v", r)
	}
	stranger := w.account(account.Customer)
	o4 := place(stranger, cart("CN.44.03.05", order.Item{SKUID: tea.SKUs[0].ID, Quantity: 1}))
	// The seller's grade changes after: the replay keeps Gold for o2.
	if _, err := db.SetGrade(w.ctx, w.op, w.seller.ID, silverG.ID); err != nil {
		t.Fatal(err)
	}
	// Refunds: part of o1's first line, all of o2's third.
	part := o1.Lines[0]
	after := commission.Line{Base: part.Base / 3, Markup: part.Markup / 3, Quantity: 1}
	if _, _, err := db.RefundLine(w.ctx, part.ID, "part", after); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.RefundLine(w.ctx, o2.Lines[2].ID, "whole", commission.Line{}); err != nil {
		t.Fatal(err)
	}
	for _, o := range []*order.Order{o1, o2, o3, o4} {
		w.lines = append(w.lines, o.Lines...)
	}
	w.lines[0].Base, w.lines[0].Markup = after.Base, after.Markup
	w.lines[5].Base, w.lines[5].Markup = 0, 0
	w.clock.Advance(time.Minute)
	w.period.To = w.clock.Now()
	w.clock.Advance(time.Minute)
	place(w.cust, all) // after the period
	return w
}

func (w *simWorld) payOrderAs(who account.Actor, o *order.Order) {
	saved := w.cust
	w.cust = who
	w.payOrder(o)
	w.cust = saved
}

func (w *simWorld) simulate(p *simulate.Proposal) *simulate.Result {
	w.t.Helper()
	r, err := w.db.Simulate(w.ctx, w.op, p, w.period, 10)
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

func (w *simWorld) current() *simulate.Proposal {
	w.t.Helper()
	st, err := w.db.Settings(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	return simulate.FromSettings(st)
}

// TestSimulateRealRulesEqualBooked: fed the rules in force, the replay
// gives every party exactly what was booked, to the cent, after refunds.
func TestSimulateRealRulesEqualBooked(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newSimWorld(t, db)
		r := w.simulate(w.current())
		if r.Lines != int64(len(w.lines)) || r.Actual != r.Proposed || r.Changed != 0 || len(r.Gainers)+len(r.Losers)+len(r.Suppliers) != 0 {
			t.Fatalf("lines %d (want %d), actual %+v, proposed %+v, changed %d, %v %v %v", r.Lines, len(w.lines), r.Actual, r.Proposed,
				r.Changed, r.Gainers, r.Losers, r.Suppliers)
		}
		// The actual side is what the ledger's shares say, and nothing is zero.
		from, to := r.Period.From.UnixMicro(), r.Period.To.UnixMicro()
		booked := w.int(`SELECT SUM(s.amount) FROM commission_shares s JOIN commission_lines c ON c.line_id = s.line_id
			WHERE s.kind IN ('tier', 'agent') AND c.booked_at >= ? AND c.booked_at < ?`, from, to)
		if int64(r.Actual.Commission) != booked || booked == 0 || r.Actual.Platform == 0 || r.Actual.Markup == 0 {
			t.Fatalf("actual %+v, booked commission %d", r.Actual, booked)
		}
		// Root, mid, seller and the agent all earned.
		if r.Distributors != 4 {
			t.Fatalf("%d distributors earned, want 4", r.Distributors)
		}
		var base money.Amount
		for _, l := range w.lines {
			base += l.Base
		}
		if r.Base != base || r.Actual.Commission+r.Actual.Platform+r.Actual.Supplier != base {
			t.Fatalf("base %d, want %d; shares %+v", r.Base, base, r.Actual)
		}
		// A refund after a simulation is in the next one, on both sides.
		l := w.lines[6]
		if _, _, err := db.RefundLine(w.ctx, l.ID, "later", commission.Line{Base: l.Base / 2, Markup: l.Markup, Quantity: l.Quantity - 1}); err != nil {
			t.Fatal(err)
		}
		// One simulation folds at most so many bookings and refunds; the
		// rest wait for the next and are counted.
		restore := store.SetSimFoldPerSimulationForTest(1)
		defer restore()
		m := w.lines[7]
		if _, _, err := db.RefundLine(w.ctx, m.ID, "later", commission.Line{}); err != nil {
			t.Fatal(err)
		}
		if partial := w.simulate(w.current()); partial.Unfolded != 1 || partial.Base != base-(l.Base-l.Base/2) {
			t.Fatalf("bounded fold: %d unfolded, base %d", partial.Unfolded, partial.Base)
		}
		again := w.simulate(w.current())
		if again.Unfolded != 0 || again.Actual != again.Proposed || again.Changed != 0 || again.Base != base-(l.Base-l.Base/2)-m.Base ||
			again.Actual.Commission >= r.Actual.Commission {
			t.Fatalf("after refunds: %d unfolded, base %d, actual %+v, proposed %+v", again.Unfolded, again.Base, again.Actual, again.Proposed)
		}
	})
}

// TestSimulateChangedRate: raising tier 2 from 5% to 7% pays each line's
// tier 2 (where it comes from the program) floor(base × 7%) instead of 5%,
// all of it from the supplier; nothing else moves. A grade's proposed rate
// changes only the lines booked under that grade.
func TestSimulateChangedRate(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newSimWorld(t, db)
		p := w.current()
		p.TierRates[1] = 700
		r := w.simulate(p)
		var want money.Amount
		for _, l := range w.lines {
			if l.Snapshot.Beneficiary(2) == w.mid.ID && l.Snapshot.Rules[1].Source == commission.FromProgram {
				hi, _ := money.Rate(700).Of(l.Base)
				lo, _ := money.Rate(500).Of(l.Base)
				want += hi - lo
			}
		}
		if want == 0 || r.Changed != 1 || len(r.Gainers) != 1 || r.Gainers[0].ID != w.mid.ID || r.Gainers[0].Delta() != want || len(r.Losers) != 0 {
			t.Fatalf("want mid +%d alone; changed %d, gainers %+v, losers %+v", want, r.Changed, r.Gainers, r.Losers)
		}
		if r.Proposed.Commission-r.Actual.Commission != want || r.Actual.Supplier-r.Proposed.Supplier != want ||
			r.Proposed.Platform != r.Actual.Platform || r.Proposed.Markup != r.Actual.Markup {
			t.Fatalf("actual %+v, proposed %+v, want %d moved from suppliers to commission", r.Actual, r.Proposed, want)
		}

		// Gold at 10% instead of 15%: only the lines sold under Gold whose
		// tier 1 came from the grade lose, all of it the seller's.
		p = w.current()
		ten := money.Rate(1000)
		p.Grades = map[int64]*money.Rate{w.gold.ID: &ten}
		r = w.simulate(p)
		want = 0
		for _, l := range w.lines {
			if l.Snapshot.Rules[0].Source == commission.FromGrade {
				hi, _ := money.Rate(1500).Of(l.Base)
				lo, _ := money.Rate(1000).Of(l.Base)
				want += hi - lo
			}
		}
		if want == 0 || r.Changed != 1 || len(r.Losers) != 1 || r.Losers[0].ID != w.seller.ID || r.Losers[0].Delta() != -want {
			t.Fatalf("want seller −%d alone; changed %d, gainers %+v, losers %+v", want, r.Changed, r.Gainers, r.Losers)
		}
	})
}

// TestSimulateBadInput: every refusal names its field.
func TestSimulateBadInput(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		st, err := db.Settings(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		now := w.clock.Now()
		day := simulate.Period{From: now.Add(-24 * time.Hour), To: now}
		rate := func(bp money.Rate) *money.Rate { return &bp }
		for _, c := range []struct {
			field  string
			change func(p *simulate.Proposal, per *simulate.Period)
		}{
			{"tiers", func(p *simulate.Proposal, _ *simulate.Period) { p.Tiers, p.TierRates = 4, []money.Rate{1, 1, 1, 1} }},
			{"tier_rates_bp", func(p *simulate.Proposal, _ *simulate.Period) { p.TierRates[0] = 2800 }},
			{"commission_cap_bp", func(p *simulate.Proposal, _ *simulate.Period) { p.Cap = 10001 }},
			{"grades[99].tier1_rate_bp", func(p *simulate.Proposal, _ *simulate.Period) {
				p.Grades = map[int64]*money.Rate{99: rate(2600)}
			}},
			{"grades[99]", func(p *simulate.Proposal, _ *simulate.Period) { p.Grades = map[int64]*money.Rate{99: rate(100)} }},
			{"products[7].tiers", func(p *simulate.Proposal, _ *simulate.Period) { p.Products = map[int64]*catalog.Commission{7: {}} }},
			{"skus[3]", func(p *simulate.Proposal, _ *simulate.Period) {
				p.SKUs = map[int64]*catalog.Commission{3: overrideRates(2900)}
			}},
			{"products[999]", func(p *simulate.Proposal, _ *simulate.Period) {
				p.Products = map[int64]*catalog.Commission{999: overrideRates(100)}
			}},
			{"to", func(_ *simulate.Proposal, per *simulate.Period) { per.To = per.From }},
			{"from", func(_ *simulate.Proposal, per *simulate.Period) { per.From = time.Time{} }},
			{"to", func(_ *simulate.Proposal, per *simulate.Period) { per.To = per.From.Add(400 * 24 * time.Hour) }},
		} {
			p, per := simulate.FromSettings(st), day
			c.change(p, &per)
			_, err := db.Simulate(w.ctx, w.op, p, per, 10)
			wantCode(t, err, errs.Invalid, c.field)
		}
		_, err = db.Simulate(w.ctx, w.op, simulate.FromSettings(st), day, 0)
		wantCode(t, err, errs.Invalid, "top")
		_, err = db.Simulate(w.ctx, w.cust, simulate.FromSettings(st), day, 10)
		if errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("a customer simulating: %v", err)
		}
	})
}

func skuCommission(c *catalog.Commission) catalog.SKUUpdate { return catalog.SKUUpdate{Commission: &c} }

func productCommission(c *catalog.Commission) catalog.ProductUpdate {
	return catalog.ProductUpdate{Commission: &c}
}

// TestSimulatePeriodByPayment: a line counts by when it was paid, so a
// line placed between two others of the period but paid after it is left
// out, though its id lies between theirs.
func TestSimulatePeriodByPayment(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{1000, 0})
		w.warehouse(w.a, "A", 0, []string{"CN"}, map[int64]int64{p.SKUs[0].ID: 10})
		w.bind(w.cust, w.seller)
		in := func(q int64) order.CheckoutInput {
			return cart("CN.44.03.05", order.Item{SKUID: p.SKUs[0].ID, Quantity: q})
		}
		a, b, c := w.checkout(w.cust, in(1), "a"), w.checkout(w.cust, in(2), "b"), w.checkout(w.cust, in(3), "c")
		from := w.clock.Now()
		w.payOrder(a)
		w.clock.Advance(time.Minute)
		w.payOrder(c)
		w.clock.Advance(time.Minute)
		to := w.clock.Now()
		w.payOrder(b)
		st, err := db.Settings(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		r, err := db.Simulate(w.ctx, w.op, simulate.FromSettings(st), simulate.Period{From: from, To: to}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if r.Lines != 2 || r.Base != 4000 || r.Actual != r.Proposed {
			t.Fatalf("%d lines, base %d (want 2 lines of a and c, 4000); actual %+v proposed %+v", r.Lines, r.Base, r.Actual, r.Proposed)
		}
	})
}

// TestSimulateProposedCampaign: a campaign proposed on cups (tier 1 a fixed
// 1.00 a unit) pays every cups line of the period tier 1 by it: the line
// already sold in that campaign is unchanged, the line sold without it
// moves from its booked tier 1 to 5 × 1.00, all of it from its supplier,
// and nothing else moves. An unknown product is refused by its field.
func TestSimulateProposedCampaign(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newSimWorld(t, db)
		base := w.simulate(w.current())
		cups := w.lines[2] // o1's cups, 5 units, sold before the campaign
		if cups.Quantity != 5 || w.lines[6].ProductID != cups.ProductID {
			t.Fatalf("fixture: %+v", cups)
		}
		booked := w.int(`SELECT amount FROM commission_shares WHERE line_id = ? AND kind = 'tier' AND tier = 1`, cups.ID)
		p := w.current()
		p.Campaigns = map[int64]*catalog.TierCommission{cups.ProductID: catalog.FixedTier(100)}
		r := w.simulate(p)
		move := money.Amount(500 - booked)
		if move == 0 || r.Actual != base.Actual || r.Proposed.Commission != base.Proposed.Commission+move ||
			r.Proposed.Supplier != base.Proposed.Supplier-move || r.Proposed.Platform != base.Proposed.Platform {
			t.Fatalf("booked tier 1 %d; proposed %+v, without the campaign %+v", booked, r.Proposed, base.Proposed)
		}
		p.Campaigns = map[int64]*catalog.TierCommission{999999: catalog.RateTier(1000)}
		_, err := db.Simulate(w.ctx, w.op, p, w.period, 10)
		wantCode(t, err, errs.Invalid, "campaigns[999999].product_id")
		p.Campaigns = map[int64]*catalog.TierCommission{cups.ProductID: catalog.RateTier(0)}
		_, err = db.Simulate(w.ctx, w.op, p, w.period, 10)
		wantCode(t, err, errs.Invalid, fmt.Sprintf("campaigns[%d].tier1", cups.ProductID))
	})
}
