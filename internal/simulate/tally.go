package simulate

import (
	"cmp"
	"slices"

	"sharemall/internal/commission"
	"sharemall/internal/money"
	"sharemall/internal/program"
)

// Totals are the sums of one side (what was booked, or what the proposal
// would have booked) over the replayed lines.
type Totals struct {
	// Commission is what distributors earn: every tier and the regional
	// agent, the amount the cap bounds.
	Commission money.Amount
	Markup     money.Amount // the sellers' markup, which no rule changes
	Platform   money.Amount // the platform fee
	Supplier   money.Amount // what the suppliers are owed: base less all of the above but markup
}

// Change is one party's earnings on both sides.
type Change struct {
	ID        int64 // the distributor or the supplier
	Actual    money.Amount
	Simulated money.Amount
}

// Delta is what the proposal changes for the party.
func (c Change) Delta() money.Amount { return c.Simulated - c.Actual }

// Result is a simulation's answer.
type Result struct {
	Period   Period
	Currency string
	Lines    int64        // order lines replayed
	Base     money.Amount // their commission base, net of refunds
	Actual   Totals
	Proposed Totals
	// Distributors counts those earning commission on either side; Changed
	// those whose commission the proposal changes.
	Distributors, Changed int
	Gainers, Losers       []Change // the distributors, most changed first
	Suppliers             []Change // the suppliers whose payable changes, most changed first
	// AddedTiers is how many tiers the proposal pays beyond the deepest
	// snapshot replayed: checkout recorded no one there, so those tiers pay
	// nobody in the replay (docs/simulator.md).
	AddedTiers int
	// Unfolded counts the bookings and refunds not yet in the replay: more
	// than one simulation folds (docs/simulator.md). They are in the next.
	Unfolded int64
}

// Tally sums shares per party. It allocates per party, not per line.
type Tally struct {
	lines        int64
	base         money.Amount
	actual, sim  Totals
	distributors map[int64]*[2]money.Amount
	suppliers    map[int64]*[2]money.Amount
	deepest      int // the most tiers any replayed snapshot paid
}

// NewTally starts an empty tally.
func NewTally() *Tally {
	return &Tally{distributors: map[int64]*[2]money.Amount{}, suppliers: map[int64]*[2]money.Amount{}}
}

// Line counts one replayed line of base, whose snapshot paid tiers tiers.
func (t *Tally) Line(base money.Amount, tiers int) {
	t.lines++
	t.base += base
	t.deepest = max(t.deepest, tiers)
}

// Actual adds a booked share (as it stands after refunds).
func (t *Tally) Actual(kind commission.PartyKind, id int64, amount money.Amount) {
	t.add(0, &t.actual, kind, id, amount)
}

// Booked adds a line's shares as booked (after refunds).
func (t *Tally) Booked(shares commission.Shares) {
	for _, s := range shares {
		t.add(0, &t.actual, s.Party.Kind, s.Party.ID, s.Amount)
	}
}

// Proposed adds the shares the proposal gives a line.
func (t *Tally) Proposed(shares commission.Shares) {
	for _, s := range shares {
		t.add(1, &t.sim, s.Party.Kind, s.Party.ID, s.Amount)
	}
}

func (t *Tally) add(side int, tot *Totals, kind commission.PartyKind, id int64, amount money.Amount) {
	switch kind {
	case commission.KindTier, commission.KindAgent:
		tot.Commission += amount
		party(t.distributors, id)[side] += amount
	case commission.KindMarkup:
		tot.Markup += amount
	case commission.KindPlatform:
		tot.Platform += amount
	case commission.KindSupplier:
		tot.Supplier += amount
		party(t.suppliers, id)[side] += amount
	}
}

func party(m map[int64]*[2]money.Amount, id int64) *[2]money.Amount {
	p := m[id]
	if p == nil {
		p = new([2]money.Amount)
		m[id] = p
	}
	return p
}

// Result ranks the parties: the top distributors that gain and that lose,
// and the top suppliers by change, each at most top long.
func (t *Tally) Result(period Period, currency string, proposedTiers, top int) *Result {
	r := &Result{Period: period, Currency: currency, Lines: t.lines, Base: t.base, Actual: t.actual, Proposed: t.sim,
		Distributors: len(t.distributors), AddedTiers: max(proposedTiers-max(t.deepest, 1), 0)}
	if t.lines == 0 {
		r.AddedTiers = 0
	}
	var changed []Change
	for id, a := range t.distributors {
		if c := (Change{ID: id, Actual: a[0], Simulated: a[1]}); c.Delta() != 0 {
			changed = append(changed, c)
		}
	}
	r.Changed = len(changed)
	slices.SortFunc(changed, byChange)
	for _, c := range changed {
		if c.Delta() > 0 && len(r.Gainers) < top {
			r.Gainers = append(r.Gainers, c)
		}
	}
	for i := len(changed) - 1; i >= 0 && len(r.Losers) < top; i-- {
		if changed[i].Delta() < 0 {
			r.Losers = append(r.Losers, changed[i])
		}
	}
	var sup []Change
	for id, a := range t.suppliers {
		if c := (Change{ID: id, Actual: a[0], Simulated: a[1]}); c.Delta() != 0 {
			sup = append(sup, c)
		}
	}
	slices.SortFunc(sup, func(a, b Change) int {
		return cmp.Or(cmp.Compare(abs(b.Delta()), abs(a.Delta())), cmp.Compare(a.ID, b.ID))
	})
	r.Suppliers = sup[:min(len(sup), top)]
	return r
}

// byChange orders the biggest gain first and the biggest loss last; ties by id.
func byChange(a, b Change) int {
	if c := cmp.Compare(b.Delta(), a.Delta()); c != 0 {
		return c
	}
	if a.Delta() < 0 {
		return cmp.Compare(b.ID, a.ID) // reversed for the losers, read from the end
	}
	return cmp.Compare(a.ID, b.ID)
}

func abs(a money.Amount) money.Amount { return max(a, -a) }

// Share is part as a rate of whole, rounded down to a basis point (0 when
// whole is 0): how the page shows commission against the base.
func Share(part, whole money.Amount) money.Rate {
	if whole <= 0 || part <= 0 {
		return 0
	}
	r, err := money.MulDivFloor(int64(part), int64(money.MaxRate), int64(whole))
	if err != nil {
		return 0
	}
	return money.Rate(r)
}

// Warnings are the compliance guard's warnings on the proposal's program
// rules, shown beside the results as the settings page shows them.
func (p *Proposal) Warnings(st *program.Settings) []string { return p.Apply(st).Warnings() }
