package store_test

import (
	"strings"

	"pgregory.net/rapid"

	"sharemall/internal/ledger"
	"sharemall/internal/money"
)

// mmViolations are the money machine's invariants over the whole database,
// each a query counting what breaks it and one listing it.
var mmViolations = []struct{ what, list string }{
	{"a completed order with a line neither settled nor refunded in full and settled",
		`SELECT CAST(o.id AS TEXT) FROM orders o WHERE o.status = 'completed'
			AND EXISTS (SELECT 1 FROM commission_lines c WHERE c.order_id = o.id AND c.status <> 'settled')`},
	{"a completed order with a fulfilment order neither received nor cancelled",
		`SELECT CAST(o.id AS TEXT) FROM orders o WHERE o.status = 'completed'
			AND EXISTS (SELECT 1 FROM fulfilment_orders f WHERE f.order_id = o.id AND f.status NOT IN ('received', 'cancelled'))`},
	{"a paid order with every line settled and every fulfilment order received or cancelled, not completed",
		`SELECT CAST(o.id AS TEXT) FROM orders o WHERE o.status = 'paid'
			AND NOT EXISTS (SELECT 1 FROM fulfilment_orders f WHERE f.order_id = o.id AND f.status NOT IN ('received', 'cancelled'))
			AND NOT EXISTS (SELECT 1 FROM commission_lines c WHERE c.order_id = o.id AND c.status <> 'settled')`},
	{"a paid or completed order without exactly one payment that paid it",
		`SELECT CAST(o.id AS TEXT) FROM orders o WHERE o.status IN ('paid', 'completed')
			AND (SELECT COUNT(*) FROM payments p WHERE p.order_id = o.id AND p.status = 'paid') <> 1`},
	{"an unpaid or cancelled order with a payment that paid it, or a booked line",
		`SELECT CAST(o.id AS TEXT) FROM orders o WHERE o.status IN ('unpaid', 'cancelled')
			AND (EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.status = 'paid')
				OR EXISTS (SELECT 1 FROM commission_lines c WHERE c.order_id = o.id))`},
	{"a line of a paid or completed order that was not booked",
		`SELECT CAST(l.id AS TEXT) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status IN ('paid', 'completed')
			AND NOT EXISTS (SELECT 1 FROM commission_lines c WHERE c.line_id = l.id)`},
	{"a fulfilment order released, shipped or received whose order is not paid",
		`SELECT CAST(f.id AS TEXT) FROM fulfilment_orders f JOIN orders o ON o.id = f.order_id
			WHERE f.status IN ('released', 'shipped', 'received') AND o.status NOT IN ('paid', 'completed')`},
	{"a stock row whose reserved units are not those of the unpaid orders' lines",
		`SELECT CAST(s.warehouse_id AS TEXT) || '/' || CAST(s.sku_id AS TEXT) || ' reserved ' || CAST(s.reserved AS TEXT) FROM stock s
			WHERE s.on_hand < 0 OR s.reserved <> COALESCE((SELECT SUM(l.quantity) FROM order_lines l JOIN orders o ON o.id = l.order_id
				WHERE o.status = 'unpaid' AND l.warehouse_id = s.warehouse_id AND l.sku_id = s.sku_id), 0)`},
	{"a coupon whose uses are not its orders that were not cancelled",
		`SELECT c.code || ' used ' || CAST(c.used AS TEXT) FROM coupons c
			WHERE c.used <> (SELECT COUNT(*) FROM orders o WHERE o.coupon_id = c.id AND o.status <> 'cancelled')`},
	{"a line held without an active after-sale case, or an active case whose line is not held",
		`SELECT CAST(c.line_id AS TEXT) FROM commission_lines c
			WHERE CASE WHEN c.held THEN 1 ELSE 0 END <> CASE WHEN EXISTS (SELECT 1 FROM aftersale_cases a
				WHERE a.order_line_id = c.line_id AND a.status IN ('open', 'approved', 'refund_due')) THEN 1 ELSE 0 END`},
	{"a payment or case owed back without its refund effect due, or refunded without it done",
		`SELECT 'payment ' || CAST(p.id AS TEXT) FROM payments p WHERE
			(p.status = 'refund_due' AND NOT EXISTS (SELECT 1 FROM effects e WHERE e.idempotency_key = 'payment:' || CAST(p.id AS TEXT) AND e.status <> 'done'))
			OR (p.status = 'refunded' AND NOT EXISTS (SELECT 1 FROM effects e WHERE e.idempotency_key = 'payment:' || CAST(p.id AS TEXT) AND e.status = 'done'))
		UNION ALL SELECT 'case ' || CAST(a.id AS TEXT) FROM aftersale_cases a WHERE
			(a.status = 'refund_due' AND NOT EXISTS (SELECT 1 FROM effects e WHERE e.idempotency_key = 'case:' || CAST(a.id AS TEXT) AND e.status <> 'done'))
			OR (a.status = 'refunded' AND a.amount > 0 AND NOT EXISTS (SELECT 1 FROM effects e WHERE e.idempotency_key = 'case:' || CAST(a.id AS TEXT) AND e.status = 'done'))`},
	{"a sweep other than the effects' with an item failing (a deadlock or a bug, retried in the dark)",
		`SELECT kind || ' ' || item FROM job_failures WHERE kind <> 'effects'`},
}

