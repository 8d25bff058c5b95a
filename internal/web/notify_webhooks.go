package web

import (
	"net/http"
	"strconv"
	"strings"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/notify"
	"sharemall/internal/store"
)

// webhooksData is a console's webhook page: the endpoints, a secret just
// made or rotated (shown this once), and the latest deliveries.
type webhooksData struct {
	Base       string // "/ops" or "/sup"
	Endpoints  []notify.Endpoint
	Deliveries []notify.Delivery
	Secret     string
	SecretFor  int64
	Kinds      []notify.Kind
}

// webhookPage starts a webhook page of the operator's console or, under
// /sup, of the supplier's, with the actor its endpoints belong to.
func (s *Server) webhookPage(r *http.Request) (*Page, account.Actor, string, error) {
	if strings.HasPrefix(r.URL.Path, "/sup/") {
		p, sup, err := s.supPage(r, "sup-webhooks")
		if err == nil {
			p.Title = p.T("notify.webhooks.title")
		}
		return p, sup, "/sup", err
	}
	p, err := s.opsPage(r, "ops-webhooks", "notify.webhooks.title")
	if err != nil {
		return nil, account.Actor{}, "", err
	}
	return p, p.Actor, "/ops", nil
}

func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request) error {
	p, actor, base, err := s.webhookPage(r)
	if err != nil {
		return err
	}
	return s.renderWebhooks(w, r, p, actor, base, nil, http.StatusOK)
}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, p *Page, actor account.Actor, base string, shown *notify.Endpoint, status int) error {
	es, err := s.db.WebhookEndpoints(r.Context(), actor)
	if err != nil {
		return err
	}
	ds, err := s.db.WebhookDeliveries(r.Context(), actor, store.DeliveryFilter{Limit: 30})
	if err != nil {
		return err
	}
	d := &webhooksData{Base: base, Endpoints: es, Deliveries: ds, Kinds: notify.Kinds}
	if base == "/sup" {
		d.Kinds = notify.SupplierKinds
	}
	if shown != nil {
		d.Secret, d.SecretFor = shown.Secret, shown.ID
	}
	p.Data = d
	w.Header().Set("Cache-Control", "no-store") // a secret may be on this page, once
	s.render(w, r, status, "webhooks", p)
	return nil
}

// endpointForm reads the endpoint form: the URL, the kinds ticked (none: all), active.
func endpointForm(r *http.Request) (notify.EndpointInput, error) {
	if err := r.ParseForm(); err != nil {
		return notify.EndpointInput{}, errs.Invalidf("", "the form could not be read")
	}
	return notify.EndpointInput{URL: r.PostForm.Get("url"), EventTypes: strings.Join(r.PostForm["event_types"], " "),
		Active: r.PostForm.Get("active") == "1"}, nil
}

// webhookCreate registers an endpoint and shows its secret on the answer,
// the only time it is shown.
func (s *Server) webhookCreate(w http.ResponseWriter, r *http.Request) error {
	p, actor, base, err := s.webhookPage(r)
	if err != nil {
		return err
	}
	in, err := endpointForm(r)
	if err != nil {
		return err
	}
	e, err := s.db.CreateWebhookEndpoint(r.Context(), actor, in, s.cfg.WebhooksAllowPrivate)
	if err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderWebhooks(w, r, p, actor, base, nil, statusOf(err))
	}
	p.Notice = p.T("notify.webhooks.created")
	return s.renderWebhooks(w, r, p, actor, base, e, http.StatusOK)
}

// webhookUpdate switches an endpoint on or off (the form's active), keeping its URL and kinds.
func (s *Server) webhookUpdate(w http.ResponseWriter, r *http.Request) error {
	p, actor, base, err := s.webhookPage(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("", "the form could not be read")
	}
	e, err := s.db.WebhookEndpoint(r.Context(), actor, id)
	if err != nil {
		return err
	}
	in := notify.EndpointInput{URL: e.URL, EventTypes: notify.JoinTypes(e.EventTypes), Active: r.PostForm.Get("active") == "1"}
	if _, err := s.db.UpdateWebhookEndpoint(r.Context(), actor, id, in, s.cfg.WebhooksAllowPrivate); err != nil {
		if !p.formError(err) {
			return err
		}
		return s.renderWebhooks(w, r, p, actor, base, nil, statusOf(err))
	}
	return seeOther(w, r, base+"/webhooks")
}

// webhookRotate gives an endpoint a new secret and shows it this once.
func (s *Server) webhookRotate(w http.ResponseWriter, r *http.Request) error {
	p, actor, base, err := s.webhookPage(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := s.db.RotateWebhookSecret(r.Context(), actor, id)
	if err != nil {
		return err
	}
	p.Notice = p.T("notify.webhooks.rotated")
	return s.renderWebhooks(w, r, p, actor, base, e, http.StatusOK)
}

// webhookDeliveryPage shows one delivery with every attempt.
func (s *Server) webhookDeliveryPage(w http.ResponseWriter, r *http.Request) error {
	p, actor, base, err := s.webhookPage(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.db.WebhookDelivery(r.Context(), actor, id)
	if err != nil {
		return err
	}
	if r.URL.Query().Has("replayed") {
		p.Notice = p.T("notify.webhooks.replayed")
	}
	p.Title, p.Back = p.T("notify.delivery.title", d.ID), base+"/webhooks"
	p.Data = struct {
		Base     string
		Delivery *notify.Delivery
	}{base, d}
	s.render(w, r, http.StatusOK, "webhook_delivery", p)
	return nil
}

// webhookReplay sends a delivery's event again, as a new delivery.
func (s *Server) webhookReplay(w http.ResponseWriter, r *http.Request) error {
	_, actor, base, err := s.webhookPage(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.db.ReplayWebhookDelivery(r.Context(), actor, id)
	if err != nil {
		return err
	}
	return seeOther(w, r, base+"/webhooks/deliveries/"+itoa64(d.ID)+"?replayed=1")
}

func itoa64(v int64) string { return strconv.FormatInt(v, 10) }
