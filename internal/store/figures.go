package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/sqldb"
)

// sale is one sales_events row to record: a line booked (shares as
// booked), or refunded (shares as changed, base negative).
type sale struct {
	lineID, orderID int64
	snap            commission.Snapshot
	base            money.Amount
	shares          []commission.Share
	newOrder        bool // the order's first line booked
	refund          bool // a refund's change, not a booking
	// facts, when set, are the line's supplier, the order's region and
	// the seller's grade as the caller read them in this transaction;
	// nil: recordSales looks them up in the statement.
	facts *saleFacts
}

// saleFacts are the columns of a sales event that recordSales otherwise
// reads with subqueries of its INSERT (three per row).
type saleFacts struct {
	supplierID int64
	region     string
	grade      int64
}

// recordSales records sales events in one statement: what each tier earned
// on the line, for the figures to fold later (so checkout never walks the
// upline).
func (tx *Tx) recordSales(ctx context.Context, sales []sale) error {
	if len(sales) == 0 {
		return nil
	}
	values := make([]string, len(sales))
	var args []any
	for i, s := range sales {
		var amount [3]int64
		for _, sh := range s.shares {
			if sh.Party.Kind == commission.KindTier && sh.Party.Tier >= 1 && sh.Party.Tier <= 3 {
				amount[sh.Party.Tier-1] += int64(sh.Amount)
			}
		}
		if f := s.facts; f != nil {
			values[i] = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
			args = append(args, s.lineID, s.orderID, s.snap.SellerID, f.supplierID, f.region, s.newOrder, s.refund, int64(s.base),
				s.snap.Beneficiary(1), s.snap.Beneficiary(2), s.snap.Beneficiary(3), amount[0], amount[1], amount[2], ts(tx.Now()), f.grade)
			continue
		}
		values[i] = `(?, ?, ?,
			COALESCE((SELECT supplier_id FROM order_lines WHERE id = ?), 0),
			COALESCE((SELECT o.ship_region FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE l.id = ?), ''),
			?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ` + sellerGradeSQL(s.refund) + `)`
		args = append(args, s.lineID, s.orderID, s.snap.SellerID, s.lineID, s.lineID, s.newOrder, s.refund, int64(s.base),
			s.snap.Beneficiary(1), s.snap.Beneficiary(2), s.snap.Beneficiary(3), amount[0], amount[1], amount[2], ts(tx.Now()))
		args = append(args, sellerGradeArgs(s)...)
	}
	return tx.ExecLater(ctx, `INSERT INTO sales_events (line_id, order_id, seller_id, supplier_id, region, new_order, refund, base,
			tier1_id, tier2_id, tier3_id, tier1_amount, tier2_amount, tier3_amount, at, seller_grade) VALUES `+strings.Join(values, ", "), args...)
}

// refundChange turns a refund's reversals into the change of each share.
func refundChange(d commission.Delta) []commission.Share {
	out := make([]commission.Share, len(d))
	for i, sh := range d {
		out[i] = commission.Share{Party: sh.Party, Amount: -sh.Amount}
	}
	return out
}

// saleEvent is one sales_events row as the fold reads it.
type saleEvent struct {
	id, seller, supplier int64
	region               string
	newOrder             bool
	base                 int64
	tierID, tierAmount   [3]int64
}

// maxEventAmount bounds what one sales event can change: a line's base is
// at most the highest price times the highest quantity, and so is what a
// tier earns on it. A batch of events within it cannot overflow int64.
const maxEventAmount = int64(catalog.MaxPrice) * order.MaxQuantity

// check refuses an event beyond any real line's: the row is corrupt, and
// folding it would wrap the figures' sums instead of failing.
func (e saleEvent) check() error {
	for _, v := range []int64{e.base, e.tierAmount[0], e.tierAmount[1], e.tierAmount[2]} {
		if v > maxEventAmount || v < -maxEventAmount {
			return fmt.Errorf("sales event %d: amount %d is beyond any order line's (at most %d); the row is corrupt", e.id, v, maxEventAmount)
		}
	}
	return nil
}

// sellerChange is what a batch adds to one seller's figures.
type sellerChange struct{ base, orders int64 }

type tierKey struct {
	supplier int64
	tier     int
}

