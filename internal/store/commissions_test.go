package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// books is a fixture for commission tests: a seller under a sponsor (real
// distributors, so their wallets can be read), a supplier id and an operator.
type books struct {
	t                 *testing.T
	db                *store.DB
	ctx               context.Context
	seller, sponsor   int64
	supplier          int64
	op                account.Actor
	sellerA, sponsorA account.Actor
}

func newBooks(t *testing.T, db *store.DB) *books {
	b := &books{t: t, db: db, ctx: context.Background(), supplier: 501}
	db.Now = testutil.NewClock().Now
	ids, err := db.SeedTree(b.ctx, []int{-1, 0})
	if err != nil {
		t.Fatal(err)
	}
	b.sponsor, b.seller = ids[0], ids[1]
	b.op = account.Actor{AccountID: 900, Roles: []account.Role{account.Operator}}
	b.sellerA = account.Actor{AccountID: 901, Roles: []account.Role{account.Distributor}, DistributorID: b.seller}
	b.sponsorA = account.Actor{AccountID: 902, Roles: []account.Role{account.Distributor}, DistributorID: b.sponsor}
	return b
}

// snapshot is the worked example's: 2 tiers at 10% and 5%, platform 2%.
func (b *books) snapshot() commission.Snapshot {
	return commission.Snapshot{Currency: "CNY", SupplierID: b.supplier, SellerID: b.seller, Upline: []int64{b.sponsor},
		Rules: []commission.TierRule{commission.Rate(1000), commission.Rate(500)}, PlatformRate: 200, Cap: 3000}
}

func (b *books) book(lineID, orderID int64, l commission.Line) *store.CommissionLine {
	b.t.Helper()
	line, booked, err := b.db.BookLine(b.ctx, store.LineBooking{LineID: lineID, OrderID: orderID, Snapshot: b.snapshot(), Line: l})
	if err != nil || !booked {
		b.t.Fatalf("BookLine %d: booked %v, %v", lineID, booked, err)
	}
	b.clean()
	return line
}

// clean fails the test unless the ledger check finds nothing.
func (b *books) clean() {
	b.t.Helper()
	problems, err := b.db.CheckLedger(b.ctx)
	if err != nil {
		b.t.Fatal(err)
	}
	if len(problems) > 0 {
		var s []string
		for _, p := range problems {
			s = append(s, p.String())
		}
		b.t.Fatalf("ledger check:\n%s", strings.Join(s, "\n"))
	}
}

// balances fails the test unless each account code has the balance given.
func (b *books) balances(want map[string]money.Amount) {
	b.t.Helper()
	for code, w := range want {
		got, err := b.db.Balance(b.ctx, code)
		if err != nil {
			b.t.Fatal(err)
		}
		if got != w {
			b.t.Errorf("%s = %d, want %d", code, got, w)
		}
	}
	if b.t.Failed() {
		b.t.FailNow()
	}
}

func (b *books) wallet(id int64) walletView {
	b.t.Helper()
	w, err := b.db.Wallet(b.ctx, b.op, id)
	if err != nil {
		b.t.Fatal(err)
	}
	return walletView{w.Pending, w.Available, w.Withdrawing, w.Withdrawn, w.Debt}
}

type walletView struct{ pending, available, withdrawing, withdrawn, debt money.Amount }

func code(k ledger.Kind, id int64) string { return ledger.Code(k, id) }

