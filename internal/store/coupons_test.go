package store_test

import (
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/binding"
	"sharemall/internal/errs"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func timeAt(t time.Time) *time.Time { return &t }

func TestCoupons(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopFix(t, db)
		d2, a2 := w.join("")
		now := w.clock.Now()
		ok := store.CouponInput{Code: "tea10", Kind: store.CouponAmount, Value: 1000, MinOrder: 5000, MaxUses: 100,
			ValidFrom: timeAt(now), ValidUntil: timeAt(now.Add(30 * oneDay))}
		for _, tc := range []struct {
			name   string
			who    account.Actor
			change func(in *store.CouponInput)
			code   errs.Code
			field  string
		}{
			{"anonymous", account.Actor{}, nil, errs.Unauthorized, ""},
			{"customer", w.cust, nil, errs.Forbidden, ""},
			{"supplier", w.sup, nil, errs.Forbidden, ""},
			{"short code", w.da, func(in *store.CouponInput) { in.Code = "abc" }, errs.Invalid, "code"},
			{"long code", w.da, func(in *store.CouponInput) { in.Code = "ABCDEFGHIJKLMNOPQRSTU" }, errs.Invalid, "code"},
			{"code with dash", w.da, func(in *store.CouponInput) { in.Code = "TEA-10" }, errs.Invalid, "code"},
			{"bad kind", w.da, func(in *store.CouponInput) { in.Kind = "gift" }, errs.Invalid, "kind"},
			{"zero amount", w.da, func(in *store.CouponInput) { in.Value = 0 }, errs.Invalid, "amount_off"},
			{"percent over half", w.da, func(in *store.CouponInput) { in.Kind, in.Value = store.CouponPercent, 5001 }, errs.Invalid, "percent_off_bp"},
			{"negative min order", w.da, func(in *store.CouponInput) { in.MinOrder = -1 }, errs.Invalid, "min_order"},
			{"negative max uses", w.da, func(in *store.CouponInput) { in.MaxUses = -1 }, errs.Invalid, "max_uses"},
			{"expired", w.da, func(in *store.CouponInput) { in.ValidFrom, in.ValidUntil = nil, timeAt(now) }, errs.Invalid, "valid_until"},
			{"window backwards", w.da, func(in *store.CouponInput) { in.ValidFrom = timeAt(now.Add(40 * oneDay)) }, errs.Invalid, "valid_until"},
		} {
			in := ok
			if tc.change != nil {
				tc.change(&in)
			}
			_, err := db.CreateCoupon(w.ctx, tc.who, in)
			if errs.CodeOf(err) != tc.code || errs.FieldOf(err) != tc.field {
				t.Fatalf("%s: got %v, want %s on %q", tc.name, err, tc.code, tc.field)
			}
		}
		if cs, err := db.Coupons(w.ctx, w.da, 0, 0, 50); err != nil || len(cs) != 0 {
			t.Fatalf("refused coupons stored: %d %v", len(cs), err)
		}

		c, err := db.CreateCoupon(w.ctx, w.da, ok)
		if err != nil || c.Code != "TEA10" || c.DistributorID != w.d.ID || c.Value != 1000 || c.MaxUses != 100 || !c.Active ||
			!c.ValidUntil.Equal(now.Add(30*oneDay)) {
			t.Fatalf("create %+v %v", c, err)
		}
		half := store.CouponInput{Code: "HALF", Kind: store.CouponPercent, Value: 5000}
		if p, err := db.CreateCoupon(w.ctx, w.da, half); err != nil || p.MaxUses != 0 || p.ValidFrom != nil || p.ValidUntil != nil {
			t.Fatalf("percent coupon %+v %v", p, err)
		}
		dup := ok
		dup.Code = " Tea10 "
		_, err = db.CreateCoupon(w.ctx, a2, dup)
		wantErr(t, err, errs.Conflict, "code")

		cs, err := db.Coupons(w.ctx, w.da, 0, 0, 50)
		if err != nil || len(cs) != 2 || cs[0].ID != c.ID {
			t.Fatalf("own coupons %d %v", len(cs), err)
		}
		_, err = db.Coupons(w.ctx, a2, w.d.ID, 0, 50)
		wantErr(t, err, errs.NotFound, "")
		_, err = db.Coupons(w.ctx, w.cust, 0, 0, 50)
		wantErr(t, err, errs.Forbidden, "")
		if cs, err := db.Coupons(w.ctx, w.op, w.d.ID, c.ID, 1); err != nil || len(cs) != 1 {
			t.Fatalf("operator page after %d: %d %v", c.ID, len(cs), err)
		}
		if cs, err := db.Coupons(w.ctx, a2, 0, 0, 50); err != nil || len(cs) != 0 {
			t.Fatalf("D2 sees %d coupons, %v", len(cs), err)
		}

		// A coupon binds like a visit.
		v, ev, err := db.BindFromCoupon(w.ctx, w.cust, "tea10")
		if err != nil || v.Channel != store.ChannelCoupon || v.CouponCode != "TEA10" || ev.Outcome != binding.Bound {
			t.Fatalf("coupon touch %+v %+v %v", v, ev, err)
		}
		wantEq(t, "coupon binds", w.boundTo(w.cust), w.d.ID)
		_, _, err = db.BindFromCoupon(w.ctx, w.cust, "NOPE1")
		wantErr(t, err, errs.Invalid, "code")

		_, err = db.DeactivateCoupon(w.ctx, a2, c.ID)
		wantErr(t, err, errs.NotFound, "")
		_, err = db.DeactivateCoupon(w.ctx, w.cust, c.ID)
		wantErr(t, err, errs.Forbidden, "")
		if got, err := db.DeactivateCoupon(w.ctx, w.da, c.ID); err != nil || got.Active {
			t.Fatalf("deactivate %+v %v", got, err)
		}
		if got, err := db.DeactivateCoupon(w.ctx, w.da, c.ID); err != nil || got.Active {
			t.Fatalf("deactivate again %+v %v", got, err)
		}
		c2 := w.account(account.Customer)
		_, _, err = db.BindFromCoupon(w.ctx, c2, "TEA10")
		wantErr(t, err, errs.Invalid, "code")
		wantEq(t, "deactivated coupon binds", w.boundTo(c2), 0)

		// Not valid yet.
		later := store.CouponInput{Code: "LATER", Kind: store.CouponAmount, Value: 100, ValidFrom: timeAt(now.Add(oneDay))}
		if _, err := db.CreateCoupon(w.ctx, a2, later); err != nil {
			t.Fatal(err)
		}
		_, _, err = db.BindFromCoupon(w.ctx, c2, "LATER")
		wantErr(t, err, errs.Invalid, "code")
		w.clock.Advance(oneDay)
		if _, _, err := db.BindFromCoupon(w.ctx, c2, "LATER"); err != nil {
			t.Fatal(err)
		}
		wantEq(t, "bound by a coupon", w.boundTo(c2), d2.ID)
	})
}
