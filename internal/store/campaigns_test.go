package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/campaign"
	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// campaignWorld is a shopWorld with one product of supplier A (retail
// 10.00, 100 in stock), the customer bound to the seller.
type campaignWorld struct {
	*shopWorld
	p   *catalog.Product
	sku int64
	wh  int64
}

func newCampaignWorld(t *testing.T, db *store.DB) *campaignWorld {
	w := &campaignWorld{shopWorld: newShopWorld(t, db)}
	w.p = w.product(w.a, "Tea", [2]int64{1000, 0})
	w.sku = w.p.SKUs[0].ID
	w.wh = w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{w.sku: 100})
	w.bind(w.cust, w.seller)
	return w
}

// input is a campaign on the product from now+start for length, tier 1 at rate bp.
func (w *campaignWorld) input(start, length time.Duration, rate money.Rate) campaign.Input {
	now := w.clock.Now()
	return campaign.Input{Name: "Spring tea", StartsAt: now.Add(start), EndsAt: now.Add(start + length),
		Tier1: catalog.TierCommission{Kind: catalog.RateCommission, Rate: rate}, Items: []campaign.Item{{ProductID: w.p.ID}}}
}

func (w *campaignWorld) create(who account.Actor, in campaign.Input) *campaign.Campaign {
	w.t.Helper()
	c, err := w.db.CreateCampaign(w.ctx, who, in)
	if err != nil {
		w.t.Fatalf("create campaign: %v", err)
	}
	return c
}

func (w *campaignWorld) buy(who account.Actor, qty int64) *order.Order {
	w.t.Helper()
	return w.checkout(who, cart("CN.44.03.05", order.Item{SKUID: w.sku, Quantity: qty}), "")
}

func tier1(l order.Line) commission.TierRule { return l.Snapshot.Rules[0] }

// TestCampaignPeriod: an order at start−1µs and at end gets the usual
// rules, one at start and at end−1s the campaign's: its tier-1 rule and its
// price (the base is what the customer pays at the campaign price).
func TestCampaignPeriod(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCampaignWorld(t, db)
		in := w.input(time.Hour, time.Hour, 2000)
		in.Items[0].Price = amount(800)
		c := w.create(w.op, in)
		if c.StatusAt(w.clock.Now()) != campaign.Coming || len(c.Items) != 1 || *c.Items[0].Price != 800 {
			t.Fatalf("saved %+v", c)
		}
		for _, step := range []struct {
			at   time.Time
			want bool
		}{
			{c.StartsAt.Add(-time.Microsecond), false},
			{c.StartsAt, true},
			{c.EndsAt.Add(-time.Second), true},
			{c.EndsAt, false},
		} {
			w.clock.Advance(step.at.Sub(w.clock.Now()))
			o := w.buy(w.cust, 2)
			l := o.Lines[0]
			if got := l.Snapshot.Campaign != nil; got != step.want {
				t.Fatalf("at %v: campaign applied %v, want %v (%+v)", step.at, got, step.want, l.Snapshot)
			}
			if step.want {
				if r := tier1(l); r.Source != commission.FromCampaign || r.Rate != 2000 || l.Base != 1600 || l.UnitPrice != 800 || o.Total != 1600 {
					t.Fatalf("at %v: line %+v rule %+v", step.at, l, r)
				}
				if l.Snapshot.Campaign.ID != c.ID || l.Snapshot.Campaign.Version != 1 {
					t.Fatalf("ref %+v", l.Snapshot.Campaign)
				}
			} else if r := tier1(l); r.Source != commission.FromProgram || r.Rate != 1000 || l.Base != 2000 {
				t.Fatalf("at %v: line %+v rule %+v", step.at, l, r)
			}
		}
		if got := w.int(`SELECT sold FROM campaigns WHERE id = ?`, c.ID); got != 4 {
			t.Fatalf("sold %d, want 4", got)
		}
	})
}

