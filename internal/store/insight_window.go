package store

import (
	"context"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/sqldb"
)

// InsightWindow returns the figures of the days from to to (both included,
// calendar days as in SeriesQuery) as one point: the daily rollups summed,
// except paying customers and active distributors, which are counted
// distinct over the window from the fold's per-day member sets (a customer
// who paid on three of the days counts once). It reads at most MaxPoints
// days of rollups and the window's members, never orders. Distributors
// (the network size) is left 0.
func (db *DB) InsightWindow(ctx context.Context, actor account.Actor, supplierID int64, from, to time.Time) (insight.Point, error) {
	const op = "store.InsightWindow"
	var out insight.Point
	err := db.Read(ctx, func(tx *Tx) error {
		sup, _, loc, err := tx.insightScope(ctx, actor, supplierID)
		if err != nil {
			return err
		}
		from, to := calendarDay(from, loc), calendarDay(to, loc)
		if err := insight.CheckRange(insight.Day, from, to); err != nil {
			return err
		}
		out.Period = from
		lo, hi := insight.Key(from), insight.Key(to)
		if err := tx.Get(ctx, "insight window", `SELECT COALESCE(SUM(gmv), 0), COALESCE(SUM(orders), 0), COALESCE(SUM(refunds), 0),
				COALESCE(SUM(refunded), 0), COALESCE(SUM(new_distributors), 0), COALESCE(SUM(commission_booked), 0),
				COALESCE(SUM(commission_reversed), 0), COALESCE(SUM(commission_settled), 0), COALESCE(SUM(commission_paid_out), 0)
			FROM insight_series WHERE grain = 'day' AND supplier_id = ? AND period >= ? AND period <= ?`, []any{sup, lo, hi},
			&out.GMV, &out.Orders, &out.Refunds, &out.Refunded, &out.NewDistributors, &out.CommissionBooked,
			&out.CommissionReversed, &out.CommissionSettled, &out.CommissionPaidOut); err != nil {
			return sqldb.MapErr(err)
		}
		if err := tx.Get(ctx, "insight window", `SELECT COUNT(DISTINCT customer_id) FROM insight_buyers
			WHERE grain = 'day' AND supplier_id = ? AND period >= ? AND period <= ?`, []any{sup, lo, hi}, &out.Customers); err != nil {
			return sqldb.MapErr(err)
		}
		return tx.Get(ctx, "insight window", `SELECT COUNT(DISTINCT distributor_id) FROM insight_sellers
			WHERE grain = 'day' AND supplier_id = ? AND period >= ? AND period <= ?`, []any{sup, lo, hi}, &out.ActiveDistributors)
	})
	return out, errs.Wrap(op, err)
}
