package store_test

import (
	"fmt"

	"pgregory.net/rapid"

	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/wallet"
)

// The ledger machine's wallet steps: withdrawal requests and decisions
// (the withdrawals engineer's store methods), and direct payouts.

func (m *machine) withdraw(rt *rapid.T) {
	d := m.anyDistributor(rt, "withdrawer")
	net := m.net[d]
	amount := money.Amount(rapid.Int64Range(100, max(100, int64(net)+50)).Draw(rt, "amount"))
	if net >= 100 && rapid.Bool().Draw(rt, "everything") {
		amount = net // so that a later clawback finds nothing and books debt
	}
	w, err := m.db.RequestWithdrawal(m.ctx, m.op, d, amount, "")
	if net < 0 || amount > net {
		// A wallet in debt is refused naming the debt, whatever is available.
		field := "amount"
		if net < 0 {
			field = "debt"
		}
		if !errs.Is(err, errs.Conflict) || errs.FieldOf(err) != field {
			rt.Fatalf("withdrawing %d of %d: %v", amount, net, err)
		}
		return
	}
	if err != nil {
		rt.Fatalf("withdrawing %d of %d: %v", amount, net, err)
	}
	m.net[d] -= amount
	m.want[ledger.Code(ledger.DistributorWithdrawing, d)] += amount
	m.withdrawals[w.ID] = &modelWithdrawal{distributor: d, amount: amount, fee: amount / 100, status: wallet.Requested}
	m.wIDs = append(m.wIDs, w.ID)
}

func (m *machine) decide(rt *rapid.T) {
	if len(m.wIDs) == 0 {
		rt.Skip("no withdrawals")
	}
	id := rapid.SampledFrom(m.wIDs).Draw(rt, "withdrawal")
	w := m.withdrawals[id]
	if w.status != wallet.Requested && w.status != wallet.Approved {
		rt.Skip("decided")
	}
	hold := ledger.Code(ledger.DistributorWithdrawing, w.distributor)
	var err error
	switch rapid.IntRange(0, 2).Draw(rt, "decision") {
	case 0:
		_, err = m.db.ApproveWithdrawal(m.ctx, m.op, id, "")
		w.status = wallet.Approved
	case 1:
		_, err = m.db.ApproveWithdrawal(m.ctx, m.op, id, fmt.Sprintf("bank-%d", id))
		w.status = wallet.Paid
		m.want[hold] -= w.amount
		m.want[string(ledger.WithdrawalsPaid)] += w.amount - w.fee
		m.want[string(ledger.PlatformRevenue)] += w.fee
		m.withdrawn[w.distributor] += w.amount
	default:
		_, err = m.db.RejectWithdrawal(m.ctx, m.op, id, "test")
		w.status = wallet.Rejected
		m.want[hold] -= w.amount
		m.net[w.distributor] += w.amount // the hold pays a debt first, like earnings
	}
	if err != nil {
		rt.Fatal(err)
	}
}

// payOut takes everything available out of a wallet directly, so that the
// next clawback runs into debt. It is no withdrawal, so the wallet's
// withdrawn figure (its paid withdrawals) does not count it.
func (m *machine) payOut(rt *rapid.T) {
	d := m.anyDistributor(rt, "paid out")
	if m.net[d] <= 0 {
		rt.Skip("nothing available")
	}
	*m.nextPayout++
	j := ledger.Journal{Key: fmt.Sprintf("test:payout:%d", *m.nextPayout), Kind: "test.payout", Currency: "CNY"}
	j.Move(ledger.Code(ledger.DistributorAvailable, d), string(ledger.WithdrawalsPaid), m.net[d])
	if _, _, err := m.db.Post(m.ctx, j); err != nil {
		rt.Fatal(err)
	}
	m.want[string(ledger.WithdrawalsPaid)] += m.net[d]
	m.net[d] = 0
}
