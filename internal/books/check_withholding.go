package books

import (
	"context"
	"fmt"

	"sharemall/internal/ledger"
	"sharemall/internal/sqldb"
	"sharemall/internal/wallet"
)

// checkWithholding: the tax withheld account holds exactly the tax of the
// paid withdrawals (withdrawals.withheld), and every paid withdrawal that
// withheld tax has its journal withdrawal:{id}:withholding, and no other
// withdrawal has one.
func checkWithholding(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	code := ledger.Code(ledger.TaxWithheld, 0)
	err := tx.Each(ctx, `SELECT COALESCE((SELECT balance FROM ledger_accounts WHERE code = ?), 0),
			COALESCE((SELECT SUM(withheld) FROM withdrawals WHERE status = ?), 0)`,
		[]any{code, string(wallet.Paid)}, func(scan func(...any) error) error {
			var balance, withheld int64
			if err := scan(&balance, &withheld); err != nil {
				return err
			}
			if balance != withheld {
				add(Problem{Account: code, What: fmt.Sprintf("holds %d but the paid withdrawals withheld %d", balance, withheld)})
			}
			return nil
		})
	if err != nil {
		return err
	}
	return tx.Each(ctx, `SELECT w.id, w.status, w.withheld FROM withdrawals w
		WHERE (w.status = ? AND w.withheld > 0) <> EXISTS (SELECT 1 FROM journals j WHERE j.idempotency_key = 'withdrawal:' || w.id || ':withholding')
		ORDER BY w.id`, []any{string(wallet.Paid)}, func(scan func(...any) error) error {
		var id, withheld int64
		var status string
		if err := scan(&id, &status, &withheld); err != nil {
			return err
		}
		key := WithdrawalKey(id, "withholding")
		add(Problem{Journal: key, What: fmt.Sprintf("withdrawal %d is %s withholding %d, but its journal %s is missing or should not exist", id, status, withheld, key)})
		return nil
	})
}
