package web

import (
	"net/http"
	"net/url"
	"strconv"

	"sharemall/internal/account"
	"sharemall/internal/errs"
)

// routesMoney registers the distributor centre's money and team pages: the
// team, the wallet with its earnings and withdrawals, the shop's orders and
// the rankings.
func (s *Server) routesMoney() {
	s.handle("GET /centre/team", s.teamPage)
	s.handle("GET /centre/money", s.moneyPage)
	s.handle("POST /centre/money/withdraw", s.moneyWithdraw)
	s.handle("GET /centre/orders", s.moneyOrders)
	s.handle("GET /centre/ranking", s.moneyRanking)
}

// moneyCentrePage starts a page of the centre for an active distributor
// (its role comes with approval): anyone signed out is sent to sign in,
// anyone else to /join, which says where it stands; ok is then false and
// the response is written.
func (s *Server) moneyCentrePage(w http.ResponseWriter, r *http.Request, titleKey string) (p *Page, ok bool, err error) {
	p = s.page(r, "")
	switch a := p.Actor; {
	case a.Anonymous():
		return nil, false, signInFirst(w, r)
	case a.DistributorID == 0 || !a.Has(account.Distributor):
		return nil, false, seeOther(w, r, "/join")
	}
	p.Title, p.Tab, p.Back = p.T(titleKey), "me", "/centre"
	return p, true, nil
}

// moneyQueryID reads an optional positive id from the query (a page's
// cursor); absent is 0.
func moneyQueryID(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errs.Invalidf(name, "must be a positive id")
	}
	return n, nil
}

// moneyURL is path with the query values, empty ones left out.
func moneyURL(path string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
