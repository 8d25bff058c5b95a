package books

import (
	"context"
	"encoding/json"
	"fmt"

	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
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
//     order was paid by another) is owed back whole (OwePayment): journal
//     refund:payment:{id}:due debits clearing (the money did arrive) and
//     credits refunds_due; the payment is refund_due, then refunded.
//   - An after-sale case is booked when it is decided (a refund_only case
//     approved, a return received): journal refund:line:{line}:case:{id}
//     reverses the line's shares and credits refunds_due with what goes
//     back (RefundLineTo); the case is refund_due, holding its line, then
//     refunded.

// PaymentRefundKey is the provider's idempotency key for giving back a whole
// payment that came too late or twice.
func PaymentRefundKey(paymentID int64) string { return fmt.Sprintf("payment:%d", paymentID) }

// CaseRefundKey is the provider's idempotency key for an after-sale case's refund.
func CaseRefundKey(caseID int64) string { return fmt.Sprintf("case:%d", caseID) }

// Payment is what the books need of a payment to give money back through it.
type Payment struct {
	ID, OrderID           int64
	Provider, ProviderRef string
	Amount                money.Amount
	Currency              string
}

// RefundPayload is what a refund effect needs besides its amount: the
// payment it gives back from, and the case it is for (0: the whole payment).
type RefundPayload struct {
	ProviderRef string `json:"provider_ref"`
	PaymentID   int64  `json:"payment_id"`
	CaseID      int64  `json:"case_id,omitempty"`
}

// Decode reads a refund effect's payload.
func (p *RefundPayload) Decode(s string) error {
	if err := json.Unmarshal([]byte(s), p); err != nil || p.PaymentID == 0 {
		return fmt.Errorf("books: refund effect payload %q: %v", s, err)
	}
	return nil
}

// OweRefund records the refund of amount of pay as due, in the caller's
// transaction: the money must already be booked into refunds_due.
func OweRefund(ctx context.Context, tx *sqldb.Tx, key string, pay Payment, caseID int64, amount money.Amount) error {
	b, err := json.Marshal(RefundPayload{ProviderRef: pay.ProviderRef, PaymentID: pay.ID, CaseID: caseID})
	if err != nil {
		return err
	}
	if err := RecordEffect(ctx, tx, EffectRefund, key, pay.Provider, string(b), amount, pay.Currency); err != nil {
		return err
	}
	// The payment's refunds are listed by it (store.PaymentRefunds).
	_, err = tx.Exec(ctx, `UPDATE effects SET payment_id = ? WHERE idempotency_key = ?`, pay.ID, key)
	return err
}

// OwePayment gives back a whole payment that came too late or twice: the
// payment becomes refund_due, its money goes from clearing into
// refunds_due, and the refund is recorded as due. A payment of nothing is
// refunded at once: there is nothing to send back.
func OwePayment(ctx context.Context, tx *sqldb.Tx, p Payment) error {
	if p.Amount == 0 {
		_, err := tx.Exec(ctx, `UPDATE payments SET status = 'refunded', refunded_at = ? WHERE id = ?`, sqldb.TS(tx.Now()), p.ID)
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE payments SET status = 'refund_due' WHERE id = ?`, p.ID); err != nil {
		return err
	}
	key := PaymentRefundKey(p.ID)
	j := ledger.Journal{Key: "refund:" + key + ":due", Kind: "refund.due", Currency: p.Currency,
		Memo: fmt.Sprintf("payment %d of order %d came after the order was cancelled or paid: owed back", p.ID, p.OrderID)}
	j.Move(ledger.Code(ledger.Clearing, 0), ledger.Code(ledger.RefundsDue, 0), p.Amount)
	if _, _, err := Post(ctx, tx, j); err != nil {
		return err
	}
	return OweRefund(ctx, tx, key, p, 0, p.Amount)
}

// RefundMade books a refund effect the provider confirmed (and
// CompleteEffect recorded): its money leaves refunds_due for refunds, and
// the payment shows it; a whole payment given back is refunded. It returns
// the effect's payload: a case's refund (CaseID) is the caller's to end.
func RefundMade(ctx context.Context, tx *sqldb.Tx, e *Effect) (RefundPayload, error) {
	var p RefundPayload
	if err := p.Decode(e.Payload); err != nil {
		return p, err
	}
	j := ledger.Journal{Key: "refund:" + e.Key + ":paid", Kind: "refund.paid", Currency: e.Currency,
		Memo: fmt.Sprintf("refund %s confirmed by %s", e.Key, e.Provider)}
	j.Move(ledger.Code(ledger.RefundsDue, 0), ledger.Code(ledger.Refunds, 0), e.Amount)
	if _, _, err := Post(ctx, tx, j); err != nil {
		return p, err
	}
	if p.CaseID != 0 {
		_, err := tx.Exec(ctx, `UPDATE payments SET refunded_amount = refunded_amount + ? WHERE id = ?`, int64(e.Amount), p.PaymentID)
		return p, err
	}
	_, err := tx.Exec(ctx, `UPDATE payments SET status = 'refunded', refunded_at = ?, refunded_amount = amount
		WHERE id = ? AND status = 'refund_due'`, sqldb.TS(tx.Now()), p.PaymentID)
	return p, err
}
