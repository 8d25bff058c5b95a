package store

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/sqldb"
)

// Shop is a distributor's storefront: a name, an avatar and a description;
// the products it picked are its items (see ShopItems).
type Shop struct {
	DistributorID int64
	Name          string
	AvatarURL     string
	Description   string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ShopInput is what a distributor sets on its shop; the whole of it, every time.
type ShopInput struct {
	Name        string
	AvatarURL   string
	Description string
}

// Limits of a shop's text, in characters.
const (
	MaxShopName        = 60
	MaxShopDescription = 500
	MaxShopItems       = 500
)

func (in *ShopInput) normalize() error {
	in.Name = strings.TrimSpace(in.Name)
	in.AvatarURL = strings.TrimSpace(in.AvatarURL)
	in.Description = strings.TrimSpace(in.Description)
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > MaxShopName || !utf8.ValidString(in.Name) {
		return errs.Invalidf("name", "must be 1 to %d characters", MaxShopName)
	}
	if in.AvatarURL != "" && !catalog.ImageURL(in.AvatarURL) {
		return errs.Invalidf("avatar_url", "must be an http or https URL, or a path on this site (/media/…)")
	}
	if utf8.RuneCountInString(in.Description) > MaxShopDescription || !utf8.ValidString(in.Description) {
		return errs.Invalidf("description", "must be at most %d characters", MaxShopDescription)
	}
	return nil
}

// shopOwner is the actor's own distributor, which must be active to run a shop.
func (tx *Tx) shopOwner(ctx context.Context, actor account.Actor) (*network.Distributor, error) {
	if err := actor.Require(account.Distributor); err != nil {
		return nil, err
	}
	if actor.DistributorID == 0 {
		return nil, errs.E(errs.Forbidden, "", "join the network first")
	}
	d, err := tx.distributor(ctx, actor.DistributorID)
	if err != nil {
		return nil, err
	}
	if d.Status != network.Active {
		return nil, errs.E(errs.Conflict, "", "your distributor is %s, not active", d.Status)
	}
	return d, nil
}

// ownShop is the actor's own shop, which must be open.
func (tx *Tx) ownShop(ctx context.Context, actor account.Actor) (*Shop, error) {
	d, err := tx.shopOwner(ctx, actor)
	if err != nil {
		return nil, err
	}
	sh, err := tx.shop(ctx, d.ID)
	if errs.Is(err, errs.NotFound) {
		return nil, errs.E(errs.Conflict, "", "open your shop first (PUT /api/v1/shop)")
	}
	return sh, err
}

func (tx *Tx) shop(ctx context.Context, distributorID int64) (*Shop, error) {
	sh := &Shop{DistributorID: distributorID}
	var created, updated int64
	err := tx.Get(ctx, "shop", `SELECT name, avatar_url, description, created_at, updated_at FROM shops WHERE distributor_id = ?`,
		[]any{distributorID}, &sh.Name, &sh.AvatarURL, &sh.Description, &created, &updated)
	sh.CreatedAt, sh.UpdatedAt = fromTS(created), fromTS(updated)
	return sh, err
}

// PutShop opens the actor's shop, or replaces its name, avatar and
// description when it is open; created says which.
func (db *DB) PutShop(ctx context.Context, actor account.Actor, in ShopInput) (sh *Shop, created bool, err error) {
	err = db.Write(ctx, func(tx *Tx) error {
		d, err := tx.shopOwner(ctx, actor)
		if err != nil {
			return err
		}
		if err := in.normalize(); err != nil {
			return err
		}
		open, err := tx.Exists(ctx, `SELECT 1 FROM shops WHERE distributor_id = ?`, d.ID)
		if err != nil {
			return err
		}
		if open {
			sh, err = tx.updateShop(ctx, d.ID, in)
		} else {
			sh, err = tx.openShop(ctx, d.ID, in)
			created = true
		}
		return err
	})
	return sh, created, errs.Wrap("store.PutShop", err)
}

// OpenShop opens the actor's shop; a shop already open is a Conflict.
func (db *DB) OpenShop(ctx context.Context, actor account.Actor, in ShopInput) (*Shop, error) {
	var sh *Shop
	err := db.Write(ctx, func(tx *Tx) error {
		d, err := tx.shopOwner(ctx, actor)
		if err != nil {
			return err
		}
		if err := in.normalize(); err != nil {
			return err
		}
		sh, err = tx.openShop(ctx, d.ID, in)
		return err
	})
	return sh, errs.Wrap("store.OpenShop", err)
}

// UpdateShop replaces the name, avatar and description of the actor's open shop.
func (db *DB) UpdateShop(ctx context.Context, actor account.Actor, in ShopInput) (*Shop, error) {
	var sh *Shop
	err := db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.ownShop(ctx, actor); err != nil {
			return err
		}
		if err := in.normalize(); err != nil {
			return err
		}
		var err error
		sh, err = tx.updateShop(ctx, actor.DistributorID, in)
		return err
	})
	return sh, errs.Wrap("store.UpdateShop", err)
}

func (tx *Tx) openShop(ctx context.Context, distributorID int64, in ShopInput) (*Shop, error) {
	if open, err := tx.Exists(ctx, `SELECT 1 FROM shops WHERE distributor_id = ?`, distributorID); err != nil {
		return nil, err
	} else if open {
		return nil, errs.E(errs.Conflict, "", "your shop is already open")
	}
	_, err := tx.Exec(ctx, `INSERT INTO shops (distributor_id, name, avatar_url, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		distributorID, in.Name, in.AvatarURL, in.Description, ts(tx.Now()), ts(tx.Now()))
	if err != nil {
		return nil, sqldb.Relabel(err, errs.Conflict, "", "your shop is already open")
	}
	return tx.shop(ctx, distributorID)
}

func (tx *Tx) updateShop(ctx context.Context, distributorID int64, in ShopInput) (*Shop, error) {
	_, err := tx.Exec(ctx, `UPDATE shops SET name = ?, avatar_url = ?, description = ?, updated_at = ? WHERE distributor_id = ?`,
		in.Name, in.AvatarURL, in.Description, ts(tx.Now()), distributorID)
	if err != nil {
		return nil, err
	}
	return tx.shop(ctx, distributorID)
}

// Shop returns a distributor's shop; anyone may see it while the
// distributor is active. Otherwise it is NotFound.
func (db *DB) Shop(ctx context.Context, distributorID int64) (*Shop, error) {
	var sh *Shop
	err := db.Read(ctx, func(tx *Tx) error {
		if err := tx.publicDistributor(ctx, distributorID); err != nil {
			return err
		}
		var err error
		sh, err = tx.shop(ctx, distributorID)
		return err
	})
	return sh, errs.Wrap("store.Shop", err)
}

// publicDistributor is NotFound unless the distributor exists and is active.
func (tx *Tx) publicDistributor(ctx context.Context, id int64) error {
	ok, err := tx.Exists(ctx, `SELECT 1 FROM distributors WHERE id = ? AND status = ?`, id, string(network.Active))
	if err == nil && !ok {
		err = errs.E(errs.NotFound, "", "shop not found")
	}
	return err
}
