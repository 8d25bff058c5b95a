package web

import (
	"net/http"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/program"
	"sharemall/internal/store"
)

// joinView is the join page: who invites (when the code names someone),
// the program's terms, and where the person stands.
type joinView struct {
	Card     *store.InviteCard // nil without a valid code
	Code     string            // the invite code the link or the form carried
	FromLink bool              // the code came in the link, so there is no code field to fill in
	Status   network.Status    // the person's distributor status; "" when it has not joined
	Terms    joinTerms
}

// joinTerms are the program's rules a joiner is shown: rates per tier, the
// cap on all commissions of a sale, review, and how customers are bound.
type joinTerms struct {
	Tiers    []joinTier
	Cap      money.Rate
	Review   bool
	Binding  program.BindingMode
	LockDays int
}

// joinTier is one tier the program pays: N is 1 for the seller itself.
type joinTier struct {
	N    int
	Rate money.Rate
}

// joinPage serves /join (with ?code=) and the invite link /join/{code}.
func (s *Server) joinPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	code, fromLink := r.PathValue("code"), r.PathValue("code") != ""
	if !fromLink {
		code = r.URL.Query().Get("code")
	}
	p.Form.Set("invite_code", code)
	v, err := s.joinView(r, p, code, fromLink)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if code != "" && v.Card == nil && v.Status == "" {
		status = http.StatusBadRequest // the link's code names nobody who may invite: said by the field
	}
	s.render(w, r, status, "join", p)
	return nil
}

// join makes the signed-in person a distributor under the invite code, as
// the API's POST /distributors does (db.JoinNetwork).
func (s *Server) join(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return signInFirst(w, r)
	}
	if err := centreForm(r); err != nil {
		return err
	}
	code, fromLink := r.PostForm.Get("invite_code"), r.PostForm.Get("from_link") == "1"
	p.Form.Set("invite_code", code)
	p.Form.Set("display_name", r.PostForm.Get("display_name"))
	d, err := s.db.JoinNetwork(r.Context(), p.Actor, network.Join{InviteCode: code, DisplayName: r.PostForm.Get("display_name")})
	if err != nil {
		if !p.formError(err) {
			return err
		}
		if _, verr := s.joinView(r, p, code, fromLink && p.Err("invite_code") == ""); verr != nil {
			return verr
		}
		s.render(w, r, statusOf(err), "join", p)
		return nil
	}
	if d.Status != network.Active {
		return seeOther(w, r, "/join") // says it waits for review
	}
	return seeOther(w, r, "/centre")
}

// joinView fills p for the join page: the terms, the person's standing, and
// the sponsor the code names (a refused code is put by invite_code).
func (s *Server) joinView(r *http.Request, p *Page, code string, fromLink bool) (*joinView, error) {
	p.Title, p.Back = p.T("centre.join.title"), "/me"
	if !p.Signed() {
		p.Back = "/" // a visitor from an invite link: back to the shop
	}
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return nil, err
	}
	v := &joinView{Code: code, FromLink: fromLink, Terms: joinTerms{Cap: st.CommissionCap,
		Review: st.DistributorReview, Binding: st.Binding.Mode, LockDays: st.Binding.LockDays}}
	for i, rate := range st.TierRates {
		v.Terms.Tiers = append(v.Terms.Tiers, joinTier{N: i + 1, Rate: rate})
	}
	p.Data = v
	if p.Signed() {
		d, err := s.db.DistributorByAccount(r.Context(), p.Actor, p.Actor.AccountID)
		switch {
		case err == nil:
			v.Status = d.Status
			return v, nil
		case !errs.Is(err, errs.NotFound):
			return nil, err
		}
		if _, typed := p.Form["display_name"]; !typed {
			a, err := s.db.Account(r.Context(), p.Actor.AccountID)
			if err != nil {
				return nil, err
			}
			p.Form.Set("display_name", a.Name)
		}
	}
	if code == "" {
		return v, nil
	}
	v.Card, err = s.db.InviteCard(r.Context(), code)
	if err != nil {
		if !p.formError(err) {
			return nil, err
		}
		v.Card, v.FromLink = nil, false
	}
	return v, nil
}
