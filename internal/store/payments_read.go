package store

import (
	"context"
	"database/sql"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// PaymentRefund is one refund given back through a payment, as the
// payment's page shows it.
type PaymentRefund struct {
	Key       string // our idempotency key of the refund (the provider's out_refund_no)
	Amount    money.Amount
	Currency  string
	Status    string // pending (asked, not confirmed), done, failed (waits for a person)
	Remote    string // what the provider last said: pending, done, failed, or "" before it answered
	RemoteRef string // the provider's id of the refund
	LastError string
	CreatedAt time.Time
	DoneAt    *time.Time
}

// Refund statuses as a payment shows them.
const (
	RefundPending = "pending"
	RefundDone    = "done"
	RefundFailed  = "failed"
)

// OrderPayments lists an order's payments, oldest first, each with its
// refunds, to whoever may see the order.
func (db *DB) OrderPayments(ctx context.Context, actor account.Actor, orderID int64) ([]Payment, map[int64][]PaymentRefund, error) {
	if _, err := db.Order(ctx, actor, orderID); err != nil {
		return nil, nil, errs.Wrap("store.OrderPayments", err)
	}
	var out []Payment
	refunds := map[int64][]PaymentRefund{}
	err := db.Read(ctx, func(tx *Tx) error {
		var ids []int64
		if err := tx.Each(ctx, `SELECT id FROM payments WHERE order_id = ? ORDER BY id`, []any{orderID}, func(scan func(...any) error) error {
			var id int64
			err := scan(&id)
			ids = append(ids, id)
			return err
		}); err != nil {
			return err
		}
		for _, id := range ids {
			p, err := tx.payment(ctx, `id = ?`, id)
			if err != nil {
				return err
			}
			out = append(out, *p)
			if refunds[id], err = tx.paymentRefunds(ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
	return out, refunds, errs.Wrap("store.OrderPayments", err)
}

// PaymentByReference reads a payment by our reference.
func (db *DB) PaymentByReference(ctx context.Context, reference string) (*Payment, error) {
	var p *Payment
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		p, err = tx.payment(ctx, `reference = ?`, reference)
		return err
	})
	return p, errs.Wrap("store.PaymentByReference", err)
}

// PaymentRefunds lists the refunds of a payment, oldest first.
func (db *DB) PaymentRefunds(ctx context.Context, paymentID int64) ([]PaymentRefund, error) {
	var out []PaymentRefund
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.paymentRefunds(ctx, paymentID)
		return err
	})
	return out, errs.Wrap("store.PaymentRefunds", err)
}

func (tx *Tx) paymentRefunds(ctx context.Context, paymentID int64) ([]PaymentRefund, error) {
	var out []PaymentRefund
	err := tx.Each(ctx, `SELECT idempotency_key, amount, currency, status, remote_status, remote_ref, last_error, created_at, done_at
		FROM effects WHERE payment_id = ? AND kind = 'refund' ORDER BY id`, []any{paymentID}, func(scan func(...any) error) error {
		var r PaymentRefund
		var amount, created int64
		var done sql.NullInt64
		if err := scan(&r.Key, &amount, &r.Currency, &r.Status, &r.Remote, &r.RemoteRef, &r.LastError, &created, &done); err != nil {
			return err
		}
		r.Amount, r.CreatedAt, r.DoneAt = money.Amount(amount), fromTS(created), fromNullTS(done)
		if r.Status == EffectDue {
			r.Status = RefundPending
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// PaymentStarted records what the provider answered when the payment was
// opened: its id of the payment (when it gives one at once) and what the
// payer needs (started: JSON of the QR code or the bridge's parameters).
func (db *DB) PaymentStarted(ctx context.Context, id int64, providerRef, started string) (*Payment, error) {
	var p *Payment
	err := db.Write(ctx, func(tx *Tx) error {
		// One statement: the provider's id is kept only where none is yet
		// (provider_ref still holds our reference), and the row as it is
		// afterwards comes back.
		var err error
		p, err = tx.paymentRow(ctx, `UPDATE payments SET started = ?,
			provider_ref = CASE WHEN ? <> '' AND provider_ref = reference THEN ? ELSE provider_ref END
			WHERE id = ? RETURNING `+paymentCols, started, providerRef, providerRef, id)
		return err
	})
	return p, errs.Wrap("store.PaymentStarted", err)
}

// PaymentStartFailed fails a pending payment its provider would not open.
// Should the provider have opened it after all and the payer pay it, its
// notification still finds it and applies it (a failed payment paid is
// claimed as a pending one is).
func (db *DB) PaymentStartFailed(ctx context.Context, id int64) error {
	return errs.Wrap("store.PaymentStartFailed", db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `UPDATE payments SET status = 'failed' WHERE id = ? AND status = 'pending'`, id)
		return err
	}))
}
