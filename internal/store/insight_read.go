package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// SeriesQuery asks for a time series. From and To are calendar days (their
// year, month and day are read; their location is not), both included; the
// series covers every period of Grain that meets them. SupplierID 0 is the
// whole program for an operator and its own goods for a supplier. Metric,
// when set, is checked against the scope: new distributors and commission
// paid out are kept for the whole program only.
type SeriesQuery struct {
	Metric     insight.Metric
	Grain      insight.Grain
	From, To   time.Time
	SupplierID int64
}

// Series is every figure of each period, oldest first, one point per
// period of the range (zeros where nothing happened).
type Series struct {
	Grain      insight.Grain
	SupplierID int64 // 0: the whole program
	Currency   string
	Location   *time.Location // the program's time zone: the periods' days
	Points     []insight.Point
}

// BreakdownQuery asks for a breakdown of the days From to To (both
// included, as in SeriesQuery) by one dimension, the Limit largest rows (0:
// insight.DefaultBreakdown).
type BreakdownQuery struct {
	By         insight.Dim
	From, To   time.Time
	SupplierID int64
	Limit      int
}

// BreakdownRow is one key's figures in a period: Amount is the base net of
// refunds, Commission the tier commission net of refunds (for tier K what
// tier K earns; for a distributor its tier-1 earnings on its own sales).
type BreakdownRow struct {
	Key        string // tier number, region code, or the id of a product, category (0: none), warehouse or distributor
	Name       string // the region's, product's, category's, warehouse's or distributor's name; "" for tiers
	Amount     money.Amount
	Commission money.Amount
}

// Breakdown is the rows of a period, largest amount first (tiers in order).
type Breakdown struct {
	By         insight.Dim
	SupplierID int64
	Currency   string
	Rows       []BreakdownRow
}

// calendarDay keeps a time's year, month and day, at midnight in loc.
func calendarDay(t time.Time, loc *time.Location) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// insightScope resolves whose figures an insight read shows (operators:
// the program or one supplier; a supplier: its own), and the program's
// currency and time zone.
func (tx *Tx) insightScope(ctx context.Context, actor account.Actor, supplierID int64) (int64, string, *time.Location, error) {
	sup, err := tx.reportSupplier(ctx, actor, supplierID)
	if err != nil {
		return 0, "", nil, err
	}
	s, err := tx.settings(ctx)
	if err != nil {
		return 0, "", nil, err
	}
	return sup, s.CurrencyCode, s.Location(), nil
}

