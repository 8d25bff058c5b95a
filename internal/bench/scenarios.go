package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"slices"
	"sync/atomic"
	"time"

	"sharemall/internal/bench/seed"
	"sharemall/internal/money"
	"sharemall/internal/payment"
)

// order places one order of lines lines (0: 1 to 3, 2 on average) for
// customer c, opens its payment and posts the sandbox's signed callback,
// calling snap after each of the first two steps when it is not nil.
func (r *run) order(ctx context.Context, rng *rand.Rand, c, lines int, cur money.Currency, snap func() error) error {
	token := r.prog.CustomerTokens[c%len(r.prog.CustomerTokens)]
	type item struct {
		SKUID    int64 `json:"sku_id"`
		Quantity int64 `json:"quantity"`
	}
	if lines == 0 {
		lines = 1 + rng.IntN(3)
	}
	var items []item
	for len(items) < lines {
		sku := r.prog.SKUIDs[rng.IntN(len(r.prog.SKUIDs))]
		if !slices.ContainsFunc(items, func(it item) bool { return it.SKUID == sku }) {
			items = append(items, item{SKUID: sku, Quantity: 1})
		}
	}
	body, _ := json.Marshal(map[string]any{"items": items, "ship_to": map[string]string{
		"region_code": r.prog.RegionCodes[rng.IntN(len(r.prog.RegionCodes))], "name": "Bench Customer",
		"phone": "13800000000", "address": "1 Bench Road"}})
	var o struct {
		ID int64 `json:"id"`
	}
	if err := r.c.call(ctx, "POST", "/api/v1/orders", token, body, nil, &o); err != nil {
		return fmt.Errorf("place: %w", err)
	}
	if snap != nil {
		if err := snap(); err != nil {
			return err
		}
	}
	var p struct {
		ProviderRef string `json:"provider_ref"`
		Amount      string `json:"amount"`
		Currency    string `json:"currency"`
	}
	if err := r.c.call(ctx, "POST", fmt.Sprintf("/api/v1/orders/%d/pay", o.ID), token, []byte("{}"), nil, &p); err != nil {
		return fmt.Errorf("pay: %w", err)
	}
	if snap != nil {
		if err := snap(); err != nil {
			return err
		}
	}
	amount, err := cur.Parse(p.Amount)
	if err != nil {
		return err
	}
	sb := &payment.Sandbox{Secret: []byte(r.secret)}
	cb := sb.CallbackBody(p.ProviderRef, amount, p.Currency)
	h := http.Header{payment.SignatureHeader: {sb.Sign(cb)}}
	if err := r.c.call(ctx, "POST", "/api/v1/payments/sandbox/callback", "", cb, h, nil); err != nil {
		return fmt.Errorf("callback: %w", err)
	}
	return nil
}

