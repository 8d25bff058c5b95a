package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"sharemall/internal/account"
	"sharemall/internal/books"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/shipping"
	"sharemall/internal/sqldb"
)

// Shipping templates are private to their supplier and operators: to
// anybody else a template is NotFound (docs/shipping.md).

type templateRules struct {
	Default shipping.Rule   `json:"default"`
	Rules   []shipping.Rule `json:"rules"`
}

// SaveShippingTemplate creates t (t.ID 0) or replaces the template t.ID
// with t. A supplier saves for itself (SupplierID 0 means its own) while
// approved. Orders placed before keep the fees they were charged.
func (db *DB) SaveShippingTemplate(ctx context.Context, actor account.Actor, t *shipping.Template) (*shipping.Template, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, errs.Wrap("store.SaveShippingTemplate", err)
	}
	if t.SupplierID == 0 && t.ID == 0 {
		if actor.IsOperator() || actor.SupplierID == 0 {
			return nil, errs.Invalidf("supplier_id", "is required")
		}
		t.SupplierID = actor.SupplierID
	}
	if t.Rules == nil {
		t.Rules = []shipping.Rule{}
	}
	if err := t.Normalize(); err != nil {
		return nil, errs.Wrap("store.SaveShippingTemplate", err)
	}
	err := db.Write(ctx, func(tx *Tx) error {
		if t.ID != 0 {
			was, err := tx.shippingTemplate(ctx, actor, t.ID)
			if err != nil {
				return err
			}
			t.SupplierID = was.SupplierID
		}
		if _, err := tx.catalogSupplier(ctx, actor, t.SupplierID); err != nil {
			return err
		}
		for i, r := range t.Rules {
			if err := tx.checkRegions(ctx, fmt.Sprintf("rules[%d].regions", i), r.Regions); err != nil {
				if len(r.Regions) == 1 && errs.Is(err, errs.Invalid) {
					return errs.Invalidf(fmt.Sprintf("rules[%d].regions[0]", i), "%s", errs.MessageOf(err))
				}
				return err
			}
		}
		rules, err := json.Marshal(templateRules{Default: t.Default, Rules: t.Rules})
		if err != nil {
			return err
		}
		var free any
		if t.FreeAbove != nil {
			free = int64(*t.FreeAbove)
		}
		if t.ID == 0 {
			t.ID, err = tx.Insert(ctx, `INSERT INTO shipping_templates (supplier_id, name, basis, rules, free_above, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, t.SupplierID, t.Name, string(t.Basis), string(rules), free, ts(tx.Now()), ts(tx.Now()))
		} else {
			_, err = tx.Exec(ctx, `UPDATE shipping_templates SET name = ?, basis = ?, rules = ?, free_above = ?, updated_at = ? WHERE id = ?`,
				t.Name, string(t.Basis), string(rules), free, ts(tx.Now()), t.ID)
		}
		return sqldb.Relabel(err, errs.Conflict, "name", "is taken by another shipping template of this supplier")
	})
	if err != nil {
		return nil, errs.Wrap("store.SaveShippingTemplate", err)
	}
	return t, nil
}

// ShippingTemplate reads one template its supplier or an operator may see.
func (db *DB) ShippingTemplate(ctx context.Context, actor account.Actor, id int64) (*shipping.Template, error) {
	var t *shipping.Template
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		t, err = tx.shippingTemplate(ctx, actor, id)
		return err
	})
	return t, errs.Wrap("store.ShippingTemplate", err)
}

// ShippingTemplates lists a supplier's templates (0: the caller's own) and
// the id of its default (0 for none).
func (db *DB) ShippingTemplates(ctx context.Context, actor account.Actor, supplierID int64) ([]shipping.Template, int64, error) {
	if supplierID == 0 {
		supplierID = actor.SupplierID
	}
	var out []shipping.Template
	var def sql.NullInt64
	err := db.Read(ctx, func(tx *Tx) error {
		if err := actor.Require(account.Supplier, account.Operator); err != nil {
			return err
		}
		if _, err := tx.ownedSupplier(ctx, actor, supplierID); err != nil {
			return err
		}
		if err := tx.Get(ctx, "supplier", `SELECT shipping_template_id FROM suppliers WHERE id = ?`, []any{supplierID}, &def); err != nil {
			return err
		}
		return tx.Each(ctx, `SELECT `+templateCols+` FROM shipping_templates WHERE supplier_id = ? ORDER BY id`, []any{supplierID},
			func(scan func(...any) error) error {
				t, err := scanTemplate(scan)
				if err == nil {
					out = append(out, *t)
				}
				return err
			})
	})
	return out, def.Int64, errs.Wrap("store.ShippingTemplates", err)
}

// SetShippingTemplate makes templateID (0: none) the default of the
// supplier (productID 0) or the template of one of its products (0: the
// supplier's default). Only the supplier's own templates may be named.
func (db *DB) SetShippingTemplate(ctx context.Context, actor account.Actor, supplierID, productID, templateID int64) error {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return errs.Wrap("store.SetShippingTemplate", err)
	}
	if supplierID == 0 {
		supplierID = actor.SupplierID
	}
	if templateID < 0 {
		return errs.Wrap("store.SetShippingTemplate", errs.Invalidf("shipping_template_id", "must be a template id, or 0 for none"))
	}
	err := db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.catalogSupplier(ctx, actor, supplierID); err != nil {
			return err
		}
		var tmpl any
		if templateID != 0 {
			ok, err := tx.Exists(ctx, `SELECT 1 FROM shipping_templates WHERE id = ? AND supplier_id = ?`, templateID, supplierID)
			if err != nil {
				return err
			}
			if !ok {
				return errs.Invalidf("shipping_template_id", "no shipping template %d of this supplier", templateID)
			}
			tmpl = templateID
		}
		if productID == 0 {
			_, err := tx.Exec(ctx, `UPDATE suppliers SET shipping_template_id = ? WHERE id = ?`, tmpl, supplierID)
			return err
		}
		n, err := tx.ExecN(ctx, `UPDATE products SET shipping_template_id = ? WHERE id = ? AND supplier_id = ?`, tmpl, productID, supplierID)
		if err == nil && n == 0 {
			err = errs.E(errs.NotFound, "", "product not found")
		}
		return err
	})
	return errs.Wrap("store.SetShippingTemplate", err)
}

// SetSKUWeight sets a SKU's weight in grams (what per-weight templates
// count), by its supplier or an operator.
func (db *DB) SetSKUWeight(ctx context.Context, actor account.Actor, skuID, grams int64) error {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return errs.Wrap("store.SetSKUWeight", err)
	}
	if grams < 0 || grams > shipping.MaxWeightGrams {
		return errs.Wrap("store.SetSKUWeight", errs.Invalidf("weight_grams", "must be between 0 and %d grams", shipping.MaxWeightGrams))
	}
	err := db.Write(ctx, func(tx *Tx) error {
		var supplier int64
		err := tx.Get(ctx, "SKU", `SELECT p.supplier_id FROM skus k JOIN products p ON p.id = k.product_id WHERE k.id = ?`, []any{skuID}, &supplier)
		if err != nil {
			return err
		}
		if _, err := tx.catalogSupplier(ctx, actor, supplier); errs.Is(err, errs.NotFound) || errs.Is(err, errs.Forbidden) {
			return errs.E(errs.NotFound, "", "SKU not found")
		} else if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE skus SET weight_grams = ?, updated_at = ? WHERE id = ?`, grams, ts(tx.Now()), skuID)
		return err
	})
	return errs.Wrap("store.SetSKUWeight", err)
}

