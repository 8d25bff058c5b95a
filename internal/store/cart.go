package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/sqldb"
)

// CartOwner is whose cart it is: a signed-in account, or an anonymous
// browser by its visitor token (the sharemall_visitor cookie). Exactly one
// is set; CartOwnerOf makes it from the caller.
type CartOwner struct {
	AccountID int64
	Visitor   string
}

// CartOwnerOf is the cart of whoever calls: a signed-in person's account,
// else the anonymous browser's visitor token ("" when it has none yet: an
// empty cart, which cannot be written to). An API key has no cart.
func CartOwnerOf(actor account.Actor, visitor string) (CartOwner, error) {
	if actor.APIKeyID != 0 {
		return CartOwner{}, errs.E(errs.Forbidden, "", "an API key has no cart; sign in")
	}
	if !actor.Anonymous() {
		return CartOwner{AccountID: actor.AccountID}, nil
	}
	return CartOwner{Visitor: visitor}, nil
}

// check refuses an owner that is not the actor's cart; write says the cart
// is to be written, which needs an owner.
func (o CartOwner) check(actor account.Actor, write bool) error {
	switch {
	case o.AccountID != 0 && o.Visitor != "":
		return errs.E(errs.Invalid, "", "a cart belongs to an account or to a visitor, not both")
	case o.AccountID != 0:
		if customerOf(actor) != o.AccountID {
			return errs.E(errs.Forbidden, "", "this is not your cart")
		}
	case !actor.Anonymous():
		return errs.E(errs.Forbidden, "", "signed in, the cart is the account's; claim the visitor's cart into it")
	case o.Visitor == "":
		if write {
			return errs.Invalidf("visitor", "is required: an anonymous cart is kept by its visitor token")
		}
	default:
		return checkVisitor(o.Visitor)
	}
	return nil
}

// StockState says whether a cart line can be ordered now.
type StockState string

const (
	InStock    StockState = "in_stock"     // a warehouse has the quantity
	ShortStock StockState = "short"        // some, fewer than the quantity (Available says how many)
	SoldOut    StockState = "sold_out"     // none
	NotForSale StockState = "not_for_sale" // the SKU, its product or its supplier is off sale
)

// CartLine is one SKU in a cart, priced as checkout would charge it now.
type CartLine struct {
	SKUID        int64
	SKUCode      string
	Options      map[string]string
	ProductID    int64
	Title        string
	Image        string // the product's first image, "" when it has none
	SupplierID   int64
	SupplierName string
	Quantity     int64
	// UnitRetail, UnitPrice and Subtotal (UnitPrice × Quantity) are zero
	// when the SKU is not for sale.
	UnitRetail money.Amount
	UnitPrice  money.Amount
	Subtotal   money.Amount
	Stock      StockState
	// Available is the most one warehouse of the supplier can ship: a line
	// ships from one warehouse. The shipping address may narrow it (Quote).
	Available int64
	AddedAt   time.Time
	UpdatedAt time.Time
}

// Cart is a cart's lines in the order they were added, priced for SellerID.
type Cart struct {
	Owner    CartOwner
	Currency string
	// SellerID is the distributor whose shop prices apply (0: retail): for
	// an account the one its order would be attributed to without a coupon,
	// for a visitor the one its visits will bind it to when it signs in.
	SellerID int64
	Lines    []CartLine
	// Total is the sum of the subtotals of the lines in stock: what
	// checking those out costs before any coupon.
	Total money.Amount
}

// Cart reads owner's cart; an owner with no cart has an empty one.
func (db *DB) Cart(ctx context.Context, actor account.Actor, owner CartOwner) (*Cart, error) {
	if err := owner.check(actor, false); err != nil {
		return nil, errs.Wrap("store.Cart", err)
	}
	c := &Cart{Owner: owner, Lines: []CartLine{}}
	err := db.Read(ctx, func(tx *Tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		c.Currency = s.CurrencyCode
		if owner.AccountID == 0 && owner.Visitor == "" {
			return nil
		}
		if c.SellerID, err = tx.cartSeller(ctx, owner); err != nil {
			return err
		}
		return tx.readCart(ctx, c)
	})
	if err != nil {
		return nil, errs.Wrap("store.Cart", err)
	}
	return c, nil
}

