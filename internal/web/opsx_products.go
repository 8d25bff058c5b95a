package web

import (
	"net/http"
	"strconv"

	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// opsxReviewPage is how many waiting products the queue shows at once.
const opsxReviewPage = 50

// opsxProductsData is the queue of products waiting for review.
type opsxProductsData struct {
	Review   bool // the program reviews products now
	Products []store.ProductForReview
	Next     string
	Failed   int64 // the product whose decision was refused
}

func (s *Server) opsxProducts(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "product-review", "opsx.products.title")
	if err != nil {
		return err
	}
	switch {
	case r.URL.Query().Has("approved"):
		p.Notice = p.T("opsx.products.approved")
	case r.URL.Query().Has("rejected"):
		p.Notice = p.T("opsx.products.rejected")
	}
	return s.renderOpsxProducts(w, r, p, 0, http.StatusOK)
}

func (s *Server) renderOpsxProducts(w http.ResponseWriter, r *http.Request, p *Page, failed int64, status int) error {
	after, err := opsxQueryID(r, "after")
	if err != nil {
		return err
	}
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return err
	}
	list, err := s.db.PendingProducts(r.Context(), p.Actor, after, opsxReviewPage)
	if err != nil {
		return err
	}
	d := &opsxProductsData{Review: st.ProductReview, Failed: failed}
	if len(list) > opsxReviewPage {
		list = list[:opsxReviewPage]
		d.Next = "/ops/products/review?after=" + strconv.FormatInt(list[opsxReviewPage-1].ID, 10)
	}
	d.Products = list
	listed := failed == 0
	for _, x := range list {
		listed = listed || x.ID == failed
	}
	rowErrorsOnTop(p, listed)
	p.Data = d
	s.render(w, r, status, "opsx_products", p)
	return nil
}

// opsxProductDecide approves or rejects a waiting product (db.ReviewProduct,
// as the API's POST /products/{id}/review); a rejection needs its reason,
// which the supplier sees.
func (s *Server) opsxProductDecide(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "product-review", "opsx.products.title")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	decision := r.PostForm.Get("decision")
	switch decision {
	case "approve", "reject":
		_, err = s.db.ReviewProduct(r.Context(), p.Actor, id, decision == "approve", r.PostForm.Get("reason"))
	default:
		err = errs.Invalidf("decision", "must be approve or reject")
	}
	if err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderOpsxProducts(w, r, p, id, statusOf(err))
	}
	return seeOther(w, r, "/ops/products/review?"+map[string]string{"approve": "approved", "reject": "rejected"}[decision]+"=1")
}
