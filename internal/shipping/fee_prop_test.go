package shipping

import (
	"testing"

	"pgregory.net/rapid"

	"sharemall/internal/money"
)

// Properties of ParcelFee over random templates and parcels: the parts add
// up to the fee; at most one part pays a first fee, the largest of the
// templates charged; the fee is at least that first fee and at most every
// charged template's first fee plus its additional fee on all its units; a
// parcel whose goods reach every template's free_above ships free.
func TestParcelFeeProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 4).Draw(t, "templates")
		templates := map[int64]Template{}
		for i := range n {
			rule := func(label string) Rule {
				return Rule{FirstUnits: rapid.Int64Range(1, 2000).Draw(t, label+"first_units"),
					FirstFee:        money.Amount(rapid.Int64Range(0, int64(MaxFee)).Draw(t, label+"first_fee")),
					AdditionalUnits: rapid.Int64Range(1, 2000).Draw(t, label+"add_units"),
					AdditionalFee:   money.Amount(rapid.Int64Range(0, int64(MaxFee)).Draw(t, label+"add_fee"))}
			}
			tmpl := Template{ID: int64(i + 1), Basis: rapid.SampledFrom([]Basis{PerPiece, PerWeight}).Draw(t, "basis"), Default: rule("d")}
			if rapid.Bool().Draw(t, "regional") {
				r := rule("r")
				r.Regions = []string{"CN.44"}
				tmpl.Rules = []Rule{r}
			}
			if rapid.Bool().Draw(t, "free") {
				tmpl.FreeAbove = amount(money.Amount(rapid.Int64Range(0, 100000).Draw(t, "free_above")))
			}
			templates[tmpl.ID] = tmpl
		}
		var items []Item
		for range rapid.IntRange(1, 6).Draw(t, "items") {
			items = append(items, Item{TemplateID: rapid.Int64Range(0, int64(n)).Draw(t, "template"),
				Quantity: rapid.Int64Range(1, 10000).Draw(t, "quantity"), UnitGrams: rapid.Int64Range(0, MaxWeightGrams).Draw(t, "grams"),
				Paid: money.Amount(rapid.Int64Range(0, 50000).Draw(t, "paid"))})
		}
		region := rapid.SampledFrom([]string{"CN.44.03.05", "CN.11.01.01"}).Draw(t, "region")
		f := ParcelFee(region, templates, items)
		var sum, upper, maxFirst money.Amount
		firsts := 0
		for _, p := range f.Parts {
			sum += p.Fee
			if p.FirstPiece {
				firsts++
				maxFirst = p.Rule.FirstFee
			}
			if !p.Free {
				upper += p.Rule.FirstFee + steps(p.Units, p.Rule.AdditionalUnits)*p.Rule.AdditionalFee
			}
		}
		if sum != f.Amount || f.Amount < 0 {
			t.Fatalf("parts sum %d, fee %d", sum, f.Amount)
		}
		if firsts > 1 {
			t.Fatalf("%d parts pay a first fee", firsts)
		}
		if f.Amount < maxFirst || f.Amount > upper {
			t.Fatalf("fee %d outside [%d, %d]", f.Amount, maxFirst, upper)
		}
		for _, p := range f.Parts {
			if !p.Free && p.Rule.FirstFee > maxFirst {
				t.Fatalf("template %d's first fee %d is larger than the one charged %d", p.TemplateID, p.Rule.FirstFee, maxFirst)
			}
		}
		allFree := true
		for _, p := range f.Parts {
			allFree = allFree && p.Free
		}
		if !allFree && firsts != 1 {
			t.Fatalf("templates charged, but %d parts pay a first fee", firsts)
		}
		if allFree && f.Amount != 0 {
			t.Fatalf("every template free, fee %d", f.Amount)
		}
	})
}
