// Package shipping holds a supplier's shipping templates and the pure
// computation of a parcel's fee (docs/shipping.md). No database here.
package shipping

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// Basis is what a template counts: pieces or grams.
type Basis string

const (
	PerPiece  Basis = "piece"
	PerWeight Basis = "weight"
)

// Limits keep templates small and every fee far from overflow.
const (
	MaxRules   = 50
	MaxRegions = 500
	MaxUnits   = 1_000_000_000 // pieces or grams in one step
	// MaxFee is the most one step may charge (10,000.00 in a two-digit
	// currency); with MaxWeightGrams and order.MaxQuantity no fee overflows.
	MaxFee money.Amount = 1_000_000
	// MaxWeightGrams is the heaviest a SKU may weigh: one tonne.
	MaxWeightGrams = 1_000_000
)

// Rule charges FirstFee for the first FirstUnits (pieces or grams) and
// AdditionalFee for each further AdditionalUnits or part of them.
type Rule struct {
	Regions         []string     `json:"regions,omitempty"` // empty for the default rule
	FirstUnits      int64        `json:"first_units"`
	FirstFee        money.Amount `json:"first_fee"`
	AdditionalUnits int64        `json:"additional_units"`
	AdditionalFee   money.Amount `json:"additional_fee"`
}

// Template is a supplier's shipping template: rules by destination region
// (the most specific region that covers the address wins), a default rule
// for everywhere else, and an optional threshold above which it is free.
type Template struct {
	ID         int64         `json:"id"`
	SupplierID int64         `json:"supplier_id"`
	Name       string        `json:"name"`
	Basis      Basis         `json:"basis"`
	Default    Rule          `json:"default"`
	Rules      []Rule        `json:"rules"`
	FreeAbove  *money.Amount `json:"free_above,omitempty"` // nil: never free
}

// Normalize trims and checks a template's own fields; errors name the JSON
// field. Whether each region exists is the store's to check.
func (t *Template) Normalize() error {
	t.Name = strings.TrimSpace(t.Name)
	switch n := utf8.RuneCountInString(t.Name); {
	case n == 0:
		return errs.Invalidf("name", "must not be empty")
	case n > 60:
		return errs.Invalidf("name", "must be at most 60 characters")
	}
	if t.Basis != PerPiece && t.Basis != PerWeight {
		return errs.Invalidf("basis", "must be %q or %q", PerPiece, PerWeight)
	}
	if t.FreeAbove != nil && (*t.FreeAbove < 0 || *t.FreeAbove > catalog.MaxPrice) {
		return errs.Invalidf("free_above", "must be between 0 and %d", catalog.MaxPrice)
	}
	if len(t.Default.Regions) > 0 {
		return errs.Invalidf("default.regions", "must be empty: the default rule is for every region no other rule covers")
	}
	if err := t.Default.check("default"); err != nil {
		return err
	}
	if len(t.Rules) > MaxRules {
		return errs.Invalidf("rules", "must list at most %d rules", MaxRules)
	}
	seen := map[string]int{}
	count := 0
	for i := range t.Rules {
		r := &t.Rules[i]
		field := fmt.Sprintf("rules[%d]", i)
		if len(r.Regions) == 0 {
			return errs.Invalidf(field+".regions", "must list at least one region code")
		}
		for j, code := range r.Regions {
			f := fmt.Sprintf("%s.regions[%d]", field, j)
			code = strings.TrimSpace(code)
			if _, err := catalog.ParseRegionCode(f, code); err != nil {
				return err
			}
			if k, ok := seen[code]; ok {
				return errs.Invalidf(f, "%s overlaps rules[%d], which already lists it", code, k)
			}
			seen[code] = i
			r.Regions[j] = code
		}
		if count += len(r.Regions); count > MaxRegions {
			return errs.Invalidf(field+".regions", "the rules may list at most %d regions in all", MaxRegions)
		}
		if err := r.check(field); err != nil {
			return err
		}
	}
	return nil
}

func (r Rule) check(field string) error {
	switch {
	case r.FirstUnits <= 0 || r.FirstUnits > MaxUnits:
		return errs.Invalidf(field+".first_units", "must be between 1 and %d", MaxUnits)
	case r.FirstFee < 0:
		return errs.Invalidf(field+".first_fee", "must not be negative")
	case r.FirstFee > MaxFee:
		return errs.Invalidf(field+".first_fee", "must be at most %d", MaxFee)
	case r.AdditionalUnits <= 0 || r.AdditionalUnits > MaxUnits:
		return errs.Invalidf(field+".additional_units", "must be between 1 and %d", MaxUnits)
	case r.AdditionalFee < 0:
		return errs.Invalidf(field+".additional_fee", "must not be negative")
	case r.AdditionalFee > MaxFee:
		return errs.Invalidf(field+".additional_fee", "must be at most %d", MaxFee)
	}
	return nil
}

// Regions lists every region code the rules name, each once.
func (t Template) Regions() []string {
	var out []string
	for _, r := range t.Rules {
		out = append(out, r.Regions...)
	}
	return out
}

// RuleFor is the rule for an address in region: the rule naming the most
// specific region that covers it (catalog.Covers), else the default rule.
// It returns the matched region code too, "" for the default.
func (t Template) RuleFor(region string) (Rule, string) {
	best, bestCode := t.Default, ""
	for _, r := range t.Rules {
		for _, code := range r.Regions {
			if catalog.Covers(code, region) && len(code) > len(bestCode) {
				best, bestCode = r, code
			}
		}
	}
	return best, bestCode
}
