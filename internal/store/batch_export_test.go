package store

import "context"

// WriteThen runs the statements in one Write and then returns what then
// returns (then may panic).
func (db *DB) WriteThen(ctx context.Context, stmts []string, then func() error) error {
	return db.Write(ctx, func(tx *Tx) error {
		for _, q := range stmts {
			if _, err := tx.exec(ctx, q); err != nil {
				return err
			}
		}
		return then()
	})
}

// WriteEach runs every statement in one Write whatever the ones before it
// returned, and commits; it returns each statement's error and Write's.
func (db *DB) WriteEach(ctx context.Context, stmts []string) ([]error, error) {
	var each []error
	err := db.Write(ctx, func(tx *Tx) error {
		each = make([]error, len(stmts))
		for i, q := range stmts {
			_, each[i] = tx.exec(ctx, q)
		}
		return nil
	})
	return each, err
}

// BatchStats reports the writes waiting for the batcher and the commits it
// made; ok is false where writes are not batched (PostgreSQL).
func (db *DB) BatchStats() (waiting, commits int64, ok bool) {
	if db.batch == nil {
		return 0, 0, false
	}
	return db.batch.waiting.Load(), db.batch.commits.Load(), true
}

// QueryInts returns the first column of every row of q.
func (db *DB) QueryInts(ctx context.Context, q string) ([]int64, error) {
	var out []int64
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = column[int64](ctx, tx, q, nil)
		return err
	})
	return out, err
}

// SettleLines settles the lines in one transaction, as one chunk of the
// settlement sweep does.
func (db *DB) SettleLines(ctx context.Context, currency string, ids []int64) (int, error) {
	var n int
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.settleLines(ctx, currency, ids)
		return err
	})
	return n, err
}

// Prepared reports whether q is prepared in the writer's (write) or the
// readers' statement cache; false on PostgreSQL, which has none.
func (db *DB) Prepared(q string, write bool) bool {
	c := db.readStmts
	if write {
		c = db.writeStmts
	}
	st, _ := c.get(q)
	return st != nil
}
