package order

import (
	"fmt"
	"slices"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
)

// Candidate is a warehouse that might ship a line: its supplier, priority,
// service areas and what it has available (on hand less reserved) per SKU.
type Candidate struct {
	WarehouseID int64
	SupplierID  int64
	Priority    int64
	Areas       []string
	Available   map[int64]int64
}

// RouteLine is what routing needs of an order line.
type RouteLine struct {
	SKUID      int64
	SupplierID int64
	Quantity   int64
}

// Specificity is the level of the most specific of areas covering region
// (4 for a district), or 0 when none covers it.
func Specificity(areas []string, region string) int {
	best := 0
	for _, a := range areas {
		if catalog.Covers(a, region) {
			best = max(best, catalog.Level(a))
		}
	}
	return best
}

// Rank lists the warehouses that may ship l to region, best first: of its
// supplier, covering the region, with the stock; then the most specific
// covering area, then the higher priority, then the lower id. Checkout tries
// them in this order, because another checkout may take the stock between
// reading and reserving it.
func Rank(region string, l RouteLine, cs []Candidate) []Candidate {
	var out []Candidate
	for _, c := range cs {
		if c.SupplierID == l.SupplierID && c.Available[l.SKUID] >= l.Quantity && Specificity(c.Areas, region) > 0 {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Candidate) int {
		if sa, sb := Specificity(a.Areas, region), Specificity(b.Areas, region); sa != sb {
			return sb - sa
		}
		if a.Priority != b.Priority {
			if a.Priority > b.Priority {
				return -1
			}
			return 1
		}
		switch {
		case a.WarehouseID < b.WarehouseID:
			return -1
		case a.WarehouseID > b.WarehouseID:
			return 1
		}
		return 0
	})
	return out
}

// Route picks a warehouse for each line in turn, each taking its quantity
// from what the next lines see. A line no warehouse can ship is a Conflict
// naming items[i].sku_id.
func Route(region string, lines []RouteLine, cs []Candidate) ([]int64, error) {
	left := make([]Candidate, len(cs))
	for i, c := range cs {
		left[i] = c
		left[i].Available = make(map[int64]int64, len(c.Available))
		for k, v := range c.Available {
			left[i].Available[k] = v
		}
	}
	out := make([]int64, len(lines))
	for i, l := range lines {
		r := Rank(region, l, left)
		if len(r) == 0 {
			return nil, NoStock(i, l.SKUID)
		}
		out[i] = r[0].WarehouseID
		for j := range left {
			if left[j].WarehouseID == out[i] {
				left[j].Available[l.SKUID] -= l.Quantity
			}
		}
	}
	return out, nil
}

// NoStock is the error for a line no warehouse can ship.
func NoStock(i int, skuID int64) error {
	return errs.E(errs.Conflict, fmt.Sprintf("items[%d].sku_id", i),
		"no warehouse serving the shipping region has enough stock of SKU %d", skuID)
}

// AgentArea is a distribution area a regional agent holds.
type AgentArea struct {
	RegionCode    string
	DistributorID int64
	GrantedBy     int64
	GrantedAtUnix int64 // set by the store; kept simple so this package stays pure
}

// AgentFor returns the agent holding the most specific area covering region.
func AgentFor(region string, agents []AgentArea) (AgentArea, bool) {
	var best AgentArea
	level := 0
	for _, a := range agents {
		if catalog.Covers(a.RegionCode, region) && catalog.Level(a.RegionCode) > level {
			best, level = a, catalog.Level(a.RegionCode)
		}
	}
	return best, level > 0
}
