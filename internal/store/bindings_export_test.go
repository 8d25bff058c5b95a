package store

import "context"

// TouchCoupon runs checkout's tx.touchCoupon in its own transaction, for tests.
func (db *DB) TouchCoupon(ctx context.Context, customerAccountID, couponID int64) (visitID int64, err error) {
	err = db.Write(ctx, func(tx *Tx) error {
		visitID, err = tx.touchCoupon(ctx, customerAccountID, couponID)
		return err
	})
	return visitID, err
}

// SuspendDistributorForTest sets a distributor's status directly: the store
// has no suspension yet, and the tests need a distributor that is not active.
func (db *DB) SuspendDistributorForTest(ctx context.Context, id int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `UPDATE distributors SET status = 'suspended' WHERE id = ?`, id)
		return err
	})
}
