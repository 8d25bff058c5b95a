package books

import (
	"context"

	"sharemall/internal/sqldb"
)

// LockOrder creates the ledger accounts with codes (in currency) and locks
// them with the two statements that lock ledger accounts in code order: the
// wallet lock (by code) and the deferred balances' lock (by id). It returns
// the codes in the order each statement took them.
func LockOrder(ctx context.Context, tx *sqldb.Tx, currency string, codes []string) (byCode, byID []string, err error) {
	ids, err := LedgerAccounts(ctx, tx, codes, currency)
	if err != nil {
		return nil, nil, err
	}
	codeOf := map[int64]string{}
	args, idArgs := make([]any, len(codes)), make([]any, len(codes))
	for i, c := range codes {
		args[i], idArgs[i], codeOf[ids[c]] = c, ids[c], c
	}
	err = tx.Each(ctx, lockWalletsQuery(tx, len(codes)), args, func(scan func(...any) error) error {
		var code, cur string
		var b int64
		err := scan(&code, &cur, &b)
		byCode = append(byCode, code)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	err = tx.Each(ctx, lockBalancesQuery(tx, len(codes)), idArgs, func(scan func(...any) error) error {
		var id int64
		err := scan(&id)
		byID = append(byID, codeOf[id])
		return err
	})
	return byCode, byID, err
}
