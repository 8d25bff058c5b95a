package store

import (
	"context"
	"fmt"
	"strings"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/simulate"
)

// SimulationRules returns the commission rules in force: the program's,
// every grade's tier-1 rate and every product and SKU override.
func (db *DB) SimulationRules(ctx context.Context, actor account.Actor) (*simulate.Current, error) {
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap("store.SimulationRules", err)
	}
	var cur simulate.Current
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		if cur.Settings, err = tx.settings(ctx); err != nil {
			return err
		}
		if cur.Grades, err = tx.simGrades(ctx); err != nil {
			return err
		}
		cur.Overrides, err = tx.simOverrides(ctx)
		return err
	})
	if err != nil {
		return nil, errs.Wrap("store.SimulationRules", err)
	}
	return &cur, nil
}

func (tx *Tx) simGrades(ctx context.Context) ([]simulate.Grade, error) {
	var out []simulate.Grade
	err := tx.Each(ctx, `SELECT id, name, tier1_rate_bp FROM grades ORDER BY rank, id`, nil, func(scan func(...any) error) error {
		var g simulate.Grade
		var rate *int64
		if err := scan(&g.ID, &g.Name, &rate); err != nil {
			return err
		}
		if rate != nil {
			r := money.Rate(*rate)
			g.Tier1Rate = &r
		}
		out = append(out, g)
		return nil
	})
	return out, err
}

func (tx *Tx) simOverrides(ctx context.Context) ([]simulate.Override, error) {
	var out []simulate.Override
	err := tx.Each(ctx, `SELECT 'product', id, title, commission FROM products WHERE commission IS NOT NULL
		UNION ALL SELECT 'sku', k.id, p.title || ' · ' || k.code, k.commission FROM skus k JOIN products p ON p.id = k.product_id
		WHERE k.commission IS NOT NULL ORDER BY 1, 2`, nil, func(scan func(...any) error) error {
		var o simulate.Override
		var raw string
		if err := scan(&o.Scope, &o.ID, &o.Label, &raw); err != nil {
			return err
		}
		c, err := catalog.UnmarshalCommission(raw)
		if err != nil {
			return fmt.Errorf("%s %d commission: %w", o.Scope, o.ID, err)
		}
		if c != nil {
			o.Commission = c
			out = append(out, o)
		}
		return nil
	})
	return out, err
}

// Simulate replays the order lines paid in period under the proposed rules
// and returns what every party would have earned beside what it earned,
// with the top distributors that gain and lose (top each). Each line is
// snapshotted as checkout would snapshot it today (snapshot, so
// commission.ResolveTierRules) from the inputs its own snapshot recorded
// (seller, upline, supplier, regional agent) and the seller's grade when
// it was booked, then split by commission.Split. Refunds are netted: a line
// is replayed at its amounts after refunds, beside its shares after
// refunds. Both sides come from sim_lines, one row a line, first brought
// up to date with the bookings and refunds since the last simulation
// (simulate_fold.go); it is read in keyset pages inside one read
// transaction.
func (db *DB) Simulate(ctx context.Context, actor account.Actor, prop *simulate.Proposal, period simulate.Period, top int) (*simulate.Result, error) {
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap("store.Simulate", err)
	}
	if err := period.Validate(); err != nil {
		return nil, errs.Wrap("store.Simulate", err)
	}
	if top < 1 || top > 100 {
		return nil, errs.Wrap("store.Simulate", errs.Invalidf("top", "must be from 1 to 100"))
	}
	// The rules first, so that bad input changes nothing (not even the
	// derived rows); then the rows brought up to date with the lines booked
	// or refunded since the last simulation; then the replay.
	var (
		currency string
		r        *simRules
	)
	err := db.Read(ctx, func(tx *Tx) error {
		st, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		if err := prop.Validate(st); err != nil {
			return err
		}
		currency = st.CurrencyCode
		r, err = tx.simRules(ctx, prop)
		return err
	})
	if err != nil {
		return nil, errs.Wrap("store.Simulate", err)
	}
	if _, err := db.FoldSimLines(ctx, simFoldPerSimulation); err != nil {
		return nil, errs.Wrap("store.Simulate", err)
	}
	var res *simulate.Result
	err = db.Read(ctx, func(tx *Tx) error {
		t := simulate.NewTally()
		if err := tx.replay(ctx, currency, period, r, t); err != nil {
			return err
		}
		res = t.Result(period, currency, prop.Tiers, top)
		return tx.Get(ctx, "sales events", `SELECT COUNT(*) FROM sales_events WHERE sim_folded = FALSE`, nil, &res.Unfolded)
	})
	if err != nil {
		return nil, errs.Wrap("store.Simulate", err)
	}
	return res, nil
}

