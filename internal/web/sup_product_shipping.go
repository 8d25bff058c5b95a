package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/shipping"
)

// supProductShipping is the product page's shipping card: the template the
// product uses (0: the supplier's default) and each SKU's weight.
type supProductShipping struct {
	Templates  []shipping.Template
	TemplateID string
	SKUs       []supSKUWeight
}

type supSKUWeight struct {
	ID          int64
	Code, Grams string
}

func (s *Server) productShipping(r *http.Request, sup account.Actor, pr *catalog.Product, refused string, typed url.Values, _ map[string]string) (*supProductShipping, error) {
	tmpl, grams, err := s.db.ProductShipping(r.Context(), sup, pr.ID)
	if err != nil {
		return nil, err
	}
	list, _, err := s.db.ShippingTemplates(r.Context(), sup, pr.SupplierID)
	if err != nil {
		return nil, err
	}
	d := &supProductShipping{Templates: list, TemplateID: strconv.FormatInt(tmpl, 10)}
	for _, k := range pr.SKUs {
		w := supSKUWeight{ID: k.ID, Code: k.Code, Grams: strconv.FormatInt(grams[k.ID], 10)}
		if refused == "shipping" {
			w.Grams = typed.Get("weight_" + strconv.FormatInt(k.ID, 10))
		}
		d.SKUs = append(d.SKUs, w)
	}
	if refused == "shipping" {
		d.TemplateID = typed.Get("shipping_template_id")
	}
	return d, nil
}

// supProductShippingSave sets the product's template and its SKUs' weights.
func (s *Server) supProductShippingSave(w http.ResponseWriter, r *http.Request) error {
	return s.supProductAction(w, r, "shipping", func(sup account.Actor, id int64) error {
		tmpl, err := strconv.ParseInt(r.PostForm.Get("shipping_template_id"), 10, 64)
		if err != nil {
			return errs.Invalidf("shipping_template_id", "choose a template")
		}
		pr, err := s.db.Product(r.Context(), sup, id)
		if err != nil {
			return err
		}
		weights := map[int64]int64{}
		for _, k := range pr.SKUs {
			field := "weight_" + strconv.FormatInt(k.ID, 10)
			v := strings.TrimSpace(r.PostForm.Get(field))
			if v == "" {
				continue
			}
			g, err := strconv.ParseInt(v, 10, 64)
			if err != nil || g < 0 || g > shipping.MaxWeightGrams {
				return errs.Invalidf(field, "must be a whole number of grams from 0 to %d", shipping.MaxWeightGrams)
			}
			weights[k.ID] = g
		}
		if err := s.db.SetShippingTemplate(r.Context(), sup, sup.SupplierID, id, tmpl); err != nil {
			return err
		}
		for _, k := range pr.SKUs {
			if g, ok := weights[k.ID]; ok {
				if err := s.db.SetSKUWeight(r.Context(), sup, k.ID, g); err != nil {
					return formField(err, "weight_grams", "weight_"+strconv.FormatInt(k.ID, 10))
				}
			}
		}
		return nil
	})
}
