package store

import (
	"context"
	"database/sql"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/sqldb"
)

// TeamFigures is a distributor's team and sales as of the last fold.
// Sales are commission bases net of refunds; SalesByDepth[k] is the sales of
// members k+1 levels below, TeamSales of members at every depth.
type TeamFigures struct {
	DistributorID  int64
	TeamSize       int64
	MembersByDepth [3]int64
	OwnSales       money.Amount
	OwnOrders      int64
	SalesByDepth   [3]money.Amount
	TeamSales      money.Amount
	UpdatedAt      *time.Time // the last fold that changed these figures; nil for none
}

// TeamMember is a member's public card with its own sales.
type TeamMember struct {
	network.Distributor
	OwnSales  money.Amount
	OwnOrders int64
	TeamSales money.Amount
}

// TierSales is, for one tier, the base of the lines with a beneficiary at
// that tier and the commission the tier earns on them. Tier 0 is every line.
type TierSales struct {
	Tier       int
	Base       money.Amount
	Commission money.Amount
}

// RegionSales is a region with the base of the lines shipped into it.
type RegionSales struct {
	Code        string
	Name        string
	Level       int64
	Base        money.Amount
	HasChildren bool // it has child regions
}

// distributorSales reads a distributor's rollup row; none is all zeros.
func (tx *Tx) distributorSales(ctx context.Context, f *TeamFigures) error {
	var s [6]int64
	var at sql.NullInt64
	err := tx.Get(ctx, "figures", `SELECT own_sales, own_orders, depth1_sales, depth2_sales, depth3_sales, team_sales, updated_at
		FROM distributor_sales WHERE distributor_id = ?`, []any{f.DistributorID}, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &at)
	switch {
	case errs.Is(err, errs.NotFound):
		return nil
	case err != nil:
		return err
	}
	f.OwnSales, f.OwnOrders, f.TeamSales = money.Amount(s[0]), s[1], money.Amount(s[5])
	f.SalesByDepth = [3]money.Amount{money.Amount(s[2]), money.Amount(s[3]), money.Amount(s[4])}
	f.UpdatedAt = fromNullTS(at)
	return nil
}

// TeamFigures returns distributor id's team counters and sales (itself or
// an operator): two primary-key reads, whatever the team's size.
func (db *DB) TeamFigures(ctx context.Context, actor account.Actor, id int64) (*TeamFigures, error) {
	var f *TeamFigures
	err := db.Read(ctx, func(tx *Tx) error {
		d, err := tx.visibleDistributor(ctx, actor, id, full)
		if err != nil {
			return err
		}
		f = &TeamFigures{DistributorID: d.ID, TeamSize: d.TeamSize, MembersByDepth: d.DepthCounts}
		return tx.distributorSales(ctx, f)
	})
	return f, errs.Wrap("store.TeamFigures", err)
}

// TeamMembers lists the active members depth (1..3) levels below
// distributor id, in id order after after, each with its own and team
// sales (itself or an operator): one index range and one join.
func (db *DB) TeamMembers(ctx context.Context, actor account.Actor, id int64, depth int, after int64, limit int) ([]TeamMember, error) {
	out, err := db.teamMembers(ctx, actor, id, depth, "", after, limit)
	return out, errs.Wrap("store.TeamMembers", err)
}

// reportSupplier resolves whose figures a report shows: an operator sees
// every supplier (0) or one; a supplier only its own (0 means its own,
// another's is NotFound so existence does not leak); others are refused.
func (tx *Tx) reportSupplier(ctx context.Context, actor account.Actor, supplierID int64) (int64, error) {
	if err := actor.Require(account.Operator, account.Supplier); err != nil {
		return 0, err
	}
	switch {
	case supplierID < 0:
		return 0, errs.Invalidf("supplier_id", "must be a supplier id")
	case actor.IsOperator():
		if supplierID != 0 {
			if _, err := tx.supplier(ctx, supplierID); err != nil {
				return 0, err
			}
		}
		return supplierID, nil
	case actor.SupplierID == 0:
		return 0, errs.E(errs.Forbidden, "", "only operators and suppliers see sales reports")
	case supplierID == 0 || supplierID == actor.SupplierID:
		return actor.SupplierID, nil
	}
	return 0, errs.E(errs.NotFound, "", "supplier not found")
}

// SalesByTier returns tier 0 (every line) and tiers 1..3 for one supplier
// or, for an operator with supplierID 0, all suppliers together.
func (db *DB) SalesByTier(ctx context.Context, actor account.Actor, supplierID int64) ([]TierSales, error) {
	out := make([]TierSales, 4)
	for k := range out {
		out[k].Tier = k
	}
	err := db.Read(ctx, func(tx *Tx) error {
		sup, err := tx.reportSupplier(ctx, actor, supplierID)
		if err != nil {
			return err
		}
		return tx.Each(ctx, `SELECT tier, COALESCE(SUM(base), 0), COALESCE(SUM(commission), 0) FROM sales_by_tier
			WHERE CAST(? AS BIGINT) = 0 OR supplier_id = ? GROUP BY tier ORDER BY tier`, []any{sup, sup},
			func(scan func(...any) error) error {
				var k int
				var base, comm int64
				if err := scan(&k, &base, &comm); err != nil {
					return sqldb.MapErr(err)
				}
				if k >= 0 && k < len(out) {
					out[k].Base, out[k].Commission = money.Amount(base), money.Amount(comm)
				}
				return nil
			})
	})
	return out, errs.Wrap("store.SalesByTier", err)
}

// SalesByRegion returns the children of region parent ("" for the
// countries) with the base of the lines shipped into each, for one
// supplier or, for an operator with supplierID 0, all suppliers together.
func (db *DB) SalesByRegion(ctx context.Context, actor account.Actor, supplierID int64, parent string) ([]RegionSales, error) {
	var out []RegionSales
	err := db.Read(ctx, func(tx *Tx) error {
		sup, err := tx.reportSupplier(ctx, actor, supplierID)
		if err != nil {
			return err
		}
		cond := `r.parent_code IS NULL`
		args := []any{sup, sup}
		if parent != "" {
			if ok, err := tx.Exists(ctx, `SELECT 1 FROM regions WHERE code = ?`, parent); err != nil {
				return err
			} else if !ok {
				return errs.Invalidf("parent", "no region has this code")
			}
			cond = `r.parent_code = ?`
			args = append(args, parent)
		}
		return tx.Each(ctx, `SELECT r.code, r.name, r.level, COALESCE(SUM(s.base), 0),
				CASE WHEN EXISTS (SELECT 1 FROM regions c WHERE c.parent_code = r.code) THEN TRUE ELSE FALSE END
			FROM regions r LEFT JOIN sales_by_region s ON s.region_code = r.code AND (CAST(? AS BIGINT) = 0 OR s.supplier_id = ?)
			WHERE `+cond+` GROUP BY r.code, r.name, r.level ORDER BY r.code`, args,
			func(scan func(...any) error) error {
				var r RegionSales
				var base int64
				if err := scan(&r.Code, &r.Name, &r.Level, &base, &r.HasChildren); err != nil {
					return sqldb.MapErr(err)
				}
				r.Base = money.Amount(base)
				out = append(out, r)
				return nil
			})
	})
	return out, errs.Wrap("store.SalesByRegion", err)
}
