package demo

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"sharemall/internal/money"
	"sharemall/internal/shipping"
	"sharemall/internal/store"
)

// demoShipping is each demo supplier's shipping template (by index of
// demoSuppliers), its default: cheaper near its warehouses, dearer far
// away, free above an amount, so demo checkouts show real fees
// (docs/shipping.md). The foods supplier charges by weight.
var demoShipping = []shipping.Template{
	{Name: "Tea parcels 茶叶包裹", Basis: shipping.PerPiece, FreeAbove: amount(19900),
		Default: shipping.Rule{FirstUnits: 1, FirstFee: 1200, AdditionalUnits: 1, AdditionalFee: 600},
		Rules: []shipping.Rule{
			{Regions: []string{"CN.33", "CN.32", "CN.31"}, FirstUnits: 1, FirstFee: 600, AdditionalUnits: 1, AdditionalFee: 300},
			{Regions: []string{"CN.54", "CN.65"}, FirstUnits: 1, FirstFee: 3000, AdditionalUnits: 1, AdditionalFee: 1500},
		}},
	{Name: "Foods by weight 食品按重量", Basis: shipping.PerWeight, FreeAbove: amount(29900),
		Default: shipping.Rule{FirstUnits: 1000, FirstFee: 1000, AdditionalUnits: 500, AdditionalFee: 400},
		Rules: []shipping.Rule{
			{Regions: []string{"CN.44"}, FirstUnits: 1000, FirstFee: 600, AdditionalUnits: 1000, AdditionalFee: 200},
			{Regions: []string{"CN.31", "CN.32", "CN.33"}, FirstUnits: 1000, FirstFee: 800, AdditionalUnits: 500, AdditionalFee: 300},
		}},
	{Name: "Home goods 家居", Basis: shipping.PerPiece, FreeAbove: amount(39900),
		Default: shipping.Rule{FirstUnits: 1, FirstFee: 1500, AdditionalUnits: 1, AdditionalFee: 800},
		Rules: []shipping.Rule{
			{Regions: []string{"CN.51"}, FirstUnits: 1, FirstFee: 800, AdditionalUnits: 2, AdditionalFee: 400},
			{Regions: []string{"CN.44"}, FirstUnits: 1, FirstFee: 1000, AdditionalUnits: 1, AdditionalFee: 500},
		}},
}

func amount(a money.Amount) *money.Amount { return &a }

// defaultGrams is what a demo SKU without a weight option weighs, packed.
const defaultGrams = 800

// seedShipping gives every demo supplier its template as its default and,
// for weight templates, every SKU its weight.
func (s *seeder) seedShipping(ctx context.Context) error {
	for i, ds := range demoSuppliers {
		owner, err := s.actorByLogin(ctx, ds.login)
		if err != nil {
			return err
		}
		t := demoShipping[i]
		t.Rules = append([]shipping.Rule(nil), t.Rules...)
		saved, err := s.db.SaveShippingTemplate(ctx, owner, &t)
		if err != nil {
			return fmt.Errorf("shipping template of %s: %w", ds.name, err)
		}
		if err := s.db.SetShippingTemplate(ctx, owner, owner.SupplierID, 0, saved.ID); err != nil {
			return fmt.Errorf("default shipping template of %s: %w", ds.name, err)
		}
		if t.Basis != shipping.PerWeight {
			continue
		}
		ps, err := s.db.Products(ctx, owner, store.ProductFilter{SupplierID: owner.SupplierID, Limit: 200})
		if err != nil {
			return err
		}
		for _, p := range ps {
			for _, k := range p.SKUs {
				if err := s.db.SetSKUWeight(ctx, owner, k.ID, grams(k.Options["weight"])); err != nil {
					return fmt.Errorf("weight of SKU %s: %w", k.Code, err)
				}
			}
		}
	}
	return nil
}

// grams reads a demo weight option ("250g", "1kg") and adds the packing;
// no option is defaultGrams.
func grams(option string) int64 {
	n, unit := option, int64(1)
	if v, ok := strings.CutSuffix(option, "kg"); ok {
		n, unit = v, 1000
	} else if v, ok := strings.CutSuffix(option, "g"); ok {
		n = v
	}
	g, err := strconv.ParseInt(n, 10, 64)
	if err != nil || g <= 0 {
		return defaultGrams
	}
	return g*unit + 150
}
