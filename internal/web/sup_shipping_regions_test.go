package web_test

import (
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestSupShippingRegionPicker: a rule's regions are chosen with the region
// picker, not typed. Without script, the picker's step shows the cities of
// the province chosen; the region chosen (or the whole country) is added
// to the rule picked, once, shown by name with what was typed kept; a
// region is removed by its button; a wrong pick is refused by its field,
// changing nothing; saving keeps the regions picked.
func TestSupShippingRegionPicker(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCheckoutFloor(t, db)
		f.signIn("a@example.com")
		p := f.get("/sup/shipping/new")
		mustContain(t, p.Body, `data-test="rule-picker"`, `data-test="rule-province"`, `data-test="add_to"`, `data-test="add-region"`, `data-test="add-country"`)
		mustLack(t, p.Body, `type="text" name="r0_regions"`, `id="f-r0_regions"`)

		v := url.Values{"name": {"Express"}, "basis": {"piece"}, "free_above": {""},
			"d_first_units": {"1"}, "d_first_fee": {"10.00"}, "d_additional_units": {"1"}, "d_additional_fee": {"5.00"}}
		for _, i := range []string{"0", "1", "2"} {
			for _, k := range []string{"regions", "first_units", "first_fee", "additional_units", "additional_fee"} {
				v.Set("r"+i+"_"+k, "")
			}
		}
		v.Set("r0_first_fee", "8.00")
		send := func(change func(url.Values)) *page {
			t.Helper()
			w := url.Values{}
			for k, x := range v {
				w[k] = slices.Clone(x)
			}
			change(w)
			return f.post("/sup/shipping", w)
		}
		// The picker's step: the cities of Guangdong, what was typed kept.
		p = send(func(w url.Values) { w.Set("province", "CN.44"); w.Set("action", "region") })
		if p.Status != http.StatusOK {
			t.Fatalf("region step: %d", p.Status)
		}
		mustContain(t, p.Body, `<option value="CN.44.03">Shenzhen</option>`, `value="8.00"`)

		// Add Shenzhen to rule 1 (row 0), twice: once.
		for range 2 {
			p = send(func(w url.Values) {
				w.Set("province", "CN.44")
				w.Set("city", "CN.44.03")
				w.Set("action", "add_region")
				w.Set("add_to", "0")
			})
			if p.Status != http.StatusOK {
				t.Fatalf("add: %d", p.Status)
			}
			mustContain(t, p.Body, `data-test="rule-0-region-CN.44.03"`, "Guangdong Shenzhen", `name="r0_regions" value="CN.44.03"`, `value="8.00"`)
			v = formOf(t, p.Body)
		}
		// The whole country to rule 2, then taken off again.
		p = send(func(w url.Values) { w.Set("whole", "CN"); w.Set("add_to", "1") })
		mustContain(t, p.Body, `data-test="rule-1-region-CN"`, `name="r1_regions" value="CN"`, `data-test="rule-0-region-CN.44.03"`)
		v = formOf(t, p.Body)
		p = send(func(w url.Values) { w.Set("drop", "1:CN") })
		mustLack(t, p.Body, `data-test="rule-1-region-CN"`)
		mustContain(t, p.Body, `name="r1_regions" value=""`, `data-test="rule-0-region-CN.44.03"`)
		v = formOf(t, p.Body)

		// Wrong picks: nothing chosen, no such rule, a country not ours, a drop of no row.
		for _, tc := range []struct {
			field  string
			change func(url.Values)
		}{
			{"add_to", func(w url.Values) { w.Set("action", "add_region"); w.Set("add_to", "0") }},
			{"add_to", func(w url.Values) { w.Set("province", "CN.44"); w.Set("action", "add_region"); w.Set("add_to", "9") }},
			{"add_to", func(w url.Values) { w.Set("whole", "US"); w.Set("add_to", "0") }},
			{"drop", func(w url.Values) { w.Set("drop", "7:CN.44") }},
		} {
			p := send(tc.change)
			if p.Status != http.StatusBadRequest {
				t.Fatalf("%s: %d", tc.field, p.Status)
			}
			mustContain(t, p.Body, `data-test="error-`+tc.field+`"`, `name="r0_regions" value="CN.44.03"`)
		}
		if list, _, err := db.ShippingTemplates(f.ctx, f.a, 0); err != nil || len(list) != 0 {
			t.Fatalf("picker steps saved %+v %v", list, err)
		}

		// Save: the rule has the region picked.
		v.Set("r0_first_units", "1")
		v.Set("r0_additional_units", "1")
		v.Set("r0_additional_fee", "3.00")
		wantRedirect(t, "save", send(func(url.Values) {}), "/sup/shipping")
		list, _, err := db.ShippingTemplates(f.ctx, f.a, 0)
		if err != nil || len(list) != 1 || len(list[0].Rules) != 1 || !slices.Equal(list[0].Rules[0].Regions, []string{"CN.44.03"}) {
			t.Fatalf("saved %+v %v", list, err)
		}
		f.lang = "zh"
		zh := f.get("/sup/shipping/" + strconv.FormatInt(list[0].ID, 10)).Body
		mustContain(t, zh, "为规则添加地区", "<span>广东省 深圳市</span>")
	})
}

// formOf reads back the values of a page's form: hidden and text inputs
// and the options selected (enough for the shipping form).
func formOf(t *testing.T, body string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, in := range strings.Split(body, "<input")[1:] {
		in = in[:strings.IndexByte(in, '>')]
		name, value := attr(in, "name"), attr(in, "value")
		if name != "" && !strings.Contains(in, `type="checkbox"`) {
			v.Set(name, value)
		}
	}
	for _, sel := range strings.Split(body, "<select")[1:] {
		name := attr(sel[:strings.IndexByte(sel, '>')], "name")
		end := strings.Index(sel, "</select>")
		if i := strings.Index(sel[:end], " selected>"); i >= 0 && name != "" {
			opt := sel[strings.LastIndex(sel[:i], "<option"):i]
			v.Set(name, attr(opt, "value"))
		}
	}
	for _, k := range []string{"province", "city", "district", "add_to"} {
		v.Del(k)
	}
	return v
}

func attr(tag, name string) string {
	i := strings.Index(tag, " "+name+`="`)
	if i < 0 {
		return ""
	}
	rest := tag[i+len(name)+3:]
	return html.UnescapeString(rest[:strings.IndexByte(rest, '"')])
}
