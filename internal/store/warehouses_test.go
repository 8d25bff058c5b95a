package store_test

import (
	"reflect"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func TestWarehouses(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		w, err := db.CreateWarehouse(f.ctx, f.a, &catalog.Warehouse{Name: "Shenzhen", RegionCode: "CN.44.03.05", Active: true,
			Areas: []string{"CN.44", "CN.11", "CN.44"}})
		if err != nil || w.SupplierID != f.supA.ID || !reflect.DeepEqual(w.Areas, []string{"CN.44", "CN.11"}) {
			t.Fatalf("%+v, %v", w, err)
		}
		got, err := db.Warehouse(f.ctx, f.a, w.ID)
		if err != nil || !reflect.DeepEqual(got.Areas, []string{"CN.11", "CN.44"}) || got.RegionCode != "CN.44.03.05" || !got.Active {
			t.Fatalf("stored %+v, %v", got, err)
		}
		bw, err := db.CreateWarehouse(f.ctx, f.op, &catalog.Warehouse{SupplierID: f.supB.ID, Name: "Hangzhou", RegionCode: "CN.33.01"})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			who   account.Actor
			w     catalog.Warehouse
			code  errs.Code
			field string
		}{
			{"taken name", f.a, catalog.Warehouse{Name: "Shenzhen", RegionCode: "CN"}, errs.Conflict, "name"},
			{"no name", f.a, catalog.Warehouse{RegionCode: "CN"}, errs.Invalid, "name"},
			{"malformed region", f.a, catalog.Warehouse{Name: "X", RegionCode: "CN-44"}, errs.Invalid, "region_code"},
			{"unknown region", f.a, catalog.Warehouse{Name: "X", RegionCode: "CN.99"}, errs.Invalid, "region_code"},
			{"unknown area", f.a, catalog.Warehouse{Name: "X", RegionCode: "CN", Areas: []string{"CN.44", "CN.99"}}, errs.Invalid, "areas[1]"},
			{"for another supplier", f.b, catalog.Warehouse{SupplierID: f.supA.ID, Name: "X", RegionCode: "CN"}, errs.Forbidden, ""},
			{"operator without supplier", f.op, catalog.Warehouse{Name: "X", RegionCode: "CN"}, errs.Invalid, "supplier_id"},
			{"customer", f.cust, catalog.Warehouse{Name: "X", RegionCode: "CN"}, errs.Forbidden, ""},
			{"anonymous", account.Actor{}, catalog.Warehouse{Name: "X", RegionCode: "CN"}, errs.Unauthorized, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.CreateWarehouse(f.ctx, tc.who, &tc.w)
				catErr(t, err, tc.code, tc.field)
			})
		}
		list := func(who account.Actor, supplierID int64) []catalog.Warehouse {
			t.Helper()
			ws, err := db.Warehouses(f.ctx, who, supplierID)
			if err != nil {
				t.Fatal(err)
			}
			return ws
		}
		if ws := list(f.a, 0); len(ws) != 1 || ws[0].ID != w.ID || len(ws[0].Areas) != 2 {
			t.Fatalf("refused creations added warehouses: %+v", ws)
		}
		if ws := list(f.op, 0); len(ws) != 2 {
			t.Fatalf("operator sees %d warehouses", len(ws))
		}
		if ws := list(f.op, f.supB.ID); len(ws) != 1 || ws[0].ID != bw.ID {
			t.Fatalf("B's warehouses %+v", ws)
		}
		// B can neither see nor change A's warehouse.
		_, err = db.Warehouses(f.ctx, f.b, f.supA.ID)
		catErr(t, err, errs.Forbidden, "")
		_, err = db.Warehouse(f.ctx, f.b, w.ID)
		catErr(t, err, errs.NotFound, "")
		_, err = db.Warehouse(f.ctx, f.cust, w.ID)
		catErr(t, err, errs.Forbidden, "")
		name, region, prio, inactive := "Nanshan", "CN.44.03", 5, false
		_, err = db.UpdateWarehouse(f.ctx, f.b, w.ID, catalog.WarehouseUpdate{Name: &name})
		catErr(t, err, errs.NotFound, "")
		_, err = db.SetWarehouseAreas(f.ctx, f.b, w.ID, []string{"CN"})
		catErr(t, err, errs.NotFound, "")

		taken, badRegion := "Shenzhen", "CN.99"
		_, err = db.UpdateWarehouse(f.ctx, f.op, bw.ID, catalog.WarehouseUpdate{Name: &taken}) // a name is unique per supplier only
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateWarehouse(f.ctx, f.a, &catalog.Warehouse{Name: "Second", RegionCode: "CN"}); err != nil {
			t.Fatal(err)
		}
		second := "Second"
		_, err = db.UpdateWarehouse(f.ctx, f.a, w.ID, catalog.WarehouseUpdate{Name: &second})
		catErr(t, err, errs.Conflict, "name")
		_, err = db.UpdateWarehouse(f.ctx, f.a, w.ID, catalog.WarehouseUpdate{RegionCode: &badRegion})
		catErr(t, err, errs.Invalid, "region_code")
		_, err = db.SetWarehouseAreas(f.ctx, f.a, w.ID, []string{"CN.11", "CN.99"})
		catErr(t, err, errs.Invalid, "areas[1]")
		_, err = db.SetWarehouseAreas(f.ctx, f.a, w.ID, []string{"CN.1"})
		catErr(t, err, errs.Invalid, "areas[0]")
		if got, _ := db.Warehouse(f.ctx, f.a, w.ID); got.Name != "Shenzhen" || got.RegionCode != "CN.44.03.05" || len(got.Areas) != 2 {
			t.Fatalf("refused updates changed the warehouse: %+v", got)
		}

		up, err := db.UpdateWarehouse(f.ctx, f.a, w.ID, catalog.WarehouseUpdate{Name: &name, RegionCode: &region, Priority: &prio, Active: &inactive})
		if err != nil || up.Name != name || up.RegionCode != region || up.Priority != 5 || up.Active {
			t.Fatalf("%+v, %v", up, err)
		}
		up, err = db.SetWarehouseAreas(f.ctx, f.a, w.ID, []string{"CN.44.03.05"})
		if err != nil || !reflect.DeepEqual(up.Areas, []string{"CN.44.03.05"}) {
			t.Fatalf("%+v, %v", up, err)
		}
		if got, _ := db.Warehouse(f.ctx, f.a, w.ID); !reflect.DeepEqual(got.Areas, []string{"CN.44.03.05"}) || got.Priority != 5 {
			t.Fatalf("stored %+v", got)
		}
		if up, err = db.SetWarehouseAreas(f.ctx, f.a, w.ID, nil); err != nil || len(up.Areas) != 0 {
			t.Fatalf("clearing areas: %+v, %v", up, err)
		}
	})
}

