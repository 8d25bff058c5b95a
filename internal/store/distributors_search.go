package store

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/sqldb"
)

// DistributorSort orders the operator's distributor search.
type DistributorSort string

const (
	SortJoined DistributorSort = "joined" // newest first
	SortSales  DistributorSort = "sales"  // own sales, highest first
	SortTeam   DistributorSort = "team"   // team size, largest first
)

// MaxSearchOffset bounds how deep the distributor search pages: past it a
// narrower filter finds the rows faster than paging would.
const MaxSearchOffset = 10000

// DistributorSearch selects distributors for the operator's console.
type DistributorSearch struct {
	Name       string         // words of the display name, anywhere in it; "" for all
	SponsorID  int64          // the direct members of this distributor; 0 for everyone
	GradeID    int64          // 0 for every grade
	Status     network.Status // "" for every status
	AgentArea  string         // a region code: distributors holding an agent area in it (the region or below)
	JoinedFrom time.Time      // zero: no lower bound
	JoinedTo   time.Time      // zero: no upper bound (exclusive)
	Sort       DistributorSort
	Offset     int // rows to skip, at most MaxSearchOffset
	Limit      int // 1..200, default 50; one more is returned when there are more
}

// DistributorListing is one row of the search: the distributor with its
// folded sales (the same rollup TeamFigures reads).
type DistributorListing struct {
	network.Distributor
	OwnSales  money.Amount
	OwnOrders int64
	TeamSales money.Amount
}

// SearchDistributors lists distributors by f (operator only): one query
// with a LIMIT, the sales joined from the rollup, never summed here.
func (db *DB) SearchDistributors(ctx context.Context, actor account.Actor, f DistributorSearch) ([]DistributorListing, error) {
	const op = "store.SearchDistributors"
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	q, args, err := f.where()
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	order := ` ORDER BY d.joined_at DESC, d.id DESC`
	switch f.Sort {
	case SortJoined, "":
	case SortSales:
		order = ` ORDER BY COALESCE(s.own_sales, 0) DESC, d.id`
	case SortTeam:
		order = ` ORDER BY d.team_size DESC, d.id`
	default:
		return nil, errs.Wrap(op, errs.Invalidf("sort", "must be joined, sales or team"))
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var out []DistributorListing
	err = db.Read(ctx, func(tx *Tx) error {
		return tx.Each(ctx, `SELECT d.id, d.account_id, d.referral_code, d.display_name, d.status, d.sponsor_id, d.ancestor2_id, d.ancestor3_id,
				d.depth, d.grade_id, d.team_size, d.depth1_count, d.depth2_count, d.depth3_count, d.joined_at, d.reviewed_at,
				COALESCE(s.own_sales, 0), COALESCE(s.own_orders, 0), COALESCE(s.team_sales, 0)
			FROM distributors d LEFT JOIN distributor_sales s ON s.distributor_id = d.id`+q+order+` LIMIT ? OFFSET ?`,
			append(args, f.Limit+1, f.Offset), func(scan func(...any) error) error {
				var r distributorRow
				var own, team int64
				var l DistributorListing
				if err := scan(append(r.dest(), &own, &l.OwnOrders, &team)...); err != nil {
					return sqldb.MapErr(err)
				}
				l.Distributor, l.OwnSales, l.TeamSales = *r.distributor(), money.Amount(own), money.Amount(team)
				out = append(out, l)
				return nil
			})
	})
	return out, errs.Wrap(op, err)
}

// where checks f and writes its conditions.
func (f *DistributorSearch) where() (string, []any, error) {
	var cond []string
	var args []any
	f.Name = strings.TrimSpace(f.Name)
	if utf8.RuneCountInString(f.Name) > network.MaxDisplayName || !utf8.ValidString(f.Name) {
		return "", nil, errs.Invalidf("name", "must be at most %d characters", network.MaxDisplayName)
	}
	for _, w := range strings.Fields(f.Name) {
		cond = append(cond, `LOWER(d.display_name) LIKE LOWER(?) ESCAPE '\'`)
		args = append(args, "%"+likeEscaper.Replace(w)+"%")
	}
	if f.SponsorID < 0 {
		return "", nil, errs.Invalidf("sponsor", "must be a distributor id")
	}
	if f.SponsorID > 0 {
		cond, args = append(cond, `d.sponsor_id = ?`), append(args, f.SponsorID)
	}
	if f.GradeID < 0 {
		return "", nil, errs.Invalidf("grade", "must be a grade id")
	}
	if f.GradeID > 0 {
		cond, args = append(cond, `d.grade_id = ?`), append(args, f.GradeID)
	}
	if f.Status != "" {
		if _, err := network.ParseStatus("status", string(f.Status)); err != nil {
			return "", nil, err
		}
		cond, args = append(cond, `d.status = ?`), append(args, string(f.Status))
	}
	if a := strings.TrimSpace(f.AgentArea); a != "" {
		if len(a) > 64 || strings.ContainsAny(a, `%_\ `) {
			return "", nil, errs.Invalidf("region", "must be a region code such as CN.44")
		}
		cond = append(cond, `EXISTS (SELECT 1 FROM regional_agents ra WHERE ra.distributor_id = d.id AND (ra.region_code = ? OR ra.region_code LIKE ?))`)
		args = append(args, a, a+".%")
	}
	if !f.JoinedFrom.IsZero() && !f.JoinedTo.IsZero() && !f.JoinedFrom.Before(f.JoinedTo) {
		return "", nil, errs.Invalidf("joined_to", "must be after the day joined from")
	}
	if !f.JoinedFrom.IsZero() {
		cond, args = append(cond, `d.joined_at >= ?`), append(args, ts(f.JoinedFrom))
	}
	if !f.JoinedTo.IsZero() {
		cond, args = append(cond, `d.joined_at < ?`), append(args, ts(f.JoinedTo))
	}
	if f.Offset < 0 || f.Offset > MaxSearchOffset {
		return "", nil, errs.Invalidf("offset", "must be from 0 to %d: narrow the search instead", MaxSearchOffset)
	}
	if len(cond) == 0 {
		return "", args, nil
	}
	return ` WHERE ` + strings.Join(cond, ` AND `), args, nil
}
