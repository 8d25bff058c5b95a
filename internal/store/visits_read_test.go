package store_test

import (
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestVisitsRead: a distributor's links with their visits, its visits day by
// day in the program's time zone (Asia/Shanghai: a visit at 15:59:59 UTC is
// the day before one at 16:00 UTC), coupon touches left out of visits, and
// its bound customers newest first with masked names, page by page.
func TestVisitsRead(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopFix(t, db)
		w.openShop(w.da)
		link := func(product int64, channel string) string {
			l, err := db.ShareLink(w.ctx, w.da, product, channel)
			if err != nil {
				t.Fatal(err)
			}
			return l.Code
		}
		shop, prod, poster := link(0, store.ChannelLink), link(w.prod.ID, store.ChannelLink), link(w.prod.ID, store.ChannelPoster)
		at := func(s string) time.Time {
			v, err := time.Parse(time.RFC3339, s)
			if err != nil {
				t.Fatal(err)
			}
			w.clock.Advance(v.Sub(w.clock.Now()))
			return v
		}
		open := func(who account.Actor, code, visitor string) {
			t.Helper()
			if _, _, err := db.RecordVisit(w.ctx, who, code, visitor); err != nil {
				t.Fatal(err)
			}
		}
		at("2026-01-02T15:59:59Z") // 23:59:59 in Shanghai
		open(account.Actor{}, prod, "tok-a")
		open(account.Actor{}, prod, "tok-b")
		t2 := at("2026-01-02T16:00:00Z") // the next day in Shanghai
		open(account.Actor{}, prod, "tok-a")
		open(w.cust, shop, "tok-c")
		t3 := at("2026-01-03T16:30:00Z")
		a, err := db.CreateAccount(w.ctx, account.SignUp{Email: "zhang@example.com", Name: "张三"}, "hash", account.Customer)
		if err != nil {
			t.Fatal(err)
		}
		zhang := w.actor(a.ID)
		open(zhang, poster, "tok-d")
		if _, err := db.CreateCoupon(w.ctx, w.da, store.CouponInput{Code: "SAVE10", Kind: store.CouponAmount, Value: 100}); err != nil {
			t.Fatal(err)
		}
		third := w.account(account.Customer)
		if _, _, err := db.BindFromCoupon(w.ctx, third, "save10"); err != nil {
			t.Fatal(err)
		}

		links, err := db.ShareLinkVisits(w.ctx, w.da, w.d.ID)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			code             string
			product          int64
			visits, visitors int64
			last             time.Time
		}
		want := []row{{shop, 0, 1, 1, t2}, {prod, w.prod.ID, 3, 2, t2}, {poster, w.prod.ID, 1, 1, t3}}
		if len(links) != len(want) {
			t.Fatalf("links %+v", links)
		}
		for i, l := range links {
			wr := want[i]
			if l.Code != wr.code || l.ProductID != wr.product || l.Visits != wr.visits || l.Visitors != wr.visitors || l.LastVisit == nil || !l.LastVisit.Equal(wr.last) {
				t.Errorf("link %d: %+v, want %+v", i, l, wr)
			}
		}
		if links[1].ProductTitle != "Oolong" || links[0].ProductTitle != "" || links[2].Channel != store.ChannelPoster {
			t.Errorf("titles and channels: %+v", links)
		}

		days, err := db.VisitsByDay(w.ctx, w.da, w.d.ID, 4)
		if err != nil {
			t.Fatal(err)
		}
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		for i, n := range []int64{0, 2, 2, 1} {
			day := time.Date(2026, 1, 1+i, 0, 0, 0, 0, shanghai)
			if !days[i].Day.Equal(day) || days[i].Visits != n {
				t.Errorf("day %d: %v %d, want %v %d", i, days[i].Day, days[i].Visits, day, n)
			}
		}

		total, page, err := db.BoundCustomers(w.ctx, w.da, w.d.ID, store.CustomerCursor{}, 2)
		if err != nil {
			t.Fatal(err)
		}
		if total != 3 || len(page) != 2 || page[0].Name != "a***@example.com" || page[1].Name != "张**" || !page[1].BoundAt.Equal(t3) {
			t.Fatalf("first page: %d %+v", total, page)
		}
		_, rest, err := db.BoundCustomers(w.ctx, w.da, w.d.ID, store.CustomerCursor{At: page[1].BoundAt, Key: page[1].Key}, 2)
		if err != nil || len(rest) != 1 || !rest[0].BoundAt.Equal(t2) || rest[0].Key != w.cust.AccountID {
			t.Fatalf("second page: %+v %v", rest, err)
		}

		other, otherActor := w.join("")
		for _, tc := range []struct {
			name string
			who  account.Actor
			code errs.Code
		}{
			{"another distributor", otherActor, errs.NotFound},
			{"a customer", w.cust, errs.Forbidden},
			{"anonymous", account.Actor{}, errs.Unauthorized},
		} {
			_, err1 := db.ShareLinkVisits(w.ctx, tc.who, w.d.ID)
			_, err2 := db.VisitsByDay(w.ctx, tc.who, w.d.ID, 7)
			_, _, err3 := db.BoundCustomers(w.ctx, tc.who, w.d.ID, store.CustomerCursor{}, 10)
			for _, err := range []error{err1, err2, err3} {
				if !errs.Is(err, tc.code) {
					t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
				}
			}
		}
		if l, err := db.ShareLinkVisits(w.ctx, w.op, w.d.ID); err != nil || len(l) != 3 {
			t.Errorf("operator: %d links, %v", len(l), err)
		}
		if l, err := db.ShareLinkVisits(w.ctx, otherActor, other.ID); err != nil || len(l) != 0 {
			t.Errorf("a distributor without links: %+v %v", l, err)
		}
		for _, n := range []int{0, store.MaxVisitDays + 1} {
			_, err := db.VisitsByDay(w.ctx, w.da, w.d.ID, n)
			wantErr(t, err, errs.Invalid, "days")
		}
	})
}

// TestInviteCard: an invite link shows its sponsor to anyone; the refusals
// are JoinNetwork's, on invite_code.
func TestInviteCard(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopFix(t, db)
		c, err := db.InviteCard(w.ctx, " "+w.d.ReferralCode+" ")
		if err != nil || c.DistributorID != w.d.ID || c.ShopName != "" || c.DisplayName != w.d.DisplayName {
			t.Fatalf("without a shop: %+v %v", c, err)
		}
		if _, _, err := db.PutShop(w.ctx, w.da, store.ShopInput{Name: "茶铺", AvatarURL: "https://img.example/a.png"}); err != nil {
			t.Fatal(err)
		}
		if c, err = db.InviteCard(w.ctx, w.d.ReferralCode); err != nil || c.ShopName != "茶铺" || c.AvatarURL != "https://img.example/a.png" {
			t.Fatalf("with a shop: %+v %v", c, err)
		}
		w.settings(func(s *program.Settings) { s.DistributorReview = true })
		pending, _ := w.join(w.d.ReferralCode)
		for _, code := range []string{"", "short", "ZZZZZZZZ", pending.ReferralCode} {
			_, err := db.InviteCard(w.ctx, code)
			wantErr(t, err, errs.Invalid, "invite_code")
		}
	})
}