const templateCols = `id, supplier_id, name, basis, rules, free_above`

func scanTemplate(scan func(...any) error) (*shipping.Template, error) {
	t := &shipping.Template{}
	var basis, rules string
	var free sql.NullInt64
	if err := scan(&t.ID, &t.SupplierID, &t.Name, &basis, &rules, &free); err != nil {
		return nil, err
	}
	var r templateRules
	if err := json.Unmarshal([]byte(rules), &r); err != nil {
		return nil, fmt.Errorf("store: shipping template %d rules: %w", t.ID, err)
	}
	t.Basis, t.Default, t.Rules = shipping.Basis(basis), r.Default, r.Rules
	if t.Rules == nil {
		t.Rules = []shipping.Rule{}
	}
	if free.Valid {
		a := money.Amount(free.Int64)
		t.FreeAbove = &a
	}
	return t, nil
}

// shippingTemplate reads a template the actor may see.
func (tx *Tx) shippingTemplate(ctx context.Context, actor account.Actor, id int64) (*shipping.Template, error) {
	var t *shipping.Template
	err := tx.One(ctx, "shipping template", `SELECT `+templateCols+` FROM shipping_templates WHERE id = ?`, []any{id},
		func(scan func(...any) error) error {
			var err error
			t, err = scanTemplate(scan)
			return err
		})
	if err != nil {
		return nil, err
	}
	if !actor.IsOperator() && !actor.OwnsSupplier(t.SupplierID) {
		return nil, errs.E(errs.NotFound, "", "shipping template not found")
	}
	return t, nil
}

