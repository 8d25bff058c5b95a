package store

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/program"
	"sharemall/internal/sqldb"
)

// CreateProduct stores a product with its SKUs in one transaction. A
// supplier creates for itself (SupplierID 0 means its own) while approved;
// an operator creates for any supplier named by SupplierID.
func (db *DB) CreateProduct(ctx context.Context, actor account.Actor, p *catalog.Product) (*catalog.Product, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, err
	}
	if p.SupplierID == 0 {
		if actor.IsOperator() || actor.SupplierID == 0 {
			return nil, errs.Invalidf("supplier_id", "is required")
		}
		p.SupplierID = actor.SupplierID
	}
	err := db.Write(ctx, func(tx *Tx) error {
		s, err := tx.catalogSupplier(ctx, actor, p.SupplierID)
		if err != nil {
			return err
		}
		lim, err := tx.commissionLimits(ctx)
		if err != nil {
			return err
		}
		if err := p.NormalizeNew(lim, s.AllowMarkup); err != nil {
			return err
		}
		if err := tx.checkCategory(ctx, "category_id", p.CategoryID); err != nil {
			return err
		}
		images, _ := json.Marshal(p.Images)
		comm, err := catalog.MarshalCommission(p.Commission)
		if err != nil {
			return err
		}
		p.CreatedAt, p.UpdatedAt = tx.Now(), tx.Now()
		if p.Review, err = tx.reviewOnChange(ctx, actor); err != nil {
			return err
		}
		p.ReviewReason = ""
		p.ID, err = tx.Insert(ctx, `INSERT INTO products (supplier_id, category_id, title, description, images, commission, on_sale, created_at, updated_at, review)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.SupplierID, nullInt(p.CategoryID), p.Title, p.Description, string(images), comm, p.OnSale, ts(tx.Now()), ts(tx.Now()),
			string(p.Review))
		if err != nil {
			return err
		}
		for i := range p.SKUs {
			if err := tx.insertSKU(ctx, fmt.Sprintf("skus[%d].", i), p.ID, &p.SKUs[i]); err != nil {
				return err
			}
			if err := tx.auditCommission(ctx, actor, fmt.Sprintf("sku:%d", p.SKUs[i].ID), nil, p.SKUs[i].Commission); err != nil {
				return err
			}
		}
		return tx.auditCommission(ctx, actor, fmt.Sprintf("product:%d", p.ID), nil, p.Commission)
	})
	if err != nil {
		return nil, errs.Wrap("store.CreateProduct", err)
	}
	return p, nil
}

func (tx *Tx) insertSKU(ctx context.Context, prefix string, productID int64, s *catalog.SKU) error {
	if taken, err := tx.Exists(ctx, `SELECT 1 FROM skus WHERE product_id = ? AND code = ?`, productID, s.Code); err != nil {
		return err
	} else if taken {
		return errs.E(errs.Conflict, prefix+"code", "is taken by another SKU of this product")
	}
	opts, _ := json.Marshal(s.Options)
	comm, err := catalog.MarshalCommission(s.Commission)
	if err != nil {
		return err
	}
	s.ProductID, s.CreatedAt, s.UpdatedAt = productID, tx.Now(), tx.Now()
	s.ID, err = tx.Insert(ctx, `INSERT INTO skus (product_id, code, options, retail_price, price_ceiling, commission, on_sale, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, productID, s.Code, string(opts), int64(s.RetailPrice), amountPtr(s.PriceCeiling), comm, s.OnSale, ts(tx.Now()), ts(tx.Now()))
	return sqldb.Relabel(err, errs.Conflict, prefix+"code", "is taken by another SKU of this product")
}

// Product returns a product with its SKUs. Everybody sees a product on sale
// from an approved supplier (with only its SKUs on sale); its supplier and
// operators see it always, whole. Anything else is NotFound.
func (db *DB) Product(ctx context.Context, actor account.Actor, id int64) (*catalog.Product, error) {
	var p *catalog.Product
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		p, _, err = tx.visibleProduct(ctx, actor, id)
		return err
	})
	if err != nil {
		return nil, errs.Wrap("store.Product", err)
	}
	return p, nil
}

