package store

import (
	"context"

	"sharemall/internal/sqldb"
)

// WriteThen runs the statements in one Write and then returns what then
// returns (then may panic).
func (db *DB) WriteThen(ctx context.Context, stmts []string, then func() error) error {
	return db.Write(ctx, func(tx *Tx) error {
		for _, q := range stmts {
			if _, err := tx.Exec(ctx, q); err != nil {
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
			_, each[i] = tx.Exec(ctx, q)
		}
		return nil
	})
	return each, err
}

// QueryInts returns the first column of every row of q.
func (db *DB) QueryInts(ctx context.Context, q string) ([]int64, error) {
	var out []int64
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = sqldb.Column[int64](ctx, tx.Tx, q, nil)
		return err
	})
	return out, err
}

// StringsForTest returns the first column of every row of q.
func (db *DB) StringsForTest(ctx context.Context, q string, args ...any) ([]string, error) {
	var out []string
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = sqldb.Column[string](ctx, tx.Tx, q, args)
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