// TotalOf is what checking out the lines of skus costs before any coupon:
// the subtotals of those in stock, as Total is of every line. The pages
// show it for the lines a person selects.
func (c *Cart) TotalOf(skus []int64) money.Amount {
	var t money.Amount
	for _, l := range c.Lines {
		if l.Stock == InStock && slices.Contains(skus, l.SKUID) {
			t += l.Subtotal
		}
	}
	return t
}

// cartSeller is the seller whose prices a cart shows (see Cart.SellerID),
// decided by order.Attribute as checkout decides it.
func (tx *Tx) cartSeller(ctx context.Context, owner CartOwner) (int64, error) {
	if owner.AccountID != 0 {
		return tx.attributedSeller(ctx, owner.AccountID)
	}
	v, err := tx.claimableVisit(ctx, owner.Visitor)
	if err != nil || v == nil {
		return 0, err
	}
	return order.Attribute(order.AttributionInput{Binding: &order.Touch{DistributorID: v.DistributorID, Active: true}}).DistributorID, nil
}

// cartOwnerWhere is the condition on carts that selects owner's cart.
func cartOwnerWhere(owner CartOwner) (string, any) {
	if owner.AccountID != 0 {
		return `account_id = ?`, owner.AccountID
	}
	return `visitor = ?`, owner.Visitor
}

// readCart reads c's lines, prices those for sale with tx.price for
// c.SellerID and finds their stock among the warehouses routing would
// consider.
func (tx *Tx) readCart(ctx context.Context, c *Cart) error {
	where, key := cartOwnerWhere(c.Owner)
	var priced []*cartLine
	var at []int // priced[i] is c.Lines[at[i]]
	err := tx.Each(ctx, `SELECT `+prefixed("k.", skuCols)+`, l.quantity, l.added_at, l.updated_at,
			p.supplier_id, p.title, p.images, (p.on_sale AND p.review = 'approved'), s.status, s.allow_markup, s.name
		FROM carts c JOIN cart_lines l ON l.cart_id = c.id JOIN skus k ON k.id = l.sku_id
		JOIN products p ON p.id = k.product_id JOIN suppliers s ON s.id = p.supplier_id
		WHERE c.`+where+` ORDER BY l.id`, []any{key}, func(scan func(...any) error) error {
		var l CartLine
		cl := &cartLine{}
		var added, updated int64
		var images, status string
		var onSale bool
		sku, err := scanSKU(func(dest ...any) error {
			return scan(append(dest, &l.Quantity, &added, &updated, &cl.supplierID, &l.Title, &images, &onSale, &status,
				&cl.allowMarkup, &l.SupplierName)...)
		})
		if err != nil {
			return err
		}
		l.SKUID, l.SKUCode, l.Options, l.ProductID, l.SupplierID = sku.ID, sku.Code, sku.Options, sku.ProductID, cl.supplierID
		l.AddedAt, l.UpdatedAt = fromTS(added), fromTS(updated)
		var imgs []string
		if json.Unmarshal([]byte(images), &imgs) == nil && len(imgs) > 0 {
			l.Image = imgs[0]
		}
		l.Stock = NotForSale
		if forSale(onSale, sku.OnSale, status) {
			cl.item, cl.sku, cl.productID, cl.title = order.Item{SKUID: sku.ID, Quantity: l.Quantity}, sku, sku.ProductID, l.Title
			priced, at = append(priced, cl), append(at, len(c.Lines))
		}
		c.Lines = append(c.Lines, l)
		return nil
	})
	if err != nil || len(priced) == 0 {
		return err
	}
	if err := tx.price(ctx, c.SellerID, priced); err != nil {
		return err
	}
	cands, err := tx.routeCandidates(ctx, priced)
	if err != nil {
		return err
	}
	for i, cl := range priced {
		l := &c.Lines[at[i]]
		l.UnitRetail, l.UnitPrice = cl.line.UnitRetail, cl.line.UnitPrice
		l.Subtotal = cl.line.Base + cl.line.Markup // UnitPrice × Quantity, as checkout adds it up
		for _, w := range cands {
			if w.SupplierID == cl.supplierID {
				l.Available = max(l.Available, w.Available[l.SKUID])
			}
		}
		switch {
		case l.Available >= l.Quantity:
			l.Stock = InStock
			c.Total += l.Subtotal
		case l.Available > 0:
			l.Stock = ShortStock
		default:
			l.Available, l.Stock = 0, SoldOut
		}
	}
	return nil
}

