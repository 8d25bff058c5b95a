package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
)

// DecideCase is the supplier owning the line (or an operator) deciding an
// open case. Rejecting needs a note and ends the case, releasing the line's
// hold. Approving a refund_only case refunds it at once through refunder;
// approving a return_refund case waits for the goods (ReturnReceived).
// Repeating a decision changes nothing, except that approving an approved
// refund_only case retries a refund the provider failed. The other decision
// on a decided case is a Conflict on status.
func (db *DB) DecideCase(ctx context.Context, actor account.Actor, id int64, approve bool, note string, refunder Refunder) (*AfterSaleCase, error) {
	note = strings.TrimSpace(note)
	var out *AfterSaleCase
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
				ts(tx.now), note, actor.AccountID); err != nil {
				return err
			}
			if err := tx.audit(ctx, actor.AccountID, "aftersale.reject", caseSubject(id), map[string]any{"status": c.Status},
				map[string]any{"status": CaseRejected, "note": note}); err != nil {
				return err
			}
			out, err = tx.afterSaleCase(ctx, id)
			return err
		}
		switch c.Status {
		case CaseApproved, CaseRefunded:
			out = c
			return nil
		case CaseOpen:
		default:
			return errs.E(errs.Conflict, "status", "case %d is %s; only an open case can be approved", id, c.Status)
		}
		if _, err := tx.exec(ctx, `UPDATE aftersale_cases SET status = 'approved', decided_at = ?, decision_note = ?, decided_by = ?
			WHERE id = ? AND status = 'open'`, ts(tx.now), note, actor.AccountID, id); err != nil {
			return err
		}
		if err := tx.audit(ctx, actor.AccountID, "aftersale.approve", caseSubject(id), map[string]any{"status": c.Status},
			map[string]any{"status": CaseApproved, "note": note}); err != nil {
			return err
		}
		out, err = tx.afterSaleCase(ctx, id)
		return err
	})
	if err != nil || !approve || out.Kind != RefundOnly || out.Status != CaseApproved {
		return out, errs.Wrap("store.DecideCase", err)
	}
	out, err = db.refundCase(ctx, actor, id, refunder)
	return out, errs.Wrap("store.DecideCase", err)
}

