package store

import (
	"context"

	"sharemall/internal/books"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
)

// The ledger is the books' (internal/books); these are its entry points for
// tools, tests, jobs and the API.

// PostedEntry is an entry as stored.
type PostedEntry = books.PostedEntry

// PostedJournal is a journal as stored, with its entries.
type PostedJournal = books.PostedJournal

// JournalFilter selects journals in id order.
type JournalFilter = books.JournalFilter

// LedgerProblem is one thing CheckLedger found wrong.
type LedgerProblem = books.Problem

// Balance returns an account's balance.
func (db *DB) Balance(ctx context.Context, code string) (money.Amount, error) {
	var b money.Amount
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		b, err = books.Balance(ctx, tx.Tx, code)
		return err
	})
	return b, errs.Wrap("store.Balance", err)
}

// Post books one journal in its own transaction (tools, tests, jobs).
func (db *DB) Post(ctx context.Context, j ledger.Journal) (id int64, posted bool, err error) {
	err = db.Write(ctx, func(tx *Tx) error {
		id, posted, err = books.Post(ctx, tx.Tx, j)
		return err
	})
	return id, posted, errs.Wrap("store.Post", err)
}

// Journals lists journals with their entries (operators only, checked by the caller).
func (db *DB) Journals(ctx context.Context, f JournalFilter) ([]PostedJournal, error) {
	var out []PostedJournal
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = books.ReadJournals(ctx, tx.Tx, f)
		return err
	})
	return out, errs.Wrap("store.Journals", err)
}

// CheckLedger verifies the ledger on a live database and returns every
// problem found (none means the books are sound). It reads in one
// transaction, so it sees one consistent state (books.Check).
func (db *DB) CheckLedger(ctx context.Context) ([]LedgerProblem, error) {
	var out []LedgerProblem
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = books.Check(ctx, tx.Tx)
		return err
	})
	return out, errs.Wrap("store.CheckLedger", err)
}

// IsNotCovered reports whether err is a Covered debit that the balance could not cover.
func IsNotCovered(err error) bool { return books.IsNotCovered(err) }
