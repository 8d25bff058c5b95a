package store_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func rule(r commission.TierRule, src commission.Source) commission.TierRule {
	r.Source = src
	return r
}

// TestOverridesResolvePerTier: a SKU names tier 1 (a fixed amount), its
// product names tier 2, and tier 3 and the SKUs without an override come
// from the grade and the program; the order's snapshot records each tier's
// rule and source. Write-time checks take the fallback (the highest grade
// rate for an unnamed tier 1) into account.
func TestOverridesResolvePerTier(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		w.settings(func(s *program.Settings) { s.Tiers, s.TierRates, s.PlatformRate = 3, []money.Rate{1000, 500, 200}, 200 })
		gold := money.Rate(1500)
		g, err := db.CreateGrade(w.ctx, w.op, network.Grade{Name: "Gold", Rank: 1, Tier1Rate: &gold})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetGrade(w.ctx, w.op, w.seller.ID, g.ID); err != nil {
			t.Fatal(err)
		}

		// Tier 1 unnamed may pay Gold's 15%, tier 3 the program's 2%: tier 2
		// may be at most 13% of the 30% cap (the 2% platform fee is outside it).
		in := &catalog.Product{SupplierID: w.supA.ID, Title: "Tea", OnSale: true, Commission: overrideRates(-1, 1301),
			SKUs: []catalog.SKU{{Code: "T-1", RetailPrice: 2000, OnSale: true, Commission: overrideFixed(150)}, {Code: "T-2", RetailPrice: 1000, OnSale: true}}}
		_, err = db.CreateProduct(w.ctx, w.a, in)
		wantCode(t, err, errs.Invalid, "commission")
		in.Commission = overrideRates(-1, 1300)
		p, err := db.CreateProduct(w.ctx, w.a, in)
		if err != nil {
			t.Fatal(err)
		}
		// The SKU's fixed 1.50 plus 13% and 2% of 2.00 would be over 30%; at 20.00 it fits.
		cheap := money.Amount(200)
		_, err = db.UpdateSKU(w.ctx, w.a, p.SKUs[0].ID, catalog.SKUUpdate{RetailPrice: &cheap})
		wantCode(t, err, errs.Invalid, "commission")

		k1, k2 := p.SKUs[0].ID, p.SKUs[1].ID
		w.warehouse(w.a, "A", 0, []string{"CN"}, map[int64]int64{k1: 5, k2: 5})
		w.bind(w.cust, w.seller)
		o := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: k1, Quantity: 2}, order.Item{SKUID: k2, Quantity: 1}), "")
		want := [][]commission.TierRule{
			{rule(commission.Fixed(150), commission.FromSKU), rule(commission.Rate(1300), commission.FromProduct), rule(commission.Rate(200), commission.FromProgram)},
			{rule(commission.Rate(1500), commission.FromGrade), rule(commission.Rate(1300), commission.FromProduct), rule(commission.Rate(200), commission.FromProgram)},
		}
		for i, l := range o.Lines {
			if !slices.Equal(l.Snapshot.Rules, want[i]) || l.Snapshot.PlatformInCap {
				t.Fatalf("line %d snapshot %+v; want rules %v", i, l.Snapshot, want[i])
			}
		}
		// Read back from the database, the snapshot says the same.
		again, err := db.Order(w.ctx, w.cust, o.ID)
		if err != nil || !reflect.DeepEqual(again.Lines[0].Snapshot, o.Lines[0].Snapshot) {
			t.Fatalf("stored snapshot %+v, %v", again.Lines[0].Snapshot, err)
		}
	})
}

