package store

import (
	"context"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// RankPeriod is the stretch of the program's calendar a ranking covers.
type RankPeriod string

const (
	RankWeek  RankPeriod = "week"  // since Monday midnight, in the program's time zone
	RankMonth RankPeriod = "month" // since the first of the month
)

// RankBy is the figure distributors are ranked by.
type RankBy string

const (
	// RankBySales: the sales a distributor made itself (the commission base
	// of the lines it sold, net of refunds), as in its team figures.
	RankBySales RankBy = "sales"
	// RankByCommission: the tier commission it earned on its own and its
	// team's sales, net of refunds. Markups and area commissions are not
	// counted: the sales events record tiers only.
	RankByCommission RankBy = "commission"
)

// MaxRankEntries is the longest ranking.
const MaxRankEntries = 50

// RankEntry is one distributor's place in a ranking. Equal figures share a
// rank (1, 2, 2, 4).
type RankEntry struct {
	Rank          int
	DistributorID int64
	DisplayName   string
	Amount        money.Amount
}

// Ranking is the top distributors of a period by one figure.
type Ranking struct {
	Period     RankPeriod
	By         RankBy
	Start, End time.Time // the period: [Start, End), in the program's time zone
	Currency   string
	Entries    []RankEntry
}

// Ranking returns the active distributors with the highest figure in the
// current period, highest first (ties by id), only those above zero; to
// distributors and operators.
//
// Cost: one range of the sales_events_at index over the period's events
// (every line booked or refunded in it, platform-wide; three ranges for
// commission, one per tier), summed per distributor, then one primary-key
// read per distributor with a figure: linear in the period's events,
// whatever the size of the tree or the history (docs/web.md has figures). Events are appended when a line is booked or refunded, so
// the ranking is current without waiting for the figures' fold.
func (db *DB) Ranking(ctx context.Context, actor account.Actor, period RankPeriod, by RankBy, limit int) (*Ranking, error) {
	const op = "store.Ranking"
	if err := actor.Require(account.Distributor, account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if period != RankWeek && period != RankMonth {
		return nil, errs.Wrap(op, errs.Invalidf("period", "must be week or month"))
	}
	if by != RankBySales && by != RankByCommission {
		return nil, errs.Wrap(op, errs.Invalidf("by", "must be sales or commission"))
	}
	if limit <= 0 || limit > MaxRankEntries {
		limit = 10
	}
	out := &Ranking{Period: period, By: by}
	err := db.Read(ctx, func(tx *Tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		out.Currency = s.CurrencyCode
		today, _ := s.Day(tx.Now())
		if period == RankWeek {
			out.Start = today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7)) // back to Monday
			out.End = out.Start.AddDate(0, 0, 7)
		} else {
			out.Start = time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, today.Location())
			out.End = out.Start.AddDate(0, 1, 0)
		}
		from, to := ts(out.Start), ts(out.End)
		figures := `SELECT seller_id AS id, base AS amount FROM sales_events WHERE at >= ? AND at < ? AND seller_id <> 0`
		args := []any{from, to}
		if by == RankByCommission {
			figures = `SELECT tier1_id AS id, tier1_amount AS amount FROM sales_events WHERE at >= ? AND at < ? AND tier1_id <> 0
				UNION ALL SELECT tier2_id, tier2_amount FROM sales_events WHERE at >= ? AND at < ? AND tier2_id <> 0
				UNION ALL SELECT tier3_id, tier3_amount FROM sales_events WHERE at >= ? AND at < ? AND tier3_id <> 0`
			args = []any{from, to, from, to, from, to}
		}
		// Sum per distributor first, then join each distributor once.
		return tx.Each(ctx, `SELECT d.id, d.display_name, g.total FROM (SELECT id, SUM(amount) AS total FROM (`+figures+`) f
				GROUP BY id HAVING SUM(amount) > 0) g JOIN distributors d ON d.id = g.id
			WHERE d.status = 'active' ORDER BY g.total DESC, d.id LIMIT ?`, append(args, limit), func(scan func(...any) error) error {
			var e RankEntry
			if err := scan(&e.DistributorID, &e.DisplayName, &e.Amount); err != nil {
				return sqldb.MapErr(err)
			}
			e.Rank = len(out.Entries) + 1
			if n := len(out.Entries); n > 0 && out.Entries[n-1].Amount == e.Amount {
				e.Rank = out.Entries[n-1].Rank
			}
			out.Entries = append(out.Entries, e)
			return nil
		})
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	return out, nil
}
