package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"sharemall/internal/shipping"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// The supplier's shipping templates page: refusals by the form's field with
// what was typed kept, a template saved and made the default, another
// supplier's template out of reach.
func TestSupShippingTemplates(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCheckoutFloor(t, db)
		f.signIn("a@example.com")
		p := f.get("/sup/shipping")
		wantPage(t, "templates", p, http.StatusOK)
		mustContain(t, p.Body, `data-test="no-templates"`, `href="/sup/shipping/new"`)
		mustContain(t, f.get("/sup/shipping/new").Body, `name="r0_regions"`, `name="d_first_fee"`)

		form := func(change func(url.Values)) url.Values {
			v := url.Values{"name": {"Express"}, "basis": {"piece"}, "free_above": {""},
				"d_first_units": {"1"}, "d_first_fee": {"10.00"}, "d_additional_units": {"1"}, "d_additional_fee": {"5.00"},
				"r0_regions": {"CN.44"}, "r0_first_units": {"1"}, "r0_first_fee": {"8.00"}, "r0_additional_units": {"1"}, "r0_additional_fee": {"3.00"},
				"r1_regions": {""}, "r1_first_units": {""}, "r1_first_fee": {""}, "r1_additional_units": {""}, "r1_additional_fee": {""},
				"r2_regions": {""}, "r2_first_units": {""}, "r2_first_fee": {""}, "r2_additional_units": {""}, "r2_additional_fee": {""}}
			change(v)
			return v
		}
		for _, tc := range []struct {
			name, field string
			change      func(url.Values)
		}{
			{"negative fee", "r0_first_fee", func(v url.Values) { v.Set("r0_first_fee", "-1.00") }},
			{"unknown region", "r0_regions", func(v url.Values) { v.Set("r0_regions", "CN.99") }},
			{"overlap after a blank row", "r2_regions", func(v url.Values) {
				v.Set("r2_regions", "CN.44")
				for _, k := range []string{"first_units", "additional_units"} {
					v.Set("r2_"+k, "1")
				}
				v.Set("r2_first_fee", "1.00")
				v.Set("r2_additional_fee", "1.00")
			}},
			{"default units", "d_first_units", func(v url.Values) { v.Set("d_first_units", "x") }},
			{"no name", "name", func(v url.Values) { v.Set("name", " ") }},
		} {
			p := f.post("/sup/shipping", form(tc.change))
			if p.Status != http.StatusBadRequest {
				t.Fatalf("%s: %d", tc.name, p.Status)
			}
			mustContain(t, p.Body, `data-test="error-`+tc.field+`"`, `value="5.00"`)
		}
		wantRedirect(t, "save", f.post("/sup/shipping", form(func(url.Values) {})), "/sup/shipping")
		list, def, err := db.ShippingTemplates(f.ctx, f.a, 0)
		if err != nil || len(list) != 1 || def != 0 || len(list[0].Rules) != 1 || list[0].Rules[0].FirstFee != 800 {
			t.Fatalf("saved %+v %d %v", list, def, err)
		}
		id := strconv.FormatInt(list[0].ID, 10)
		wantRedirect(t, "default", f.post("/sup/shipping/default", url.Values{"template_id": {id}}), "/sup/shipping")
		p = f.get("/sup/shipping")
		mustContain(t, p.Body, `data-test="template-`+id+`"`, `data-test="default-badge"`, "first 1 pcs ¥10.00, each 1 more ¥5.00")
		mustContain(t, f.get("/sup/shipping/"+id).Body, `value="CN.44"`, `value="8.00"`)
		f.lang = "zh"
		mustContain(t, f.get("/sup/shipping").Body, "运费模板", "首 1 件 ¥10.00")
		f.lang = "en"

		// The product page: its template and its SKU's weight.
		prod := "/sup/products/" + strconv.FormatInt(f.teaProduct, 10)
		tea := strconv.FormatInt(f.tea, 10)
		mustContain(t, f.get(prod).Body, `data-test="shipping-form"`, `<option value="`+id+`">Express</option>`, `name="weight_`+tea+`" type="text" inputmode="numeric" value="0"`)
		p = f.post(prod+"/shipping", url.Values{"shipping_template_id": {id}, "weight_" + tea: {"-5"}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("negative weight: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-weight_`+tea+`"`, `value="-5"`)
		wantRedirect(t, "product shipping", f.post(prod+"/shipping", url.Values{"shipping_template_id": {id}, "weight_" + tea: {"350"}}), prod)
		if tmpl, grams, err := db.ProductShipping(f.ctx, f.a, f.teaProduct); err != nil || strconv.FormatInt(tmpl, 10) != id || grams[f.tea] != 350 {
			t.Fatalf("product shipping %d %v %v", tmpl, grams, err)
		}
		mustContain(t, f.get(prod).Body, `<option value="`+id+`" selected>Express</option>`, `value="350"`)

		f.signIn("b@example.com")
		if p := f.post(prod+"/shipping", url.Values{"shipping_template_id": {"0"}}); p.Status != http.StatusNotFound {
			t.Fatalf("another supplier's product: %d", p.Status)
		}
		if p := f.get("/sup/shipping/" + id); p.Status != http.StatusNotFound {
			t.Fatalf("another supplier's template: %d", p.Status)
		}
		if p := f.post("/sup/shipping/"+id, form(func(url.Values) {})); p.Status != http.StatusNotFound {
			t.Fatalf("change another supplier's template: %d", p.Status)
		}
	})
}

// The checkout page shows each parcel's fee and the shipping in the total.
func TestCheckoutShowsShipping(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCheckoutFloor(t, db)
		tmpl, err := db.SaveShippingTemplate(f.ctx, f.a, &shipping.Template{Name: "Express", Basis: shipping.PerPiece,
			Default: shipping.Rule{FirstUnits: 1, FirstFee: 1000, AdditionalUnits: 1, AdditionalFee: 500}})
		if err == nil {
			err = db.SetShippingTemplate(f.ctx, f.a, 0, 0, tmpl.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
		f.add(f.tea, f.teaProduct, 2, false)
		f.add(f.cup, f.cupProduct, 1, false)
		mustContain(t, f.get("/cart").Body, `data-test="shipping-note"`)
		saved := f.post("/addresses/new", url.Values{"name": {"Li Lei"}, "phone": {"13800138000"}, "province": {"CN.44"}, "city": {"CN.44.03"},
			"district": {"CN.44.03.05"}, "address": {"1 Keyuan Road"}, "next": {"/checkout"}})
		p := f.get(saved.Header.Get("Location"))
		wantPage(t, "checkout", p, http.StatusOK)
		// Tea: 2 pieces, 10.00 + 5.00; the cup's supplier has no template: free.
		mustContain(t, p.Body, `data-test="parcel-shipping">¥15.00<`, `data-test="parcel-shipping">Free<`,
			`data-test="goods-total">¥44.98<`, `data-test="shipping">¥15.00<`, `data-test="to-pay">¥59.98<`)
		if strings.Count(p.Body, `data-test="parcel-shipping"`) != 2 {
			t.Fatal("want a fee per parcel")
		}
		// The order page shows the fee the order was charged.
		o := f.checkout([2]int64{f.tea, 2})
		p = f.get("/orders/" + strconv.FormatInt(o.ID, 10))
		wantPage(t, "order", p, http.StatusOK)
		mustContain(t, p.Body, `data-test="shipping">¥15.00<`, `data-test="total">¥54.98<`)
	})
}
