package store_test

import (
	"testing"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestPendingProducts: the queue lists only pending products, in id order,
// pages by id with one more than asked, and only to operators.
func TestPendingProducts(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		w.product(w.a, "Before", [2]int64{1000, 0})
		w.settings(func(s *program.Settings) { s.ProductReview = true })
		var pending []int64
		for _, title := range []string{"One", "Two", "Three"} {
			pending = append(pending, w.product(w.a, title, [2]int64{1000, 0}).ID)
		}
		_, err := db.ReviewProduct(w.ctx, w.op, pending[1], true, "")
		if err != nil {
			t.Fatal(err)
		}
		list, err := db.PendingProducts(w.ctx, w.op, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != pending[0] || list[1].ID != pending[2] {
			t.Fatalf("pending: %+v", list)
		}
		if list[0].SupplierName != "Supplier A" || len(list[0].SKUs) != 1 || list[0].Review != catalog.ReviewPending {
			t.Errorf("first: %+v", list[0])
		}
		if list, _ = db.PendingProducts(w.ctx, w.op, 0, 1); len(list) != 2 {
			t.Errorf("limit 1 returns %d, want 2 (one more)", len(list))
		}
		if list, _ = db.PendingProducts(w.ctx, w.op, pending[0], 10); len(list) != 1 || list[0].ID != pending[2] {
			t.Errorf("after the first: %+v", list)
		}
		if _, err := db.PendingProducts(w.ctx, w.a, 0, 10); errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("a supplier reads the queue: %v", err)
		}
	})
}
