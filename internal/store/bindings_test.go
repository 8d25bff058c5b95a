package store_test

import (
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/binding"
	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

const oneDay = 24 * time.Hour

// link is d's share link for the world's product.
func (w *shopFix) link(d account.Actor) string {
	w.t.Helper()
	l, err := w.db.ShareLink(w.ctx, d, w.prod.ID, store.ChannelLink)
	if err != nil {
		w.t.Fatal(err)
	}
	return l.Code
}

// visit opens code as who and returns the binding outcome.
func (w *shopFix) visit(who account.Actor, code string) binding.Outcome {
	w.t.Helper()
	v, ev, err := w.db.RecordVisit(w.ctx, who, code, "")
	if err != nil {
		w.t.Fatal(err)
	}
	if v.CustomerAccountID != who.AccountID || ev == nil || ev.VisitID != v.ID {
		w.t.Fatalf("visit %+v, event %+v", v, ev)
	}
	return ev.Outcome
}

// boundTo is the distributor who is bound to, 0 for none.
func (w *shopFix) boundTo(who account.Actor) int64 {
	w.t.Helper()
	b, err := w.db.Binding(w.ctx, who, who.AccountID)
	if err != nil {
		w.t.Fatal(err)
	}
	return b.DistributorID
}

func (w *shopFix) mode(mode program.BindingMode, lockDays int) {
	w.settings(func(s *program.Settings) { s.Binding = program.Binding{Mode: mode, LockDays: lockDays} })
}

func wantEq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func TestShareLinks(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopFix(t, db)
		hidden := w.product(false)
		for _, tc := range []struct {
			name    string
			who     account.Actor
			product int64
			channel string
			code    errs.Code
			field   string
		}{
			{"anonymous", account.Actor{}, w.prod.ID, "link", errs.Unauthorized, ""},
			{"customer", w.cust, w.prod.ID, "link", errs.Forbidden, ""},
			{"bad channel", w.da, w.prod.ID, "coupon", errs.Invalid, "channel"},
			{"off-sale product", w.da, hidden.ID, "link", errs.Invalid, "product_id"},
			{"shop not open", w.da, 0, "link", errs.Conflict, ""},
		} {
			_, err := db.ShareLink(w.ctx, tc.who, tc.product, tc.channel)
			if errs.CodeOf(err) != tc.code || errs.FieldOf(err) != tc.field {
				t.Fatalf("%s: got %v, want %s on %q", tc.name, err, tc.code, tc.field)
			}
		}
		w.openShop(w.da)
		shop, err := db.ShareLink(w.ctx, w.da, 0, "link")
		if err != nil || len(shop.Code) != store.ShareCodeLen || shop.ProductID != 0 || shop.DistributorID != w.d.ID {
			t.Fatalf("shop link %+v %v", shop, err)
		}
		again, err := db.ShareLink(w.ctx, w.da, 0, "link")
		if err != nil || again.Code != shop.Code {
			t.Fatalf("second shop link %+v %v, want %s", again, err, shop.Code)
		}
		poster, err := db.ShareLink(w.ctx, w.da, 0, "poster")
		prod, err2 := db.ShareLink(w.ctx, w.da, w.prod.ID, "link")
		if err != nil || err2 != nil || poster.Code == shop.Code || prod.Code == shop.Code || prod.ProductID != w.prod.ID {
			t.Fatalf("poster %+v %v, product %+v %v", poster, err, prod, err2)
		}
		got, err := db.ShareLinkByCode(w.ctx, poster.Code)
		if err != nil || got.Channel != "poster" {
			t.Fatalf("by code %+v %v", got, err)
		}

		v, ev, err := db.RecordVisit(w.ctx, account.Actor{}, poster.Code, "tok-1")
		if err != nil || ev != nil || v.Channel != "poster" || v.DistributorID != w.d.ID || v.ProductID != 0 || v.Visitor != "tok-1" {
			t.Fatalf("anonymous visit %+v %+v %v", v, ev, err)
		}
		_, _, err = db.RecordVisit(w.ctx, account.Actor{}, "NOSUCHCODE", "")
		wantErr(t, err, errs.NotFound, "")
		_, _, err = db.RecordVisit(w.ctx, account.Actor{}, "../../etc", "")
		wantErr(t, err, errs.NotFound, "")
		_, _, err = db.RecordVisit(w.ctx, w.cust, poster.Code, "bad token!")
		wantErr(t, err, errs.Invalid, "visitor")
		if w.boundTo(w.cust) != 0 {
			t.Fatal("a refused visit bound the customer")
		}
	})
}

