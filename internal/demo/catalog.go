package demo

import (
	"context"
	"fmt"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/money"
)

type demoSKU struct {
	code    string
	options map[string]string
	price   money.Amount // retail, minor units
	ceiling money.Amount // 0: no markup
}

type demoProduct struct {
	title, category string
	skus            []demoSKU
	commission      *catalog.Commission
}

type demoWarehouse struct {
	name, region string
	priority     int
	areas        []string
}

type demoSupplier struct {
	login, name string
	warehouses  []demoWarehouse
	products    []demoProduct
}

func weights(code string, price money.Amount, sizes ...string) []demoSKU {
	var out []demoSKU
	for i, s := range sizes {
		p := price * money.Amount(i+2) * 9 / 20 // bigger packs are a little cheaper per gram
		if i == 0 {
			p = price
		}
		out = append(out, demoSKU{code: fmt.Sprintf("%s-%d", code, i+1), options: map[string]string{"weight": s}, price: p, ceiling: p * 12 / 10})
	}
	return out
}

func one(code string, price, ceiling money.Amount) []demoSKU {
	return []demoSKU{{code: code, price: price, ceiling: ceiling}}
}

func colours(code string, price money.Amount, cs ...string) []demoSKU {
	var out []demoSKU
	for i, c := range cs {
		out = append(out, demoSKU{code: fmt.Sprintf("%s-%d", code, i+1), options: map[string]string{"colour": c}, price: price})
	}
	return out
}

var demoSuppliers = []demoSupplier{
	{
		login: "tea@demo.example.com", name: "West Lake Tea Co. 西湖茶业",
		warehouses: []demoWarehouse{
			{"Hangzhou main", "CN.33.01.06", 10, []string{"CN.33", "CN.32", "CN.31"}},
			{"Beijing north", "CN.11.01.05", 5, []string{"CN.11"}},
		},
		products: []demoProduct{
			{"Longjing green tea, spring pick", "tea", weights("LJ", 12800, "100g", "250g"), nil},
			{"Anji white tea", "tea", weights("AJ", 9800, "100g", "250g"), nil},
			{"Tieguanyin oolong", "tea", weights("TGY", 8800, "125g", "250g"), nil},
			{"Pu'er cake, 2019", "tea", one("PE19", 19900, 25900), &catalog.Commission{Tiers: []*catalog.TierCommission{catalog.RateTier(1500)}}},
			{"Jasmine pearls", "tea", weights("JP", 6800, "100g", "200g"), nil},
			{"Keemun black tea", "tea", weights("KM", 7600, "100g", "250g"), nil},
			{"Celadon tea set", "kitchen", colours("CTS", 26800, "celadon", "white"), nil},
			{"Bamboo tea tray", "kitchen", one("BTT", 15800, 0), nil},
			{"Glass travel tea bottle", "kitchen", colours("GTB", 5900, "clear", "smoke", "green"), &catalog.Commission{Tiers: []*catalog.TierCommission{catalog.FixedTier(500)}}},
			{"Tea gift box", "tea", one("TGB", 29900, 39900), nil},
		},
	},
	{
		login: "foods@demo.example.com", name: "Pearl River Foods 珠江食品",
		warehouses: []demoWarehouse{
			{"Guangzhou central", "CN.44.01.06", 10, []string{"CN.44"}},
			{"Shenzhen Nanshan", "CN.44.03.05", 20, []string{"CN.44.03"}},
			{"Shanghai east", "CN.31.01.15", 10, []string{"CN.31", "CN.32", "CN.33"}},
		},
		products: []demoProduct{
			{"Cantonese mooncakes, lotus paste", "snacks", one("MC-LP", 16800, 19800), nil},
			{"Beef jerky, five spice", "snacks", weights("BJ", 4500, "200g", "500g"), nil},
			{"Dried mango slices", "snacks", weights("DM", 2900, "250g", "1kg"), nil},
			{"Egg rolls tin", "snacks", one("ER", 5800, 6800), nil},
			{"XO sauce", "kitchen", one("XO", 8800, 0), nil},
			{"Preserved plums", "snacks", weights("PP", 1900, "200g", "500g"), nil},
			{"Rice noodles, Guilin", "snacks", weights("RN", 3200, "1kg", "3kg"), nil},
			{"Oyster sauce, premium", "kitchen", one("OS", 2600, 0), nil},
			{"Almond cookies", "snacks", one("AC", 3900, 4900), nil},
			{"Chrysanthemum tea", "tea", weights("CH", 3600, "50g", "150g"), nil},
		},
	},
	{
		login: "home@demo.example.com", name: "Chengdu Home & Living 成都家居",
		warehouses: []demoWarehouse{
			{"Chengdu west", "CN.51.01.07", 10, []string{"CN.51"}},
			{"National hub", "CN.44.19", 1, []string{"CN"}},
		},
		products: []demoProduct{
			{"Silk pillowcase", "home", colours("SP", 19800, "ivory", "rose", "grey"), nil},
			{"Bamboo bath towel", "home", colours("BBT", 8900, "white", "sand"), nil},
			{"Sichuan pepper oil", "kitchen", one("SPO", 3900, 4500), nil},
			{"Cast iron wok", "kitchen", one("CIW", 25900, 29900), nil},
			{"Ceramic rice bowls, set of 4", "kitchen", colours("CRB", 9900, "blue", "white"), nil},
			{"Panda plush", "home", one("PPL", 6900, 8900), nil},
			{"Hand cream, osmanthus", "beauty", one("HCO", 4900, 5900), nil},
			{"Face mask sheets, 10", "beauty", one("FMS", 7900, 9900), nil},
			{"Linen table runner", "home", colours("LTR", 6800, "natural", "indigo"), nil},
			{"Aroma diffuser", "home", colours("AD", 16800, "wood", "white"), &catalog.Commission{Tiers: []*catalog.TierCommission{catalog.RateTier(1200), catalog.RateTier(600)}}},
		},
	},
}