// TestCampaignSnapshotKept: an order placed under a campaign keeps its rule
// and price after the campaign is edited and after it is ended; new orders
// follow the edit, then the usual rules.
func TestCampaignSnapshotKept(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCampaignWorld(t, db)
		c := w.create(w.a, w.input(0, 24*time.Hour, 2000))
		placed := w.buy(w.cust, 1)

		in := w.input(0, 24*time.Hour, 1500)
		in.StartsAt = c.StartsAt
		c2, err := db.UpdateCampaign(w.ctx, w.a, c.ID, in)
		if err != nil || c2.Version != 2 || c2.Tier1.Rate != 1500 {
			t.Fatalf("update: %+v %v", c2, err)
		}
		after := w.buy(w.cust, 1)
		if r := tier1(after.Lines[0]); r.Rate != 1500 || after.Lines[0].Snapshot.Campaign.Version != 2 {
			t.Fatalf("after the edit: %+v", after.Lines[0].Snapshot)
		}
		w.clock.Advance(time.Minute)
		if _, err := db.EndCampaign(w.ctx, w.a, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.EndCampaign(w.ctx, w.a, c.ID); errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("ending twice: %v", err)
		}
		if l := w.buy(w.cust, 1).Lines[0]; l.Snapshot.Campaign != nil || tier1(l).Rate != 1000 {
			t.Fatalf("after the end: %+v", l.Snapshot)
		}
		o, err := db.Order(w.ctx, w.op, placed.ID)
		if err != nil {
			t.Fatal(err)
		}
		l := o.Lines[0]
		if r := tier1(l); r.Rate != 2000 || r.Source != commission.FromCampaign || l.Snapshot.Campaign.Version != 1 {
			t.Fatalf("the placed order changed: %+v", l.Snapshot)
		}
		shares, err := commission.Split(l.Snapshot, commission.Line{Base: l.Base, Markup: l.Markup, Quantity: l.Quantity})
		if err != nil || shares.Of(commission.Party{Kind: commission.KindTier, Tier: 1, ID: w.seller.ID}) != 200 {
			t.Fatalf("shares %v %v", shares, err)
		}
	})
}

// TestCampaignCap: the guard refuses a tier-1 rule that, with tier 2, the
// area rate and the overrides, exceeds the cap; the limit itself passes.
func TestCampaignCap(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCampaignWorld(t, db)
		// Program: tier 2 at 5%, area 2%, cap 30%: tier 1 may have 23%.
		w.settings(func(s *program.Settings) { s.AreaRate = 200 })
		_, err := db.CreateCampaign(w.ctx, w.op, w.input(0, time.Hour, 2301))
		wantCode(t, err, errs.Invalid, "tier1.rate_bp")
		w.create(w.op, w.input(0, time.Hour, 2300)) // exactly at the cap

		// Fixed: 2.30 of a campaign price of 10.00 fits, of 9.99 does not.
		q := w.product(w.b, "Cup", [2]int64{1000, 0})
		in := w.input(0, time.Hour, 0)
		in.Tier1 = catalog.TierCommission{Kind: catalog.FixedCommission, PerUnit: 230}
		in.Items = []campaign.Item{{ProductID: q.ID, Price: amount(999)}}
		_, err = db.CreateCampaign(w.ctx, w.op, in)
		wantCode(t, err, errs.Invalid, "tier1.per_unit")

		// A SKU override paying tier 2 a fixed 1.00 counts too.
		r, err := db.CreateProduct(w.ctx, w.b, &catalog.Product{Title: "Pot", OnSale: true, SKUs: []catalog.SKU{{Code: "pot", RetailPrice: 1000, OnSale: true,
			Commission: &catalog.Commission{Tiers: []*catalog.TierCommission{nil, catalog.FixedTier(100)}}}}})
		if err != nil {
			t.Fatal(err)
		}
		in = w.input(0, time.Hour, 1900) // 19% + 10% + 2% > 30%
		in.Items = []campaign.Item{{SKUID: r.SKUs[0].ID}}
		_, err = db.CreateCampaign(w.ctx, w.op, in)
		wantCode(t, err, errs.Invalid, "tier1.rate_bp")
		in.Tier1.Rate = 1800
		w.create(w.op, in)
	})
}