// prefixed qualifies every column of a column list with a table alias.
func prefixed(alias, cols string) string {
	return alias + strings.ReplaceAll(cols, ", ", ", "+alias)
}

// SetCartQuantity puts quantity units of a SKU in owner's cart: a new line,
// or the line's quantity replaced. A SKU not for sale is refused on sku_id,
// a quantity out of 1…order.MaxQuantity on quantity, a new line beyond
// order.MaxItems is a Conflict.
func (db *DB) SetCartQuantity(ctx context.Context, actor account.Actor, owner CartOwner, skuID, quantity int64) error {
	return errs.Wrap("store.SetCartQuantity", db.putCartLine(ctx, actor, owner, skuID, quantity, false))
}

// AddToCart adds quantity units of a SKU to owner's cart (a new line, or
// more of it); the line may hold at most order.MaxQuantity. Otherwise as
// SetCartQuantity.
func (db *DB) AddToCart(ctx context.Context, actor account.Actor, owner CartOwner, skuID, quantity int64) error {
	return errs.Wrap("store.AddToCart", db.putCartLine(ctx, actor, owner, skuID, quantity, true))
}

func (db *DB) putCartLine(ctx context.Context, actor account.Actor, owner CartOwner, skuID, quantity int64, add bool) error {
	if err := owner.check(actor, true); err != nil {
		return err
	}
	if skuID <= 0 {
		return errs.Invalidf("sku_id", "must be a positive id")
	}
	if quantity < 1 || quantity > order.MaxQuantity {
		return errs.Invalidf("quantity", "must be from 1 to %d", order.MaxQuantity)
	}
	return db.Write(ctx, func(tx *Tx) error {
		// The rule checkout refuses a SKU by, naming this request's field.
		if _, err := tx.cartLines(ctx, []order.Item{{SKUID: skuID, Quantity: quantity}}); err != nil {
			return refield(err, "items[0].sku_id", "sku_id")
		}
		cart, err := tx.lockCart(ctx, owner, true)
		if err != nil {
			return err
		}
		var had int64
		err = tx.Get(ctx, "cart line", `SELECT quantity FROM cart_lines WHERE cart_id = ? AND sku_id = ?`, []any{cart, skuID}, &had)
		switch {
		case err == nil:
			q := quantity
			if add {
				if q += had; q > order.MaxQuantity {
					return errs.Invalidf("quantity", "would make %d in the cart; a line holds at most %d", q, order.MaxQuantity)
				}
			}
			_, err = tx.Exec(ctx, `UPDATE cart_lines SET quantity = ?, updated_at = ? WHERE cart_id = ? AND sku_id = ?`,
				q, ts(tx.Now()), cart, skuID)
			return err
		case !errs.Is(err, errs.NotFound):
			return err
		}
		var n int
		if err := tx.Get(ctx, "cart lines", `SELECT COUNT(*) FROM cart_lines WHERE cart_id = ?`, []any{cart}, &n); err != nil {
			return err
		}
		if n >= order.MaxItems {
			return errs.E(errs.Conflict, "sku_id", "the cart holds %d lines, the most one order takes; remove one first", n)
		}
		_, err = tx.Exec(ctx, `INSERT INTO cart_lines (cart_id, sku_id, quantity, added_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			cart, skuID, quantity, ts(tx.Now()), ts(tx.Now()))
		return err
	})
}

// RemoveCartLine takes a SKU out of owner's cart; one not in it is NotFound.
func (db *DB) RemoveCartLine(ctx context.Context, actor account.Actor, owner CartOwner, skuID int64) error {
	if err := owner.check(actor, true); err != nil {
		return errs.Wrap("store.RemoveCartLine", err)
	}
	err := db.Write(ctx, func(tx *Tx) error {
		cart, err := tx.lockCart(ctx, owner, false)
		if err != nil {
			return err
		}
		n, err := tx.ExecN(ctx, `DELETE FROM cart_lines WHERE cart_id = ? AND sku_id = ?`, cart, skuID)
		if err == nil && n == 0 {
			err = errs.E(errs.NotFound, "", "SKU %d is not in the cart", skuID)
		}
		return err
	})
	return errs.Wrap("store.RemoveCartLine", err)
}

// lockCart returns the id of owner's cart, creating it when create is set,
// and locks its row (a no-op write: SELECT … FOR UPDATE is not portable),
// so that writes to one cart take turns. No cart is NotFound.
func (tx *Tx) lockCart(ctx context.Context, owner CartOwner, create bool) (int64, error) {
	where, key := cartOwnerWhere(owner)
	if create {
		if _, err := tx.Exec(ctx, `INSERT INTO carts (account_id, visitor, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			nullInt(owner.AccountID), nullString(owner.Visitor), ts(tx.Now()), ts(tx.Now())); err != nil {
			return 0, err
		}
	}
	n, err := tx.ExecN(ctx, `UPDATE carts SET updated_at = ? WHERE `+where, ts(tx.Now()), key)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, errs.E(errs.NotFound, "", "the cart is empty")
	}
	var id int64
	err = tx.Get(ctx, "cart", `SELECT id FROM carts WHERE `+where, []any{key}, &id)
	return id, err
}

// CartClaim is what claiming a visitor's cart did.
type CartClaim struct {
	Merged  int // lines of SKUs the account's cart had: quantities summed, at most order.MaxQuantity
	Added   int // lines new to the account's cart
	Dropped int // lines left out because the account's cart was full (order.MaxItems lines)
}

// ClaimCart moves the anonymous cart of visitor into the signed-in actor's
// cart, in one transaction, when the visitor signs in: a SKU in both gets
// the sum of the quantities (capped at order.MaxQuantity), the others are
// added after the account's lines while there is room, and the anonymous
// cart is gone. Claiming again (or a visitor with no cart) does nothing.
func (db *DB) ClaimCart(ctx context.Context, actor account.Actor, visitor string) (*CartClaim, error) {
	customer := customerOf(actor)
	switch {
	case actor.Anonymous():
		return nil, errs.Wrap("store.ClaimCart", errs.E(errs.Unauthorized, "", "sign in first"))
	case customer == 0:
		return nil, errs.Wrap("store.ClaimCart", errs.E(errs.Forbidden, "", "an API key has no cart; sign in"))
	case visitor == "":
		return nil, errs.Wrap("store.ClaimCart", errs.Invalidf("visitor", "is required"))
	}
	if err := checkVisitor(visitor); err != nil {
		return nil, errs.Wrap("store.ClaimCart", err)
	}
	res := &CartClaim{}
	err := db.Write(ctx, func(tx *Tx) error {
		*res = CartClaim{} // a write may run again
		// The visitor's cart first, then the account's: every path that
		// locks both (only this one) takes them in this order.
		from, err := tx.lockCart(ctx, CartOwner{Visitor: visitor}, false)
		if errs.Is(err, errs.NotFound) {
			return nil // claimed before, or never filled
		} else if err != nil {
			return err
		}
		to, err := tx.lockCart(ctx, CartOwner{AccountID: customer}, true)
		if err != nil {
			return err
		}
		have := map[int64]bool{}
		err = tx.Each(ctx, `SELECT sku_id FROM cart_lines WHERE cart_id = ?`, []any{to}, func(scan func(...any) error) error {
			var sku int64
			err := scan(&sku)
			have[sku] = true
			return err
		})
		if err != nil {
			return err
		}
		type line struct{ sku, quantity, added int64 }
		var lines []line
		err = tx.Each(ctx, `SELECT sku_id, quantity, added_at FROM cart_lines WHERE cart_id = ? ORDER BY id`, []any{from},
			func(scan func(...any) error) error {
				var l line
				err := scan(&l.sku, &l.quantity, &l.added)
				lines = append(lines, l)
				return err
			})
		if err != nil {
			return err
		}
		for _, l := range lines {
			switch {
			case have[l.sku]:
				res.Merged++
				_, err = tx.Exec(ctx, `UPDATE cart_lines SET quantity = CASE WHEN quantity + ? > ? THEN ? ELSE quantity + ? END,
					updated_at = ? WHERE cart_id = ? AND sku_id = ?`,
					l.quantity, order.MaxQuantity, order.MaxQuantity, l.quantity, ts(tx.Now()), to, l.sku)
			case len(have) < order.MaxItems:
				res.Added++
				have[l.sku] = true
				_, err = tx.Exec(ctx, `INSERT INTO cart_lines (cart_id, sku_id, quantity, added_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
					to, l.sku, l.quantity, l.added, ts(tx.Now()))
			default:
				res.Dropped++
			}
			if err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM cart_lines WHERE cart_id = ?`, from); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM carts WHERE id = ?`, from)
		return err
	})
	if err != nil {
		return nil, errs.Wrap("store.ClaimCart", err)
	}
	return res, nil
}

// refield is err with its field renamed from from to to, when it names from.
func refield(err error, from, to string) error {
	if errs.FieldOf(err) != from {
		return err
	}
	return renamed(err, to)
}

// renamed is err (an *errs.Error) naming field instead.
func renamed(err error, field string) error {
	var e *errs.Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	c.Field = field
	return &c
}

// CartCheckout is what checking out the signed-in customer's cart takes.
type CartCheckout struct {
	AddressID  int64   // one of the customer's addresses: the order's ship_to
	CouponCode string  // optional
	SKUIDs     []int64 // the lines to order; empty for every line
}

// hash is the fingerprint of a normalized CartCheckout for the
// Idempotency-Key: the cart is read under the key, so a retry after the
// lines left the cart still finds its order.
func (in CartCheckout) hash() string {
	skus := slices.Clone(in.SKUIDs)
	slices.Sort(skus)
	b, _ := json.Marshal(struct {
		Cart    bool    `json:"cart"`
		Address int64   `json:"address_id"`
		Coupon  string  `json:"coupon_code"`
		SKUs    []int64 `json:"sku_ids"`
	}{true, in.AddressID, in.CouponCode, skus})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func (in *CartCheckout) normalize() error {
	if in.AddressID <= 0 {
		return errs.Invalidf("address_id", "is required: the id of one of your addresses")
	}
	if len(in.SKUIDs) > order.MaxItems {
		return errs.Invalidf("sku_ids", "must list at most %d SKUs", order.MaxItems)
	}
	seen := map[int64]int{}
	for i, id := range in.SKUIDs {
		if id <= 0 {
			return errs.Invalidf(fmt.Sprintf("sku_ids[%d]", i), "must be a positive id")
		}
		if j, dup := seen[id]; dup {
			return errs.Invalidf(fmt.Sprintf("sku_ids[%d]", i), "repeats sku_ids[%d]", j)
		}
		seen[id] = i
	}
	in.CouponCode = strings.ToUpper(strings.TrimSpace(in.CouponCode)) // as CheckoutInput.Normalize
	return nil
}

// CheckoutCart places an order for the lines of the actor's cart (those
// in.SKUIDs names, or all), shipped to one of its saved addresses, through
// Checkout's code, and takes the ordered lines out of the cart in the same
// transaction. idempotencyKey works as Checkout's. Errors name this
// request's fields: a line that cannot be ordered (not for sale, no stock)
// is on sku_ids with the SKU in the message, an address checkout refuses on
// address_id.
func (db *DB) CheckoutCart(ctx context.Context, actor account.Actor, in CartCheckout, idempotencyKey string) (*order.Order, error) {
	if err := actor.Require(account.Customer, account.Distributor); err != nil {
		return nil, errs.Wrap("store.CheckoutCart", err)
	}
	if err := checkIdempotencyKey(idempotencyKey); err != nil {
		return nil, errs.Wrap("store.CheckoutCart", err)
	}
	if err := in.normalize(); err != nil {
		return nil, errs.Wrap("store.CheckoutCart", err)
	}
	customer := actor.AccountID
	o, err := db.placeOrder(ctx, customer, idempotencyKey, in.hash(), func(tx *Tx) (int64, error) {
		cart, err := tx.lockCart(ctx, CartOwner{AccountID: customer}, false)
		if errs.Is(err, errs.NotFound) {
			return 0, errs.Invalidf("sku_ids", "the cart is empty")
		} else if err != nil {
			return 0, err
		}
		quantity := map[int64]int64{}
		var skus []int64 // in the cart's order
		err = tx.Each(ctx, `SELECT sku_id, quantity FROM cart_lines WHERE cart_id = ? ORDER BY id`, []any{cart},
			func(scan func(...any) error) error {
				var sku, q int64
				err := scan(&sku, &q)
				skus, quantity[sku] = append(skus, sku), q
				return err
			})
		if err != nil {
			return 0, err
		}
		if len(in.SKUIDs) > 0 {
			for i, id := range in.SKUIDs {
				if quantity[id] == 0 {
					return 0, errs.Invalidf(fmt.Sprintf("sku_ids[%d]", i), "SKU %d is not in the cart", id)
				}
			}
			skus = slices.DeleteFunc(skus, func(id int64) bool { return !slices.Contains(in.SKUIDs, id) })
		}
		if len(skus) == 0 {
			return 0, errs.Invalidf("sku_ids", "the cart is empty")
		}
		addr, err := tx.address(ctx, customer, in.AddressID)
		if errs.Is(err, errs.NotFound) {
			return 0, errs.Invalidf("address_id", "none of your addresses has this id")
		} else if err != nil {
			return 0, err
		}
		ci := order.CheckoutInput{CouponCode: in.CouponCode,
			ShipTo: order.ShipTo{RegionCode: addr.RegionCode, Name: addr.Name, Phone: addr.Phone, Address: addr.Address}}
		ordered := make([]any, len(skus))
		for i, id := range skus {
			ci.Items, ordered[i] = append(ci.Items, order.Item{SKUID: id, Quantity: quantity[id]}), id
		}
		if err := ci.Normalize(); err != nil {
			return 0, cartCheckoutError(err)
		}
		id, err := tx.checkout(ctx, customer, ci)
		if err != nil {
			return 0, cartCheckoutError(err)
		}
		_, err = tx.Exec(ctx, `DELETE FROM cart_lines WHERE cart_id = ? AND sku_id IN (`+sqldb.Placeholders(len(ordered))+`)`,
			append([]any{cart}, ordered...)...)
		return id, err
	})
	return o, errs.Wrap("store.CheckoutCart", err)
}

// cartCheckoutError renames the fields of checkout's errors to those of a
// cart checkout: items[i]… is a cart line, on sku_ids (checkout's message
// names the SKU); ship_to… is the saved address.
func cartCheckoutError(err error) error {
	f := errs.FieldOf(err)
	switch {
	case strings.HasPrefix(f, "items"):
		return renamed(err, "sku_ids")
	case strings.HasPrefix(f, "ship_to"):
		return renamed(err, "address_id")
	}
	return err
}
