package store

import (
	"context"
	"encoding/json"
	"fmt"

	"sharemall/internal/books"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
)

// Refunds owed to customers. Money we owe back is booked into the suspense
// account refunds_due in the transaction that decides it is owed, and a
// refund effect is recorded beside it; when the provider confirms the
// refund, journal refund:{key}:paid moves it from refunds_due to refunds.
// So at every commit refunds_due holds exactly what the refund effects not
// yet done owe (checkRefundsDue proves it), and refunds what providers
// confirmed.
//
//   - A payment that came too late (its order was cancelled) or twice (its
//     order was paid by another) is owed back whole: journal
//     refund:payment:{id}:due debits clearing (the money did arrive) and
//     credits refunds_due; the payment is refund_due, then refunded.
//   - An after-sale case is booked when it is decided (a refund_only case
//     approved, a return received): journal refund:line:{line}:case:{id}
//     reverses the line's shares and credits refunds_due with what goes
//     back; the case is refund_due, holding its line, then refunded.

// PaymentRefundKey is the provider's idempotency key for giving back a whole
// payment that came too late or twice.
func PaymentRefundKey(paymentID int64) string { return fmt.Sprintf("payment:%d", paymentID) }

// CaseRefundKey is the provider's idempotency key for an after-sale case's refund.
func CaseRefundKey(caseID int64) string { return fmt.Sprintf("case:%d", caseID) }

// refundPayload is what a refund effect needs besides its amount: the
// payment it gives back from, and the case it is for (0: the whole payment).
type refundPayload struct {
	ProviderRef string `json:"provider_ref"`
	PaymentID   int64  `json:"payment_id"`
	CaseID      int64  `json:"case_id,omitempty"`
}

func (p *refundPayload) decode(s string) error {
	if err := json.Unmarshal([]byte(s), p); err != nil || p.PaymentID == 0 {
		return fmt.Errorf("store: refund effect payload %q: %v", s, err)
	}
	return nil
}

// oweRefund records the refund of amount of pay as due, in the caller's
// transaction: the money must already be booked into refunds_due.
func (tx *Tx) oweRefund(ctx context.Context, key string, pay *Payment, caseID int64, amount money.Amount) error {
	b, err := json.Marshal(refundPayload{ProviderRef: pay.ProviderRef, PaymentID: pay.ID, CaseID: caseID})
	if err != nil {
		return err
	}
	return tx.recordEffect(ctx, EffectRefund, key, pay.Provider, string(b), amount, pay.Currency)
}

// owePayment gives back a whole payment that came too late or twice: the
// payment becomes refund_due, its money goes from clearing into
// refunds_due, and the refund is recorded as due. A payment of nothing is
// refunded at once: there is nothing to send back.
func (tx *Tx) owePayment(ctx context.Context, p *Payment) (*Payment, error) {
	if p.Amount == 0 {
		if _, err := tx.Exec(ctx, `UPDATE payments SET status = 'refunded', refunded_at = ? WHERE id = ?`, ts(tx.Now()), p.ID); err != nil {
			return nil, err
		}
		return tx.payment(ctx, `id = ?`, p.ID)
	}
	if _, err := tx.Exec(ctx, `UPDATE payments SET status = 'refund_due' WHERE id = ?`, p.ID); err != nil {
		return nil, err
	}
	key := PaymentRefundKey(p.ID)
	j := ledger.Journal{Key: "refund:" + key + ":due", Kind: "refund.due", Currency: p.Currency,
		Memo: fmt.Sprintf("payment %d of order %d came after the order was cancelled or paid: owed back", p.ID, p.OrderID)}
	j.Move(ledger.Code(ledger.Clearing, 0), ledger.Code(ledger.RefundsDue, 0), p.Amount)
	if _, _, err := books.Post(ctx, tx.Tx, j); err != nil {
		return nil, err
	}
	if err := tx.oweRefund(ctx, key, p, 0, p.Amount); err != nil {
		return nil, err
	}
	return tx.payment(ctx, `id = ?`, p.ID)
}

// refundMade books a refund the provider confirmed: its money leaves
// refunds_due for refunds, and the payment or case it was for is refunded.
func (tx *Tx) refundMade(ctx context.Context, e *Effect) error {
	var p refundPayload
	if err := p.decode(e.Payload); err != nil {
		return err
	}
	j := ledger.Journal{Key: "refund:" + e.Key + ":paid", Kind: "refund.paid", Currency: e.Currency,
		Memo: fmt.Sprintf("refund %s confirmed by %s", e.Key, e.Provider)}
	j.Move(ledger.Code(ledger.RefundsDue, 0), ledger.Code(ledger.Refunds, 0), e.Amount)
	if _, _, err := books.Post(ctx, tx.Tx, j); err != nil {
		return err
	}
	tx.tally().refund(e.Currency, e.Amount)
	if p.CaseID != 0 {
		return tx.caseRefundMade(ctx, p, e.Amount)
	}
	_, err := tx.Exec(ctx, `UPDATE payments SET status = 'refunded', refunded_at = ?, refunded_amount = amount
		WHERE id = ? AND status = 'refund_due'`, ts(tx.Now()), p.PaymentID)
	return err
}
