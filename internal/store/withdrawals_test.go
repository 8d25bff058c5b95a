package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
	"sharemall/internal/wallet"
)

// wdFixture drives withdrawals as several callers on a real database.
type wdFixture struct {
	t     *testing.T
	db    *store.DB
	ctx   context.Context
	clock *testutil.Clock
	op    account.Actor
	n     int
}

func newWdFixture(t *testing.T, db *store.DB) *wdFixture {
	f := &wdFixture{t: t, db: db, ctx: context.Background(), clock: testutil.NewClock()}
	db.Now = f.clock.Now
	f.op = f.account("Olga Operator", account.Operator)
	return f
}

func (f *wdFixture) account(name string, roles ...account.Role) account.Actor {
	f.t.Helper()
	f.n++
	return newActor(f.t, f.db, fmt.Sprintf("wd%d@example.com", f.n), name, roles...)
}

func (f *wdFixture) actor(accountID int64) account.Actor { return actorFor(f.t, f.db, accountID) }

// distributor makes a new account join the network; it returns the
// distributor's id and its actor.
func (f *wdFixture) distributor(name string) (int64, account.Actor) {
	f.t.Helper()
	a := f.account(name)
	d, err := f.db.JoinNetwork(f.ctx, a, network.Join{DisplayName: "shop of " + name})
	if err != nil {
		f.t.Fatal(err)
	}
	return d.ID, f.actor(a.AccountID)
}

// move posts a journal moving amount between two accounts, standing in for
// the commission booking and settlement built elsewhere.
func (f *wdFixture) move(from, to string, amount money.Amount) {
	f.t.Helper()
	f.n++
	j := ledger.Journal{Key: fmt.Sprintf("test:%d", f.n), Kind: "test", Currency: "CNY"}
	j.Move(from, to, amount)
	if _, _, err := f.db.Post(f.ctx, j); err != nil {
		f.t.Fatal(err)
	}
}

// fund credits a distributor's available balance.
func (f *wdFixture) fund(d int64, amount money.Amount) {
	f.move(ledger.Code(ledger.Clearing, 0), ledger.Code(ledger.DistributorAvailable, d), amount)
}

// owe books a clawback of amount to a distributor's debt account.
func (f *wdFixture) owe(d int64, amount money.Amount) {
	f.move(ledger.Code(ledger.DistributorDebt, d), ledger.Code(ledger.Clearing, 0), amount)
}

