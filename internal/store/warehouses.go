package store

import (
	"context"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// Warehouses, their areas and their stock are private to their supplier and
// operators: to anybody else a warehouse is NotFound.

// CreateWarehouse adds a warehouse, with its areas when w.Areas is set. A
// supplier creates for itself (SupplierID 0 means its own) while approved.
func (db *DB) CreateWarehouse(ctx context.Context, actor account.Actor, w *catalog.Warehouse) (*catalog.Warehouse, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, err
	}
	if w.SupplierID == 0 {
		if actor.IsOperator() || actor.SupplierID == 0 {
			return nil, errs.Invalidf("supplier_id", "is required")
		}
		w.SupplierID = actor.SupplierID
	}
	if err := w.Normalize(); err != nil {
		return nil, err
	}
	areas, err := catalog.NormalizeAreas("areas", w.Areas)
	if err != nil {
		return nil, err
	}
	w.Areas = areas
	err = db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.catalogSupplier(ctx, actor, w.SupplierID); err != nil {
			return err
		}
		if err := tx.checkWarehouse(ctx, w); err != nil {
			return err
		}
		w.CreatedAt, w.UpdatedAt = tx.Now(), tx.Now()
		id, err := tx.Insert(ctx, `INSERT INTO warehouses (supplier_id, name, region_code, priority, active, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, w.SupplierID, w.Name, w.RegionCode, w.Priority, w.Active, ts(tx.Now()), ts(tx.Now()))
		if err != nil {
			return sqldb.Relabel(err, errs.Conflict, "name", "is taken by another warehouse of this supplier")
		}
		w.ID = id
		return tx.replaceAreas(ctx, w.ID, w.Areas)
	})
	if err != nil {
		return nil, errs.Wrap("store.CreateWarehouse", err)
	}
	return w, nil
}

// checkWarehouse checks what only the database knows: the region exists and
// the name is free among the supplier's warehouses.
func (tx *Tx) checkWarehouse(ctx context.Context, w *catalog.Warehouse) error {
	if err := tx.checkRegions(ctx, "region_code", []string{w.RegionCode}); err != nil {
		return err
	}
	if err := tx.checkRegions(ctx, "areas", w.Areas); err != nil {
		return err
	}
	taken, err := tx.Exists(ctx, `SELECT 1 FROM warehouses WHERE supplier_id = ? AND name = ? AND id <> ?`, w.SupplierID, w.Name, w.ID)
	if err == nil && taken {
		return errs.E(errs.Conflict, "name", "is taken by another warehouse of this supplier")
	}
	return err
}

func (tx *Tx) replaceAreas(ctx context.Context, warehouseID int64, codes []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM warehouse_areas WHERE warehouse_id = ?`, warehouseID); err != nil {
		return err
	}
	for _, c := range codes {
		if _, err := tx.Exec(ctx, `INSERT INTO warehouse_areas (warehouse_id, region_code) VALUES (?, ?)`, warehouseID, c); err != nil {
			return err
		}
	}
	return nil
}

// Warehouse returns one of the actor's warehouses with its areas.
func (db *DB) Warehouse(ctx context.Context, actor account.Actor, id int64) (*catalog.Warehouse, error) {
	var w *catalog.Warehouse
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		w, err = tx.ownedWarehouse(ctx, actor, id)
		return err
	})
	if err != nil {
		return nil, errs.Wrap("store.Warehouse", err)
	}
	return w, nil
}

