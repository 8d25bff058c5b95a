package store

import (
	"context"

	"sharemall/internal/sqldb"
)

// LockOrderForTest creates the ledger accounts with codes (in currency) and
// locks them with the two statements that lock ledger accounts in code
// order: the wallet lock (by code) and the deferred balances' lock (by id).
// It returns the codes in the order each statement took them.
func (db *DB) LockOrderForTest(ctx context.Context, currency string, codes []string) (byCode, byID []string, err error) {
	err = db.Write(ctx, func(tx *Tx) error {
		ids, err := tx.ledgerAccounts(ctx, codes, currency)
		if err != nil {
			return err
		}
		codeOf := map[int64]string{}
		args, idArgs := make([]any, len(codes)), make([]any, len(codes))
		for i, c := range codes {
			args[i], idArgs[i], codeOf[ids[c]] = c, ids[c], c
		}
		err = tx.Each(ctx, tx.lockWalletsQuery(len(codes)), args, func(scan func(...any) error) error {
			var code, cur string
			var b int64
			err := scan(&code, &cur, &b)
			byCode = append(byCode, code)
			return err
		})
		if err != nil {
			return err
		}
		return tx.Each(ctx, tx.lockBalancesQuery(len(codes)), idArgs, func(scan func(...any) error) error {
			var id int64
			err := scan(&id)
			byID = append(byID, codeOf[id])
			return err
		})
	})
	return byCode, byID, err
}

// StringsForTest reads one text column.
func (db *DB) StringsForTest(ctx context.Context, q string, args ...any) ([]string, error) {
	var out []string
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = sqldb.Column[string](ctx, tx.Tx, q, args)
		return err
	})
	return out, err
}
