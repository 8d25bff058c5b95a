package store

import (
	"context"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
)

// ProductForReview is a product waiting for review with its supplier's name.
type ProductForReview struct {
	catalog.Product
	SupplierName string
}

// MaxPendingProducts is the most PendingProducts returns at once.
const MaxPendingProducts = 200

// PendingProducts lists the products waiting for an operator's review, in
// id order after id after, with their SKUs; up to limit+1 so the caller can
// tell whether there is more (limit at most MaxPendingProducts). Operators
// only. Listed whatever the product_review setting: products edited while
// it was on still wait.
//
// Cost: products has no index on review (few are ever pending), so this
// walks products in primary-key order from after until it has limit+1
// pending ones: linear in the products after the cursor in the worst case,
// then one read of their SKUs.
func (db *DB) PendingProducts(ctx context.Context, actor account.Actor, after int64, limit int) ([]ProductForReview, error) {
	const op = "store.PendingProducts"
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if limit <= 0 || limit > MaxPendingProducts {
		limit = MaxPendingProducts
	}
	var out []ProductForReview
	err := db.Read(ctx, func(tx *Tx) error {
		var ps []catalog.Product
		var names []string
		err := tx.Each(ctx, `SELECT `+productCols+`, s.name FROM products p JOIN suppliers s ON s.id = p.supplier_id
			WHERE p.review = ? AND p.id > ? ORDER BY p.id LIMIT ?`, []any{string(catalog.ReviewPending), after, limit + 1},
			func(scan func(...any) error) error {
				var name string
				p, err := scanProduct(func(dest ...any) error { return scan(append(dest, &name)...) })
				if err == nil {
					ps, names = append(ps, *p), append(names, name)
				}
				return err
			})
		if err != nil || len(ps) == 0 {
			return err
		}
		if err := tx.attachSKUs(ctx, actor, ps); err != nil {
			return err
		}
		for i := range ps {
			out = append(out, ProductForReview{Product: ps[i], SupplierName: names[i]})
		}
		return nil
	})
	return out, errs.Wrap(op, err)
}
