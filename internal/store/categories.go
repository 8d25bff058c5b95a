package store

import (
	"context"
	"fmt"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// CreateCategory adds a category (operator only; audited).
func (db *DB) CreateCategory(ctx context.Context, actor account.Actor, c catalog.Category) (*catalog.Category, error) {
	if err := actor.Require(account.Operator); err != nil {
		return nil, err
	}
	if err := c.Normalize(); err != nil {
		return nil, err
	}
	err := db.Write(ctx, func(tx *Tx) error {
		if c.ParentID != 0 {
			if ok, err := tx.Exists(ctx, `SELECT 1 FROM categories WHERE id = ?`, c.ParentID); err != nil {
				return err
			} else if !ok {
				return errs.Invalidf("parent_id", "no category has id %d", c.ParentID)
			}
		}
		if taken, err := tx.Exists(ctx, `SELECT 1 FROM categories WHERE slug = ?`, c.Slug); err != nil {
			return err
		} else if taken {
			return errs.E(errs.Conflict, "slug", "is taken by another category")
		}
		id, err := tx.Insert(ctx, `INSERT INTO categories (parent_id, name, slug) VALUES (?, ?, ?)`, nullInt(c.ParentID), c.Name, c.Slug)
		if err != nil {
			return sqldb.Relabel(err, errs.Conflict, "slug", "is taken by another category")
		}
		c.ID = id
		return tx.audit(ctx, actor.AccountID, "category.create", fmt.Sprintf("category:%d", id), nil, c)
	})
	if err != nil {
		return nil, errs.Wrap("store.CreateCategory", err)
	}
	return &c, nil
}

// Categories lists every category in id order (parents before children).
func (db *DB) Categories(ctx context.Context) ([]catalog.Category, error) {
	var out []catalog.Category
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.Each(ctx, `SELECT id, parent_id, name, slug FROM categories ORDER BY id`, nil, func(scan func(...any) error) error {
			var c catalog.Category
			var parent nullableInt
			if err := scan(&c.ID, &parent, &c.Name, &c.Slug); err != nil {
				return sqldb.MapErr(err)
			}
			c.ParentID = int64(parent)
			out = append(out, c)
			return nil
		})
	})
	return out, errs.Wrap("store.Categories", err)
}

// checkCategory refuses a category id that does not exist, naming field.
func (tx *Tx) checkCategory(ctx context.Context, field string, id int64) error {
	if id == 0 {
		return nil
	}
	ok, err := tx.Exists(ctx, `SELECT 1 FROM categories WHERE id = ?`, id)
	if err == nil && !ok {
		return errs.Invalidf(field, "no category has id %d", id)
	}
	return err
}
