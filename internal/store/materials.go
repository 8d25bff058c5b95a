package store

import (
	"context"
	"encoding/json"
	"slices"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/material"
	"sharemall/internal/sqldb"
)

// Marketing materials (migration 00041, docs/materials.md). The operator
// may publish one for any product, a supplier for its own products; both
// see and change the materials of the products they may change, whoever
// made them. Distributors read the published ones of products on sale.

// CreateMaterial saves a material for a product the actor may change.
func (db *DB) CreateMaterial(ctx context.Context, actor account.Actor, in material.Input) (*material.Material, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, errs.Wrap("store.CreateMaterial", err)
	}
	if err := in.Normalize(); err != nil {
		return nil, errs.Wrap("store.CreateMaterial", err)
	}
	var m *material.Material
	err := db.Write(ctx, func(tx *Tx) error {
		p, _, err := tx.changeableProduct(ctx, actor, in.ProductID)
		if errs.Is(err, errs.NotFound) || errs.Is(err, errs.Forbidden) {
			return errs.Invalidf("product_id", "no product of yours has this id")
		}
		if err != nil {
			return err
		}
		now := tx.Now()
		m = &material.Material{ProductID: p.ID, SupplierID: p.SupplierID, CampaignID: in.CampaignID, Images: in.Images,
			CopyZH: in.CopyZH, CopyEN: in.CopyEN, Published: in.Published, CreatedBy: actor.AccountID, CreatedAt: now, UpdatedAt: now}
		images, _ := json.Marshal(m.Images)
		m.ID, err = tx.Insert(ctx, `INSERT INTO materials (product_id, supplier_id, campaign_id, images, copy_zh, copy_en, published, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.ProductID, m.SupplierID, nullInt(m.CampaignID), string(images),
			m.CopyZH, m.CopyEN, m.Published, m.CreatedBy, ts(now), ts(now))
		if err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "material.create", "material:"+itoaID(m.ID), nil, m)
	})
	if err != nil {
		return nil, errs.Wrap("store.CreateMaterial", err)
	}
	return m, nil
}

// UpdateMaterial changes a material's copy, campaign and publication; its
// product stays (in.ProductID must be 0 or the same), its pictures change
// through AddMaterialImage and RemoveMaterialImage.
func (db *DB) UpdateMaterial(ctx context.Context, actor account.Actor, id int64, in material.Input) (*material.Material, error) {
	var m *material.Material
	err := db.changeMaterial(ctx, actor, id, func(tx *Tx, cur *material.Material) (bool, error) {
		if in.ProductID != 0 && in.ProductID != cur.ProductID {
			return false, errs.Invalidf("product_id", "a material's product cannot change: make a new material")
		}
		in.ProductID, in.Images = cur.ProductID, cur.Images
		if err := in.Normalize(); err != nil {
			return false, err
		}
		cur.CampaignID, cur.CopyZH, cur.CopyEN, cur.Published = in.CampaignID, in.CopyZH, in.CopyEN, in.Published
		m = cur
		return true, nil
	})
	return m, errs.Wrap("store.UpdateMaterial", err)
}

// AddMaterialImage puts url last on the material's pictures; a URL it
// already shows is no change (a retried upload).
func (db *DB) AddMaterialImage(ctx context.Context, actor account.Actor, id int64, url string) (*material.Material, error) {
	var m *material.Material
	err := db.changeMaterial(ctx, actor, id, func(_ *Tx, cur *material.Material) (bool, error) {
		m = cur
		if slices.Contains(cur.Images, url) {
			return false, nil
		}
		if len(cur.Images) >= material.MaxImages {
			return false, errs.E(errs.Conflict, "image", "a material shows at most %d pictures: remove one first", material.MaxImages)
		}
		if err := material.CheckImages(append(slices.Clone(cur.Images), url)); err != nil {
			return false, errs.Invalidf("image", "must be an http or https URL, or a path on this site (/media/…)")
		}
		cur.Images = append(cur.Images, url)
		return true, nil
	})
	return m, errs.Wrap("store.AddMaterialImage", err)
}

// RemoveMaterialImage takes picture n (0 the cover) off the material and
// returns its URL, whose files the caller may delete. The last picture of
// a published material stays: unpublish it first.
func (db *DB) RemoveMaterialImage(ctx context.Context, actor account.Actor, id int64, n int) (string, error) {
	var removed string
	err := db.changeMaterial(ctx, actor, id, func(_ *Tx, cur *material.Material) (bool, error) {
		if n < 0 || n >= len(cur.Images) {
			return false, errs.E(errs.NotFound, "", "the material has no picture %d", n)
		}
		removed = cur.Images[n]
		cur.Images = slices.Delete(cur.Images, n, n+1)
		return true, material.CheckPublish(cur.Published, cur.Images)
	})
	return removed, errs.Wrap("store.RemoveMaterialImage", err)
}

// changeMaterial runs change on the material under its row lock (a no-op
// write, as changeImages does for products) and saves it when changed.
func (db *DB) changeMaterial(ctx context.Context, actor account.Actor, id int64, change func(*Tx, *material.Material) (bool, error)) error {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE materials SET images = images WHERE id = ?`, id); err != nil {
			return err
		}
		cur, err := tx.ownMaterial(ctx, actor, id)
		if err != nil {
			return err
		}
		old := *cur
		old.Images = slices.Clone(cur.Images)
		changed, err := change(tx, cur)
		if err != nil || !changed {
			return err
		}
		cur.UpdatedAt = tx.Now()
		images, _ := json.Marshal(cur.Images)
		if _, err := tx.Exec(ctx, `UPDATE materials SET campaign_id = ?, images = ?, copy_zh = ?, copy_en = ?, published = ?, updated_at = ?
			WHERE id = ?`, nullInt(cur.CampaignID), string(images), cur.CopyZH, cur.CopyEN, cur.Published, ts(cur.UpdatedAt), id); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "material.update", "material:"+itoaID(id), old, cur)
	})
}

