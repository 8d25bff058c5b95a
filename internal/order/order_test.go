package order_test

import (
	"slices"
	"testing"

	"pgregory.net/rapid"

	"sharemall/internal/errs"
	"sharemall/internal/order"
)

func TestRank(t *testing.T) {
	const region = "CN.44.03.05"
	w := func(id, sup, prio int64, avail int64, areas ...string) order.Candidate {
		return order.Candidate{WarehouseID: id, SupplierID: sup, Priority: prio, Areas: areas, Available: map[int64]int64{7: avail}}
	}
	line := order.RouteLine{SKUID: 7, SupplierID: 1, Quantity: 2}
	cases := []struct {
		name string
		cs   []order.Candidate
		want []int64
	}{
		{"most specific first", []order.Candidate{w(1, 1, 9, 5, "CN"), w(2, 1, 0, 5, "CN.44.03"), w(3, 1, 0, 5, "CN.44")}, []int64{2, 3, 1}},
		{"stock is required", []order.Candidate{w(1, 1, 0, 1, "CN.44.03.05"), w(2, 1, 0, 2, "CN")}, []int64{2}},
		{"priority then id", []order.Candidate{w(5, 1, 1, 5, "CN.44"), w(3, 1, 2, 5, "CN.44"), w(4, 1, 1, 5, "CN.44")}, []int64{3, 4, 5}},
		{"other supplier and other area excluded", []order.Candidate{w(1, 2, 0, 5, "CN"), w(2, 1, 0, 5, "CN.45"), w(3, 1, 0, 5, "CN.4")}, nil},
	}
	for _, c := range cases {
		var got []int64
		for _, r := range order.Rank(region, line, c.cs) {
			got = append(got, r.WarehouseID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestRouteNoStock(t *testing.T) {
	cs := []order.Candidate{{WarehouseID: 1, SupplierID: 1, Areas: []string{"CN"}, Available: map[int64]int64{7: 3, 8: 1}}}
	got, err := order.Route("CN.11", []order.RouteLine{{SKUID: 7, SupplierID: 1, Quantity: 3}}, cs)
	if err != nil || got[0] != 1 {
		t.Fatalf("got %v, %v", got, err)
	}
	_, err = order.Route("CN.11", []order.RouteLine{{SKUID: 8, SupplierID: 1, Quantity: 1}, {SKUID: 7, SupplierID: 1, Quantity: 4}}, cs)
	if errs.CodeOf(err) != errs.Conflict || errs.FieldOf(err) != "items[1].sku_id" {
		t.Fatalf("err %v", err)
	}
}

// Route never over-commits a warehouse and always picks a best-ranked one.
func TestRouteProperty(t *testing.T) {
	areas := []string{"CN", "CN.44", "CN.44.03", "CN.44.03.05", "CN.45"}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 6).Draw(t, "warehouses")
		var cs []order.Candidate
		for i := range n {
			cs = append(cs, order.Candidate{
				WarehouseID: int64(i + 1), SupplierID: rapid.Int64Range(1, 2).Draw(t, "supplier"),
				Priority:  rapid.Int64Range(0, 3).Draw(t, "prio"),
				Areas:     []string{rapid.SampledFrom(areas).Draw(t, "area")},
				Available: map[int64]int64{1: rapid.Int64Range(0, 5).Draw(t, "a1"), 2: rapid.Int64Range(0, 5).Draw(t, "a2")},
			})
		}
		lines := []order.RouteLine{
			{SKUID: 1, SupplierID: rapid.Int64Range(1, 2).Draw(t, "s1"), Quantity: rapid.Int64Range(1, 5).Draw(t, "q1")},
			{SKUID: 2, SupplierID: rapid.Int64Range(1, 2).Draw(t, "s2"), Quantity: rapid.Int64Range(1, 5).Draw(t, "q2")},
		}
		got, err := order.Route("CN.44.03.05", lines, cs)
		if err != nil {
			if errs.CodeOf(err) != errs.Conflict {
				t.Fatalf("code %v", err)
			}
			return
		}
		for i, l := range lines {
			r := order.Rank("CN.44.03.05", l, cs)
			if len(r) == 0 || r[0].WarehouseID != got[i] {
				t.Fatalf("line %d went to %d, ranking %v", i, got[i], r)
			}
			var c order.Candidate
			for _, x := range cs {
				if x.WarehouseID == got[i] {
					c = x
				}
			}
			if c.SupplierID != l.SupplierID || c.Available[l.SKUID] < l.Quantity {
				t.Fatalf("line %d routed to a warehouse that cannot ship it", i)
			}
		}
	})
}

func TestAgentFor(t *testing.T) {
	agents := []order.AgentArea{{RegionCode: "CN.44", DistributorID: 1}, {RegionCode: "CN.44.03", DistributorID: 2}, {RegionCode: "CN.45", DistributorID: 3}}
	if a, ok := order.AgentFor("CN.44.03.05", agents); !ok || a.DistributorID != 2 {
		t.Fatalf("got %v %v", a, ok)
	}
	if a, ok := order.AgentFor("CN.44.01", agents); !ok || a.DistributorID != 1 {
		t.Fatalf("got %v %v", a, ok)
	}
	if _, ok := order.AgentFor("CN.11", agents); ok {
		t.Fatal("no agent expected")
	}
}

func TestAttribute(t *testing.T) {
	coupon := &order.Touch{DistributorID: 5, Active: true, VisitID: 9, CouponCode: "SAVE"}
	binding := &order.Touch{DistributorID: 6, Active: true, VisitID: 3}
	cases := []struct {
		name   string
		in     order.AttributionInput
		source order.Source
		seller int64
	}{
		{"coupon beats binding", order.AttributionInput{Coupon: coupon, Binding: binding}, order.FromCoupon, 5},
		{"binding alone", order.AttributionInput{Binding: binding}, order.FromBinding, 6},
		{"none", order.AttributionInput{}, order.FromNone, 0},
		{"never self by coupon", order.AttributionInput{CustomerDistributorID: 5, Coupon: coupon, Binding: binding}, order.FromBinding, 6},
		{"never self by binding", order.AttributionInput{CustomerDistributorID: 6, Binding: binding}, order.FromNone, 0},
		{"inactive binding", order.AttributionInput{Binding: &order.Touch{DistributorID: 6}}, order.FromNone, 0},
	}
	for _, c := range cases {
		a := order.Attribute(c.in)
		if a.Source != c.source || a.DistributorID != c.seller || a.Reason == "" {
			t.Errorf("%s: got %+v", c.name, a)
		}
	}
}

func TestNormalize(t *testing.T) {
	ok := func() order.CheckoutInput {
		return order.CheckoutInput{Items: []order.Item{{SKUID: 1, Quantity: 1}}, ShipTo: order.ShipTo{RegionCode: "CN.44", Name: "A", Phone: "1", Address: "x"}}
	}
	cases := []struct {
		field  string
		change func(*order.CheckoutInput)
	}{
		{"items", func(in *order.CheckoutInput) { in.Items = nil }},
		{"items[0].quantity", func(in *order.CheckoutInput) { in.Items[0].Quantity = 0 }},
		{"items[0].sku_id", func(in *order.CheckoutInput) { in.Items[0].SKUID = -1 }},
		{"items[1].sku_id", func(in *order.CheckoutInput) { in.Items = append(in.Items, in.Items[0]) }},
		{"ship_to.region_code", func(in *order.CheckoutInput) { in.ShipTo.RegionCode = "cn" }},
		{"ship_to.name", func(in *order.CheckoutInput) { in.ShipTo.Name = " " }},
	}
	for _, c := range cases {
		in := ok()
		c.change(&in)
		if err := in.Normalize(); errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != c.field {
			t.Errorf("%s: got %v", c.field, err)
		}
	}
	a, b := ok(), ok()
	b.ShipTo.Name = " A "
	a.Normalize()
	b.Normalize()
	if a.Hash() != b.Hash() {
		t.Error("hash differs for the same normalized input")
	}
}

// Attribute never picks the buyer itself nor an inactive distributor, and a
// usable coupon always wins.
func TestAttributeProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		touch := func(name string) *order.Touch {
			if !rapid.Bool().Draw(t, name) {
				return nil
			}
			return &order.Touch{DistributorID: rapid.Int64Range(1, 3).Draw(t, name+"id"), Active: rapid.Bool().Draw(t, name+"active")}
		}
		in := order.AttributionInput{CustomerDistributorID: rapid.Int64Range(0, 3).Draw(t, "self"), Coupon: touch("coupon"), Binding: touch("binding")}
		a := order.Attribute(in)
		if a.DistributorID != 0 && a.DistributorID == in.CustomerDistributorID {
			t.Fatalf("attributed to the buyer: %+v", a)
		}
		usable := func(x *order.Touch) bool { return x != nil && x.Active && x.DistributorID != in.CustomerDistributorID }
		switch {
		case usable(in.Coupon):
			if a.Source != order.FromCoupon || a.DistributorID != in.Coupon.DistributorID {
				t.Fatalf("coupon lost: %+v", a)
			}
		case usable(in.Binding):
			if a.Source != order.FromBinding {
				t.Fatalf("binding lost: %+v", a)
			}
		default:
			if a.Source != order.FromNone || a.DistributorID != 0 {
				t.Fatalf("%+v", a)
			}
		}
	})
}
