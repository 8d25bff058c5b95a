package store

import (
	"context"
	"database/sql"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payment"
	"sharemall/internal/sqldb"
)

// ReconcileRecords reads what reconciling a statement of provider needs:
// the payments named by references and those paid in [from, to), the
// refunds named by keys and those done in [from, to), by reference and key.
func (db *DB) ReconcileRecords(ctx context.Context, provider string, references, keys []string, from, to time.Time) (map[string]payment.RecordedPayment, map[string]payment.RecordedRefund, error) {
	pays, refunds := map[string]payment.RecordedPayment{}, map[string]payment.RecordedRefund{}
	err := db.Read(ctx, func(tx *Tx) error {
		const payCols = `SELECT COALESCE(reference, provider_ref), provider_ref, amount, currency, status, paid_at FROM payments WHERE provider = ? AND `
		scanPay := func(scan func(...any) error) error {
			var p payment.RecordedPayment
			var amount int64
			var paidAt sql.NullInt64
			if err := scan(&p.Reference, &p.ProviderRef, &amount, &p.Currency, &p.Status, &paidAt); err != nil {
				return err
			}
			p.Amount = money.Amount(amount)
			if paidAt.Valid {
				p.Paid, p.PaidAt = true, fromTS(paidAt.Int64)
			}
			pays[p.Reference] = p
			return nil
		}
		if err := tx.Each(ctx, payCols+`paid_at >= ? AND paid_at < ?`, []any{provider, ts(from), ts(to)}, scanPay); err != nil {
			return err
		}
		for chunk := range chunks(references, 500) {
			args := append([]any{provider}, chunk...)
			if err := tx.Each(ctx, payCols+`reference IN (`+sqldb.Placeholders(len(chunk))+`)`, args, scanPay); err != nil {
				return err
			}
		}
		const refundCols = `SELECT e.idempotency_key, COALESCE(p.reference, ''), e.amount, e.currency, e.status, e.done_at
			FROM effects e LEFT JOIN payments p ON p.id = e.payment_id WHERE e.kind = 'refund' AND e.provider = ? AND `
		scanRefund := func(scan func(...any) error) error {
			var f payment.RecordedRefund
			var amount int64
			var doneAt sql.NullInt64
			if err := scan(&f.Key, &f.Reference, &amount, &f.Currency, &f.Status, &doneAt); err != nil {
				return err
			}
			f.Amount = money.Amount(amount)
			if f.Status == EffectDone && doneAt.Valid {
				f.Done, f.DoneAt = true, fromTS(doneAt.Int64)
			}
			refunds[f.Key] = f
			return nil
		}
		if err := tx.Each(ctx, refundCols+`e.done_at >= ? AND e.done_at < ?`, []any{provider, ts(from), ts(to)}, scanRefund); err != nil {
			return err
		}
		for chunk := range chunks(keys, 500) {
			args := append([]any{provider}, chunk...)
			if err := tx.Each(ctx, refundCols+`e.idempotency_key IN (`+sqldb.Placeholders(len(chunk))+`)`, args, scanRefund); err != nil {
				return err
			}
		}
		return nil
	})
	return pays, refunds, errs.Wrap("store.ReconcileRecords", err)
}

// chunks yields ss in pieces of at most n, as query arguments.
func chunks(ss []string, n int) func(yield func([]any) bool) {
	return func(yield func([]any) bool) {
		for len(ss) > 0 {
			k := min(n, len(ss))
			args := make([]any, k)
			for i := range k {
				args[i] = ss[i]
			}
			if !yield(args) {
				return
			}
			ss = ss[k:]
		}
	}
}
