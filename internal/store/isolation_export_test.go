package store

import "context"

// ReadTwice runs q (one number) twice in one read transaction, reaching
// point between the two, so a test can commit a write in between.
func (db *DB) ReadTwice(ctx context.Context, point, q string, args ...any) (first, second int64, err error) {
	err = db.Read(ctx, func(tx *Tx) error {
		if err := tx.Get(ctx, "value", q, args, &first); err != nil {
			return err
		}
		tx.Point(ctx, point)
		return tx.Get(ctx, "value", q, args, &second)
	})
	return first, second, err
}

// TxSetting returns a PostgreSQL setting (SHOW name) as a read or a write
// transaction sees it.
func (db *DB) TxSetting(ctx context.Context, write bool, name string) (string, error) {
	var v string
	fn := func(tx *Tx) error { return tx.Get(ctx, name, "SHOW "+name, nil, &v) }
	if write {
		return v, db.Write(ctx, fn)
	}
	return v, db.Read(ctx, fn)
}

// WriteAt runs a write transaction that only reaches point, so a test can
// see which locks a write holds from its BEGIN.
func (db *DB) WriteAt(ctx context.Context, point string) error {
	return db.Write(ctx, func(tx *Tx) error {
		tx.Point(ctx, point)
		return nil
	})
}

// SQLitePath is the file of an SQLite database, for a test that opens a
// connection of its own beside the store's pools.
func (db *DB) SQLitePath(ctx context.Context) (string, error) {
	var seq int
	var name, file string
	err := db.WritePool().QueryRowContext(ctx, `PRAGMA database_list`).Scan(&seq, &name, &file)
	return file, err
}
