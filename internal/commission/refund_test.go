package commission

import (
	"testing"

	"pgregory.net/rapid"

	"sharemall/internal/money"
)

// TestUnitsRefund: the worked example of docs/orders.md, one unit at a time.
func TestUnitsRefund(t *testing.T) {
	booked := Line{Base: 1000, Markup: 200, Quantity: 3}
	cur := booked
	var got []money.Amount
	for range 3 {
		r, err := UnitsRefund(booked, cur, 1)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Base)
		cur = Line{Base: cur.Base - r.Base, Markup: cur.Markup - r.Markup, Quantity: cur.Quantity - 1}
	}
	if got[0] != 333 || got[1] != 333 || got[2] != 334 || cur != (Line{}) {
		t.Fatalf("bases %v, left %+v", got, cur)
	}
	for _, q := range []int64{0, -1, 4} {
		if _, err := UnitsRefund(booked, booked, q); err == nil {
			t.Errorf("a refund of %d units of 3 was accepted", q)
		}
	}
}

// Whatever the steps, refunding every unit gives back exactly what was
// booked, and no step gives back more than remains.
func TestUnitsRefundSumsToBooked(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		booked := Line{Base: money.Amount(rapid.Int64Range(0, 1e9).Draw(t, "base")),
			Markup: money.Amount(rapid.Int64Range(0, 1e8).Draw(t, "markup")), Quantity: rapid.Int64Range(1, 50).Draw(t, "qty")}
		cur := booked
		for cur.Quantity > 0 {
			q := rapid.Int64Range(1, cur.Quantity).Draw(t, "step")
			r, err := UnitsRefund(booked, cur, q)
			if err != nil {
				t.Fatal(err)
			}
			if r.Base < 0 || r.Markup < 0 || r.Base > cur.Base || r.Markup > cur.Markup {
				t.Fatalf("refund %+v of %+v", r, cur)
			}
			cur = Line{Base: cur.Base - r.Base, Markup: cur.Markup - r.Markup, Quantity: cur.Quantity - q}
		}
		if cur != (Line{}) {
			t.Fatalf("left %+v after refunding every unit", cur)
		}
	})
}