// ProductFilter selects products in id order.
type ProductFilter struct {
	SupplierID int64
	CategoryID int64
	// Query: words the title holds, each anywhere in it, case aside for
	// Latin letters; at most MaxQuery characters.
	Query  string
	OnSale *bool
	After  int64
	Limit  int
}

// Products lists the products the actor may see: everything to operators,
// its own to a supplier, and to everybody products on sale from approved
// suppliers. It returns up to Limit+1 so the caller can tell whether there
// is a next page.
func (db *DB) Products(ctx context.Context, actor account.Actor, f ProductFilter) ([]catalog.Product, error) {
	if err := checkQuery(f.Query); err != nil {
		return nil, errs.Wrap("store.Products", err)
	}
	var out []catalog.Product
	err := db.Read(ctx, func(tx *Tx) error {
		q := `SELECT ` + productCols + ` FROM products p JOIN suppliers s ON s.id = p.supplier_id WHERE p.id > ?`
		args := []any{f.After}
		if !actor.IsOperator() {
			mine := int64(0)
			if actor.Has(account.Supplier) {
				mine = actor.SupplierID
			}
			q += ` AND ((p.on_sale = ? AND p.review = ? AND s.status = ?) OR p.supplier_id = ?)`
			args = append(args, true, string(catalog.ReviewApproved), string(catalog.Approved), mine)
		}
		if f.SupplierID != 0 {
			q += ` AND p.supplier_id = ?`
			args = append(args, f.SupplierID)
		}
		q, args = productWhere(q, args, f.CategoryID, false, f.Query)
		if f.OnSale != nil {
			q += ` AND p.on_sale = ?`
			args = append(args, *f.OnSale)
		}
		q += ` ORDER BY p.id LIMIT ?`
		args = append(args, limitPlusOne(f.Limit))
		err := tx.Each(ctx, q, args, func(scan func(...any) error) error {
			p, err := scanProduct(scan)
			if err == nil {
				out = append(out, *p)
			}
			return err
		})
		if err != nil || len(out) == 0 {
			return err
		}
		return tx.attachSKUs(ctx, actor, out)
	})
	return out, errs.Wrap("store.Products", err)
}

// attachSKUs loads the SKUs of products in one query; people other than the
// supplier and operators see only SKUs on sale.
func (tx *Tx) attachSKUs(ctx context.Context, actor account.Actor, ps []catalog.Product) error {
	ids := make([]any, len(ps))
	at := map[int64]int{}
	for i, p := range ps {
		ids[i], at[p.ID] = p.ID, i
	}
	return tx.Each(ctx, `SELECT `+skuCols+` FROM skus WHERE product_id IN (`+sqldb.Placeholders(len(ids))+`) ORDER BY id`, ids,
		func(scan func(...any) error) error {
			s, err := scanSKU(scan)
			if err != nil {
				return err
			}
			p := &ps[at[s.ProductID]]
			if s.OnSale || actor.OwnsSupplier(p.SupplierID) {
				p.SKUs = append(p.SKUs, *s)
			}
			return nil
		})
}

