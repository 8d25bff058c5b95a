package api

import (
	"net/http"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/notify"
	"sharemall/internal/store"
)

// routesNotifications registers a person's notifications and the
// integrators' webhooks (docs/notifications.md).
func (s *Server) routesNotifications() {
	s.handle("GET /api/v1/notifications", s.listNotifications, "before", "limit", "unread")
	s.handle("GET /api/v1/notifications/unread", s.unreadNotifications)
	s.handle("POST /api/v1/notifications/read", s.readNotifications)
	s.handle("GET /api/v1/webhooks/endpoints", s.listWebhookEndpoints)
	s.handle("POST /api/v1/webhooks/endpoints", s.createWebhookEndpoint)
	s.handle("GET /api/v1/webhooks/endpoints/{id}", s.getWebhookEndpoint)
	s.handle("PUT /api/v1/webhooks/endpoints/{id}", s.updateWebhookEndpoint)
	s.handle("POST /api/v1/webhooks/endpoints/{id}/rotate-secret", s.rotateWebhookSecret)
	s.handle("GET /api/v1/webhooks/deliveries", s.listWebhookDeliveries, "endpoint_id", "status", "before", "limit")
	s.handle("GET /api/v1/webhooks/deliveries/{id}", s.getWebhookDelivery)
	s.handle("POST /api/v1/webhooks/deliveries/{id}/replay", s.replayWebhookDelivery)
}

// notificationResource is a notification on the wire: its amount, when it
// has one, in major units of the currency its data names.
type notificationResource struct {
	ID      int64          `json:"id"`
	Kind    notify.Kind    `json:"kind"`
	RefID   int64          `json:"ref_id"`
	EventID int64          `json:"event_id"`
	Amount  *string        `json:"amount"`
	Data    map[string]any `json:"data"`
	At      time.Time      `json:"at"`
	ReadAt  *time.Time     `json:"read_at"`
}

func notificationOut(n notify.Notification) notificationResource {
	out := notificationResource{ID: n.ID, Kind: n.Kind, RefID: n.RefID, EventID: n.EventID, Data: n.Data, At: n.At, ReadAt: n.ReadAt}
	if cur, ok := n.Data["currency"].(string); ok && n.Amount != 0 {
		a := money.CurrencyOf(cur).Format(money.Amount(n.Amount))
		out.Amount = &a
	}
	return out
}

func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	unread := false
	switch v := r.URL.Query().Get("unread"); v {
	case "", "false":
	case "true":
		unread = true
	default:
		return errs.Invalidf("unread", "must be true or false, not %q", v)
	}
	p, err := s.db.Notifications(r.Context(), actorOf(r), store.NotificationFilter{Before: r.URL.Query().Get("before"), Limit: int(limit), UnreadOnly: unread})
	if err != nil {
		return err
	}
	items := make([]notificationResource, len(p.Items))
	for i, n := range p.Items {
		items[i] = notificationOut(n)
	}
	writeJSON(w, http.StatusOK, struct {
		Items  []notificationResource `json:"items"`
		Unread int                    `json:"unread"`
		Next   string                 `json:"next,omitempty"`
	}{items, p.Unread, p.Next})
	return nil
}

type unreadResource struct {
	Unread int `json:"unread"`
}

func (s *Server) unreadNotifications(w http.ResponseWriter, r *http.Request) error {
	switch a := actorOf(r); {
	case a.Anonymous():
		return errs.E(errs.Unauthorized, "", "sign in to see your notifications")
	case a.APIKeyID != 0:
		return errs.E(errs.Forbidden, "", "notifications are a person's: an API key has none")
	}
	n, err := s.db.UnreadNotifications(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, unreadResource{n})
	return nil
}

func (s *Server) readNotifications(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		IDs []int64 `json:"ids"`
		All bool    `json:"all"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	n, err := s.db.MarkNotificationsRead(r.Context(), actorOf(r), req.IDs, req.All)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, unreadResource{n})
	return nil
}

func (s *Server) endpointInput(w http.ResponseWriter, r *http.Request) (notify.EndpointInput, error) {
	var req struct {
		URL        *string `json:"url"`
		EventTypes *string `json:"event_types"`
		Active     *bool   `json:"active"`
	}
	if err := decode(w, r, &req); err != nil {
		return notify.EndpointInput{}, err
	}
	if req.URL == nil {
		return notify.EndpointInput{}, errs.Invalidf("url", "is required: the https URL deliveries are posted to")
	}
	in := notify.EndpointInput{URL: *req.URL, EventTypes: "*", Active: true}
	if req.EventTypes != nil {
		in.EventTypes = *req.EventTypes
	}
	if req.Active != nil {
		in.Active = *req.Active
	}
	return in, nil
}

func (s *Server) listWebhookEndpoints(w http.ResponseWriter, r *http.Request) error {
	es, err := s.db.WebhookEndpoints(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Items []notify.Endpoint `json:"items"`
	}{es})
	return nil
}

func (s *Server) createWebhookEndpoint(w http.ResponseWriter, r *http.Request) error {
	in, err := s.endpointInput(w, r)
	if err != nil {
		return err
	}
	e, err := s.db.CreateWebhookEndpoint(r.Context(), actorOf(r), in, s.cfg.WebhooksAllowPrivate)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (s *Server) getWebhookEndpoint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := s.db.WebhookEndpoint(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) updateWebhookEndpoint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.endpointInput(w, r)
	if err != nil {
		return err
	}
	e, err := s.db.UpdateWebhookEndpoint(r.Context(), actorOf(r), id, in, s.cfg.WebhooksAllowPrivate)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) rotateWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := s.db.RotateWebhookSecret(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) listWebhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	endpoint, err := queryInt(r, "endpoint_id", 0, 1, 1<<62)
	if err != nil {
		return err
	}
	before, err := queryInt(r, "before", 0, 1, 1<<62)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	ds, err := s.db.WebhookDeliveries(r.Context(), actorOf(r), store.DeliveryFilter{EndpointID: endpoint, Status: r.URL.Query().Get("status"),
		Before: before, Limit: int(limit)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Items []notify.Delivery `json:"items"`
	}{ds})
	return nil
}

func (s *Server) getWebhookDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.db.WebhookDelivery(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) replayWebhookDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.db.ReplayWebhookDelivery(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}
