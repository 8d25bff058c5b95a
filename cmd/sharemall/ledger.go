package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"sharemall/internal/store"
)

// errLedgerUnsound makes `sharemall ledger check` exit non-zero.
var errLedgerUnsound = errors.New("the ledger has problems")

// ledgerCheck proves the books on a live database: journals balance, cached
// balances equal their entries, keys are unique, no wallet is below zero
// without a recorded debt. It refuses a database whose schema is not current.
func ledgerCheck(ctx context.Context, db *store.DB, stdout io.Writer) error {
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if cur != latest {
		return &store.ErrSchemaOld{Current: cur, Latest: latest}
	}
	_, problems, err := db.RunLedgerCheck(ctx, store.LedgerByCommand)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, "PROBLEM", p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stdout, "ledger check: %d problem(s)\n", len(problems))
		return errLedgerUnsound
	}
	fmt.Fprintln(stdout, "ledger check: ok")
	return nil
}
