package commission

import (
	"encoding/json"
	"math/big"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"sharemall/internal/catalog"
	"sharemall/internal/money"
)

func rateGen() *rapid.Generator[money.Rate] {
	return rapid.Custom(func(t *rapid.T) money.Rate {
		return money.Rate(rapid.OneOf(rapid.Int64Range(0, 10000), rapid.SampledFrom([]int64{0, 100, 500, 1000, 3000, 10000})).Draw(t, "bp"))
	})
}

// snapshotGen draws any valid snapshot: 0 to 3 tiers of rates or fixed
// amounts, gaps in the upline, with or without a seller or an agent, and any
// cap and platform rate, including ones the program would refuse.
func snapshotGen() *rapid.Generator[Snapshot] {
	return rapid.Custom(func(t *rapid.T) Snapshot {
		s := Snapshot{Currency: "CNY", SupplierID: rapid.Int64Range(1, 1e9).Draw(t, "supplier")}
		n := rapid.IntRange(0, MaxTiers).Draw(t, "tiers")
		for range n {
			if rapid.Bool().Draw(t, "fixed") {
				s.Rules = append(s.Rules, Fixed(money.Amount(rapid.Int64Range(0, 1e9).Draw(t, "per_unit"))))
			} else {
				s.Rules = append(s.Rules, Rate(rateGen().Draw(t, "rate")))
			}
		}
		if rapid.IntRange(0, 9).Draw(t, "sold") > 0 {
			s.SellerID = 100
			for k := range rapid.IntRange(0, max(n-1, 0)).Draw(t, "upline") {
				id := int64(101 + k)
				if rapid.IntRange(0, 4).Draw(t, "gap") == 0 {
					id = 0
				}
				s.Upline = append(s.Upline, id)
			}
		}
		s.PlatformRate = rateGen().Draw(t, "platform")
		s.Cap = rateGen().Draw(t, "cap")
		s.PlatformInCap = rapid.IntRange(0, 3).Draw(t, "old_snapshot") == 0
		if rapid.Bool().Draw(t, "agent") {
			s.Agent = &Agent{DistributorID: 900, Rate: rateGen().Draw(t, "area")}
		}
		return s
	})
}

// refundGen draws one refund: units, base and markup taken off a line.
func refundGen(markup bool) *rapid.Generator[Line] {
	return rapid.Custom(func(t *rapid.T) Line {
		l := Line{Quantity: rapid.Int64Range(0, 50).Draw(t, "units"), Base: money.Amount(rapid.Int64Range(0, 1e9).Draw(t, "base"))}
		if markup {
			l.Markup = money.Amount(rapid.Int64Range(0, 1e7).Draw(t, "markup"))
		}
		return l
	})
}

func lineGen(s Snapshot) *rapid.Generator[Line] {
	return rapid.Custom(func(t *rapid.T) Line {
		l := refundGen(s.SellerID != 0).Draw(t, "line")
		if rapid.IntRange(0, 9).Draw(t, "huge") == 0 {
			l.Base = money.Amount(rapid.Int64Range(0, 1<<62).Draw(t, "huge_base"))
		}
		return l
	})
}

func floorBig(a money.Amount, r money.Rate) money.Amount {
	v := new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(int64(max(r, 0))))
	return money.Amount(v.Quo(v, big.NewInt(10000)).Int64())
}

func TestSplitProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := snapshotGen().Draw(t, "snapshot")
		checkSplit(t, s, lineGen(s).Draw(t, "line"))
	})
}

// room is what the tiers and the agent may share at most: the cap (less the
// platform rate for an old snapshot), and never more than the platform fee
// leaves of the base.
func room(s Snapshot, base money.Amount) money.Amount {
	capRate := s.Cap
	if s.PlatformInCap {
		capRate = max(s.Cap-s.PlatformRate, 0)
	}
	return min(floorBig(base, capRate), base-floorBig(base, s.PlatformRate))
}

