package network_test

import (
	"strings"
	"testing"

	"pgregory.net/rapid"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
)

func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := network.NewCode()
		if err := network.ValidateCode(c); err != nil {
			t.Fatalf("NewCode %q: %v", c, err)
		}
		if strings.ContainsAny(c, "0O1IL") {
			t.Fatalf("code %q has a look-alike character", c)
		}
		seen[c] = true
	}
	if len(seen) < 990 {
		t.Fatalf("only %d distinct codes in 1000", len(seen))
	}
	for _, bad := range []string{"", "ABCDEFG", "ABCDEFGHJ", "ABCDEFG0", "ABCDEFGO", "ABCDEFGL", "ABCD EFG"} {
		if err := network.ValidateCode(bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("ValidateCode(%q) = %v, want invalid", bad, err)
		}
	}
	if got := network.NormalizeCode("  abcdefgh \n"); got != "ABCDEFGH" || network.ValidateCode(got) != nil {
		t.Errorf("NormalizeCode = %q", got)
	}
}

func TestJoinNormalize(t *testing.T) {
	j := network.Join{InviteCode: " abcdefgh ", DisplayName: "  Ann "}
	if err := j.Normalize(); err != nil || j.InviteCode != "ABCDEFGH" || j.DisplayName != "Ann" {
		t.Fatalf("got %+v %v", j, err)
	}
	for _, tc := range []struct {
		j     network.Join
		field string
	}{
		{network.Join{InviteCode: "short"}, "invite_code"},
		{network.Join{InviteCode: "ABCDEFG0"}, "invite_code"},
		{network.Join{DisplayName: strings.Repeat("名", 41)}, "display_name"},
	} {
		if err := tc.j.Normalize(); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tc.field {
			t.Errorf("%+v: got %v, want invalid %s", tc.j, err, tc.field)
		}
	}
	j = network.Join{InviteCode: "   ", DisplayName: strings.Repeat("名", 40)}
	if err := j.Normalize(); err != nil || j.InviteCode != "" {
		t.Fatalf("blank code: %+v %v", j, err)
	}
}

func rate(r money.Rate) *money.Rate { return &r }

func TestGradeNormalize(t *testing.T) {
	rules := network.Rules{Tiers: 2, TierRates: []money.Rate{1000, 500}, AreaRate: 300, CommissionCap: 3000}
	ok := network.Grade{Name: " Gold ", Rank: 2, Tier1Rate: rate(2200), OwnSalesMin: 100} // 2200 + 500 + 300 = the cap; the platform fee is outside it
	if err := ok.Normalize(rules); err != nil || ok.Name != "Gold" {
		t.Fatalf("valid grade: %v", err)
	}
	for _, tc := range []struct {
		name  string
		g     network.Grade
		rules network.Rules
		field string
	}{
		{"empty name", network.Grade{Name: "  "}, rules, "name"},
		{"long name", network.Grade{Name: strings.Repeat("x", 41)}, rules, "name"},
		{"negative rank", network.Grade{Name: "a", Rank: -1}, rules, "rank"},
		{"rate above 100%", network.Grade{Name: "a", Tier1Rate: rate(10001)}, rules, "tier1_rate_bp"},
		{"negative rate", network.Grade{Name: "a", Tier1Rate: rate(-1)}, rules, "tier1_rate_bp"},
		{"over cap", network.Grade{Name: "a", Tier1Rate: rate(2201)}, rules, "tier1_rate_bp"},
		{"over cap with 3 tiers", network.Grade{Name: "a", Tier1Rate: rate(1500)},
			network.Rules{Tiers: 3, TierRates: []money.Rate{1000, 500, 600}, CommissionCap: 2500}, "tier1_rate_bp"},
		{"negative own sales", network.Grade{Name: "a", OwnSalesMin: -1}, rules, "own_sales_min"},
		{"negative team sales", network.Grade{Name: "a", TeamSalesMin: -1}, rules, "team_sales_min"},
		{"head count off", network.Grade{Name: "a", DirectMembersMin: 3}, rules, "direct_members_min"},
	} {
		if err := tc.g.Normalize(tc.rules); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tc.field {
			t.Errorf("%s: got %v, want invalid %s", tc.name, err, tc.field)
		}
	}
	on := rules
	on.HeadCountConditions = true
	if g := (network.Grade{Name: "a", DirectMembersMin: 3}); g.Normalize(on) != nil {
		t.Error("head count on: refused")
	}
	// The third tier's rate counts only when the program pays three tiers.
	two := network.Rules{Tiers: 2, TierRates: []money.Rate{1000, 500, 600}, CommissionCap: 2500}
	if g := (network.Grade{Name: "a", Tier1Rate: rate(2000)}); g.Normalize(two) != nil {
		t.Error("tier 3 rate counted with 2 tiers")
	}
}

