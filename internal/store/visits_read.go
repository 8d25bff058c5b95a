package store

import (
	"context"
	"database/sql"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/program"
	"sharemall/internal/sqldb"
)

// A distributor's reach: its share links with how often each was opened,
// its visits day by day, and the customers bound to it. Visits counted here
// are share links opened and posters scanned; a coupon typed at checkout is
// a touch too (it binds) but not a visit of a link.

// LinkVisits is one of a distributor's share links and its visits.
type LinkVisits struct {
	Code         string
	ProductID    int64  // 0: the shop
	ProductTitle string // "" for the shop
	Channel      string // link or poster
	CreatedAt    time.Time
	Visits       int64
	Visitors     int64      // distinct browsers
	LastVisit    *time.Time // nil: never opened
}

// DayVisits is the visits of one program day (midnight to midnight in the
// program's time zone).
type DayVisits struct {
	Day    time.Time // the day's first instant, in the program's time zone
	Visits int64
}

// BoundCustomer is a customer bound to a distributor, as the distributor
// may see it: a masked name (account.MaskedName) and when it was bound.
type BoundCustomer struct {
	Key         int64 // the page cursor with BoundAt; not shown
	Name        string
	BoundAt     time.Time
	Mode        program.BindingMode
	LockedUntil *time.Time
}

// CustomerCursor is where a page of bound customers starts: after the
// customer bound at At with Key (newest first); the zero cursor starts at
// the newest.
type CustomerCursor struct {
	At  time.Time
	Key int64
}

// MaxVisitDays bounds VisitsByDay.
const MaxVisitDays = 366

// reachOf checks that actor may read distributorID's reach: the
// distributor itself, or an operator. Another distributor's is NotFound.
func reachOf(actor account.Actor, distributorID int64) error {
	if err := actor.Require(account.Distributor, account.Operator); err != nil {
		return err
	}
	if !actor.IsOperator() && (actor.DistributorID != distributorID || actor.APIKeyID != 0) {
		return errs.E(errs.NotFound, "", "distributor not found")
	}
	return nil
}

// ShareLinkVisits lists a distributor's share links, the shop's first then
// by product, each with its visits (the distributor itself or an operator).
func (db *DB) ShareLinkVisits(ctx context.Context, actor account.Actor, distributorID int64) ([]LinkVisits, error) {
	if err := reachOf(actor, distributorID); err != nil {
		return nil, errs.Wrap("store.ShareLinkVisits", err)
	}
	var out []LinkVisits
	err := db.Read(ctx, func(tx *Tx) error {
		if _, err := tx.distributor(ctx, distributorID); err != nil {
			return err
		}
		at := map[string]int{}
		err := tx.Each(ctx, `SELECT l.code, l.product_id, COALESCE(p.title, ''), l.channel, l.created_at
			FROM share_links l LEFT JOIN products p ON p.id = l.product_id
			WHERE l.distributor_id = ? ORDER BY COALESCE(l.product_id, 0), l.channel`, []any{distributorID},
			func(scan func(...any) error) error {
				var l LinkVisits
				var product nullableInt
				var created int64
				if err := scan(&l.Code, &product, &l.ProductTitle, &l.Channel, &created); err != nil {
					return sqldb.MapErr(err)
				}
				l.ProductID, l.CreatedAt = int64(product), fromTS(created)
				at[l.Code] = len(out)
				out = append(out, l)
				return nil
			})
		if err != nil || len(out) == 0 {
			return err
		}
		// One range of the (distributor_id, at) index, whatever the number of links.
		return tx.Each(ctx, `SELECT link_code, COUNT(*), COUNT(DISTINCT CASE WHEN visitor <> '' THEN visitor END), MAX(at)
			FROM visits WHERE distributor_id = ? AND link_code IS NOT NULL GROUP BY link_code`, []any{distributorID},
			func(scan func(...any) error) error {
				var code string
				var n, visitors int64
				var last sql.NullInt64
				if err := scan(&code, &n, &visitors, &last); err != nil {
					return sqldb.MapErr(err)
				}
				if i, ok := at[code]; ok {
					out[i].Visits, out[i].Visitors, out[i].LastVisit = n, visitors, fromNullTS(last)
				}
				return nil
			})
	})
	return out, errs.Wrap("store.ShareLinkVisits", err)
}

// visitBucket is the width, in stored microseconds, of the slices visits
// are counted in before they are put into days: a quarter of an hour, which
// every time zone's offset is a multiple of, so the SQL stays portable and
// a day's edge never falls inside a slice.
const visitBucket = 15 * 60 * 1_000_000

