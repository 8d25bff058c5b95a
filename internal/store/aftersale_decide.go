package store

import (
	"context"
	"strings"
	"unicode/utf8"

	"sharemall/internal/account"
	"sharemall/internal/books"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// DecideCase is the supplier owning the line (or an operator) deciding an
// open case. Rejecting needs a note and ends the case, releasing the line's
// hold. Approving a refund_only case books its refund in the same
// transaction (bookCaseRefund): the case becomes refund_due and its refund
// an effect, which refunder (when given) makes at once and the effects
// sweep retries until the provider confirms; only then is the case
// refunded and its line released. Approving a return_refund case waits for
// the goods (ReturnReceived). Repeating a decision changes nothing, except
// that approving a case whose refund is still due tries the refund again
// now. The other decision on a decided case is a Conflict on status.
func (db *DB) DecideCase(ctx context.Context, actor account.Actor, id int64, approve bool, note string, refunder Refunder) (*AfterSaleCase, error) {
	note = strings.TrimSpace(note)
	var out *AfterSaleCase
	var due string // the key of the refund this decision left due
	err := db.Write(ctx, func(tx *Tx) error {
		c, err := tx.supplierCase(ctx, actor, id)
		if err != nil {
			return err
		}
		if utf8.RuneCountInString(note) > 1000 {
			return errs.Invalidf("note", "must be at most 1000 characters")
		}
		if !approve {
			switch c.Status {
			case CaseRejected:
				out = c
				return nil
			case CaseOpen:
			default:
				return errs.E(errs.Conflict, "status", "case %d is %s; only an open case can be rejected", id, c.Status)
			}
			if note == "" {
				return errs.Invalidf("note", "say why the case is rejected")
			}
			if err := tx.endCase(ctx, c, CaseRejected, `decided_at = ?, decision_note = ?, decided_by = ?`,
				ts(tx.Now()), note, actor.AccountID); err != nil {
				return err
			}
			if err := tx.audit(ctx, actor.AccountID, "aftersale.reject", caseSubject(id), map[string]any{"status": c.Status},
				map[string]any{"status": CaseRejected, "note": note}); err != nil {
				return err
			}
			out, err = tx.afterSaleCase(ctx, id)
			return err
		}
		if c.Status == CaseOpen {
			n, err := tx.ExecN(ctx, `UPDATE aftersale_cases SET status = 'approved', decided_at = ?, decision_note = ?, decided_by = ?
				WHERE id = ? AND status = 'open'`, ts(tx.Now()), note, actor.AccountID, id)
			if err != nil {
				return err
			}
			if n == 1 {
				if err := tx.audit(ctx, actor.AccountID, "aftersale.approve", caseSubject(id), map[string]any{"status": c.Status},
					map[string]any{"status": CaseApproved, "note": note}); err != nil {
					return err
				}
				c.Status = CaseApproved
			} else if c, err = tx.afterSaleCase(ctx, id); err != nil { // decided meanwhile: as a repeat
				return err
			}
		}
		switch {
		case c.Status == CaseApproved && c.Kind == RefundOnly:
			// Approved now, or before refunds were booked at approval
			// (such a case waited here for its refund): book it.
			if due, err = tx.bookCaseRefund(ctx, actor, c); err != nil {
				return err
			}
		case c.Status == CaseRefundDue:
			due = CaseRefundKey(id)
		case c.Status == CaseApproved, c.Status == CaseRefunded:
		default:
			return errs.E(errs.Conflict, "status", "case %d is %s; only an open case can be approved", id, c.Status)
		}
		out, err = tx.afterSaleCase(ctx, id)
		return err
	})
	if err != nil {
		return nil, errs.Wrap("store.DecideCase", err)
	}
	out, err = db.refundNow(ctx, out, due, refunder)
	return out, errs.Wrap("store.DecideCase", err)
}

// ReturnReceived is the supplier (or an operator) saying the goods of an
// approved return_refund case came back: the units go back on hand in the
// line's warehouse and the refund is booked and made due, as approving a
// refund_only case does. Saying it again changes nothing, except that a
// refund still due is tried again now.
func (db *DB) ReturnReceived(ctx context.Context, actor account.Actor, id int64, refunder Refunder) (*AfterSaleCase, error) {
	var out *AfterSaleCase
	var due string
	err := db.Write(ctx, func(tx *Tx) error {
		c, err := tx.supplierCase(ctx, actor, id)
		if err != nil {
			return err
		}
		switch {
		case c.Kind != ReturnRefund:
			return errs.E(errs.Conflict, "kind", "case %d is a refund only; nothing comes back", id)
		case c.Status == CaseRefunded:
		case c.Status == CaseRefundDue:
			due = CaseRefundKey(id)
		case c.Status != CaseApproved:
			return errs.E(errs.Conflict, "status", "case %d is %s; approve it before receiving the return", id, c.Status)
		default:
			if due, err = tx.bookCaseRefund(ctx, actor, c); err != nil {
				return err
			}
		}
		out, err = tx.afterSaleCase(ctx, id)
		return err
	})
	if err != nil {
		return nil, errs.Wrap("store.ReturnReceived", err)
	}
	out, err = db.refundNow(ctx, out, due, refunder)
	return out, errs.Wrap("store.ReturnReceived", err)
}

// refundNow makes the refund with key through refunder, when there are
// both, right after the commit that made it due, and returns the case as
// it stands then: refunded, or still refund_due when the provider failed
// (the effects sweep retries it).
func (db *DB) refundNow(ctx context.Context, c *AfterSaleCase, key string, refunder Refunder) (*AfterSaleCase, error) {
	if key == "" || refunder == nil {
		return c, nil
	}
	if _, err := db.RunEffect(ctx, key, RefundersOf(refunder)); err != nil {
		return nil, err
	}
	var out *AfterSaleCase
	err := db.Read(context.WithoutCancel(ctx), func(tx *Tx) error {
		var err error
		out, err = tx.afterSaleCase(ctx, c.ID)
		return err
	})
	return out, err
}

// supplierCase reads a case the supplier owning its line (or an operator)
// may decide; another supplier's is NotFound.
func (tx *Tx) supplierCase(ctx context.Context, actor account.Actor, id int64) (*AfterSaleCase, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, err
	}
	c, err := tx.afterSaleCase(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.OwnsSupplier(c.SupplierID) {
		return nil, errs.E(errs.NotFound, "", "after-sale case not found")
	}
	return c, nil
}

// bookCaseRefund books the refund of an approved case, in the deciding
// transaction: what goes back is computed here, once, from the line as it
// stands under its lock (commission.UnitsRefund); the line's shares are
// recomputed on what remains and the reversal credits refunds_due (journal
// refund:line:{line}:case:{id}); returned or never-shipped units go back on
// hand and a fulfilment order left with nothing to ship is cancelled; the
// case becomes refund_due with that amount, and its refund is recorded as
// an effect carrying the same amount. It returns the effect's key, or ""
// when nothing was paid for the units: then the case is refunded at once.
func (tx *Tx) bookCaseRefund(ctx context.Context, actor account.Actor, c *AfterSaleCase) (string, error) {
	if err := books.LockLine(ctx, tx.Tx, c.LineID); err != nil {
		return "", err
	}
	line, err := tx.commissionLine(ctx, c.LineID)
	if err != nil {
		return "", err
	}
	if c.Quantity > line.Current.Quantity {
		return "", errs.E(errs.Conflict, "quantity", "only %d units of the line are left to refund", line.Current.Quantity)
	}
	refund, err := commission.UnitsRefund(line.Booked, line.Current, c.Quantity)
	if err != nil {
		return "", err
	}
	after := commission.Line{Base: line.Current.Base - refund.Base, Markup: line.Current.Markup - refund.Markup,
		Quantity: line.Current.Quantity - c.Quantity}
	if _, _, err := tx.refundLineTo(ctx, c.LineID, "case:"+itoaID(c.ID), after, ledger.Code(ledger.RefundsDue, 0)); err != nil {
		return "", err
	}
	// The case that leaves nothing of its parcel gives the parcel's shipping
	// fee back too; a partial refund keeps it (docs/shipping.md).
	fee, err := books.RefundParcelFee(ctx, tx.Tx, c.FulfilmentID, "case:"+itoaID(c.ID), ledger.Code(ledger.RefundsDue, 0))
	if err != nil {
		return "", err
	}
	var pay *Payment
	if refund.Paid()+fee > 0 {
		pay, err = tx.payment(ctx, `order_id = ? AND status = 'paid' ORDER BY id LIMIT 1`, c.OrderID)
		if errs.Is(err, errs.NotFound) {
			return "", errs.E(errs.Conflict, "status", "order %d has no payment to refund", c.OrderID)
		} else if err != nil {
			return "", err
		}
	}
	tx.Point(ctx, "aftersale.refund.booked") // the case's line reversed (its wallets locked when settled); the case not updated yet
	var warehouse, sku int64
	var fstatus FulfilmentStatus
	if err := tx.Get(ctx, "order line", `SELECT l.warehouse_id, l.sku_id, f.status FROM order_lines l
		JOIN fulfilment_orders f ON f.id = l.fulfilment_id WHERE l.id = ?`, []any{c.LineID}, &warehouse, &sku, &fstatus); err != nil {
		return "", err
	}
	unshipped := fstatus == FulfilmentReleased || fstatus == FulfilmentPending
	set := `status = 'refund_due', amount = ?, base_refund = ?, markup_refund = ?`
	args := []any{int64(refund.Paid()), int64(refund.Base), int64(refund.Markup)}
	if c.Kind == ReturnRefund {
		set += `, return_received_at = ?`
		args = append(args, ts(tx.Now()))
	}
	if n, err := tx.ExecN(ctx, `UPDATE aftersale_cases SET `+set+` WHERE id = ? AND status = 'approved'`, append(args, c.ID)...); err != nil {
		return "", err
	} else if n == 0 {
		return "", errs.E(errs.Conflict, "status", "case %d changed meanwhile; try again", c.ID)
	}
	c.Status = CaseRefundDue
	if unshipped {
		if err := tx.cancelEmptyFulfilment(ctx, c.FulfilmentID, c.OrderID, line.Currency); err != nil {
			return "", err
		}
	}
	// The stock row last, after every wallet and the fulfilment order (see
	// "Lock order" in docs/money.md): a checkout or payment holding it never
	// waits for anything this transaction holds.
	if c.Kind == ReturnRefund || unshipped {
		tx.Point(ctx, "aftersale.refund.restock")
		if _, err := tx.Exec(ctx, `INSERT INTO stock (warehouse_id, sku_id, on_hand, reserved, updated_at) VALUES (?, ?, ?, 0, ?)
			ON CONFLICT (warehouse_id, sku_id) DO UPDATE SET on_hand = stock.on_hand + excluded.on_hand, updated_at = excluded.updated_at`,
			warehouse, sku, c.Quantity, ts(tx.Now())); err != nil {
			return "", err
		}
	}
	if err := tx.audit(ctx, actor.AccountID, "aftersale.refund_due", caseSubject(c.ID), map[string]any{"status": CaseApproved},
		map[string]any{"status": CaseRefundDue, "amount": refund.Paid(), "quantity": c.Quantity}); err != nil {
		return "", err
	}
	if refund.Paid()+fee == 0 {
		tx.tally().refund(line.Currency, 0)
		return "", tx.endCaseRefund(ctx, c, 0, "")
	}
	key := CaseRefundKey(c.ID)
	return key, tx.oweRefund(ctx, key, pay, c.ID, refund.Paid()+fee)
}

// caseRefundMade ends a case whose refund the provider made (the money has
// left refunds_due and shows on the payment: books.RefundMade).
func (tx *Tx) caseRefundMade(ctx context.Context, p refundPayload, amount money.Amount) error {
	c, err := tx.afterSaleCase(ctx, p.CaseID)
	if err != nil || c.Status != CaseRefundDue {
		return err
	}
	return tx.endCaseRefund(ctx, c, amount, p.ProviderRef)
}

// endCaseRefund ends a case whose refund is done: refunded, the line's hold
// released. A line whose fulfilment order was cancelled (every unit
// refunded before it shipped) is never received, so what is left of it
// (nothing) settles now, and the order completes if nothing else is left.
func (tx *Tx) endCaseRefund(ctx context.Context, c *AfterSaleCase, amount money.Amount, ref string) error {
	if err := tx.endCase(ctx, c, CaseRefunded, `refunded_at = ?, refund_ref = ?`, ts(tx.Now()), ref); err != nil {
		return err
	}
	var fstatus FulfilmentStatus
	var lstatus string
	var held bool
	if err := tx.Get(ctx, "order line", `SELECT f.status, c.status, c.held FROM order_lines l
		JOIN fulfilment_orders f ON f.id = l.fulfilment_id JOIN commission_lines c ON c.line_id = l.id WHERE l.id = ?`,
		[]any{c.LineID}, &fstatus, &lstatus, &held); err != nil {
		return err
	}
	if fstatus == FulfilmentCancelled && lstatus == string(LinePending) && !held {
		if _, err := tx.settleLine(ctx, c.LineID); err != nil {
			return err
		}
		if err := tx.completeOrder(ctx, c.OrderID); err != nil {
			return err
		}
	}
	return tx.audit(ctx, 0, "aftersale.refund", caseSubject(c.ID), map[string]any{"status": CaseRefundDue},
		map[string]any{"status": CaseRefunded, "amount": amount, "quantity": c.Quantity, "refund_ref": ref})
}

// cancelEmptyFulfilment cancels a fulfilment order not yet shipped whose
// every unit was refunded, settles its lines (nothing is left on them to
// move) in one chunk, so their wallets are locked in one statement, and
// completes the order if nothing else is left to do.
func (tx *Tx) cancelEmptyFulfilment(ctx context.Context, fulfilmentID, orderID int64, currency string) error {
	left, err := tx.Exists(ctx, `SELECT 1 FROM order_lines l JOIN commission_lines c ON c.line_id = l.id
		WHERE l.fulfilment_id = ? AND c.quantity > 0`, fulfilmentID)
	if err != nil || left {
		return err
	}
	n, err := tx.ExecN(ctx, `UPDATE fulfilment_orders SET status = 'cancelled' WHERE id = ? AND status IN ('pending', 'released')`, fulfilmentID)
	if err != nil || n == 0 {
		return err
	}
	lines, err := sqldb.Column[int64](ctx, tx.Tx, `SELECT l.id FROM order_lines l JOIN commission_lines c ON c.line_id = l.id
		WHERE l.fulfilment_id = ? AND c.status = 'pending' AND c.held = FALSE ORDER BY l.id`, []any{fulfilmentID})
	if err != nil {
		return err
	}
	if len(lines) > 0 {
		if _, err := tx.settleLines(ctx, currency, lines); err != nil {
			return err
		}
	}
	return tx.completeOrder(ctx, orderID)
}
