package catalog

import (
	"fmt"
	"time"

	"sharemall/internal/errs"
)

// Warehouse is where a supplier ships from. Orders to an address go to an
// active warehouse whose areas cover it; Priority breaks ties (higher first).
type Warehouse struct {
	ID         int64
	SupplierID int64
	Name       string
	RegionCode string // where the warehouse is
	Priority   int
	Active     bool
	Areas      []string // region codes it delivers to
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Stock is how many units of a SKU a warehouse holds, and how many of those
// are promised to orders not yet shipped.
type Stock struct {
	WarehouseID int64
	SKUID       int64
	OnHand      int64
	Reserved    int64
	UpdatedAt   time.Time
}

// Available is what can still be sold.
func (s Stock) Available() int64 { return s.OnHand - s.Reserved }

// MaxAreas bounds a warehouse's area list.
const MaxAreas = 500

// Normalize validates a warehouse's own fields.
func (w *Warehouse) Normalize() error {
	var err error
	if w.Name, err = text("name", w.Name, 100, true); err != nil {
		return err
	}
	if _, err := ParseRegionCode("region_code", w.RegionCode); err != nil {
		return err
	}
	if w.Priority < -1000 || w.Priority > 1000 {
		return errs.Invalidf("priority", "must be from -1000 to 1000")
	}
	return nil
}

// NormalizeAreas checks area codes and drops repeats, keeping their order.
func NormalizeAreas(field string, codes []string) ([]string, error) {
	if len(codes) > MaxAreas {
		return nil, errs.Invalidf(field, "must list at most %d areas", MaxAreas)
	}
	seen := map[string]bool{}
	out := []string{}
	for i, c := range codes {
		if _, err := ParseRegionCode(fmt.Sprintf("%s[%d]", field, i), c); err != nil {
			return nil, err
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// WarehouseUpdate changes some of a warehouse's fields; nil leaves one as it is.
type WarehouseUpdate struct {
	Name       *string
	RegionCode *string
	Priority   *int
	Active     *bool
}

// Apply applies u to w; the caller validates w afterwards.
func (u WarehouseUpdate) Apply(w *Warehouse) {
	if u.Name != nil {
		w.Name = *u.Name
	}
	if u.RegionCode != nil {
		w.RegionCode = *u.RegionCode
	}
	if u.Priority != nil {
		w.Priority = *u.Priority
	}
	if u.Active != nil {
		w.Active = *u.Active
	}
}

// CheckOnHand validates a new on-hand count against what is reserved.
func CheckOnHand(onHand, reserved int64) error {
	if onHand < 0 {
		return errs.Invalidf("on_hand", "must not be negative")
	}
	if onHand > 1<<40 {
		return errs.Invalidf("on_hand", "is too large")
	}
	if onHand < reserved {
		return errs.E(errs.Conflict, "on_hand", "must not be below the %d units reserved for open orders", reserved)
	}
	return nil
}