// check is run after every step: see TestMoneyMachine.
func (m *moneyMachine) check(rt *rapid.T) {
	problems, err := m.db.CheckLedger(m.ctx)
	if err != nil {
		rt.Fatal(err)
	}
	var bad []string
	for _, p := range problems {
		bad = append(bad, "ledger check: "+p.String())
	}
	for _, v := range mmViolations {
		found, err := m.db.StringsForTest(m.ctx, v.list)
		if err != nil {
			rt.Fatalf("%s: %v", v.what, err)
		}
		if len(found) > 0 {
			bad = append(bad, v.what+": "+strings.Join(found, ", "))
		}
	}
	bad = append(bad, m.checkWallets(rt)...)
	bad = append(bad, m.checkMoney(rt)...)
	if len(bad) > 0 {
		rt.Fatalf("after this step:\n%s", strings.Join(bad, "\n"))
	}
}

// entries sums an account's entries (credits − debits).
func (m *moneyMachine) entries(code string) money.Amount {
	return money.Amount(m.db.OrdersIntForTest(m.ctx, `SELECT COALESCE(SUM(CASE WHEN e.direction = 'C' THEN e.amount ELSE -e.amount END), 0)
		FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE a.code = ?`, code))
}

// checkWallets: every wallet's figures are its accounts' entries, and no
// wallet has money available while in debt.
func (m *moneyMachine) checkWallets(rt *rapid.T) []string {
	var bad []string
	for _, d := range m.distributors {
		w, err := m.db.Wallet(m.ctx, m.w.op, d)
		if err != nil {
			rt.Fatal(err)
		}
		for _, f := range []struct {
			kind ledger.Kind
			got  money.Amount
			sign money.Amount
		}{{ledger.DistributorPending, w.Pending, 1}, {ledger.DistributorAvailable, w.Available, 1},
			{ledger.DistributorWithdrawing, w.Withdrawing, 1}, {ledger.DistributorDebt, w.Debt, -1}} {
			if want := f.sign * m.entries(ledger.Code(f.kind, d)); f.got != want {
				bad = append(bad, "wallet of "+itoa(d)+": "+string(f.kind)+" reads "+itoa(int64(f.got))+", its entries sum to "+itoa(int64(want)))
			}
		}
		if w.Debt > 0 {
			m.count("steps after which a wallet was in debt")
		}
		if w.Available > 0 && w.Debt > 0 {
			bad = append(bad, "wallet of "+itoa(d)+": "+itoa(int64(w.Available))+" available while "+itoa(int64(w.Debt))+" in debt")
		}
	}
	return bad
}

// checkMoney: money is conserved. What customers paid (the model's count
// of callbacks that took money) is what the payments say and what clearing
// received, and equals what went back (refunds), what is owed back
// (refunds_due) and what every party's accounts hold. What went back is
// what the provider confirmed, the outbox's done refunds, and the
// payments' refunded amounts; the provider refunded nothing the outbox
// does not know of, never twice, and everything it has confirmed.
func (m *moneyMachine) checkMoney(rt *rapid.T) []string {
	var bad []string
	m.mu.Lock()
	paid := m.paid
	m.mu.Unlock()
	sum := func(q string) money.Amount { return money.Amount(m.db.OrdersIntForTest(m.ctx, q)) }
	balance := func(k ledger.Kind) money.Amount {
		b, err := m.db.Balance(m.ctx, string(k))
		if err != nil {
			rt.Fatal(err)
		}
		return b
	}
	eq := func(what string, a, b money.Amount) {
		if a != b {
			bad = append(bad, what+": "+itoa(int64(a))+" ≠ "+itoa(int64(b)))
		}
	}
	refunds, due := balance(ledger.Refunds), balance(ledger.RefundsDue)
	parties := sum(`SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE code NOT IN ('clearing', 'refunds', 'refunds_due')`)
	eq("customers paid vs the payments that took money", paid,
		sum(`SELECT COALESCE(SUM(amount), 0) FROM payments WHERE status IN ('paid', 'refund_due', 'refunded')`))
	eq("customers paid vs clearing", paid, -balance(ledger.Clearing))
	eq("customers paid vs refunds + refunds due + the parties' accounts", paid, refunds+due+parties)
	eq("refunds vs the refund effects done", refunds, sum(`SELECT COALESCE(SUM(amount), 0) FROM effects WHERE kind = 'refund' AND status = 'done'`))
	eq("refunds vs the payments' refunded amounts", refunds, sum(`SELECT COALESCE(SUM(refunded_amount), 0) FROM payments`))

	made, _ := m.prov.state()
	var total money.Amount
	for key, amount := range made {
		total += amount
		e, err := m.db.EffectByKey(m.ctx, key)
		if err != nil {
			bad = append(bad, "the provider refunded "+key+", which the outbox does not know: "+err.Error())
		} else if e.Amount != amount {
			bad = append(bad, "the provider refunded "+itoa(int64(amount))+" under "+key+", the outbox owes "+itoa(int64(e.Amount)))
		}
	}
	done, err := m.db.StringsForTest(m.ctx, `SELECT idempotency_key FROM effects WHERE status = 'done'`)
	if err != nil {
		rt.Fatal(err)
	}
	for _, key := range done {
		if _, ok := made[key]; !ok {
			bad = append(bad, "effect "+key+" is done, but the provider never refunded it")
		}
	}
	if total > refunds+due {
		bad = append(bad, "the provider refunded "+itoa(int64(total))+", more than was ever owed back")
	}
	return bad
}
