package store_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// The reads of the distributor centre's money and team pages: earnings by
// day and month, commission notes, seller orders, newest-first pages,
// rankings and the team search.

// shopOf opens a's shop with the tea and returns its share link's code.
func (w *lifeWorld) shopOf(a account.Actor) string {
	w.t.Helper()
	_, err := w.db.OpenShop(w.ctx, a, store.ShopInput{Name: "Shop"})
	w.must(err)
	_, err = w.db.AddShopItem(w.ctx, a, w.pa)
	w.must(err)
	l, err := w.db.ShareLink(w.ctx, a, 0, store.ChannelLink)
	w.must(err)
	return l.Code
}

// customerOf makes a customer named name bound to the shop of link code.
func (w *lifeWorld) customerOf(email, name, code string) account.Actor {
	w.t.Helper()
	c := newActor(w.t, w.db, email, name, account.Customer)
	_, _, err := w.db.RecordVisit(w.ctx, c, code, "")
	w.must(err)
	return c
}

// buy checks out and pays qty teas.
func (w *lifeWorld) buy(c account.Actor, qty int64) *order.Order {
	w.t.Helper()
	o := w.checkout(c, cart("CN.11.01.01", order.Item{SKUID: w.a1, Quantity: qty}), "")
	w.pay(o, c)
	return o
}

