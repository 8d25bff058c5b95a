package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/material"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// RecordMaterialVisit is RecordVisit for a link opened from a material
// (/s/{code}?m={id}): the visit keeps the material when the material is
// of the link's product. A material that does not exist or is of another
// product is not an error (an old or edited link still lands and binds):
// the visit then counts for no material.
func (db *DB) RecordMaterialVisit(ctx context.Context, actor account.Actor, code, visitor string, materialID int64) (*Visit, *BindingEvent, error) {
	return db.recordVisit(ctx, actor, code, visitor, materialID)
}

// visitMaterial is the material a visit through l counts for: materialID
// when it is a material of l's product, else 0.
func (tx *Tx) visitMaterial(ctx context.Context, l *ShareLink, materialID int64) (int64, error) {
	if materialID <= 0 || l.ProductID == 0 {
		return 0, nil
	}
	ok, err := tx.Exists(ctx, `SELECT 1 FROM materials WHERE id = ? AND product_id = ?`, materialID, l.ProductID)
	if err != nil || !ok {
		return 0, err
	}
	return materialID, nil
}

// MaterialStats is the funnel of each material of ids (those the actor may
// change; others are left out): see fillMaterialStats.
func (db *DB) MaterialStats(ctx context.Context, actor account.Actor, ids []int64) (map[int64]material.Stats, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, errs.Wrap("store.MaterialStats", err)
	}
	out := map[int64]material.Stats{}
	err := db.Read(ctx, func(tx *Tx) error {
		var list []MaterialListItem
		for _, id := range ids {
			m, err := tx.ownMaterial(ctx, actor, id)
			if errs.Is(err, errs.NotFound) {
				continue
			}
			if err != nil {
				return err
			}
			list = append(list, MaterialListItem{Material: *m})
		}
		if err := tx.fillMaterialStats(ctx, list, 0, 0); err != nil {
			return err
		}
		for _, it := range list {
			out[it.ID] = it.Stats
		}
		return nil
	})
	return out, errs.Wrap("store.MaterialStats", err)
}

// fillMaterialStats counts, for each material of list, the visits that came
// through its links and the orders credited to it. An order line is
// credited to the material of the latest material visit before the order
// by the order's customer, through the order's seller, to the line's
// product: so each line counts for one material at most, and an order for
// every material one of its lines is credited to. Paid orders are those
// paid (status paid or completed); the amount is their credited lines'
// base + markup, as paid (refunds later are not taken off). With a period
// [start, end) (stored times; 0, 0 for all time), only the visits made and
// the orders placed in it count (an order's credit still goes to the
// latest material visit before it, made in the period or not).
func (tx *Tx) fillMaterialStats(ctx context.Context, list []MaterialListItem, start, end int64) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]any, len(list))
	at := map[int64]*material.Stats{}
	for i := range list {
		ids[i] = list[i].ID
		at[list[i].ID] = &list[i].Stats
	}
	in := sqldb.Placeholders(len(ids))
	if end == 0 {
		end = 1<<63 - 1
	}
	err := tx.Each(ctx, `SELECT material_id, COUNT(*) FROM visits WHERE material_id IN (`+in+`) AND at >= ? AND at < ?
		GROUP BY material_id`, append(ids[:len(ids):len(ids)], start, end),
		func(scan func(...any) error) error {
			var id, n int64
			if err := scan(&id, &n); err != nil {
				return sqldb.MapErr(err)
			}
			at[id].Visits = n
			return nil
		})
	if err != nil {
		return err
	}
	type credit struct{ material, order int64 }
	orders, paid := map[credit]bool{}, map[credit]bool{}
	err = tx.Each(ctx, `SELECT v.material_id, o.id, o.status, l.base + l.markup
		FROM visits v
		JOIN orders o ON o.customer_account_id = v.customer_account_id AND o.seller_id = v.distributor_id AND o.created_at >= v.at
		JOIN order_lines l ON l.order_id = o.id AND l.product_id = v.product_id
		WHERE v.material_id IN (`+in+`) AND o.created_at >= ? AND o.created_at < ? AND NOT EXISTS (SELECT 1 FROM visits w
			WHERE w.customer_account_id = v.customer_account_id AND w.distributor_id = v.distributor_id
			AND w.product_id = v.product_id AND w.material_id IS NOT NULL AND w.at <= o.created_at
			AND (w.at > v.at OR w.at = v.at AND w.id > v.id))`, append(ids[:len(ids):len(ids)], start, end),
		func(scan func(...any) error) error {
			var c credit
			var status string
			var amount int64
			if err := scan(&c.material, &c.order, &status, &amount); err != nil {
				return sqldb.MapErr(err)
			}
			s := at[c.material]
			if !orders[c] {
				orders[c] = true
				s.Orders++
			}
			if status == "paid" || status == "completed" {
				if !paid[c] {
					paid[c] = true
					s.PaidOrders++
				}
				s.PaidAmount += money.Amount(amount)
			}
			return nil
		})
	return err
}

// MaterialFunnel is the funnel per material for a period [start, end): of
// the newest 100 materials the actor may change, those with a visit or an
// order in the period, most visited first, at most limit (the share
// funnel's page shows them beside the funnel).
func (db *DB) MaterialFunnel(ctx context.Context, actor account.Actor, start, end time.Time, limit int) ([]MaterialListItem, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, errs.Wrap("store.MaterialFunnel", err)
	}
	if !end.After(start) {
		return nil, errs.Wrap("store.MaterialFunnel", errs.Invalidf("to", "must be after from"))
	}
	var out []MaterialListItem
	err := db.Read(ctx, func(tx *Tx) error {
		where, args := `WHERE 1=1`, []any{}
		if !actor.IsOperator() {
			where += ` AND m.supplier_id = ?`
			args = append(args, actor.SupplierID)
		}
		list, err := tx.materialList(ctx, where, args, MaterialFilter{Limit: 100})
		if err != nil {
			return err
		}
		if err := tx.fillMaterialStats(ctx, list, ts(start), ts(end)); err != nil {
			return err
		}
		for _, it := range list {
			if it.Stats.Visits > 0 || it.Stats.Orders > 0 {
				out = append(out, it)
			}
		}
		slices.SortStableFunc(out, func(a, b MaterialListItem) int { return cmp.Compare(b.Stats.Visits, a.Stats.Visits) })
		out = out[:min(len(out), max(limit, 1))]
		return nil
	})
	return out, errs.Wrap("store.MaterialFunnel", err)
}
