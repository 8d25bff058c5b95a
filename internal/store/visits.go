package store

import (
	"context"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/program"
	"sharemall/internal/sqldb"
)

// Visit is one touch by a distributor: a link opened, a poster scanned, a
// coupon entered. Visitor is the anonymous browser token; CustomerAccountID
// is set when the customer was signed in, or later claimed the visit.
type Visit struct {
	ID                int64
	DistributorID     int64
	Channel           string
	LinkCode          string
	CouponCode        string
	ProductID         int64
	CustomerAccountID int64
	Visitor           string
	IPHash            string // the client address as a keyed hash (WithClientAddress); "" when not known
	At                time.Time
	MaterialID        int64 // the material whose link brought it, 0 for none (materials_visits.go)
}

// MaxVisitorLen bounds the anonymous visitor token.
const MaxVisitorLen = 64

func checkVisitor(v string) error {
	if len(v) > MaxVisitorLen {
		return errs.Invalidf("visitor", "must be at most %d characters", MaxVisitorLen)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return errs.Invalidf("visitor", "may hold only letters, digits, - and _")
		}
	}
	return nil
}

// customerOf is the account a touch binds: a signed-in person, never a
// supplier's API key.
func customerOf(actor account.Actor) int64 {
	if actor.APIKeyID != 0 {
		return 0
	}
	return actor.AccountID
}

// RecordVisit records that a share link was opened by visitor (the
// anonymous token, may be "") and, when the actor is signed in, applies
// the binding rule in the same transaction; the event is nil otherwise.
// A link of a distributor that is not active is NotFound.
func (db *DB) RecordVisit(ctx context.Context, actor account.Actor, code, visitor string) (*Visit, *BindingEvent, error) {
	return db.recordVisit(ctx, actor, code, visitor, 0)
}

func (db *DB) recordVisit(ctx context.Context, actor account.Actor, code, visitor string, materialID int64) (*Visit, *BindingEvent, error) {
	if err := checkVisitor(visitor); err != nil {
		return nil, nil, errs.Wrap("store.RecordVisit", err)
	}
	var v *Visit
	var ev *BindingEvent
	err := db.Write(ctx, func(tx *Tx) error {
		l, err := tx.shareLink(ctx, code)
		if err != nil {
			return err
		}
		v = &Visit{DistributorID: l.DistributorID, Channel: l.Channel, LinkCode: l.Code, ProductID: l.ProductID,
			CustomerAccountID: customerOf(actor), Visitor: visitor, At: tx.Now()}
		if v.MaterialID, err = tx.visitMaterial(ctx, l, materialID); err != nil {
			return err
		}
		if v.IPHash, err = tx.addressHash(ctx, clientAddressOf(ctx)); err != nil {
			return err
		}
		if err := tx.insertVisit(ctx, v); err != nil {
			return err
		}
		if v.CustomerAccountID != 0 {
			ev, err = tx.applyTouch(ctx, v.CustomerAccountID, v)
		}
		return err
	})
	return v, ev, errs.Wrap("store.RecordVisit", err)
}

