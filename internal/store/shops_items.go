package store

import (
	"context"
	"encoding/json"
	"fmt"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// ShopItem is a product in a shop as the public sees it: on sale, from an
// approved supplier, with the SKUs on sale at the shop's prices.
type ShopItem struct {
	Position    int64 // the shop's order; the page cursor
	ProductID   int64
	SupplierID  int64
	Title       string
	Description string
	Images      []string
	SKUs        []ShopSKU
}

// ShopSKU is a SKU at a shop's price (the retail price when the shop set none).
type ShopSKU struct {
	ID           int64
	Code         string
	Options      map[string]string
	RetailPrice  money.Amount
	PriceCeiling *money.Amount // nil: no markup possible
	Price        money.Amount  // what a customer of this shop pays
}

// effectivePrice is the price in force for a SKU in a shop: the stored one
// while it is still allowed (markup on, within retail and the ceiling),
// else retail. Checkout prices the same way (tx.price), so the shop never
// shows a price other than the one charged.
func effectivePrice(retail money.Amount, ceiling *money.Amount, allowMarkup bool, stored *int64) money.Amount {
	if stored == nil || !allowMarkup || ceiling == nil {
		return retail
	}
	if p := money.Amount(*stored); p >= retail && p <= *ceiling {
		return p
	}
	return retail
}

// shopPrice is the price distributorID's shop charges for skuID, for
// checkout: the effective shop price, or retail when the product is not in
// the shop. The SKU must exist.
func (tx *Tx) shopPrice(ctx context.Context, distributorID, skuID int64) (money.Amount, error) {
	var retail int64
	var ceiling, stored *int64
	var allow bool
	err := tx.Get(ctx, "SKU", `SELECT k.retail_price, k.price_ceiling, s.allow_markup, sp.price
		FROM skus k JOIN products p ON p.id = k.product_id JOIN suppliers s ON s.id = p.supplier_id
		LEFT JOIN shop_items si ON si.distributor_id = ? AND si.product_id = p.id
		LEFT JOIN shop_prices sp ON sp.distributor_id = si.distributor_id AND sp.sku_id = k.id
		WHERE k.id = ?`, []any{distributorID, skuID}, &retail, &ceiling, &allow, &stored)
	if err != nil {
		return 0, err
	}
	var c *money.Amount
	if ceiling != nil {
		a := money.Amount(*ceiling)
		c = &a
	}
	return effectivePrice(money.Amount(retail), c, allow, stored), nil
}

// AddShopItem puts a product in the actor's shop, at the end. The product
// must be on sale from an approved supplier (otherwise Invalid on
// product_id, so private products do not leak). Adding it again changes nothing.
func (db *DB) AddShopItem(ctx context.Context, actor account.Actor, productID int64) (*ShopItem, error) {
	var it *ShopItem
	err := db.Write(ctx, func(tx *Tx) error {
		sh, err := tx.ownShop(ctx, actor)
		if err != nil {
			return err
		}
		if !tx.productOnSale(ctx, productID) {
			return errs.Invalidf("product_id", "no product on sale has this id")
		}
		in, err := tx.Exists(ctx, `SELECT 1 FROM shop_items WHERE distributor_id = ? AND product_id = ?`, sh.DistributorID, productID)
		if err != nil {
			return err
		}
		if !in {
			var n, last int64
			if err := tx.Get(ctx, "shop", `SELECT COUNT(*), COALESCE(MAX(position), 0) FROM shop_items WHERE distributor_id = ?`,
				[]any{sh.DistributorID}, &n, &last); err != nil {
				return err
			}
			if n >= MaxShopItems {
				return errs.E(errs.Conflict, "product_id", "a shop holds at most %d products", MaxShopItems)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO shop_items (distributor_id, product_id, position, added_at) VALUES (?, ?, ?, ?)`,
				sh.DistributorID, productID, last+1, ts(tx.Now())); err != nil {
				return sqldb.Relabel(err, errs.Conflict, "product_id", "is already in the shop")
			}
		}
		items, err := tx.shopItems(ctx, sh.DistributorID, ShopItemFilter{Limit: 1}, productID)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return errs.Invalidf("product_id", "no product on sale has this id")
		}
		it = &items[0]
		return nil
	})
	return it, errs.Wrap("store.AddShopItem", err)
}

// productOnSale reports whether the public can see and buy the product.
// Errors count as false: the caller then refuses the product.
func (tx *Tx) productOnSale(ctx context.Context, productID int64) bool {
	ok, err := tx.Exists(ctx, `SELECT 1 FROM products p JOIN suppliers s ON s.id = p.supplier_id
		WHERE p.id = ? AND p.on_sale = ? AND p.review = 'approved' AND s.status = ?`, productID, true, string(catalog.Approved))
	return err == nil && ok
}

// RemoveShopItem takes a product out of the actor's shop with its shop prices.
func (db *DB) RemoveShopItem(ctx context.Context, actor account.Actor, productID int64) error {
	return errs.Wrap("store.RemoveShopItem", db.Write(ctx, func(tx *Tx) error {
		sh, err := tx.ownShop(ctx, actor)
		if err != nil {
			return err
		}
		n, err := tx.ExecN(ctx, `DELETE FROM shop_items WHERE distributor_id = ? AND product_id = ?`, sh.DistributorID, productID)
		if err != nil {
			return err
		}
		if n == 0 {
			return errs.E(errs.NotFound, "", "product not in your shop")
		}
		_, err = tx.Exec(ctx, `DELETE FROM shop_prices WHERE distributor_id = ? AND sku_id IN (SELECT id FROM skus WHERE product_id = ?)`,
			sh.DistributorID, productID)
		return err
	}))
}

// SetShopPrice sets the actor's price for a SKU of a product in its shop:
// from the retail price up to the SKU's ceiling, and above retail only where
// the supplier allows markup (Invalid on price otherwise). The retail price
// itself removes the shop's own price.
func (db *DB) SetShopPrice(ctx context.Context, actor account.Actor, skuID int64, price money.Amount) (*ShopSKU, error) {
	var out *ShopSKU
	err := db.Write(ctx, func(tx *Tx) error {
		sh, err := tx.ownShop(ctx, actor)
		if err != nil {
			return err
		}
		var k *catalog.SKU
		err = tx.One(ctx, "SKU", `SELECT `+skuCols+` FROM skus WHERE id = ?`, []any{skuID}, func(scan func(...any) error) error {
			k, err = scanSKU(scan)
			return err
		})
		if err != nil {
			return err
		}
		var allow bool
		err = tx.Get(ctx, "SKU", `SELECT s.allow_markup FROM shop_items si JOIN products p ON p.id = si.product_id
			JOIN suppliers s ON s.id = p.supplier_id
			WHERE si.distributor_id = ? AND si.product_id = ? AND p.on_sale = ? AND p.review = 'approved' AND s.status = ?`,
			[]any{sh.DistributorID, k.ProductID, true, string(catalog.Approved)}, &allow)
		if err != nil || !k.OnSale {
			return errs.E(errs.NotFound, "", "SKU not found in your shop")
		}
		if err := tx.checkShopPrice(ctx, k, allow, price); err != nil {
			return err
		}
		if price == k.RetailPrice {
			_, err = tx.Exec(ctx, `DELETE FROM shop_prices WHERE distributor_id = ? AND sku_id = ?`, sh.DistributorID, skuID)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO shop_prices (distributor_id, sku_id, price, updated_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (distributor_id, sku_id) DO UPDATE SET price = excluded.price, updated_at = excluded.updated_at`,
				sh.DistributorID, skuID, int64(price), ts(tx.Now()))
		}
		if err != nil {
			return err
		}
		out = &ShopSKU{ID: k.ID, Code: k.Code, Options: k.Options, RetailPrice: k.RetailPrice, PriceCeiling: k.PriceCeiling, Price: price}
		return nil
	})
	return out, errs.Wrap("store.SetShopPrice", err)
}

func (tx *Tx) checkShopPrice(ctx context.Context, k *catalog.SKU, allowMarkup bool, price money.Amount) error {
	if price == k.RetailPrice {
		return nil
	}
	st, err := tx.settings(ctx)
	if err != nil {
		return err
	}
	c := st.Currency()
	switch {
	case price < k.RetailPrice:
		return errs.Invalidf("price", "must be at least the retail price %s", c.Format(k.RetailPrice))
	case !allowMarkup:
		return errs.Invalidf("price", "the supplier does not allow markup: the price is the retail price %s", c.Format(k.RetailPrice))
	case k.PriceCeiling == nil:
		return errs.Invalidf("price", "this SKU has no price ceiling: the price is the retail price %s", c.Format(k.RetailPrice))
	case price > *k.PriceCeiling:
		return errs.Invalidf("price", "must be at most the ceiling %s", c.Format(*k.PriceCeiling))
	}
	return nil
}

// ShopItems lists a shop's products in the shop's order, after position
// after: only products on sale from approved suppliers with a SKU on sale,
// so products taken off sale drop out (and come back) without breaking the
// shop. Anyone may read it while the distributor is active.
func (db *DB) ShopItems(ctx context.Context, distributorID, after int64, limit int) ([]ShopItem, error) {
	return db.SearchShopItems(ctx, distributorID, ShopItemFilter{After: after, Limit: limit})
}

// ShopItemFilter narrows a shop's items, in the shop's order.
type ShopItemFilter struct {
	CategoryID int64  // a category's products, its subcategories' included
	Query      string // words the title holds (see ProductFilter.Query)
	After      int64  // position
	Limit      int
}

// SearchShopItems is ShopItems narrowed by a category and a search, as a
// shop's customers browse it. It returns up to Limit+1 items.
func (db *DB) SearchShopItems(ctx context.Context, distributorID int64, f ShopItemFilter) ([]ShopItem, error) {
	if err := f.check(); err != nil {
		return nil, errs.Wrap("store.SearchShopItems", err)
	}
	var out []ShopItem
	err := db.Read(ctx, func(tx *Tx) error {
		if err := tx.publicDistributor(ctx, distributorID); err != nil {
			return err
		}
		if _, err := tx.shop(ctx, distributorID); err != nil {
			return err
		}
		f.Limit = limitPlusOne(f.Limit)
		var err error
		out, err = tx.shopItems(ctx, distributorID, f, 0)
		return err
	})
	return out, errs.Wrap("store.SearchShopItems", err)
}

func (f ShopItemFilter) check() error {
	return checkQuery(f.Query)
}

// shopItems reads up to f.Limit items after position f.After; productID > 0 reads that one only.
func (tx *Tx) shopItems(ctx context.Context, distributorID int64, f ShopItemFilter, productID int64) ([]ShopItem, error) {
	q := `SELECT si.position, p.id, p.supplier_id, p.title, p.description, p.images, s.allow_markup
		FROM shop_items si JOIN products p ON p.id = si.product_id JOIN suppliers s ON s.id = p.supplier_id
		WHERE si.distributor_id = ? AND si.position > ? AND p.on_sale = ? AND p.review = 'approved' AND s.status = ?
		AND EXISTS (SELECT 1 FROM skus k WHERE k.product_id = p.id AND k.on_sale = ?)`
	args := []any{distributorID, f.After, true, string(catalog.Approved), true}
	if productID > 0 {
		q += ` AND p.id = ?`
		args = append(args, productID)
	}
	q, args = productWhere(q, args, f.CategoryID, true, f.Query)
	q += ` ORDER BY si.position LIMIT ?`
	args = append(args, f.Limit)
	var items []ShopItem
	allow := map[int64]bool{}
	err := tx.Each(ctx, q, args, func(scan func(...any) error) error {
		var it ShopItem
		var images string
		var markup bool
		if err := scan(&it.Position, &it.ProductID, &it.SupplierID, &it.Title, &it.Description, &images, &markup); err != nil {
			return sqldb.MapErr(err)
		}
		if err := json.Unmarshal([]byte(images), &it.Images); err != nil {
			return fmt.Errorf("store: product %d images: %w", it.ProductID, err)
		}
		allow[it.ProductID] = markup
		items = append(items, it)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return items, tx.shopSKUs(ctx, distributorID, items, allow)
}

// shopSKUs fills in the items' SKUs on sale at distributorID's prices (0:
// no shop, so retail); allow says, by product, whether its supplier allows markup.
func (tx *Tx) shopSKUs(ctx context.Context, distributorID int64, items []ShopItem, allow map[int64]bool) error {
	if len(items) == 0 {
		return nil
	}
	index := map[int64]int{}
	args := []any{distributorID}
	for i, it := range items {
		index[it.ProductID] = i
		args = append(args, it.ProductID)
	}
	args = append(args, true)
	return tx.Each(ctx, `SELECT k.id, k.product_id, k.code, k.options, k.retail_price, k.price_ceiling, sp.price
		FROM skus k LEFT JOIN shop_prices sp ON sp.sku_id = k.id AND sp.distributor_id = ?
		WHERE k.product_id IN (`+sqldb.Placeholders(len(items))+`) AND k.on_sale = ? ORDER BY k.id`, args,
		func(scan func(...any) error) error {
			var k ShopSKU
			var pid, retail int64
			var opts string
			var ceiling, stored *int64
			if err := scan(&k.ID, &pid, &k.Code, &opts, &retail, &ceiling, &stored); err != nil {
				return sqldb.MapErr(err)
			}
			if err := json.Unmarshal([]byte(opts), &k.Options); err != nil {
				return fmt.Errorf("store: SKU %d options: %w", k.ID, err)
			}
			k.RetailPrice = money.Amount(retail)
			if ceiling != nil {
				c := money.Amount(*ceiling)
				k.PriceCeiling = &c
			}
			k.Price = effectivePrice(k.RetailPrice, k.PriceCeiling, allow[pid], stored)
			i := index[pid]
			items[i].SKUs = append(items[i].SKUs, k)
			return nil
		})
}
