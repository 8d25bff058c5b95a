package store_test

import (
	"sync"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/binding"
	"sharemall/internal/errs"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// A deep member of another tree is not in the team: the recursive walk must say no.
func TestBindingDeepOutsider(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopFix(t, db)
		root, _ := w.join("")
		code := root.ReferralCode
		var last account.Actor
		for range 6 {
			m, a := w.join(code)
			code, last = m.ReferralCode, a
		}
		wantEq(t, "D to a deep outsider", w.visit(w.da, w.link(last)), binding.Bound)
		wantEq(t, "bound to", w.boundTo(w.da), last.DistributorID)
	})
}

func TestTouchCoupon(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopFix(t, db)
		c, err := db.CreateCoupon(w.ctx, w.da, store.CouponInput{Code: "WELCOME", Kind: store.CouponPercent, Value: 1000})
		if err != nil {
			t.Fatal(err)
		}
		visitID, err := db.TouchCoupon(w.ctx, w.cust.AccountID, c.ID)
		if err != nil || visitID == 0 {
			t.Fatalf("touch: %d %v", visitID, err)
		}
		b, err := db.Binding(w.ctx, w.cust, w.cust.AccountID)
		if err != nil || b.DistributorID != w.d.ID || b.VisitID != visitID || len(b.Events) != 1 || b.Events[0].Outcome != binding.Bound {
			t.Fatalf("binding after coupon: %+v %v", b, err)
		}
		// The coupon's own distributor using it is refused, and nothing binds.
		if _, err := db.TouchCoupon(w.ctx, w.da.AccountID, c.ID); err != nil {
			t.Fatal(err)
		}
		wantEq(t, "own coupon", w.boundTo(w.da), 0)
		_, err = db.TouchCoupon(w.ctx, w.cust.AccountID, 999999)
		wantErr(t, err, errs.NotFound, "")
	})
}

// A suspended distributor's links stop working and its anonymous visits bind nobody.
func TestSuspendedDistributorLinks(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopFix(t, db)
		l := w.link(w.da)
		if _, _, err := db.RecordVisit(w.ctx, account.Actor{}, l, "tok"); err != nil {
			t.Fatal(err)
		}
		if err := db.SuspendDistributorForTest(w.ctx, w.d.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err := db.RecordVisit(w.ctx, w.cust, l, "")
		wantErr(t, err, errs.NotFound, "")
		_, err = db.Shop(w.ctx, w.d.ID)
		wantErr(t, err, errs.NotFound, "")
		res, err := db.ClaimVisits(w.ctx, w.cust, "tok")
		if err != nil || res.Claimed != 1 || res.Event != nil {
			t.Fatalf("claim: %+v %v", res, err)
		}
		wantEq(t, "bound", w.boundTo(w.cust), 0)
	})
}

// Concurrent first touches by different distributors: exactly one binds.
func TestBindingConcurrent(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopFix(t, db)
		var links []string
		for range 6 {
			_, a := w.join("")
			links = append(links, w.link(a))
		}
		// The same link asked for concurrently is created once.
		_, a := w.join("")
		codes := make([]string, 6)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Go(func() {
				l, err := db.ShareLink(w.ctx, a, w.prod.ID, store.ChannelPoster)
				if err != nil {
					t.Error(err)
					return
				}
				codes[i] = l.Code
			})
		}
		wg.Wait()
		for _, c := range codes {
			wantEq(t, "concurrent link", c, codes[0])
		}

		outcomes := make([]binding.Outcome, len(links))
		for i, l := range links {
			wg.Go(func() {
				_, ev, err := db.RecordVisit(w.ctx, w.cust, l, "")
				if err != nil {
					t.Error(err)
					return
				}
				outcomes[i] = ev.Outcome
			})
		}
		wg.Wait()
		bound := 0
		for _, o := range outcomes {
			if o == binding.Bound {
				bound++
			} else if o != binding.Kept {
				t.Fatalf("outcome %s", o)
			}
		}
		wantEq(t, "bound once", bound, 1)
		b, err := db.Binding(w.ctx, w.cust, w.cust.AccountID)
		if err != nil || len(b.Events) != len(links) || b.Events[0].Outcome != binding.Bound || b.DistributorID != b.Events[0].DistributorID {
			t.Fatalf("binding %+v %v", b, err)
		}
	})
}