func (s *seeder) seedSuppliers(ctx context.Context) error {
	for si, ds := range demoSuppliers {
		owner, err := s.account(ctx, ds.login, ds.name)
		if err != nil {
			return err
		}
		sup, err := s.db.ApplySupplier(ctx, owner, catalog.SupplierApplication{Name: ds.name, ContactEmail: ds.login, AllowMarkup: true})
		if err != nil {
			return fmt.Errorf("supplier %s: %w", ds.name, err)
		}
		if _, err := s.db.SetSupplierStatus(ctx, s.op, sup.ID, catalog.Approved, "demo"); err != nil {
			return fmt.Errorf("approve %s: %w", ds.name, err)
		}
		s.suppliers = append(s.suppliers, sup.ID)
		if owner, err = s.db.ActorFor(ctx, owner.AccountID); err != nil { // now holds the supplier role
			return err
		}
		if err := s.fillCatalog(ctx, owner, si, ds); err != nil {
			return fmt.Errorf("%s: %w", ds.name, err)
		}
	}
	// One more has applied and waits for the operator: the console's
	// supplier queue is not empty.
	applicant, err := s.account(ctx, "applicant@demo.example.com", "Mountain Honey Co")
	if err != nil {
		return err
	}
	_, err = s.db.ApplySupplier(ctx, applicant, catalog.SupplierApplication{Name: "Mountain Honey Co", ContactEmail: "applicant@demo.example.com"})
	return err
}

func (s *seeder) fillCatalog(ctx context.Context, owner account.Actor, si int, ds demoSupplier) error {
	var skus []int64
	for i, dp := range ds.products {
		p := &catalog.Product{
			Title: dp.title, CategoryID: s.category[dp.category], OnSale: i != len(ds.products)-1, // one product off sale each
			Description: dp.title + ", shipped by " + ds.name + ".",
			Images:      []string{productImage(si, i, 1), productImage(si, i, 2), productImage(si, i, 3)},
			Commission:  dp.commission,
		}
		for _, sk := range dp.skus {
			sku := catalog.SKU{Code: sk.code, Options: sk.options, RetailPrice: sk.price, OnSale: true}
			if sk.ceiling > 0 {
				c := sk.ceiling
				sku.PriceCeiling = &c
			}
			p.SKUs = append(p.SKUs, sku)
		}
		created, err := s.db.CreateProduct(ctx, owner, p)
		if err != nil {
			return fmt.Errorf("product %q: %w", dp.title, err)
		}
		for _, sku := range created.SKUs {
			skus = append(skus, sku.ID)
		}
	}
	for _, dw := range ds.warehouses {
		w, err := s.db.CreateWarehouse(ctx, owner, &catalog.Warehouse{Name: dw.name, RegionCode: dw.region, Priority: dw.priority, Active: true, Areas: dw.areas})
		if err != nil {
			return fmt.Errorf("warehouse %q: %w", dw.name, err)
		}
		for _, id := range skus {
			onHand := int64(20 + s.rng.IntN(480))
			if s.rng.IntN(10) == 0 {
				onHand = 0 // some SKUs are out of stock in some warehouses
			}
			if _, err := s.db.SetStock(ctx, owner, w.ID, id, onHand); err != nil {
				return fmt.Errorf("stock of SKU %d in %q: %w", id, dw.name, err)
			}
		}
	}
	return nil
}