func TestBindingModes(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopFix(t, db)
		_, a2 := w.join("")
		_, a3 := w.join("")
		d2, d3 := a2.DistributorID, a3.DistributorID
		l1, l2, l3 := w.link(w.da), w.link(a2), w.link(a3)

		// first_touch (the default): the first binding is permanent.
		c := w.account(account.Customer)
		wantEq(t, "first visit", w.visit(c, l1), binding.Bound)
		wantEq(t, "second distributor", w.visit(c, l2), binding.Kept)
		w.clock.Advance(1000 * oneDay)
		wantEq(t, "much later", w.visit(c, l3), binding.Kept)
		wantEq(t, "bound to", w.boundTo(c), w.d.ID)

		// first_touch_lock: held for the lock, then the next touch re-binds and locks again.
		w.mode(program.FirstTouchLock, 7)
		c = w.account(account.Customer)
		wantEq(t, "lock: first", w.visit(c, l1), binding.Bound)
		w.clock.Advance(7*oneDay - time.Second)
		wantEq(t, "lock: inside", w.visit(c, l2), binding.Kept)
		w.clock.Advance(time.Second)
		wantEq(t, "lock: ended", w.visit(c, l2), binding.Rebound)
		wantEq(t, "lock: bound to", w.boundTo(c), d2)
		b, err := db.Binding(w.ctx, c, c.AccountID)
		if err != nil || b.LockedUntil == nil || !b.LockedUntil.Equal(w.clock.Now().Add(7*oneDay)) || b.Mode != program.FirstTouchLock {
			t.Fatalf("lock: binding %+v %v", b, err)
		}
		w.clock.Advance(6 * oneDay)
		wantEq(t, "lock: relocked", w.visit(c, l3), binding.Kept)
		wantEq(t, "lock: still", w.boundTo(c), d2)

		// last_touch: every touch by another distributor re-binds.
		w.mode(program.LastTouch, 0)
		c = w.account(account.Customer)
		wantEq(t, "last: first", w.visit(c, l1), binding.Bound)
		wantEq(t, "last: second", w.visit(c, l2), binding.Rebound)
		wantEq(t, "last: same", w.visit(c, l2), binding.Kept)
		wantEq(t, "last: back", w.visit(c, l1), binding.Rebound)
		wantEq(t, "last: bound to", w.boundTo(c), w.d.ID)

		b, err = db.Binding(w.ctx, w.op, c.AccountID)
		if err != nil || len(b.Events) != 4 || b.Events[1].Outcome != binding.Rebound || b.Events[1].PreviousDistributorID != w.d.ID ||
			b.Events[1].DistributorID != d2 || b.Events[3].Reason == "" || b.VisitID != b.Events[3].VisitID {
			t.Fatalf("history %+v %v", b, err)
		}
		_, err = db.Binding(w.ctx, w.cust, c.AccountID)
		wantErr(t, err, errs.Forbidden, "")
		_, err = db.Binding(w.ctx, account.Actor{}, c.AccountID)
		wantErr(t, err, errs.Unauthorized, "")
		audit, err := db.AuditLog(w.ctx, store.AuditFilter{Action: "binding.rebound"})
		if err != nil || len(audit) < 3 {
			t.Fatalf("audit of rebinding: %d lines, %v", len(audit), err)
		}
		_ = d3
	})
}

func TestBindingSelfAndTeam(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopFix(t, db)
		w.mode(program.LastTouch, 0)
		// D → m1 → m2 → m3 → m4 → m5: m5 is five levels below D.
		chain := []account.Actor{w.da}
		var members []*network.Distributor
		code := w.d.ReferralCode
		for range 5 {
			m, a := w.join(code)
			members = append(members, m)
			chain = append(chain, a)
			code = m.ReferralCode
		}
		outsider, ao := w.join("")

		wantEq(t, "own link", w.visit(w.da, w.link(w.da)), binding.RefusedSelf)
		for i := 1; i <= 5; i++ {
			wantEq(t, "team link", w.visit(w.da, w.link(chain[i])), binding.RefusedTeam)
		}
		wantEq(t, "not bound", w.boundTo(w.da), 0)
		wantEq(t, "m2 refuses m5", w.visit(chain[2], w.link(chain[5])), binding.RefusedTeam)
		// Upward and sideways are allowed: a team member may buy from its upline.
		wantEq(t, "m5 to D", w.visit(chain[5], w.link(w.da)), binding.Bound)
		wantEq(t, "m5 to outsider", w.visit(chain[5], w.link(ao)), binding.Rebound)
		wantEq(t, "D to outsider", w.visit(w.da, w.link(ao)), binding.Bound)
		wantEq(t, "outsider refuses itself", w.visit(ao, w.link(ao)), binding.RefusedSelf)
		wantEq(t, "m5 bound to", w.boundTo(chain[5]), outsider.ID)
		_ = members
	})
}

func TestClaimVisits(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopFix(t, db)
		d2, a2 := w.join("")
		l1, l2 := w.link(w.da), w.link(a2)
		for _, l := range []string{l2, l1} {
			w.clock.Advance(time.Minute)
			if _, _, err := db.RecordVisit(w.ctx, account.Actor{}, l, "browser-1"); err != nil {
				t.Fatal(err)
			}
		}
		_, err := db.ClaimVisits(w.ctx, account.Actor{}, "browser-1")
		wantErr(t, err, errs.Unauthorized, "")
		_, err = db.ClaimVisits(w.ctx, w.cust, "")
		wantErr(t, err, errs.Invalid, "visitor")
		_, err = db.ClaimVisits(w.ctx, w.cust, "no spaces")
		wantErr(t, err, errs.Invalid, "visitor")
		wantEq(t, "refused claims bound", w.boundTo(w.cust), 0)

		res, err := db.ClaimVisits(w.ctx, w.cust, "browser-1")
		if err != nil || res.Claimed != 2 || res.Event == nil || res.Event.Outcome != binding.Bound {
			t.Fatalf("claim %+v %v", res, err)
		}
		wantEq(t, "earliest visit binds", w.boundTo(w.cust), d2.ID)
		res, err = db.ClaimVisits(w.ctx, w.cust, "browser-1")
		if err != nil || res.Claimed != 0 || res.Event != nil {
			t.Fatalf("second claim %+v %v", res, err)
		}
		// Under last touch the latest anonymous visit is the one that counts.
		w.mode(program.LastTouch, 0)
		c := w.account(account.Customer)
		for _, l := range []string{l2, l1} {
			w.clock.Advance(time.Minute)
			if _, _, err := db.RecordVisit(w.ctx, account.Actor{}, l, "browser-2"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.ClaimVisits(w.ctx, c, "browser-2"); err != nil {
			t.Fatal(err)
		}
		wantEq(t, "latest visit binds", w.boundTo(c), w.d.ID)
	})
}
