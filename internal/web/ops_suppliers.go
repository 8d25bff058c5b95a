package web

import (
	"net/http"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// opsSuppliersData is the queue of suppliers that applied.
type opsSuppliersData struct {
	Suppliers []catalog.Supplier
	More      bool
	Failed    int64 // the row whose decision was refused, to show its error there
}

func (s *Server) opsSuppliers(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "suppliers", "ops.suppliers.title")
	if err != nil {
		return err
	}
	if r.URL.Query().Has("done") {
		p.Notice = p.T("ops.notice.decided")
	}
	return s.renderOpsSuppliers(w, r, p, 0, http.StatusOK)
}

func (s *Server) renderOpsSuppliers(w http.ResponseWriter, r *http.Request, p *Page, failed int64, status int) error {
	list, err := s.db.Suppliers(r.Context(), p.Actor, store.SupplierFilter{Status: catalog.Applied, Limit: opsCap})
	if err != nil {
		return err
	}
	d := &opsSuppliersData{Failed: failed, More: len(list) > opsCap}
	d.Suppliers = list[:min(len(list), opsCap)]
	listed := failed == 0
	for _, x := range d.Suppliers {
		listed = listed || x.ID == failed
	}
	rowErrorsOnTop(p, listed)
	p.Data = d
	s.render(w, r, status, "ops_suppliers", p)
	return nil
}

// opsSupplierDecide approves or rejects a supplier that applied; a
// rejection needs its reason (the store audits both).
func (s *Server) opsSupplierDecide(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "suppliers", "ops.suppliers.title")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	r.ParseForm()
	reason := r.PostForm.Get("reason")
	var to catalog.SupplierStatus
	switch r.PostForm.Get("decision") {
	case "approve":
		to = catalog.Approved
	case "reject":
		to = catalog.Rejected
		if reason == "" {
			err = errs.Invalidf("reason", "is required to reject: the supplier is told why")
		}
	default:
		err = errs.Invalidf("decision", "must be approve or reject")
	}
	if err == nil {
		_, err = s.db.SetSupplierStatus(r.Context(), p.Actor, id, to, reason)
	}
	if err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderOpsSuppliers(w, r, p, id, statusOf(err))
	}
	return seeOther(w, r, "/ops/suppliers?done=1")
}
