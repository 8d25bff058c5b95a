package store_test

import (
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func TestAPIKeys(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		key, k, err := db.CreateAPIKey(f.ctx, f.a, f.supA.ID, " ERP ")
		if err != nil {
			t.Fatal(err)
		}
		if !account.LooksLikeToken(key) || k.Name != "ERP" || k.Prefix != key[:12] || k.RevokedAt != nil {
			t.Fatalf("key %q, %+v", key, k)
		}
		actor, err := db.ActorByAPIKey(f.ctx, account.HashToken(key))
		if err != nil || actor.SupplierID != f.supA.ID || actor.APIKeyID != k.ID || actor.IsOperator() {
			t.Fatalf("actor = %+v, %v", actor, err)
		}
		if keys, err := db.APIKeys(f.ctx, f.a, f.supA.ID); err != nil || len(keys) != 1 || keys[0].LastUsedAt == nil {
			t.Fatalf("last use not recorded: %+v, %v", keys, err)
		}

		for _, tc := range []struct {
			name  string
			who   account.Actor
			sup   int64
			key   string
			code  errs.Code
			field string
		}{
			{"api key", actor, f.supA.ID, "x", errs.Forbidden, ""},
			{"no name", f.a, f.supA.ID, " ", errs.Invalid, "name"},
			{"other supplier", f.b, f.supA.ID, "x", errs.Forbidden, ""},
			{"customer", f.cust, f.supA.ID, "x", errs.Forbidden, ""},
			{"anonymous", account.Actor{}, f.supA.ID, "x", errs.Unauthorized, ""},
			{"missing supplier", f.op, 9999, "x", errs.NotFound, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := db.CreateAPIKey(f.ctx, tc.who, tc.sup, tc.key)
				catErr(t, err, tc.code, tc.field)
			})
		}
		keys, err := db.APIKeys(f.ctx, f.a, f.supA.ID)
		if err != nil || len(keys) != 1 {
			t.Fatalf("refused creations added keys: %+v, %v", keys, err)
		}
		// An operator may create one for any supplier; listing is per supplier.
		if _, _, err := db.CreateAPIKey(f.ctx, f.op, f.supB.ID, "ops"); err != nil {
			t.Fatal(err)
		}
		if keys, _ := db.APIKeys(f.ctx, f.op, f.supB.ID); len(keys) != 1 || keys[0].Name != "ops" {
			t.Fatalf("B's keys = %+v", keys)
		}
		_, err = db.APIKeys(f.ctx, f.b, f.supA.ID)
		catErr(t, err, errs.Forbidden, "")

		// An API key neither revokes keys (its own supplier's included) nor lists them.
		key3, k3, err := db.CreateAPIKey(f.ctx, f.a, f.supA.ID, "integration")
		if err != nil {
			t.Fatal(err)
		}
		keyActor, err := db.ActorByAPIKey(f.ctx, account.HashToken(key3))
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.RevokeAPIKey(f.ctx, keyActor, f.supA.ID, k.ID)
		catErr(t, err, errs.Forbidden, "")
		_, err = db.RevokeAPIKey(f.ctx, keyActor, f.supA.ID, k3.ID)
		catErr(t, err, errs.Forbidden, "")
		_, err = db.APIKeys(f.ctx, keyActor, f.supA.ID)
		catErr(t, err, errs.Forbidden, "")
		if _, err := db.ActorByAPIKey(f.ctx, account.HashToken(key)); err != nil {
			t.Fatalf("an API key revoked another: %v", err)
		}
		if _, err := db.RevokeAPIKey(f.ctx, f.a, f.supA.ID, k3.ID); err != nil {
			t.Fatal(err)
		}

		// Supplier B can neither revoke A's key nor find it through its own supplier.
		_, err = db.RevokeAPIKey(f.ctx, f.b, f.supA.ID, k.ID)
		catErr(t, err, errs.Forbidden, "")
		_, err = db.RevokeAPIKey(f.ctx, f.b, f.supB.ID, k.ID)
		catErr(t, err, errs.NotFound, "")
		if _, err := db.ActorByAPIKey(f.ctx, account.HashToken(key)); err != nil {
			t.Fatalf("refused revocations revoked the key: %v", err)
		}

		r, err := db.RevokeAPIKey(f.ctx, f.a, f.supA.ID, k.ID)
		if err != nil || r.RevokedAt == nil {
			t.Fatalf("%+v, %v", r, err)
		}
		if _, err := db.RevokeAPIKey(f.ctx, f.a, f.supA.ID, k.ID); err != nil {
			t.Fatalf("second revoke: %v", err)
		}
		if _, err := db.ActorByAPIKey(f.ctx, account.HashToken(key)); errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("revoked key still works: %v", err)
		}
		log, _ := db.AuditLog(f.ctx, store.AuditFilter{Action: "apikey.revoke"})
		if len(log) != 2 { // k3 by its owner above, k once
			t.Fatalf("revocations audited %d times", len(log))
		}

		// A suspended supplier's keys stop working until it is reinstated.
		key2, _, err := db.CreateAPIKey(f.ctx, f.b, f.supB.ID, "second")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetSupplierStatus(f.ctx, f.op, f.supB.ID, catalog.Suspended, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ActorByAPIKey(f.ctx, account.HashToken(key2)); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("suspended supplier's key: %v", err)
		}
	})
}

