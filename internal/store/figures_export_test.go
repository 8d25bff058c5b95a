package store

import (
	"context"
	"encoding/json"
	"fmt"

	"sharemall/internal/commission"
)

// FiguresForTest is every figure the rollups hold, keyed for comparison;
// rows that are all zero are left out.
type FiguresForTest struct {
	Distributors map[int64][6]int64    // own sales, own orders, depth 1..3 sales, team sales
	Tiers        map[[2]int64][2]int64 // (supplier, tier) → base, commission
	Regions      map[string]int64      // "supplier|region" → base
}

func newFigures() FiguresForTest {
	return FiguresForTest{Distributors: map[int64][6]int64{}, Tiers: map[[2]int64][2]int64{}, Regions: map[string]int64{}}
}

func (f FiguresForTest) dropZeros() FiguresForTest {
	for k, v := range f.Distributors {
		if v == [6]int64{} {
			delete(f.Distributors, k)
		}
	}
	for k, v := range f.Tiers {
		if v == [2]int64{} {
			delete(f.Tiers, k)
		}
	}
	for k, v := range f.Regions {
		if v == 0 {
			delete(f.Regions, k)
		}
	}
	return f
}

// FiguresStoredForTest reads the rollups as they are.
func (db *DB) FiguresStoredForTest(ctx context.Context) (FiguresForTest, error) {
	f := newFigures()
	err := db.Read(ctx, func(tx *Tx) error {
		err := tx.Each(ctx, `SELECT distributor_id, own_sales, own_orders, depth1_sales, depth2_sales, depth3_sales, team_sales
			FROM distributor_sales`, nil, func(scan func(...any) error) error {
			var id int64
			var v [6]int64
			err := scan(&id, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5])
			f.Distributors[id] = v
			return err
		})
		if err != nil {
			return err
		}
		err = tx.Each(ctx, `SELECT supplier_id, tier, base, commission FROM sales_by_tier`, nil, func(scan func(...any) error) error {
			var k [2]int64
			var v [2]int64
			err := scan(&k[0], &k[1], &v[0], &v[1])
			f.Tiers[k] = v
			return err
		})
		if err != nil {
			return err
		}
		return tx.Each(ctx, `SELECT supplier_id, region_code, base FROM sales_by_region`, nil, func(scan func(...any) error) error {
			var s, v int64
			var code string
			err := scan(&s, &code, &v)
			f.Regions[fmt.Sprintf("%d|%s", s, code)] = v
			return err
		})
	})
	return f.dropZeros(), err
}

// FiguresRecomputedForTest is the test oracle: every figure recomputed
// from the raw tables (commission lines and shares as they stand after
// refunds, order lines, orders and the tree), without the events.
func (db *DB) FiguresRecomputedForTest(ctx context.Context) (FiguresForTest, error) {
	f := newFigures()
	err := db.Read(ctx, func(tx *Tx) error {
		sponsor := map[int64]int64{}
		err := tx.Each(ctx, `SELECT id, COALESCE(sponsor_id, 0) FROM distributors`, nil, func(scan func(...any) error) error {
			var id, s int64
			err := scan(&id, &s)
			sponsor[id] = s
			return err
		})
		if err != nil {
			return err
		}
		tierPaid := map[[2]int64]int64{} // (line, tier) → current commission
		err = tx.Each(ctx, `SELECT line_id, tier, amount FROM commission_shares WHERE kind = 'tier'`, nil, func(scan func(...any) error) error {
			var line, tier, amount int64
			err := scan(&line, &tier, &amount)
			tierPaid[[2]int64{line, tier}] += amount
			return err
		})
		if err != nil {
			return err
		}
		orders := map[int64]map[int64]bool{} // seller → orders
		return tx.Each(ctx, `SELECT c.line_id, c.order_id, c.snapshot, c.base, COALESCE(l.supplier_id, 0), COALESCE(o.ship_region, '')
			FROM commission_lines c LEFT JOIN order_lines l ON l.id = c.line_id LEFT JOIN orders o ON o.id = l.order_id`, nil,
			func(scan func(...any) error) error {
				var line, order, base, supplier int64
				var snapJSON, region string
				if err := scan(&line, &order, &snapJSON, &base, &supplier, &region); err != nil {
					return err
				}
				var snap commission.Snapshot
				if err := json.Unmarshal([]byte(snapJSON), &snap); err != nil {
					return err
				}
				if s := snap.SellerID; s != 0 {
					if orders[s] == nil {
						orders[s] = map[int64]bool{}
					}
					orders[s][order] = true
					v := f.Distributors[s]
					v[0] += base
					v[1] = int64(len(orders[s]))
					f.Distributors[s] = v
					for lvl, a := 1, sponsor[s]; a != 0; lvl, a = lvl+1, sponsor[a] {
						v := f.Distributors[a]
						if lvl <= 3 {
							v[1+lvl] += base
						}
						v[5] += base
						f.Distributors[a] = v
					}
				}
				t := f.Tiers[[2]int64{supplier, 0}]
				t[0] += base
				f.Tiers[[2]int64{supplier, 0}] = t
				for k := 1; k <= 3; k++ {
					if snap.Beneficiary(k) != 0 {
						t := f.Tiers[[2]int64{supplier, int64(k)}]
						t[0] += base
						t[1] += tierPaid[[2]int64{line, int64(k)}]
						f.Tiers[[2]int64{supplier, int64(k)}] = t
					}
				}
				for _, code := range regionLevels(region) {
					f.Regions[fmt.Sprintf("%d|%s", supplier, code)] += base
				}
				return nil
			})
	})
	return f.dropZeros(), err
}

// SalesEventsForTest appends one booked-line event of base for each seller,
// as booking would, without orders: for benchmarks of the fold and reads.
func (db *DB) SalesEventsForTest(ctx context.Context, sellers []int64, base int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		for i, s := range sellers {
			if _, err := tx.Exec(ctx, `INSERT INTO sales_events (line_id, order_id, seller_id, supplier_id, region, new_order, base,
				tier1_id, at) VALUES (?, ?, ?, 1, 'CN.44.03.05', TRUE, ?, ?, ?)`, i+1, i+1, s, base, s, ts(tx.Now())); err != nil {
				return err
			}
		}
		return nil
	})
}
