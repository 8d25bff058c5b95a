package shipping

import (
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/money"
)

func amount(a money.Amount) *money.Amount { return &a }

var (
	byPiece = Template{ID: 1, Name: "piece", Basis: PerPiece, FreeAbove: amount(20000),
		Default: Rule{FirstUnits: 1, FirstFee: 1000, AdditionalUnits: 1, AdditionalFee: 500},
		Rules: []Rule{
			{Regions: []string{"CN.44"}, FirstUnits: 1, FirstFee: 800, AdditionalUnits: 1, AdditionalFee: 300},
			{Regions: []string{"CN.44.03"}, FirstUnits: 2, FirstFee: 600, AdditionalUnits: 2, AdditionalFee: 200},
		}}
	byWeight = Template{ID: 2, Name: "weight", Basis: PerWeight,
		Default: Rule{FirstUnits: 1000, FirstFee: 1200, AdditionalUnits: 500, AdditionalFee: 400}}
	templates = map[int64]Template{1: byPiece, 2: byWeight}
)

func TestParcelFee(t *testing.T) {
	for _, tc := range []struct {
		name   string
		region string
		items  []Item
		want   money.Amount
	}{
		{"default rule", "CN.11.01.01", []Item{{TemplateID: 1, Quantity: 3, Paid: 3000}}, 1000 + 2*500},
		{"province rule", "CN.44.01.03", []Item{{TemplateID: 1, Quantity: 3, Paid: 3000}}, 800 + 2*300},
		{"most specific wins", "CN.44.03.05", []Item{{TemplateID: 1, Quantity: 3, Paid: 3000}}, 600 + 200},
		{"free above", "CN.11.01.01", []Item{{TemplateID: 1, Quantity: 3, Paid: 20000}}, 0},
		{"just below free", "CN.11.01.01", []Item{{TemplateID: 1, Quantity: 1, Paid: 19999}}, 1000},
		{"no template ships free", "CN.11.01.01", []Item{{Quantity: 3, Paid: 100}}, 0},
		{"weight within first", "CN.11.01.01", []Item{{TemplateID: 2, Quantity: 2, UnitGrams: 500, Paid: 1}}, 1200},
		{"weight part of a step counts", "CN.11.01.01", []Item{{TemplateID: 2, Quantity: 2, UnitGrams: 700, Paid: 1}}, 1200 + 400},
		{"weight unknown is first fee", "CN.11.01.01", []Item{{TemplateID: 2, Quantity: 5, Paid: 1}}, 1200},
		// Largest first fee (weight 1200 > piece 1000) pays first; the piece
		// goods pay only additional fees: 2 pieces × 500.
		{"two templates", "CN.11.01.01", []Item{{TemplateID: 1, Quantity: 2, Paid: 100}, {TemplateID: 2, Quantity: 1, UnitGrams: 1600, Paid: 100}},
			1200 + 2*400 + 2*500},
		{"free template beside a paying one", "CN.11.01.01", []Item{{TemplateID: 1, Quantity: 2, Paid: 19000}, {TemplateID: 2, Quantity: 1, UnitGrams: 900, Paid: 1000}},
			1200}, // the parcel's goods total 20000 makes template 1 free; template 2 pays its first fee
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ParcelFee(tc.region, templates, tc.items)
			if f.Amount != tc.want {
				t.Fatalf("fee %d, want %d (%+v)", f.Amount, tc.want, f)
			}
			var sum money.Amount
			for _, p := range f.Parts {
				sum += p.Fee
			}
			if sum != f.Amount {
				t.Fatalf("parts sum %d ≠ %d", sum, f.Amount)
			}
		})
	}
}

func TestTemplateRefused(t *testing.T) {
	ok := func() Template {
		return Template{Name: "T", Basis: PerPiece, Default: Rule{FirstUnits: 1, FirstFee: 1, AdditionalUnits: 1, AdditionalFee: 1},
			Rules: []Rule{{Regions: []string{"CN.44"}, FirstUnits: 1, FirstFee: 1, AdditionalUnits: 1, AdditionalFee: 1}}}
	}
	for _, tc := range []struct {
		field  string
		change func(*Template)
	}{
		{"name", func(t *Template) { t.Name = " " }},
		{"basis", func(t *Template) { t.Basis = "volume" }},
		{"free_above", func(t *Template) { t.FreeAbove = amount(-1) }},
		{"default.first_fee", func(t *Template) { t.Default.FirstFee = -1 }},
		{"default.additional_units", func(t *Template) { t.Default.AdditionalUnits = 0 }},
		{"default.regions", func(t *Template) { t.Default.Regions = []string{"CN"} }},
		{"rules[0].additional_fee", func(t *Template) { t.Rules[0].AdditionalFee = -5 }},
		{"rules[0].first_fee", func(t *Template) { t.Rules[0].FirstFee = MaxFee + 1 }},
		{"rules[0].regions", func(t *Template) { t.Rules[0].Regions = nil }},
		{"rules[0].regions[0]", func(t *Template) { t.Rules[0].Regions = []string{"44"} }},
		{"rules[1].regions[0]", func(t *Template) {
			t.Rules = append(t.Rules, Rule{Regions: []string{"CN.44"}, FirstUnits: 1, AdditionalUnits: 1})
		}},
		{"rules[0].regions[1]", func(t *Template) { t.Rules[0].Regions = []string{"CN.44", "CN.44"} }},
	} {
		tmpl := ok()
		tc.change(&tmpl)
		err := tmpl.Normalize()
		if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tc.field {
			t.Errorf("%s: got %v", tc.field, err)
		}
	}
	tmpl := ok()
	if err := tmpl.Normalize(); err != nil {
		t.Fatal(err)
	}
}