func TestCategories(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		food, err := db.CreateCategory(f.ctx, f.op, catalog.Category{Name: "Food", Slug: "food"})
		if err != nil {
			t.Fatal(err)
		}
		tea, err := db.CreateCategory(f.ctx, f.op, catalog.Category{Name: " Tea ", Slug: "tea", ParentID: food.ID})
		if err != nil || tea.Name != "Tea" || tea.ParentID != food.ID {
			t.Fatalf("%+v, %v", tea, err)
		}
		for _, tc := range []struct {
			who   account.Actor
			c     catalog.Category
			code  errs.Code
			field string
		}{
			{f.a, catalog.Category{Name: "X", Slug: "x"}, errs.Forbidden, ""},
			{account.Actor{}, catalog.Category{Name: "X", Slug: "x"}, errs.Unauthorized, ""},
			{f.op, catalog.Category{Name: "X", Slug: "tea"}, errs.Conflict, "slug"},
			{f.op, catalog.Category{Name: "X", Slug: "X"}, errs.Invalid, "slug"},
			{f.op, catalog.Category{Name: "", Slug: "x"}, errs.Invalid, "name"},
			{f.op, catalog.Category{Name: "X", Slug: "x", ParentID: 9999}, errs.Invalid, "parent_id"},
		} {
			_, err := db.CreateCategory(f.ctx, tc.who, tc.c)
			catErr(t, err, tc.code, tc.field)
		}
		all, err := db.Categories(f.ctx)
		if err != nil || len(all) != 2 || all[0].Slug != "food" || all[1].ParentID != food.ID {
			t.Fatalf("categories = %+v, %v", all, err)
		}
		if log, _ := db.AuditLog(f.ctx, store.AuditFilter{Action: "category.create"}); len(log) != 2 {
			t.Fatalf("audit = %+v", log)
		}
	})
}

func TestRegions(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		countries, err := db.Regions(f.ctx, "")
		if err != nil || len(countries) != 1 || countries[0].Code != "CN" || countries[0].Level != 1 {
			t.Fatalf("countries = %+v, %v", countries, err)
		}
		provinces, err := db.Regions(f.ctx, "CN")
		if err != nil || len(provinces) < 6 {
			t.Fatalf("provinces = %+v, %v", provinces, err)
		}
		want := map[string]bool{"CN.11": true, "CN.31": true, "CN.44": true, "CN.33": true, "CN.32": true, "CN.51": true}
		for _, p := range provinces {
			delete(want, p.Code)
			if p.Level != 2 || p.ParentCode != "CN" {
				t.Fatalf("province %+v", p)
			}
		}
		if len(want) != 0 {
			t.Fatalf("missing provinces %v", want)
		}
		sz, err := db.Region(f.ctx, "CN.44.03")
		if err != nil || sz.Name != "Shenzhen 深圳市" || sz.Level != 3 || sz.ParentCode != "CN.44" {
			t.Fatalf("Shenzhen = %+v, %v", sz, err)
		}
		districts, err := db.Regions(f.ctx, "CN.44.03")
		if err != nil || len(districts) != 9 || districts[2].Code != "CN.44.03.05" {
			t.Fatalf("Shenzhen districts = %+v, %v", districts, err)
		}
		// TestRegionsMainland walks the whole tree.
		_, err = db.Region(f.ctx, "CN.99")
		catErr(t, err, errs.NotFound, "")
		_, err = db.Region(f.ctx, "cn")
		catErr(t, err, errs.Invalid, "code")
		_, err = db.Regions(f.ctx, "CN.4")
		catErr(t, err, errs.Invalid, "parent")
		_, err = db.Regions(f.ctx, "CN.99")
		catErr(t, err, errs.NotFound, "")
	})
}
