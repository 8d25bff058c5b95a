package web

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/store"
	"sharemall/internal/wallet"
)

// opsxAdjustmentsPage is how many adjustments the actions page lists at once.
const opsxAdjustmentsPage = 50

// opsxActionsData is a distributor's actions page: its status, its wallet
// and its manual adjustments.
type opsxActionsData struct {
	D           *network.Distributor
	Active      bool
	Wallet      *wallet.Wallet
	Adjustments []store.WalletAdjustment
	Next        string // the next page of adjustments, if any
	Key         string // this render's idempotency key for the adjustment form
	Failed      string // which form was refused: "status" or "adjust"
}

func (s *Server) opsxActions(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "distributors", "opsx.actions.title")
	if err != nil {
		return err
	}
	for _, n := range []string{"suspended", "reinstated", "adjusted", "repeated"} {
		if r.URL.Query().Has(n) {
			p.Notice = p.T("opsx.actions." + n)
		}
	}
	return s.renderOpsxActions(w, r, p, "", http.StatusOK)
}

func (s *Server) renderOpsxActions(w http.ResponseWriter, r *http.Request, p *Page, failed string, status int) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	after, err := opsxQueryID(r, "after")
	if err != nil {
		return err
	}
	d := &opsxActionsData{Failed: failed, Key: rand.Text()}
	if d.D, err = s.db.Distributor(ctx, p.Actor, id); err != nil {
		return err
	}
	d.Active = d.D.Status == network.Active
	if d.Wallet, err = s.db.Wallet(ctx, p.Actor, id); err != nil {
		return err
	}
	if d.Adjustments, err = s.db.WalletAdjustments(ctx, p.Actor, id, after, opsxAdjustmentsPage+1); err != nil {
		return err
	}
	if len(d.Adjustments) > opsxAdjustmentsPage {
		d.Adjustments = d.Adjustments[:opsxAdjustmentsPage]
		d.Next = "/ops/distributors/" + strconv.FormatInt(id, 10) + "/actions?after=" + strconv.FormatInt(d.Adjustments[opsxAdjustmentsPage-1].ID, 10) + "#adjustments"
	}
	if failed == "adjust" && p.Form.Get("key") != "" {
		d.Key = p.Form.Get("key") // a refused form sent again is the same request
	}
	if p.Form.Get("direction") == "" {
		p.Form.Set("direction", "credit")
	}
	name := d.D.DisplayName
	if name == "" {
		name = "#" + strconv.FormatInt(id, 10)
	}
	p.Title, p.Back = p.T("opsx.actions.title_of", name), "/ops/distributors/"+strconv.FormatInt(id, 10)
	p.Data = d
	s.render(w, r, status, "opsx_actions", p)
	return nil
}

// opsxSuspend suspends the distributor with the operator's reason.
func (s *Server) opsxSuspend(w http.ResponseWriter, r *http.Request) error {
	return s.opsxAct(w, r, "status", func(p *Page, id int64) (string, error) {
		_, err := s.db.SuspendDistributor(r.Context(), p.Actor, id, r.PostForm.Get("reason"))
		return "suspended", err
	})
}

// opsxReinstate makes a suspended distributor active again.
func (s *Server) opsxReinstate(w http.ResponseWriter, r *http.Request) error {
	return s.opsxAct(w, r, "status", func(p *Page, id int64) (string, error) {
		_, err := s.db.ReinstateDistributor(r.Context(), p.Actor, id, r.PostForm.Get("reason"))
		return "reinstated", err
	})
}

// opsxAdjust credits or debits the wallet by hand, as the API's POST
// /distributors/{id}/adjustments: the form's key makes a resent
// form book once (the page then says it was booked already).
func (s *Server) opsxAdjust(w http.ResponseWriter, r *http.Request) error {
	return s.opsxAct(w, r, "adjust", func(p *Page, id int64) (string, error) {
		st, err := s.db.Settings(r.Context())
		if err != nil {
			return "", err
		}
		amount, err := st.Currency().ParseField("amount", strings.TrimSpace(r.PostForm.Get("amount")))
		if err != nil {
			return "", err
		}
		_, created, err := s.db.AdjustWallet(r.Context(), p.Actor, id, store.AdjustmentInput{Amount: amount,
			Direction: r.PostForm.Get("direction"), Reason: r.PostForm.Get("reason"), Key: r.PostForm.Get("key")})
		if !created {
			return "repeated", err
		}
		return "adjusted", err
	})
}

// opsxAct runs one form of the actions page: on success back to the page
// with a notice, on a refusal the page again with the typed values.
func (s *Server) opsxAct(w http.ResponseWriter, r *http.Request, form string, act func(*Page, int64) (string, error)) error {
	p, err := s.opsPage(r, "distributors", "opsx.actions.title")
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
	done, err := act(p, id)
	if err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderOpsxActions(w, r, p, form, statusOf(err))
	}
	return seeOther(w, r, "/ops/distributors/"+strconv.FormatInt(id, 10)+"/actions?"+done+"=1")
}

// opsxQueryID reads an optional non-negative id from the query.
func opsxQueryID(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0, errs.Invalidf(name, "must be an id")
	}
	return id, nil
}
