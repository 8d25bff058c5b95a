package store

import (
	"cmp"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// benchPacks is days packs of perDay random distributors among n, as the
// bench's history makes them (a sale a distributor a year, at random).
func benchPacks(days, perDay, n int) [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([][]byte, days)
	for d := range out {
		seen := map[string]bool{}
		var rows []packRow
		for range perDay {
			k := strconv.Itoa(1 + rng.IntN(n))
			if !seen[k] {
				seen[k] = true
				rows = append(rows, packRow{k, 1000 + rng.Int64N(50000), rng.Int64N(5000)})
			}
		}
		out[d] = encodePack(rows)
	}
	return out
}

// BenchmarkPackMerge: a 60-day custom range by distributor at a million
// sales a year (2,740 a day among 1,000,000 distributors), merged and its
// top 10 kept: what a custom-range read does after fetching its packs.
func BenchmarkPackMerge(b *testing.B) {
	packs := benchPacks(60, 2740, 1_000_000)
	b.ReportAllocs()
	for b.Loop() {
		top := &packTop{limit: 10}
		if err := mergePacks(packs, top); err != nil || len(top.rows) != 10 {
			b.Fatal(err, len(top.rows))
		}
	}
}

// TestPackMergeEqualsMap: merging packs equals summing them in a map and
// sorting, for any limit.
func TestPackMergeEqualsMap(t *testing.T) {
	packs := benchPacks(7, 300, 500)
	sums := map[string][2]int64{}
	for _, p := range packs {
		c, err := newPackCursor(p)
		if err != nil {
			t.Fatal(err)
		}
		for {
			ok, err := c.next()
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			v := sums[string(c.key)]
			sums[string(c.key)] = [2]int64{v[0] + c.amount, v[1] + c.commission}
		}
	}
	var all []packRow
	for k, v := range sums {
		all = append(all, packRow{k, v[0], v[1]})
	}
	slices.SortFunc(all, func(a, b packRow) int {
		if a.amount != b.amount {
			return cmp.Compare(b.amount, a.amount)
		}
		return strings.Compare(a.key, b.key)
	})
	for _, limit := range []int{1, 10, 50, len(all), len(all) + 5} {
		top := &packTop{limit: limit}
		if err := mergePacks(packs, top); err != nil {
			t.Fatal(err)
		}
		if want := all[:min(limit, len(all))]; !slices.Equal(top.rows, want) {
			t.Fatalf("limit %d: %d rows, want %d (first %v, want %v)", limit, len(top.rows), len(want), top.rows[:1], want[:1])
		}
	}
	byKey := &packTop{byKey: true, limit: 5}
	if err := mergePacks(packs, byKey); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(maps.Keys(sums))
	for i, r := range byKey.rows {
		if r.key != keys[i] {
			t.Fatalf("by key: row %d is %s, want %s", i, r.key, keys[i])
		}
	}
}
