package store

import (
	"context"

	"sharemall/internal/books"
	"sharemall/internal/money"
)

// Refunds owed to customers are the books' (internal/books/refunds.go):
// the money is booked into refunds_due when a refund is decided, with a
// refund effect beside it, and moves to refunds when the provider confirms
// it. The store keeps the payment's and the case's states around it.

// PaymentRefundKey is the provider's idempotency key for giving back a whole
// payment that came too late or twice (books.PaymentRefundKey).
func PaymentRefundKey(paymentID int64) string { return books.PaymentRefundKey(paymentID) }

// CaseRefundKey is the provider's idempotency key for an after-sale case's
// refund (books.CaseRefundKey).
func CaseRefundKey(caseID int64) string { return books.CaseRefundKey(caseID) }

// refundPayload is what a refund effect carries (books.RefundPayload).
type refundPayload = books.RefundPayload

// paid is what the books need of a payment to give money back through it.
func (p *Payment) paid() books.Payment {
	return books.Payment{ID: p.ID, OrderID: p.OrderID, Provider: p.Provider, ProviderRef: p.ProviderRef, Amount: p.Amount, Currency: p.Currency}
}

// oweRefund records the refund of amount of pay as due (books.OweRefund).
func (tx *Tx) oweRefund(ctx context.Context, key string, pay *Payment, caseID int64, amount money.Amount) error {
	return books.OweRefund(ctx, tx.Tx, key, pay.paid(), caseID, amount)
}

// owePayment gives back a whole payment that came too late or twice
// (books.OwePayment) and returns it as it stands after.
func (tx *Tx) owePayment(ctx context.Context, p *Payment) (*Payment, error) {
	if err := books.OwePayment(ctx, tx.Tx, p.paid()); err != nil {
		return nil, err
	}
	return tx.payment(ctx, `id = ?`, p.ID)
}

// refundMade books a refund the provider confirmed (books.RefundMade) and
// ends the case it was for.
func (tx *Tx) refundMade(ctx context.Context, e *Effect) error {
	p, err := books.RefundMade(ctx, tx.Tx, e)
	if err != nil {
		return err
	}
	tx.tally().refund(e.Currency, e.Amount)
	if p.CaseID != 0 {
		return tx.caseRefundMade(ctx, p, e.Amount)
	}
	return nil
}
