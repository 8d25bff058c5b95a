package web

import (
	"net/http"

	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/store"
)

// opsReviewsData is the queue of distributors waiting for review.
type opsReviewsData struct {
	Review       bool // the program reviews joins now
	Distributors []network.Distributor
	More         bool
	Failed       int64
}

func (s *Server) opsReviews(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "reviews", "ops.reviews.title")
	if err != nil {
		return err
	}
	if r.URL.Query().Has("done") {
		p.Notice = p.T("ops.notice.decided")
	}
	return s.renderOpsReviews(w, r, p, 0, http.StatusOK)
}

func (s *Server) renderOpsReviews(w http.ResponseWriter, r *http.Request, p *Page, failed int64, status int) error {
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return err
	}
	// Pending distributors are listed even with review turned off: those
	// who joined while it was on still wait.
	list, err := s.db.Distributors(r.Context(), p.Actor, store.DistributorFilter{Status: network.Pending, Limit: opsCap + 1})
	if err != nil {
		return err
	}
	d := &opsReviewsData{Review: st.DistributorReview, Failed: failed, More: len(list) > opsCap}
	d.Distributors = list[:min(len(list), opsCap)]
	listed := failed == 0
	for _, x := range d.Distributors {
		listed = listed || x.ID == failed
	}
	rowErrorsOnTop(p, listed)
	p.Data = d
	s.render(w, r, status, "ops_reviews", p)
	return nil
}

// opsReviewDecide approves or rejects a pending distributor (a rejection
// needs its reason; the store refuses one without).
func (s *Server) opsReviewDecide(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "reviews", "ops.reviews.title")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	r.ParseForm()
	switch r.PostForm.Get("decision") {
	case "approve", "reject":
		_, err = s.db.ReviewDistributor(r.Context(), p.Actor, id, r.PostForm.Get("decision") == "approve", r.PostForm.Get("reason"))
	default:
		err = errs.Invalidf("decision", "must be approve or reject")
	}
	if err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderOpsReviews(w, r, p, id, statusOf(err))
	}
	return seeOther(w, r, "/ops/reviews?done=1")
}
