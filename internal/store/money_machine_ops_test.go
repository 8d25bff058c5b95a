package store_test

import (
	"fmt"

	"pgregory.net/rapid"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/store"
)

// The money machine's operations (see TestMoneyMachine). Each draws its
// parameters from the model, and in a step alone checks the outcome the
// model predicts; racing, it accepts the clean refusals its mmOp names.

func (m *moneyMachine) supplierActor(supplierID int64) account.Actor {
	if supplierID == m.w.supA.ID {
		return m.w.a
	}
	return m.w.b
}

// ids reads a column of ids (the machine's database holds only its own).
func (m *moneyMachine) ids(rt *rapid.T, q string) []int64 {
	ids, err := m.db.QueryInts(m.ctx, q)
	if err != nil {
		rt.Fatal(err)
	}
	return ids
}

func (m *moneyMachine) status(rt *rapid.T, q string, id int64) string {
	s, err := m.db.StringsForTest(m.ctx, q, id)
	if err != nil || len(s) != 1 {
		rt.Fatalf("%s %d: %v %v", q, id, s, err)
	}
	return s[0]
}

func (m *moneyMachine) checkout(rt *rapid.T, solo bool) *mmOp {
	cust := oneOf(rt, "customer", m.customers)
	var items []order.Item
	for i, sku := range m.skus {
		if q := rapid.IntRange(0, 3).Draw(rt, fmt.Sprintf("units of sku %d", i)); q > 0 {
			items = append(items, order.Item{SKUID: sku, Quantity: int64(q)})
		}
	}
	if len(items) == 0 {
		items = append(items, order.Item{SKUID: m.skus[0], Quantity: 1})
	}
	in := cart(oneOf(rt, "ship to", []string{"CN.44.03.05", "CN.11.01.05"}), items...)
	in.CouponCode = oneOf(rt, "coupon", []string{"", "", "SAVE5", "LIMIT3", "TENPCT"})
	op := &mmOp{name: "checkout", points: []string{"checkout.stock.reserved"}, clean: noErr}
	if in.CouponCode != "" {
		// A coupon may be used up (LIMIT3) or need more than the cart.
		op.points, op.clean = append(op.points, "checkout.coupon.redeemed"), domainErr(errs.Conflict, errs.Invalid)
	}
	op.run = func() error {
		o, err := m.db.Checkout(m.ctx, cust, in, "")
		if err != nil {
			return err
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		m.orders[o.ID] = o
		for i := range o.Fulfilments {
			m.fulfilment[o.Fulfilments[i].ID] = &o.Fulfilments[i]
		}
		for i := range o.Lines {
			m.lineOrder[o.Lines[i].ID] = o.ID
		}
		return nil
	}
	return op
}

func (m *moneyMachine) order(id int64) *order.Order {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.orders[id]
}

// startPayment opens a payment of an unpaid order; a second one of the
// same order makes a double payment when both are delivered.
func (m *moneyMachine) startPayment(rt *rapid.T, solo bool) *mmOp {
	// The latest few: older ones are mostly past paying.
	unpaid := m.ids(rt, `SELECT id FROM orders WHERE status = 'unpaid' ORDER BY id DESC LIMIT 4`)
	if len(unpaid) == 0 {
		return nil
	}
	o := m.order(oneOf(rt, "order", unpaid))
	m.mu.Lock()
	m.refs++
	ref := fmt.Sprintf("mm-%d", m.refs)
	m.mu.Unlock()
	late := !m.w.clock.Now().Before(o.PayBy)
	return &mmOp{name: "start payment", clean: domainErr(errs.Conflict), run: func() error {
		_, err := m.db.StartPayment(m.ctx, m.customerOf(o), o.ID, "sandbox", ref)
		if solo && late != (errs.FieldOf(err) == "pay_by") {
			return unexpected("start payment of order %d, due by %s, at %s: %v", o.ID, o.PayBy, m.w.clock.Now(), err)
		}
		if err == nil {
			m.mu.Lock()
			m.payments = append(m.payments, store.CallbackInput{Provider: "sandbox", ProviderRef: ref, Amount: o.Total, Currency: o.Currency, Payload: "{}"})
			m.mu.Unlock()
		}
		return err
	}}
}

func (m *moneyMachine) customerOf(o *order.Order) account.Actor {
	for _, c := range m.customers {
		if c.AccountID == o.CustomerAccountID {
			return c
		}
	}
	panic("no customer")
}

// callback delivers a payment's callback: the first time it pays its order
// (applied), or comes after the cancel sweep (late_payment) or after
// another payment (double_payment), both owed back and refunded through
// the outbox at once; again, it is a duplicate, or refund_due while its
// refund is still owed, and that refund is tried again.
func (m *moneyMachine) callback(rt *rapid.T, solo bool) *mmOp {
	m.mu.Lock()
	payments := append([]store.CallbackInput(nil), m.payments...)
	m.mu.Unlock()
	if len(payments) == 0 {
		return nil
	}
	if pending := m.ids(rt, `SELECT id FROM payments WHERE status = 'pending' ORDER BY id`); len(pending) > 0 && oneOf(rt, "a first delivery", []bool{true, true, true, false}) {
		payments = payments[:0]
		for _, id := range pending {
			p := m.paymentByID(rt, id)
			payments = append(payments, store.CallbackInput{Provider: p.Provider, ProviderRef: p.ProviderRef, Amount: p.Amount, Currency: p.Currency, Payload: "{}"})
		}
	}
	in := oneOf(rt, "payment", payments)
	want := ""
	if solo {
		p, err := m.db.PaymentByRef(m.ctx, in.Provider, in.ProviderRef)
		if err != nil {
			rt.Fatal(err)
		}
		switch {
		case p.Status == store.PaymentRefundDue:
			want = store.OutcomeRefundDue
		case p.Status != store.PaymentPending:
			want = store.OutcomeDuplicate
		default:
			want = map[string]string{"unpaid": store.OutcomeApplied, "cancelled": store.OutcomeLatePayment,
				"paid": store.OutcomeDoublePayment, "completed": store.OutcomeDoublePayment}[m.status(rt, `SELECT status FROM orders WHERE id = ?`, p.OrderID)]
		}
	}
	return &mmOp{name: "callback", points: []string{"payment.claimed", "payment.booked", "effect.complete"}, clean: noErr, run: func() error {
		out, p, err := m.db.ApplyPayment(m.ctx, in)
		if err != nil {
			return err
		}
		if want != "" && out != want {
			return unexpected("callback %s: %s, want %s", in.ProviderRef, out, want)
		}
		switch out {
		case store.OutcomeApplied, store.OutcomeLatePayment, store.OutcomeDoublePayment:
			m.mu.Lock()
			m.paid += in.Amount
			m.mu.Unlock()
		case store.OutcomeDuplicate, store.OutcomeRefundDue:
		default:
			return unexpected("callback %s: outcome %s", in.ProviderRef, out)
		}
		m.count("callback " + out)
		if p.Status == store.PaymentRefundDue {
			// What the callback handler does: the refund at once.
			e, err := m.db.RunEffect(m.ctx, store.PaymentRefundKey(p.ID), m.via)
			if err != nil {
				return err
			}
			m.count("payment refund " + e.Status)
		}
		return nil
	}}
}

func (m *moneyMachine) paymentByID(rt *rapid.T, id int64) *store.Payment {
	ref := m.status(rt, `SELECT provider_ref FROM payments WHERE id = ?`, id)
	p, err := m.db.PaymentByRef(m.ctx, "sandbox", ref)
	if err != nil {
		rt.Fatal(err)
	}
	return p
}

// fulfilments lists fulfilment orders in a status, with the model's record.
func (m *moneyMachine) fulfilments(rt *rapid.T, status string) *order.Fulfilment {
	ids := m.ids(rt, `SELECT id FROM fulfilment_orders WHERE status = '`+status+`' ORDER BY id`)
	if len(ids) == 0 {
		return nil
	}
	id := oneOf(rt, status+" fulfilment order", ids)
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fulfilment[id]
}

func (m *moneyMachine) ship(rt *rapid.T, solo bool) *mmOp {
	f := m.fulfilments(rt, "released")
	if f == nil {
		return nil
	}
	clean := domainErr(errs.Conflict) // an after-sale refund of every unit cancels it
	if solo {
		clean = noErr
	}
	return &mmOp{name: "ship", clean: clean, run: func() error {
		_, err := m.db.ShipFulfilment(m.ctx, m.supplierActor(f.SupplierID), f.ID, "SF Express", fmt.Sprintf("SF%08d", f.ID))
		return err
	}}
}

func (m *moneyMachine) confirm(rt *rapid.T, solo bool) *mmOp {
	f := m.fulfilments(rt, "shipped")
	if f == nil {
		return nil
	}
	clean := domainErr(errs.Conflict) // the receipt sweep may have confirmed it
	if solo {
		clean = noErr
	}
	return &mmOp{name: "confirm", clean: clean, run: func() error {
		_, err := m.db.ConfirmReceipt(m.ctx, m.customerOf(m.order(f.OrderID)), f.ID)
		return err
	}}
}

// openCase asks for some units of a paid line back, as its customer (in
// the after-sale window) or as the operator (for 90 days after receipt,
// so after settlement too).
func (m *moneyMachine) openCase(rt *rapid.T) *mmOp {
	lines := m.ids(rt, `SELECT l.id FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status IN ('paid', 'completed') ORDER BY l.id`)
	if len(lines) == 0 {
		return nil
	}
	lineID := oneOf(rt, "line", lines)
	cl, err := m.db.CommissionLine(m.ctx, lineID)
	if err != nil {
		rt.Fatal(err)
	}
	if cl.Current.Quantity == 0 {
		return nil
	}
	qty := int64(rapid.IntRange(1, int(cl.Current.Quantity)).Draw(rt, "units"))
	kind := oneOf(rt, "kind", []store.CaseKind{store.RefundOnly, store.RefundOnly, store.ReturnRefund})
	m.mu.Lock()
	orderID := m.lineOrder[lineID]
	m.mu.Unlock()
	who := m.customerOf(m.order(orderID))
	if rapid.Bool().Draw(rt, "by the operator") {
		who = m.w.op
	}
	// Refused: a window closed, a case already open on the line, a return
	// of goods not shipped, units another refund took meanwhile.
	return &mmOp{name: "open case", clean: domainErr(errs.Conflict, errs.Invalid), run: func() error {
		c, err := m.db.OpenCase(m.ctx, who, lineID, kind, qty, "not as described")
		if err == nil {
			m.mu.Lock()
			m.cases = append(m.cases, c)
			m.mu.Unlock()
		}
		return err
	}}
}

// decideCase approves (booking the refund and making it through the
// outbox), rejects, has the customer cancel, or receives the return of,
// a case of the model.
func (m *moneyMachine) decideCase(rt *rapid.T) *mmOp {
	m.mu.Lock()
	cases := append([]*store.AfterSaleCase(nil), m.cases...)
	m.mu.Unlock()
	if len(cases) == 0 {
		return nil
	}
	c := oneOf(rt, "case", cases)
	supplier := m.supplierActor(c.SupplierID)
	if rapid.Bool().Draw(rt, "by the operator") {
		supplier = m.w.op
	}
	refunding := []string{"aftersale.refund.booked", "aftersale.refund.restock", "effect.complete"}
	clean := domainErr(errs.Conflict) // the case is past that decision
	switch d := oneOf(rt, "decision", []string{"approve", "approve", "reject", "cancel", "receive"}); d {
	case "approve":
		return &mmOp{name: "approve case", points: refunding, clean: clean, run: func() error {
			c, err := m.db.DecideCase(m.ctx, supplier, c.ID, true, "sorry", m.prov)
			if err == nil {
				m.count("case " + string(c.Status))
			}
			return err
		}}
	case "reject":
		return &mmOp{name: "reject case", clean: clean, run: func() error {
			_, err := m.db.DecideCase(m.ctx, supplier, c.ID, false, "no fault found", m.prov)
			return err
		}}
	case "cancel":
		return &mmOp{name: "cancel case", clean: clean, run: func() error {
			_, err := m.db.CancelCase(m.ctx, m.customerOf(m.order(c.OrderID)), c.ID)
			return err
		}}
	default:
		return &mmOp{name: "receive return", points: refunding, clean: clean, run: func() error {
			c, err := m.db.ReturnReceived(m.ctx, supplier, c.ID, m.prov)
			if err == nil {
				m.count("case " + string(c.Status))
			}
			return err
		}}
	}
}

// withdraw asks for part of a wallet, all of it, or more than it holds
// (by the operator, for the distributor). Alone, the outcome follows the
// wallet: refused in debt, below the minimum or above what is available.
func (m *moneyMachine) withdraw(rt *rapid.T, solo bool) *mmOp {
	d := oneOf(rt, "distributor", m.distributors)
	w, err := m.db.Wallet(m.ctx, m.w.op, d)
	if err != nil {
		rt.Fatal(err)
	}
	var amount money.Amount
	switch oneOf(rt, "amount", []string{"part", "all", "more"}) {
	case "part":
		amount = money.Amount(rapid.Int64Range(50, max(int64(w.Available), 100)).Draw(rt, "part"))
	case "all":
		amount = w.Available
	default:
		amount = w.Available + 1
	}
	return &mmOp{name: "withdraw", points: []string{"withdrawal.request.held"}, clean: domainErr(errs.Conflict, errs.Invalid), run: func() error {
		got, err := m.db.RequestWithdrawal(m.ctx, m.w.op, d, amount, "")
		if solo {
			want := ""
			switch {
			case amount < 100:
				want = "amount" // Invalid: below the minimum
			case w.Debt > 0:
				want = "debt"
			case amount > w.Available:
				want = "amount"
			}
			if errs.FieldOf(err) != want || (want == "") != (err == nil) {
				return unexpected("withdraw %d from %+v: %v, want a refusal on %q", amount, *w, err, want)
			}
		}
		if err == nil {
			m.mu.Lock()
			m.withdraws = append(m.withdraws, got.ID)
			m.mu.Unlock()
		}
		return err
	}}
}

// decideWithdrawal approves (for a payout batch), pays (approves with a
// reference) or rejects a withdrawal of the model.
func (m *moneyMachine) decideWithdrawal(rt *rapid.T) *mmOp {
	m.mu.Lock()
	ws := append([]int64(nil), m.withdraws...)
	m.mu.Unlock()
	if len(ws) == 0 {
		return nil
	}
	id := oneOf(rt, "withdrawal", ws)
	clean := domainErr(errs.Conflict) // decided otherwise, or in a batch
	switch oneOf(rt, "decision", []string{"approve", "pay", "reject"}) {
	case "approve":
		return &mmOp{name: "approve withdrawal", points: []string{"withdrawal.approve.locked"}, clean: clean, run: func() error {
			_, err := m.db.ApproveWithdrawal(m.ctx, m.w.op, id, "")
			return err
		}}
	case "pay":
		return &mmOp{name: "pay withdrawal", points: []string{"withdrawal.approve.locked", "withdrawal.pay.posted"}, clean: clean, run: func() error {
			_, err := m.db.ApproveWithdrawal(m.ctx, m.w.op, id, fmt.Sprintf("PAY-%d", id))
			return err
		}}
	default:
		return &mmOp{name: "reject withdrawal", points: []string{"withdrawal.reject.debt_read"}, clean: clean, run: func() error {
			_, err := m.db.RejectWithdrawal(m.ctx, m.w.op, id, "bank details rejected")
			return err
		}}
	}
}

// payoutBatch gathers the approved withdrawals into a batch and marks it
// paid (refused when none waits).
func (m *moneyMachine) payoutBatch() *mmOp {
	return &mmOp{name: "payout batch", points: []string{"withdrawal.pay.posted"}, clean: domainErr(errs.Conflict), run: func() error {
		b, _, err := m.db.CreatePayoutBatch(m.ctx, m.w.op)
		if err != nil {
			return err
		}
		_, _, err = m.db.MarkBatchPaid(m.ctx, m.w.op, b.ID, fmt.Sprintf("BATCH-%d", b.ID))
		return err
	}}
}
