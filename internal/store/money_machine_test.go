package store_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestMoneyMachine is the money machine: random sequences of checkouts
// (two suppliers, several lines, a shop price with markup, coupons, an
// agent's area), payment callbacks (first, duplicate, late after the
// cancel sweep, a second payment of a paid order), shipping, receipt (by
// the customer and by the sweep), after-sale cases (partial units, refund
// only or return, approved, rejected, cancelled; before settlement and,
// opened by the operator, after it: clawback and debt), the cancel, settle
// and effects sweeps, the clock moving on, the provider going down, coming
// back, or losing its answer, and withdrawals (requested, approved, paid,
// rejected, paid by batch). At random steps two operations race: the first
// is held at a named point inside its transaction while the second runs
// until it ends or waits on the first, then the first goes on; both must
// end well or with a clean domain error (never a deadlock, a serialization
// failure or an internal error).
//
// After every step (mm.check): `ledger check` finds nothing; every
// wallet's figures equal its accounts' entries and none has money
// available and debt at once; every order's status agrees with its
// payments, lines and fulfilment orders; reserved stock and coupon uses
// agree with the orders holding them; every hold has its case; every
// refund owed has its effect; and money is conserved: what customers paid
// equals what went back, what is owed back, and what is booked to the
// parties, and the provider refunded exactly what the outbox says it did.
//
// The named points it holds transactions at (store code, tx.point):
// checkout.stock.reserved, checkout.coupon.redeemed, payment.claimed,
// payment.booked, cancel.updated, settle.wallets.locked,
// settle.lines.completed, aftersale.refund.booked,
// aftersale.refund.restock, effect.complete, withdrawal.request.held,
// withdrawal.approve.locked, withdrawal.pay.posted,
// withdrawal.reject.debt_read.
//
// One database per engine serves every run (the machine's model lives as
// long), so later runs meet the earlier runs' orders, wallets and debts.
// By default it runs a few short sequences; docs/money.md gives the
// command that runs it longer.
func TestMoneyMachine(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		if raceDetector || db.Engine() == store.Postgres {
			rapidDefaults(t, 3, 60)
		} else {
			rapidDefaults(t, 8, 100)
		}
		m := newMoneyMachine(t, db)
		runs := 0
		rapid.Check(t, func(rt *rapid.T) {
			runs++
			rt.Repeat(map[string]func(*rapid.T){"": m.check, "step": m.step})
		})
		t.Logf("%d runs; %d steps alone, %d races (%d held while the other waited, %d where the other ended first, %d where the first never reached its point)",
			runs, m.stats.solo, m.stats.races, m.stats.waited, m.stats.passed, m.stats.missed)
		t.Logf("outcomes: %v", m.saw)
	})
}

// rapidDefaults sets rapid's checks and steps for one test unless the
// command line (-rapid.checks, -rapid.steps) or the environment
// (RAPID_CHECKS, RAPID_STEPS) named them, and restores them after.
func rapidDefaults(t *testing.T, checks, steps int) {
	given := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, n := range map[string]int{"rapid.checks": checks, "rapid.steps": steps} {
		env := "RAPID_" + strings.ToUpper(strings.TrimPrefix(name, "rapid."))
		if _, ok := os.LookupEnv(env); given[name] || ok {
			continue
		}
		f := flag.Lookup(name)
		old := f.Value.String()
		f.Value.Set(strconv.Itoa(n))
		t.Cleanup(func() { f.Value.Set(old) })
	}
}

// mmWeights: how often each operation is drawn, so that orders get paid,
// shipped and settled often enough for refunds after settlement and
// withdrawals to have money.
var mmWeights = map[string]int{
	"checkout": 2, "start payment": 4, "callback": 4, "ship": 3, "confirm": 2, "confirm sweep": 1,
	"open case": 3, "decide case": 3, "cancel sweep": 1, "settle sweep": 2, "effects sweep": 1,
	"withdraw": 2, "decide withdrawal": 2, "payout batch": 1,
}

// mmSteps is the table a step draws from: every operation alone by its
// weight, then races, the clock and the provider.
var mmSteps = func() []string {
	var names []string
	for name := range mmWeights {
		names = append(names, name)
	}
	slices.Sort(names)
	var out []string
	for _, name := range names {
		for range mmWeights[name] {
			out = append(out, name)
		}
	}
	for _, extra := range []struct {
		name string
		n    int
	}{{"race", 10}, {"clock", 3}, {"provider", 1}} {
		for range extra.n {
			out = append(out, extra.name)
		}
	}
	return out
}()