// TestCampaignBadInput: every field's bad value is refused naming it, and
// nothing is saved.
func TestCampaignBadInput(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCampaignWorld(t, db)
		other := w.product(w.b, "Cup", [2]int64{500, 0})
		many := make([]campaign.Item, campaign.MaxItems+1)
		for i := range many {
			many[i] = campaign.Item{SKUID: int64(i + 1)}
		}
		for _, tc := range []struct {
			name   string
			who    account.Actor
			change func(in *campaign.Input)
			code   errs.Code
			field  string
		}{
			{"no name", w.op, func(in *campaign.Input) { in.Name = "  " }, errs.Invalid, "name"},
			{"long name", w.op, func(in *campaign.Input) { in.Name = strings.Repeat("茶", 101) }, errs.Invalid, "name"},
			{"no start", w.op, func(in *campaign.Input) { in.StartsAt = time.Time{} }, errs.Invalid, "starts_at"},
			{"no end", w.op, func(in *campaign.Input) { in.EndsAt = time.Time{} }, errs.Invalid, "ends_at"},
			{"end before start", w.op, func(in *campaign.Input) { in.EndsAt = in.StartsAt }, errs.Invalid, "ends_at"},
			{"ended", w.op, func(in *campaign.Input) {
				in.StartsAt, in.EndsAt = in.StartsAt.Add(-3*time.Hour), in.StartsAt.Add(-time.Hour)
			}, errs.Invalid, "ends_at"},
			{"too long", w.op, func(in *campaign.Input) { in.EndsAt = in.StartsAt.Add(367 * 24 * time.Hour) }, errs.Invalid, "ends_at"},
			{"kind", w.op, func(in *campaign.Input) { in.Tier1.Kind = "bonus" }, errs.Invalid, "tier1.kind"},
			{"rate 0", w.op, func(in *campaign.Input) { in.Tier1.Rate = 0 }, errs.Invalid, "tier1.rate_bp"},
			{"rate 100%+", w.op, func(in *campaign.Input) { in.Tier1.Rate = 10001 }, errs.Invalid, "tier1.rate_bp"},
			{"rate with per_unit", w.op, func(in *campaign.Input) { in.Tier1.PerUnit = 5 }, errs.Invalid, "tier1.per_unit"},
			{"fixed 0", w.op, func(in *campaign.Input) { in.Tier1 = catalog.TierCommission{Kind: catalog.FixedCommission} }, errs.Invalid, "tier1.per_unit"},
			{"fixed with rate", w.op, func(in *campaign.Input) {
				in.Tier1 = catalog.TierCommission{Kind: catalog.FixedCommission, PerUnit: 5, Rate: 5}
			}, errs.Invalid, "tier1.rate_bp"},
			{"stock 0", w.op, func(in *campaign.Input) { in.StockLimit = new(int64) }, errs.Invalid, "stock_limit"},
			{"no items", w.op, func(in *campaign.Input) { in.Items = nil }, errs.Invalid, "items"},
			{"too many items", w.op, func(in *campaign.Input) { in.Items = many }, errs.Invalid, "items"},
			{"both ids", w.op, func(in *campaign.Input) { in.Items[0].SKUID = w.sku }, errs.Invalid, "items[0].product_id"},
			{"neither id", w.op, func(in *campaign.Input) { in.Items[0].ProductID = 0 }, errs.Invalid, "items[0].product_id"},
			{"negative sku", w.op, func(in *campaign.Input) { in.Items[0] = campaign.Item{SKUID: -1} }, errs.Invalid, "items[0].sku_id"},
			{"price 0", w.op, func(in *campaign.Input) { in.Items[0].Price = amount(0) }, errs.Invalid, "items[0].price"},
			{"price at retail", w.op, func(in *campaign.Input) { in.Items[0].Price = amount(1000) }, errs.Invalid, "items[0].price"},
			{"no such product", w.op, func(in *campaign.Input) { in.Items[0].ProductID = 1 << 40 }, errs.Invalid, "items[0].product_id"},
			{"no such sku", w.op, func(in *campaign.Input) { in.Items[0] = campaign.Item{SKUID: 1 << 40} }, errs.Invalid, "items[0].sku_id"},
			{"another supplier's", w.a, func(in *campaign.Input) { in.Items = append(in.Items, campaign.Item{ProductID: other.ID}) }, errs.Invalid, "items[1].product_id"},
			{"twice", w.op, func(in *campaign.Input) { in.Items = append(in.Items, campaign.Item{SKUID: w.sku}) }, errs.Invalid, "items[1].sku_id"},
			{"customer", w.cust, func(in *campaign.Input) {}, errs.Forbidden, ""},
		} {
			in := w.input(time.Hour, time.Hour, 1500)
			tc.change(&in)
			_, err := db.CreateCampaign(w.ctx, tc.who, in)
			if errs.CodeOf(err) != tc.code || errs.FieldOf(err) != tc.field {
				t.Errorf("%s: got %v, want %s on %q", tc.name, err, tc.code, tc.field)
			}
		}
		// Overlap: one campaign per SKU at a time.
		w.create(w.op, w.input(time.Hour, time.Hour, 1500))
		_, err := db.CreateCampaign(w.ctx, w.a, w.input(90*time.Minute, time.Hour, 1500))
		wantCode(t, err, errs.Conflict, "items[0].product_id")
		w.create(w.a, w.input(2*time.Hour, time.Hour, 1500)) // back to back is fine
		if n := w.int(`SELECT COUNT(*) FROM campaigns`); n != 2 {
			t.Fatalf("%d campaigns saved, want 2", n)
		}
		// Another supplier cannot see, edit or end A's campaign.
		mine := w.create(w.b, func() campaign.Input {
			in := w.input(time.Hour, time.Hour, 1500)
			in.Items = []campaign.Item{{ProductID: other.ID}}
			return in
		}())
		if _, err := db.EndCampaign(w.ctx, w.a, mine.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("ending another's: %v", err)
		}
	})
}