type regionKey struct {
	supplier int64
	code     string
}

// foldChunk is the most events one fold transaction takes: each distinct
// seller costs one upsert per ancestor, so short transactions keep the
// write lock (SQLite) from stalling checkout behind a deep tree.
const foldChunk = 50

// FoldSalesEvents folds up to limit unfolded sales events into the
// rollups, in transactions of at most foldChunk events, each under the fold
// lock and marking its events folded: each event counts once however many
// runners fold at once. Team figures use the tree as it is when the event
// is folded. A chunk that fails is folded again event by event, so one
// event that cannot fold is recorded as failed (see RecordFailure) and the
// others count. It returns the number of events folded.
func (db *DB) FoldSalesEvents(ctx context.Context, limit int) (int, error) {
	const op = "store.FoldSalesEvents"
	if limit <= 0 {
		limit = 500
	}
	t := &sweepTally{kind: SweepFigures}
	foldOne := func(ctx context.Context, tx *Tx, id int64) (int, error) {
		return tx.foldSales(ctx, `id = ?`, id)
	}
	if err := db.retryDue(ctx, t, limit, foldOne); err != nil {
		return t.result(op, err)
	}
	fresh := notFailing(t.kind, "sales_events.id")
	for t.seen() < limit {
		var n int
		want := min(limit-t.seen(), foldChunk)
		err := db.Write(ctx, func(tx *Tx) error {
			var err error
			n, err = tx.foldSales(ctx, fresh+` ORDER BY id LIMIT ?`, want)
			return err
		})
		if err == nil {
			t.add(n)
			if n < want {
				break
			}
			continue
		}
		if ctx.Err() != nil || errs.Is(err, errs.Unavailable) {
			return t.result(op, err)
		}
		ids, err := db.dueIDs(ctx, `SELECT id FROM sales_events WHERE folded = FALSE AND `+fresh+` ORDER BY id LIMIT ?`, want)
		if err != nil {
			return t.result(op, err)
		}
		for _, id := range ids {
			if err := db.item(ctx, t, id, false, foldOne); err != nil {
				return t.result(op, err)
			}
		}
		if len(ids) < want {
			break
		}
	}
	return t.result(op, nil)
}

func (tx *Tx) lockFigures(ctx context.Context) error {
	_, err := tx.Exec(ctx, `UPDATE figures_state SET value = value + 1 WHERE name = 'fold'`)
	return err
}

