package web

import (
	"net/http"

	"sharemall/internal/errs"
)

// centrePosterView is one thing to share: its link and its poster.
type centrePosterView struct {
	*centreShareView
	T *centreShareTarget
}

// centrePoster shows the link of my shop or of a product I sell with copy
// and share buttons, and its poster: drawn in the browser (script
// 40-centre.js) from the page's data and the QR code the API makes of the
// poster link, then shown as an image to long-press or save. Without a
// script the QR code and the link are the page.
func (s *Server) centrePoster(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.centreDistributor(w, r)
	if !ok {
		return err
	}
	p := s.page(r, "")
	p.Title, p.Back = p.T("centre.poster.title"), "/centre/share"
	v, err := s.centreShareTargets(r, p, d)
	if err != nil {
		return err
	}
	pv := &centrePosterView{centreShareView: v}
	for _, t := range v.Targets {
		if t.Key == r.PathValue("target") {
			pv.T = t
		}
	}
	if pv.T == nil {
		return errs.E(errs.NotFound, "", "nothing of your shop to share at %s", r.URL.Path)
	}
	p.Data = pv
	s.render(w, r, http.StatusOK, "centre_poster", p)
	return nil
}
