package store

import (
	"context"
	"crypto/rand"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/sqldb"
)

// ShareLink is a distributor's link to its shop (ProductID 0) or to a
// product, opened as /s/{code}. A poster is the same thing as a QR code;
// its own channel tells scans from clicks.
type ShareLink struct {
	Code          string
	DistributorID int64
	ProductID     int64 // 0: the shop
	Channel       string
	CreatedAt     time.Time
}

// Share link channels.
const (
	ChannelLink   = "link"
	ChannelPoster = "poster"
	ChannelCoupon = "coupon" // visits only: a coupon entered at checkout
)

// shareCodeAlphabet leaves out 0/O, 1/I/L so a code read off a poster is unambiguous.
const shareCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// ShareCodeLen is the length of a share link code.
const ShareCodeLen = 10

func newShareCode() string {
	b := make([]byte, ShareCodeLen)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	for i := range b {
		// 256 is not a multiple of 31; the bias (under 1%) does not matter for unguessable-enough link codes.
		b[i] = shareCodeAlphabet[int(b[i])%len(shareCodeAlphabet)]
	}
	return string(b)
}

// validShareCode checks the shape of a code from a URL before any query.
func validShareCode(code string) bool {
	if len(code) != ShareCodeLen {
		return false
	}
	for i := 0; i < len(code); i++ {
		if !containsByte(shareCodeAlphabet, code[i]) {
			return false
		}
	}
	return true
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// ShareLink returns the actor's link for productID (0 for its shop) on
// channel "link" or "poster", creating it the first time: asking again
// returns the same code. The product must be on sale.
func (db *DB) ShareLink(ctx context.Context, actor account.Actor, productID int64, channel string) (*ShareLink, error) {
	var l *ShareLink
	err := db.Write(ctx, func(tx *Tx) error {
		d, err := tx.shopOwner(ctx, actor)
		if err != nil {
			return err
		}
		if channel != ChannelLink && channel != ChannelPoster {
			return errs.Invalidf("channel", "must be link or poster")
		}
		if productID < 0 || productID > 0 && !tx.productOnSale(ctx, productID) {
			return errs.Invalidf("product_id", "no product on sale has this id")
		}
		if productID == 0 {
			if _, err := tx.ownShop(ctx, actor); err != nil {
				return err // a shop link needs an open shop to land on
			}
		}
		if l, err = tx.shareLinkOf(ctx, d.ID, productID, channel); !errs.Is(err, errs.NotFound) {
			return err
		}
		for range 5 {
			code := newShareCode()
			// DO NOTHING on either key: a taken code is retried, and a link
			// created meanwhile by a concurrent request is read below.
			n, err := tx.ExecN(ctx, `INSERT INTO share_links (code, distributor_id, product_id, channel, created_at)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, code, d.ID, nullInt(productID), channel, ts(tx.Now()))
			if err != nil {
				return err
			}
			if l, err = tx.shareLinkOf(ctx, d.ID, productID, channel); n == 1 && err == nil {
				return tx.recordFunnel(ctx, funnelEvent{step: stepLink, distributor: d.ID, product: productID})
			} else if n == 1 || !errs.Is(err, errs.NotFound) {
				return err
			}
		}
		return errs.E(errs.Unavailable, "", "could not find a free link code; retry")
	})
	return l, errs.Wrap("store.ShareLink", err)
}

const shareLinkCols = `code, distributor_id, product_id, channel, created_at`

func scanShareLink(scan func(...any) error) (*ShareLink, error) {
	l := &ShareLink{}
	var product nullableInt
	var created int64
	if err := scan(&l.Code, &l.DistributorID, &product, &l.Channel, &created); err != nil {
		return nil, sqldb.MapErr(err)
	}
	l.ProductID, l.CreatedAt = int64(product), fromTS(created)
	return l, nil
}

func (tx *Tx) shareLinkOf(ctx context.Context, distributorID, productID int64, channel string) (*ShareLink, error) {
	var l *ShareLink
	err := tx.One(ctx, "share link", `SELECT `+shareLinkCols+` FROM share_links
		WHERE distributor_id = ? AND COALESCE(product_id, 0) = ? AND channel = ?`, []any{distributorID, productID, channel},
		func(scan func(...any) error) (err error) {
			l, err = scanShareLink(scan)
			return err
		})
	return l, err
}

// shareLink reads a link by code; only links of active distributors are
// found, so a suspended distributor's posters stop working.
func (tx *Tx) shareLink(ctx context.Context, code string) (*ShareLink, error) {
	if !validShareCode(code) {
		return nil, errs.E(errs.NotFound, "", "share link not found")
	}
	var l *ShareLink
	err := tx.One(ctx, "share link", `SELECT l.code, l.distributor_id, l.product_id, l.channel, l.created_at
		FROM share_links l JOIN distributors d ON d.id = l.distributor_id WHERE l.code = ? AND d.status = ?`,
		[]any{code, string(network.Active)}, func(scan func(...any) error) (err error) {
			l, err = scanShareLink(scan)
			return err
		})
	return l, err
}

// ShareLinkByCode returns a link anyone may open (for its poster).
func (db *DB) ShareLinkByCode(ctx context.Context, code string) (*ShareLink, error) {
	var l *ShareLink
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		l, err = tx.shareLink(ctx, code)
		return err
	})
	return l, errs.Wrap("store.ShareLinkByCode", err)
}

// ShopProduct is a product as distributorID's shop sells it, where a product
// share link lands: every SKU on sale at the price checkout charges a
// customer of this shop (tx.price, effectivePrice), that is the shop's own
// price while the shop lists the product and the price is still allowed,
// else retail. listed says whether the shop lists the product (Position is
// 0 when not). Anyone may read it while the distributor is active and the
// product on sale with a SKU on sale; anything else is NotFound.
func (db *DB) ShopProduct(ctx context.Context, distributorID, productID int64) (it *ShopItem, listed bool, err error) {
	err = db.Read(ctx, func(tx *Tx) error {
		if err := tx.publicDistributor(ctx, distributorID); err != nil {
			return err
		}
		items, err := tx.shopItems(ctx, distributorID, ShopItemFilter{Limit: 1}, productID)
		if err != nil {
			return err
		}
		if len(items) == 1 {
			it, listed = &items[0], true
		} else if it, err = tx.retailItem(ctx, productID); err != nil { // not in the shop: checkout charges retail
			return err
		}
		return tx.campaignPrices(ctx, it)
	})
	return it, listed, errs.Wrap("store.ShopProduct", err)
}

// RetailProduct is a product as a customer with no seller buys it: every
// SKU on sale at its retail price, which checkout charges when no
// distributor is credited. Anyone may read it while the product is on sale
// with a SKU on sale; anything else is NotFound.
func (db *DB) RetailProduct(ctx context.Context, productID int64) (*ShopItem, error) {
	var it *ShopItem
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		if it, err = tx.retailItem(ctx, productID); err != nil {
			return err
		}
		return tx.campaignPrices(ctx, it)
	})
	return it, errs.Wrap("store.RetailProduct", err)
}

func (tx *Tx) retailItem(ctx context.Context, productID int64) (*ShopItem, error) {
	p, _, err := tx.visibleProduct(ctx, account.Actor{}, productID)
	if err != nil {
		return nil, err
	}
	if len(p.SKUs) == 0 {
		return nil, errs.E(errs.NotFound, "", "product not found")
	}
	it := &ShopItem{ProductID: p.ID, SupplierID: p.SupplierID, Title: p.Title, Description: p.Description, Images: p.Images}
	for _, k := range p.SKUs {
		it.SKUs = append(it.SKUs, ShopSKU{ID: k.ID, Code: k.Code, Options: k.Options, RetailPrice: k.RetailPrice,
			PriceCeiling: k.PriceCeiling, Price: k.RetailPrice})
	}
	return it, nil
}

// AttributedSeller is the distributor a signed-in customer's order would be
// attributed to without a coupon (order.Attribute on its binding, as
// checkout does), 0 for none: the shop whose prices it pays.
func (db *DB) AttributedSeller(ctx context.Context, actor account.Actor) (int64, error) {
	customer := customerOf(actor)
	if customer == 0 {
		return 0, nil
	}
	var seller int64
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		seller, err = tx.attributedSeller(ctx, customer)
		return err
	})
	return seller, errs.Wrap("store.AttributedSeller", err)
}

// attributedSeller is AttributedSeller for a customer's account.
func (tx *Tx) attributedSeller(ctx context.Context, customer int64) (int64, error) {
	var self int64
	err := tx.Get(ctx, "distributor", `SELECT id FROM distributors WHERE account_id = ?`, []any{customer}, &self)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return 0, err
	}
	touch, err := tx.bindingTouch(ctx, customer)
	if err != nil {
		return 0, err
	}
	st, err := tx.settings(ctx)
	if err != nil {
		return 0, err
	}
	var active bool
	if self != 0 {
		if active, err = tx.Exists(ctx, `SELECT 1 FROM distributors WHERE id = ? AND status = ?`, self, string(network.Active)); err != nil {
			return 0, err
		}
	}
	return order.Attribute(order.AttributionInput{CustomerDistributorID: self, Binding: touch, OwnPurchase: st.OwnPurchaseCommission,
		CustomerActive: active}).DistributorID, nil
}

// ShareLinkClosed tells whether code is a link of a distributor that is not
// active (suspended): the link exists but binds nobody, so its page says the
// shop is closed instead of that the link does not exist.
func (db *DB) ShareLinkClosed(ctx context.Context, code string) (bool, error) {
	if !validShareCode(code) {
		return false, nil
	}
	var closed bool
	err := db.Read(ctx, func(tx *Tx) (err error) {
		closed, err = tx.Exists(ctx, `SELECT 1 FROM share_links l JOIN distributors d ON d.id = l.distributor_id
			WHERE l.code = ? AND d.status <> ?`, code, string(network.Active))
		return err
	})
	return closed, errs.Wrap("store.ShareLinkClosed", err)
}
