package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// A product's pictures are its images list, the first one its cover. These
// methods change the list one picture at a time, each under the product's
// row lock, so that concurrent uploads never hold more than
// catalog.MaxImages between them. The pictures' files are the media
// package's: the callers store one before AddProductImage and delete it
// after RemoveProductImage.

// AddProductImage puts url last on the product's pictures (its supplier, or
// an operator). A URL the product already shows is not added twice and is
// no error, so an upload repeated by a retry changes nothing. A product with
// catalog.MaxImages pictures refuses more (Conflict on "image"). Like other
// edits, it asks for the operator's review again when review is on.
func (db *DB) AddProductImage(ctx context.Context, actor account.Actor, productID int64, url string) (*catalog.Product, error) {
	var p *catalog.Product
	err := db.changeImages(ctx, actor, productID, func(tx *Tx, pr *catalog.Product) (bool, error) {
		p = pr
		if slices.Contains(pr.Images, url) {
			return false, nil
		}
		if !catalog.ImageURL(url) {
			return false, errs.Invalidf("image", "must be an http or https URL, or a path on this site (/media/…)")
		}
		if len(pr.Images) >= catalog.MaxImages {
			return false, errs.E(errs.Conflict, "image", "a product shows at most %d pictures: remove one first", catalog.MaxImages)
		}
		pr.Images = append(pr.Images, url)
		return true, tx.productEdited(ctx, actor, pr)
	})
	if err != nil {
		return nil, errs.Wrap("store.AddProductImage", err)
	}
	return p, nil
}

// RemoveProductImage takes picture n (0 is the cover) off the product and
// returns its URL, whose files the caller may then delete.
func (db *DB) RemoveProductImage(ctx context.Context, actor account.Actor, productID int64, n int) (string, *catalog.Product, error) {
	var p *catalog.Product
	var removed string
	err := db.changeImages(ctx, actor, productID, func(_ *Tx, pr *catalog.Product) (bool, error) {
		p = pr
		if n < 0 || n >= len(pr.Images) {
			return false, errs.E(errs.NotFound, "", "the product has no picture %d (it has %d)", n, len(pr.Images))
		}
		removed = pr.Images[n]
		pr.Images = slices.Delete(pr.Images, n, n+1)
		return true, nil
	})
	if err != nil {
		return "", nil, errs.Wrap("store.RemoveProductImage", err)
	}
	return removed, p, nil
}

// SetProductCover moves picture n first, the others keeping their order.
func (db *DB) SetProductCover(ctx context.Context, actor account.Actor, productID int64, n int) (*catalog.Product, error) {
	var p *catalog.Product
	err := db.changeImages(ctx, actor, productID, func(_ *Tx, pr *catalog.Product) (bool, error) {
		p = pr
		if n < 0 || n >= len(pr.Images) {
			return false, errs.E(errs.NotFound, "", "the product has no picture %d (it has %d)", n, len(pr.Images))
		}
		if n == 0 {
			return false, nil
		}
		url := pr.Images[n]
		pr.Images = slices.Insert(slices.Delete(pr.Images, n, n+1), 0, url)
		return true, nil
	})
	if err != nil {
		return nil, errs.Wrap("store.SetProductCover", err)
	}
	return p, nil
}

// changeImages runs change on the product under its row lock (a no-op
// write: SELECT … FOR UPDATE is not portable) and saves its images when
// change says they changed.
func (db *DB) changeImages(ctx context.Context, actor account.Actor, productID int64, change func(*Tx, *catalog.Product) (bool, error)) error {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		n, err := tx.ExecN(ctx, `UPDATE products SET images = images WHERE id = ?`, productID)
		if err != nil {
			return err
		}
		if n == 0 {
			return errs.E(errs.NotFound, "", "product not found")
		}
		p, _, err := tx.changeableProduct(ctx, actor, productID)
		if err != nil {
			return err
		}
		changed, err := change(tx, p)
		if err != nil || !changed {
			return err
		}
		images, _ := json.Marshal(p.Images)
		p.UpdatedAt = tx.Now()
		_, err = tx.Exec(ctx, `UPDATE products SET images = ?, updated_at = ? WHERE id = ?`, string(images), ts(tx.Now()), productID)
		return err
	})
}

// ProductImageLists reads the pictures of the products ids names, for
// maintenance (sharemall media gc, which runs without an actor): a product
// that does not exist has no entry.
func (db *DB) ProductImageLists(ctx context.Context, ids []int64) (map[int64][]string, error) {
	out := make(map[int64][]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	err := db.Read(ctx, func(tx *Tx) error {
		err := tx.Each(ctx, `SELECT id, images FROM products WHERE id IN (`+sqldb.Placeholders(len(ids))+`)`, args,
			func(scan func(...any) error) error {
				var id int64
				var images string
				if err := scan(&id, &images); err != nil {
					return err
				}
				var list []string
				if err := json.Unmarshal([]byte(images), &list); err != nil {
					return fmt.Errorf("product %d images: %w", id, err)
				}
				out[id] = list
				return nil
			})
		if err != nil {
			return err
		}
		return tx.addMaterialImages(ctx, args, out) // materials' pictures are stored under their product (materials_images.go)
	})
	if err != nil {
		return nil, errs.Wrap("store.ProductImageLists", err)
	}
	return out, nil
}
