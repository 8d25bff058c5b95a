package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

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
// refunds. The lines are read in keyset pages inside one read transaction,
// so both sides see the same lines.
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
	var res *simulate.Result
	err := db.Read(ctx, func(tx *Tx) error {
		st, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		if err := prop.Validate(st); err != nil {
			return err
		}
		r, err := tx.simRules(ctx, prop)
		if err != nil {
			return err
		}
		t := simulate.NewTally()
		if err := tx.replay(ctx, st.CurrencyCode, period, r, t); err != nil {
			return err
		}
		res = t.Result(period, st.CurrencyCode, prop.Tiers, top)
		return nil
	})
	if err != nil {
		return nil, errs.Wrap("store.Simulate", err)
	}
	return res, nil
}

// simRules are a proposal with the rules in force filled in: every
// grade's tier-1 rate and every override, the proposal's where it names
// them.
type simRules struct {
	*simulate.Proposal
	grades        map[int64]*money.Rate
	products, sku map[int64]*catalog.Commission
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
	for id, c := range p.Products {
		r.products[id] = c
	}
	for id, c := range p.SKUs {
		r.sku[id] = c
	}
	return r, nil
}

// simPage is how many lines one keyset page reads.
const simPage = 2000

// simSnapshot is the part of a stored snapshot the replay reads: who was
// paid when the line was booked. Rules is only counted.
type simSnapshot struct {
	SupplierID int64             `json:"supplier_id"`
	SellerID   int64             `json:"seller_id"`
	Upline     []int64           `json:"upline"`
	Agent      *commission.Agent `json:"agent"`
	Rules      []struct{}        `json:"rules"`
}

// replay splits every line booked in period (in the program's currency)
// under r and adds the shares to t, page by page: a page of lines, then
// the shares booked on them (their index range), so each line's two sides
// are read together.
func (tx *Tx) replay(ctx context.Context, currency string, period simulate.Period, r *simRules, t *simulate.Tally) error {
	from, to := ts(period.From), ts(period.To)
	var lo, hi nullableInt
	if err := tx.Get(ctx, "lines", `SELECT MIN(line_id), MAX(line_id) FROM commission_lines WHERE booked_at >= ? AND booked_at < ?`,
		[]any{from, to}, &lo, &hi); err != nil {
		return err
	}
	var (
		raw    string
		s      simSnapshot
		seller network.Distributor
		agent  commission.Agent
		after  = int64(lo) - 1
		page   = make([]int64, 0, simPage) // the page's line ids, ascending
	)
	for after < int64(hi) {
		first := after
		page = page[:0]
		err := tx.Each(ctx, `SELECT c.line_id, c.snapshot, c.base, c.markup, c.quantity, COALESCE(l.product_id, 0), COALESCE(l.sku_id, 0),
				COALESCE((SELECT MAX(e.seller_grade) FROM sales_events e WHERE e.order_id = c.order_id AND e.line_id = c.line_id AND e.refund = FALSE), 0)
			FROM commission_lines c LEFT JOIN order_lines l ON l.id = c.line_id
			WHERE c.line_id > ? AND c.line_id <= ? AND c.booked_at >= ? AND c.booked_at < ? AND c.currency = ?
			ORDER BY c.line_id LIMIT ?`, []any{after, int64(hi), from, to, currency, simPage},
			func(scan func(...any) error) error {
				var line commission.Line
				var product, sku, grade int64
				if err := scan(&after, &raw, &line.Base, &line.Markup, &line.Quantity, &product, &sku, &grade); err != nil {
					return err
				}
				page = append(page, after)
				s = simSnapshot{Upline: s.Upline[:0], Rules: s.Rules[:0]}
				if err := json.Unmarshal([]byte(raw), &s); err != nil {
					return fmt.Errorf("line %d snapshot: %w", after, err)
				}
				var sellerP *network.Distributor
				var gradeTier1 *money.Rate
				if s.SellerID != 0 {
					seller.ID, sellerP = s.SellerID, &seller
					if grade != 0 {
						gradeTier1 = r.grades[grade]
					}
				}
				var agentP *commission.Agent
				if s.Agent != nil {
					agent, agentP = commission.Agent{DistributorID: s.Agent.DistributorID, Rate: r.AreaRate}, &agent
				}
				// The tree as checkout recorded it, to the tiers the proposal pays.
				upline := s.Upline[:min(len(s.Upline), max(r.Tiers-1, 0))]
				snap := snapshot(currency, s.SupplierID, sellerP, upline, gradeTier1, r.Tiers, r.TierRates, r.PlatformRate, r.Cap,
					agentP, r.products[product], r.sku[sku])
				shares, err := commission.Split(snap, line)
				if err != nil {
					return fmt.Errorf("line %d: %w", after, err)
				}
				t.Line(line.Base, len(s.Rules))
				t.Proposed(shares)
				return nil
			})
		if err != nil {
			return err
		}
		if len(page) > 0 {
			if err := tx.bookedShares(ctx, first, after, page, t); err != nil {
				return err
			}
		}
		if len(page) < simPage {
			break
		}
	}
	return nil
}

// bookedShares adds what was booked, after refunds, on the lines of page
// (ascending ids in (first, last]): the shares of that id range, less
// those of lines the page left out (another period or currency).
func (tx *Tx) bookedShares(ctx context.Context, first, last int64, page []int64, t *simulate.Tally) error {
	return tx.Each(ctx, `SELECT line_id, kind, beneficiary_id, amount FROM commission_shares WHERE line_id > ? AND line_id <= ?`,
		[]any{first, last}, func(scan func(...any) error) error {
			var line, id int64
			var kind string
			var amount money.Amount
			if err := scan(&line, &kind, &id, &amount); err != nil {
				return err
			}
			if _, ok := slices.BinarySearch(page, line); ok {
				t.Actual(commission.PartyKind(kind), id, amount)
			}
			return nil
		})
}
