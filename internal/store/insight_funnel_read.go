package store

import (
	"context"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/sqldb"
)

// FunnelQuery asks for the share funnel of the days From to To (both
// included, as in SeriesQuery) by Grain, for one distributor or one
// product (0: all; not both at once: rows are kept per distributor and per
// product, never per pair). SupplierID as in SeriesQuery.
type FunnelQuery struct {
	Grain         insight.Grain
	From, To      time.Time
	DistributorID int64
	ProductID     int64
	SupplierID    int64
}

// FunnelReport is a funnel per period of the range (zeros where nothing
// happened) and their sum (Total: unique visitors summed over periods, so
// a visitor counts once per period).
type FunnelReport struct {
	Grain         insight.Grain
	SupplierID    int64
	DistributorID int64
	ProductID     int64
	Name          string // the distributor's or the product's name; "" for all
	Location      *time.Location
	Points        []insight.Funnel
	Total         insight.Funnel
}

// InsightFunnel returns the share funnel from the rollups (operators and
// suppliers; a supplier sees its goods' funnel only): one indexed range of
// at most insight.MaxPoints rows, whatever the number of visits or orders.
func (db *DB) InsightFunnel(ctx context.Context, actor account.Actor, q FunnelQuery) (*FunnelReport, error) {
	const op = "store.InsightFunnel"
	if q.Grain == "" {
		q.Grain = insight.Day
	}
	if _, err := insight.ParseGrain(string(q.Grain)); err != nil {
		return nil, errs.Wrap(op, err)
	}
	switch {
	case q.DistributorID < 0:
		return nil, errs.Wrap(op, errs.Invalidf("distributor", "must be a distributor id"))
	case q.ProductID < 0:
		return nil, errs.Wrap(op, errs.Invalidf("product", "must be a product id"))
	case q.DistributorID != 0 && q.ProductID != 0:
		return nil, errs.Wrap(op, errs.Invalidf("product", "give a distributor or a product, not both"))
	}
	var out *FunnelReport
	err := db.Read(ctx, func(tx *Tx) error {
		sup, _, loc, err := tx.insightScope(ctx, actor, q.SupplierID)
		if err != nil {
			return err
		}
		from, to := calendarDay(q.From, loc), calendarDay(q.To, loc)
		if err := insight.CheckRange(q.Grain, from, to); err != nil {
			return err
		}
		var name string
		if q.DistributorID != 0 {
			err := tx.Get(ctx, "distributor", `SELECT display_name FROM distributors WHERE id = ?`, []any{q.DistributorID}, &name)
			if errs.Is(err, errs.NotFound) {
				return errs.Invalidf("distributor", "no distributor has this id")
			}
			if err != nil {
				return err
			}
		}
		if q.ProductID != 0 {
			var owner int64
			err := tx.Get(ctx, "product", `SELECT supplier_id, title FROM products WHERE id = ?`, []any{q.ProductID}, &owner, &name)
			if errs.Is(err, errs.NotFound) || err == nil && sup != 0 && owner != sup {
				return errs.Invalidf("product", "no product of this scope has this id")
			}
			if err != nil {
				return err
			}
		}
		periods := insight.Periods(q.Grain, from, to)
		out = &FunnelReport{Grain: q.Grain, SupplierID: sup, DistributorID: q.DistributorID, ProductID: q.ProductID, Name: name,
			Location: loc, Points: make([]insight.Funnel, len(periods))}
		at := make(map[int]int, len(periods))
		for i, p := range periods {
			out.Points[i].Period = p
			at[insight.Key(p)] = i
		}
		err = tx.Each(ctx, `SELECT period, links, visits, visitors, bindings, orders, paid, settled FROM insight_funnel
			WHERE supplier_id = ? AND grain = ? AND distributor_id = ? AND product_id = ? AND period >= ? AND period <= ? ORDER BY period`,
			[]any{sup, string(q.Grain), q.DistributorID, q.ProductID, insight.Key(periods[0]), insight.Key(periods[len(periods)-1])},
			func(scan func(...any) error) error {
				var key int
				var f insight.Funnel
				if err := scan(&key, &f.Links, &f.Visits, &f.Visitors, &f.Bindings, &f.Orders, &f.Paid, &f.Settled); err != nil {
					return sqldb.MapErr(err)
				}
				if i, ok := at[key]; ok {
					f.Period = out.Points[i].Period
					out.Points[i] = f
				}
				return nil
			})
		for _, p := range out.Points {
			out.Total.Add(p)
		}
		return err
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	return out, nil
}

// Cohort is one monthly join cohort: its size, the members its
// distributors invited (who joined within 30 days of their sponsor, and
// ever), and how many of it sold in each month since (Active[k]: month
// Month+k, k = 0.. up to the current month or insight.MaxRetentionMonths).
type Cohort struct {
	Month     time.Time
	Joined    int64
	Invited30 int64
	Invited   int64
	Active    []int64
}

// CohortReport is every cohort, oldest first, at most the last
// MaxCohorts months of the program.
type CohortReport struct {
	Location *time.Location
	Cohorts  []Cohort
}

// MaxCohorts bounds the cohorts a report shows: three years of months.
const MaxCohorts = insight.MaxRetentionMonths + 1

// InsightCohorts returns the monthly join cohorts (operators only: the
// network belongs to no supplier), from the cohort rollups: at most
// MaxCohorts rows and MaxCohorts × 37 retention cells.
func (db *DB) InsightCohorts(ctx context.Context, actor account.Actor) (*CohortReport, error) {
	const op = "store.InsightCohorts"
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	var out *CohortReport
	err := db.Read(ctx, func(tx *Tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		loc := s.Location()
		now := insight.DateOf(insight.MonthKey(tx.Now(), loc), loc)
		first := insight.Key(now.AddDate(0, -(MaxCohorts - 1), 0))
		out = &CohortReport{Location: loc, Cohorts: []Cohort{}}
		at := map[int]int{}
		err = tx.Each(ctx, `SELECT cohort, joined, invited_30, invited FROM insight_cohorts WHERE cohort >= ? ORDER BY cohort`,
			[]any{first}, func(scan func(...any) error) error {
				var key int
				var c Cohort
				if err := scan(&key, &c.Joined, &c.Invited30, &c.Invited); err != nil {
					return sqldb.MapErr(err)
				}
				c.Month = insight.DateOf(key, loc)
				c.Active = make([]int64, min(insight.MonthsBetween(c.Month, now), insight.MaxRetentionMonths)+1)
				at[key] = len(out.Cohorts)
				out.Cohorts = append(out.Cohorts, c)
				return nil
			})
		if err != nil {
			return err
		}
		return tx.Each(ctx, `SELECT cohort, k, active FROM insight_retention WHERE cohort >= ?`, []any{first},
			func(scan func(...any) error) error {
				var key, k int
				var n int64
				if err := scan(&key, &k, &n); err != nil {
					return sqldb.MapErr(err)
				}
				i, ok := at[key]
				if !ok {
					return nil // a cohort with sales and no joiner folded yet: shown once its joiners are
				}
				c := &out.Cohorts[i]
				for len(c.Active) <= k {
					c.Active = append(c.Active, 0) // the clock is behind a sale folded
				}
				c.Active[k] = n
				return nil
			})
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	return out, nil
}