// checkout measures placing and paying orders, then the floor: the rows
// one order wrote, in the same three transactions, by plain SQL.
func (r *run) checkout(ctx context.Context) (Checkout, float64, error) {
	var out Checkout
	s, err := r.db.Settings(ctx)
	if err != nil {
		return out, 0, err
	}
	cur := s.Currency()
	// One order of two lines alone first (the average), counting rows
	// between its transactions: what the floor writes.
	var counts []map[string]int64
	snap := func() error {
		c, err := seed.TableCounts(ctx, r.db)
		counts = append(counts, c)
		return err
	}
	rng := rand.New(rand.NewPCG(r.opt.Seed, 1))
	if err := snap(); err != nil {
		return out, 0, err
	}
	if err := r.order(ctx, rng, 0, 2, cur, snap); err != nil {
		return out, 0, err
	}
	if err := snap(); err != nil {
		return out, 0, err
	}
	var deltas []map[string]int64
	for k := 1; k < len(counts); k++ {
		deltas = append(deltas, diff(counts[k-1], counts[k]))
	}
	floor, err := seed.RecordFloor(ctx, r.db, deltas)
	if err != nil {
		return out, 0, err
	}

	rngs := make([]*rand.Rand, r.opt.Clients)
	for i := range rngs {
		rngs[i] = rand.New(rand.NewPCG(r.opt.Seed, uint64(i)+2))
	}
	placeOne := func(ctx context.Context, w int, u int64) error {
		return r.order(ctx, rngs[w], int(u), 0, cur, nil)
	}
	// Untimed first: the server's connections opened and its statements
	// prepared and planned, as on a server that has been running, and as
	// the floors below find them (each floor is warmed the same way).
	if out.WarmUpOrders, err = warmUp(ctx, r.opt, placeOne); err != nil {
		return out, 0, err
	}
	// Give back what generation used, as a server in its own process would
	// never have had it: the peak is then the server's and its clients'.
	debug.FreeOSMemory()
	rss := sampleRSS(20 * time.Millisecond)
	var lat latencies
	before, err := r.meter.snap(ctx, true)
	if err != nil {
		return out, 0, err
	}
	waits := r.meter.sampleWaits(ctx, r.opt.WaitEvents)
	n, took, err := drive(ctx, r.opt.Clients, r.opt.Duration, r.opt.MaxUnits, func(ctx context.Context, w int, u int64) error {
		t := time.Now()
		if err := placeOne(ctx, w, u); err != nil {
			return err
		}
		lat.add(time.Since(t))
		return nil
	})
	peak := rss.peakMB()
	r.waits = waits.finish()
	if err != nil {
		return out, peak, err
	}
	after, err := r.meter.snap(ctx, false)
	if err != nil {
		return out, peak, err
	}
	out.OrdersPerS = round(float64(n)/took.Seconds(), 1)
	out.P50MS, out.P99MS = lat.ms(0.50), lat.ms(0.99)

	floorRate := func(indexed bool) (float64, error) {
		unit := func(ctx context.Context, _ int, _ int64) error {
			return seed.FloorUnit(ctx, r.db, floor, indexed)
		}
		if _, err := warmUp(ctx, r.opt, unit); err != nil {
			return 0, fmt.Errorf("floor: %w", err)
		}
		fn, ftook, err := drive(ctx, r.opt.Clients, r.opt.Duration, max(n, 1), unit)
		if err != nil || fn == 0 {
			return 0, fmt.Errorf("floor: %d units, %v", fn, err)
		}
		return float64(fn) / ftook.Seconds(), nil
	}
	bare, err := floorRate(false)
	if err != nil {
		return out, peak, err
	}
	indexed, err := floorRate(true)
	if err != nil {
		return out, peak, err
	}
	out.RatioToFloor = round(out.OrdersPerS/bare, 3)
	out.RatioToIndexedFloor = round(out.OrdersPerS/indexed, 3)
	r.logf("checkout floor: %d rows in %d transactions per order, %.1f orders/s; into indexed tables %.1f orders/s",
		floor.Rows, len(deltas), bare, indexed)
	if r.cost, err = r.meter.cost(ctx, before, after, n, floor.Rows); err != nil {
		return out, peak, err
	}
	r.logCost(before, after, n)
	return out, peak, nil
}

