package store

import (
	"context"
	"encoding/json"
	"fmt"

	"sharemall/internal/sqldb"
)

// addMaterialImages adds to byProduct the pictures of the materials of the
// products ids names. A material's pictures go through the product picture
// pipeline under its product's id, so `sharemall media gc` must count them
// as shown by that product, or it would delete them.
func (tx *Tx) addMaterialImages(ctx context.Context, ids []any, byProduct map[int64][]string) error {
	return tx.Each(ctx, `SELECT product_id, images FROM materials WHERE product_id IN (`+sqldb.Placeholders(len(ids))+`)`, ids,
		func(scan func(...any) error) error {
			var id int64
			var images string
			if err := scan(&id, &images); err != nil {
				return err
			}
			var list []string
			if err := json.Unmarshal([]byte(images), &list); err != nil {
				return fmt.Errorf("material of product %d images: %w", id, err)
			}
			byProduct[id] = append(byProduct[id], list...)
			return nil
		})
}
