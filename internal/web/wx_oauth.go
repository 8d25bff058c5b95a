package web

import (
	"net/http"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
)

// OpenIDCookie keeps the signed-in account's openid under the official
// account, sealed to the account (wxauth.SealOpenID), so WeChat's
// authorization runs once per browser, not once per payment. It is kept on
// the browser, not the account: an openid belongs to one official account
// and is only needed where WeChat's browser pays.
const OpenIDCookie = "sm_wx_openid"

func (s *Server) routesWxOAuth() {
	s.handle("GET /wx/oauth", s.wxOAuthBack)
}

// inWeChat reports whether r comes from WeChat's own browser and the
// server can learn the payer's openid there: the only place JSAPI works,
// and where H5 payment (redirect) is refused.
func (s *Server) inWeChat(r *http.Request) bool {
	return s.cfg.WeChatOAuth != nil && s.cfg.StartPaymentAs != nil && strings.Contains(r.UserAgent(), "MicroMessenger")
}

// weChatBrowser reports whether r comes from WeChat's own browser,
// whatever the server's configuration.
func weChatBrowser(r *http.Request) bool {
	return strings.Contains(r.UserAgent(), "MicroMessenger")
}

// offered reports whether the pages offer method m of provider here.
// WeChat's browser blocks Alipay's pages and cannot scan Alipay's codes,
// so Alipay is never offered there (the order page tells the customer to
// open it in another browser).
func (s *Server) offered(r *http.Request, provider string, m payment.Method) bool {
	switch {
	case provider == "alipay" && weChatBrowser(r):
		return false
	case m == payment.MethodJSAPI:
		return s.inWeChat(r)
	case m == payment.MethodRedirect && provider == "wechatpay":
		return !s.inWeChat(r) // WeChat's browser refuses H5 payment
	}
	return true
}

// openID is the openid the browser keeps for the signed-in account, or "".
func (s *Server) openID(r *http.Request, p *Page) string {
	c, err := r.Cookie(OpenIDCookie)
	if err != nil || s.cfg.WeChatOAuth == nil {
		return ""
	}
	return s.cfg.WeChatOAuth.OpenOpenID(p.Actor.AccountID, c.Value)
}

// payJSAPI opens a JSAPI payment of order id with the browser's openid,
// or, without one, sends the browser through WeChat's authorization first
// (wxOAuthBack opens the payment when it comes back).
func (s *Server) payJSAPI(r *http.Request, p *Page, id int64, provider string) (string, error) {
	if !s.inWeChat(r) {
		return "", errs.Invalidf("method", "jsapi pays only inside WeChat's browser")
	}
	openid := s.openID(r, p)
	if openid == "" {
		oa := s.cfg.WeChatOAuth
		return oa.AuthorizeURL(s.PublicBase(r)+"/wx/oauth", oa.State(p.Actor.AccountID, id)), nil
	}
	return s.startJSAPI(r, id, provider, openid)
}

// startJSAPI opens a JSAPI payment paid by openid; the pay page calls the
// app's bridge.
func (s *Server) startJSAPI(r *http.Request, id int64, provider, openid string) (string, error) {
	_, ref, err := s.cfg.StartPaymentAs(r, id, provider, string(payment.MethodJSAPI), openid)
	if err != nil {
		return "", err
	}
	return "/pay/" + ref, nil
}

// wxOAuthBack is where WeChat's authorization sends the browser back, with
// a code and our state: the state must be one this server signed for this
// account (else it is a forged or replayed round trip, refused with
// nothing changed); the code is traded for the openid, which the browser
// keeps, and the payment opens.
func (s *Server) wxOAuthBack(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return signInFirst(w, r)
	}
	oa := s.cfg.WeChatOAuth
	if oa == nil {
		return errs.E(errs.NotFound, "", "WeChat authorization is not configured")
	}
	q := r.URL.Query()
	id, err := oa.CheckState(p.Actor.AccountID, q.Get("state"))
	if err != nil {
		return wxErr(err)
	}
	if q.Get("code") == "" {
		return wxErr(errs.Invalidf("code", "WeChat sent no code: it did not authorize paying in WeChat"))
	}
	if _, err := s.myOrder(r, p, id); err != nil {
		return err
	}
	openid, err := oa.OpenID(r.Context(), q.Get("code"))
	if err != nil {
		return wxErr(err)
	}
	http.SetCookie(w, &http.Cookie{Name: OpenIDCookie, Value: oa.SealOpenID(p.Actor.AccountID, openid), Path: "/",
		MaxAge: 30 * 24 * 3600, HttpOnly: true, Secure: s.cfg.Sessions != nil && s.cfg.Sessions.CookieSecure, SameSite: http.SameSiteLaxMode})
	to, err := s.startJSAPI(r, id, "wechatpay", openid)
	if err != nil {
		return err
	}
	return seeOther(w, r, to)
}

// wxErr names a refused state or code as wx_state or wx_code, whose
// translations (wxoauth.json) say what to do; the query's own names are
// taken by other pages' messages.
func wxErr(err error) error {
	if f := errs.FieldOf(err); errs.Is(err, errs.Invalid) && (f == "state" || f == "code") {
		return errs.E(errs.Invalid, "wx_"+f, "%s", errs.MessageOf(err))
	}
	return err
}
