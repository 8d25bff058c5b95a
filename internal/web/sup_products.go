package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/store"
)

type supProductsPage struct {
	Query, OnSale, Category string
	Categories              []catalog.Category
	Products                []catalog.Product
	Next                    string
}

// supProducts lists the supplier's own products, filtered by words of the
// title, category and whether they are on sale.
func (s *Server) supProducts(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-products")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := &supProductsPage{Query: q.Get("q"), OnSale: q.Get("on_sale"), Category: q.Get("category")}
	f := store.ProductFilter{SupplierID: sup.SupplierID, Query: strings.TrimSpace(d.Query), Limit: supPageSize}
	switch d.OnSale {
	case "true", "false":
		b := d.OnSale == "true"
		f.OnSale = &b
	case "":
	default:
		return errs.Invalidf("on_sale", "must be true or false")
	}
	if d.Category != "" {
		if f.CategoryID, err = strconv.ParseInt(d.Category, 10, 64); err != nil || f.CategoryID <= 0 {
			return errs.Invalidf("category", "no such category")
		}
	}
	if a := q.Get("after"); a != "" {
		if f.After, err = strconv.ParseInt(a, 10, 64); err != nil || f.After < 0 {
			return errs.Invalidf("after", "must be a product number")
		}
	}
	if d.Categories, err = s.db.Categories(r.Context()); err != nil {
		return err
	}
	if d.Products, err = s.db.Products(r.Context(), sup, f); err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form = q
	}
	if len(d.Products) > supPageSize {
		d.Products = d.Products[:supPageSize]
		v := url.Values{"q": {d.Query}, "on_sale": {d.OnSale}, "category": {d.Category}, "after": {strconv.FormatInt(d.Products[supPageSize-1].ID, 10)}}
		d.Next = "/sup/products?" + v.Encode()
	}
	p.Title, p.Data = p.T("sup.products.title"), d
	s.render(w, r, http.StatusOK, "sup_products", p)
	return nil
}

// supProductForm reads the product fields of a form: title, description,
// category and images (one URL or site path a line).
func supProductForm(form url.Values) (title, description string, category int64, images []string, err error) {
	title, description = form.Get("title"), form.Get("description")
	if c := form.Get("category"); c != "" {
		if category, err = strconv.ParseInt(c, 10, 64); err != nil || category <= 0 {
			return "", "", 0, nil, errs.Invalidf("category", "no such category")
		}
	}
	images = []string{}
	for _, l := range strings.Split(form.Get("images"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			images = append(images, l)
		}
	}
	return title, description, category, images, nil
}

// imagesField names the images textarea for an error about one image
// ("images[1]"), with the image's line.
func imagesField(err error) error {
	f := errs.FieldOf(err)
	if !strings.HasPrefix(f, "images[") {
		return err
	}
	n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(f, "images["), "]"))
	return errs.E(errs.CodeOf(err), "images", "line %d: %s", n+1, errs.MessageOf(err))
}

// formField renames the field an error names from a store field to the
// form's ("skus[0].retail_price" to "retail_price").
func formField(err error, from, to string) error {
	if errs.FieldOf(err) != from {
		return err
	}
	return errs.E(errs.CodeOf(err), to, "%s", errs.MessageOf(err))
}

func (s *Server) supProductNew(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.supPage(r, "sup-products")
	if err != nil {
		return err
	}
	p.Form.Set("on_sale", "on")
	return s.renderProductNew(w, r, p, http.StatusOK)
}

func (s *Server) renderProductNew(w http.ResponseWriter, r *http.Request, p *Page, status int) error {
	cats, err := s.db.Categories(r.Context())
	if err != nil {
		return err
	}
	sup, err := s.db.Supplier(r.Context(), p.Actor, p.Actor.SupplierID)
	if err != nil {
		return err
	}
	comm, err := s.supCommissionFields(r, nil)
	if err != nil {
		return err
	}
	p.Title, p.Back, p.Data = p.T("sup.product.new"), "/sup/products", &supProductPage{Categories: cats, Markup: sup.AllowMarkup, Commission: comm}
	s.render(w, r, status, "sup_product", p)
	return nil
}

// supProductCreate makes a product with its first SKU.
func (s *Server) supProductCreate(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-products")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("", "the form could not be read")
	}
	created, err := s.createProduct(r, p, sup.SupplierID)
	if err == nil {
		created, err = s.db.CreateProduct(r.Context(), sup, created)
	}
	if err != nil {
		for _, f := range []string{"code", "retail_price", "price_ceiling"} {
			err = formField(err, "skus[0]."+f, f)
		}
		err = commissionErr(imagesField(formField(err, "category_id", "category")))
		if !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderProductNew(w, r, p, statusOf(err))
	}
	return seeOther(w, r, "/sup/products/"+strconv.FormatInt(created.ID, 10))
}

// createProduct reads the new product form: the product and its first SKU.
func (s *Server) createProduct(r *http.Request, p *Page, supplierID int64) (*catalog.Product, error) {
	title, desc, cat, images, err := supProductForm(r.PostForm)
	if err != nil {
		return nil, err
	}
	cf, err := s.supCommissionFields(r, nil)
	if err != nil {
		return nil, err
	}
	comm, err := readCommission(r.PostForm, len(cf.Tiers))
	if err != nil {
		return nil, err
	}
	k, err := supSKUForm(p, r.PostForm)
	if err != nil {
		return nil, err
	}
	k.Code, k.OnSale = r.PostForm.Get("code"), true
	return &catalog.Product{SupplierID: supplierID, CategoryID: cat, Title: title, Description: desc, Images: images, Commission: comm,
		OnSale: r.PostForm.Get("on_sale") != "", SKUs: []catalog.SKU{*k}}, nil
}

// supSKUForm reads a SKU's prices: the retail price (required) and the
// ceiling a distributor may price up to (blank: none).
func supSKUForm(p *Page, form url.Values) (*catalog.SKU, error) {
	k := &catalog.SKU{}
	price := strings.TrimSpace(form.Get("retail_price"))
	if price == "" {
		return nil, errs.Invalidf("retail_price", "is required")
	}
	var err error
	if k.RetailPrice, err = p.cur.ParseField("retail_price", price); err != nil {
		return nil, err
	}
	if c := strings.TrimSpace(form.Get("price_ceiling")); c != "" {
		a, err := p.cur.ParseField("price_ceiling", c)
		if err != nil {
			return nil, err
		}
		k.PriceCeiling = &a
	}
	return k, nil
}