// TestCampaignStockLimit: units beyond the limit are sold at the usual
// price and rules; a cancelled unpaid order gives its units back.
func TestCampaignStockLimit(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCampaignWorld(t, db)
		in := w.input(0, time.Hour, 2000)
		in.StockLimit = new(int64)
		*in.StockLimit = 3
		c := w.create(w.op, in)
		first := w.buy(w.cust, 2)
		if first.Lines[0].Snapshot.Campaign == nil {
			t.Fatal("the first 2 units are under the campaign")
		}
		if l := w.buy(w.cust, 2).Lines[0]; l.Snapshot.Campaign != nil {
			t.Fatalf("2 more units would pass the limit of 3: %+v", l.Snapshot)
		}
		if l := w.buy(w.cust, 1).Lines[0]; l.Snapshot.Campaign == nil {
			t.Fatal("the last unit is under the campaign")
		}
		if l := w.buy(w.cust, 1).Lines[0]; l.Snapshot.Campaign != nil {
			t.Fatal("sold out")
		}
		if _, err := db.CancelOrder(w.ctx, w.cust, first.ID); err != nil {
			t.Fatal(err)
		}
		if got := w.int(`SELECT sold FROM campaigns WHERE id = ?`, c.ID); got != 1 {
			t.Fatalf("sold %d after the cancel, want 1", got)
		}
		if l := w.buy(w.cust, 2).Lines[0]; l.Snapshot.Campaign == nil {
			t.Fatal("the units given back sell under the campaign again")
		}
	})
}

// TestCampaignStockRace: two checkouts race for the last unit of a
// campaign. The first is held after claiming it, before its commit; the
// second plans (on PostgreSQL it still sees the unit free) and must not
// sell it too: it waits for the claim's row lock and then answers Conflict
// (PostgreSQL), or runs after the first (SQLite) and is priced without the
// campaign. Either way one unit is sold under a limit of one.
func TestCampaignStockRace(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCampaignWorld(t, db)
		in := w.input(0, time.Hour, 2000)
		in.StockLimit = new(int64)
		*in.StockLimit = 1
		c := w.create(w.op, in)
		other := w.account(account.Customer)

		h := testutil.Hold(t, db, "checkout.campaign.claimed")
		first := testutil.Run(func() error {
			_, err := db.Checkout(w.ctx, w.cust, cart("CN.44.03.05", order.Item{SKUID: w.sku, Quantity: 1}), "")
			return err
		})
		h.Reached()
		var second *order.Order
		race := testutil.Run(func() error {
			var err error
			second, err = db.Checkout(w.ctx, other, cart("CN.44.03.05", order.Item{SKUID: w.sku, Quantity: 1}), "")
			return err
		})
		testutil.BlockedOrEnded(t, db, race)
		h.Release()
		if err := first.Err(t); err != nil {
			t.Fatalf("first: %v", err)
		}
		switch err := race.Err(t); {
		case err == nil && second.Lines[0].Snapshot.Campaign == nil && second.Lines[0].UnitPrice == 1000:
		case errs.CodeOf(err) == errs.Conflict && errs.FieldOf(err) == "items[0].sku_id":
			// The retry is priced without the campaign.
			o, err := db.Checkout(w.ctx, other, cart("CN.44.03.05", order.Item{SKUID: w.sku, Quantity: 1}), "")
			if err != nil || o.Lines[0].Snapshot.Campaign != nil {
				t.Fatalf("retry: %v", err)
			}
		default:
			t.Fatalf("second: %v %+v", err, second)
		}
		if sold, lines := w.int(`SELECT sold FROM campaigns WHERE id = ?`, c.ID), w.int(`SELECT COUNT(*) FROM order_lines WHERE campaign_id = ?`, c.ID); sold != 1 || lines != 1 {
			t.Fatalf("sold %d, %d lines under the campaign; the limit is 1", sold, lines)
		}
	})
}