// templatesByID reads templates by id, whoever asks (checkout and quotes).
func (tx *Tx) templatesByID(ctx context.Context, ids []int64) (map[int64]shipping.Template, error) {
	out := map[int64]shipping.Template{}
	if len(ids) == 0 {
		return out, nil
	}
	err := tx.Each(ctx, `SELECT `+templateCols+` FROM shipping_templates WHERE id IN (`+sqldb.Placeholders(len(ids))+`)`, sqldb.Args(ids),
		func(scan func(...any) error) error {
			t, err := scanTemplate(scan)
			if err == nil {
				out[t.ID] = *t
			}
			return err
		})
	return out, err
}

// bookParcelFees books the shipping fees of a paid order's parcels to their
// suppliers' pending accounts (books.BookParcelFees), in the payment's
// transaction.
func (tx *Tx) bookParcelFees(ctx context.Context, orderID int64, currency string) error {
	var fees []books.ParcelFee
	err := tx.Each(ctx, `SELECT id, supplier_id, shipping_fee FROM fulfilment_orders WHERE order_id = ? AND shipping_fee > 0 ORDER BY id`,
		[]any{orderID}, func(scan func(...any) error) error {
			f := books.ParcelFee{OrderID: orderID}
			err := scan(&f.FulfilmentID, &f.SupplierID, &f.Fee)
			fees = append(fees, f)
			return err
		})
	if err != nil || len(fees) == 0 {
		return err
	}
	return books.BookParcelFees(ctx, tx.Tx, currency, fees)
}

// ProductShipping is the template a product names (0: its supplier's
// default) and its SKUs' weights in grams, for its supplier or an operator.
func (db *DB) ProductShipping(ctx context.Context, actor account.Actor, productID int64) (templateID int64, grams map[int64]int64, err error) {
	grams = map[int64]int64{}
	err = db.Read(ctx, func(tx *Tx) error {
		var supplier int64
		var tmpl sql.NullInt64
		if err := tx.Get(ctx, "product", `SELECT supplier_id, shipping_template_id FROM products WHERE id = ?`, []any{productID}, &supplier, &tmpl); err != nil {
			return err
		}
		if !actor.IsOperator() && !actor.OwnsSupplier(supplier) {
			return errs.E(errs.NotFound, "", "product not found")
		}
		templateID = tmpl.Int64
		return tx.Each(ctx, `SELECT id, weight_grams FROM skus WHERE product_id = ?`, []any{productID}, func(scan func(...any) error) error {
			var id, g int64
			err := scan(&id, &g)
			grams[id] = g
			return err
		})
	})
	return templateID, grams, errs.Wrap("store.ProductShipping", err)
}