// team reads team figures for the largest team, the chain's top and random
// distributors in turn, and times the naive recursive query for the
// largest team.
func (r *run) team(ctx context.Context) (Team, error) {
	var out Team
	var all, largest latencies
	rngs := make([]*rand.Rand, r.opt.Clients)
	for i := range rngs {
		rngs[i] = rand.New(rand.NewPCG(r.opt.Seed, uint64(i)+1000))
	}
	_, _, err := drive(ctx, r.opt.Clients, r.opt.Duration, r.opt.MaxUnits, func(ctx context.Context, w int, u int64) error {
		id := r.prog.FirstID + int64(rngs[w].IntN(r.prog.Distributors))
		switch u % 3 {
		case 0:
			id = r.prog.LargestTeamID
		case 1:
			id = r.prog.ChainTopID
		}
		var t struct {
			TeamSize int64 `json:"team_size"`
		}
		start := time.Now()
		if err := r.c.call(ctx, "GET", fmt.Sprintf("/api/v1/distributors/%d/team", id), r.prog.OperatorToken, nil, nil, &t); err != nil {
			return err
		}
		d := time.Since(start)
		all.add(d)
		if id == r.prog.LargestTeamID {
			if t.TeamSize != r.prog.LargestTeam {
				return fmt.Errorf("largest team: served %d, generated %d", t.TeamSize, r.prog.LargestTeam)
			}
			largest.add(d)
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	out.P50MS, out.P99MS = all.ms(0.50), all.ms(0.99)
	// The baseline runs alone, three times; its median against our median
	// for the same distributor.
	var base latencies
	for range 3 {
		start := time.Now()
		n, err := seed.RecursiveTeam(ctx, r.db, r.prog.LargestTeamID)
		if err != nil {
			return out, err
		}
		if n != r.prog.LargestTeam {
			return out, fmt.Errorf("recursive team: %d, generated %d", n, r.prog.LargestTeam)
		}
		base.add(time.Since(start))
	}
	if l := largest.ms(0.50); l > 0 {
		out.SpeedupVsRecursive = round(base.ms(0.50)/l, 1)
	}
	r.logf("team: recursive baseline %.1f ms for %d members", base.ms(0.50), r.prog.LargestTeam)
	return out, nil
}

// settle ships and receives every paid order, moves the clock past the
// after-sale window and runs the settlement sweep over the backlog; the
// floor writes the rows one line's settlement wrote, once per line.
func (r *run) settle(ctx context.Context) (Settle, error) {
	var out Settle
	s, err := r.db.Settings(ctx)
	if err != nil {
		return out, err
	}
	if _, err := seed.ReceiveAll(ctx, r.db); err != nil {
		return out, err
	}
	shift := time.Duration(s.AfterSaleDays+1) * 24 * time.Hour
	r.db.Now = func() time.Time { return time.Now().Add(shift) }
	for _, db := range r.extra {
		db.Now = r.db.Now
	}
	before, err := seed.TableCounts(ctx, r.db)
	if err != nil {
		return out, err
	}
	if n, err := r.db.SettleMaturedLines(ctx, 1); err != nil || n != 1 {
		return out, fmt.Errorf("settling one line: %d settled, %v", n, err)
	}
	after, err := seed.TableCounts(ctx, r.db)
	if err != nil {
		return out, err
	}
	floor, err := seed.RecordFloor(ctx, r.db, []map[string]int64{diff(before, after)})
	if err != nil {
		return out, err
	}
	var done int64
	start := time.Now()
	for time.Since(start) < r.opt.Duration && done < r.opt.MaxUnits {
		n, err := r.db.SettleMaturedLines(ctx, int(min(500, r.opt.MaxUnits-done)))
		if err != nil {
			return out, err
		}
		if n == 0 {
			break
		}
		done += int64(n)
	}
	took := time.Since(start)
	if done == 0 {
		return out, errors.New("no matured lines to settle")
	}
	out.PerS = round(float64(done)/took.Seconds(), 1)
	// The floor settles one line per transaction (never batched into shared
	// commits), settleFloorWriters at a time.
	floorRate := func(indexed bool) (float64, error) {
		fn, ftook, err := drive(ctx, settleFloorWriters, r.opt.Duration, done, func(ctx context.Context, _ int, _ int64) error {
			return seed.FloorUnit(ctx, r.db, floor, indexed)
		})
		if err != nil || fn == 0 {
			return 0, fmt.Errorf("floor: %d units, %v", fn, err)
		}
		return float64(fn) / ftook.Seconds(), nil
	}
	bare, err := floorRate(false)
	if err != nil {
		return out, err
	}
	indexed, err := floorRate(true)
	if err != nil {
		return out, err
	}
	out.RatioToFloor = round(out.PerS/bare, 3)
	out.RatioToIndexedFloor = round(out.PerS/indexed, 3)
	r.logf("settle: %d lines; floor %d rows per line, %.1f lines/s; into indexed tables %.1f lines/s", done, floor.Rows, bare, indexed)
	return out, nil
}

// withdraw has distributors with money available request the program's
// minimum withdrawal concurrently; a request the rules refuse (balance,
// daily limit) retires that distributor and is not counted.
func (r *run) withdraw(ctx context.Context) (Withdraw, error) {
	var out Withdraw
	s, err := r.db.Settings(ctx)
	if err != nil {
		return out, err
	}
	ws, err := seed.Withdrawers(ctx, r.db, 2000)
	if err != nil {
		return out, err
	}
	if len(ws) == 0 {
		return out, errors.New("nobody has money available")
	}
	amount := s.Currency().Format(max(s.Withdrawal.Minimum, 1))
	retired := make([]atomic.Bool, len(ws))
	var left atomic.Int64
	left.Store(int64(len(ws)))
	var ok atomic.Int64
	_, took, err := drive(ctx, r.opt.Clients, r.opt.Duration, r.opt.MaxUnits, func(ctx context.Context, _ int, u int64) error {
		if left.Load() == 0 {
			return errDone
		}
		k := int(u % int64(len(ws)))
		if retired[k].Load() {
			return nil
		}
		w := ws[k]
		body, _ := json.Marshal(map[string]any{"amount": amount, "distributor_id": w.DistributorID})
		err := r.c.call(ctx, "POST", "/api/v1/withdrawals", w.Token, body, nil, nil)
		var se *statusError
		switch {
		case err == nil:
			ok.Add(1)
		case errors.As(err, &se) && se.Status >= 400 && se.Status < 500 && se.Status != 401 && se.Status != 403:
			if !retired[k].Swap(true) {
				left.Add(-1)
			}
		default:
			return err
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDone) {
		return out, err
	}
	if ok.Load() == 0 {
		return out, errors.New("no withdrawal was accepted")
	}
	out.PerS = round(float64(ok.Load())/took.Seconds(), 1)
	return out, nil
}

// settleFloorWriters is how many writers the settle floor runs: on this
// machine more than the sweep's own workers, the most that still helped
// the floor on PostgreSQL.
const settleFloorWriters = 16

// errDone ends a scenario early because there is nothing left to do.
var errDone = errors.New("nothing left to do")
