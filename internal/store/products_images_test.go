package store_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func pic(n int) string { return fmt.Sprintf("/media/p/1-%032x.jpg", n) }

func TestProductImages(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		p := f.product(f.a, f.supA.ID) // shows https://img.example/o.jpg
		first := p.Images[0]
		images := func() []string {
			t.Helper()
			got, err := db.Product(f.ctx, f.a, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.Images
		}

		got, err := db.AddProductImage(f.ctx, f.a, p.ID, pic(1))
		if err != nil || !reflect.DeepEqual(got.Images, []string{first, pic(1)}) {
			t.Fatalf("add: %v, %v", got, err)
		}
		if _, err := db.AddProductImage(f.ctx, f.op, p.ID, pic(2)); err != nil {
			t.Fatalf("an operator adds: %v", err)
		}
		if _, err := db.AddProductImage(f.ctx, f.a, p.ID, pic(1)); err != nil {
			t.Fatalf("the same picture again: %v", err)
		}
		if want := []string{first, pic(1), pic(2)}; !reflect.DeepEqual(images(), want) {
			t.Fatalf("images %v, want %v", images(), want)
		}

		if got, err = db.SetProductCover(f.ctx, f.a, p.ID, 2); err != nil || !reflect.DeepEqual(got.Images, []string{pic(2), first, pic(1)}) {
			t.Fatalf("cover: %v, %v", got, err)
		}
		removed, got, err := db.RemoveProductImage(f.ctx, f.a, p.ID, 1)
		if err != nil || removed != first || !reflect.DeepEqual(got.Images, []string{pic(2), pic(1)}) {
			t.Fatalf("remove: %q %v %v", removed, got, err)
		}
		if want := []string{pic(2), pic(1)}; !reflect.DeepEqual(images(), want) {
			t.Fatalf("stored %v, want %v", images(), want)
		}

		for _, tc := range []struct {
			name  string
			do    func() error
			code  errs.Code
			field string
		}{
			{"anonymous", func() error { _, err := db.AddProductImage(f.ctx, account.Actor{}, p.ID, pic(3)); return err }, errs.Unauthorized, ""},
			{"customer", func() error { _, err := db.AddProductImage(f.ctx, f.cust, p.ID, pic(3)); return err }, errs.Forbidden, ""},
			{"another supplier adds", func() error { _, err := db.AddProductImage(f.ctx, f.b, p.ID, pic(3)); return err }, errs.Forbidden, ""},
			{"another supplier removes", func() error { _, _, err := db.RemoveProductImage(f.ctx, f.b, p.ID, 0); return err }, errs.Forbidden, ""},
			{"another supplier sets the cover", func() error { _, err := db.SetProductCover(f.ctx, f.b, p.ID, 1); return err }, errs.Forbidden, ""},
			{"no such product", func() error { _, err := db.AddProductImage(f.ctx, f.a, 99999, pic(3)); return err }, errs.NotFound, ""},
			{"not a picture URL", func() error { _, err := db.AddProductImage(f.ctx, f.a, p.ID, "javascript:alert(1)"); return err }, errs.Invalid, "image"},
			{"no picture 2", func() error { _, _, err := db.RemoveProductImage(f.ctx, f.a, p.ID, 2); return err }, errs.NotFound, ""},
			{"no picture -1", func() error { _, err := db.SetProductCover(f.ctx, f.a, p.ID, -1); return err }, errs.NotFound, ""},
		} {
			t.Run(tc.name, func(t *testing.T) { catErr(t, tc.do(), tc.code, tc.field) })
		}
		if want := []string{pic(2), pic(1)}; !reflect.DeepEqual(images(), want) {
			t.Fatalf("refusals changed the pictures: %v", images())
		}

		// Another supplier's product off sale is not even seen.
		off := newProduct(f.supA.ID)
		off.OnSale = false
		hidden, err := db.CreateProduct(f.ctx, f.a, off)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.AddProductImage(f.ctx, f.b, hidden.ID, pic(3))
		catErr(t, err, errs.NotFound, "")

		for i := 3; len(images()) < catalog.MaxImages; i++ {
			if _, err := db.AddProductImage(f.ctx, f.a, p.ID, pic(i)); err != nil {
				t.Fatal(err)
			}
		}
		_, err = db.AddProductImage(f.ctx, f.a, p.ID, pic(99))
		catErr(t, err, errs.Conflict, "image")
		if _, err := db.AddProductImage(f.ctx, f.a, p.ID, pic(1)); err != nil {
			t.Fatalf("a picture already shown, on a full product: %v", err)
		}
		if n := len(images()); n != catalog.MaxImages {
			t.Fatalf("%d pictures, want %d", n, catalog.MaxImages)
		}
	})
}