func TestGradeUpdateApply(t *testing.T) {
	g := network.Grade{ID: 1, Name: "a", Tier1Rate: rate(100)}
	name := "b"
	got := network.GradeUpdate{Name: &name, ClearTier1Rate: true}.Apply(g)
	if got.Name != "b" || got.Tier1Rate != nil || got.ID != 1 || g.Tier1Rate == nil {
		t.Fatalf("got %+v", got)
	}
	got = network.GradeUpdate{Tier1Rate: rate(7)}.Apply(g)
	if *got.Tier1Rate != 7 || *g.Tier1Rate != 100 {
		t.Fatalf("rate not applied or shared: %+v", got)
	}
}

// A random forest built by PlaceUnder agrees with walking sponsors: the
// ancestor columns are the first three steps of the walk and Upline is the
// walk from the seller, cut at the tier count.
func TestPlacementProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 60).Draw(t, "n")
		nodes := make([]network.Distributor, n+1) // 1-based ids
		for id := 1; id <= n; id++ {
			sponsor := rapid.IntRange(0, id-1).Draw(t, "sponsor") // 0: root; sponsors join earlier
			var p network.Placement
			if sponsor > 0 {
				p = network.PlaceUnder(&nodes[sponsor])
			} else {
				p = network.PlaceUnder(nil)
			}
			nodes[id] = network.Distributor{ID: int64(id), SponsorID: p.SponsorID, Ancestor2ID: p.Ancestor2ID, Ancestor3ID: p.Ancestor3ID, Depth: p.Depth}
		}
		tiers := rapid.IntRange(-1, 5).Draw(t, "tiers")
		for id := 1; id <= n; id++ {
			d := nodes[id]
			var walk []int64
			for s := d.SponsorID; s != 0; s = nodes[s].SponsorID {
				walk = append(walk, s)
			}
			if int64(len(walk)) != d.Depth {
				t.Fatalf("node %d: depth %d, walk %v", id, d.Depth, walk)
			}
			anc := []int64{d.SponsorID, d.Ancestor2ID, d.Ancestor3ID}
			for k := range 3 {
				want := int64(0)
				if k < len(walk) {
					want = walk[k]
				}
				if anc[k] != want {
					t.Fatalf("node %d: ancestor %d = %d, want %d", id, k+1, anc[k], want)
				}
			}
			up := network.Upline(d, tiers)
			want := append([]int64{d.ID}, walk...)
			want = want[:min(len(want), min(max(tiers, 1), network.MaxTiers))]
			if len(up) != len(want) {
				t.Fatalf("node %d tiers %d: upline %v, want %v", id, tiers, up, want)
			}
			for i := range up {
				if up[i] != want[i] {
					t.Fatalf("node %d tiers %d: upline %v, want %v", id, tiers, up, want)
				}
			}
		}
	})
}

func TestTeamOf(t *testing.T) {
	tm := network.TeamOf(network.Distributor{TeamSize: 10, DepthCounts: [3]int64{2, 3, 4}})
	if tm.Deeper != 1 || tm.ByDepth != [3]int64{2, 3, 4} || tm.TeamSize != 10 {
		t.Fatalf("%+v", tm)
	}
}