// checkSplit checks every property of Split(s, l).
func checkSplit(t *rapid.T, s Snapshot, l Line) {
	shares, err := Split(s, l)
	if err != nil {
		t.Fatalf("Split: %v", err)
	}
	again, _ := Split(s, l)
	if !slices.Equal(shares, again) {
		t.Fatalf("not deterministic")
	}
	if shares.Total() != l.Paid() {
		t.Fatalf("shares %v sum to %d, paid %d", shares, shares.Total(), l.Paid())
	}
	for _, sh := range shares {
		if sh.Amount < 0 {
			t.Fatalf("negative share %v", sh)
		}
	}
	platform := shares.Of(Party{Kind: KindPlatform})
	if platform != floorBig(l.Base, s.PlatformRate) {
		t.Fatalf("platform %d; want floor(base × %d bp): the platform fee is never cut", platform, s.PlatformRate)
	}
	if c := shares.Commissions(); c > floorBig(l.Base, s.Cap) || c > room(s, l.Base) {
		t.Fatalf("commissions %d break the cap (room %d, platform %d): %v", c, room(s, l.Base), platform, shares)
	}
	if shares.Of(Party{Kind: KindMarkup, ID: s.SellerID}) != l.Markup {
		t.Fatalf("markup not wholly the seller's: %v", shares)
	}

	// Each party gets what its rule says unless the cap cuts it, and a cut
	// reaches a party only once every farther one is at zero.
	type claim struct {
		p    Party
		want money.Amount
	}
	var claims []claim // nearest first: agent, tier 1, 2, 3
	if s.Agent != nil {
		claims = append(claims, claim{Party{Kind: KindAgent, ID: s.Agent.DistributorID}, floorBig(l.Base, s.Agent.Rate)})
	}
	for k, r := range s.Rules {
		id := s.Beneficiary(k + 1)
		if id == 0 {
			if shares.Of(Party{KindTier, k + 1, 0}) != 0 {
				t.Fatalf("nobody's tier %d was paid", k+1)
			}
			continue
		}
		want := r.PerUnit * money.Amount(l.Quantity)
		if r.Kind == catalog.RateCommission {
			want = floorBig(l.Base, r.Rate)
		}
		claims = append(claims, claim{Party{KindTier, k + 1, id}, want})
	}
	cut := false
	for _, c := range claims {
		got := shares.Of(c.p)
		if got > c.want || (cut && got != 0) {
			t.Fatalf("%v got %d of %d (cut before: %v): %v", c.p, got, c.want, cut, shares)
		}
		if got < c.want {
			cut = true
		}
	}
	if cut && shares.Commissions() != room(s, l.Base) {
		t.Fatalf("cut although the cap was not reached: %v", shares)
	}
}

// apply runs refunds in order from start, checks each step, and returns what
// remains booked per party (the first split less every reversal).
func apply(t *rapid.T, s Snapshot, start Line, refunds []Line) (Line, Shares) {
	booked, err := Split(s, start)
	if err != nil {
		t.Fatalf("Split: %v", err)
	}
	cur := start
	for _, r := range refunds {
		next := Line{Base: cur.Base - r.Base, Markup: cur.Markup - r.Markup, Quantity: cur.Quantity - r.Quantity}
		d, err := Recompute(s, cur, next)
		if err != nil {
			t.Fatalf("Recompute(%v → %v): %v", cur, next, err)
		}
		if d.Total() != r.Paid() {
			t.Fatalf("reversals %v sum to %d; refunded %d", d, d.Total(), r.Paid())
		}
		for i := range booked {
			if d[i].Party != booked[i].Party {
				t.Fatalf("parties moved: %v vs %v", d, booked)
			}
			booked[i].Amount -= d[i].Amount
		}
		// What is left booked is what a fresh split of the remaining line gives.
		fresh, _ := Split(s, next)
		if !slices.Equal(booked, fresh) {
			t.Fatalf("after refunds booked %v; a fresh split gives %v", booked, fresh)
		}
		cur = next
	}
	return cur, booked
}

func TestRefundProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := snapshotGen().Draw(t, "snapshot")
		refunds := rapid.SliceOfN(refundGen(s.SellerID != 0), 1, 8).Draw(t, "refunds")
		var start Line
		for _, r := range refunds {
			start.Base += r.Base
			start.Markup += r.Markup
			start.Quantity += r.Quantity
		}
		initial, _ := Split(s, start)

		// All of them, in the drawn order: the last one is the full refund.
		end, booked := apply(t, s, start, refunds)
		if end != (Line{}) {
			t.Fatalf("refunds did not add up to the line: %v left", end)
		}
		for _, b := range booked {
			if b.Amount != 0 {
				t.Fatalf("a full refund left %v booked (initially %v)", booked, initial)
			}
		}

		// The partial ones in another order leave the same shares booked.
		partial := refunds[:len(refunds)-1]
		perm := slices.Clone(partial)
		for i := len(perm) - 1; i > 0; i-- {
			j := rapid.IntRange(0, i).Draw(t, "swap")
			perm[i], perm[j] = perm[j], perm[i]
		}
		lineA, bookedA := apply(t, s, start, partial)
		lineB, bookedB := apply(t, s, start, perm)
		if lineA != lineB || !slices.Equal(bookedA, bookedB) {
			t.Fatalf("order of refunds matters: %v / %v vs %v / %v", lineA, bookedA, lineB, bookedB)
		}
	})
}