// Warehouses lists a supplier's warehouses with their areas (supplierID 0:
// the actor's own; for an operator, every supplier's).
func (db *DB) Warehouses(ctx context.Context, actor account.Actor, supplierID int64) ([]catalog.Warehouse, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, err
	}
	if supplierID == 0 && !actor.IsOperator() {
		if supplierID = actor.SupplierID; supplierID == 0 {
			return nil, errs.Invalidf("supplier_id", "is required")
		}
	}
	var out []catalog.Warehouse
	err := db.Read(ctx, func(tx *Tx) error {
		q, args := `SELECT `+warehouseCols+` FROM warehouses ORDER BY id`, []any(nil)
		if supplierID != 0 {
			if _, err := tx.ownedSupplier(ctx, actor, supplierID); err != nil {
				return err
			}
			q, args = `SELECT `+warehouseCols+` FROM warehouses WHERE supplier_id = ? ORDER BY id`, []any{supplierID}
		}
		err := tx.Each(ctx, q, args, func(scan func(...any) error) error {
			w, err := scanWarehouse(scan)
			if err == nil {
				out = append(out, *w)
			}
			return err
		})
		if err != nil {
			return err
		}
		for i := range out {
			if out[i].Areas, err = tx.warehouseAreas(ctx, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, errs.Wrap("store.Warehouses", err)
}

// UpdateWarehouse changes a warehouse's name, location, priority or activity.
func (db *DB) UpdateWarehouse(ctx context.Context, actor account.Actor, id int64, u catalog.WarehouseUpdate) (*catalog.Warehouse, error) {
	var w *catalog.Warehouse
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		if w, err = tx.changeableWarehouse(ctx, actor, id); err != nil {
			return err
		}
		u.Apply(w)
		if err := w.Normalize(); err != nil {
			return err
		}
		if err := tx.checkWarehouse(ctx, w); err != nil {
			return err
		}
		w.UpdatedAt = tx.Now()
		_, err = tx.Exec(ctx, `UPDATE warehouses SET name = ?, region_code = ?, priority = ?, active = ?, updated_at = ? WHERE id = ?`,
			w.Name, w.RegionCode, w.Priority, w.Active, ts(tx.Now()), id)
		return sqldb.Relabel(err, errs.Conflict, "name", "is taken by another warehouse of this supplier")
	})
	if err != nil {
		return nil, errs.Wrap("store.UpdateWarehouse", err)
	}
	return w, nil
}

// SetWarehouseAreas replaces the regions a warehouse delivers to; every code
// must be in the region table.
func (db *DB) SetWarehouseAreas(ctx context.Context, actor account.Actor, id int64, codes []string) (*catalog.Warehouse, error) {
	areas, err := catalog.NormalizeAreas("areas", codes)
	if err != nil {
		return nil, err
	}
	var w *catalog.Warehouse
	err = db.Write(ctx, func(tx *Tx) error {
		var err error
		if w, err = tx.changeableWarehouse(ctx, actor, id); err != nil {
			return err
		}
		if err := tx.checkRegions(ctx, "areas", areas); err != nil {
			return err
		}
		w.Areas, w.UpdatedAt = areas, tx.Now()
		if _, err := tx.Exec(ctx, `UPDATE warehouses SET updated_at = ? WHERE id = ?`, ts(tx.Now()), id); err != nil {
			return err
		}
		return tx.replaceAreas(ctx, id, areas)
	})
	if err != nil {
		return nil, errs.Wrap("store.SetWarehouseAreas", err)
	}
	return w, nil
}

// SetStock sets how many units of a SKU a warehouse holds. The SKU must be
// the warehouse's supplier's, and on hand may not drop below what is
// reserved. The count is absolute, taken as of the moment the line is
// locked: changes committed before are replaced, later ones apply to it.
func (db *DB) SetStock(ctx context.Context, actor account.Actor, warehouseID, skuID, onHand int64) (*catalog.Stock, error) {
	st := &catalog.Stock{WarehouseID: warehouseID, SKUID: skuID, OnHand: onHand}
	err := db.Write(ctx, func(tx *Tx) error {
		w, err := tx.changeableWarehouse(ctx, actor, warehouseID)
		if err != nil {
			return err
		}
		ok, err := tx.Exists(ctx, `SELECT 1 FROM skus k JOIN products p ON p.id = k.product_id WHERE k.id = ? AND p.supplier_id = ?`, skuID, w.SupplierID)
		if err != nil {
			return err
		}
		if !ok {
			return errs.E(errs.NotFound, "sku_id", "SKU not found among this supplier's products")
		}
		// Lock the line, then decide from what it holds. The upsert creates a
		// missing line and otherwise locks the row and returns it as the last
		// writer committed it (PostgreSQL waits for a concurrent writer, then
		// reads its outcome). A payment committing reserved units, a checkout
		// reserving or a refund putting units back thus runs wholly before
		// this (and is seen) or after it (and changes the count set here):
		// never lost under the write.
		if err := tx.Get(ctx, "stock", `INSERT INTO stock (warehouse_id, sku_id, on_hand, reserved, updated_at) VALUES (?, ?, 0, 0, ?)
			ON CONFLICT (warehouse_id, sku_id) DO UPDATE SET updated_at = excluded.updated_at RETURNING reserved`,
			[]any{warehouseID, skuID, ts(tx.Now())}, &st.Reserved); err != nil {
			return err
		}
		tx.Point(ctx, "stock.set.read")
		if err := catalog.CheckOnHand(onHand, st.Reserved); err != nil {
			return err
		}
		st.UpdatedAt = tx.Now()
		_, err = tx.Exec(ctx, `UPDATE stock SET on_hand = ?, updated_at = ? WHERE warehouse_id = ? AND sku_id = ?`,
			onHand, ts(tx.Now()), warehouseID, skuID)
		return err
	})
	if err != nil {
		return nil, errs.Wrap("store.SetStock", err)
	}
	return st, nil
}

// Stock lists a warehouse's stock lines in SKU order.
func (db *DB) Stock(ctx context.Context, actor account.Actor, warehouseID int64) ([]catalog.Stock, error) {
	var out []catalog.Stock
	err := db.Read(ctx, func(tx *Tx) error {
		if _, err := tx.ownedWarehouse(ctx, actor, warehouseID); err != nil {
			return err
		}
		return tx.Each(ctx, `SELECT warehouse_id, sku_id, on_hand, reserved, updated_at FROM stock WHERE warehouse_id = ? ORDER BY sku_id`,
			[]any{warehouseID}, func(scan func(...any) error) error {
				var s catalog.Stock
				var at int64
				if err := scan(&s.WarehouseID, &s.SKUID, &s.OnHand, &s.Reserved, &at); err != nil {
					return sqldb.MapErr(err)
				}
				s.UpdatedAt = fromTS(at)
				out = append(out, s)
				return nil
			})
	})
	return out, errs.Wrap("store.Stock", err)
}

const warehouseCols = `id, supplier_id, name, region_code, priority, active, created_at, updated_at`

func scanWarehouse(scan func(...any) error) (*catalog.Warehouse, error) {
	w := &catalog.Warehouse{}
	var created, updated int64
	if err := scan(&w.ID, &w.SupplierID, &w.Name, &w.RegionCode, &w.Priority, &w.Active, &created, &updated); err != nil {
		return nil, sqldb.MapErr(err)
	}
	w.CreatedAt, w.UpdatedAt = fromTS(created), fromTS(updated)
	return w, nil
}

func (tx *Tx) warehouseAreas(ctx context.Context, id int64) ([]string, error) {
	out := []string{}
	err := tx.Each(ctx, `SELECT region_code FROM warehouse_areas WHERE warehouse_id = ? ORDER BY region_code`, []any{id},
		func(scan func(...any) error) error {
			var c string
			if err := scan(&c); err != nil {
				return sqldb.MapErr(err)
			}
			out = append(out, c)
			return nil
		})
	return out, err
}

// ownedWarehouse loads a warehouse of the actor's supplier (any, for an
// operator) with its areas; anybody else's is NotFound.
func (tx *Tx) ownedWarehouse(ctx context.Context, actor account.Actor, id int64) (*catalog.Warehouse, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, err
	}
	var w *catalog.Warehouse
	err := tx.One(ctx, "warehouse", `SELECT `+warehouseCols+` FROM warehouses WHERE id = ?`, []any{id}, func(scan func(...any) error) error {
		var err error
		w, err = scanWarehouse(scan)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !actor.OwnsSupplier(w.SupplierID) {
		return nil, errs.E(errs.NotFound, "", "warehouse not found")
	}
	w.Areas, err = tx.warehouseAreas(ctx, id)
	return w, err
}

// changeableWarehouse is ownedWarehouse for a change: the supplier must be approved unless an operator acts.
func (tx *Tx) changeableWarehouse(ctx context.Context, actor account.Actor, id int64) (*catalog.Warehouse, error) {
	w, err := tx.ownedWarehouse(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if _, err := tx.catalogSupplier(ctx, actor, w.SupplierID); err != nil {
		return nil, err
	}
	return w, nil
}