// sharesOf sums distributor actor's commission records, of one order or all (0).
func sharesOf(t *testing.T, db *store.DB, a account.Actor, orderID int64) (booked, now money.Amount) {
	t.Helper()
	list, err := db.Commissions(t.Context(), a, store.CommissionFilter{OrderID: orderID, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list {
		booked += r.Booked
		now += r.Amount
	}
	return booked, now
}

func TestEarningsAndNotes(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newLifeWorld(t, db)
		cust := w.customerOf("zhang@example.com", "张三", w.shopOf(w.sellerActor))
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		// 2 January 11:04 in Shanghai; then 00:30 on the 3rd there, still the 2nd in UTC.
		a := w.buy(cust, 2)
		w.clock.Advance(time.Date(2026, 1, 3, 0, 30, 0, 0, shanghai).Sub(w.clock.Now()))
		b := w.buy(cust, 1)
		w.deliver(a, cust)
		c := w.refund(cust, a.Lines[0], 1)
		w.clock.Advance(3 * day)

		e, err := db.Earnings(w.ctx, w.sellerActor, w.seller.ID, 30, 12)
		w.must(err)
		if len(e.ByDay) != 30 || len(e.ByMonth) != 12 || e.Currency != "CNY" {
			t.Fatalf("earnings: %d days, %d months, %s", len(e.ByDay), len(e.ByMonth), e.Currency)
		}
		last := e.ByDay[29].Start
		if want := time.Date(2026, 1, 7, 0, 0, 0, 0, shanghai); !last.Equal(want) || e.ByDay[0].Start.AddDate(0, 0, 29) != last {
			t.Fatalf("days run %v … %v", e.ByDay[0].Start, last)
		}
		_, aNow := sharesOf(t, db, w.sellerActor, a.ID)
		aBooked, _ := sharesOf(t, db, w.sellerActor, a.ID)
		_, bNow := sharesOf(t, db, w.sellerActor, b.ID)
		_, all := sharesOf(t, db, w.sellerActor, 0)
		if aNow >= aBooked || aNow == 0 || bNow == 0 {
			t.Fatalf("order a: booked %d, now %d (a refund must have taken some); b %d", aBooked, aNow, bNow)
		}
		day := func(d int) money.Amount {
			for _, x := range e.ByDay {
				if x.Start.Equal(time.Date(2026, 1, d, 0, 0, 0, 0, shanghai)) {
					return x.Amount
				}
			}
			t.Fatalf("no day %d", d)
			return 0
		}
		// Each order on its own day in Shanghai, net of the refund; the
		// periods add up to the commission lines.
		if day(2) != aNow || day(3) != bNow || day(4) != 0 || e.DaysTotal != all || e.MonthsTotal != all ||
			e.ByMonth[11].Amount != all || e.Month != all || e.Today != 0 {
			t.Fatalf("by day 2: %d (want %d), 3: %d (want %d); totals %d, %d, month %d, want %d", day(2), aNow, day(3), bNow,
				e.DaysTotal, e.MonthsTotal, e.Month, all)
		}
		if !e.ByMonth[11].Start.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, shanghai)) || !e.ByMonth[0].Start.Equal(time.Date(2025, 2, 1, 0, 0, 0, 0, shanghai)) {
			t.Fatalf("months run %v … %v", e.ByMonth[0].Start, e.ByMonth[11].Start)
		}
		// The sponsor earns tier 2 on the same days.
		mid, err := db.Earnings(w.ctx, w.midActor, w.mid.ID, 7, 1)
		w.must(err)
		if _, midAll := sharesOf(t, db, w.midActor, 0); mid.DaysTotal != midAll || midAll == 0 || len(mid.ByMonth) != 1 {
			t.Fatalf("sponsor's earnings %d, want %d", mid.DaysTotal, midAll)
		}
		if _, err := db.Earnings(w.ctx, w.op, w.seller.ID, 1, 1); err != nil {
			t.Fatal(err)
		}
		_, err = db.Earnings(w.ctx, w.midActor, w.seller.ID, 30, 12)
		wantCode(t, err, errs.NotFound, "")
		_, err = db.Earnings(w.ctx, cust, w.seller.ID, 30, 12)
		wantCode(t, err, errs.Forbidden, "")
		_, err = db.Earnings(w.ctx, w.sellerActor, w.seller.ID, 0, 12)
		wantCode(t, err, errs.Invalid, "days")
		_, err = db.Earnings(w.ctx, w.sellerActor, w.seller.ID, 30, 25)
		wantCode(t, err, errs.Invalid, "months")

		// Notes: the product, and the refund with the customer's reason.
		line := a.Lines[0].ID
		notes, err := db.CommissionNotes(w.ctx, w.sellerActor, []int64{line, b.Lines[0].ID})
		w.must(err)
		n := notes[line]
		if len(notes) != 2 || n == nil || n.Title != "Tea" || n.Quantity != 2 || n.OrderID != a.ID || len(n.Refunds) != 1 {
			t.Fatalf("notes %+v", notes)
		}
		if r := n.Refunds[0]; r.CaseID != c.ID || r.Reason != "broken" || r.Kind != store.RefundOnly || r.DecisionNote != "sorry" ||
			r.Refunded != c.Amount || r.QuantityAfter != 1 {
			t.Fatalf("refund note %+v", r)
		}
		if len(notes[b.Lines[0].ID].Refunds) != 0 {
			t.Fatalf("order b was not refunded: %+v", notes[b.Lines[0].ID])
		}
		// The sponsor holds a share of the line; a distributor outside the
		// upline and another supplier see nothing of it.
		for _, sc := range []struct {
			who  account.Actor
			want int
		}{{w.midActor, 1}, {w.op, 1}, {w.a, 1}, {w.b, 0}, {w.actor(w.x.AccountID), 0}} {
			got, err := db.CommissionNotes(w.ctx, sc.who, []int64{line})
			if err != nil || len(got) != sc.want {
				t.Fatalf("%+v sees %d notes, want %d (%v)", sc.who, len(got), sc.want, err)
			}
		}
		_, err = db.CommissionNotes(w.ctx, cust, []int64{line})
		wantCode(t, err, errs.Forbidden, "")
		_, err = db.CommissionNotes(w.ctx, w.sellerActor, make([]int64, store.MaxNoteLines+1))
		wantCode(t, err, errs.Invalid, "line_ids")

		// Newest first, page by page.
		asc, err := db.Commissions(w.ctx, w.sellerActor, store.CommissionFilter{Limit: 200})
		w.must(err)
		var desc []store.ShareRecord
		for before := int64(math.MaxInt64); ; {
			page, err := db.Commissions(w.ctx, w.sellerActor, store.CommissionFilter{Before: before, Limit: 1})
			w.must(err)
			desc = append(desc, page[0])
			if len(page) < 2 {
				break
			}
			before = page[0].ID
		}
		slices.Reverse(desc)
		if len(asc) < 2 || !slices.EqualFunc(asc, desc, func(x, y store.ShareRecord) bool { return x.ID == y.ID }) {
			t.Fatalf("newest first: %d records, ascending %d", len(desc), len(asc))
		}
		_, err = db.Commissions(w.ctx, w.sellerActor, store.CommissionFilter{Before: -1})
		wantCode(t, err, errs.Invalid, "before")
	})
}