// step is one step of the machine.
func (m *moneyMachine) step(rt *rapid.T) {
	switch name := oneOf(rt, "step", mmSteps); name {
	case "race":
		m.race(rt)
	case "clock":
		m.advance(rt)
	case "provider":
		m.provider(rt)
	default:
		m.solo(rt, name)
	}
}

// oneOf draws an element uniformly (rapid's SampledFrom favours the first
// ones, which would make the first operations of the table the most
// frequent by far), from unbiased bits; it shrinks towards the first.
func oneOf[T any](rt *rapid.T, label string, from []T) T {
	bits := rapid.SliceOfN(rapid.Bool(), 16, 16).Draw(rt, label)
	n := 0
	for _, b := range bits {
		n <<= 1
		if b {
			n |= 1
		}
	}
	return from[n%len(from)]
}

type moneyMachine struct {
	t     *testing.T
	db    *store.DB
	ctx   context.Context
	w     *shopWorld
	prov  *provider
	via   store.Refunders
	stats struct{ solo, races, waited, passed, missed int }

	customers    []account.Actor
	skus         []int64
	distributors []int64

	mu         sync.Mutex // the model below; operations racing write it
	orders     map[int64]*order.Order
	fulfilment map[int64]*order.Fulfilment
	lineOrder  map[int64]int64 // order lines' orders
	payments   []store.CallbackInput
	cases      []*store.AfterSaleCase
	withdraws  []int64
	paid       money.Amount   // what customers paid: callbacks that took money (applied, late, double)
	saw        map[string]int // outcomes, to show what the runs reached
	refs       int
}

// newMoneyMachine builds the world: the shop world's suppliers A and B,
// distributors root ← mid ← seller and x (the agent of Guangdong, CN.44);
// A's tea (retail 19.99, the seller's shop sells it at 22.99) and mug,
// B's cup, each in stock for all of China; 2 tiers (10%, 5%), a 1% agent,
// a 0.5% platform fee, a 1% withdrawal fee; coupons SAVE5 (5.00 off from
// 10.00) and LIMIT3 (1.00 off, 3 uses) of the seller's, TENPCT of mid's;
// three customers: one bound to the seller, one to mid, one unbound.
func newMoneyMachine(t *testing.T, db *store.DB) *moneyMachine {
	w := newShopWorld(t, db)
	m := &moneyMachine{t: t, db: db, ctx: w.ctx, w: w, prov: newProvider(),
		orders: map[int64]*order.Order{}, fulfilment: map[int64]*order.Fulfilment{}, lineOrder: map[int64]int64{}, saw: map[string]int{}}
	m.via = store.RefundersOf(m.prov)
	w.settings(func(s *program.Settings) {
		s.Tiers, s.TierRates, s.AreaRate, s.PlatformRate = 2, []money.Rate{1000, 500}, 100, 50
		s.Withdrawal.FeeRate, s.Withdrawal.DailyLimit = 100, 100
	})
	tea := w.product(w.a, "Tea", [2]int64{1999, 2499})
	mug := w.product(w.a, "Mug", [2]int64{1250, 0})
	cup := w.product(w.b, "Cup", [2]int64{1000, 0})
	m.skus = []int64{tea.SKUs[0].ID, mug.SKUs[0].ID, cup.SKUs[0].ID}
	w.warehouse(w.a, "A-CN", 0, []string{"CN"}, map[int64]int64{m.skus[0]: 1_000_000, m.skus[1]: 1_000_000})
	w.warehouse(w.b, "B-CN", 0, []string{"CN"}, map[int64]int64{m.skus[2]: 1_000_000})
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.OpenShop(w.ctx, w.sellerActor, store.ShopInput{Name: "Seller's shop"}))
	must(db.AddShopItem(w.ctx, w.sellerActor, tea.ID))
	must(db.SetShopPrice(w.ctx, w.sellerActor, tea.SKUs[0].ID, 2299))
	must(db.CreateCoupon(w.ctx, w.sellerActor, store.CouponInput{Code: "SAVE5", Kind: store.CouponAmount, Value: 500, MinOrder: 1000}))
	must(db.CreateCoupon(w.ctx, w.sellerActor, store.CouponInput{Code: "LIMIT3", Kind: store.CouponAmount, Value: 100, MaxUses: 3}))
	must(db.OpenShop(w.ctx, w.midActor, store.ShopInput{Name: "Mid's shop"}))
	must(db.CreateCoupon(w.ctx, w.midActor, store.CouponInput{Code: "TENPCT", Kind: store.CouponPercent, Value: 1000}))
	must(db.GrantArea(w.ctx, w.op, "CN.44", w.x.ID))
	c2, c3 := w.account(account.Customer), w.account(account.Customer)
	w.bind(w.cust, w.seller)
	w.bind(c2, w.mid)
	m.customers = []account.Actor{w.cust, c2, c3}
	m.distributors = []int64{w.root.ID, w.mid.ID, w.seller.ID, w.x.ID}
	return m
}

