package store

import "context"

// ExecRaw runs a statement outside every rule, to corrupt a database on
// purpose in tests of the checks that must catch it.
func (db *DB) ExecRaw(ctx context.Context, q string, args ...any) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, q, args...)
		return err
	})
}