// UpdateProduct changes some of a product's fields (its supplier while
// approved, or an operator).
func (db *DB) UpdateProduct(ctx context.Context, actor account.Actor, id int64, u catalog.ProductUpdate) (*catalog.Product, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, err
	}
	var p *catalog.Product
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		if p, _, err = tx.changeableProduct(ctx, actor, id); err != nil {
			return err
		}
		lim, err := tx.commissionLimits(ctx)
		if err != nil {
			return err
		}
		oldCommission := p.Commission
		u.Apply(p)
		if err := p.NormalizeFields(); err != nil {
			return err
		}
		// The override is checked when it changes, so an override that stopped
		// fitting tighter program rules does not block other edits.
		if u.Commission != nil {
			if err := p.CheckCommission(lim); err != nil {
				return err
			}
			if err := p.CheckPrices(lim); err != nil {
				return err
			}
		}
		if err := tx.checkCategory(ctx, "category_id", p.CategoryID); err != nil {
			return err
		}
		images, _ := json.Marshal(p.Images)
		comm, err := catalog.MarshalCommission(p.Commission)
		if err != nil {
			return err
		}
		p.UpdatedAt = tx.Now()
		if _, err = tx.Exec(ctx, `UPDATE products SET category_id = ?, title = ?, description = ?, images = ?, commission = ?, on_sale = ?, updated_at = ?
			WHERE id = ?`, nullInt(p.CategoryID), p.Title, p.Description, string(images), comm, p.OnSale, ts(tx.Now()), id); err != nil {
			return err
		}
		if err := tx.productEdited(ctx, actor, p); err != nil {
			return err
		}
		return tx.auditCommission(ctx, actor, fmt.Sprintf("product:%d", id), oldCommission, p.Commission)
	})
	if err != nil {
		return nil, errs.Wrap("store.UpdateProduct", err)
	}
	return p, nil
}

// AddSKU adds a SKU to a product.
func (db *DB) AddSKU(ctx context.Context, actor account.Actor, productID int64, s *catalog.SKU) (*catalog.SKU, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, err
	}
	err := db.Write(ctx, func(tx *Tx) error {
		p, sup, err := tx.changeableProduct(ctx, actor, productID)
		if err != nil {
			return err
		}
		if len(p.SKUs) >= catalog.MaxSKUs {
			return errs.E(errs.Conflict, "", "a product has at most %d SKUs", catalog.MaxSKUs)
		}
		lim, err := tx.commissionLimits(ctx)
		if err != nil {
			return err
		}
		if err := s.Normalize("", lim, sup.AllowMarkup); err != nil {
			return err
		}
		if err := s.CheckFit("", lim, p.Commission); err != nil {
			return err
		}
		if err := tx.insertSKU(ctx, "", productID, s); err != nil {
			return err
		}
		if err := tx.productEdited(ctx, actor, p); err != nil {
			return err
		}
		return tx.auditCommission(ctx, actor, fmt.Sprintf("sku:%d", s.ID), nil, s.Commission)
	})
	if err != nil {
		return nil, errs.Wrap("store.AddSKU", err)
	}
	return s, nil
}

// UpdateSKU changes a SKU's price, ceiling, options, override or sale state.
func (db *DB) UpdateSKU(ctx context.Context, actor account.Actor, id int64, u catalog.SKUUpdate) (*catalog.SKU, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, err
	}
	var s *catalog.SKU
	err := db.Write(ctx, func(tx *Tx) error {
		var productID int64
		if err := tx.Get(ctx, "SKU", `SELECT product_id FROM skus WHERE id = ?`, []any{id}, &productID); err != nil {
			return err
		}
		p, sup, err := tx.changeableProduct(ctx, actor, productID)
		if err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.E(errs.NotFound, "", "SKU not found")
			}
			return err
		}
		for i := range p.SKUs {
			if p.SKUs[i].ID == id {
				s = &p.SKUs[i]
			}
		}
		lim, err := tx.commissionLimits(ctx)
		if err != nil {
			return err
		}
		oldCommission := s.Commission
		u.Apply(s)
		// A ceiling kept from before the supplier stopped allowing markup is
		// left alone; only setting one needs the permission.
		if err := s.NormalizeFields("", sup.AllowMarkup || u.PriceCeiling == nil); err != nil {
			return err
		}
		// Overrides are checked when they or the price change (see UpdateProduct).
		if u.Commission != nil || u.RetailPrice != nil {
			if err := s.Commission.Validate("commission", lim); err != nil {
				return err
			}
			if err := s.CheckFit("", lim, p.Commission); err != nil {
				return err
			}
		}
		opts, _ := json.Marshal(s.Options)
		comm, err := catalog.MarshalCommission(s.Commission)
		if err != nil {
			return err
		}
		s.UpdatedAt = tx.Now()
		if _, err = tx.Exec(ctx, `UPDATE skus SET options = ?, retail_price = ?, price_ceiling = ?, commission = ?, on_sale = ?, updated_at = ? WHERE id = ?`,
			string(opts), int64(s.RetailPrice), amountPtr(s.PriceCeiling), comm, s.OnSale, ts(tx.Now()), id); err != nil {
			return err
		}
		if err := tx.productEdited(ctx, actor, p); err != nil {
			return err
		}
		return tx.auditCommission(ctx, actor, fmt.Sprintf("sku:%d", id), oldCommission, s.Commission)
	})
	if err != nil {
		return nil, errs.Wrap("store.UpdateSKU", err)
	}
	return s, nil
}