func (tx *Tx) insertVisit(ctx context.Context, v *Visit) error {
	var err error
	v.ID, err = tx.Insert(ctx, `INSERT INTO visits (distributor_id, channel, link_code, coupon_code, product_id, customer_account_id, visitor, at, material_id, ip_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, v.DistributorID, v.Channel, nullString(v.LinkCode), nullString(v.CouponCode),
		nullInt(v.ProductID), nullInt(v.CustomerAccountID), v.Visitor, ts(v.At), nullInt(v.MaterialID), v.IPHash)
	if err != nil || v.Channel == ChannelCoupon {
		return err // a coupon entered is a touch, not a landing: not in the share funnel
	}
	return tx.recordFunnel(ctx, funnelEvent{step: stepVisit, distributor: v.DistributorID, product: v.ProductID, visitor: visitorOf(v)})
}

// ClaimResult is what claiming a visitor's anonymous visits did.
type ClaimResult struct {
	Claimed int           // visits now credited to the account
	Event   *BindingEvent // the decision on the visit that was applied; nil when none could bind
}

// ClaimVisits credits the anonymous visits of a visitor token to the
// signed-in actor (who just signed in or up on that browser) and applies
// the binding rule to one of them: the earliest, or under last_touch the
// latest, among visits of distributors still active. Claiming again finds nothing.
func (db *DB) ClaimVisits(ctx context.Context, actor account.Actor, visitor string) (*ClaimResult, error) {
	if err := actor.Require(account.Customer, account.Distributor, account.Supplier, account.Operator); err != nil {
		return nil, errs.Wrap("store.ClaimVisits", err)
	}
	customer := customerOf(actor)
	if customer == 0 {
		return nil, errs.Wrap("store.ClaimVisits", errs.E(errs.Forbidden, "", "an API key has no visits; sign in"))
	}
	if visitor == "" {
		return nil, errs.Wrap("store.ClaimVisits", errs.Invalidf("visitor", "is required"))
	}
	if err := checkVisitor(visitor); err != nil {
		return nil, errs.Wrap("store.ClaimVisits", err)
	}
	res := &ClaimResult{}
	err := db.Write(ctx, func(tx *Tx) error {
		v, err := tx.claimableVisit(ctx, visitor)
		if err != nil {
			return err
		}
		n, err := tx.ExecN(ctx, `UPDATE visits SET customer_account_id = ? WHERE visitor = ? AND customer_account_id IS NULL`, customer, visitor)
		if err != nil {
			return err
		}
		res.Claimed = int(n)
		if v != nil {
			v.CustomerAccountID = customer
			res.Event, err = tx.applyTouch(ctx, customer, v)
		}
		return err
	})
	return res, errs.Wrap("store.ClaimVisits", err)
}

// BindFromCoupon records a coupon touch by the signed-in actor (a coupon
// entered outside checkout) and applies the binding rule. The coupon must
// be usable now (active, in its window, uses left); otherwise Invalid on code.
func (db *DB) BindFromCoupon(ctx context.Context, actor account.Actor, code string) (*Visit, *BindingEvent, error) {
	if err := actor.Require(account.Customer, account.Distributor, account.Supplier, account.Operator); err != nil {
		return nil, nil, errs.Wrap("store.BindFromCoupon", err)
	}
	customer := customerOf(actor)
	if customer == 0 {
		return nil, nil, errs.Wrap("store.BindFromCoupon", errs.E(errs.Forbidden, "", "an API key cannot use coupons"))
	}
	var v *Visit
	var ev *BindingEvent
	err := db.Write(ctx, func(tx *Tx) error {
		c, err := tx.couponByCode(ctx, normalizeCouponCode(code))
		if errs.Is(err, errs.NotFound) {
			return errs.Invalidf("code", "no coupon has this code")
		}
		if err != nil {
			return err
		}
		if why := c.unusable(tx.Now()); why != "" {
			return errs.Invalidf("code", "%s", why)
		}
		if v, ev, err = tx.touchCouponVisit(ctx, customer, c); err != nil {
			return err
		}
		return nil
	})
	return v, ev, errs.Wrap("store.BindFromCoupon", err)
}

// touchCoupon is called by checkout for a coupon it has validated: it
// records the coupon touch by the customer and applies the binding rule,
// returning the visit (whose binding_events row explains the outcome).
func (tx *Tx) touchCoupon(ctx context.Context, customerAccountID int64, couponID int64) (visitID int64, err error) {
	c, err := tx.coupon(ctx, couponID)
	if err != nil {
		return 0, err
	}
	v, _, err := tx.touchCouponVisit(ctx, customerAccountID, c)
	if err != nil {
		return 0, err
	}
	return v.ID, nil
}

func (tx *Tx) touchCouponVisit(ctx context.Context, customerAccountID int64, c *Coupon) (*Visit, *BindingEvent, error) {
	if err := tx.publicDistributor(ctx, c.DistributorID); err != nil {
		return nil, nil, errs.Invalidf("code", "the coupon's distributor is not active")
	}
	v := &Visit{DistributorID: c.DistributorID, Channel: ChannelCoupon, CouponCode: c.Code, CustomerAccountID: customerAccountID, At: tx.Now()}
	if err := tx.insertVisit(ctx, v); err != nil {
		return nil, nil, err
	}
	ev, err := tx.applyTouch(ctx, customerAccountID, v)
	return v, ev, err
}

// claimableVisit is the anonymous visit of visitor that claiming its visits
// applies the binding rule to: the earliest, or under last_touch the latest,
// among visits of distributors still active; nil when there is none.
func (tx *Tx) claimableVisit(ctx context.Context, visitor string) (*Visit, error) {
	st, err := tx.settings(ctx)
	if err != nil {
		return nil, err
	}
	order := `ASC`
	if st.Binding.Mode == program.LastTouch {
		order = `DESC`
	}
	var v *Visit
	err = tx.One(ctx, "visit", `SELECT v.id, v.distributor_id, v.channel, v.link_code, v.coupon_code, v.product_id, v.at
		FROM visits v JOIN distributors d ON d.id = v.distributor_id
		WHERE v.visitor = ? AND v.customer_account_id IS NULL AND d.status = ?
		ORDER BY v.at `+order+`, v.id `+order+` LIMIT 1`, []any{visitor, string(network.Active)},
		func(scan func(...any) error) error {
			v = &Visit{Visitor: visitor}
			var link, coupon nullableString
			var product nullableInt
			var at int64
			if err := scan(&v.ID, &v.DistributorID, &v.Channel, &link, &coupon, &product, &at); err != nil {
				return sqldb.MapErr(err)
			}
			v.LinkCode, v.CouponCode, v.ProductID, v.At = string(link), string(coupon), int64(product), fromTS(at)
			return nil
		})
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	}
	return v, err
}
