package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/bench/seed"
	"sharemall/internal/money"
)

// Wallet is the cost of reading a wallet beside many paid withdrawals of
// other distributors.
type Wallet struct {
	P50MS           float64 `json:"p50_ms"`
	P99MS           float64 `json:"p99_ms"`
	PaidWithdrawals int     `json:"paid_withdrawals"` // of other distributors, in the database while it runs
	// StoreP50MS is the whole wallet read through the store, one at a
	// time, and ByEntriesP50MS the withdrawn figure alone computed the way it
	// was before each wallet kept it (walking the ledger's entries of paid
	// withdrawals), for the same wallets in the same run, one at a time.
	StoreP50MS     float64 `json:"store_p50_ms"`
	ByEntriesP50MS float64 `json:"withdrawn_by_entries_p50_ms"`
}

// walletReaders is how many wallets the scenario reads, each with two paid
// withdrawals of its own.
const walletReaders = 100

// wallet books PaidWithdrawals paid withdrawals spread over distributors,
// two of them for each of walletReaders wallets and the rest for others,
// then reads those wallets over HTTP as the operator, and times the old way
// of computing their withdrawn figure directly against the database.
func (r *run) wallet(ctx context.Context) (Wallet, error) {
	out := Wallet{PaidWithdrawals: r.opt.PaidWithdrawals}
	n := r.prog.Distributors
	step := max(1, n/walletReaders)
	var readers, others []int64
	reader := map[int64]bool{}
	for i := 0; i < n && len(readers) < walletReaders; i += step {
		id := r.prog.FirstID + int64(i)
		readers = append(readers, id)
		reader[id] = true
	}
	for i := 0; i < n && len(others) < 100_000; i++ {
		if id := r.prog.FirstID + int64(i); !reader[id] {
			others = append(others, id)
		}
	}
	if len(others) == 0 {
		return out, errors.New("no distributors besides the wallets read")
	}
	const amount = money.Amount(1000)
	start := time.Now()
	if err := seed.PaidWithdrawals(ctx, r.db, readers, 2*len(readers), amount, nil); err != nil {
		return out, err
	}
	if err := seed.PaidWithdrawals(ctx, r.db, others, r.opt.PaidWithdrawals, amount, r.progress()); err != nil {
		return out, err
	}
	r.logf("wallet: %d paid withdrawals booked in %.1f s", r.opt.PaidWithdrawals+2*len(readers), time.Since(start).Seconds())

	var lat latencies
	_, _, err := drive(ctx, r.opt.Clients, r.opt.Duration, r.opt.MaxUnits, func(ctx context.Context, _ int, u int64) error {
		id := readers[u%int64(len(readers))]
		var w struct {
			Withdrawn string `json:"withdrawn"`
		}
		t := time.Now()
		if err := r.c.call(ctx, "GET", fmt.Sprintf("/api/v1/distributors/%d/wallet", id), r.prog.OperatorToken, nil, nil, &w); err != nil {
			return err
		}
		lat.add(time.Since(t))
		if w.Withdrawn != "20.00" {
			return fmt.Errorf("wallet %d: withdrawn %s, want 20.00", id, w.Withdrawn)
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	out.P50MS, out.P99MS = lat.ms(0.50), lat.ms(0.99)

	// The same wallets one at a time through the store, then the old way
	// (within the scenario's time: each read walked every paid
	// withdrawal's entries).
	var direct, old latencies
	for _, id := range readers {
		t := time.Now()
		w, err := r.db.Wallet(ctx, r.operator(), id)
		if err != nil {
			return out, err
		}
		direct.add(time.Since(t))
		if w.Withdrawn != 2*amount {
			return out, fmt.Errorf("wallet %d: withdrawn %d, want %d", id, w.Withdrawn, 2*amount)
		}
	}
	deadline := time.Now().Add(r.opt.Duration)
	for i, id := range readers {
		if i >= 11 || (i > 0 && time.Now().After(deadline)) {
			break
		}
		t := time.Now()
		w, err := seed.WithdrawnByEntries(ctx, r.db, id)
		if err != nil {
			return out, err
		}
		old.add(time.Since(t))
		if w != 2*amount {
			return out, fmt.Errorf("wallet %d: withdrawn by entries %d, want %d", id, w, 2*amount)
		}
	}
	out.StoreP50MS, out.ByEntriesP50MS = direct.ms(0.50), old.ms(0.50)
	return out, nil
}

// operator is the bench's operator as the store sees it.
func (r *run) operator() account.Actor {
	return account.Actor{AccountID: r.prog.OperatorID, Roles: []account.Role{account.Operator}}
}
