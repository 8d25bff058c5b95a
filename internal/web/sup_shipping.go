package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/shipping"
)

// The supplier's shipping templates (docs/shipping.md): the list with the
// default, and one form to create or edit a template. Rules are rows of
// the form: region codes, then the four numbers; blank rows are left out.

const shippingRows = 3 // blank rule rows a form offers beyond the saved ones

type supShippingRow struct {
	shipping.Template
	IsDefault bool
}

type supShippingList struct {
	Templates []supShippingRow
	DefaultID int64
}

type supShippingForm struct {
	ID      int64 // 0: a new template
	Rows    []ruleRow
	Picker  supPicker // adds a region to a rule (sup_shipping_regions.go)
	Country string    // the whole country's code, a region too
}

// ruleRow is one rule row of the form: its fields are r{I}_…, its legend
// N, its regions named.
type ruleRow struct {
	I, N    int
	Regions []shippingRegion
}

// supShipping lists the supplier's templates and which is its default.
func (s *Server) supShipping(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-shipping")
	if err != nil {
		return err
	}
	list, def, err := s.db.ShippingTemplates(r.Context(), sup, sup.SupplierID)
	if err != nil {
		return err
	}
	d := &supShippingList{DefaultID: def}
	for _, t := range list {
		d.Templates = append(d.Templates, supShippingRow{Template: t, IsDefault: t.ID == def})
	}
	p.Title, p.Data = p.T("shipping.title"), d
	s.render(w, r, http.StatusOK, "sup_shipping", p)
	return nil
}

// supShippingDefault makes the template posted (0: none) the supplier's default.
func (s *Server) supShippingDefault(w http.ResponseWriter, r *http.Request) error {
	_, sup, err := s.supPage(r, "sup-shipping")
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PostFormValue("template_id"), 10, 64)
	if err != nil {
		return errs.Invalidf("template_id", "must be a template id")
	}
	if err := s.db.SetShippingTemplate(r.Context(), sup, sup.SupplierID, 0, id); err != nil {
		return err
	}
	return seeOther(w, r, "/sup/shipping")
}

// supShippingEdit shows the form of a template, or of a new one (no id).
func (s *Server) supShippingEdit(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-shipping")
	if err != nil {
		return err
	}
	t := &shipping.Template{Basis: shipping.PerPiece, Default: shipping.Rule{FirstUnits: 1, AdditionalUnits: 1}}
	if r.PathValue("id") != "" {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if t, err = s.db.ShippingTemplate(r.Context(), sup, id); err != nil {
			return err
		}
	}
	cur, err := s.currencyOf(r)
	if err != nil {
		return err
	}
	p.Form = templateForm(cur, t)
	return s.renderShippingForm(w, r, p, t.ID, len(t.Rules), nil, http.StatusOK)
}

// supShippingSave creates (no id) or replaces a template from its form.
func (s *Server) supShippingSave(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-shipping")
	if err != nil {
		return err
	}
	var id int64
	if r.PathValue("id") != "" {
		if id, err = pathID(r, "id"); err != nil {
			return err
		}
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("", "the form could not be read")
	}
	p.Form = r.PostForm
	if pressed, chosen, err := s.shippingRegionStep(r, p); pressed {
		status := http.StatusOK
		if err != nil {
			if !p.formError(err) {
				return err
			}
			status = statusOf(err)
		}
		return s.renderShippingForm(w, r, p, id, usedRows(p.Form), chosen, status)
	}
	cur, err := s.currencyOf(r)
	if err != nil {
		return err
	}
	t, rows, err := templateOfForm(cur, p.Form)
	if err == nil {
		t.ID = id
		_, err = s.db.SaveShippingTemplate(r.Context(), sup, t)
		err = rowField(err, rows)
	}
	if err == nil {
		return seeOther(w, r, "/sup/shipping")
	}
	if !p.formError(err) {
		return err
	}
	return s.renderShippingForm(w, r, p, id, rowCount(p.Form), []string{p.Form.Get("province"), p.Form.Get("city"), p.Form.Get("district")}, statusOf(err))
}

func (s *Server) renderShippingForm(w http.ResponseWriter, r *http.Request, p *Page, id int64, saved int, chosen []string, status int) error {
	d := &supShippingForm{ID: id}
	for i := range saved + shippingRows {
		d.Rows = append(d.Rows, ruleRow{I: i, N: i + 1, Regions: s.namedRegions(r, p, p.Form.Get(fmt.Sprintf("r%d_regions", i)))})
	}
	pk, err := s.picker(r, p, chosen)
	if err != nil {
		return err
	}
	d.Picker = supPicker{P: p, Picker: pk, Prefix: "rule", ErrField: "add_to", Legend: "wxoauth.shipping.add_region"}
	d.Country = pk.Country
	p.Title, p.Back, p.Data = p.T("shipping.new"), "/sup/shipping", d
	if id != 0 {
		p.Title = p.Value("name")
	}
	s.render(w, r, status, "sup_shipping_form", p)
	return nil
}

