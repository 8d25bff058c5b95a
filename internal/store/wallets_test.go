package store_test

import (
	"testing"

	"sharemall/internal/ledger"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestWithdrawnMigrated: migration 00019 fills each wallet's withdrawn
// figure from the withdrawals already paid, and seals the journals posted
// before it.
func TestWithdrawnMigrated(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCorruptionWorld(t, db)
		if err := db.MigrateDownToForTest(w.ctx, 18); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(w.ctx); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Wallet(w.ctx, w.op, w.seller); err != nil || got.Withdrawn != 1700 {
			t.Fatalf("seller's wallet after the migration: %+v, %v", got, err)
		}
		if got, err := db.Wallet(w.ctx, w.op, w.sponsor); err != nil || got.Withdrawn != 0 {
			t.Fatalf("sponsor's wallet after the migration: %+v, %v", got, err)
		}
		if err := db.ExecRaw(w.ctx, `INSERT INTO ledger_entries (journal_id, account_id, direction, amount, currency)
			SELECT j.id, a.id, 'D', 1, 'CNY' FROM journals j, ledger_accounts a
			WHERE j.idempotency_key = 'settle:line:1' AND a.code = ?`, ledger.Code(ledger.Clearing, 0)); err == nil {
			t.Fatal("a journal posted before the migration took another entry")
		}
		w.check()
		// Paying out goes on adding to the figure.
		if _, err := db.ApproveWithdrawal(w.ctx, w.op, w.open, "BANK-2"); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Wallet(w.ctx, w.op, w.seller); err != nil || got.Withdrawn != 2200 {
			t.Fatalf("seller's wallet after another payout: %+v, %v", got, err)
		}
		w.check()
	})
}
