package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// Coupon kinds.
const (
	CouponAmount  = "amount"  // Value: minor units off the order
	CouponPercent = "percent" // Value: basis points off the order
)

// MaxCouponPercent is the largest percent discount: half the order.
const MaxCouponPercent money.Rate = 5000

// Coupon is a distributor's code: it attributes an order to the distributor
// and discounts it. Checkout validates and redeems it (Used counts redemptions).
type Coupon struct {
	ID            int64
	Code          string
	DistributorID int64
	Kind          string
	Value         int64 // minor units (amount) or basis points (percent)
	MinOrder      money.Amount
	MaxUses       int64 // 0: unlimited
	Used          int64
	ValidFrom     *time.Time
	ValidUntil    *time.Time
	Active        bool
	CreatedAt     time.Time
}

// CouponInput is a new coupon.
type CouponInput struct {
	Code       string
	Kind       string
	Value      int64
	MinOrder   money.Amount
	MaxUses    int64 // 0: unlimited
	ValidFrom  *time.Time
	ValidUntil *time.Time
}

func normalizeCouponCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func (in *CouponInput) normalize(now time.Time) error {
	in.Code = normalizeCouponCode(in.Code)
	if n := len(in.Code); n < 4 || n > 20 || strings.Trim(in.Code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		return errs.Invalidf("code", "must be 4 to 20 letters A-Z and digits")
	}
	switch in.Kind {
	case CouponAmount:
		if in.Value <= 0 || money.Amount(in.Value) > catalog.MaxPrice {
			return errs.Invalidf("amount_off", "must be above zero and at most %d minor units", catalog.MaxPrice)
		}
	case CouponPercent:
		if in.Value <= 0 || money.Rate(in.Value) > MaxCouponPercent {
			return errs.Invalidf("percent_off_bp", "must be 1 to %d basis points", MaxCouponPercent)
		}
	default:
		return errs.Invalidf("kind", "must be amount or percent")
	}
	if in.MinOrder < 0 || in.MinOrder > catalog.MaxPrice {
		return errs.Invalidf("min_order", "must be from 0 to %d minor units", catalog.MaxPrice)
	}
	if in.MaxUses < 0 || in.MaxUses > 1_000_000_000 {
		return errs.Invalidf("max_uses", "must be from 1 to 1000000000, or absent for no limit")
	}
	if in.ValidUntil != nil {
		if !in.ValidUntil.After(now) {
			return errs.Invalidf("valid_until", "must be in the future")
		}
		if in.ValidFrom != nil && !in.ValidUntil.After(*in.ValidFrom) {
			return errs.Invalidf("valid_until", "must be after valid_from")
		}
	}
	return nil
}

// unusable says why the coupon cannot be used at now, "" when it can.
func (c *Coupon) unusable(now time.Time) string {
	switch {
	case !c.Active:
		return "this coupon has been deactivated"
	case c.ValidFrom != nil && now.Before(*c.ValidFrom):
		return "this coupon is not valid yet"
	case c.ValidUntil != nil && !now.Before(*c.ValidUntil):
		return "this coupon has expired"
	case c.MaxUses > 0 && c.Used >= c.MaxUses:
		return "this coupon has been used up"
	}
	return ""
}

// CreateCoupon creates a coupon of the actor's own distributor. A code
// taken by any coupon is a Conflict on code.
func (db *DB) CreateCoupon(ctx context.Context, actor account.Actor, in CouponInput) (*Coupon, error) {
	var c *Coupon
	err := db.Write(ctx, func(tx *Tx) error {
		d, err := tx.shopOwner(ctx, actor)
		if err != nil {
			return err
		}
		if err := in.normalize(tx.Now()); err != nil {
			return err
		}
		if taken, err := tx.Exists(ctx, `SELECT 1 FROM coupons WHERE code = ?`, in.Code); err != nil {
			return err
		} else if taken {
			return errs.E(errs.Conflict, "code", "is already taken")
		}
		id, err := tx.Insert(ctx, `INSERT INTO coupons (code, distributor_id, kind, value, min_order, max_uses, used, valid_from, valid_until, active, created_at)
			VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`, in.Code, d.ID, in.Kind, in.Value, int64(in.MinOrder), nullInt(in.MaxUses),
			nullTS(in.ValidFrom), nullTS(in.ValidUntil), true, ts(tx.Now()))
		if err != nil {
			return sqldb.Relabel(err, errs.Conflict, "code", "is already taken")
		}
		c, err = tx.coupon(ctx, id)
		return err
	})
	return c, errs.Wrap("store.CreateCoupon", err)
}