// mmOp is one operation drawn for a step: run does it (and records what
// it did in the model); points are the named points its transactions pass;
// clean says which errors are a clean refusal for it. In a step alone an
// operation also checks its outcome against the one the model predicts.
type mmOp struct {
	name   string
	points []string
	run    func() error
	clean  func(error) bool
}

// mmUnexpected is an outcome other than the model's prediction.
type mmUnexpected struct{ msg string }

func (e *mmUnexpected) Error() string { return e.msg }

func unexpected(format string, args ...any) error {
	return &mmUnexpected{msg: fmt.Sprintf(format, args...)}
}

// domainErr accepts the refusals a racing or repeated operation may meet:
// a conflict with the current state, a request the state makes invalid, a
// daily limit. A deadlock or serialization failure (which the store maps
// to a Conflict too) is never clean.
func domainErr(codes ...errs.Code) func(error) bool {
	return func(err error) bool {
		s := err.Error()
		if strings.Contains(s, "deadlock") || strings.Contains(s, "40P01") || strings.Contains(s, "40001") ||
			strings.Contains(s, "concurrent update") {
			return false
		}
		for _, c := range codes {
			if errs.CodeOf(err) == c {
				return true
			}
		}
		return false
	}
}

func noErr(error) bool { return false }

// build draws the operation name's parameters from the model (in the
// test's goroutine, as rapid requires) and returns it, or nil when there
// is nothing to do it on yet.
func (m *moneyMachine) build(rt *rapid.T, name string, solo bool) *mmOp {
	switch name {
	case "checkout":
		return m.checkout(rt, solo)
	case "start payment":
		return m.startPayment(rt, solo)
	case "callback":
		return m.callback(rt, solo)
	case "ship":
		return m.ship(rt, solo)
	case "confirm":
		return m.confirm(rt, solo)
	case "confirm sweep":
		return &mmOp{name: name, clean: noErr, run: func() error {
			n, err := m.db.ConfirmShippedOrders(m.ctx, 500)
			m.add("received by the sweep", n)
			return err
		}}
	case "open case":
		return m.openCase(rt)
	case "decide case":
		return m.decideCase(rt)
	case "cancel sweep":
		return &mmOp{name: name, points: []string{"cancel.updated"}, clean: noErr, run: func() error {
			n, err := m.db.CancelUnpaidOrders(m.ctx, 500)
			m.add("cancelled by the sweep", n)
			return err
		}}
	case "settle sweep":
		return &mmOp{name: name, points: []string{"settle.wallets.locked", "settle.lines.completed"}, clean: noErr, run: func() error {
			n, err := m.db.SettleMaturedLines(m.ctx, 1000)
			m.add("lines settled", n)
			return err
		}}
	case "effects sweep":
		return &mmOp{name: name, points: []string{"effect.complete"}, clean: providerFailed, run: func() error {
			n, err := m.db.RunDueEffects(m.ctx, m.via, 500)
			m.add("effects done by the sweep", n)
			return err
		}}
	case "withdraw":
		return m.withdraw(rt, solo)
	case "decide withdrawal":
		return m.decideWithdrawal(rt)
	case "payout batch":
		return m.payoutBatch()
	}
	panic("no operation " + name)
}