func TestSellerOrders(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newLifeWorld(t, db)
		link := w.shopOf(w.sellerActor)
		zhang := w.customerOf("zhang@example.com", "张三", link)
		lily := w.customerOf("lily@example.com", "Lily", link)
		unpaid := w.checkout( // cancelled by the jobs for want of payment
			lily, cart("CN.11.01.01", order.Item{SKUID: w.a1, Quantity: 1}), "")
		a := w.buy(zhang, 2)
		w.deliver(a, zhang)
		w.refund(zhang, a.Lines[0], 1)
		w.clock.Advance(8 * day)
		w.runDue(1)
		b := w.buy(lily, 3)

		list, err := db.SellerOrders(w.ctx, w.sellerActor, store.SellerOrderFilter{})
		w.must(err)
		if len(list) != 3 || list[0].ID != b.ID || list[1].ID != a.ID || list[2].ID != unpaid.ID {
			t.Fatalf("orders %+v", list)
		}
		gb, ga, gu := list[0], list[1], list[2]
		aBooked, aNow := sharesOf(t, db, w.sellerActor, a.ID)
		_, bNow := sharesOf(t, db, w.sellerActor, b.ID)
		if ga.Customer != "张**" || ga.Total != a.Total || ga.Status != order.Completed || ga.Title != "Tea" || ga.Units != 2 || ga.Lines != 1 ||
			ga.Parcels != 1 || ga.Received != 1 || ga.Shipped != 0 || !ga.Settled || !ga.Refunded || ga.Booked != aBooked || ga.Commission != aNow ||
			ga.PaidAt == nil || ga.Currency != "CNY" {
			t.Fatalf("order a %+v (booked %d, now %d)", ga, aBooked, aNow)
		}
		if gb.Customer != "L**" || gb.Status != order.Paid || gb.Settled || gb.Refunded || gb.Commission != bNow || gb.Booked != bNow || gb.Units != 3 {
			t.Fatalf("order b %+v", gb)
		}
		if gu.Status != order.Cancelled || gu.Commission != 0 || gu.Booked != 0 || gu.Settled || gu.PaidAt != nil {
			t.Fatalf("unpaid order %+v", gu)
		}
		page, err := db.SellerOrders(w.ctx, w.sellerActor, store.SellerOrderFilter{Before: b.ID, Limit: 1})
		w.must(err)
		if len(page) != 2 || page[0].ID != a.ID {
			t.Fatalf("second page %+v", page)
		}
		paid, err := db.SellerOrders(w.ctx, w.op, store.SellerOrderFilter{DistributorID: w.seller.ID, Status: order.Paid})
		w.must(err)
		if len(paid) != 1 || paid[0].ID != b.ID {
			t.Fatalf("paid orders %+v", paid)
		}
		// The sponsor earns on these orders but sold none of them.
		if mine, err := db.SellerOrders(w.ctx, w.midActor, store.SellerOrderFilter{}); err != nil || len(mine) != 0 {
			t.Fatalf("sponsor's orders %+v %v", mine, err)
		}
		_, err = db.SellerOrders(w.ctx, w.midActor, store.SellerOrderFilter{DistributorID: w.seller.ID})
		wantCode(t, err, errs.NotFound, "")
		_, err = db.SellerOrders(w.ctx, zhang, store.SellerOrderFilter{})
		wantCode(t, err, errs.Forbidden, "")
		_, err = db.SellerOrders(w.ctx, w.sellerActor, store.SellerOrderFilter{Status: "lost"})
		wantCode(t, err, errs.Invalid, "status")
	})
}

func TestWithdrawalsNewestFirst(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newLifeWorld(t, db)
		cust := w.customerOf("zhang@example.com", "张三", w.shopOf(w.sellerActor))
		o := w.buy(cust, 5)
		w.deliver(o, cust)
		w.clock.Advance(8 * day)
		w.runDue(1)
		var ids []int64
		for range 3 {
			wd, err := db.RequestWithdrawal(w.ctx, w.sellerActor, w.seller.ID, 100, "")
			w.must(err)
			ids = append(ids, wd.ID)
		}
		got, err := db.Withdrawals(w.ctx, w.sellerActor, store.WithdrawalFilter{Before: math.MaxInt64, Limit: 2})
		w.must(err)
		if len(got) != 2 || got[0].ID != ids[2] || got[1].ID != ids[1] {
			t.Fatalf("newest first: %+v", got)
		}
		got, err = db.Withdrawals(w.ctx, w.sellerActor, store.WithdrawalFilter{Before: ids[1]})
		w.must(err)
		if len(got) != 1 || got[0].ID != ids[0] {
			t.Fatalf("older: %+v", got)
		}
	})
}