// VisitsByDay counts a distributor's visits (links opened, posters scanned)
// on each of the last days program days, today last, days without visits
// included (the distributor itself or an operator).
func (db *DB) VisitsByDay(ctx context.Context, actor account.Actor, distributorID int64, days int) ([]DayVisits, error) {
	if err := reachOf(actor, distributorID); err != nil {
		return nil, errs.Wrap("store.VisitsByDay", err)
	}
	if days < 1 || days > MaxVisitDays {
		return nil, errs.Wrap("store.VisitsByDay", errs.Invalidf("days", "must be from 1 to %d", MaxVisitDays))
	}
	out := make([]DayVisits, days)
	err := db.Read(ctx, func(tx *Tx) error {
		if _, err := tx.distributor(ctx, distributorID); err != nil {
			return err
		}
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		today, end := s.Day(tx.Now())
		from := today.AddDate(0, 0, 1-days)
		index := make(map[int64]int, days)
		for i := range out {
			out[i].Day = from.AddDate(0, 0, i)
			index[out[i].Day.Unix()] = i
		}
		return tx.Each(ctx, `SELECT at / `+itoaID(visitBucket)+`, COUNT(*) FROM visits
			WHERE distributor_id = ? AND at >= ? AND at < ? AND channel IN (?, ?) GROUP BY at / `+itoaID(visitBucket),
			[]any{distributorID, ts(from), ts(end), ChannelLink, ChannelPoster}, func(scan func(...any) error) error {
				var bucket, n int64
				if err := scan(&bucket, &n); err != nil {
					return sqldb.MapErr(err)
				}
				start, _ := s.Day(fromTS(bucket * visitBucket))
				if i, ok := index[start.Unix()]; ok {
					out[i].Visits += n
				}
				return nil
			})
	})
	if err != nil {
		return nil, errs.Wrap("store.VisitsByDay", err)
	}
	return out, nil
}

// BoundCustomers lists the customers bound to a distributor, the most
// recently bound first, up to limit (1..200, default 50) from cursor, and
// how many are bound in all (the distributor itself or an operator). Names
// are masked (account.MaskedName).
func (db *DB) BoundCustomers(ctx context.Context, actor account.Actor, distributorID int64, from CustomerCursor, limit int) (total int64, list []BoundCustomer, err error) {
	if err := reachOf(actor, distributorID); err != nil {
		return 0, nil, errs.Wrap("store.BoundCustomers", err)
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	err = db.Read(ctx, func(tx *Tx) error {
		if _, err := tx.distributor(ctx, distributorID); err != nil {
			return err
		}
		if err := tx.Get(ctx, "bindings", `SELECT COUNT(*) FROM bindings WHERE distributor_id = ?`, []any{distributorID}, &total); err != nil {
			return err
		}
		q := `SELECT b.customer_account_id, a.name, COALESCE(a.phone, ''), COALESCE(a.email, ''), b.bound_at, b.mode, b.locked_until
			FROM bindings b JOIN accounts a ON a.id = b.customer_account_id WHERE b.distributor_id = ?`
		args := []any{distributorID}
		if from.Key != 0 {
			q += ` AND (b.bound_at < ? OR (b.bound_at = ? AND b.customer_account_id < ?))`
			args = append(args, ts(from.At), ts(from.At), from.Key)
		}
		q += ` ORDER BY b.bound_at DESC, b.customer_account_id DESC LIMIT ?`
		return tx.Each(ctx, q, append(args, limit), func(scan func(...any) error) error {
			var c BoundCustomer
			var name, phone, email, mode string
			var bound int64
			var locked sql.NullInt64
			if err := scan(&c.Key, &name, &phone, &email, &bound, &mode, &locked); err != nil {
				return sqldb.MapErr(err)
			}
			c.Name, c.BoundAt, c.Mode, c.LockedUntil = account.MaskedName(name, phone, email), fromTS(bound), program.BindingMode(mode), fromNullTS(locked)
			list = append(list, c)
			return nil
		})
	})
	if err != nil {
		return 0, nil, errs.Wrap("store.BoundCustomers", err)
	}
	return total, list, nil
}

// CodesByProduct is each product's share link code ([0]) and poster code
// ([1]) among links, "" where there is none.
func CodesByProduct(links []LinkVisits) map[int64][2]string {
	out := map[int64][2]string{}
	for _, l := range links {
		c := out[l.ProductID]
		if l.Channel == ChannelPoster {
			c[1] = l.Code
		} else {
			c[0] = l.Code
		}
		out[l.ProductID] = c
	}
	return out
}
