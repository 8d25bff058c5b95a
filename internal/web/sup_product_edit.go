package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
)

// supProductPage is the product form (new or edit) and, for an existing
// product, its SKUs each with its own form.
type supProductPage struct {
	Product    *catalog.Product
	Categories []catalog.Category
	SKUs       []supSKURow
	Markup     bool // the supplier lets distributors price up to a ceiling
	Commission *supCommission
	Pictures   *supPictures // nil on the new product's form
	Shipping   *supProductShipping
}

// supSKURow is a SKU's form: its saved values, or what was typed when
// its form was refused.
type supSKURow struct {
	catalog.SKU
	Price, Ceiling string
	Selling        bool
	Errors         map[string]string
}

func (s *Server) supProductEdit(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-products")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderProductEdit(w, r, p, sup, id, "", http.StatusOK)
}

// renderProductEdit draws the product's page; refused names the form whose
// typed values and errors are in p ("product", "sku-12", "newsku").
func (s *Server) renderProductEdit(w http.ResponseWriter, r *http.Request, p *Page, sup account.Actor, id int64, refused string, status int) error {
	pr, err := s.db.Product(r.Context(), sup, id)
	if err != nil {
		return err
	}
	if pr.SupplierID != sup.SupplierID { // another supplier's product on sale: not this console's
		return errs.E(errs.NotFound, "", "no product %d of yours", id)
	}
	cats, err := s.db.Categories(r.Context())
	if err != nil {
		return err
	}
	supplier, err := s.db.Supplier(r.Context(), sup, sup.SupplierID)
	if err != nil {
		return err
	}
	comm, err := s.supCommissionFields(r, pr.Commission)
	if err != nil {
		return err
	}
	d := &supProductPage{Product: pr, Categories: cats, Markup: supplier.AllowMarkup, Commission: comm,
		Pictures: s.supPictures(pr)}
	typed, errors := p.Form, p.Errors
	if refused != "product" {
		p.Form = map[string][]string{"title": {pr.Title}, "description": {pr.Description}, "images": {strings.Join(pr.Images, "\n")}}
		if pr.CategoryID != 0 {
			p.Form.Set("category", strconv.FormatInt(pr.CategoryID, 10))
		}
		if pr.OnSale {
			p.Form.Set("on_sale", "on")
		}
		commissionValues(p.Form, pr.Commission)
		p.Errors = map[string]string{"": errors[""]}
		if refused == "image" {
			p.Errors["image"] = errors["image"]
		}
		if refused == "newsku" {
			for _, f := range []string{"code", "retail_price", "price_ceiling"} {
				p.Form.Set("sku_"+f, typed.Get("sku_"+f))
				if e := errors["sku_"+f]; e != "" {
					p.Errors["sku_"+f] = e
				}
			}
		}
	}
	for _, k := range pr.SKUs {
		row := supSKURow{SKU: k, Price: p.cur.Format(k.RetailPrice), Selling: k.OnSale}
		if k.PriceCeiling != nil {
			row.Ceiling = p.cur.Format(*k.PriceCeiling)
		}
		if refused == "sku-"+strconv.FormatInt(k.ID, 10) {
			row.Price, row.Ceiling, row.Selling, row.Errors = typed.Get("retail_price"), typed.Get("price_ceiling"), typed.Get("on_sale") != "", errors
		}
		d.SKUs = append(d.SKUs, row)
	}
	if d.Shipping, err = s.productShipping(r, sup, pr, refused, typed, errors); err != nil {
		return err
	}
	if refused == "shipping" {
		for k, e := range errors {
			p.Errors[k] = e
		}
	}
	p.Title, p.Back, p.Data = pr.Title, "/sup/products", d
	s.render(w, r, status, "sup_product", p)
	return nil
}

// supProductUpdate saves the product's fields; taking it off sale is
// unticking "on sale".
func (s *Server) supProductUpdate(w http.ResponseWriter, r *http.Request) error {
	return s.supProductAction(w, r, "product", func(sup account.Actor, id int64) error {
		title, desc, cat, images, err := supProductForm(r.PostForm)
		if err != nil {
			return err
		}
		onSale := r.PostForm.Get("on_sale") != ""
		u := catalog.ProductUpdate{Title: &title, Description: &desc, CategoryID: &cat, OnSale: &onSale}
		if _, typed := r.PostForm["images"]; typed { // the edit form manages pictures one by one (sup_images.go)
			u.Images = &images
		}
		pr, err := s.db.Product(r.Context(), sup, id)
		if err != nil {
			return err
		}
		cf, err := s.supCommissionFields(r, pr.Commission)
		if err != nil {
			return err
		}
		if !cf.Fixed { // a fixed amount per unit is kept as the API set it
			comm, err := readCommission(r.PostForm, len(cf.Tiers))
			if err != nil {
				return err
			}
			u.Commission = &comm
		}
		_, err = s.db.UpdateProduct(r.Context(), sup, id, u)
		return commissionErr(imagesField(formField(err, "category_id", "category")))
	})
}

// supSKUAdd adds a SKU to the product.
func (s *Server) supSKUAdd(w http.ResponseWriter, r *http.Request) error {
	return s.supProductAction(w, r, "newsku", func(sup account.Actor, id int64) error {
		// The add form's fields are sku_code, sku_retail_price and
		// sku_price_ceiling: the SKU rows above hold the plain names.
		form := url.Values{"retail_price": {r.PostForm.Get("sku_retail_price")}, "price_ceiling": {r.PostForm.Get("sku_price_ceiling")}}
		k, err := supSKUForm(s.page(r, ""), form)
		if err == nil {
			k.Code, k.OnSale = r.PostForm.Get("sku_code"), true
			_, err = s.db.AddSKU(r.Context(), sup, id, k)
		}
		for _, f := range []string{"code", "retail_price", "price_ceiling"} {
			err = formField(err, f, "sku_"+f)
		}
		return err
	})
}

// supProductAction runs act on the product in the path and comes back to
// its page; a refusal shows by the field of the form it came from.
func (s *Server) supProductAction(w http.ResponseWriter, r *http.Request, form string, act func(sup account.Actor, id int64) error) error {
	p, sup, err := s.supPage(r, "sup-products")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("", "the form could not be read")
	}
	if _, err := s.db.Product(r.Context(), sup, id); err != nil {
		return err
	}
	if err := act(sup, id); err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderProductEdit(w, r, p, sup, id, form, statusOf(err))
	}
	return seeOther(w, r, "/sup/products/"+strconv.FormatInt(id, 10))
}

// supSKUUpdate saves a SKU's prices and whether it is on sale.
func (s *Server) supSKUUpdate(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-products")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("", "the form could not be read")
	}
	product, err := strconv.ParseInt(r.PostForm.Get("product"), 10, 64)
	if err != nil || product <= 0 {
		return errs.E(errs.NotFound, "", "no SKU %d of yours", id)
	}
	k, err := supSKUForm(p, r.PostForm)
	if err == nil {
		onSale := r.PostForm.Get("on_sale") != ""
		ceiling := k.PriceCeiling
		_, err = s.db.UpdateSKU(r.Context(), sup, id, catalog.SKUUpdate{RetailPrice: &k.RetailPrice, PriceCeiling: &ceiling, OnSale: &onSale})
	}
	if err != nil {
		if errs.CodeOf(err) == errs.NotFound || !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderProductEdit(w, r, p, sup, product, "sku-"+strconv.FormatInt(id, 10), statusOf(err))
	}
	return seeOther(w, r, "/sup/products/"+strconv.FormatInt(product, 10))
}
