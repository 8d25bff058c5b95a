package store

import (
	"context"
	"fmt"

	"sharemall/internal/ledger"
	"sharemall/internal/wallet"
)

// checkWithdrawalHolds: the withdrawing balance of every distributor that
// ever asked to withdraw is exactly the sum of its open (requested or
// approved) withdrawals, so no decision lost a hold or kept one.
func checkWithdrawalHolds(ctx context.Context, tx *Tx, add func(LedgerProblem)) error {
	rows, err := tx.query(ctx, `SELECT w.distributor_id, w.held, COALESCE(a.balance, 0)
		FROM (SELECT distributor_id, SUM(CASE WHEN status IN (?, ?) THEN amount ELSE 0 END) AS held
			FROM withdrawals GROUP BY distributor_id) w
		LEFT JOIN ledger_accounts a ON a.kind = ? AND a.owner_id = w.distributor_id
		WHERE COALESCE(a.balance, 0) <> w.held
		ORDER BY w.distributor_id`,
		string(wallet.Requested), string(wallet.Approved), string(ledger.DistributorWithdrawing))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d, held, balance int64
		if err := rows.Scan(&d, &held, &balance); err != nil {
			return mapErr(err)
		}
		add(LedgerProblem{Account: ledger.Code(ledger.DistributorWithdrawing, d),
			What: fmt.Sprintf("holds %d but the distributor's open withdrawals total %d", balance, held)})
	}
	return mapErr(rows.Err())
}
