package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
	"sharemall/internal/store"
)

// SalesHistory writes n sales events spread evenly at random over the days
// before now, for the insight scenario to fold and read a year of rollups
// rather than the few seconds of orders the checkout scenario placed. Each
// copies a booking the checkout scenario recorded (its line, order,
// supplier and amounts: real products, warehouses and customers) with a
// random seller among the distributors and a random shipping region. They
// are marked folded for the team figures, which they must not change, and
// unfolded for insight. It returns how many it wrote.
func SalesHistory(ctx context.Context, db *store.DB, p *Program, n, days int, rngSeed uint64) (int, error) {
	type booking struct {
		line, order, supplier, base, tier1 int64
	}
	var templates []booking
	err := db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.Each(ctx, `SELECT line_id, order_id, supplier_id, base, tier1_amount FROM sales_events
			WHERE refund = FALSE AND base > 0 ORDER BY id LIMIT 10000`, nil, func(scan func(...any) error) error {
			var b booking
			if err := scan(&b.line, &b.order, &b.supplier, &b.base, &b.tier1); err != nil {
				return err
			}
			templates = append(templates, b)
			return nil
		})
	})
	if err != nil {
		return 0, errs.Wrap("seed.SalesHistory", err)
	}
	if len(templates) == 0 {
		return 0, fmt.Errorf("seed.SalesHistory: no booking to copy; run the checkout scenario first")
	}
	rng := rand.New(rand.NewPCG(rngSeed, 77))
	now := db.Now()
	const cols = 10
	per := benchBatchParams / cols
	for done := 0; done < n; {
		k := min(per, n-done)
		values := make([]string, k)
		args := make([]any, 0, k*cols)
		for i := range k {
			b := templates[rng.IntN(len(templates))]
			seller := p.FirstID + int64(rng.IntN(p.Distributors))
			// In time order, as a live program's events are appended:
			// the i-th of n at a random instant of the i-th n-th of the days.
			frac := (float64(done+i) + rng.Float64()) / float64(n)
			at := now.Add(-time.Duration((1 - frac) * float64(int64(days)*int64(24*time.Hour))))
			values[i] = `(?, ?, ?, ?, ?, TRUE, FALSE, ?, ?, ?, 0, 0, 0, 0, ?, TRUE)`
			args = append(args, b.line, b.order, seller, b.supplier, p.RegionCodes[rng.IntN(len(p.RegionCodes))], b.base, seller, b.tier1, sqldb.TS(at))
		}
		err := db.DB.Write(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO sales_events (line_id, order_id, seller_id, supplier_id, region, new_order, refund, base,
				tier1_id, tier1_amount, tier2_id, tier3_id, tier2_amount, tier3_amount, at, folded) VALUES `+strings.Join(values, ", "), args...)
			return err
		})
		if err != nil {
			return done, errs.Wrap("seed.SalesHistory", err)
		}
		done += k
	}
	return n, nil
}