// InsightSeries returns a series from the rollups (operators and
// suppliers): one indexed range of at most insight.MaxPoints rows,
// whatever the number of orders. The figures are as of the insight
// sweep's last run.
func (db *DB) InsightSeries(ctx context.Context, actor account.Actor, q SeriesQuery) (*Series, error) {
	const op = "store.InsightSeries"
	if q.Grain == "" {
		q.Grain = insight.Day
	}
	if _, err := insight.ParseGrain(string(q.Grain)); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if q.Metric != "" {
		if _, err := insight.ParseMetric(string(q.Metric)); err != nil {
			return nil, errs.Wrap(op, err)
		}
	}
	var out *Series
	err := db.Read(ctx, func(tx *Tx) error {
		sup, currency, loc, err := tx.insightScope(ctx, actor, q.SupplierID)
		if err != nil {
			return err
		}
		if sup != 0 && q.Metric.ProgramOnly() {
			return errs.Invalidf("metric", "%s is kept for the whole program only, not per supplier", q.Metric)
		}
		from, to := calendarDay(q.From, loc), calendarDay(q.To, loc)
		if err := insight.CheckRange(q.Grain, from, to); err != nil {
			return err
		}
		periods := insight.Periods(q.Grain, from, to)
		out = &Series{Grain: q.Grain, SupplierID: sup, Currency: currency, Location: loc, Points: make([]insight.Point, len(periods))}
		at := make(map[int]int, len(periods))
		for i, p := range periods {
			out.Points[i].Period = p
			at[insight.Key(p)] = i
		}
		err = tx.Each(ctx, `SELECT period, gmv, orders, customers, refunds, refunded, new_distributors, active_distributors,
				commission_booked, commission_reversed, commission_settled, commission_paid_out
			FROM insight_series WHERE grain = ? AND supplier_id = ? AND period >= ? AND period <= ? ORDER BY period`,
			[]any{string(q.Grain), sup, insight.Key(periods[0]), insight.Key(periods[len(periods)-1])},
			func(scan func(...any) error) error {
				var key int
				var p insight.Point
				if err := scan(&key, &p.GMV, &p.Orders, &p.Customers, &p.Refunds, &p.Refunded, &p.NewDistributors, &p.ActiveDistributors,
					&p.CommissionBooked,
					&p.CommissionReversed, &p.CommissionSettled, &p.CommissionPaidOut); err != nil {
					return sqldb.MapErr(err)
				}
				if i, ok := at[key]; ok {
					p.Period = out.Points[i].Period
					out.Points[i] = p
				}
				return nil
			})
		if err != nil || sup != 0 {
			return err
		}
		// The network's size: those who joined before the first period
		// (one range of the program's days, at most one row a day since it
		// began), then a running sum.
		var size int64
		if err := tx.Get(ctx, "network size", `SELECT COALESCE(SUM(new_distributors), 0) FROM insight_series
			WHERE grain = 'day' AND supplier_id = 0 AND period < ?`, []any{insight.Key(periods[0])}, &size); err != nil {
			return err
		}
		for i := range out.Points {
			size += out.Points[i].NewDistributors
			out.Points[i].Distributors = size
		}
		return nil
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	return out, nil
}

// InsightBreakdown returns a breakdown from the rollups (operators and
// suppliers): the range is planned as the fewest pieces (planBreakdown):
// a rolling span of the last 1, 7 or 30 days, a week, month or year, runs
// of days. One piece that is a span or a period is one range of an index
// by amount, top rows first; any other range is summed in memory from its
// packs, a day's or a past month's rows in one value each
// (insight_packs.go). Then one look-up of the names of at most Limit keys.
func (db *DB) InsightBreakdown(ctx context.Context, actor account.Actor, q BreakdownQuery) (*Breakdown, error) {
	const op = "store.InsightBreakdown"
	if _, err := insight.ParseDim(string(q.By)); err != nil {
		return nil, errs.Wrap(op, err)
	}
	limit, err := insight.CheckLimit(q.Limit)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	var out *Breakdown
	err = db.Read(ctx, func(tx *Tx) error {
		sup, currency, loc, err := tx.insightScope(ctx, actor, q.SupplierID)
		if err != nil {
			return err
		}
		from, to := calendarDay(q.From, loc), calendarDay(q.To, loc)
		if err := insight.CheckRange(insight.Day, from, to); err != nil {
			return err
		}
		out = &Breakdown{By: q.By, SupplierID: sup, Currency: currency, Rows: []BreakdownRow{}}
		state, err := tx.breakdownState(ctx)
		if err != nil {
			return err
		}
		f, t := insight.Key(from), insight.Key(to)
		thisMonth := insight.DayKey(tx.Now(), loc)/100*100 + 1
		err = tx.breakdownTop(ctx, sup, q.By, planBreakdown(f, t, state), f, t, thisMonth, limit,
			func(scan func(...any) error) error {
				var r BreakdownRow
				if err := scan(&r.Key, &r.Amount, &r.Commission); err != nil {
					return sqldb.MapErr(err)
				}
				out.Rows = append(out.Rows, r)
				return nil
			})
		if err != nil {
			return err
		}
		return tx.breakdownNames(ctx, q.By, out.Rows)
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	return out, nil
}

// breakdownNames fills the rows' names: one look-up by primary key for
// all of them.
func (tx *Tx) breakdownNames(ctx context.Context, by insight.Dim, rows []BreakdownRow) error {
	var q string
	switch by {
	case insight.ByProvince, insight.ByCity:
		q = `SELECT code, name FROM regions WHERE code IN (%s)`
	case insight.ByProduct:
		q = `SELECT CAST(id AS TEXT), title FROM products WHERE id IN (%s)`
	case insight.ByCategory:
		q = `SELECT CAST(id AS TEXT), name FROM categories WHERE id IN (%s)`
	case insight.ByWarehouse:
		q = `SELECT CAST(id AS TEXT), name FROM warehouses WHERE id IN (%s)`
	case insight.ByDistributor:
		q = `SELECT CAST(id AS TEXT), display_name FROM distributors WHERE id IN (%s)`
	case insight.ByGrade:
		q = `SELECT CAST(id AS TEXT), name FROM grades WHERE id IN (%s)`
	default:
		return nil
	}
	if len(rows) == 0 {
		return nil
	}
	args := make([]any, len(rows))
	at := make(map[string]int, len(rows))
	for i, r := range rows {
		at[r.Key] = i
		args[i] = r.Key
		if by != insight.ByProvince && by != insight.ByCity {
			id, _ := strconv.ParseInt(r.Key, 10, 64)
			args[i] = id
		}
	}
	return tx.Each(ctx, fmt.Sprintf(q, sqldb.Placeholders(len(rows))), args, func(scan func(...any) error) error {
		var key, name string
		if err := scan(&key, &name); err != nil {
			return sqldb.MapErr(err)
		}
		if i, ok := at[key]; ok {
			rows[i].Name = name
		}
		return nil
	})
}