func (f *wdFixture) rules(min money.Amount, fee money.Rate, daily int) {
	f.t.Helper()
	s, err := f.db.Settings(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	s.Withdrawal = program.Withdrawal{Minimum: min, FeeRate: fee, DailyLimit: daily}
	if _, err := f.db.UpdateSettings(f.ctx, f.op, s, s.Version); err != nil {
		f.t.Fatal(err)
	}
}

func (f *wdFixture) balance(k ledger.Kind, owner int64) money.Amount {
	f.t.Helper()
	b, err := f.db.Balance(f.ctx, ledger.Code(k, owner))
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// wallet checks a distributor's available, withdrawing and debt balances.
func (f *wdFixture) wallet(d int64, available, withdrawing, debt money.Amount) {
	f.t.Helper()
	got := [3]money.Amount{f.balance(ledger.DistributorAvailable, d), f.balance(ledger.DistributorWithdrawing, d), f.balance(ledger.DistributorDebt, d)}
	if want := [3]money.Amount{available, withdrawing, debt}; got != want {
		f.t.Fatalf("distributor %d: available, withdrawing, debt = %v, want %v", d, got, want)
	}
}

// rows counts every withdrawal, as the operator sees them.
func (f *wdFixture) rows() int {
	f.t.Helper()
	ws, err := f.db.Withdrawals(f.ctx, f.op, store.WithdrawalFilter{Limit: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(ws)
}

func (f *wdFixture) journals() int {
	f.t.Helper()
	js, err := f.db.Journals(f.ctx, store.JournalFilter{Limit: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(js)
}

// check fails the test when the ledger check finds anything.
func (f *wdFixture) check() {
	f.t.Helper()
	problems, err := f.db.CheckLedger(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(problems) > 0 {
		f.t.Fatalf("ledger check: %v", problems)
	}
}

func (f *wdFixture) request(who account.Actor, d int64, amount money.Amount, key string) *wallet.Withdrawal {
	f.t.Helper()
	w, err := f.db.RequestWithdrawal(f.ctx, who, d, amount, key)
	if err != nil {
		f.t.Fatalf("request %d from %d: %v", amount, d, err)
	}
	return w
}

func wdErr(t *testing.T, err error, code errs.Code, field string) {
	t.Helper()
	if errs.CodeOf(err) != code || errs.FieldOf(err) != field {
		t.Fatalf("got %v, want %s on %q", err, code, field)
	}
}

func TestRequestWithdrawalRules(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		f.rules(100, 100, 3) // minimum 1.00, fee 1%, 3 a day
		d, me := f.distributor("Dora")
		other, _ := f.distributor("Otto")
		customer := f.account("Carl", account.Customer)
		f.fund(d, 5000)
		f.fund(other, 5000)
		journals := f.journals()

		for _, tc := range []struct {
			name   string
			who    account.Actor
			d      int64
			amount money.Amount
			key    string
			code   errs.Code
			field  string
		}{
			{"zero", me, d, 0, "", errs.Invalid, "amount"},
			{"negative", me, d, -100, "", errs.Invalid, "amount"},
			{"below minimum", me, d, 99, "", errs.Invalid, "amount"},
			{"more than available", me, d, 5001, "", errs.Conflict, "amount"},
			{"overflowing fee", me, d, 1 << 62, "", errs.Invalid, "amount"},
			{"key with a space", me, d, 100, "a b", errs.Invalid, "Idempotency-Key"},
			{"key too long", me, d, 100, strings.Repeat("k", 201), errs.Invalid, "Idempotency-Key"},
			{"anonymous", account.Actor{}, d, 100, "", errs.Unauthorized, ""},
			{"customer", customer, d, 100, "", errs.Forbidden, ""},
			{"another's wallet", me, other, 100, "", errs.NotFound, ""},
			{"through an API key", account.Actor{AccountID: me.AccountID, DistributorID: d, APIKeyID: 1, Roles: me.Roles}, d, 100, "", errs.Forbidden, ""},
			{"operator without distributor", f.op, 0, 100, "", errs.Invalid, "distributor_id"},
			{"operator, unknown distributor", f.op, 9999, 100, "", errs.NotFound, ""},
		} {
			_, err := db.RequestWithdrawal(f.ctx, tc.who, tc.d, tc.amount, tc.key)
			if errs.CodeOf(err) != tc.code || errs.FieldOf(err) != tc.field {
				t.Fatalf("%s: got %v, want %s on %q", tc.name, err, tc.code, tc.field)
			}
		}
		// Every refusal changed nothing.
		f.wallet(d, 5000, 0, 0)
		f.wallet(other, 5000, 0, 0)
		if f.rows() != 0 || f.journals() != journals {
			t.Fatalf("refusals left %d withdrawals, %d journals (had %d)", f.rows(), f.journals(), journals)
		}

		// The fee is floor(amount × rate): 1% of 1.50 is 1.5 cents, so 1 cent.
		w := f.request(me, d, 150, "")
		if w.Status != wallet.Requested || w.Amount != 150 || w.Fee != 1 || w.Net != 149 || w.Currency != "CNY" ||
			w.DistributorID != d || !w.RequestedAt.Equal(f.clock.Now()) || w.DecidedAt != nil || w.PaidAt != nil {
			t.Fatalf("withdrawal = %+v", w)
		}
		f.wallet(d, 4850, 150, 0)
		// An operator may request for a distributor.
		if w := f.request(f.op, d, 1000, ""); w.Fee != 10 || w.Net != 990 {
			t.Fatalf("withdrawal = %+v", w)
		}
		f.wallet(d, 3850, 1150, 0)

		// The daily limit counts requests per program day, whatever their fate.
		f.request(me, d, 100, "")
		_, err := db.RequestWithdrawal(f.ctx, me, d, 100, "")
		wdErr(t, err, errs.TooMany, "daily_limit")
		f.wallet(d, 3750, 1250, 0)
		if f.rows() != 3 {
			t.Fatalf("%d withdrawals after the limit", f.rows())
		}
		f.clock.Advance(21 * time.Hour) // 2 Jan 11:04 → 3 Jan 08:04 in Shanghai
		f.request(me, d, 100, "")
		f.wallet(d, 3650, 1350, 0)

		// A fee that leaves nothing to pay is refused.
		f.rules(100, 10000, 3)
		_, err = db.RequestWithdrawal(f.ctx, me, d, 100, "")
		wdErr(t, err, errs.Invalid, "amount")

		// A wallet in debt cannot withdraw, even with money available.
		f.rules(100, 0, 3)
		f.owe(other, 500)
		_, err = db.RequestWithdrawal(f.ctx, f.op, other, 100, "")
		wdErr(t, err, errs.Conflict, "debt")
		f.wallet(other, 5000, 0, -500)

		// An inactive distributor cannot withdraw.
		s, _ := db.Settings(f.ctx)
		s.DistributorReview = true
		if _, err := db.UpdateSettings(f.ctx, f.op, s, s.Version); err != nil {
			t.Fatal(err)
		}
		pending, pendingActor := f.distributor("Paul")
		f.fund(pending, 1000)
		_, err = db.RequestWithdrawal(f.ctx, pendingActor, pending, 100, "")
		wdErr(t, err, errs.Conflict, "distributor_id")
		f.wallet(pending, 1000, 0, 0)
		if f.rows() != 4 {
			t.Fatalf("%d withdrawals", f.rows())
		}
		f.check()
	})
}

// TestWithdrawalRefusedForDebt: a wallet in debt is refused naming the
// debt and the amount owed, whether it has money available or not (before,
// a wallet with nothing available heard only that the amount was too much).
func TestWithdrawalRefusedForDebt(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		rich, richActor := f.distributor("Rita")
		poor, poorActor := f.distributor("Pete")
		short, shortActor := f.distributor("Sam")
		f.fund(rich, 5000)
		f.fund(short, 50)
		for _, d := range []int64{rich, poor, short} {
			f.owe(d, 1234)
		}
		for _, tc := range []struct {
			name  string
			who   account.Actor
			d     int64
			avail money.Amount
		}{
			{"with money available", richActor, rich, 5000},
			{"with nothing available", poorActor, poor, 0},
			{"with less available than asked", shortActor, short, 50},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.RequestWithdrawal(f.ctx, tc.who, tc.d, 100, "")
				wdErr(t, err, errs.Conflict, "debt")
				if msg := errs.MessageOf(err); !strings.Contains(msg, "12.34 CNY") {
					t.Fatalf("message %q does not say what is owed", msg)
				}
				f.wallet(tc.d, tc.avail, 0, -1234)
			})
		}
		if f.rows() != 0 {
			t.Fatalf("%d withdrawals stored", f.rows())
		}
	})
}

func TestWithdrawalIdempotencyKey(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		f.rules(100, 0, 2)
		d, me := f.distributor("Dora")
		other, otherActor := f.distributor("Otto")
		f.fund(d, 5000)
		f.fund(other, 5000)
		first := f.request(me, d, 500, "key-1")
		if first.ClientKey != "key-1" {
			t.Fatalf("client key = %q", first.ClientKey)
		}
		journals := f.journals()
		// A retry returns the first withdrawal, holds nothing more, and does
		// not count against the daily limit.
		for range 3 {
			if again := f.request(me, d, 500, "key-1"); again.ID != first.ID {
				t.Fatalf("retry made withdrawal %d, first was %d", again.ID, first.ID)
			}
		}
		_, err := db.RequestWithdrawal(f.ctx, me, d, 600, "key-1")
		wdErr(t, err, errs.Conflict, "Idempotency-Key")
		f.wallet(d, 4500, 500, 0)
		if f.rows() != 1 || f.journals() != journals {
			t.Fatalf("retries left %d withdrawals, %d journals", f.rows(), f.journals())
		}
		// Keys belong to one distributor: another may use the same.
		if w := f.request(otherActor, other, 700, "key-1"); w.ID == first.ID || w.DistributorID != other {
			t.Fatalf("other's withdrawal = %+v", w)
		}
		// The retry is answered even once the withdrawal was decided.
		if _, err := db.RejectWithdrawal(f.ctx, f.op, first.ID, "wrong bank account"); err != nil {
			t.Fatal(err)
		}
		if again := f.request(me, d, 500, "key-1"); again.ID != first.ID || again.Status != wallet.Rejected {
			t.Fatalf("retry after reject = %+v", again)
		}
		f.wallet(d, 5000, 0, 0)
		f.request(me, d, 500, "key-2")
		f.wallet(d, 4500, 500, 0)
		f.check()
	})
}

