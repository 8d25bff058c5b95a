package store

import (
	"context"
	"fmt"

	"sharemall/internal/books"
	"sharemall/internal/ledger"
)

// ExecRaw runs a statement outside every rule, to corrupt a database on
// purpose in tests of the checks that must catch it.
func (db *DB) ExecRaw(ctx context.Context, q string, args ...any) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, q, args...)
		return err
	})
}

// ExecUnguarded runs statements with the ledger's triggers off, as someone
// with direct access to the database could, so a test can make the
// corruption the triggers refuse and expect `ledger check` to find it. On
// PostgreSQL the session acts as a replica for the transaction (no ordinary
// trigger fires, foreign keys included; it takes a superuser, which the
// tests' role is); on SQLite, which cannot disable a
// trigger, the ledger's triggers are dropped and created again around the
// statements, in the same transaction.
func (db *DB) ExecUnguarded(ctx context.Context, qs ...string) error {
	return db.Write(ctx, func(tx *Tx) error {
		var restore []string
		if tx.Engine() == Postgres {
			if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
				return err
			}
		} else {
			err := tx.Each(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger'
				AND tbl_name IN ('journals', 'ledger_entries', 'ledger_accounts')`, nil, func(scan func(...any) error) error {
				var name, sql string
				err := scan(&name, &sql)
				restore = append(restore, name, sql)
				return err
			})
			if err != nil {
				return err
			}
			for i := 0; i < len(restore); i += 2 {
				if _, err := tx.Exec(ctx, `DROP TRIGGER `+restore[i]); err != nil {
					return err
				}
			}
		}
		for _, q := range qs {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		for i := 1; i < len(restore); i += 2 {
			if _, err := tx.Exec(ctx, restore[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// PostThenExec posts j and then runs q in the same transaction.
func (db *DB) PostThenExec(ctx context.Context, j ledger.Journal, q string) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, _, err := books.Post(ctx, tx.Tx, j); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, q)
		return err
	})
}
