package demo

import (
	"context"
	"fmt"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/material"
	"sharemall/internal/store"
)

// demoMaterial is a published marketing material of the demo: on the
// demo's product-th product (by id, from 0: among the most ordered by the
// demo's fixed seed), by the operator or by the product's supplier.
type demoMaterial struct {
	product        int
	bySupplier     bool
	copyZH, copyEN string
}

var demoMaterials = []demoMaterial{
	{8, false, "今天下单，明天到家。朋友们都在回购的好物，点链接看看。", "Order today, at your door tomorrow. The one my friends keep buying again: tap the link."},
	{6, true, "产地直发，品质看得见。", "Shipped straight from the source: quality you can see."},
	{5, true, "新品上架，限量供应。", ""},
}

// materials publishes the demo's materials with their products' pictures
// and brings visits through them: some customers (already bound to a
// shop) open their shop's link of the material, so their later orders of
// that product are credited to it, and some friends do without signing in.
func (o *orderSeeder) materials(ctx context.Context) error {
	var ids []int64
	for _, dm := range demoMaterials {
		k := o.nthProduct(dm.product)
		p, err := o.db.Product(ctx, o.op, k.productID)
		if err != nil {
			return err
		}
		by := o.op
		if dm.bySupplier {
			by = o.suppliers[k.supplier]
		}
		images := p.Images[:min(len(p.Images), 3)]
		m, err := o.db.CreateMaterial(ctx, by, material.Input{ProductID: k.productID, Images: images, CopyZH: dm.copyZH,
			CopyEN: dm.copyEN, Published: len(images) > 0})
		if err != nil {
			return fmt.Errorf("material: %w", err)
		}
		ids = append(ids, m.ID)
	}
	// Each shop's link of each material's product.
	links := make([][]string, len(ids))
	for j, dm := range demoMaterials {
		for _, sh := range o.shops {
			l, err := o.db.ShareLink(ctx, sh, o.nthProduct(dm.product).productID, store.ChannelLink)
			if err != nil {
				return err
			}
			links[j] = append(links[j], l.Code)
		}
	}
	for i, c := range o.customers[:len(o.customers)-4] {
		o.at = o.at.Add(3 * time.Minute)
		// Through the customer's own shop (visit bound customer i to shop i mod shops).
		j := i % len(ids)
		if _, _, err := o.db.RecordMaterialVisit(ctx, c, links[j][i%len(o.shops)], fmt.Sprintf("demo-visitor-%02d", i+1), ids[j]); err != nil {
			return fmt.Errorf("material visit: %w", err)
		}
	}
	for i := range 10 {
		o.at = o.at.Add(5 * time.Minute)
		j := i % len(ids)
		if _, _, err := o.db.RecordMaterialVisit(ctx, account.Actor{}, links[j][i%len(o.shops)], fmt.Sprintf("demo-friend-%02d", i), ids[j]); err != nil {
			return fmt.Errorf("material visit: %w", err)
		}
	}
	return nil
}

// nthProduct is the first SKU of the n-th distinct product (from 0) among
// the demo's SKUs, which list products in the order they were made.
func (o *orderSeeder) nthProduct(n int) demoStock {
	seen := -1
	var last int64
	for _, k := range o.skus {
		if k.productID != last {
			seen, last = seen+1, k.productID
		}
		if seen == n {
			return k
		}
	}
	return o.skus[0]
}