// overrideGen draws a product's or a SKU's override: none, or one to three
// entries, each unnamed (nil), a rate or a fixed amount, so kinds and
// sources mix on one line.
func overrideGen() *rapid.Generator[*catalog.Commission] {
	return rapid.Custom(func(t *rapid.T) *catalog.Commission {
		if rapid.IntRange(0, 3).Draw(t, "none") == 0 {
			return nil
		}
		c := &catalog.Commission{}
		for range rapid.IntRange(1, MaxTiers).Draw(t, "entries") {
			switch rapid.IntRange(0, 2).Draw(t, "entry") {
			case 0:
				c.Tiers = append(c.Tiers, nil)
			case 1:
				c.Tiers = append(c.Tiers, catalog.RateTier(rateGen().Draw(t, "rate")))
			default:
				c.Tiers = append(c.Tiers, catalog.FixedTier(money.Amount(rapid.Int64Range(0, 1e7).Draw(t, "per_unit"))))
			}
		}
		return c
	})
}

// TestResolveProperties: each tier comes from the most specific source that
// names it (SKU, product, grade for tier 1, program), records that source,
// and the line then splits within the cap whatever the mix.
func TestResolveProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tiers := rapid.IntRange(0, MaxTiers).Draw(t, "tiers")
		program := rapid.SliceOfN(rateGen(), 0, MaxTiers).Draw(t, "program")
		var grade *money.Rate
		if rapid.Bool().Draw(t, "graded") {
			g := rateGen().Draw(t, "grade")
			grade = &g
		}
		product, sku := overrideGen().Draw(t, "product"), overrideGen().Draw(t, "sku")
		rules := ResolveTierRules(tiers, program, grade, product, sku)
		if len(rules) != tiers {
			t.Fatalf("%d rules for %d tiers", len(rules), tiers)
		}
		for k, r := range rules {
			var want TierRule
			switch {
			case sku.Tier(k) != nil:
				want = TierRule{Kind: sku.Tier(k).Kind, Rate: sku.Tier(k).Rate, PerUnit: sku.Tier(k).PerUnit, Source: FromSKU}
			case product.Tier(k) != nil:
				want = TierRule{Kind: product.Tier(k).Kind, Rate: product.Tier(k).Rate, PerUnit: product.Tier(k).PerUnit, Source: FromProduct}
			case k == 0 && grade != nil:
				want = TierRule{Kind: catalog.RateCommission, Rate: *grade, Source: FromGrade}
			case k < len(program):
				want = TierRule{Kind: catalog.RateCommission, Rate: program[k], Source: FromProgram}
			default:
				want = TierRule{Kind: catalog.RateCommission, Source: FromProgram}
			}
			if r != want {
				t.Fatalf("tier %d: %+v; want %+v (sku %v, product %v)", k+1, r, want, sku, product)
			}
		}

		s := Snapshot{Currency: "CNY", SupplierID: 1, SellerID: 100, Rules: rules,
			PlatformRate: rateGen().Draw(t, "platform"), Cap: rateGen().Draw(t, "cap")}
		for k := 1; k < tiers; k++ {
			s.Upline = append(s.Upline, int64(100+k))
		}
		if rapid.Bool().Draw(t, "agent") {
			s.Agent = &Agent{DistributorID: 900, Rate: rateGen().Draw(t, "area")}
		}
		checkSplit(t, s, lineGen(s).Draw(t, "line"))
		// Through JSON, as orders store it, the snapshot splits the same.
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back Snapshot
		if err := json.Unmarshal(b, &back); err != nil || back.PlatformInCap || !slices.Equal(back.Rules, s.Rules) {
			t.Fatalf("round trip: %+v, %v", back, err)
		}
	})
}
