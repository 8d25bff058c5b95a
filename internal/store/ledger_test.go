package store_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func booking(key string, seller, supplier int64) ledger.Journal {
	j := ledger.Journal{Key: key, Kind: "book", Currency: "CNY"}
	j.Move(ledger.Code(ledger.Clearing, 0), ledger.Code(ledger.DistributorPending, seller), 599)
	j.Move(ledger.Code(ledger.Clearing, 0), ledger.Code(ledger.SupplierPending, supplier), 4980)
	return j
}

func TestLedgerPost(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		j := booking("book:line:1", 7, 3)
		id, posted, err := db.Post(ctx, j)
		if err != nil || !posted || id == 0 {
			t.Fatalf("post: %d %v %v", id, posted, err)
		}
		// The same cause again books nothing and returns the first journal.
		again, posted, err := db.Post(ctx, j)
		if err != nil || posted || again != id {
			t.Fatalf("repost: %d %v %v", again, posted, err)
		}
		// The same key for a different movement is a bug, refused.
		other := booking("book:line:1", 7, 3)
		other.Move(ledger.Code(ledger.Clearing, 0), ledger.Code(ledger.PlatformPending, 0), 1)
		if _, _, err := db.Post(ctx, other); !errors.Is(err, ledger.ErrKeyReused) || errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("key reuse: %v", err)
		}
		if b, _ := db.Balance(ctx, "distributor_pending:7"); b != 599 {
			t.Fatalf("pending = %d", b)
		}
		if b, _ := db.Balance(ctx, "clearing"); b != -5579 {
			t.Fatalf("clearing = %d", b)
		}
		if b, _ := db.Balance(ctx, "distributor_available:99"); b != 0 {
			t.Fatalf("unused account = %d", b)
		}
		// An unbalanced journal never reaches the database.
		bad := ledger.Journal{Key: "bad", Kind: "x", Currency: "CNY", Entries: []ledger.Entry{
			{Account: "clearing", Direction: ledger.Debit, Amount: 5}, {Account: "refunds", Direction: ledger.Credit, Amount: 4}}}
		if _, _, err := db.Post(ctx, bad); err == nil {
			t.Fatal("unbalanced journal posted")
		}
		// A covered debit beyond the balance fails the whole journal.
		hold := ledger.Journal{Key: "hold:1", Kind: "withdrawal.request", Currency: "CNY", Entries: []ledger.Entry{
			{Account: "distributor_pending:7", Direction: ledger.Debit, Amount: 600, Covered: true},
			{Account: "distributor_withdrawing:7", Direction: ledger.Credit, Amount: 600}}}
		if _, _, err := db.Post(ctx, hold); !store.IsNotCovered(err) {
			t.Fatalf("uncovered hold: %v", err)
		}
		hold.Key, hold.Entries[0].Amount, hold.Entries[1].Amount = "hold:2", 599, 599
		if _, posted, err := db.Post(ctx, hold); err != nil || !posted {
			t.Fatalf("covered hold: %v", err)
		}
		js, err := db.Journals(ctx, store.JournalFilter{Account: "distributor_pending:7"})
		if err != nil || len(js) != 2 || len(js[0].Entries) != 4 || js[1].Key != "hold:2" {
			t.Fatalf("journals = %+v, %v", js, err)
		}
		// The journals are sound; what they move was posted by hand, with no
		// commission line or withdrawal behind it, and the check says so.
		problems, err := db.CheckLedger(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"account distributor_withdrawing:7: holds 599 but the distributor's open withdrawals total 0",
			"account supplier_pending:3: balance 4980 ≠ 0, the pending shares of its party in lines not settled yet",
		}
		if got := problemTexts(problems); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("check said:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

func problemTexts(ps []store.LedgerProblem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// TestLedgerImmutable: the database itself refuses to change or remove
// journals and entries, on both engines.
func TestLedgerImmutable(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, _, err := db.Post(ctx, booking("book:line:1", 7, 3)); err != nil {
			t.Fatal(err)
		}
		before, err := db.CheckLedger(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`UPDATE ledger_entries SET amount = amount + 1`,
			`DELETE FROM ledger_entries`,
			`UPDATE journals SET memo = 'changed'`,
			`DELETE FROM journals`,
		} {
			if err := db.ExecRaw(ctx, q); err == nil {
				t.Errorf("%s: allowed", q)
			}
		}
		// (A booking posted by hand has no line behind it: the check says so
		// before and after, and nothing else.)
		if after, err := db.CheckLedger(ctx); err != nil || len(after) != len(before) {
			t.Fatalf("check after refused changes: %v %v; before: %v", after, err, before)
		}
	})
}

// TestLedgerCheckFindsCorruption corrupts the books by hand in the ways the
// rules cannot stop and expects the check to name each.
func TestLedgerCheckFindsCorruption(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id, _, err := db.Post(ctx, booking("book:line:1", 7, 3))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Post(ctx, booking("book:line:2", 8, 3)); err != nil {
			t.Fatal(err)
		}
		// An extra entry inserted behind the ledger's back unbalances journal 1
		// and makes the cached balance of its account disagree.
		if err := db.ExecUnguarded(ctx, `INSERT INTO ledger_entries (journal_id, account_id, direction, amount, currency)
			SELECT `+itoa(id)+`, id, 'C', 100, 'CNY' FROM ledger_accounts WHERE code = 'distributor_pending:7'`); err != nil {
			t.Fatal(err)
		}
		// A cache edited by hand, and a wallet below zero.
		if err := db.ExecRaw(ctx, `UPDATE ledger_accounts SET balance = balance - 1000 WHERE code = 'distributor_pending:8'`); err != nil {
			t.Fatal(err)
		}
		problems, err := db.CheckLedger(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var text []string
		for _, p := range problems {
			text = append(text, p.String())
		}
		all := strings.Join(text, "\n")
		for _, want := range []string{
			"journal " + itoa(id) + " (book:line:1): debits 5579 ≠ credits 5679 in CNY",
			"account distributor_pending:7: cached balance 599 ≠ 699 from its entries",
			"account distributor_pending:8: cached balance -401 ≠ 599 from its entries",
			"account distributor_pending:8: balance -401 below zero without a recorded debt",
		} {
			if !strings.Contains(all, want) {
				t.Errorf("check did not report %q; it said:\n%s", want, all)
			}
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
