package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// SweepSimLines is the name of the sweep that keeps sim_lines current.
const SweepSimLines = "sim-lines"

// simFoldBatch is how many sales events one fold transaction takes.
const simFoldBatch = 1000

// FoldSimLines brings sim_lines up to date: every sales event (a booking
// or a refund) not folded yet has its line's row computed again from the
// line, its shares and its order line, in batches of one transaction each,
// until none is left or limit events are folded (limit <= 0: no limit).
// Simulate calls it first; it fits a sweep's signature, for a runner that
// wants the rows kept current between simulations. It returns how many
// events it folded. The sim-lines sweep runs it with the other
// background work (jobs.Sweeps), so simulations find little to catch up.
func (db *DB) FoldSimLines(ctx context.Context, limit int) (int, error) {
	total := 0
	for limit <= 0 || total < limit {
		want := simFoldBatch
		if limit > 0 {
			want = min(want, limit-total)
		}
		var n int
		err := db.writeAlone(ctx, func(tx *Tx) error { // bulk: no savepoint in a batch of other writers
			var err error
			n, err = tx.foldSimBatch(ctx, want)
			return err
		})
		if err != nil {
			return total, errs.Wrap("store.FoldSimLines", err)
		}
		total += n
		if n < want {
			break
		}
	}
	return total, nil
}

func (tx *Tx) foldSimBatch(ctx context.Context, limit int) (int, error) {
	if _, err := tx.Exec(ctx, `UPDATE sim_fold_lock SET id = 1 WHERE id = 1`); err != nil {
		return 0, err
	}
	var events []any
	var lines []int64
	err := tx.Each(ctx, `SELECT id, line_id FROM sales_events WHERE sim_folded = FALSE ORDER BY id LIMIT ?`, []any{limit},
		func(scan func(...any) error) error {
			var id, line int64
			err := scan(&id, &line)
			events, lines = append(events, id), append(lines, line)
			return err
		})
	if err != nil || len(events) == 0 {
		return 0, err
	}
	slices.Sort(lines)
	lines = slices.Compact(lines)
	for lo := 0; lo < len(lines); lo += 500 {
		if err := tx.foldSimRows(ctx, lines[lo:min(len(lines), lo+500)]); err != nil {
			return 0, err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE sales_events SET sim_folded = TRUE WHERE id IN (`+sqldb.Placeholders(len(events))+`)`, events...); err != nil {
		return 0, err
	}
	return len(events), nil
}

// simLineCols are sim_lines' columns in the order simRow.args gives them.
const simLineCols = `line_id, booked_at, currency, tiers, supplier_id, seller_id, tier2_id, tier3_id, agent_id, product_id, sku_id, grade_id,
	base, markup, quantity, tier1, tier2, tier3, agent, platform, supplier, seller_markup, campaign_kind, campaign_rate, campaign_per_unit`

// simRow is one sim_lines row.
type simRow struct {
	line, bookedAt                            int64
	currency                                  string
	tiers                                     int
	supplier, seller, tier2ID, tier3ID, agent int64
	product, sku, grade                       int64
	line3                                     commission.Line
	share                                     [7]int64            // tier 1..3, agent, platform, supplier, markup
	campaign                                  commission.TierRule // the campaign's tier-1 rule the line was booked under; Kind "" for none
}

func (r *simRow) args() []any {
	a := []any{r.line, r.bookedAt, r.currency, r.tiers, r.supplier, r.seller, r.tier2ID, r.tier3ID, r.agent, r.product, r.sku, r.grade,
		int64(r.line3.Base), int64(r.line3.Markup), r.line3.Quantity}
	for _, s := range r.share {
		a = append(a, s)
	}
	return append(a, string(r.campaign.Kind), int64(r.campaign.Rate), int64(r.campaign.PerUnit))
}

// foldSimRows computes the rows of lines afresh and writes them.
func (tx *Tx) foldSimRows(ctx context.Context, lines []int64) error {
	rows := map[int64]*simRow{}
	var order []int64
	err := tx.Each(ctx, `SELECT c.line_id, c.booked_at, c.currency, c.snapshot, c.base, c.markup, c.quantity,
			COALESCE(l.product_id, 0), COALESCE(l.sku_id, 0),
			COALESCE((SELECT MAX(e.seller_grade) FROM sales_events e WHERE e.order_id = c.order_id AND e.line_id = c.line_id AND e.refund = FALSE), 0)
		FROM commission_lines c LEFT JOIN order_lines l ON l.id = c.line_id
		WHERE c.line_id IN (`+sqldb.Placeholders(len(lines))+`)`, sqldb.Args(lines), func(scan func(...any) error) error {
		r := &simRow{}
		var raw string
		if err := scan(&r.line, &r.bookedAt, &r.currency, &raw, &r.line3.Base, &r.line3.Markup, &r.line3.Quantity, &r.product, &r.sku, &r.grade); err != nil {
			return err
		}
		var s commission.Snapshot
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			return fmt.Errorf("line %d snapshot: %w", r.line, err)
		}
		r.tiers, r.supplier, r.seller = len(s.Rules), s.SupplierID, s.SellerID
		r.tier2ID, r.tier3ID = s.Beneficiary(2), s.Beneficiary(3)
		if s.Agent != nil {
			r.agent = s.Agent.DistributorID
		}
		if s.Campaign != nil && len(s.Rules) > 0 {
			r.campaign = s.Rules[0]
		}
		rows[r.line] = r
		order = append(order, r.line)
		return nil
	})
	if err != nil || len(order) == 0 {
		return err
	}
	err = tx.Each(ctx, `SELECT line_id, kind, tier, amount FROM commission_shares WHERE line_id IN (`+sqldb.Placeholders(len(lines))+`)`,
		sqldb.Args(lines), func(scan func(...any) error) error {
			var line, amount int64
			var kind string
			var tier int
			if err := scan(&line, &kind, &tier, &amount); err != nil {
				return err
			}
			r := rows[line]
			if r == nil {
				return nil
			}
			switch commission.PartyKind(kind) {
			case commission.KindTier:
				if tier >= 1 && tier <= 3 {
					r.share[tier-1] = amount
				}
			case commission.KindAgent:
				r.share[3] = amount
			case commission.KindPlatform:
				r.share[4] = amount
			case commission.KindSupplier:
				r.share[5] = amount
			case commission.KindMarkup:
				r.share[6] = amount
			}
			return nil
		})
	if err != nil {
		return err
	}
	slices.Sort(order)
	values := make([]string, len(order))
	var args []any
	one := "(" + sqldb.Placeholders(25) + ")"
	for i, id := range order {
		values[i] = one
		args = append(args, rows[id].args()...)
	}
	set := make([]string, 0, 24)
	for _, c := range strings.Split(simLineCols, ",")[1:] {
		c = strings.TrimSpace(c)
		set = append(set, c+" = excluded."+c)
	}
	_, err = tx.Exec(ctx, `INSERT INTO sim_lines (`+simLineCols+`) VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (line_id) DO UPDATE SET `+strings.Join(set, ", "), args...)
	return err
}