// Coupons lists a distributor's coupons in id order after id after: its own
// to a distributor, any to an operator (distributorID 0: the actor's own).
func (db *DB) Coupons(ctx context.Context, actor account.Actor, distributorID, after int64, limit int) ([]Coupon, error) {
	if err := actor.Require(account.Distributor, account.Operator); err != nil {
		return nil, errs.Wrap("store.Coupons", err)
	}
	if distributorID == 0 {
		distributorID = actor.DistributorID
	}
	if distributorID == 0 {
		return nil, errs.Wrap("store.Coupons", errs.Invalidf("distributor_id", "is required for an operator without a distributor"))
	}
	if distributorID != actor.DistributorID && !actor.IsOperator() {
		return nil, errs.Wrap("store.Coupons", errs.E(errs.NotFound, "", "distributor not found"))
	}
	var out []Coupon
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.Each(ctx, `SELECT `+couponCols+` FROM coupons WHERE distributor_id = ? AND id > ? ORDER BY id LIMIT ?`,
			[]any{distributorID, after, limitPlusOne(limit)}, func(scan func(...any) error) error {
				c, err := scanCoupon(scan)
				if err == nil {
					out = append(out, *c)
				}
				return err
			})
	})
	return out, errs.Wrap("store.Coupons", err)
}

// DeactivateCoupon stops a coupon for good; its distributor or an operator
// (audited) may. Deactivating twice changes nothing. Another distributor's
// coupon is NotFound.
func (db *DB) DeactivateCoupon(ctx context.Context, actor account.Actor, id int64) (*Coupon, error) {
	if err := actor.Require(account.Distributor, account.Operator); err != nil {
		return nil, errs.Wrap("store.DeactivateCoupon", err)
	}
	var c *Coupon
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		if c, err = tx.coupon(ctx, id); err != nil {
			return err
		}
		if c.DistributorID != actor.DistributorID && !actor.IsOperator() {
			return errs.E(errs.NotFound, "", "coupon not found")
		}
		if !c.Active {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE coupons SET active = ? WHERE id = ?`, false, id); err != nil {
			return err
		}
		c.Active = false
		if c.DistributorID != actor.DistributorID {
			return tx.audit(ctx, actor.AccountID, "coupon.deactivate", fmt.Sprintf("coupon:%d", id), true, false)
		}
		return nil
	})
	return c, errs.Wrap("store.DeactivateCoupon", err)
}

const couponCols = `id, code, distributor_id, kind, value, min_order, max_uses, used, valid_from, valid_until, active, created_at`

func scanCoupon(scan func(...any) error) (*Coupon, error) {
	c := &Coupon{}
	var minOrder, created int64
	var maxUses nullableInt
	var from, until *int64
	if err := scan(&c.ID, &c.Code, &c.DistributorID, &c.Kind, &c.Value, &minOrder, &maxUses, &c.Used, &from, &until, &c.Active, &created); err != nil {
		return nil, sqldb.MapErr(err)
	}
	c.MinOrder, c.MaxUses, c.CreatedAt = money.Amount(minOrder), int64(maxUses), fromTS(created)
	if from != nil {
		t := fromTS(*from)
		c.ValidFrom = &t
	}
	if until != nil {
		t := fromTS(*until)
		c.ValidUntil = &t
	}
	return c, nil
}

func (tx *Tx) coupon(ctx context.Context, id int64) (*Coupon, error) {
	return tx.couponWhere(ctx, `id = ?`, id)
}

func (tx *Tx) couponByCode(ctx context.Context, code string) (*Coupon, error) {
	return tx.couponWhere(ctx, `code = ?`, code)
}

func (tx *Tx) couponWhere(ctx context.Context, cond string, arg any) (*Coupon, error) {
	var c *Coupon
	err := tx.One(ctx, "coupon", `SELECT `+couponCols+` FROM coupons WHERE `+cond, []any{arg}, func(scan func(...any) error) (err error) {
		c, err = scanCoupon(scan)
		return err
	})
	return c, err
}
