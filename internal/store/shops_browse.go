package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// What customers browsing a shop need beyond its items: a search, stock
// per SKU, and the shop an anonymous browser will be buying in.

// MaxQuery is the longest search, in characters; MaxQueryWords the most
// words it may hold.
const (
	MaxQuery      = 100
	MaxQueryWords = 5
)

func checkQuery(q string) error {
	if utf8.RuneCountInString(q) > MaxQuery || !utf8.ValidString(q) {
		return errs.Invalidf("q", "must be at most %d characters", MaxQuery)
	}
	if len(strings.Fields(q)) > MaxQueryWords {
		return errs.Invalidf("q", "must hold at most %d words", MaxQueryWords)
	}
	return nil
}

// productWhere narrows a query over products p to a category (with its
// subcategories when sub) and to titles holding every word of query.
func productWhere(q string, args []any, category int64, sub bool, query string) (string, []any) {
	switch {
	case category != 0 && sub:
		q += ` AND p.category_id IN (WITH RECURSIVE tree(id) AS (SELECT CAST(? AS BIGINT)
			UNION SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id) SELECT id FROM tree)`
		args = append(args, category)
	case category != 0:
		q += ` AND p.category_id = ?`
		args = append(args, category)
	}
	for _, w := range strings.Fields(query) {
		q += ` AND LOWER(p.title) LIKE ? ESCAPE '!'`
		args = append(args, "%"+likeEscape(strings.ToLower(w))+"%")
	}
	return q, args
}

// likeEscape makes s match itself in a LIKE pattern that escapes with '!'.
func likeEscape(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

// RetailItems lists the catalog as a customer with no seller buys it:
// products on sale from approved suppliers with a SKU on sale, each SKU at
// the price checkout charges when no distributor is credited (retail), in
// product id order (Position is the product id, the page cursor). f's
// category takes its subcategories in; OnSale and SupplierID are ignored.
// It returns up to Limit+1 items.
func (db *DB) RetailItems(ctx context.Context, f ProductFilter) ([]ShopItem, error) {
	if err := checkQuery(f.Query); err != nil {
		return nil, errs.Wrap("store.RetailItems", err)
	}
	var items []ShopItem
	err := db.Read(ctx, func(tx *Tx) error {
		q := `SELECT p.id, p.supplier_id, p.title, p.description, p.images, s.allow_markup
			FROM products p JOIN suppliers s ON s.id = p.supplier_id
			WHERE p.id > ? AND p.on_sale = ? AND p.review = 'approved' AND s.status = ?
			AND EXISTS (SELECT 1 FROM skus k WHERE k.product_id = p.id AND k.on_sale = ?)`
		args := []any{f.After, true, string(catalog.Approved), true}
		q, args = productWhere(q, args, f.CategoryID, true, f.Query)
		q += ` ORDER BY p.id LIMIT ?`
		args = append(args, limitPlusOne(f.Limit))
		allow := map[int64]bool{}
		err := tx.Each(ctx, q, args, func(scan func(...any) error) error {
			var it ShopItem
			var images string
			var markup bool
			if err := scan(&it.ProductID, &it.SupplierID, &it.Title, &it.Description, &images, &markup); err != nil {
				return sqldb.MapErr(err)
			}
			if err := json.Unmarshal([]byte(images), &it.Images); err != nil {
				return fmt.Errorf("store: product %d images: %w", it.ProductID, err)
			}
			it.Position, allow[it.ProductID] = it.ProductID, markup
			items = append(items, it)
			return nil
		})
		if err != nil {
			return err
		}
		return tx.shopSKUs(ctx, 0, items, allow)
	})
	return items, errs.Wrap("store.RetailItems", err)
}

// LowStock is the number of units at or under which a SKU shows as
// running low ("only 3 left").
const LowStock = 5

// SKUAvailability is, per SKU, the units checkout could still reserve:
// on hand less reserved, over the active warehouses that serve some area
// (the ones routing picks from). A SKU without stock anywhere is absent
// (0). Where an address is served is decided at checkout.
func (db *DB) SKUAvailability(ctx context.Context, skuIDs []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(skuIDs) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(skuIDs)+1)
	args = append(args, true)
	for _, id := range skuIDs {
		args = append(args, id)
	}
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.Each(ctx, `SELECT st.sku_id, CAST(SUM(st.on_hand - st.reserved) AS BIGINT) FROM stock st
			JOIN warehouses w ON w.id = st.warehouse_id
			WHERE w.active = ? AND st.sku_id IN (`+sqldb.Placeholders(len(skuIDs))+`)
			AND EXISTS (SELECT 1 FROM warehouse_areas wa WHERE wa.warehouse_id = w.id)
			GROUP BY st.sku_id`, args, func(scan func(...any) error) error {
			var id, n int64
			if err := scan(&id, &n); err != nil {
				return sqldb.MapErr(err)
			}
			out[id] = n
			return nil
		})
	})
	return out, errs.Wrap("store.SKUAvailability", err)
}

// VisitorSeller is the distributor an anonymous browser (its visitor
// token) is shopping with: the one its share-link visits bind it to when
// it signs in (ClaimVisits' choice), 0 for none. That is the shop whose
// prices checkout will charge, unless the account it signs in to is
// already bound elsewhere. A malformed token is no visitor (0).
func (db *DB) VisitorSeller(ctx context.Context, visitor string) (int64, error) {
	if visitor == "" || checkVisitor(visitor) != nil {
		return 0, nil
	}
	var seller int64
	err := db.Read(ctx, func(tx *Tx) error {
		v, err := tx.claimableVisit(ctx, visitor)
		if v != nil {
			seller = v.DistributorID
		}
		return err
	})
	return seller, errs.Wrap("store.VisitorSeller", err)
}