// auditCommission records a change of a commission override: overrides
// change what distributors earn, so they are rules and are audited.
func (tx *Tx) auditCommission(ctx context.Context, actor account.Actor, subject string, old, new *catalog.Commission) error {
	if reflect.DeepEqual(old, new) {
		return nil
	}
	var o, n any
	if old != nil {
		o = old
	}
	if new != nil {
		n = new
	}
	return tx.audit(ctx, actor.AccountID, "catalog.commission", subject, o, n)
}

// product loads a product with all its SKUs, whoever asks.
func (tx *Tx) product(ctx context.Context, id int64) (*catalog.Product, error) {
	var p *catalog.Product
	err := tx.One(ctx, "product", `SELECT `+productCols+` FROM products p WHERE p.id = ?`, []any{id}, func(scan func(...any) error) error {
		var err error
		p, err = scanProduct(scan)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = tx.Each(ctx, `SELECT `+skuCols+` FROM skus WHERE product_id = ? ORDER BY id`, []any{id}, func(scan func(...any) error) error {
		s, err := scanSKU(scan)
		if err == nil {
			p.SKUs = append(p.SKUs, *s)
		}
		return err
	})
	return p, err
}

// visibleProduct loads a product the actor may see (see Product).
func (tx *Tx) visibleProduct(ctx context.Context, actor account.Actor, id int64) (*catalog.Product, *catalog.Supplier, error) {
	p, err := tx.product(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	s, err := tx.supplier(ctx, p.SupplierID)
	if err != nil {
		return nil, nil, err
	}
	if actor.OwnsSupplier(p.SupplierID) {
		return p, s, nil
	}
	if !p.OnSale || p.Review != catalog.ReviewApproved || s.Status != catalog.Approved {
		return nil, nil, errs.E(errs.NotFound, "", "product not found")
	}
	onSale := p.SKUs[:0:0]
	for _, k := range p.SKUs {
		if k.OnSale {
			onSale = append(onSale, k)
		}
	}
	p.SKUs = onSale
	return p, s, nil
}

// changeableProduct loads a product whose supplier's catalog the actor may
// change; a product the actor cannot see is NotFound, one it can see but not
// change is Forbidden.
func (tx *Tx) changeableProduct(ctx context.Context, actor account.Actor, id int64) (*catalog.Product, *catalog.Supplier, error) {
	p, s, err := tx.visibleProduct(ctx, actor, id)
	if err != nil {
		return nil, nil, err
	}
	if _, err := tx.catalogSupplier(ctx, actor, s.ID); err != nil {
		return nil, nil, err
	}
	return p, s, nil
}

// commissionLimits reads the program rules commission overrides must fit.
func (tx *Tx) commissionLimits(ctx context.Context) (catalog.Limits, error) {
	st, err := tx.settings(ctx)
	if err != nil {
		return catalog.Limits{}, err
	}
	return tx.limitsOf(ctx, st)
}

// limitsOf is what overrides must fit under settings st: its tiers, rates
// and cap, and the highest tier-1 rate a grade pays, because a tier 1 an
// override leaves unnamed may be paid at a grade's rate.
func (tx *Tx) limitsOf(ctx context.Context, st *program.Settings) (catalog.Limits, error) {
	var grade int64
	if err := tx.Get(ctx, "grades", `SELECT COALESCE(MAX(tier1_rate_bp), 0) FROM grades`, nil, &grade); err != nil {
		return catalog.Limits{}, err
	}
	return catalog.Limits{Tiers: st.Tiers, TierRates: st.TierRates, GradeTier1: money.Rate(grade), AreaRate: st.AreaRate,
		Cap: st.CommissionCap}, nil
}

const productCols = `p.id, p.supplier_id, p.category_id, p.title, p.description, p.images, p.commission, p.on_sale, p.created_at, p.updated_at,
	p.review, p.review_reason`

func scanProduct(scan func(...any) error) (*catalog.Product, error) {
	p := &catalog.Product{}
	var category nullableInt
	var images string
	var comm nullableString
	var created, updated int64
	if err := scan(&p.ID, &p.SupplierID, &category, &p.Title, &p.Description, &images, &comm, &p.OnSale, &created, &updated,
		&p.Review, &p.ReviewReason); err != nil {
		return nil, sqldb.MapErr(err)
	}
	p.CategoryID, p.CreatedAt, p.UpdatedAt = int64(category), fromTS(created), fromTS(updated)
	if err := json.Unmarshal([]byte(images), &p.Images); err != nil {
		return nil, fmt.Errorf("store: product %d images: %w", p.ID, err)
	}
	var err error
	p.Commission, err = catalog.UnmarshalCommission(string(comm))
	return p, err
}

const skuCols = `id, product_id, code, options, retail_price, price_ceiling, commission, on_sale, created_at, updated_at`

func scanSKU(scan func(...any) error) (*catalog.SKU, error) {
	s := &catalog.SKU{}
	var opts string
	var price int64
	var ceiling *int64
	var comm nullableString
	var created, updated int64
	if err := scan(&s.ID, &s.ProductID, &s.Code, &opts, &price, &ceiling, &comm, &s.OnSale, &created, &updated); err != nil {
		return nil, sqldb.MapErr(err)
	}
	s.RetailPrice, s.CreatedAt, s.UpdatedAt = money.Amount(price), fromTS(created), fromTS(updated)
	if ceiling != nil {
		c := money.Amount(*ceiling)
		s.PriceCeiling = &c
	}
	if err := json.Unmarshal([]byte(opts), &s.Options); err != nil {
		return nil, fmt.Errorf("store: SKU %d options: %w", s.ID, err)
	}
	var err error
	s.Commission, err = catalog.UnmarshalCommission(string(comm))
	return s, err
}

func amountPtr(a *money.Amount) any {
	if a == nil {
		return nil
	}
	return int64(*a)
}

// checkOverridesFit reports the first product or SKU override that breaks
// lim (its shape, or what a SKU's line pays under it and what it falls back
// to), as a Conflict naming it. Settings updates call it to warn about rules
// that existing overrides no longer fit.
func (tx *Tx) checkOverridesFit(ctx context.Context, lim catalog.Limits) error {
	var bad error
	err := tx.Each(ctx, `SELECT p.id, p.commission, k.id, k.retail_price, k.commission FROM products p
		JOIN skus k ON k.product_id = p.id WHERE p.commission IS NOT NULL OR k.commission IS NOT NULL ORDER BY p.id, k.id`, nil,
		func(scan func(...any) error) error {
			var pid, kid, price int64
			var pc, kc nullableString
			if err := scan(&pid, &pc, &kid, &price, &kc); err != nil {
				return sqldb.MapErr(err)
			}
			if bad != nil {
				return nil
			}
			sku, err := catalog.UnmarshalCommission(string(kc))
			if err != nil {
				return err
			}
			product, err := catalog.UnmarshalCommission(string(pc))
			if err != nil {
				return err
			}
			subject := fmt.Sprintf("SKU %d", kid)
			if sku == nil {
				subject = fmt.Sprintf("product %d", pid)
			}
			if sku.Validate("commission", lim) != nil || product.Validate("commission", lim) != nil ||
				lim.Fit("commission", money.Amount(price), sku, product) != nil {
				bad = errs.E(errs.Conflict, "", "the commission override of %s would break these rules; change it first", subject)
			}
			return nil
		})
	if err != nil {
		return err
	}
	return bad
}