func TestCommissionWorkedExample(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBooks(t, db)
		pend := func(id int64) string { return code(ledger.DistributorPending, id) }
		avail := func(id int64) string { return code(ledger.DistributorAvailable, id) }

		// 3 × 19.99 paid: pending seller 5.99, sponsor 2.99, platform 1.19, supplier 49.80.
		b.book(1, 10, commission.Line{Base: 5997, Quantity: 3})
		b.balances(map[string]money.Amount{pend(b.seller): 599, pend(b.sponsor): 299, "platform_pending": 119,
			code(ledger.SupplierPending, b.supplier): 4980, "clearing": -5997})

		// One unit refunded before settlement: recomputed on 39.98, never scaled.
		line, refunded, err := db.RefundLine(b.ctx, 1, "rma-1", commission.Line{Base: 3998, Quantity: 2})
		if err != nil || !refunded {
			t.Fatalf("refund: %v %v", refunded, err)
		}
		b.clean()
		b.balances(map[string]money.Amount{pend(b.seller): 399, pend(b.sponsor): 199, "platform_pending": 79,
			code(ledger.SupplierPending, b.supplier): 3321, "refunds": 1999, "clearing": -5997})
		if line.Current != (commission.Line{Base: 3998, Quantity: 2}) || line.Shares[0].Amount != 399 || line.Shares[0].Booked != 599 {
			t.Fatalf("line after refund: %+v", line)
		}

		if settled, err := db.SettleLine(b.ctx, 1); err != nil || !settled {
			t.Fatalf("settle: %v %v", settled, err)
		}
		b.clean()
		b.balances(map[string]money.Amount{pend(b.seller): 0, pend(b.sponsor): 0, "platform_pending": 0,
			code(ledger.SupplierPending, b.supplier): 0, avail(b.seller): 399, avail(b.sponsor): 199,
			"platform_revenue": 79, code(ledger.SupplierPayable, b.supplier): 3321})

		// 3.00 leaves the seller's wallet (paid out directly: no withdrawal,
		// so the wallet's withdrawn figure, its paid withdrawals, stays 0).
		j := ledger.Journal{Key: "test:payout:1", Kind: "test.payout", Currency: "CNY"}
		j.Move(avail(b.seller), "withdrawals_paid", 300)
		if _, _, err := db.Post(b.ctx, j); err != nil {
			t.Fatal(err)
		}
		if w := b.wallet(b.seller); w != (walletView{available: 99}) {
			t.Fatalf("seller wallet before the clawback: %+v", w)
		}

		// The rest refunded after settlement: the seller's 3.99 finds 0.99, 3.00 becomes debt.
		line, _, err = db.RefundLine(b.ctx, 1, "rma-2", commission.Line{})
		if err != nil {
			t.Fatal(err)
		}
		b.clean()
		for _, s := range line.Shares {
			if s.Amount != 0 {
				t.Fatalf("a full refund left %s with %d", s.Party, s.Amount)
			}
		}
		b.balances(map[string]money.Amount{avail(b.seller): 0, code(ledger.DistributorDebt, b.seller): -300, avail(b.sponsor): 0,
			"platform_revenue": 0, code(ledger.SupplierPayable, b.supplier): 0, "refunds": 5997, "clearing": -5997})
		if w := b.wallet(b.seller); w != (walletView{debt: 300}) {
			t.Fatalf("seller wallet after the clawback: %+v", w)
		}

		// Later earnings pay the debt first: 40.00 at 10% gives the seller 4.00, 3.00 of it to the debt.
		b.book(2, 11, commission.Line{Base: 4000, Quantity: 1})
		if w := b.wallet(b.seller); w != (walletView{pending: 400, debt: 300}) {
			t.Fatalf("seller wallet with new earnings pending: %+v", w)
		}
		if _, err := db.SettleLine(b.ctx, 2); err != nil {
			t.Fatal(err)
		}
		b.clean()
		if w := b.wallet(b.seller); w != (walletView{available: 100}) {
			t.Fatalf("seller wallet after the debt is paid: %+v", w)
		}
		if w := b.wallet(b.sponsor); w != (walletView{available: 200}) {
			t.Fatalf("sponsor wallet: %+v", w)
		}
	})
}

