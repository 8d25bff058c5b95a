package web

import (
	"net/http"
	"strconv"
	"strings"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/notify"
	"sharemall/internal/store"
)

// routesNotify registers a person's notifications and the consoles'
// webhook pages (notify_webhooks.go).
func (s *Server) routesNotify() {
	s.handle("GET /notifications", s.notificationsPage)
	s.handle("POST /notifications/read", s.notificationsRead)
	for _, base := range []string{"/ops", "/sup"} {
		s.handle("GET "+base+"/webhooks", s.webhooksPage)
		s.handle("POST "+base+"/webhooks", s.webhookCreate)
		s.handle("POST "+base+"/webhooks/{id}", s.webhookUpdate)
		s.handle("POST "+base+"/webhooks/{id}/rotate", s.webhookRotate)
		s.handle("GET "+base+"/webhooks/deliveries/{id}", s.webhookDeliveryPage)
		s.handle("POST "+base+"/webhooks/deliveries/{id}/replay", s.webhookReplay)
	}
}

// unread is the signed-in person's unread count for the navigation; a
// failure to count shows no badge rather than failing the page.
func (s *Server) unread(r *http.Request, p *Page) int {
	if p.Actor.Anonymous() || p.Actor.APIKeyID != 0 {
		return 0
	}
	n, err := s.db.UnreadNotifications(r.Context(), p.Actor)
	if err != nil {
		s.log.Warn("unread notifications", "err", err)
		return 0
	}
	return n
}

// noticeLine is a notification as the list shows it.
type noticeLine struct {
	notify.Notification
	Text, Href string
}

type notificationsData struct {
	Items  []noticeLine
	Unread int
	Next   string
}

func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return signInFirst(w, r)
	}
	p.Title, p.Tab, p.Back = p.T("notify.title"), "me", "/me"
	if p.Actor.Has(account.Operator) || p.Actor.SupplierID != 0 {
		p.Tab, p.Back = "", ""
		p.Console = "notifications"
	}
	page, err := s.db.Notifications(r.Context(), p.Actor, store.NotificationFilter{Before: r.URL.Query().Get("before"), Limit: 20})
	if err != nil {
		return err
	}
	d := &notificationsData{Unread: page.Unread, Next: page.Next}
	for _, n := range page.Items {
		text, href := noticeText(p, n)
		d.Items = append(d.Items, noticeLine{n, text, href})
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "notifications", p)
	return nil
}

// notificationsRead marks one notification (id) or all of them read.
func (s *Server) notificationsRead(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("", "the form could not be read")
	}
	var ids []int64
	all := r.PostForm.Get("all") == "1"
	if v := r.PostForm.Get("id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return errs.Invalidf("ids", "%q is not a notification id", v)
		}
		ids = append(ids, id)
	}
	if _, err := s.db.MarkNotificationsRead(r.Context(), p.Actor, ids, all); err != nil {
		return err
	}
	back := "/notifications"
	if b := r.PostForm.Get("before"); b != "" {
		back += "?before=" + b
	}
	return seeOther(w, r, back)
}

// noticeText writes a notification in the page's language, with where it leads.
func noticeText(p *Page, n notify.Notification) (string, string) {
	num := func(k string) int64 { f, _ := n.Data[k].(float64); return int64(f) }
	cur, _ := n.Data["currency"].(string)
	amount := func(v int64) string { return p.MoneyIn(money.Amount(v), cur) }
	order := "/orders/" + strconv.FormatInt(num("order_id"), 10)
	switch n.Kind {
	case notify.OrderPaid:
		return p.T("notify.text.order_paid", num("order_id"), amount(num("total"))), order
	case notify.OrderShipped:
		carrier, _ := n.Data["carrier"].(string)
		tracking, _ := n.Data["tracking_number"].(string)
		return p.T("notify.text.order_shipped", num("order_id"), strings.TrimSpace(carrier+" "+tracking)), order
	case notify.OrderDelivered:
		return p.T("notify.text.order_delivered", num("order_id")), order
	case notify.AfterSaleDecided:
		key := "notify.text.aftersale_rejected"
		if ok, _ := n.Data["approved"].(bool); ok {
			key = "notify.text.aftersale_approved"
		}
		return p.T(key, num("order_id"), amount(num("amount"))), "/aftersale/" + strconv.FormatInt(num("case_id"), 10)
	case notify.CommissionBooked:
		return p.T("notify.text.commission_booked", amount(n.Amount), num("order_id")), "/centre/money"
	case notify.CommissionSettled:
		return p.T("notify.text.commission_settled", amount(n.Amount), num("order_id")), "/centre/money"
	case notify.CommissionReverse:
		return p.T("notify.text.commission_reversed", num("order_id")), "/centre/money"
	case notify.WithdrawalDecided:
		if ok, _ := n.Data["approved"].(bool); ok {
			return p.T("notify.text.withdrawal_approved", amount(num("amount"))), "/centre/money"
		}
		reason, _ := n.Data["reason"].(string)
		return p.T("notify.text.withdrawal_rejected", amount(num("amount")), reason), "/centre/money"
	case notify.TeamJoined:
		name, _ := n.Data["display_name"].(string)
		return p.T("notify.text.team_joined", name), "/centre/team"
	case notify.FulfilmentCreated:
		return p.T("notify.text.fulfilment_created", num("order_id")), "/sup/parcels/" + strconv.FormatInt(num("fulfilment_id"), 10)
	}
	return string(n.Kind), ""
}
