package store

import (
	"context"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/sqldb"
)

// DepthRow is one depth (generation; 0: no sponsor) of the network:
// Members are its active distributors at the month's end, Joined the
// distributors who joined at that depth during the month. The row of
// depth insight.DeepRow sums every depth from it down (AndDeeper).
type DepthRow struct {
	Depth     int64
	Members   int64
	Joined    int64
	AndDeeper bool
}

// Depths is the network by depth at the end of Month (its first day, in
// the program's time zone), shallowest first; depths with neither members
// nor joins are left out.
type Depths struct {
	Month    time.Time
	Location *time.Location
	Rows     []DepthRow
	Members  int64 // every depth's
	Joined   int64
}

// InsightDepths returns the members per depth at the end of month and the
// month's joins (operators only): one range of insight_depths, months ×
// depths rows, whatever the number of distributors. month's year and month
// are read; a zero month is the program's current month.
func (db *DB) InsightDepths(ctx context.Context, actor account.Actor, month time.Time) (*Depths, error) {
	const op = "store.InsightDepths"
	if err := requireNetworkReader(actor); err != nil {
		return nil, errs.Wrap(op, err)
	}
	var out *Depths
	err := db.Read(ctx, func(tx *Tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		loc := s.Location()
		if month.IsZero() {
			month = tx.Now().In(loc)
		}
		m := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, loc)
		out = &Depths{Month: m, Location: loc, Rows: []DepthRow{}}
		key := insight.Key(m)
		return tx.Each(ctx, `SELECT depth, SUM(members), SUM(CASE WHEN period = ? THEN joined ELSE 0 END) FROM insight_depths
			WHERE period <= ? GROUP BY depth ORDER BY depth`, []any{key, key}, func(scan func(...any) error) error {
			var r DepthRow
			if err := scan(&r.Depth, &r.Members, &r.Joined); err != nil {
				return sqldb.MapErr(err)
			}
			r.AndDeeper = r.Depth >= insight.DeepRow
			if r.Members != 0 || r.Joined != 0 {
				out.Rows = append(out.Rows, r)
				out.Members += r.Members
				out.Joined += r.Joined
			}
			return nil
		})
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	return out, nil
}

// FirstSaleCohort is the distributors who joined in one month and how long
// each took to make its first sale. Days[d] is how many first sold d
// calendar days after joining (Days[insight.OverFirstSaleDays]: later
// than insight.MaxFirstSaleDays); Buckets sums them by insight.Buckets.
type FirstSaleCohort struct {
	Month      time.Time // the join month's first day; zero for the total
	Joined     int64     // distributors who joined in the month
	Sellers    int64     // of them, those who made a sale (so far)
	Buckets    []int64
	Days       []int64
	MedianDays int  // the median day count of the sellers, when HasMedian
	HasMedian  bool // false without sellers
}

// FirstSale is the time from joining to the first sale, per join month of
// a range, and for the range as a whole.
type FirstSale struct {
	Location *time.Location
	Cohorts  []FirstSaleCohort
	Total    FirstSaleCohort
}

func newCohort(month time.Time) FirstSaleCohort {
	return FirstSaleCohort{Month: month, Buckets: make([]int64, len(insight.Buckets)), Days: make([]int64, insight.OverFirstSaleDays+1)}
}

func (c *FirstSaleCohort) add(days int, n int64) {
	c.Days[days] += n
	c.Buckets[insight.BucketOf(days)] += n
	c.Sellers += n
}

// InsightFirstSale returns the time from joining to the first sale of the
// distributors who joined in the months from to to (their year and month
// are read; both included; at most insight.MaxMonths), operators only: one
// range of the histogram (months × day counts) and one of insight_depths.
func (db *DB) InsightFirstSale(ctx context.Context, actor account.Actor, from, to time.Time) (*FirstSale, error) {
	const op = "store.InsightFirstSale"
	if err := requireNetworkReader(actor); err != nil {
		return nil, errs.Wrap(op, err)
	}
	var out *FirstSale
	err := db.Read(ctx, func(tx *Tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		loc := s.Location()
		first := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, loc)
		last := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, loc)
		if err := insight.CheckMonths(first, last); err != nil {
			return err
		}
		out = &FirstSale{Location: loc, Total: newCohort(time.Time{})}
		at := map[int]int{}
		for i, m := range insight.Periods(insight.Month, first, last) {
			at[insight.Key(m)] = i
			out.Cohorts = append(out.Cohorts, newCohort(m))
		}
		lo, hi := insight.Key(first), insight.Key(last)
		err = tx.Each(ctx, `SELECT cohort, days, sellers FROM insight_first_sale WHERE cohort >= ? AND cohort <= ? AND sellers <> 0`,
			[]any{lo, hi}, func(scan func(...any) error) error {
				var cohort, days int
				var n int64
				if err := scan(&cohort, &days, &n); err != nil {
					return sqldb.MapErr(err)
				}
				if i, ok := at[cohort]; ok && days >= 0 && days <= insight.OverFirstSaleDays {
					out.Cohorts[i].add(days, n)
					out.Total.add(days, n)
				}
				return nil
			})
		if err != nil {
			return err
		}
		return tx.Each(ctx, `SELECT period, SUM(joined) FROM insight_depths WHERE period >= ? AND period <= ? GROUP BY period`,
			[]any{lo, hi}, func(scan func(...any) error) error {
				var period int
				var n int64
				if err := scan(&period, &n); err != nil {
					return sqldb.MapErr(err)
				}
				if i, ok := at[period]; ok {
					out.Cohorts[i].Joined += n
					out.Total.Joined += n
				}
				return nil
			})
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	for i := range out.Cohorts {
		out.Cohorts[i].MedianDays, out.Cohorts[i].HasMedian = insight.Median(out.Cohorts[i].Days)
	}
	out.Total.MedianDays, out.Total.HasMedian = insight.Median(out.Total.Days)
	return out, nil
}
