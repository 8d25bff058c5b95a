package store_test

import (
	"log/slog"
	"testing"
	"time"

	"sharemall/internal/commission"
	"sharemall/internal/jobs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestGradeUpgrades: the background sweeps raise a distributor to the
// highest grade whose conditions its folded figures meet, audited once;
// never lower it (a refund or an operator's higher grade stays); and look
// again at everyone when the grades change.
func TestGradeUpgrades(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFiguresWorld(t, db)
		runner := jobs.NewRunner(db, slog.New(slog.DiscardHandler))
		run := func() {
			t.Helper()
			w.clock.Advance(time.Hour)
			if _, err := runner.RunDue(w.ctx); err != nil {
				t.Fatal(err)
			}
		}
		grade := func(name string, rank int64, own, team money.Amount) *network.Grade {
			t.Helper()
			g, err := db.CreateGrade(w.ctx, w.op, network.Grade{Name: name, Rank: rank, OwnSalesMin: own, TeamSalesMin: team})
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		gradeOf := func(d *network.Distributor) int64 {
			t.Helper()
			got, err := db.Distributor(w.ctx, w.op, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.GradeID
		}
		upgrades := func() int {
			t.Helper()
			l, err := db.AuditLog(w.ctx, store.AuditFilter{Action: "grade.upgrade", Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			return len(l)
		}
		grade("Member", 0, 0, 0)
		silver := grade("Silver", 1, 2000, 0)
		gold := grade("Gold", 2, 0, 5000)
		plat := grade("Platinum", 3, 1_000_000_00, 0)

		sellerCust := w.customer(w.seller)
		first := w.buy(sellerCust, "CN.44.03.05", order.Item{SKUID: w.tea, Quantity: 1})
		run()
		if g := gradeOf(w.seller); g != 0 || upgrades() != 0 {
			t.Fatalf("upgraded below the conditions (grade %d, %d upgrades); a grade without conditions is never a target", g, upgrades())
		}
		second := w.buy(sellerCust, "CN.44.03.05", order.Item{SKUID: w.tea, Quantity: 2})
		if _, err := db.UpgradeGrades(w.ctx, 100); err != nil || gradeOf(w.seller) != 0 {
			t.Fatalf("upgraded before the sale was folded: %v", err)
		}
		run()
		if g := gradeOf(w.seller); g != silver.ID || upgrades() != 1 {
			t.Fatalf("seller grade %d (want Silver %d), %d upgrades", g, silver.ID, upgrades())
		}
		w.buy(w.customer(w.d6), "CN.44.03.05", order.Item{SKUID: w.tea, Quantity: 3})
		if err := w.db.OrdersExecForTest(w.ctx, `UPDATE distributors SET grade_id = ? WHERE id = ?`, plat.ID, w.d5.ID); err != nil {
			t.Fatal(err)
		}
		run()
		run()
		for d, want := range map[*network.Distributor]int64{w.root: gold.ID, w.mid: gold.ID, w.seller: silver.ID, w.d4: 0, w.d5: plat.ID, w.d6: silver.ID} {
			if g := gradeOf(d); g != want {
				t.Fatalf("distributor %d: grade %d, want %d", d.ID, g, want)
			}
		}
		if n := upgrades(); n != 4 {
			t.Fatalf("%d upgrades audited, want 4 (seller, d6, mid, root), each once", n)
		}

		// Refunds take the seller below Silver: the grade stays.
		for _, o := range []*order.Order{first, second} {
			if _, _, err := db.RefundLine(w.ctx, o.Lines[0].ID, "all", commission.Line{}); err != nil {
				t.Fatal(err)
			}
		}
		run()
		if g := gradeOf(w.seller); g != silver.ID {
			t.Fatalf("seller lowered to %d", g)
		}

		// A new grade is checked against everyone's figures, changed or not.
		star := grade("Star", 4, 0, 2000)
		run()
		if gradeOf(w.root) != star.ID || gradeOf(w.mid) != star.ID || gradeOf(w.d4) != star.ID || gradeOf(w.seller) != star.ID {
			t.Fatalf("new grade not applied: root %d mid %d d4 %d seller %d", gradeOf(w.root), gradeOf(w.mid), gradeOf(w.d4), gradeOf(w.seller))
		}
		if gradeOf(w.d6) != silver.ID {
			t.Fatal("d6 has no team sales, yet moved")
		}
	})
}
