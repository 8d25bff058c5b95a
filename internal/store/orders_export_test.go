package store

import "context"

// OrdersExecForTest runs a statement: order tests set up shop prices,
// coupons and bindings directly, and cancel orders as the jobs will.
func (db *DB) OrdersExecForTest(ctx context.Context, q string, args ...any) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, q, args...)
		return err
	})
}

// OrdersIntForTest reads one integer.
func (db *DB) OrdersIntForTest(ctx context.Context, q string, args ...any) int64 {
	var n int64
	if err := db.Read(ctx, func(tx *Tx) error { return tx.Get(ctx, "value", q, args, &n) }); err != nil {
		panic(err)
	}
	return n
}