func TestStock(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		p := f.product(f.a, f.supA.ID)
		bp := f.product(f.b, f.supB.ID)
		w, err := db.CreateWarehouse(f.ctx, f.a, &catalog.Warehouse{Name: "Shenzhen", RegionCode: "CN.44.03", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		bw, err := db.CreateWarehouse(f.ctx, f.b, &catalog.Warehouse{Name: "Hangzhou", RegionCode: "CN.33.01", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		st, err := db.SetStock(f.ctx, f.a, w.ID, p.SKUs[0].ID, 10)
		if err != nil || st.OnHand != 10 || st.Reserved != 0 {
			t.Fatalf("%+v, %v", st, err)
		}
		if st, err = db.SetStock(f.ctx, f.a, w.ID, p.SKUs[0].ID, 7); err != nil || st.OnHand != 7 {
			t.Fatalf("%+v, %v", st, err)
		}
		for _, tc := range []struct {
			name     string
			who      account.Actor
			wid, sku int64
			onHand   int64
			code     errs.Code
			field    string
		}{
			{"negative", f.a, w.ID, p.SKUs[0].ID, -1, errs.Invalid, "on_hand"},
			{"another supplier's SKU", f.a, w.ID, bp.SKUs[0].ID, 5, errs.NotFound, "sku_id"},
			{"missing SKU", f.a, w.ID, 9999, 5, errs.NotFound, "sku_id"},
			{"B into A's warehouse", f.b, w.ID, p.SKUs[0].ID, 5, errs.NotFound, ""},
			{"B's SKU into A's warehouse", f.b, w.ID, bp.SKUs[0].ID, 5, errs.NotFound, ""},
			{"A into B's warehouse", f.a, bw.ID, p.SKUs[0].ID, 5, errs.NotFound, ""},
			{"customer", f.cust, w.ID, p.SKUs[0].ID, 5, errs.Forbidden, ""},
			{"anonymous", account.Actor{}, w.ID, p.SKUs[0].ID, 5, errs.Unauthorized, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.SetStock(f.ctx, tc.who, tc.wid, tc.sku, tc.onHand)
				catErr(t, err, tc.code, tc.field)
			})
		}
		lines, err := db.Stock(f.ctx, f.a, w.ID)
		if err != nil || len(lines) != 1 || lines[0].OnHand != 7 || lines[0].Available() != 7 {
			t.Fatalf("refused stock changes changed stock: %+v, %v", lines, err)
		}
		if lines, err := db.Stock(f.ctx, f.b, bw.ID); err != nil || len(lines) != 0 {
			t.Fatalf("B's stock %+v, %v", lines, err)
		}
		_, err = db.Stock(f.ctx, f.b, w.ID)
		catErr(t, err, errs.NotFound, "")
		// On hand may not drop below what open orders hold.
		if err := db.ReserveStockForTest(f.ctx, w.ID, p.SKUs[0].ID, 5); err != nil {
			t.Fatal(err)
		}
		_, err = db.SetStock(f.ctx, f.a, w.ID, p.SKUs[0].ID, 4)
		catErr(t, err, errs.Conflict, "on_hand")
		if st, err := db.SetStock(f.ctx, f.a, w.ID, p.SKUs[0].ID, 5); err != nil || st.Reserved != 5 || st.Available() != 0 {
			t.Fatalf("%+v, %v", st, err)
		}
		if _, err := db.SetStock(f.ctx, f.op, w.ID, p.SKUs[1].ID, 3); err != nil {
			t.Fatalf("operator sets stock: %v", err)
		}
		if lines, _ := db.Stock(f.ctx, f.op, w.ID); len(lines) != 2 || lines[1].SKUID != p.SKUs[1].ID {
			t.Fatalf("stock %+v", lines)
		}
	})
}
