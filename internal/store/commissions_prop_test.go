package store_test

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
	"sharemall/internal/wallet"
)

// limitRapid lowers rapid's checks and steps for one test (never raises
// what the command line asked for) and restores them after.
func limitRapid(t *testing.T, checks, steps int) {
	for name, n := range map[string]int{"rapid.checks": checks, "rapid.steps": steps} {
		f := flag.Lookup(name)
		old := f.Value.String()
		if cur, _ := strconv.Atoi(old); cur > n {
			f.Value.Set(strconv.Itoa(n))
			t.Cleanup(func() { f.Value.Set(old) })
		}
	}
}

// TestLedgerMachine drives random sequences of bookings, settlements,
// holds, partial and full refunds before and after settlement, repeats,
// the same settlement or refund twice at once, payouts, withdrawal
// requests, approvals and rejections, against the store and against a
// model in memory of every party's balances. After each step the balances, wallets and lines equal
// the model's and the ledger check finds nothing.
//
// One database per engine serves every run; each run gets fresh
// distributors, suppliers and lines, and reads the shared accounts
// (clearing, refunds, platform) as a baseline.
func TestLedgerMachine(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		if db.Engine() == store.Postgres || raceDetector {
			limitRapid(t, 10, 15)
		} else {
			limitRapid(t, 30, 20)
		}
		ctx := context.Background()
		clock := testutil.NewClock()
		db.Now = clock.Now
		n := 0
		newAccount := func(roles ...account.Role) account.Actor {
			n++
			a, err := db.CreateAccount(ctx, account.SignUp{Email: fmt.Sprintf("m%d@example.com", n)}, "hash", roles...)
			if err != nil {
				t.Fatal(err)
			}
			actor, err := db.ActorFor(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			return actor
		}
		op := newAccount(account.Operator)
		s, err := db.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.Withdrawal.DailyLimit, s.Withdrawal.FeeRate = 100, 100 // 1% fee, so fees reach revenue
		if _, err := db.UpdateSettings(ctx, op, s, s.Version); err != nil {
			t.Fatal(err)
		}
		var nextLine, nextPayout, nextSupplier int64 = 0, 0, 10000
		rapid.Check(t, func(rt *rapid.T) {
			clock.Advance(48 * time.Hour) // a new day: the daily withdrawal limit starts afresh
			m := &machine{rt: rt, db: db, ctx: ctx, op: op, want: map[string]money.Amount{}, lines: map[int64]*modelLine{}, withdrawals: map[int64]*modelWithdrawal{},
				net: map[int64]money.Amount{}, withdrawn: map[int64]money.Amount{}}
			for range 2 { // few, so that lines share them and clawbacks meet withdrawals
				a := newAccount()
				d, err := db.JoinNetwork(ctx, a, network.Join{DisplayName: "m"})
				if err != nil {
					rt.Fatal(err)
				}
				m.distributors = append(m.distributors, d.ID)
			}
			for range 2 {
				nextSupplier++
				m.suppliers = append(m.suppliers, nextSupplier)
			}
			for _, k := range []ledger.Kind{ledger.Clearing, ledger.Refunds, ledger.PlatformPending, ledger.PlatformRevenue, ledger.WithdrawalsPaid} {
				m.want[string(k)] = m.balance(string(k))
			}
			m.nextLine, m.nextPayout = &nextLine, &nextPayout
			// Repeat draws actions uniformly; the ones that build up money
			// are listed twice, so that debts meet later earnings often.
			rt.Repeat(map[string]func(*rapid.T){
				"book":           m.book,
				"book (2)":       m.book,
				"settle (2)":     m.settle,
				"settle again":   m.settleAgain,
				"refund (2)":     m.refund,
				"book again":     m.bookAgain,
				"settle":         m.settle,
				"settle at once": m.settleAtOnce,
				"hold":           m.hold,
				"refund":         m.refund,
				"refund again":   m.refundAgain,
				"withdraw":       m.withdraw,
				"decide":         m.decide,
				"pay out":        m.payOut,
				"":               m.check,
			})
		})
	})
}

type modelLine struct {
	booking store.LineBooking
	current commission.Line
	settled bool
	held    bool
	refunds []refundStep
}

type refundStep struct {
	key   string
	after commission.Line
}

