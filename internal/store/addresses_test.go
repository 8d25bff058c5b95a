package store_test

import (
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func (w *shopWorld) address(who account.Actor, a store.Address) *store.Address {
	w.t.Helper()
	out, err := w.db.SaveAddress(w.ctx, who, a)
	if err != nil {
		w.t.Fatalf("save address: %v", err)
	}
	return out
}

// defaults lists the ids of who's default addresses (there must be one).
func (w *shopWorld) defaults(who account.Actor) []int64 {
	w.t.Helper()
	as, err := w.db.Addresses(w.ctx, who)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []int64
	for _, a := range as {
		if a.IsDefault {
			out = append(out, a.ID)
		}
	}
	return out
}

func home() store.Address {
	return store.Address{Name: " Li Lei ", Phone: "138 0013 8000", RegionCode: "CN.44.03.05", Address: "1 Science Park Road"}
}

// The address book: leaf regions only, the phone as sign-up reads it,
// exactly one default, and another account's addresses out of reach.
func TestAddresses(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		first := w.address(w.cust, home())
		if first.Name != "Li Lei" || first.Phone != "+8613800138000" || !first.IsDefault || first.AccountID != w.cust.AccountID {
			t.Fatalf("first %+v", first)
		}
		for _, c := range []struct {
			name  string
			edit  func(a *store.Address)
			field string
		}{
			{"province", func(a *store.Address) { a.RegionCode = "CN.44" }, "region_code"},
			{"city with districts", func(a *store.Address) { a.RegionCode = "CN.44.03" }, "region_code"},
			{"unknown region", func(a *store.Address) { a.RegionCode = "CN.44.03.99" }, "region_code"},
			{"malformed region", func(a *store.Address) { a.RegionCode = "Shenzhen" }, "region_code"},
			{"phone", func(a *store.Address) { a.Phone = "12345" }, "phone"},
			{"no name", func(a *store.Address) { a.Name = "  " }, "name"},
			{"long name", func(a *store.Address) { a.Name = strings.Repeat("李", 101) }, "name"},
			{"no address", func(a *store.Address) { a.Address = "" }, "address"},
		} {
			a := home()
			c.edit(&a)
			_, err := db.SaveAddress(w.ctx, w.cust, a)
			wantCode(t, err, errs.Invalid, c.field)
		}
		// A city without districts is a leaf.
		dongguan := home()
		dongguan.RegionCode, dongguan.Phone = "CN.44.19", "+852 6123 4567"
		second := w.address(w.cust, dongguan)
		if second.IsDefault || second.Phone != "+85261234567" {
			t.Fatalf("second %+v", second)
		}
		// Made the default, it takes it from the first.
		second.IsDefault = true
		second.Address = "2 Dongguan Road"
		second = w.address(w.cust, *second)
		if d := w.defaults(w.cust); len(d) != 1 || d[0] != second.ID || second.Address != "2 Dongguan Road" {
			t.Fatalf("defaults %v", d)
		}
		// The default is moved, never unset.
		second.IsDefault = false
		_, err := db.SaveAddress(w.ctx, w.cust, *second)
		wantCode(t, err, errs.Invalid, "is_default")
		if a, err := db.SetDefaultAddress(w.ctx, w.cust, first.ID); err != nil || !a.IsDefault {
			t.Fatalf("set default: %+v, %v", a, err)
		}
		if d := w.defaults(w.cust); len(d) != 1 || d[0] != first.ID {
			t.Fatalf("defaults %v", d)
		}
		third := w.address(w.cust, home())
		if as, _ := db.Addresses(w.ctx, w.cust); len(as) != 3 || as[0].ID != first.ID || as[1].ID != third.ID {
			t.Fatalf("list: default first, then newest: %+v", as)
		}

		// Another account sees none of them.
		other := w.account(account.Customer)
		_, err = db.Address(w.ctx, other, first.ID)
		wantCode(t, err, errs.NotFound, "")
		_, err = db.SaveAddress(w.ctx, other, *first)
		wantCode(t, err, errs.NotFound, "")
		_, err = db.SetDefaultAddress(w.ctx, other, first.ID)
		wantCode(t, err, errs.NotFound, "")
		wantCode(t, db.DeleteAddress(w.ctx, other, first.ID), errs.NotFound, "")
		if as, err := db.Addresses(w.ctx, other); err != nil || len(as) != 0 {
			t.Fatalf("other's book: %+v, %v", as, err)
		}
		_, err = db.Addresses(w.ctx, account.Actor{})
		wantCode(t, err, errs.Unauthorized, "")

		// Deleting the default makes the newest left the default.
		if err := db.DeleteAddress(w.ctx, w.cust, first.ID); err != nil {
			t.Fatal(err)
		}
		if d := w.defaults(w.cust); len(d) != 1 || d[0] != third.ID {
			t.Fatalf("after deleting the default: %v", d)
		}
		_, err = db.Address(w.ctx, w.cust, first.ID)
		wantCode(t, err, errs.NotFound, "")
		for _, id := range []int64{second.ID, third.ID} {
			if err := db.DeleteAddress(w.ctx, w.cust, id); err != nil {
				t.Fatal(err)
			}
		}
		if d := w.defaults(w.cust); len(d) != 0 {
			t.Fatalf("an empty book has defaults %v", d)
		}
	})
}

// At most store.MaxAddresses per account.
func TestAddressLimit(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		for range store.MaxAddresses {
			w.address(w.cust, home())
		}
		_, err := db.SaveAddress(w.ctx, w.cust, home())
		wantCode(t, err, errs.Conflict, "")
		if d := w.defaults(w.cust); len(d) != 1 {
			t.Fatalf("defaults %v", d)
		}
	})
}