func TestWithdrawalVisibility(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		d1, a1 := f.distributor("Ann")
		d2, a2 := f.distributor("Bob")
		customer := f.account("Carl", account.Customer)
		f.fund(d1, 1000)
		f.fund(d2, 1000)
		w1 := f.request(a1, d1, 300, "")
		w2 := f.request(a2, d2, 400, "")
		f.request(a1, d1, 200, "")
		if _, err := db.ApproveWithdrawal(f.ctx, f.op, w1.ID, ""); err != nil {
			t.Fatal(err)
		}

		if w, err := db.Withdrawal(f.ctx, a1, w1.ID); err != nil || w.ID != w1.ID {
			t.Fatalf("own withdrawal: %v %v", w, err)
		}
		_, err := db.Withdrawal(f.ctx, a1, w2.ID)
		wdErr(t, err, errs.NotFound, "")
		_, err = db.Withdrawal(f.ctx, customer, w2.ID)
		wdErr(t, err, errs.NotFound, "")
		_, err = db.Withdrawal(f.ctx, account.Actor{}, w2.ID)
		wdErr(t, err, errs.Unauthorized, "")
		_, err = db.Withdrawal(f.ctx, f.op, 9999)
		wdErr(t, err, errs.NotFound, "")
		if w, err := db.Withdrawal(f.ctx, f.op, w2.ID); err != nil || w.DistributorID != d2 {
			t.Fatalf("operator: %v %v", w, err)
		}

		list := func(who account.Actor, filter store.WithdrawalFilter) []int64 {
			t.Helper()
			ws, err := db.Withdrawals(f.ctx, who, filter)
			if err != nil {
				t.Fatal(err)
			}
			ids := []int64{}
			for _, w := range ws {
				ids = append(ids, w.ID)
			}
			return ids
		}
		if got := list(a1, store.WithdrawalFilter{}); fmt.Sprint(got) != fmt.Sprint([]int64{w1.ID, w1.ID + 2}) {
			t.Fatalf("own list = %v", got)
		}
		if got := list(a1, store.WithdrawalFilter{Status: wallet.Approved}); fmt.Sprint(got) != fmt.Sprint([]int64{w1.ID}) {
			t.Fatalf("own approved = %v", got)
		}
		if got := list(f.op, store.WithdrawalFilter{}); len(got) != 3 {
			t.Fatalf("operator list = %v", got)
		}
		if got := list(f.op, store.WithdrawalFilter{Status: wallet.Requested}); fmt.Sprint(got) != fmt.Sprint([]int64{w2.ID, w2.ID + 1}) {
			t.Fatalf("review queue = %v", got)
		}
		if got := list(f.op, store.WithdrawalFilter{DistributorID: d2}); fmt.Sprint(got) != fmt.Sprint([]int64{w2.ID}) {
			t.Fatalf("operator by distributor = %v", got)
		}
		if got := list(f.op, store.WithdrawalFilter{After: w1.ID, Limit: 1}); fmt.Sprint(got) != fmt.Sprint([]int64{w2.ID}) {
			t.Fatalf("page = %v", got)
		}
		_, err = db.Withdrawals(f.ctx, a1, store.WithdrawalFilter{DistributorID: d2})
		wdErr(t, err, errs.NotFound, "")
		_, err = db.Withdrawals(f.ctx, customer, store.WithdrawalFilter{})
		wdErr(t, err, errs.Forbidden, "")
		_, err = db.Withdrawals(f.ctx, account.Actor{}, store.WithdrawalFilter{})
		wdErr(t, err, errs.Unauthorized, "")

		// Only operators decide, and a refused decision changes nothing.
		for _, who := range []account.Actor{a1, a2, customer} {
			_, err = db.ApproveWithdrawal(f.ctx, who, w2.ID, "")
			wdErr(t, err, errs.Forbidden, "")
			_, err = db.RejectWithdrawal(f.ctx, who, w2.ID, "no")
			wdErr(t, err, errs.Forbidden, "")
			_, _, err = db.CreatePayoutBatch(f.ctx, who)
			wdErr(t, err, errs.Forbidden, "")
		}
		_, err = db.ApproveWithdrawal(f.ctx, account.Actor{}, w2.ID, "")
		wdErr(t, err, errs.Unauthorized, "")
		if w, _ := db.Withdrawal(f.ctx, f.op, w2.ID); w.Status != wallet.Requested || w.DecidedAt != nil {
			t.Fatalf("refused decisions changed %+v", w)
		}
		f.wallet(d2, 600, 400, 0)
	})
}