type modelWithdrawal struct {
	distributor int64
	amount, fee money.Amount
	status      wallet.Status
}

type machine struct {
	rt           *rapid.T
	db           *store.DB
	ctx          context.Context
	op           account.Actor
	distributors []int64
	suppliers    []int64
	nextLine     *int64
	nextPayout   *int64
	lines        map[int64]*modelLine
	lineIDs      []int64
	withdrawals  map[int64]*modelWithdrawal
	wIDs         []int64
	// want is every account's expected balance; a distributor's available
	// and debt are derived from net (available − debt), withdrawn counted apart.
	want      map[string]money.Amount
	net       map[int64]money.Amount
	withdrawn map[int64]money.Amount
}

func (m *machine) balance(code string) money.Amount {
	b, err := m.db.Balance(m.ctx, code)
	if err != nil {
		m.rt.Fatal(err)
	}
	return b
}

// party moves a share in the model: to pending, or settled to where it belongs.
func (m *machine) pending(p commission.Party, a money.Amount) {
	switch p.Kind {
	case commission.KindPlatform:
		m.want[string(ledger.PlatformPending)] += a
	case commission.KindSupplier:
		m.want[ledger.Code(ledger.SupplierPending, p.ID)] += a
	default:
		m.want[ledger.Code(ledger.DistributorPending, p.ID)] += a
	}
}

func (m *machine) settledShare(p commission.Party, a money.Amount) {
	switch p.Kind {
	case commission.KindPlatform:
		m.want[string(ledger.PlatformRevenue)] += a
	case commission.KindSupplier:
		m.want[ledger.Code(ledger.SupplierPayable, p.ID)] += a
	default:
		m.net[p.ID] += a // earnings pay the debt first; clawbacks take available first
	}
}

func split(rt *rapid.T, s commission.Snapshot, l commission.Line) commission.Shares {
	shares, err := commission.Split(s, l)
	if err != nil {
		rt.Fatalf("model split: %v", err)
	}
	return shares
}

func (m *machine) anyDistributor(rt *rapid.T, label string) int64 {
	return rapid.SampledFrom(m.distributors).Draw(rt, label)
}

func (m *machine) book(rt *rapid.T) {
	s := commission.Snapshot{Currency: "CNY", SupplierID: rapid.SampledFrom(m.suppliers).Draw(rt, "supplier"),
		PlatformRate: money.Rate(rapid.IntRange(0, 500).Draw(rt, "platform")), Cap: money.Rate(rapid.IntRange(500, 4000).Draw(rt, "cap"))}
	tiers := rapid.IntRange(1, 3).Draw(rt, "tiers")
	for k := range tiers {
		if rapid.Bool().Draw(rt, fmt.Sprintf("fixed%d", k)) {
			s.Rules = append(s.Rules, commission.Fixed(money.Amount(rapid.IntRange(0, 300).Draw(rt, "per unit"))))
		} else {
			s.Rules = append(s.Rules, commission.Rate(money.Rate(rapid.IntRange(0, 2000).Draw(rt, "rate"))))
		}
	}
	if rapid.IntRange(0, 9).Draw(rt, "sold by a distributor") > 1 {
		s.SellerID = m.anyDistributor(rt, "seller")
		for range rapid.IntRange(0, tiers-1).Draw(rt, "upline") {
			var id int64 // 0: a missing tier
			if rapid.Bool().Draw(rt, "tier filled") {
				id = m.anyDistributor(rt, "upline member")
			}
			s.Upline = append(s.Upline, id)
		}
	}
	if rapid.Bool().Draw(rt, "agent") {
		s.Agent = &commission.Agent{DistributorID: m.anyDistributor(rt, "agent id"), Rate: money.Rate(rapid.IntRange(0, 1000).Draw(rt, "area rate"))}
	}
	q := int64(rapid.IntRange(1, 5).Draw(rt, "quantity"))
	l := commission.Line{Base: money.Amount(rapid.IntRange(0, 5000).Draw(rt, "unit price")) * money.Amount(q), Quantity: q}
	if s.SellerID != 0 {
		l.Markup = money.Amount(rapid.IntRange(0, 500).Draw(rt, "markup"))
	}
	*m.nextLine++
	b := store.LineBooking{LineID: *m.nextLine, OrderID: (*m.nextLine + 1) / 2, Snapshot: s, Line: l}
	if _, booked, err := m.db.BookLine(m.ctx, b); err != nil || !booked {
		rt.Fatalf("BookLine: %v %v", booked, err)
	}
	for _, sh := range split(rt, s, l) {
		m.pending(sh.Party, sh.Amount)
	}
	m.want[string(ledger.Clearing)] -= l.Paid()
	m.lines[b.LineID] = &modelLine{booking: b, current: l}
	m.lineIDs = append(m.lineIDs, b.LineID)
}

