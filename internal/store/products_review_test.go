package store_test

import (
	"testing"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/order"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestProductReview: with the program's product review on, a product a
// supplier creates or edits is pending and not sold (not listed, not
// readable by customers, refused at checkout) until an operator approves
// it; a rejection needs a reason; an operator's own edit keeps the review;
// with review off (the default) products are approved at once.
func TestProductReview(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		before := w.product(w.a, "Old", [2]int64{1000, 0})
		if before.Review != catalog.ReviewApproved {
			t.Fatalf("review off: %s", before.Review)
		}
		w.settings(func(s *program.Settings) { s.ProductReview = true })

		p := w.product(w.a, "Tea", [2]int64{1000, 0})
		sku := p.SKUs[0].ID
		w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{sku: 10, before.SKUs[0].ID: 10})
		buy := cart("CN.44.03.05", order.Item{SKUID: sku, Quantity: 1})
		sold := func() bool {
			t.Helper()
			_, err := db.Checkout(w.ctx, w.cust, buy, "")
			if err != nil && errs.FieldOf(err) != "items[0].sku_id" {
				t.Fatalf("checkout: %v", err)
			}
			_, readErr := db.Product(w.ctx, w.cust, p.ID)
			list, lerr := db.Products(w.ctx, w.cust, store.ProductFilter{Limit: 100})
			if lerr != nil {
				t.Fatal(lerr)
			}
			listed := false
			for _, q := range list {
				listed = listed || q.ID == p.ID
			}
			if (err == nil) != (readErr == nil) || (err == nil) != listed {
				t.Fatalf("checkout %v, read %v, listed %v disagree", err, readErr, listed)
			}
			return err == nil
		}
		if p.Review != catalog.ReviewPending || sold() {
			t.Fatalf("a new product with review on: %s, sold %v", p.Review, sold())
		}
		if own, err := db.Product(w.ctx, w.a, p.ID); err != nil || own.Review != catalog.ReviewPending {
			t.Fatalf("the supplier's view: %+v %v", own, err)
		}
		if _, err := db.Product(w.ctx, w.cust, before.ID); err != nil {
			t.Fatalf("a product approved before review was on: %v", err)
		}

		_, err := db.ReviewProduct(w.ctx, w.a, p.ID, true, "")
		wantCode(t, err, errs.Forbidden, "")
		_, err = db.ReviewProduct(w.ctx, w.op, p.ID, false, " ")
		wantCode(t, err, errs.Invalid, "reason")
		_, err = db.ReviewProduct(w.ctx, w.op, 999999, true, "")
		wantCode(t, err, errs.NotFound, "")
		if got, err := db.ReviewProduct(w.ctx, w.op, p.ID, true, ""); err != nil || got.Review != catalog.ReviewApproved || !sold() {
			t.Fatalf("approved: %+v %v", got, err)
		}
		_, err = db.ReviewProduct(w.ctx, w.op, p.ID, true, "")
		wantCode(t, err, errs.Conflict, "review")

		// A supplier's edit asks for review again; an operator's does not.
		title := "Green tea"
		if got, err := db.UpdateProduct(w.ctx, w.a, p.ID, catalog.ProductUpdate{Title: &title}); err != nil || got.Review != catalog.ReviewPending || sold() {
			t.Fatalf("after the supplier's edit: %+v %v", got, err)
		}
		if got, err := db.ReviewProduct(w.ctx, w.op, p.ID, false, "the photos show another brand"); err != nil ||
			got.Review != catalog.ReviewRejected || got.ReviewReason != "the photos show another brand" || sold() {
			t.Fatalf("rejected: %+v %v", got, err)
		}
		if _, err := db.UpdateSKU(w.ctx, w.a, sku, catalog.SKUUpdate{RetailPrice: amount(1200)}); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Product(w.ctx, w.a, p.ID); err != nil || got.Review != catalog.ReviewPending || got.ReviewReason != "" {
			t.Fatalf("after the supplier's SKU edit: %+v %v", got, err)
		}
		if _, err := db.ReviewProduct(w.ctx, w.op, p.ID, true, "new photos are fine"); err != nil {
			t.Fatal(err)
		}
		title = "Green tea, 250 g"
		if got, err := db.UpdateProduct(w.ctx, w.op, p.ID, catalog.ProductUpdate{Title: &title}); err != nil || got.Review != catalog.ReviewApproved || !sold() {
			t.Fatalf("after an operator's edit: %+v %v", got, err)
		}
		if es, err := db.AuditLog(w.ctx, store.AuditFilter{Action: "product.review"}); err != nil || len(es) != 3 {
			t.Fatalf("audit: %d %v", len(es), err)
		}

		w.settings(func(s *program.Settings) { s.ProductReview = false })
		if q := w.product(w.a, "Cup", [2]int64{500, 0}); q.Review != catalog.ReviewApproved {
			t.Fatalf("review off again: %s", q.Review)
		}
	})
}