// foldSales folds the unfolded events that cond (with args) picks.
func (tx *Tx) foldSales(ctx context.Context, cond string, args ...any) (int, error) {
	if err := tx.lockFigures(ctx); err != nil {
		return 0, err
	}
	var events []saleEvent
	err := tx.Each(ctx, `SELECT id, seller_id, supplier_id, region, new_order, base, tier1_id, tier2_id, tier3_id,
			tier1_amount, tier2_amount, tier3_amount
		FROM sales_events WHERE folded = FALSE AND `+cond, args, func(scan func(...any) error) error {
		var e saleEvent
		if err := scan(&e.id, &e.seller, &e.supplier, &e.region, &e.newOrder, &e.base, &e.tierID[0], &e.tierID[1], &e.tierID[2],
			&e.tierAmount[0], &e.tierAmount[1], &e.tierAmount[2]); err != nil {
			return sqldb.MapErr(err)
		}
		events = append(events, e)
		return nil
	})
	if err != nil || len(events) == 0 {
		return 0, err
	}
	for _, e := range events {
		if err := e.check(); err != nil {
			return 0, err
		}
	}
	ids := make([]any, len(events))
	sellers := map[int64]*sellerChange{}
	tiers := map[tierKey]*[2]int64{}
	regions := map[regionKey]int64{}
	for i, e := range events {
		ids[i] = e.id
		if e.seller != 0 {
			c := sellers[e.seller]
			if c == nil {
				c = &sellerChange{}
				sellers[e.seller] = c
			}
			c.base += e.base
			if e.newOrder {
				c.orders++
			}
		}
		addTier(tiers, tierKey{e.supplier, 0}, e.base, 0)
		for k := range 3 {
			if e.tierID[k] != 0 {
				addTier(tiers, tierKey{e.supplier, k + 1}, e.base, e.tierAmount[k])
			}
		}
		for _, code := range regionLevels(e.region) {
			regions[regionKey{e.supplier, code}] += e.base
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE sales_events SET folded = TRUE WHERE id IN (`+sqldb.Placeholders(len(ids))+`)`, ids...); err != nil {
		return 0, err
	}
	for _, id := range sortedKeys(sellers) {
		if err := tx.addSellerSales(ctx, id, *sellers[id]); err != nil {
			return 0, err
		}
	}
	for k, v := range tiers {
		if _, err := tx.Exec(ctx, `INSERT INTO sales_by_tier (supplier_id, tier, base, commission) VALUES (?, ?, ?, ?)
			ON CONFLICT (supplier_id, tier) DO UPDATE SET base = sales_by_tier.base + excluded.base,
				commission = sales_by_tier.commission + excluded.commission`, k.supplier, k.tier, v[0], v[1]); err != nil {
			return 0, err
		}
	}
	for k, v := range regions {
		if _, err := tx.Exec(ctx, `INSERT INTO sales_by_region (supplier_id, region_code, base) VALUES (?, ?, ?)
			ON CONFLICT (supplier_id, region_code) DO UPDATE SET base = sales_by_region.base + excluded.base`, k.supplier, k.code, v); err != nil {
			return 0, err
		}
	}
	return len(events), nil
}

// addSellerSales adds a batch's change to the seller's own figures and to
// the team figures of everyone above it: one recursive statement, however
// deep the tree (level 0 is the seller, level k its k-th ancestor).
func (tx *Tx) addSellerSales(ctx context.Context, seller int64, c sellerChange) error {
	_, err := tx.Exec(ctx, `WITH RECURSIVE up(id, lvl) AS (
			SELECT CAST(? AS BIGINT), 0
			UNION ALL
			SELECT d.sponsor_id, up.lvl + 1 FROM distributors d JOIN up ON d.id = up.id WHERE d.sponsor_id IS NOT NULL)
		INSERT INTO distributor_sales (distributor_id, own_sales, own_orders, depth1_sales, depth2_sales, depth3_sales, team_sales, grade_due, updated_at)
		SELECT id,
			CASE WHEN lvl = 0 THEN CAST(? AS BIGINT) ELSE 0 END,
			CASE WHEN lvl = 0 THEN CAST(? AS BIGINT) ELSE 0 END,
			CASE WHEN lvl = 1 THEN CAST(? AS BIGINT) ELSE 0 END,
			CASE WHEN lvl = 2 THEN CAST(? AS BIGINT) ELSE 0 END,
			CASE WHEN lvl = 3 THEN CAST(? AS BIGINT) ELSE 0 END,
			CASE WHEN lvl > 0 THEN CAST(? AS BIGINT) ELSE 0 END,
			TRUE, CAST(? AS BIGINT)
		FROM up WHERE id IN (SELECT id FROM distributors)
		ON CONFLICT (distributor_id) DO UPDATE SET
			own_sales = distributor_sales.own_sales + excluded.own_sales,
			own_orders = distributor_sales.own_orders + excluded.own_orders,
			depth1_sales = distributor_sales.depth1_sales + excluded.depth1_sales,
			depth2_sales = distributor_sales.depth2_sales + excluded.depth2_sales,
			depth3_sales = distributor_sales.depth3_sales + excluded.depth3_sales,
			team_sales = distributor_sales.team_sales + excluded.team_sales,
			grade_due = TRUE, updated_at = excluded.updated_at`,
		seller, c.base, c.orders, c.base, c.base, c.base, c.base, ts(tx.Now()))
	return err
}

func addTier(m map[tierKey]*[2]int64, k tierKey, base, commission int64) {
	v := m[k]
	if v == nil {
		v = &[2]int64{}
		m[k] = v
	}
	v[0] += base
	v[1] += commission
}

// regionLevels is a region code and every prefix of it ending at a dot:
// "CN.44.03" gives CN, CN.44, CN.44.03.
func regionLevels(code string) []string {
	if code == "" {
		return nil
	}
	var out []string
	for i := range len(code) {
		if code[i] == '.' {
			out = append(out, code[:i])
		}
	}
	return append(out, code)
}

func sortedKeys[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