// TestMigrationKeepsOverrides: overrides stored before migration 00013
// replaced the whole schedule (unlisted tiers paid 0); after it they list
// every tier, the unlisted ones as explicit zeros, so they pay as before.
func TestMigrationKeepsOverrides(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{2000, 0}, [2]int64{3000, 0})
		plain := w.product(w.a, "Cup", [2]int64{1000, 0})
		w.exec(`UPDATE products SET commission = ? WHERE id = ?`, `{"kind":"rate","tiers":[1500]}`, p.ID)
		w.exec(`UPDATE skus SET commission = ? WHERE id = ?`, `{"kind":"fixed","tiers":[300,100]}`, p.SKUs[1].ID)
		if err := db.MigrateDownToForTest(w.ctx, 12); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(w.ctx); err != nil {
			t.Fatal(err)
		}
		got, err := db.Product(w.ctx, w.op, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		r, f := catalog.RateTier, catalog.FixedTier
		if want := (&catalog.Commission{Tiers: []*catalog.TierCommission{r(1500), r(0), r(0)}}); !reflect.DeepEqual(got.Commission, want) {
			t.Fatalf("product override %+v; want %+v", got.Commission, want)
		}
		if want := (&catalog.Commission{Tiers: []*catalog.TierCommission{f(300), f(100), f(0)}}); !reflect.DeepEqual(got.SKUs[1].Commission, want) {
			t.Fatalf("SKU override %+v; want %+v", got.SKUs[1].Commission, want)
		}
		if got.SKUs[0].Commission != nil {
			t.Fatalf("a SKU without override got %+v", got.SKUs[0].Commission)
		}
		if c, _ := db.Product(w.ctx, w.op, plain.ID); c.Commission != nil {
			t.Fatalf("a product without override got %+v", c.Commission)
		}
		// Tier 2 still pays 0 where the old override did not list it: it
		// does not fall back to the program's 5%.
		k0, k1 := p.SKUs[0].ID, p.SKUs[1].ID
		w.warehouse(w.a, "A", 0, []string{"CN"}, map[int64]int64{k0: 5, k1: 5})
		w.bind(w.cust, w.seller)
		o := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: k0, Quantity: 1}, order.Item{SKUID: k1, Quantity: 1}), "")
		if got, want := o.Lines[0].Snapshot.Rules, []commission.TierRule{rule(commission.Rate(1500), commission.FromProduct), rule(commission.Rate(0), commission.FromProduct)}; !slices.Equal(got, want) {
			t.Fatalf("product override after migration: %v; want %v", got, want)
		}
		if got, want := o.Lines[1].Snapshot.Rules, []commission.TierRule{rule(commission.Fixed(300), commission.FromSKU), rule(commission.Fixed(100), commission.FromSKU)}; !slices.Equal(got, want) {
			t.Fatalf("SKU override after migration: %v; want %v", got, want)
		}
		// And they can still be edited: the zero for tier 3 of a 2-tier program is allowed.
		title := "Tea 2"
		if _, err := db.UpdateProduct(w.ctx, w.a, p.ID, catalog.ProductUpdate{Title: &title, Commission: &got.Commission}); err != nil {
			t.Fatalf("re-saving a migrated override: %v", err)
		}
	})
}

// TestOldSnapshotBooksAsBefore: an order placed before this change carries a
// snapshot without sources, whose cap counted the platform fee. Paid and
// refunded now, it splits as it would have then, and the ledger stays clean.
func TestOldSnapshotBooksAsBefore(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{1999, 0})
		k := p.SKUs[0].ID
		w.warehouse(w.a, "A", 0, []string{"CN"}, map[int64]int64{k: 5})
		w.bind(w.cust, w.seller)
		o := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: k, Quantity: 1}), "")
		old := fmt.Sprintf(`{"currency":"CNY","supplier_id":%d,"seller_id":%d,"upline":[%d],"rules":[{"kind":"fixed","per_unit":2000},{"kind":"fixed","per_unit":2000}],"platform_rate_bp":1000,"cap_bp":3000}`,
			w.supA.ID, w.seller.ID, w.mid.ID)
		w.exec(`UPDATE order_lines SET snapshot = ? WHERE id = ?`, old, o.Lines[0].ID)
		got, err := db.Order(w.ctx, w.cust, o.ID)
		if s := got.Lines[0].Snapshot; err != nil || !s.PlatformInCap || s.Rules[0].Source != "" || s.Rules[0].PerUnit != 2000 {
			t.Fatalf("old snapshot read as %+v, %v", s, err)
		}
		if _, err := db.StartPayment(w.ctx, w.cust, o.ID, "sandbox", "ref-old"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.ApplyPayment(w.ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: "ref-old", Amount: 1999, Currency: "CNY", Payload: "{}"}); err != nil {
			t.Fatal(err)
		}
		line, err := db.CommissionLine(w.ctx, o.Lines[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		// Then: tiers within (30% − 10%) of 19.99 = 3.99, the platform 1.99, the supplier the rest.
		want := map[commission.PartyKind]money.Amount{commission.KindTier: 399, commission.KindPlatform: 199, commission.KindSupplier: 1401}
		sums := map[commission.PartyKind]money.Amount{}
		for _, sh := range line.Shares {
			sums[sh.Party.Kind] += sh.Amount
		}
		for kind, a := range want {
			if sums[kind] != a {
				t.Fatalf("%s shares %d; want %d (%+v)", kind, sums[kind], a, line.Shares)
			}
		}
		if _, _, err := db.RefundLine(w.ctx, o.Lines[0].ID, "rma-old", commission.Line{}); err != nil {
			t.Fatal(err)
		}
		if problems, err := db.CheckLedger(w.ctx); err != nil || len(problems) != 0 {
			t.Fatalf("ledger check: %v, %v", problems, err)
		}
	})
}
