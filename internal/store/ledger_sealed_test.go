package store_test

import (
	"fmt"
	"strings"
	"testing"

	"sharemall/internal/commission"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
	"sharemall/internal/wallet"
)

// TestLedgerSealed: the database refuses what would change a posted
// journal or an account's identity, on both engines, while posting and
// locking go on as before.
func TestLedgerSealed(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		d, _ := f.distributor("Ada")
		f.fund(d, 500)
		old := `(SELECT id FROM journals WHERE idempotency_key = 'test:1')`
		entry := func(journal string) string {
			return `INSERT INTO ledger_entries (journal_id, account_id, direction, amount, currency)
				SELECT ` + journal + `, id, 'D', 1, 'CNY' FROM ledger_accounts WHERE code = 'clearing'`
		}
		if err := db.ExecRaw(f.ctx, entry(old)); err == nil {
			t.Error("an entry was added to a journal posted earlier")
		}
		// Nor to a journal of the same transaction once its entries are in.
		j := ledger.Journal{Key: "test:again", Kind: "test", Currency: "CNY"}
		j.Move(ledger.Code(ledger.Clearing, 0), ledger.Code(ledger.PlatformRevenue, 0), 5)
		if err := db.PostThenExec(f.ctx, j, entry(`(SELECT id FROM journals WHERE idempotency_key = 'test:again')`)); err == nil {
			t.Error("an entry was added to a journal just posted")
		}
		code := ledger.Code(ledger.DistributorAvailable, d)
		for _, set := range []string{"code = 'distributor_available:999'", "kind = 'clearing'", "owner_id = 999", "currency = 'USD'"} {
			if err := db.ExecRaw(f.ctx, `UPDATE ledger_accounts SET `+set+` WHERE code = ?`, code); err == nil {
				t.Errorf("%s: allowed", set)
			}
		}
		// The balance is what changes; books.LockAccounts writes it to itself.
		if err := db.ExecRaw(f.ctx, `UPDATE ledger_accounts SET balance = balance WHERE code = ?`, code); err != nil {
			t.Errorf("the lock statement: %v", err)
		}
		f.wallet(d, 500, 0, 0)
		f.check()
	})
}

// corruptionWorld is a small program's books made by the real paths, every
// kind of movement once, so a corruption has something to hit.
type corruptionWorld struct {
	*wdFixture
	seller, sponsor, idle int64
	paid, rejected, open  int64 // withdrawals of the seller
	batchPaid             int64
}

const supplier = 501

func newCorruptionWorld(t *testing.T, db *store.DB) *corruptionWorld {
	t.Helper()
	w := &corruptionWorld{wdFixture: newWdFixture(t, db)}
	w.rules(100, 100, 10) // minimum 1.00, fee 1%
	var sellerA = w.op
	w.seller, sellerA = w.distributor("Seller")
	w.sponsor, _ = w.distributor("Sponsor")
	w.idle, _ = w.distributor("Idle")
	snap := commission.Snapshot{Currency: "CNY", SupplierID: supplier, SellerID: w.seller, Upline: []int64{w.sponsor},
		Rules: []commission.TierRule{commission.Rate(1000), commission.Rate(500)}, PlatformRate: 200, Cap: 3000}
	book := func(line int64, base money.Amount, qty int64) {
		t.Helper()
		if _, _, err := db.BookLine(w.ctx, store.LineBooking{LineID: line, OrderID: 10 + line, Snapshot: snap,
			Line: commission.Line{Base: base, Quantity: qty}}); err != nil {
			t.Fatal(err)
		}
	}
	refund := func(line int64, key string, after commission.Line) {
		t.Helper()
		if _, _, err := db.RefundLine(w.ctx, line, key, after); err != nil {
			t.Fatal(err)
		}
	}
	settle := func(line int64) {
		t.Helper()
		if _, err := db.SettleLine(w.ctx, line); err != nil {
			t.Fatal(err)
		}
	}
	// Line 1 settled, then half refunded (a clawback); line 2 pending;
	// line 3 refunded in full before settlement, then settled (no journal).
	book(1, 100000, 2)
	settle(1)
	refund(1, "rma-1", commission.Line{Base: 50000, Quantity: 1})
	book(2, 20000, 1)
	book(3, 10000, 1)
	refund(3, "rma-3", commission.Line{})
	settle(3)
	// The seller has 50.00 available: 10.00 paid at once, 8.00 rejected,
	// 5.00 still requested, 7.00 paid in a batch.
	w.paid = w.request(sellerA, w.seller, 1000, "").ID
	w.rejected = w.request(sellerA, w.seller, 800, "").ID
	w.open = w.request(sellerA, w.seller, 500, "").ID
	w.batchPaid = w.request(sellerA, w.seller, 700, "").ID
	if _, err := db.ApproveWithdrawal(w.ctx, w.op, w.paid, "BANK-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RejectWithdrawal(w.ctx, w.op, w.rejected, "wrong account"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApproveWithdrawal(w.ctx, w.op, w.batchPaid, ""); err != nil {
		t.Fatal(err)
	}
	b, _, err := db.CreatePayoutBatch(w.ctx, w.op)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.MarkBatchPaid(w.ctx, w.op, b.ID, "BATCH-1"); err != nil {
		t.Fatal(err)
	}
	w.wallet(w.seller, 2800, 500, 0)
	if got, err := db.Wallet(w.ctx, w.op, w.seller); err != nil || got.Withdrawn != 1700 {
		t.Fatalf("seller's wallet: %+v, %v", got, err)
	}
	w.check()
	return w
}

