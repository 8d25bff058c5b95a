package store

import (
	"context"
	"strings"
	"unicode/utf8"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/sqldb"
)

// SearchTeamMembers is TeamMembers narrowed to the members whose display
// name holds name (case-insensitive; "" for all): the same index range,
// filtered, so linear in the members at that depth.
func (db *DB) SearchTeamMembers(ctx context.Context, actor account.Actor, id int64, depth int, name string, after int64, limit int) ([]TeamMember, error) {
	out, err := db.teamMembers(ctx, actor, id, depth, name, after, limit)
	return out, errs.Wrap("store.SearchTeamMembers", err)
}

func (db *DB) teamMembers(ctx context.Context, actor account.Actor, id int64, depth int, name string, after int64, limit int) ([]TeamMember, error) {
	if depth < 1 || depth > network.MaxTiers {
		return nil, errs.Invalidf("depth", "must be 1, 2 or 3")
	}
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > network.MaxDisplayName || !utf8.ValidString(name) {
		return nil, errs.Invalidf("q", "must be at most %d characters", network.MaxDisplayName)
	}
	if limit <= 0 || limit > 1001 {
		limit = 50
	}
	col := [...]string{"sponsor_id", "ancestor2_id", "ancestor3_id"}[depth-1]
	cond, args := "", []any{id, after}
	if name != "" {
		cond = ` AND LOWER(d.display_name) LIKE LOWER(?) ESCAPE '\'`
		args = append(args, "%"+likeEscaper.Replace(name)+"%")
	}
	var out []TeamMember
	err := db.Read(ctx, func(tx *Tx) error {
		if _, err := tx.visibleDistributor(ctx, actor, id, full); err != nil {
			return err
		}
		return tx.Each(ctx, `SELECT d.id, d.account_id, d.referral_code, d.display_name, d.status, d.sponsor_id, d.ancestor2_id, d.ancestor3_id,
				d.depth, d.grade_id, d.team_size, d.depth1_count, d.depth2_count, d.depth3_count, d.joined_at, d.reviewed_at,
				COALESCE(s.own_sales, 0), COALESCE(s.own_orders, 0), COALESCE(s.team_sales, 0)
			FROM distributors d LEFT JOIN distributor_sales s ON s.distributor_id = d.id
			WHERE d.`+col+` = ? AND d.status = 'active' AND d.id > ?`+cond+` ORDER BY d.id LIMIT ?`, append(args, limit),
			func(scan func(...any) error) error {
				var r distributorRow
				var own, team int64
				var m TeamMember
				if err := scan(append(r.dest(), &own, &m.OwnOrders, &team)...); err != nil {
					return sqldb.MapErr(err)
				}
				m.Distributor = r.distributor().PublicCard()
				m.OwnSales, m.TeamSales = money.Amount(own), money.Amount(team)
				out = append(out, m)
				return nil
			})
	})
	return out, err
}

// likeEscaper makes a text match itself in a LIKE pattern with ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