// TestOwnPurchase: off (the default), a distributor buying is not its own
// seller (its binding sells, or nobody); on, it is tier 1 and its upline
// tiers 2..; an inactive distributor never is. The cap holds either way.
func TestOwnPurchase(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCampaignWorld(t, db)
		buy := func() *order.Order { return w.buy(w.sellerActor, 1) }
		if o := buy(); o.SellerID != 0 || o.Attribution.Source != order.FromNone {
			t.Fatalf("off, unbound: seller %d (%s)", o.SellerID, o.Attribution.Source)
		}
		w.bind(w.sellerActor, w.x)
		if o := buy(); o.SellerID != w.x.ID {
			t.Fatalf("off, bound to x: seller %d", o.SellerID)
		}
		if got, err := db.AttributedSeller(w.ctx, w.sellerActor); err != nil || got != w.x.ID {
			t.Fatalf("off: the shop it buys in is %d (%v), want x's", got, err)
		}
		w.settings(func(s *program.Settings) { s.OwnPurchaseCommission = true })
		// The pages show it its own shop's prices: the ones checkout charges.
		if got, err := db.AttributedSeller(w.ctx, w.sellerActor); err != nil || got != w.seller.ID {
			t.Fatalf("on: the shop it buys in is %d (%v), want its own", got, err)
		}
		o := buy()
		l := o.Lines[0]
		if o.SellerID != w.seller.ID || o.Attribution.Source != order.FromOwnPurchase || l.Snapshot.SellerID != w.seller.ID ||
			fmt.Sprint(l.Snapshot.Upline) != fmt.Sprint([]int64{w.mid.ID}) {
			t.Fatalf("on: seller %d (%s), snapshot %+v", o.SellerID, o.Attribution.Source, l.Snapshot)
		}
		// Under a campaign at the cap's edge the split still holds the cap.
		w.create(w.op, w.input(0, time.Hour, 2500))
		l = buy().Lines[0]
		shares, err := commission.Split(l.Snapshot, commission.Line{Base: l.Base, Markup: l.Markup, Quantity: l.Quantity})
		if err != nil || shares.Of(commission.Party{Kind: commission.KindTier, Tier: 1, ID: w.seller.ID}) != 250 ||
			shares.Commissions() > 300 {
			t.Fatalf("shares %v %v", shares, err)
		}
		// A customer who is no distributor is unaffected.
		if o := w.buy(w.cust, 1); o.SellerID != w.seller.ID || o.Attribution.Source != order.FromBinding {
			t.Fatalf("customer: seller %d (%s)", o.SellerID, o.Attribution.Source)
		}
	})
}

// TestCentreCampaigns: a distributor sees running and coming campaigns with
// what it would earn per unit as tier 1, and no ended one.
func TestCentreCampaigns(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCampaignWorld(t, db)
		in := w.input(0, time.Hour, 2000)
		in.Items[0].Price = amount(800)
		running := w.create(w.a, in)
		q := w.product(w.b, "Cup", [2]int64{500, 0})
		in = w.input(2*time.Hour, time.Hour, 0)
		in.Tier1 = catalog.TierCommission{Kind: catalog.FixedCommission, PerUnit: 120}
		in.Items = []campaign.Item{{ProductID: q.ID}}
		coming := w.create(w.op, in)
		ended := w.create(w.op, func() campaign.Input {
			in := w.input(0, time.Hour, 1200)
			in.Items = []campaign.Item{{ProductID: w.product(w.b, "Pot", [2]int64{500, 0}).ID}}
			return in
		}())
		w.clock.Advance(time.Second)
		if _, err := db.EndCampaign(w.ctx, w.op, ended.ID); err != nil {
			t.Fatal(err)
		}
		got, err := db.CentreCampaigns(w.ctx, w.sellerActor)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != running.ID || got[1].ID != coming.ID {
			t.Fatalf("campaigns %+v", got)
		}
		r, c := got[0].Items[0], got[1].Items[0]
		if got[0].Status != campaign.Running || r.Price != 800 || r.Earn != 160 || r.Usual != 100 {
			t.Fatalf("running: %+v %+v", got[0], r)
		}
		if got[1].Status != campaign.Coming || c.Price != 500 || c.Earn != 120 || c.Usual != 50 {
			t.Fatalf("coming: %+v %+v", got[1], c)
		}
		if _, err := db.CentreCampaigns(w.ctx, w.cust); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("a customer: %v", err)
		}
	})
}