func (s *Server) currencyOf(r *http.Request) (money.Currency, error) {
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return money.Currency{}, err
	}
	return st.Currency(), nil
}

// templateForm is a template as its form's values.
func templateForm(cur money.Currency, t *shipping.Template) url.Values {
	v := url.Values{}
	v.Set("name", t.Name)
	v.Set("basis", string(t.Basis))
	if t.FreeAbove != nil {
		v.Set("free_above", cur.Format(*t.FreeAbove))
	}
	setRule := func(prefix string, r shipping.Rule) {
		v.Set(prefix+"regions", strings.Join(r.Regions, ", "))
		v.Set(prefix+"first_units", strconv.FormatInt(r.FirstUnits, 10))
		v.Set(prefix+"first_fee", cur.Format(r.FirstFee))
		v.Set(prefix+"additional_units", strconv.FormatInt(r.AdditionalUnits, 10))
		v.Set(prefix+"additional_fee", cur.Format(r.AdditionalFee))
	}
	setRule("d_", t.Default)
	for i, r := range t.Rules {
		setRule(fmt.Sprintf("r%d_", i), r)
	}
	return v
}

// templateOfForm reads a template from its form; rows maps each rule kept
// to its form row (blank rows are left out). Errors name the form's fields.
func templateOfForm(cur money.Currency, v url.Values) (*shipping.Template, []int, error) {
	t := &shipping.Template{Name: v.Get("name"), Basis: shipping.Basis(v.Get("basis")), Rules: []shipping.Rule{}}
	if s := strings.TrimSpace(v.Get("free_above")); s != "" {
		a, err := cur.ParseField("free_above", s)
		if err != nil {
			return nil, nil, err
		}
		t.FreeAbove = &a
	}
	var err error
	if t.Default, err = ruleOfForm(cur, v, "d_"); err != nil {
		return nil, nil, err
	}
	var rows []int
	for i := range rowCount(v) {
		prefix := fmt.Sprintf("r%d_", i)
		if blankRow(v, prefix) {
			continue
		}
		r, err := ruleOfForm(cur, v, prefix)
		if err != nil {
			return nil, nil, err
		}
		r.Regions = ruleRegions(v.Get(prefix + "regions"))
		t.Rules = append(t.Rules, r)
		rows = append(rows, i)
	}
	return t, rows, nil
}

func ruleOfForm(cur money.Currency, v url.Values, prefix string) (shipping.Rule, error) {
	var r shipping.Rule
	var err error
	for _, f := range []struct {
		name string
		to   *int64
	}{{"first_units", &r.FirstUnits}, {"additional_units", &r.AdditionalUnits}} {
		if *f.to, err = strconv.ParseInt(strings.TrimSpace(v.Get(prefix+f.name)), 10, 64); err != nil {
			return r, errs.Invalidf(prefix+f.name, "must be a whole number")
		}
	}
	if r.FirstFee, err = cur.ParseField(prefix+"first_fee", strings.TrimSpace(v.Get(prefix+"first_fee"))); err != nil {
		return r, err
	}
	r.AdditionalFee, err = cur.ParseField(prefix+"additional_fee", strings.TrimSpace(v.Get(prefix+"additional_fee")))
	return r, err
}

func blankRow(v url.Values, prefix string) bool {
	for _, f := range []string{"regions", "first_units", "first_fee", "additional_units", "additional_fee"} {
		if strings.TrimSpace(v.Get(prefix+f)) != "" {
			return false
		}
	}
	return true
}

// rowCount is how many rule rows the form sent.
func rowCount(v url.Values) int {
	n := 0
	for n < 200 && v.Has(fmt.Sprintf("r%d_regions", n)) {
		n++
	}
	return n
}

var ruleField = regexp.MustCompile(`^rules\[(\d+)\]\.([a-z_]+)`)

// rowField renames the store's field (rules[1].first_fee, default.first_fee)
// to the form's (r3_first_fee, d_first_fee).
func rowField(err error, rows []int) error {
	f := errs.FieldOf(err)
	if strings.HasPrefix(f, "default.") {
		return formField(err, f, "d_"+strings.TrimPrefix(f, "default."))
	}
	if m := ruleField.FindStringSubmatch(f); m != nil {
		k, _ := strconv.Atoi(m[1])
		if k < len(rows) {
			return formField(err, f, fmt.Sprintf("r%d_%s", rows[k], m[2]))
		}
	}
	return err
}
