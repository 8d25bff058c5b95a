// Package store keeps the marketplace's state: catalog, shops, orders,
// after-sale cases, distributors, bindings, figures and jobs, one set of
// methods for both engines. It builds on the engine in internal/sqldb
// (pools, transactions, group commit, error mapping).
package store

import (
	"context"

	"sharemall/internal/payout"
	"sharemall/internal/sqldb"
)

// Engine names a database engine.
type Engine = sqldb.Engine

const (
	SQLite   = sqldb.SQLite
	Postgres = sqldb.Postgres
)

// DB is an open database. It keeps no state of its own beyond the engine's
// connection pools and the process's tally, so several servers can share
// one PostgreSQL.
type DB struct {
	*sqldb.DB
	tally tally // the money work this process committed (see Tally)

	payoutKeys *payout.Keyring // seals and opens payout details (UsePayoutKeys); nil: not configured
}

// WritePanic is a panic inside a transaction's function, raised again by
// Write or Read after the rollback with the stack where it happened.
type WritePanic = sqldb.WritePanic

// Tx is a transaction of the store: the engine's, with the store's helpers
// as methods.
type Tx struct{ *sqldb.Tx }

// Open opens the database named by dbURL, or SQLite in dataDir when dbURL is
// empty. It does not migrate; see Migrate and CheckSchema.
func Open(ctx context.Context, dbURL, dataDir string) (*DB, error) {
	s, err := sqldb.Open(ctx, dbURL, dataDir)
	if err != nil {
		return nil, err
	}
	return &DB{DB: s}, nil
}

// Write runs fn in a read-write transaction and commits if fn returns nil
// (sqldb.DB.Write), and counts what it did in the tally once it committed.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	var t txTally
	err := db.DB.Write(ctx, func(stx *sqldb.Tx) error {
		t = txTally{} // a write run again counts once
		stx.SetValue(tallyKey{}, &t)
		return fn(&Tx{stx})
	})
	if err == nil {
		db.tally.add(&t) // committed
	}
	return err
}

// writeAlone runs fn in a transaction of its own, never batched.
func (db *DB) writeAlone(ctx context.Context, fn func(*Tx) error) error {
	return db.DB.WriteAlone(ctx, func(stx *sqldb.Tx) error { return fn(&Tx{stx}) })
}

// Read runs fn in a read-only transaction.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	return db.DB.Read(ctx, func(stx *sqldb.Tx) error { return fn(&Tx{stx}) })
}

// limitPlusOne bounds a page size and asks for one more row to detect a next page.
func limitPlusOne(limit int) int {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	return limit + 1
}