// providerFailed accepts a sweep's report that the provider failed some
// effects (they stay due and are retried).
func providerFailed(err error) bool {
	var f *store.ItemsFailed
	return errors.As(err, &f) && f.Kind == store.SweepEffects && (errors.Is(err, errProviderDown) || strings.Contains(err.Error(), "connection reset"))
}

// solo runs one operation alone and checks its outcome.
func (m *moneyMachine) solo(rt *rapid.T, name string) {
	op := m.build(rt, name, true)
	if op == nil {
		// Nothing to do that on yet; rapid's Repeat would stop at the
		// skips of an empty world, so a checkout (always possible) instead.
		op = m.build(rt, "checkout", true)
	}
	m.stats.solo++
	err := op.run()
	m.record(op.name, err)
	if err != nil && !op.clean(err) {
		rt.Fatalf("%s: %v", op.name, err)
	}
}

// race runs two operations with the first held at one of its points while
// the second runs into it.
func (m *moneyMachine) race(rt *rapid.T) {
	var names []string
	for name := range mmWeights {
		names = append(names, name)
	}
	slices.Sort(names)
	first := m.build(rt, oneOf(rt, "first", names), false)
	if first == nil || len(first.points) == 0 {
		first = m.build(rt, "checkout", false) // as in solo
	}
	point := oneOf(rt, "point", first.points)
	second := m.build(rt, oneOf(rt, "second", names), false)
	if second == nil {
		second = m.build(rt, "checkout", false)
	}
	m.stats.races++
	rt.Logf("race: %s held at %s, %s", first.name, point, second.name)

	reached, release := make(chan struct{}), make(chan struct{})
	var once, releaseOnce sync.Once
	m.db.OnPoint(point, func(ctx context.Context) {
		held := false
		once.Do(func() { held = true })
		if held {
			close(reached)
			<-release
		}
	})
	defer m.db.OnPoint(point, nil)
	defer releaseOnce.Do(func() { close(release) })

	aDone := make(chan struct{})
	a := testutil.Run(func() error { defer close(aDone); return first.run() })
	var b *testutil.Op
	select {
	case <-reached:
		b = testutil.Run(second.run)
		if testutil.BlockedOrEnded(m.t, m.db, b) {
			m.stats.passed++
		} else {
			m.stats.waited++
		}
		releaseOnce.Do(func() { close(release) })
	case <-aDone:
		// The first never reached its point (it was refused, or had
		// nothing to do there): the second runs after it.
		m.stats.missed++
		m.db.OnPoint(point, nil)
		b = testutil.Run(second.run)
	case <-time.After(30 * time.Second):
		m.t.Fatalf("%s neither reached %s nor ended", first.name, point)
	}
	errA, errB := a.Err(m.t), b.Err(m.t)
	m.record(first.name, errA)
	m.record(second.name, errB)
	if errA != nil && !first.clean(errA) {
		rt.Fatalf("%s (held at %s, racing %s): %v", first.name, point, second.name, errA)
	}
	if errB != nil && !second.clean(errB) {
		rt.Fatalf("%s (racing %s held at %s): %v", second.name, first.name, point, errB)
	}
}

// record counts an operation's outcome: done, or refused with a code.
func (m *moneyMachine) record(name string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		name += " refused (" + string(errs.CodeOf(err)) + ")"
	}
	m.saw[name]++
}

// add counts n things a sweep did.
func (m *moneyMachine) add(what string, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saw[what] += n
}

// count counts an outcome the operation itself names.
func (m *moneyMachine) count(what string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saw[what]++
}

// advance moves the clock: within a payment's 30 minutes, past them, a
// day, or past the after-sale window (7 days after receipt).
func (m *moneyMachine) advance(rt *rapid.T) {
	d := oneOf(rt, "by", []time.Duration{5 * time.Minute, 31 * time.Minute, 24 * time.Hour, 8 * 24 * time.Hour})
	m.w.clock.Advance(d)
}

// provider changes how the provider behaves from now on.
func (m *moneyMachine) provider(rt *rapid.T) {
	switch oneOf(rt, "provider", []string{"up", "down", "lose one answer"}) {
	case "up":
		m.prov.set(nil, 0)
	case "down":
		m.prov.set(errProviderDown, 0)
	default:
		m.prov.set(nil, 1)
	}
}