func (m *machine) pickLine(rt *rapid.T) (int64, *modelLine) {
	return m.pickLineWhere(rt, func(*modelLine) bool { return true })
}

// pickLineWhere draws one of the lines that ok accepts, so that steps are
// rarely wasted on lines where they would do nothing.
func (m *machine) pickLineWhere(rt *rapid.T, ok func(*modelLine) bool) (int64, *modelLine) {
	var ids []int64
	for _, id := range m.lineIDs {
		if ok(m.lines[id]) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		rt.Skip("no such line")
	}
	id := rapid.SampledFrom(ids).Draw(rt, "line")
	return id, m.lines[id]
}

func (m *machine) bookAgain(rt *rapid.T) {
	_, l := m.pickLine(rt)
	if _, booked, err := m.db.BookLine(m.ctx, l.booking); err != nil || booked {
		rt.Fatalf("booking again: %v %v", booked, err)
	}
}

// settleModel is what settling does in the model; it reports whether the
// store should settle (false when held or already settled).
func (m *machine) settleModel(rt *rapid.T, l *modelLine) bool {
	if l.held || l.settled {
		return false
	}
	for _, sh := range split(rt, l.booking.Snapshot, l.current) {
		m.pending(sh.Party, -sh.Amount)
		m.settledShare(sh.Party, sh.Amount)
	}
	l.settled = true
	return true
}

func (m *machine) settle(rt *rapid.T) {
	id, l := m.pickLineWhere(rt, func(l *modelLine) bool { return !l.settled })
	held := l.held && !l.settled
	want := m.settleModel(rt, l)
	settled, err := m.db.SettleLine(m.ctx, id)
	switch {
	case held:
		if !errs.Is(err, errs.Conflict) || errs.FieldOf(err) != "held" {
			rt.Fatalf("settling a held line: %v", err)
		}
	case err != nil || settled != want:
		rt.Fatalf("SettleLine: %v %v, want %v", settled, err, want)
	}
}

func (m *machine) settleAgain(rt *rapid.T) {
	id, _ := m.pickLineWhere(rt, func(l *modelLine) bool { return l.settled })
	if settled, err := m.db.SettleLine(m.ctx, id); err != nil || settled {
		rt.Fatalf("settling a settled line: %v %v", settled, err)
	}
}

func (m *machine) settleAtOnce(rt *rapid.T) {
	id, l := m.pickLine(rt)
	if l.held && !l.settled {
		rt.Skip("held")
	}
	want := m.settleModel(rt, l)
	var wg sync.WaitGroup
	var results [2]bool
	var errors [2]error
	for i := range results {
		wg.Go(func() { results[i], errors[i] = m.db.SettleLine(m.ctx, id) })
	}
	wg.Wait()
	if errors[0] != nil || errors[1] != nil || results[0] && results[1] || (results[0] || results[1]) != want {
		rt.Fatalf("two settlements at once: %v %v, want one settled: %v", results, errors, want)
	}
}

func (m *machine) hold(rt *rapid.T) {
	id, l := m.pickLine(rt)
	l.held = !l.held
	if err := m.db.SetLineHeld(m.ctx, id, l.held); err != nil {
		rt.Fatal(err)
	}
}