// Material reads a material the actor may change (the operator's: any;
// a supplier's: those of its products); any other is NotFound.
func (db *DB) Material(ctx context.Context, actor account.Actor, id int64) (*material.Material, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, errs.Wrap("store.Material", err)
	}
	var m *material.Material
	err := db.Read(ctx, func(tx *Tx) (err error) {
		m, err = tx.ownMaterial(ctx, actor, id)
		return err
	})
	return m, errs.Wrap("store.Material", err)
}

func (tx *Tx) ownMaterial(ctx context.Context, actor account.Actor, id int64) (*material.Material, error) {
	q, args := `SELECT `+materialCols+` FROM materials WHERE id = ?`, []any{id}
	if !actor.IsOperator() {
		q += ` AND supplier_id = ?`
		args = append(args, actor.SupplierID)
	}
	var m *material.Material
	err := tx.One(ctx, "material", q, args, func(scan func(...any) error) (err error) {
		m, err = scanMaterial(scan)
		return err
	})
	return m, err
}

const materialCols = `id, product_id, supplier_id, campaign_id, images, copy_zh, copy_en, published, created_by, created_at, updated_at`

func scanMaterial(scan func(...any) error) (*material.Material, error) {
	m := &material.Material{}
	var campaign nullableInt
	var images string
	var created, updated int64
	if err := scan(&m.ID, &m.ProductID, &m.SupplierID, &campaign, &images, &m.CopyZH, &m.CopyEN, &m.Published,
		&m.CreatedBy, &created, &updated); err != nil {
		return nil, sqldb.MapErr(err)
	}
	if err := json.Unmarshal([]byte(images), &m.Images); err != nil {
		return nil, errs.Wrap("store.scanMaterial", err)
	}
	m.CampaignID, m.CreatedAt, m.UpdatedAt = int64(campaign), fromTS(created), fromTS(updated)
	return m, nil
}

// MaterialFilter pages a list of materials, newest first (or, Ascending,
// in id order after AfterID: the API's paging).
type MaterialFilter struct {
	ProductID int64 // 0: every product
	BeforeID  int64 // page: materials older than this id; 0 from the newest
	Ascending bool  // in id order instead, after AfterID
	AfterID   int64
	Limit     int // at most 201; 0 means 20
}