func TestCommissionIdempotentAndRefused(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBooks(t, db)
		paid := commission.Line{Base: 5997, Markup: 300, Quantity: 3}
		b.book(1, 10, paid)
		journals := func() int {
			js, err := db.Journals(b.ctx, store.JournalFilter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			return len(js)
		}
		before := journals()
		booking := store.LineBooking{LineID: 1, OrderID: 10, Snapshot: b.snapshot(), Line: paid}
		if line, booked, err := db.BookLine(b.ctx, booking); err != nil || booked || line.Booked != paid {
			t.Fatalf("booking again: %v %v %+v", booked, err, line)
		}
		// Other input for a booked line, and bad input, are refused and change nothing.
		other := booking
		other.Line.Base--
		_, _, err := db.BookLine(b.ctx, other)
		wantErr(t, err, errs.Conflict, "line_id")
		other = booking
		other.Snapshot.PlatformRate = 300
		_, _, err = db.BookLine(b.ctx, other)
		wantErr(t, err, errs.Conflict, "line_id")
		other = booking
		other.LineID, other.Snapshot.Currency = 2, "USD"
		_, _, err = db.BookLine(b.ctx, other)
		wantErr(t, err, errs.Invalid, "currency")
		other = booking
		other.LineID, other.Line.Base = 2, -1
		_, _, err = db.BookLine(b.ctx, other)
		wantErr(t, err, errs.Invalid, "base")
		other.LineID = 0
		_, _, err = db.BookLine(b.ctx, other)
		wantErr(t, err, errs.Invalid, "line_id")
		if _, err := db.CommissionLine(b.ctx, 2); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a refused booking stored line 2: %v", err)
		}

		// Refunds: more than remains, nothing, bad keys, unknown lines.
		_, _, err = db.RefundLine(b.ctx, 1, "r", commission.Line{Base: 5998, Markup: 300, Quantity: 3})
		wantErr(t, err, errs.Invalid, "after.base")
		_, _, err = db.RefundLine(b.ctx, 1, "r", commission.Line{Base: 100, Markup: 301, Quantity: 1})
		wantErr(t, err, errs.Invalid, "after.markup")
		_, _, err = db.RefundLine(b.ctx, 1, "r", paid)
		wantErr(t, err, errs.Invalid, "after")
		_, _, err = db.RefundLine(b.ctx, 1, "", commission.Line{})
		wantErr(t, err, errs.Invalid, "refund_key")
		_, _, err = db.RefundLine(b.ctx, 99, "r", commission.Line{})
		wantErr(t, err, errs.NotFound, "")
		if journals() != before {
			t.Fatal("a refused request posted a journal")
		}
		if line, _ := db.CommissionLine(b.ctx, 1); line.Current != paid {
			t.Fatalf("a refused refund changed the line: %+v", line.Current)
		}

		half := commission.Line{Base: 1999, Markup: 100, Quantity: 1}
		if _, refunded, err := db.RefundLine(b.ctx, 1, "r", half); err != nil || !refunded {
			t.Fatal(refunded, err)
		}
		if _, refunded, err := db.RefundLine(b.ctx, 1, "r", half); err != nil || refunded {
			t.Fatalf("the same refund again: %v %v", refunded, err)
		}
		_, _, err = db.RefundLine(b.ctx, 1, "r", commission.Line{})
		wantErr(t, err, errs.Conflict, "refund_key")

		// Held lines do not settle; settling twice settles once.
		if err := db.SetLineHeld(b.ctx, 1, true); err != nil {
			t.Fatal(err)
		}
		_, err = db.SettleLine(b.ctx, 1)
		wantErr(t, err, errs.Conflict, "held")
		if line, _ := db.CommissionLine(b.ctx, 1); line.Status != store.LinePending {
			t.Fatalf("a held line settled: %s", line.Status)
		}
		wantErr(t, db.SetLineHeld(b.ctx, 99, true), errs.NotFound, "")
		if err := db.SetLineHeld(b.ctx, 1, false); err != nil {
			t.Fatal(err)
		}
		if settled, err := db.SettleLine(b.ctx, 1); err != nil || !settled {
			t.Fatal(settled, err)
		}
		if settled, err := db.SettleLine(b.ctx, 1); err != nil || settled {
			t.Fatalf("settling again: %v %v", settled, err)
		}
		_, err = db.SettleLine(b.ctx, 99)
		wantErr(t, err, errs.NotFound, "")
		b.balances(map[string]money.Amount{code(ledger.DistributorAvailable, b.seller): 199 + 100, "refunds": 5997 + 300 - 1999 - 100})
		b.clean()
	})
}

// Many callers settling, booking and refunding the same line at once: each
// takes effect once, and nobody gets an error, on both engines.
func TestCommissionConcurrent(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBooks(t, db)
		const n = 20
		booking := store.LineBooking{LineID: 7, OrderID: 70, Snapshot: b.snapshot(), Line: commission.Line{Base: 10000, Quantity: 2}}
		race := func(name string, fn func() (bool, error)) {
			t.Helper()
			var wg sync.WaitGroup
			var mu sync.Mutex
			won := 0
			for range n {
				wg.Go(func() {
					ok, err := fn()
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						t.Errorf("%s: %v", name, err)
					}
					if ok {
						won++
					}
				})
			}
			wg.Wait()
			if won != 1 {
				t.Fatalf("%s took effect %d times", name, won)
			}
			b.clean()
		}
		race("BookLine", func() (bool, error) { _, ok, err := db.BookLine(b.ctx, booking); return ok, err })
		race("RefundLine", func() (bool, error) {
			_, ok, err := db.RefundLine(b.ctx, 7, "once", commission.Line{Base: 5000, Quantity: 1})
			return ok, err
		})
		race("SettleLine", func() (bool, error) { return db.SettleLine(b.ctx, 7) })
		b.balances(map[string]money.Amount{code(ledger.DistributorAvailable, b.seller): 500, code(ledger.DistributorAvailable, b.sponsor): 250,
			"refunds": 5000, code(ledger.SupplierPayable, b.supplier): 4150, "platform_revenue": 100})
	})
}