func (m *machine) refund(rt *rapid.T) {
	id, l := m.pickLineWhere(rt, func(l *modelLine) bool { return l.current != commission.Line{} })
	cur := l.current
	after := commission.Line{}
	if !rapid.Bool().Draw(rt, "full") {
		after = commission.Line{
			Base:     money.Amount(rapid.Int64Range(0, int64(cur.Base)).Draw(rt, "base after")),
			Markup:   money.Amount(rapid.Int64Range(0, int64(cur.Markup)).Draw(rt, "markup after")),
			Quantity: rapid.Int64Range(0, cur.Quantity).Draw(rt, "quantity after"),
		}
	}
	key := fmt.Sprintf("r%d", len(l.refunds))
	var line *store.CommissionLine
	var refunded bool
	var err error
	if rapid.Bool().Draw(rt, "twice at once") {
		// The same refund delivered twice at once takes effect once.
		var wg sync.WaitGroup
		var lines [2]*store.CommissionLine
		var oks [2]bool
		var errors [2]error
		for i := range lines {
			wg.Go(func() { lines[i], oks[i], errors[i] = m.db.RefundLine(m.ctx, id, key, after) })
		}
		wg.Wait()
		if after != cur && (errors[0] != nil || errors[1] != nil || oks[0] == oks[1]) {
			rt.Fatalf("one refund twice at once: %v %v", oks, errors)
		}
		line, refunded, err = lines[0], oks[0] || oks[1], errors[0]
	} else {
		line, refunded, err = m.db.RefundLine(m.ctx, id, key, after)
	}
	if after == cur {
		if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "after" {
			rt.Fatalf("a refund of nothing: %v", err)
		}
		return
	}
	if err != nil || !refunded {
		rt.Fatalf("RefundLine %v → %v: %v %v", cur, after, refunded, err)
	}
	old, now := split(rt, l.booking.Snapshot, cur), split(rt, l.booking.Snapshot, after)
	for i := range old {
		d := old[i].Amount - now[i].Amount // recomputed, never scaled
		if l.settled {
			m.settledShare(old[i].Party, -d)
		} else {
			m.pending(old[i].Party, -d)
		}
		if line.Shares[i].Amount != now[i].Amount {
			rt.Fatalf("share %s = %d after the refund, want %d", now[i].Party, line.Shares[i].Amount, now[i].Amount)
		}
	}
	m.want[string(ledger.Refunds)] += cur.Paid() - after.Paid()
	l.current = after
	l.refunds = append(l.refunds, refundStep{key, after})
}

func (m *machine) refundAgain(rt *rapid.T) {
	id, l := m.pickLine(rt)
	if len(l.refunds) == 0 {
		rt.Skip("no refunds")
	}
	r := rapid.SampledFrom(l.refunds).Draw(rt, "refund")
	if _, refunded, err := m.db.RefundLine(m.ctx, id, r.key, r.after); err != nil || refunded {
		rt.Fatalf("the same refund again: %v %v", refunded, err)
	}
}

func (m *machine) check(rt *rapid.T) {
	for code, want := range m.want {
		if got := m.balance(code); got != want {
			rt.Fatalf("%s = %d, model says %d", code, got, want)
		}
	}
	for _, d := range m.distributors {
		w, err := m.db.Wallet(m.ctx, m.op, d)
		if err != nil {
			rt.Fatal(err)
		}
		net := m.net[d]
		want := wallet.Wallet{DistributorID: d, Currency: "CNY", Pending: m.want[ledger.Code(ledger.DistributorPending, d)],
			Available: max(net, 0), Debt: max(-net, 0), Withdrawing: m.want[ledger.Code(ledger.DistributorWithdrawing, d)], Withdrawn: m.withdrawn[d]}
		if *w != want {
			rt.Fatalf("wallet of %d = %+v, model says %+v", d, *w, want)
		}
	}
	for id, l := range m.lines {
		got, err := m.db.CommissionLine(m.ctx, id)
		if err != nil {
			rt.Fatal(err)
		}
		if got.Current != l.current || (got.Status == store.LineSettled) != l.settled || got.Held != l.held {
			rt.Fatalf("line %d = %+v, model says %+v", id, got, l)
		}
		for i, sh := range split(rt, l.booking.Snapshot, l.current) {
			if got.Shares[i].Party != sh.Party || got.Shares[i].Amount != sh.Amount {
				rt.Fatalf("line %d share %d = %+v, model says %+v", id, i, got.Shares[i], sh)
			}
		}
	}
	problems, err := m.db.CheckLedger(m.ctx)
	if err != nil {
		rt.Fatal(err)
	}
	for _, p := range problems {
		rt.Errorf("ledger check: %s", p)
	}
	if len(problems) > 0 {
		rt.FailNow()
	}
}