func (f *MaterialFilter) limit() int {
	if f.Limit <= 0 || f.Limit > 201 {
		return 20
	}
	return f.Limit
}

// MaterialListItem is a material with its product's title and its funnel.
type MaterialListItem struct {
	material.Material
	ProductTitle string
	Stats        material.Stats
}

// Materials lists the materials the actor may change, newest first, each
// with its funnel (MaterialStats).
func (db *DB) Materials(ctx context.Context, actor account.Actor, f MaterialFilter) ([]MaterialListItem, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, errs.Wrap("store.Materials", err)
	}
	var out []MaterialListItem
	err := db.Read(ctx, func(tx *Tx) error {
		where, args := `WHERE 1=1`, []any{}
		if !actor.IsOperator() {
			where += ` AND m.supplier_id = ?`
			args = append(args, actor.SupplierID)
		}
		var err error
		if out, err = tx.materialList(ctx, where, args, f); err != nil {
			return err
		}
		return tx.fillMaterialStats(ctx, out, 0, 0)
	})
	return out, errs.Wrap("store.Materials", err)
}

// PublishedMaterials lists what a distributor may share: the published
// materials of products on sale, newest first.
func (db *DB) PublishedMaterials(ctx context.Context, f MaterialFilter) ([]MaterialListItem, error) {
	var out []MaterialListItem
	err := db.Read(ctx, func(tx *Tx) (err error) {
		out, err = tx.publishedMaterials(ctx, f)
		return err
	})
	return out, errs.Wrap("store.PublishedMaterials", err)
}

// PublishedMaterial reads one material a distributor may share; any other
// (unpublished, its product off sale) is NotFound.
func (db *DB) PublishedMaterial(ctx context.Context, id int64) (*MaterialListItem, error) {
	var out []MaterialListItem
	err := db.Read(ctx, func(tx *Tx) (err error) {
		out, err = tx.materialList(ctx, `WHERE m.id = ? AND `+publishedMaterial, append([]any{id}, publishedArgs()...), MaterialFilter{Limit: 1})
		return err
	})
	if err == nil && len(out) == 0 {
		err = errs.E(errs.NotFound, "", "material not found")
	}
	if err != nil {
		return nil, errs.Wrap("store.PublishedMaterial", err)
	}
	return &out[0], nil
}

func (tx *Tx) publishedMaterials(ctx context.Context, f MaterialFilter) ([]MaterialListItem, error) {
	return tx.materialList(ctx, `WHERE `+publishedMaterial, publishedArgs(), f)
}

// publishedMaterial is the condition of a shareable material (on m and its product p).
const publishedMaterial = `m.published = ? AND p.on_sale = ? AND p.review = 'approved'
	AND EXISTS (SELECT 1 FROM suppliers s WHERE s.id = p.supplier_id AND s.status = 'approved')`

func publishedArgs() []any { return []any{true, true} }

func (tx *Tx) materialList(ctx context.Context, where string, args []any, f MaterialFilter) ([]MaterialListItem, error) {
	if f.ProductID > 0 {
		where += ` AND m.product_id = ?`
		args = append(args, f.ProductID)
	}
	if f.BeforeID > 0 {
		where += ` AND m.id < ?`
		args = append(args, f.BeforeID)
	}
	order := `DESC`
	if f.Ascending {
		where, args, order = where+` AND m.id > ?`, append(args, f.AfterID), `ASC`
	}
	var out []MaterialListItem
	err := tx.Each(ctx, `SELECT m.id, m.product_id, m.supplier_id, m.campaign_id, m.images, m.copy_zh, m.copy_en, m.published,
		m.created_by, m.created_at, m.updated_at, p.title
		FROM materials m JOIN products p ON p.id = m.product_id `+where+` ORDER BY m.id `+order+` LIMIT ?`,
		append(args, f.limit()), func(scan func(...any) error) error {
			var it MaterialListItem
			m, err := scanMaterial(func(dest ...any) error { return scan(append(dest, &it.ProductTitle)...) })
			if err != nil {
				return err
			}
			it.Material = *m
			out = append(out, it)
			return nil
		})
	return out, err
}
