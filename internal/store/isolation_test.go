package store_test

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"

	"sharemall/internal/commission"
	"sharemall/internal/ledger"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestTransactionIsolation: every transaction states its level instead of
// taking the server's default. On PostgreSQL reads are REPEATABLE READ and
// READ ONLY, writes READ COMMITTED; on SQLite a write holds the write lock
// from its BEGIN (a level in the options must not turn BEGIN IMMEDIATE
// into a deferred BEGIN).
func TestTransactionIsolation(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if db.Engine() == store.Postgres {
			for _, c := range []struct {
				write      bool
				name, want string
			}{
				{false, "transaction_isolation", "repeatable read"},
				{false, "transaction_read_only", "on"},
				{true, "transaction_isolation", "read committed"},
				{true, "transaction_read_only", "off"},
			} {
				got, err := db.TxSetting(ctx, c.write, c.name)
				if err != nil || got != c.want {
					t.Errorf("write %v: %s = %q, %v; want %q", c.write, c.name, got, err, c.want)
				}
			}
			return
		}
		path, err := db.SQLitePath(ctx)
		if err != nil {
			t.Fatal(err)
		}
		other, err := sql.Open("sqlite", "file:"+path+"?"+url.Values{"_pragma": {"busy_timeout(0)"}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		h := testutil.Hold(t, db, "test.write.begun")
		w := testutil.Run(func() error { return db.WriteAt(ctx, "test.write.begun") })
		h.Reached()
		_, err = other.ExecContext(ctx, "BEGIN IMMEDIATE")
		if err == nil || !strings.Contains(err.Error(), "locked") && !strings.Contains(err.Error(), "busy") {
			t.Errorf("another connection began a write beside a write that only began: %v", err)
		}
		other.ExecContext(ctx, "ROLLBACK")
		h.Release()
		if err := w.Err(t); err != nil {
			t.Fatal(err)
		}
	})
}

// TestReadSeesOneSnapshot: a read of several statements sees one state,
// even when a write commits between two of its statements. On PostgreSQL at
// READ COMMITTED (the server's default) the second statement would see the
// write.
func TestReadSeesOneSnapshot(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fund := func(key string) {
			t.Helper()
			j := ledger.Journal{Key: key, Kind: "test", Currency: "CNY"}
			j.Move(ledger.Code(ledger.Clearing, 0), ledger.Code(ledger.PlatformRevenue, 0), 100)
			if _, _, err := db.Post(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		fund("test:1")
		const point = "test.read.between"
		h := testutil.Hold(t, db, point)
		var first, second int64
		read := testutil.Run(func() error {
			var err error
			first, second, err = db.ReadTwice(ctx, point, `SELECT balance FROM ledger_accounts WHERE code = ?`, "platform_revenue")
			return err
		})
		h.Reached()
		write := testutil.Run(func() error { fund("test:2"); return nil })
		if !testutil.BlockedOrEnded(t, db, write) {
			t.Fatal("a write waited for a read")
		}
		h.Release()
		if err := read.Err(t); err != nil {
			t.Fatal(err)
		}
		if first != 100 || second != first {
			t.Fatalf("one read saw balance %d, then %d", first, second)
		}
	})
}

// TestLedgerCheckSeesOneState: `ledger check` held between two of its
// statements (the pending shares, then the pending accounts) while a line
// is settled and another booked: it must judge one state, before both, and
// find nothing. At READ COMMITTED on PostgreSQL its second statement saw the
// accounts after the settlement and the booking, the shares before them, and
// it reported money astray that never was.
func TestLedgerCheckSeesOneState(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBooks(t, db)
		b.book(1, 10, commission.Line{Base: 5997, Quantity: 3})
		h := testutil.Hold(t, db, "ledger.check.pending")
		var problems []store.LedgerProblem
		check := testutil.Run(func() error {
			var err error
			problems, err = db.CheckLedger(b.ctx)
			return err
		})
		h.Reached()
		money := testutil.Run(func() error {
			if _, err := db.SettleLine(b.ctx, 1); err != nil {
				return err
			}
			_, _, err := db.BookLine(b.ctx, store.LineBooking{LineID: 2, OrderID: 11, Snapshot: b.snapshot(),
				Line: commission.Line{Base: 1000, Quantity: 1}})
			return err
		})
		if !testutil.BlockedOrEnded(t, db, money) {
			t.Fatal("settling and booking waited for the check")
		}
		if err := money.Err(t); err != nil {
			t.Fatal(err)
		}
		h.Release()
		if err := check.Err(t); err != nil {
			t.Fatal(err)
		}
		if len(problems) > 0 {
			t.Fatalf("the check judged two states at once:\n%s", strings.Join(problemTexts(problems), "\n"))
		}
		b.clean()
	})
}
