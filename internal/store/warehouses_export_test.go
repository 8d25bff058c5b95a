package store

import (
	"context"

	"sharemall/internal/catalog"
)

// ReserveStockForTest promises n units of a stock line to orders, as the
// order flow will, so catalog tests can check that on-hand never drops below it.
func (db *DB) ReserveStockForTest(ctx context.Context, warehouseID, skuID, n int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `UPDATE stock SET reserved = ? WHERE warehouse_id = ? AND sku_id = ?`, n, warehouseID, skuID)
		return err
	})
}

// CheckOverridesFitForTest exposes checkOverridesFit.
func (db *DB) CheckOverridesFitForTest(ctx context.Context, lim catalog.Limits) error {
	return db.Read(ctx, func(tx *Tx) error { return tx.checkOverridesFit(ctx, lim) })
}
