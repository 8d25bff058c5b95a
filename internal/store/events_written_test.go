package store_test

import (
	"slices"
	"testing"

	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestEventsWrittenFromMemory: checkout and payment write the funnel's
// order and paid events, and payment the sales events, from what they hold
// in memory (the lines, the order's seller and region, the seller's grade)
// rather than by reading the order back inside the statements. What they
// write must be exactly what a read of the stored order gives: the funnel
// rows the stored order's lines select (one per distinct product,
// first_program on the least product, first_supplier on each supplier's
// least), and each sales event's supplier, region and grade as its line,
// its order and its seller hold them. Orders with one or two suppliers,
// two products of one supplier, a product twice, a seller and none.
func TestEventsWrittenFromMemory(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFiguresWorld(t, db)
		tea2 := w.product(w.a, "Tea2", [2]int64{800, 0})
		w.warehouse(w.a, "A second", 0, []string{"CN"}, map[int64]int64{tea2.SKUs[0].ID: 1000})
		bound, unbound := w.customer(w.seller), w.customer(nil)
		it := func(sku, n int64) order.Item { return order.Item{SKUID: sku, Quantity: n} }
		for _, c := range []struct {
			who   int // 0: bound to the seller; 1: bound to nobody
			items []order.Item
		}{
			{0, []order.Item{it(w.tea, 1)}},
			{0, []order.Item{it(w.tea, 1), it(w.cup, 2)}},
			{0, []order.Item{it(tea2.SKUs[0].ID, 1), it(w.tea, 3), it(w.cup, 1)}},
			{0, []order.Item{it(w.cup, 1), it(tea2.SKUs[0].ID, 2)}},
			{1, []order.Item{it(w.tea, 1), it(w.cup, 1)}},
		} {
			buyer := bound
			if c.who == 1 {
				buyer = unbound
			}
			w.buy(buyer, "CN.44.03.05", c.items...)
		}
		// One placed and left unpaid: its order event only.
		w.n++
		w.checkout(bound, cart("CN.44.03.05", it(w.tea, 1), it(tea2.SKUs[0].ID, 1)), "fig-unpaid")

		stored := func(q string) [][]string {
			t.Helper()
			_, s, err := db.InsightRowsForTest(w.ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(s, func(a, b []string) int { return slices.Compare(a, b) })
			return s
		}
		written := stored(`SELECT step, CAST(distributor_id AS TEXT), CAST(product_id AS TEXT), CAST(supplier_id AS TEXT),
			CASE WHEN first_program THEN 'first' ELSE '' END, CASE WHEN first_supplier THEN 'first' ELSE '' END
			FROM funnel_events WHERE step IN ('order', 'paid')`)
		// Distinct within each order, as each order's events are.
		selected := stored(`SELECT step, seller, product, supplier, fp, fs FROM (SELECT DISTINCT o.id, s.step,
				CAST(o.seller_id AS TEXT) AS seller, CAST(l.product_id AS TEXT) AS product, CAST(l.supplier_id AS TEXT) AS supplier,
				CASE WHEN l.product_id = (SELECT MIN(m.product_id) FROM order_lines m WHERE m.order_id = o.id) THEN 'first' ELSE '' END AS fp,
				CASE WHEN l.product_id = (SELECT MIN(m.product_id) FROM order_lines m WHERE m.order_id = o.id AND m.supplier_id = l.supplier_id)
					THEN 'first' ELSE '' END AS fs
			FROM orders o JOIN order_lines l ON l.order_id = o.id
			JOIN (SELECT 'order' AS step UNION ALL SELECT 'paid') s ON s.step = 'order' OR o.status <> 'unpaid'
			WHERE o.seller_id IS NOT NULL) x`)
		if len(written) == 0 || !slices.EqualFunc(written, selected, slices.Equal[[]string]) {
			t.Fatalf("funnel events written\n%v\nthe stored orders select\n%v", written, selected)
		}
		if len(written) != 2*(1+2+3+2)+2 {
			t.Fatalf("%d funnel events; want one per distinct product per step of the seller's orders", len(written))
		}

		got := stored(`SELECT CAST(e.line_id AS TEXT), CAST(e.supplier_id AS TEXT), e.region, CAST(e.seller_grade AS TEXT)
			FROM sales_events e WHERE e.refund = FALSE`)
		want := stored(`SELECT CAST(l.id AS TEXT), CAST(l.supplier_id AS TEXT), o.ship_region, CAST(COALESCE(d.grade_id, 0) AS TEXT)
			FROM order_lines l JOIN orders o ON o.id = l.order_id LEFT JOIN distributors d ON d.id = o.seller_id
			WHERE o.status <> 'unpaid'`)
		if len(got) != 10 || !slices.EqualFunc(got, want, slices.Equal[[]string]) {
			t.Fatalf("sales events written\n%v\nthe stored lines give\n%v", got, want)
		}
	})
}