// TestLedgerCheckFindsEveryCorruption corrupts sound books one way at a
// time, as someone with access to the database could (the ledger's
// triggers off where they stand in the way), and expects the check to name
// exactly what is wrong: each expected problem, and nothing else.
func TestLedgerCheckFindsEveryCorruption(t *testing.T) {
	for _, c := range []struct {
		name    string
		corrupt func(w *corruptionWorld) error
		want    func(w *corruptionWorld) []string
	}{{
		// A pair that balances, on one account: only the digest and the
		// count of entries see it.
		name: "entries added to an old journal",
		corrupt: func(w *corruptionWorld) error {
			return w.db.ExecUnguarded(w.ctx, `INSERT INTO ledger_entries (journal_id, account_id, direction, amount, currency)
				SELECT j.id, a.id, d.dir, 100, 'CNY' FROM journals j, ledger_accounts a, (SELECT 'D' AS dir UNION ALL SELECT 'C') d
				WHERE j.idempotency_key = 'settle:line:1' AND a.code = 'clearing'`)
		},
		want: func(w *corruptionWorld) []string {
			return []string{"(settle:line:1): has 10 entries but was posted with 8",
				"(settle:line:1): its entries do not match the digest it was posted with"}
		},
	}, {
		// The fee credited to withdrawals_paid instead, the cached balances
		// made to agree: only the digest sees it.
		name: "an entry moved to another account",
		corrupt: func(w *corruptionWorld) error {
			key := fmt.Sprintf("withdrawal:%d:paid", w.paid)
			return w.db.ExecUnguarded(w.ctx,
				`UPDATE ledger_entries SET account_id = (SELECT id FROM ledger_accounts WHERE code = 'withdrawals_paid')
				WHERE journal_id = (SELECT id FROM journals WHERE idempotency_key = '`+key+`')
					AND account_id = (SELECT id FROM ledger_accounts WHERE code = 'platform_revenue')`,
				`UPDATE ledger_accounts SET balance = balance + 10 WHERE code = 'withdrawals_paid'`,
				`UPDATE ledger_accounts SET balance = balance - 10 WHERE code = 'platform_revenue'`)
		},
		want: func(w *corruptionWorld) []string {
			return []string{fmt.Sprintf("(withdrawal:%d:paid): its entries do not match the digest it was posted with", w.paid)}
		},
	}, {
		name: "an account's kind changed",
		corrupt: func(w *corruptionWorld) error {
			return w.db.ExecUnguarded(w.ctx, fmt.Sprintf(`UPDATE ledger_accounts SET kind = 'clearing' WHERE code = 'distributor_available:%d'`, w.seller))
		},
		want: func(w *corruptionWorld) []string {
			return []string{fmt.Sprintf(`account distributor_available:%d: kind "clearing" and owner %[1]d, but its code names kind "distributor_available" and owner %[1]d`, w.seller)}
		},
	}, {
		// Every journal that posted to the account now digests differently.
		name: "an account's code changed",
		corrupt: func(w *corruptionWorld) error {
			return w.db.ExecUnguarded(w.ctx, fmt.Sprintf(`UPDATE ledger_accounts SET code = 'distributor_available:999999' WHERE code = 'distributor_available:%d'`, w.sponsor))
		},
		want: func(w *corruptionWorld) []string {
			return []string{
				fmt.Sprintf(`account distributor_available:999999: kind "distributor_available" and owner %d, but its code names kind "distributor_available" and owner 999999`, w.sponsor),
				"(settle:line:1): its entries do not match the digest", "(refund:line:1:rma-1): its entries do not match the digest"}
		},
	}, {
		name: "money booked pending without a line",
		corrupt: func(w *corruptionWorld) error {
			j := ledger.Journal{Key: "test:ghost", Kind: "book", Currency: "CNY"}
			j.Move(ledger.Code(ledger.Clearing, 0), ledger.Code(ledger.DistributorPending, w.sponsor), 100)
			_, _, err := w.db.Post(w.ctx, j)
			return err
		},
		want: func(w *corruptionWorld) []string {
			return []string{fmt.Sprintf("account distributor_pending:%d: balance 1100 ≠ 1000, the pending shares of its party in lines not settled yet", w.sponsor)}
		},
	}, {
		// The shares leave the pending count; the money stays pending.
		name: "a line marked settled without its journal",
		corrupt: func(w *corruptionWorld) error {
			return w.db.ExecRaw(w.ctx, `UPDATE commission_lines SET status = 'settled', settled_at = 1 WHERE line_id = 2`)
		},
		want: func(w *corruptionWorld) []string {
			const tail = "the pending shares of its party in lines not settled yet"
			return []string{"commission line 2 is settled but its journal settle:line:2 is missing",
				fmt.Sprintf("account distributor_pending:%d: balance 2000 ≠ 0, %s", w.seller, tail),
				fmt.Sprintf("account distributor_pending:%d: balance 1000 ≠ 0, %s", w.sponsor, tail),
				"account platform_pending: balance 400 ≠ 0, " + tail,
				fmt.Sprintf("account supplier_pending:%d: balance 16600 ≠ 0, %s", supplier, tail)}
		},
	}, {
		name: "a refund recorded without its journal",
		corrupt: func(w *corruptionWorld) error {
			return w.db.ExecRaw(w.ctx, `INSERT INTO commission_refunds (line_id, refund_key, base_after, markup_after, quantity_after, refunded, at)
				VALUES (2, 'ghost', 20000, 0, 1, 500, 1)`)
		},
		want: func(w *corruptionWorld) []string {
			return []string{`refund "ghost" of commission line 2 returned money but its journal refund:line:2:ghost is missing`}
		},
	}, {
		name: "a withdrawal marked paid without its journal",
		corrupt: func(w *corruptionWorld) error {
			return w.db.ExecRaw(w.ctx, `UPDATE withdrawals SET status = ?, payout_ref = 'GHOST', paid_at = 1 WHERE id = ?`, string(wallet.Paid), w.open)
		},
		want: func(w *corruptionWorld) []string {
			return []string{fmt.Sprintf("withdrawal %d is paid but its journal withdrawal:%[1]d:paid is missing", w.open),
				fmt.Sprintf("account distributor_withdrawing:%d: holds 500 but the distributor's open withdrawals total 0", w.seller),
				fmt.Sprintf("distributor %d's wallet shows 1700 withdrawn but its paid withdrawals total 2200", w.seller)}
		},
	}, {
		// A distributor that never asked to withdraw.
		name: "a hold without a withdrawal",
		corrupt: func(w *corruptionWorld) error {
			w.fund(w.idle, 500)
			w.move(ledger.Code(ledger.DistributorAvailable, w.idle), ledger.Code(ledger.DistributorWithdrawing, w.idle), 300)
			return nil
		},
		want: func(w *corruptionWorld) []string {
			return []string{fmt.Sprintf("account distributor_withdrawing:%d: holds 300 but the distributor's open withdrawals total 0", w.idle)}
		},
	}, {
		name: "a wallet's withdrawn figure changed",
		corrupt: func(w *corruptionWorld) error {
			return w.db.ExecRaw(w.ctx, `UPDATE wallet_withdrawn SET amount = amount + 1 WHERE distributor_id = ?`, w.seller)
		},
		want: func(w *corruptionWorld) []string {
			return []string{fmt.Sprintf("distributor %d's wallet shows 1701 withdrawn but its paid withdrawals total 1700", w.seller)}
		},
	}} {
		t.Run(c.name, func(t *testing.T) {
			testutil.Engines(t, func(t *testing.T, db *store.DB) {
				w := newCorruptionWorld(t, db)
				if err := c.corrupt(w); err != nil {
					t.Fatal(err)
				}
				problems, err := db.CheckLedger(w.ctx)
				if err != nil {
					t.Fatal(err)
				}
				got := problemTexts(problems)
				want := c.want(w)
				for _, s := range want {
					if !strings.Contains(strings.Join(got, "\n"), s) {
						t.Errorf("the check did not say %q", s)
					}
				}
				if len(got) != len(want) || t.Failed() {
					t.Fatalf("the check said:\n%s", strings.Join(got, "\n"))
				}
			})
		})
	}
}
