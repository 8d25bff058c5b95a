package store

import (
	"maps"
	"sync"

	"sharemall/internal/books"
	"sharemall/internal/commission"
	"sharemall/internal/money"
)

// Tally counts the money work this process committed: orders placed,
// payments received, refunds, commission booked and settled. The metrics
// read it as Prometheus counters. It counts in the transaction and adds to
// the process's totals only once the transaction committed, so a rolled
// back write (or a batched write rolled back to its savepoint) counts
// nothing, and a write that is run again counts once.
type Tally struct {
	OrdersPlaced int64
	// Per currency: how many and how much (minor units).
	PaymentsReceived, Refunds           map[string]Count
	CommissionBooked, CommissionSettled map[string]Count // lines, and what distributors and agents earn on them
}

// Count is a number of events and the money they moved.
type Count struct {
	N      int64
	Amount money.Amount
}

// tallyKey holds a write transaction's *txTally (Tx.Value).
type tallyKey struct{}

// tally returns what this transaction did so far; nil outside write transactions.
func (tx *Tx) tally() *txTally {
	t, _ := tx.Value(tallyKey{}).(*txTally)
	return t
}

// txTally is what one write transaction did; nil outside write transactions.
type txTally struct {
	orders                             int64
	payments, refunds, booked, settled []counted
}

type counted struct {
	currency string
	amount   money.Amount
}

func (t *txTally) order() {
	if t != nil {
		t.orders++
	}
}

func (t *txTally) payment(currency string, amount money.Amount) {
	if t != nil {
		t.payments = append(t.payments, counted{currency, amount})
	}
}

func (t *txTally) refund(currency string, amount money.Amount) {
	if t != nil {
		t.refunds = append(t.refunds, counted{currency, amount})
	}
}

// isCommission tells the shares the commission counters count
// (books.IsCommission).
func isCommission(p commission.Party) bool { return books.IsCommission(p) }

// bookedLine counts one line's commission as booked.
func (t *txTally) bookedLine(currency string, shares []commission.Share) {
	if t == nil {
		return
	}
	var sum money.Amount
	for _, sh := range shares {
		if isCommission(sh.Party) {
			sum += sh.Amount
		}
	}
	t.booked = append(t.booked, counted{currency, sum})
}

// settledLine counts one line's commission as settled (amount: what is left
// of it after refunds).
func (t *txTally) settledLine(currency string, amount money.Amount) {
	if t != nil {
		t.settled = append(t.settled, counted{currency, amount})
	}
}

// tally holds the process's totals.
type tally struct {
	mu sync.Mutex
	t  Tally
}

func (tl *tally) add(t *txTally) {
	if t.orders == 0 && len(t.payments)+len(t.refunds)+len(t.booked)+len(t.settled) == 0 {
		return
	}
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.t.OrdersPlaced += t.orders
	addAll(&tl.t.PaymentsReceived, t.payments)
	addAll(&tl.t.Refunds, t.refunds)
	addAll(&tl.t.CommissionBooked, t.booked)
	addAll(&tl.t.CommissionSettled, t.settled)
}

func addAll(m *map[string]Count, cs []counted) {
	if len(cs) > 0 && *m == nil {
		*m = map[string]Count{}
	}
	for _, c := range cs {
		n := (*m)[c.currency]
		n.N++
		n.Amount += c.amount
		(*m)[c.currency] = n
	}
}

// Tally returns the totals this process has committed since it opened the database.
func (db *DB) Tally() Tally {
	db.tally.mu.Lock()
	defer db.tally.mu.Unlock()
	t := db.tally.t
	t.PaymentsReceived = maps.Clone(t.PaymentsReceived)
	t.Refunds = maps.Clone(t.Refunds)
	t.CommissionBooked = maps.Clone(t.CommissionBooked)
	t.CommissionSettled = maps.Clone(t.CommissionSettled)
	return t
}
