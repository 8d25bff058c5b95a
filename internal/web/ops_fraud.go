package web

import (
	"fmt"
	"net/http"
	"strconv"

	"sharemall/internal/errs"
	"sharemall/internal/fraud"
	"sharemall/internal/store"
)

// The fraud review queue (docs/fraud.md): the signals the fraud sweep
// found, with their evidence and whether they hold the distributor's
// settlement; the operator dismisses one (with a reason) or confirms it.

// routesFraud registers the queue (operators only).
func (s *Server) routesFraud() {
	s.handle("GET /ops/fraud", s.opsFraud)
	s.handle("POST /ops/fraud/{id}/decision", s.opsFraudDecide)
}

// opsFraudData is the queue: signals of one status, each with its
// distributor's hold.
type opsFraudData struct {
	Distributor int64 // only this distributor's signals; 0 for all
	Status      fraud.Status
	Statuses    []fraud.Status
	Signals     []fraudRow
	More        bool
	Failed      int64
}

type fraudRow struct {
	store.FraudSignal
	Hold store.SettlementHold
}

func (s *Server) opsFraud(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "fraud", "fraud.title")
	if err != nil {
		return err
	}
	if r.URL.Query().Has("done") {
		p.Notice = p.T("ops.notice.decided")
	}
	return s.renderOpsFraud(w, r, p, 0, http.StatusOK)
}

func (s *Server) renderOpsFraud(w http.ResponseWriter, r *http.Request, p *Page, failed int64, status int) (err error) {
	d := &opsFraudData{Status: fraud.Status(r.URL.Query().Get("status")), Statuses: []fraud.Status{fraud.Open, fraud.Dismissed, fraud.Confirmed}, Failed: failed}
	if d.Status == "" {
		d.Status = fraud.Open
	}
	if v := r.URL.Query().Get("distributor_id"); v != "" {
		if d.Distributor, err = strconv.ParseInt(v, 10, 64); err != nil || d.Distributor < 1 {
			return errs.Invalidf("distributor_id", "must be a distributor's id")
		}
	}
	list, err := s.db.FraudSignals(r.Context(), p.Actor, store.FraudFilter{Status: d.Status, DistributorID: d.Distributor, Limit: opsCap + 1})
	if err != nil {
		return err
	}
	d.More = len(list) > opsCap
	holds := map[int64]store.SettlementHold{}
	listed := failed == 0
	for _, sig := range list[:min(len(list), opsCap)] {
		h, ok := holds[sig.DistributorID]
		if !ok {
			x, err := s.db.SettlementHoldOf(r.Context(), p.Actor, sig.DistributorID)
			if err != nil {
				return err
			}
			h, holds[sig.DistributorID] = *x, *x
		}
		d.Signals = append(d.Signals, fraudRow{sig, h})
		listed = listed || sig.ID == failed
	}
	rowErrorsOnTop(p, listed)
	p.Data = d
	s.render(w, r, status, "ops_fraud", p)
	return nil
}

// opsFraudDecide dismisses (a reason is required: the store refuses one
// without) or confirms a signal.
func (s *Server) opsFraudDecide(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "fraud", "fraud.title")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	r.ParseForm()
	_, err = s.db.ReviewFraudSignal(r.Context(), p.Actor, id, fraud.Status(r.PostForm.Get("decision")), r.PostForm.Get("reason"))
	if err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderOpsFraud(w, r, p, id, statusOf(err))
	}
	return seeOther(w, r, "/ops/fraud?done=1")
}

// FraudKind is a signal kind's name in the page's language.
func (p *Page) FraudKind(k fraud.Kind) string { return p.T("fraud.kind." + string(k)) }

// FraudMatch is what a signal matched on, in the page's language.
func (p *Page) FraudMatch(m string) string { return p.T("fraud.match." + m) }

// FraudRate is a rate in bp as a percentage with two decimals ("50.00%").
func (p *Page) FraudRate(bp int64) string { return fmt.Sprintf("%d.%02d%%", bp/100, bp%100) }