// ReturnReceived is the supplier (or an operator) saying the goods of an
// approved return_refund case came back: the units go back on hand in the
// line's warehouse and the refund is made. Saying it again after the
// refund changes nothing; after a failed refund it retries the refund.
func (db *DB) ReturnReceived(ctx context.Context, actor account.Actor, id int64, refunder Refunder) (*AfterSaleCase, error) {
	var out *AfterSaleCase
	err := db.Read(ctx, func(tx *Tx) error {
		c, err := tx.supplierCase(ctx, actor, id)
		if err != nil {
			return err
		}
		switch {
		case c.Kind != ReturnRefund:
			return errs.E(errs.Conflict, "kind", "case %d is a refund only; nothing comes back", id)
		case c.Status == CaseRefunded:
			out = c
		case c.Status != CaseApproved:
			return errs.E(errs.Conflict, "status", "case %d is %s; approve it before receiving the return", id, c.Status)
		}
		return nil
	})
	if err != nil || out != nil {
		return out, errs.Wrap("store.ReturnReceived", err)
	}
	out, err = db.refundCase(ctx, actor, id, refunder)
	return out, errs.Wrap("store.ReturnReceived", err)
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

// refundCase pays an approved case back. The provider is called between two
// transactions, never inside one: a provider failure leaves the case
// approved (and the line held) so the same request can retry it, and the
// books change only after the provider said yes.
func (db *DB) refundCase(ctx context.Context, actor account.Actor, id int64, refunder Refunder) (*AfterSaleCase, error) {
	var c *AfterSaleCase
	var provider, ref string
	var amount commission.Line
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		if c, err = tx.afterSaleCase(ctx, id); err != nil {
			return err
		}
		if amount, err = tx.caseAmounts(ctx, c); err != nil {
			return err
		}
		err = tx.get(ctx, "payment", `SELECT provider, provider_ref FROM payments WHERE order_id = ? AND status = 'paid' ORDER BY id LIMIT 1`,
			[]any{c.OrderID}, &provider, &ref)
		switch {
		case errs.Is(err, errs.NotFound) && amount.Paid() == 0:
			return nil // nothing was paid for it, so nothing goes back through a provider
		case errs.Is(err, errs.NotFound):
			return errs.E(errs.Conflict, "status", "order %d has no payment to refund", c.OrderID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if c.Status != CaseApproved {
		return c, nil
	}
	if paid := amount.Paid(); paid > 0 {
		switch {
		case refunder == nil:
			return nil, errs.E(errs.Unavailable, "", "no payment provider is configured to refund through")
		case refunder.Name() != provider:
			return nil, errs.E(errs.Unavailable, "", "the order was paid through %q, which is not configured", provider)
		}
		// The case is the refund's idempotency key at the provider: a retry
		// after a crash, or a second approval racing this one, refunds once.
		if err := refunder.Refund(ctx, ref, fmt.Sprintf("case:%d", c.ID), paid, c.Currency); err != nil {
			if errs.CodeOf(err) == errs.Internal {
				return nil, &errs.Error{Code: errs.Unavailable, Message: "the payment provider refused the refund; try again", Err: err}
			}
			return nil, err
		}
	}
	var out *AfterSaleCase
	err = db.Write(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.finishRefund(ctx, actor, id, ref)
		return err
	})
	return out, err
}

// caseAmounts is what refunding the case gives back, computed on the line
// as it stands now (the same as when the case opened, since one case at a
// time holds a line and refunds go through cases).
func (tx *Tx) caseAmounts(ctx context.Context, c *AfterSaleCase) (commission.Line, error) {
	line, err := tx.commissionLine(ctx, c.LineID)
	if err != nil {
		return commission.Line{}, err
	}
	if c.Quantity > line.Current.Quantity {
		return commission.Line{}, errs.E(errs.Conflict, "quantity", "only %d units of the line are left to refund", line.Current.Quantity)
	}
	base, markup, err := caseRefund(line.Booked, line.Current, c.Quantity)
	return commission.Line{Base: base, Markup: markup, Quantity: c.Quantity}, err
}

// finishRefund books a refund the provider made: the line's commissions are
// recomputed on what remains (journal key refund:line:{line}:case:{id}),
// units that are back (returned, or never shipped) go back on hand, a
// fulfilment order with nothing left to ship is cancelled, and the hold ends.
func (tx *Tx) finishRefund(ctx context.Context, actor account.Actor, id int64, ref string) (*AfterSaleCase, error) {
	c, err := tx.afterSaleCase(ctx, id)
	if err != nil || c.Status != CaseApproved {
		return c, err
	}
	// Claim the case first: of two concurrent requests one books the refund;
	// the other finds it refunded.
	if n, err := tx.execN(ctx, `UPDATE aftersale_cases SET status = 'refunded' WHERE id = ? AND status = 'approved'`, id); err != nil {
		return nil, err
	} else if n == 0 {
		return tx.afterSaleCase(ctx, id)
	}
	c.Status = CaseRefunded
	refund, err := tx.caseAmounts(ctx, c)
	if err != nil {
		return nil, err
	}
	line, err := tx.commissionLine(ctx, c.LineID)
	if err != nil {
		return nil, err
	}
	after := commission.Line{Base: line.Current.Base - refund.Base, Markup: line.Current.Markup - refund.Markup,
		Quantity: line.Current.Quantity - c.Quantity}
	if _, _, err := tx.refundLine(ctx, c.LineID, "case:"+itoaID(id), after); err != nil {
		return nil, err
	}
	tx.tally.refund(line.Currency, refund.Paid())
	var warehouse, sku int64
	var fstatus FulfilmentStatus
	if err := tx.get(ctx, "order line", `SELECT l.warehouse_id, l.sku_id, f.status FROM order_lines l
		JOIN fulfilment_orders f ON f.id = l.fulfilment_id WHERE l.id = ?`, []any{c.LineID}, &warehouse, &sku, &fstatus); err != nil {
		return nil, err
	}
	unshipped := fstatus == FulfilmentReleased || fstatus == FulfilmentPending
	if c.Kind == ReturnRefund || unshipped {
		if _, err := tx.exec(ctx, `INSERT INTO stock (warehouse_id, sku_id, on_hand, reserved, updated_at) VALUES (?, ?, ?, 0, ?)
			ON CONFLICT (warehouse_id, sku_id) DO UPDATE SET on_hand = stock.on_hand + excluded.on_hand, updated_at = excluded.updated_at`,
			warehouse, sku, c.Quantity, ts(tx.now)); err != nil {
			return nil, err
		}
	}
	set := `refunded_at = ?, refund_ref = ?, amount = ?, base_refund = ?, markup_refund = ?`
	args := []any{ts(tx.now), ref, int64(refund.Paid()), int64(refund.Base), int64(refund.Markup)}
	if c.Kind == ReturnRefund {
		set += `, return_received_at = ?`
		args = append(args, ts(tx.now))
	}
	if err := tx.endCase(ctx, c, CaseRefunded, set, args...); err != nil {
		return nil, err
	}
	if unshipped {
		if err := tx.cancelEmptyFulfilment(ctx, c.FulfilmentID, c.OrderID); err != nil {
			return nil, err
		}
	}
	if err := tx.audit(ctx, actor.AccountID, "aftersale.refund", caseSubject(id), map[string]any{"status": CaseApproved},
		map[string]any{"status": CaseRefunded, "amount": refund.Paid(), "quantity": c.Quantity, "refund_ref": ref}); err != nil {
		return nil, err
	}
	return tx.afterSaleCase(ctx, id)
}

// cancelEmptyFulfilment cancels a fulfilment order not yet shipped whose
// every unit was refunded, settles its lines (nothing is left on them to
// move) and completes the order if nothing else is left to do.
func (tx *Tx) cancelEmptyFulfilment(ctx context.Context, fulfilmentID, orderID int64) error {
	left, err := tx.exists(ctx, `SELECT 1 FROM order_lines l JOIN commission_lines c ON c.line_id = l.id
		WHERE l.fulfilment_id = ? AND c.quantity > 0`, fulfilmentID)
	if err != nil || left {
		return err
	}
	n, err := tx.execN(ctx, `UPDATE fulfilment_orders SET status = 'cancelled' WHERE id = ? AND status IN ('pending', 'released')`, fulfilmentID)
	if err != nil || n == 0 {
		return err
	}
	var lines []int64
	err = tx.each(ctx, `SELECT l.id FROM order_lines l JOIN commission_lines c ON c.line_id = l.id
		WHERE l.fulfilment_id = ? AND c.status = 'pending' AND c.held = FALSE ORDER BY l.id`, []any{fulfilmentID},
		func(scan func(...any) error) error {
			var id int64
			err := scan(&id)
			lines = append(lines, id)
			return mapErr(err)
		})
	if err != nil {
		return err
	}
	for _, id := range lines {
		if _, err := tx.settleLine(ctx, id); err != nil {
			return err
		}
	}
	return tx.completeOrder(ctx, orderID)
}