// simFoldPerSimulation bounds the bookings and refunds one simulation
// folds before it replays (measured at a million: about 2 s on SQLite,
// 35 s on PostgreSQL), so that a request after a long time without one
// still answers within the server's write timeout; the rest wait for the
// next simulation, and the result counts them (Result.Unfolded).
var simFoldPerSimulation = 50_000

// simRules are a proposal with the rules in force filled in: every
// grade's tier-1 rate and every override, the proposal's where it names
// them.
type simRules struct {
	*simulate.Proposal
	grades        map[int64]*money.Rate
	products, sku map[int64]*catalog.Commission
	campaigns     map[int64]*commission.TierRule // proposed campaigns' tier-1 rules by product
}

func (tx *Tx) simRules(ctx context.Context, p *simulate.Proposal) (*simRules, error) {
	r := &simRules{Proposal: p, grades: map[int64]*money.Rate{}, products: map[int64]*catalog.Commission{}, sku: map[int64]*catalog.Commission{}}
	grades, err := tx.simGrades(ctx)
	if err != nil {
		return nil, err
	}
	for _, g := range grades {
		r.grades[g.ID] = g.Tier1Rate
	}
	overrides, err := tx.simOverrides(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range overrides {
		if o.Scope == "product" {
			r.products[o.ID] = o.Commission
		} else {
			r.sku[o.ID] = o.Commission
		}
	}
	for id, rate := range p.Grades {
		if _, ok := r.grades[id]; !ok {
			return nil, errs.Invalidf(fmt.Sprintf("grades[%d]", id), "no such grade")
		}
		r.grades[id] = rate
	}
	for _, o := range []struct {
		field, table string
		proposed     map[int64]*catalog.Commission
		rules        map[int64]*catalog.Commission
	}{{"products", "products", p.Products, r.products}, {"skus", "skus", p.SKUs, r.sku}} {
		for id, c := range o.proposed {
			if _, ok := o.rules[id]; !ok {
				if found, err := tx.Exists(ctx, `SELECT 1 FROM `+o.table+` WHERE id = ?`, id); err != nil {
					return nil, err
				} else if !found {
					return nil, errs.Invalidf(fmt.Sprintf("%s[%d]", o.field, id), "no such %s", strings.TrimSuffix(o.table, "s"))
				}
			}
			o.rules[id] = c
		}
	}
	r.campaigns = map[int64]*commission.TierRule{}
	for id, t := range p.Campaigns {
		if t == nil {
			continue
		}
		if found, err := tx.Exists(ctx, `SELECT 1 FROM products WHERE id = ?`, id); err != nil {
			return nil, err
		} else if !found {
			return nil, errs.Invalidf(fmt.Sprintf("campaigns[%d].product_id", id), "no such product")
		}
		rule := commission.Fixed(t.PerUnit)
		if t.Kind == catalog.RateCommission {
			rule = commission.Rate(t.Rate)
		}
		r.campaigns[id] = &rule
	}
	return r, nil
}

// simPage is how many lines one keyset page reads.
const simPage = 5000

// replay splits every line booked in period (in the program's currency)
// under r and adds both sides to t: sim_lines in line order, a keyset page
// at a time, one row a line.
func (tx *Tx) replay(ctx context.Context, currency string, period simulate.Period, r *simRules, t *simulate.Tally) error {
	from, to := ts(period.From), ts(period.To)
	var lo, hi nullableInt
	if err := tx.Get(ctx, "lines", `SELECT MIN(line_id), MAX(line_id) FROM sim_lines WHERE booked_at >= ? AND booked_at < ?`,
		[]any{from, to}, &lo, &hi); err != nil {
		return err
	}
	var (
		row     simRow
		seller  network.Distributor
		agent   commission.Agent
		upline  [2]int64
		actual  [7]commission.Share
		after   = int64(lo) - 1
		maxUp   = max(r.Tiers-1, 0)
		scanned int
	)
	dest := []any{&row.line, &row.bookedAt, &row.currency, &row.tiers, &row.supplier, &row.seller, &row.tier2ID, &row.tier3ID, &row.agent, &row.product, &row.sku,
		&row.grade, &row.line3.Base, &row.line3.Markup, &row.line3.Quantity}
	for i := range row.share {
		dest = append(dest, &row.share[i])
	}
	var campKind string
	var camp lineCampaign
	dest = append(dest, &campKind, &row.campaign.Rate, &row.campaign.PerUnit)
	for after < int64(hi) {
		scanned = 0
		// Only the line range in SQL, so that the plan is the primary key's
		// range whatever the statistics say (a freshly folded table has
		// none: PostgreSQL took the booking-time index and sorted, per page);
		// the few lines in the range paid outside the period, or in another
		// currency, are skipped here.
		err := tx.Each(ctx, `SELECT line_id, booked_at, currency, tiers, supplier_id, seller_id, tier2_id, tier3_id, agent_id, product_id,
				sku_id, grade_id, base, markup, quantity, tier1, tier2, tier3, agent, platform, supplier, seller_markup,
				campaign_kind, campaign_rate, campaign_per_unit
			FROM sim_lines WHERE line_id > ? AND line_id <= ? ORDER BY line_id LIMIT ?`, []any{after, int64(hi), simPage},
			func(scan func(...any) error) error {
				if err := scan(dest...); err != nil {
					return err
				}
				after = row.line
				scanned++
				if row.bookedAt < from || row.bookedAt >= to || row.currency != currency {
					return nil
				}
				var sellerP *network.Distributor
				var gradeTier1 *money.Rate
				if row.seller != 0 {
					seller.ID, sellerP = row.seller, &seller
					if row.grade != 0 {
						gradeTier1 = r.grades[row.grade]
					}
				}
				var agentP *commission.Agent
				if row.agent != 0 {
					agent, agentP = commission.Agent{DistributorID: row.agent, Rate: r.AreaRate}, &agent
				}
				// The tree as checkout recorded it, to the tiers the proposal pays.
				upline = [2]int64{row.tier2ID, row.tier3ID}
				// A line sold in a campaign keeps the campaign's tier-1 rule
				// as it ran: the proposal's rules are replayed around it.
				var campP *lineCampaign
				if rule := r.campaigns[row.product]; rule != nil {
					camp.rule, campP = rule, &camp // a proposed campaign on the product
				} else if campKind != "" {
					row.campaign.Kind = catalog.CommissionKind(campKind)
					camp.rule, campP = &row.campaign, &camp
				}
				snap := snapshot(currency, row.supplier, sellerP, upline[:maxUp], gradeTier1, r.Tiers, r.TierRates, r.PlatformRate, r.Cap,
					agentP, r.products[row.product], r.sku[row.sku], campP)
				shares, err := commission.Split(snap, row.line3)
				if err != nil {
					return fmt.Errorf("line %d: %w", row.line, err)
				}
				t.Line(row.line3.Base, row.tiers)
				t.Proposed(shares)
				t.Booked(row.booked(actual[:0]))
				return nil
			})
		if err != nil {
			return err
		}
		if scanned < simPage {
			break
		}
	}
	return nil
}

// booked is the row's shares as booked (after refunds), in out.
func (r *simRow) booked(out commission.Shares) commission.Shares {
	for k, id := range [3]int64{r.seller, r.tier2ID, r.tier3ID} {
		if id != 0 {
			out = append(out, commission.Share{Party: commission.Party{Kind: commission.KindTier, Tier: k + 1, ID: id}, Amount: money.Amount(r.share[k])})
		}
	}
	if r.agent != 0 {
		out = append(out, commission.Share{Party: commission.Party{Kind: commission.KindAgent, ID: r.agent}, Amount: money.Amount(r.share[3])})
	}
	if r.seller != 0 {
		out = append(out, commission.Share{Party: commission.Party{Kind: commission.KindMarkup, ID: r.seller}, Amount: money.Amount(r.share[6])})
	}
	return append(out,
		commission.Share{Party: commission.Party{Kind: commission.KindPlatform}, Amount: money.Amount(r.share[4])},
		commission.Share{Party: commission.Party{Kind: commission.KindSupplier, ID: r.supplier}, Amount: money.Amount(r.share[5])})
}