func TestRanking(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newLifeWorld(t, db)
		// seller ← mid ← root; other sells alone. Tiers pay 10%, 5%, 2%.
		other, otherActor := w.join("")
		a := w.buy(w.customerOf("zhang@example.com", "张三", w.shopOf(w.sellerActor)), 2) // base 39.98
		w.buy(w.customerOf("lily@example.com", "Lily", w.shopOf(otherActor)), 1)        // base 19.99
		rank := func(p store.RankPeriod, by store.RankBy) []store.RankEntry {
			t.Helper()
			r, err := db.Ranking(w.ctx, w.sellerActor, p, by, 10)
			w.must(err)
			return r.Entries
		}
		type row struct {
			rank int
			id   int64
			amt  money.Amount
		}
		check := func(what string, got []store.RankEntry, want ...row) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("%s: %+v, want %+v", what, got, want)
			}
			for i, g := range got {
				if (row{g.Rank, g.DistributorID, g.Amount}) != want[i] || g.DisplayName == "" {
					t.Fatalf("%s: %+v, want %+v", what, got, want)
				}
			}
		}
		check("week's sales", rank(store.RankWeek, store.RankBySales), row{1, w.seller.ID, 3998}, row{2, other.ID, 1999})
		// Equal figures share a rank: the sponsor's 5% of 39.98 and the other's 10% of 19.99.
		check("week's commission", rank(store.RankWeek, store.RankByCommission),
			row{1, w.seller.ID, 399}, row{2, w.mid.ID, 199}, row{2, other.ID, 199}, row{4, w.root.ID, 79})
		// A refund lowers the figures in the period it is taken in.
		w.deliver(a, w.actor(a.CustomerAccountID))
		w.refund(w.actor(a.CustomerAccountID), a.Lines[0], 1)
		check("week's sales after a refund", rank(store.RankWeek, store.RankBySales), row{1, w.seller.ID, 1999}, row{1, other.ID, 1999})

		// 2 January 2026 is a Friday: the week began on Monday 29 December,
		// the month on the 1st; next Monday a new week starts empty.
		r, err := db.Ranking(w.ctx, w.op, store.RankWeek, store.RankBySales, 0)
		w.must(err)
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		if !r.Start.Equal(time.Date(2025, 12, 29, 0, 0, 0, 0, shanghai)) || !r.End.Equal(time.Date(2026, 1, 5, 0, 0, 0, 0, shanghai)) {
			t.Fatalf("week %v … %v", r.Start, r.End)
		}
		w.clock.Advance(time.Date(2026, 1, 5, 0, 0, 0, 0, shanghai).Sub(w.clock.Now()))
		check("next week", rank(store.RankWeek, store.RankBySales))
		check("the month", rank(store.RankMonth, store.RankBySales), row{1, w.seller.ID, 1999}, row{1, other.ID, 1999})
		w.clock.Advance(30 * day)
		check("next month", rank(store.RankMonth, store.RankByCommission))

		_, err = db.Ranking(w.ctx, w.actor(a.CustomerAccountID), store.RankWeek, store.RankBySales, 10)
		wantCode(t, err, errs.Forbidden, "")
		_, err = db.Ranking(w.ctx, w.sellerActor, "year", store.RankBySales, 10)
		wantCode(t, err, errs.Invalid, "period")
		_, err = db.Ranking(w.ctx, w.sellerActor, store.RankWeek, "orders", 10)
		wantCode(t, err, errs.Invalid, "by")
	})
}

func TestSearchTeamMembers(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		var ids []int64
		for _, name := range []string{"Lin Wei", "lin_x", "linx", "100% Tea", "王林"} {
			a := w.account(account.Customer)
			d, err := db.JoinNetwork(w.ctx, a, network.Join{InviteCode: w.root.ReferralCode, DisplayName: name})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		rootActor := w.actor(w.root.AccountID)
		find := func(q string, depth int) []int64 {
			t.Helper()
			list, err := db.SearchTeamMembers(w.ctx, rootActor, w.root.ID, depth, q, 0, 50)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, m := range list {
				out = append(out, m.ID)
			}
			return out
		}
		all, err := db.TeamMembers(w.ctx, rootActor, w.root.ID, 1, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		if got := find("", 1); len(all) != 6 || len(got) != 6 || got[0] != w.mid.ID {
			t.Fatalf("all members %v, team members %d", got, len(all))
		}
		for _, c := range []struct {
			q    string
			want []int64
		}{
			{"LIN", []int64{ids[0], ids[1], ids[2]}},
			{" lin_ ", []int64{ids[1]}}, // _ is itself, not any character
			{"%", []int64{ids[3]}},
			{"林", []int64{ids[4]}},
			{"nobody", nil},
		} {
			if got := find(c.q, 1); !slices.Equal(got, c.want) {
				t.Errorf("search %q: %v, want %v", c.q, got, c.want)
			}
		}
		if got := find("d", 2); len(got) != 1 || got[0] != w.seller.ID {
			t.Errorf("level 2: %v, want the seller %d", got, w.seller.ID)
		}
		_, err = db.SearchTeamMembers(w.ctx, rootActor, w.root.ID, 1, string(make([]rune, 41)), 0, 50)
		wantCode(t, err, errs.Invalid, "q")
		_, err = db.SearchTeamMembers(w.ctx, w.actor(w.seller.AccountID), w.root.ID, 1, "", 0, 50)
		wantCode(t, err, errs.NotFound, "")
	})
}