func TestCommissionsVisibility(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBooks(t, db)
		b.book(1, 10, commission.Line{Base: 5997, Quantity: 3})
		b.book(2, 11, commission.Line{Base: 1000, Quantity: 1})
		if _, _, err := db.RefundLine(b.ctx, 2, "r", commission.Line{Base: 500, Quantity: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SettleLine(b.ctx, 1); err != nil {
			t.Fatal(err)
		}
		supplierA := account.Actor{AccountID: 903, Roles: []account.Role{account.Supplier}, SupplierID: b.supplier}
		list := func(a account.Actor, f store.CommissionFilter) []string {
			t.Helper()
			rs, err := db.Commissions(b.ctx, a, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rs {
				out = append(out, fmt.Sprintf("%d %s %d/%d %s", r.LineID, r.Party.Kind, r.Amount, r.Booked, r.Status))
			}
			return out
		}
		want := func(got []string, want ...string) {
			t.Helper()
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("got %q\nwant %q", got, want)
			}
		}
		want(list(b.sellerA, store.CommissionFilter{}), "1 tier 599/599 settled", "2 tier 50/100 pending")
		want(list(b.sellerA, store.CommissionFilter{Status: store.SharesAvailable}), "1 tier 599/599 settled")
		// Partly refunded is still pending; reversed is only what refunds took whole.
		want(list(b.sellerA, store.CommissionFilter{Status: store.SharesPending}), "2 tier 50/100 pending")
		want(list(b.sellerA, store.CommissionFilter{Status: store.SharesReversed}))
		want(list(b.sponsorA, store.CommissionFilter{OrderID: 11}), "2 tier 25/50 pending")
		want(list(supplierA, store.CommissionFilter{Status: store.SharesPending}), "2 supplier 415/830 pending")
		want(list(b.op, store.CommissionFilter{DistributorID: b.seller, Limit: 1}), "1 tier 599/599 settled", "2 tier 50/100 pending")
		if n := len(list(b.op, store.CommissionFilter{OrderID: 10})); n != 4 {
			t.Fatalf("operator sees %d shares of order 10, want 4 (seller, sponsor, platform, supplier)", n)
		}

		for _, tc := range []struct {
			actor account.Actor
			f     store.CommissionFilter
			code  errs.Code
			field string
		}{
			{account.Actor{}, store.CommissionFilter{}, errs.Unauthorized, ""},
			{account.Actor{AccountID: 5, Roles: []account.Role{account.Customer}}, store.CommissionFilter{}, errs.Forbidden, ""},
			{b.sellerA, store.CommissionFilter{DistributorID: b.sponsor}, errs.NotFound, "distributor_id"},
			{supplierA, store.CommissionFilter{SupplierID: 502}, errs.NotFound, "supplier_id"},
			{supplierA, store.CommissionFilter{DistributorID: b.seller}, errs.NotFound, "distributor_id"},
			{b.op, store.CommissionFilter{Status: "paid"}, errs.Invalid, "status"},
			{b.op, store.CommissionFilter{DistributorID: 1, SupplierID: 1}, errs.Invalid, "supplier_id"},
		} {
			_, err := db.Commissions(b.ctx, tc.actor, tc.f)
			wantErr(t, err, tc.code, tc.field)
		}

		// Wallets: self and operators; another distributor's is NotFound.
		if _, err := db.Wallet(b.ctx, b.sellerA, b.seller); err != nil {
			t.Fatal(err)
		}
		_, err := db.Wallet(b.ctx, b.sellerA, b.sponsor)
		wantErr(t, err, errs.NotFound, "")
		_, err = db.Wallet(b.ctx, b.op, 999999)
		wantErr(t, err, errs.NotFound, "")
		_, err = db.Wallet(b.ctx, account.Actor{}, b.seller)
		wantErr(t, err, errs.Unauthorized, "")
		_, err = db.Wallet(b.ctx, supplierA, b.seller)
		wantErr(t, err, errs.Forbidden, "")
	})
}

// The ledger check catches a line whose shares no longer sum to what was paid.
func TestCheckLineShares(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBooks(t, db)
		b.book(1, 10, commission.Line{Base: 5997, Quantity: 3})
		b.book(2, 10, commission.Line{Base: 1000, Quantity: 1})
		if err := db.ExecRaw(b.ctx, `UPDATE commission_shares SET amount = amount + 1 WHERE line_id = 2 AND party = 'platform'`); err != nil {
			t.Fatal(err)
		}
		problems, err := db.CheckLedger(b.ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The line's shares no longer sum to what was paid, and the platform's
		// pending account no longer holds the platform's pending shares.
		if len(problems) != 2 || problems[0].Journal != "book:line:2" || !strings.Contains(problems[0].String(), "line 2") ||
			problems[1].String() != "account platform_pending: balance 139 ≠ 140, the pending shares of its party in lines not settled yet" {
			t.Fatalf("problems: %v", problems)
		}
	})
}
