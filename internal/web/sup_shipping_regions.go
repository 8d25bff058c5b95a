package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"sharemall/internal/errs"
)

// A rule's regions are chosen with the region picker (the warehouses'),
// not typed: the form keeps each rule's codes in its hidden r{I}_regions,
// shows them by name with a remove button, and one picker below the rules
// adds the region chosen (or the whole country) to the rule picked in
// add_to. Each of these buttons sends the whole form back, so nothing typed
// is lost, and works without script.

// shippingRegion is one region of a rule row, named.
type shippingRegion struct{ Code, Name string }

// shippingRegionStep applies a picker button of the form (action=region:
// the level below; add_region or whole: add to rule add_to; drop=I:code:
// remove) to p.Form and reports whether one was pressed, and the
// picker's choices to show.
func (s *Server) shippingRegionStep(r *http.Request, p *Page) (pressed bool, chosen []string, err error) {
	f := p.Form
	chosen = []string{f.Get("province"), f.Get("city"), f.Get("district")}
	switch {
	case f.Get("action") == "region":
		return true, chosen, nil
	case f.Get("drop") != "":
		i, code, _ := strings.Cut(f.Get("drop"), ":")
		n, err := strconv.Atoi(i)
		if err != nil || n < 0 || n >= rowCount(f) {
			return true, chosen, errs.Invalidf("drop", "is not a rule of this form")
		}
		key := "r" + i + "_regions"
		f.Set(key, strings.Join(slices.DeleteFunc(ruleRegions(f.Get(key)), func(c string) bool { return c == code }), ", "))
		return true, chosen, nil
	case f.Get("action") != "add_region" && f.Get("whole") == "":
		return false, chosen, nil
	}
	n, err := strconv.Atoi(f.Get("add_to"))
	if err != nil || n < 0 || n >= rowCount(f) {
		return true, chosen, errs.Invalidf("add_to", "choose the rule to add the region to")
	}
	code := f.Get("whole")
	if code == "" {
		pk, err := s.picker(r, p, chosen)
		if err != nil {
			return true, chosen, err
		}
		if pk.Code == "" {
			return true, chosen, errs.Invalidf("add_to", "choose a province, a city or a district to add")
		}
		code = pk.Code
	} else if pk, err := s.picker(r, p, nil); err != nil || pk.Country != code {
		return true, chosen, errs.Invalidf("add_to", "is not a region this shop knows")
	}
	key := "r" + strconv.Itoa(n) + "_regions"
	if have := ruleRegions(f.Get(key)); !slices.Contains(have, code) {
		f.Set(key, strings.Join(append(have, code), ", "))
	}
	return true, nil, nil // added: the picker starts again
}

// ruleRegions are the codes of a rule row's regions field.
func ruleRegions(v string) []string {
	return strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ' ' || c == '，' })
}

// namedRegions are a rule row's regions with their names in lang.
func (s *Server) namedRegions(r *http.Request, p *Page, v string) []shippingRegion {
	name := s.regionNamer(r, p.Lang)
	var out []shippingRegion
	for _, c := range ruleRegions(v) {
		n := strings.Join(name(c), " ")
		if n == "" { // the country names no level below it
			n = p.T("sup.wh.country")
		}
		out = append(out, shippingRegion{Code: c, Name: n})
	}
	return out
}

// usedRows is the number of rows up to the last one not blank: the form
// shown again after a picker button keeps as many blank rows as at first.
func usedRows(v url.Values) int {
	n := 0
	for i := range rowCount(v) {
		if !blankRow(v, "r"+strconv.Itoa(i)+"_") {
			n = i + 1
		}
	}
	return n
}
