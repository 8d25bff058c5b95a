package store

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"sharemall/internal/insight"
	"sharemall/internal/sqldb"
)

// rowBatches are the sizes of the fold's multi-row statements: a chunk's
// rows go in statements of these sizes, largest first, so that a handful
// of statement texts (each prepared once) serve every chunk, and the
// largest (256 rows × 14 columns of a series row) stays far below the
// engines' limits on parameters (32,766 on SQLite, 65,535 on PostgreSQL).
var rowBatches = []int{256, 64, 16, 4, 1}

// eachBatch calls fn with consecutive ranges [lo, hi) of n rows, sized by
// rowBatches.
func eachBatch(n int, fn func(lo, hi int) error) error {
	for lo := 0; lo < n; {
		k := 1
		for _, b := range rowBatches {
			if n-lo >= b {
				k = b
				break
			}
		}
		if err := fn(lo, lo+k); err != nil {
			return err
		}
		lo += k
	}
	return nil
}

// valuesList is "(?, ?), (?, ?)" for rows rows of cols columns.
func valuesList(rows, cols int) string {
	one := "(" + sqldb.Placeholders(cols) + ")"
	return strings.Repeat(one+", ", rows-1) + one
}

func cmpSeriesKey(a, b seriesKey) int {
	return cmp.Or(cmp.Compare(a.grain, b.grain), cmp.Compare(a.supplier, b.supplier), cmp.Compare(a.period, b.period))
}

func cmpBreakdownKey(a, b breakdownKey) int {
	return cmp.Or(cmp.Compare(a.supplier, b.supplier), cmp.Compare(a.dim, b.dim), cmp.Compare(a.day, b.day), cmp.Compare(a.key, b.key))
}

// write adds a chunk's changes to the rollups, in multi-row statements
// (rowBatches): new buyers and sellers first, each statement returning the
// members it inserted, so each period's paying customers and active
// distributors grow by those it had not counted; then the series and the
// breakdowns (days, then weeks, months, years and spans), each row an
// upsert adding the chunk's figures.
func (f *insightFold) write(ctx context.Context, tx *Tx) error {
	if err := f.writeMembers(ctx, tx, f.buyers, `insight_buyers`, `customer_id`, func(p *insight.Point) { p.Customers++ }); err != nil {
		return err
	}
	if err := f.writeMembers(ctx, tx, f.sellers, `insight_sellers`, `distributor_id`, func(p *insight.Point) { p.ActiveDistributors++ }); err != nil {
		return err
	}
	if err := f.writeSeries(ctx, tx); err != nil {
		return err
	}
	if err := f.writeBreakdown(ctx, tx); err != nil {
		return err
	}
	if err := f.markPacks(ctx, tx); err != nil {
		return err
	}
	return f.writeBreakdownRollups(ctx, tx)
}

// writeMembers inserts a chunk's members of the periods' distinct sets
// (table, member column) and calls counted on the series point of each
// member the set did not hold yet.
func (f *insightFold) writeMembers(ctx context.Context, tx *Tx, set map[buyerKey]bool, table, column string, counted func(*insight.Point)) error {
	keys := make([]buyerKey, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b buyerKey) int {
		return cmp.Or(cmpSeriesKey(a.series, b.series), cmp.Compare(a.member, b.member))
	})
	return eachBatch(len(keys), func(lo, hi int) error {
		args := make([]any, 0, 4*(hi-lo))
		for _, k := range keys[lo:hi] {
			args = append(args, string(k.series.grain), k.series.supplier, k.series.period, k.member)
		}
		return tx.Each(ctx, `INSERT INTO `+table+` (grain, supplier_id, period, `+column+`) VALUES `+valuesList(hi-lo, 4)+`
			ON CONFLICT (grain, supplier_id, period, `+column+`) DO NOTHING RETURNING grain, supplier_id, period`, args,
			func(scan func(...any) error) error {
				var k seriesKey
				var grain string
				if err := scan(&grain, &k.supplier, &k.period); err != nil {
					return sqldb.MapErr(err)
				}
				k.grain = insight.Grain(grain)
				if p := f.series[k]; p != nil {
					counted(p)
				}
				return nil
			})
	})
}

// writeSeries adds the chunk's series figures to their periods' rows.
func (f *insightFold) writeSeries(ctx context.Context, tx *Tx) error {
	keys := make([]seriesKey, 0, len(f.series))
	for k := range f.series {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmpSeriesKey)
	return eachBatch(len(keys), func(lo, hi int) error {
		args := make([]any, 0, 14*(hi-lo))
		for _, k := range keys[lo:hi] {
			p := f.series[k]
			args = append(args, string(k.grain), k.supplier, k.period, p.GMV, p.Orders, p.Customers, p.Refunds, p.Refunded,
				p.NewDistributors, p.ActiveDistributors, p.CommissionBooked, p.CommissionReversed, p.CommissionSettled, p.CommissionPaidOut)
		}
		_, err := tx.Exec(ctx, `INSERT INTO insight_series (grain, supplier_id, period, gmv, orders, customers, refunds, refunded,
				new_distributors, active_distributors, commission_booked, commission_reversed, commission_settled, commission_paid_out)
			VALUES `+valuesList(hi-lo, 14)+`
			ON CONFLICT (grain, supplier_id, period) DO UPDATE SET gmv = insight_series.gmv + excluded.gmv,
				orders = insight_series.orders + excluded.orders, customers = insight_series.customers + excluded.customers,
				refunds = insight_series.refunds + excluded.refunds, refunded = insight_series.refunded + excluded.refunded,
				new_distributors = insight_series.new_distributors + excluded.new_distributors,
				active_distributors = insight_series.active_distributors + excluded.active_distributors,
				commission_booked = insight_series.commission_booked + excluded.commission_booked,
				commission_reversed = insight_series.commission_reversed + excluded.commission_reversed,
				commission_settled = insight_series.commission_settled + excluded.commission_settled,
				commission_paid_out = insight_series.commission_paid_out + excluded.commission_paid_out`, args...)
		return err
	})
}

// writeBreakdown adds the chunk's breakdown figures to their days' rows.
func (f *insightFold) writeBreakdown(ctx context.Context, tx *Tx) error {
	keys := make([]breakdownKey, 0, len(f.breakdown))
	for k := range f.breakdown {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmpBreakdownKey)
	return eachBatch(len(keys), func(lo, hi int) error {
		args := make([]any, 0, 6*(hi-lo))
		for _, k := range keys[lo:hi] {
			v := f.breakdown[k]
			args = append(args, k.supplier, string(k.dim), k.day, k.key, v[0], v[1])
		}
		_, err := tx.Exec(ctx, `INSERT INTO insight_breakdown (supplier_id, dim, day, key_code, amount, commission) VALUES `+valuesList(hi-lo, 6)+`
			ON CONFLICT (supplier_id, dim, day, key_code) DO UPDATE SET amount = insight_breakdown.amount + excluded.amount,
				commission = insight_breakdown.commission + excluded.commission`, args...)
		return err
	})
}