// TestProductImagesLimitUnderConcurrency: uploads at once never hold more
// than the limit between them, whichever engine.
func TestProductImagesLimitUnderConcurrency(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		in := newProduct(f.supA.ID)
		in.Images = nil
		p, err := db.CreateProduct(f.ctx, f.a, in)
		if err != nil {
			t.Fatal(err)
		}
		const tries = catalog.MaxImages + 6
		var wg sync.WaitGroup
		errc := make(chan error, tries)
		for i := range tries {
			wg.Go(func() {
				_, err := db.AddProductImage(f.ctx, f.a, p.ID, pic(100+i))
				errc <- err
			})
		}
		wg.Wait()
		close(errc)
		added, refused := 0, 0
		for err := range errc {
			switch {
			case err == nil:
				added++
			case errs.CodeOf(err) == errs.Conflict && errs.FieldOf(err) == "image":
				refused++
			default:
				t.Fatalf("unexpected: %v", err)
			}
		}
		got, err := db.Product(f.ctx, f.a, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if added != catalog.MaxImages || refused != tries-catalog.MaxImages || len(got.Images) != catalog.MaxImages {
			t.Fatalf("added %d, refused %d, stored %d", added, refused, len(got.Images))
		}
	})
}

// TestProductImagesAskForReview: with product review on, a new picture
// takes an approved product off sale until the operator approves it again
// (a picture is content to check); removing one or changing the cover does not.
func TestProductImagesAskForReview(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{1000, 0})
		if _, err := db.AddProductImage(w.ctx, w.a, p.ID, pic(1)); err != nil {
			t.Fatal(err)
		}
		w.settings(func(s *program.Settings) { s.ProductReview = true })
		review := func() catalog.ReviewStatus {
			t.Helper()
			got, err := db.Product(w.ctx, w.a, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.Review
		}
		if got, err := db.AddProductImage(w.ctx, w.a, p.ID, pic(2)); err != nil || got.Review != catalog.ReviewPending || review() != catalog.ReviewPending {
			t.Fatalf("a new picture under review: %v, stored %s", err, review())
		}
		if _, err := db.ReviewProduct(w.ctx, w.op, p.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetProductCover(w.ctx, w.a, p.ID, 1); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.RemoveProductImage(w.ctx, w.a, p.ID, 1); err != nil {
			t.Fatal(err)
		}
		if r := review(); r != catalog.ReviewApproved {
			t.Fatalf("after a cover change and a removal: %s, want approved", r)
		}
		if _, err := db.AddProductImage(w.ctx, w.op, p.ID, pic(3)); err != nil || review() != catalog.ReviewApproved {
			t.Fatalf("an operator's picture: %v, %s", err, review())
		}
	})
}

func TestProductImageLists(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		p := f.product(f.a, f.supA.ID)
		if _, err := db.AddProductImage(f.ctx, f.a, p.ID, pic(1)); err != nil {
			t.Fatal(err)
		}
		in := newProduct(f.supB.ID)
		in.Images = nil
		q, err := db.CreateProduct(f.ctx, f.b, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.ProductImageLists(f.ctx, []int64{p.ID, q.ID, 99999})
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64][]string{p.ID: {"https://img.example/o.jpg", pic(1)}, q.ID: {}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		if got, err := db.ProductImageLists(f.ctx, nil); err != nil || len(got) != 0 {
			t.Fatalf("no ids: %v %v", got, err)
		}
	})
}
