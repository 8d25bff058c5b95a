package api

import (
	"net/http"
	"strconv"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/session"
	"sharemall/internal/store"
)

// VisitorCookie holds an anonymous browser's token, so visits made before
// signing in can be claimed afterwards (POST /api/v1/me/visits/claim). The
// share-link landing (GET /s/{code}) is a web page: internal/web records
// the visit and sets the cookie.
const VisitorCookie = session.VisitorCookie

func (s *Server) routesShareLinks() {
	s.handle("POST /api/v1/share-links", s.createShareLink)
	s.handle("GET /api/v1/share-links/{code}/poster.png", s.sharePoster)
	s.handle("GET /api/v1/shops/{distributor_id}/products/{product_id}", s.getShopProduct)
	s.handle("POST /api/v1/me/visits/claim", s.claimVisits)
	s.handle("GET /api/v1/me/binding", s.myBinding)
	s.handle("GET /api/v1/customers/{account_id}/binding", s.customerBinding)
}

// publicBase is the absolute origin links are written for (session.PublicBase).
func (s *Server) publicBase(r *http.Request) string { return session.PublicBase(s.cfg.PublicURL, r) }

type shareLinkJSON struct {
	Code          string    `json:"code"`
	DistributorID int64     `json:"distributor_id"`
	ProductID     *int64    `json:"product_id"`
	Channel       string    `json:"channel"`
	URL           string    `json:"url"`
	PosterURL     string    `json:"poster_url"`
	CreatedAt     time.Time `json:"created_at"`
}

func shareLinkOut(base string, l *store.ShareLink) shareLinkJSON {
	out := shareLinkJSON{Code: l.Code, DistributorID: l.DistributorID, Channel: l.Channel, URL: base + "/s/" + l.Code,
		PosterURL: base + "/api/v1/share-links/" + l.Code + "/poster.png", CreatedAt: l.CreatedAt}
	if l.ProductID != 0 {
		p := l.ProductID
		out.ProductID = &p
	}
	return out
}

func (s *Server) createShareLink(w http.ResponseWriter, r *http.Request) error {
	if err := requireDistributor(r); err != nil {
		return err
	}
	var req struct {
		ProductID bodyID `json:"product_id"`
		Channel   string `json:"channel"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Channel == "" {
		req.Channel = store.ChannelLink
	}
	l, err := s.db.ShareLink(r.Context(), actorOf(r), int64(req.ProductID), req.Channel)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shareLinkOut(s.publicBase(r), l))
	return nil
}

// sharePoster is the QR code of a link's absolute URL, as a PNG anyone may
// fetch: a poster is made to be shared.
func (s *Server) sharePoster(w http.ResponseWriter, r *http.Request) error {
	l, err := s.db.ShareLinkByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(s.publicBase(r)+"/s/"+l.Code, qrcode.Medium, 512)
	if err != nil {
		return errs.Wrap("api.sharePoster", err)
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(len(png)))
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.WriteHeader(http.StatusOK)
	w.Write(png)
	return nil
}

// shopProductJSON is a product as one shop sells it: price is what checkout
// charges a customer of that shop.
type shopProductJSON struct {
	DistributorID int64 `json:"distributor_id"`
	Listed        bool  `json:"listed"`
	shopItemJSON
}

func (s *Server) getShopProduct(w http.ResponseWriter, r *http.Request) error {
	d, err := pathID(r, "distributor_id")
	if err != nil {
		return err
	}
	p, err := pathID(r, "product_id")
	if err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	it, listed, err := s.db.ShopProduct(r.Context(), d, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shopProductJSON{DistributorID: d, Listed: listed, shopItemJSON: shopItemOut(cur, it)})
	return nil
}

type bindingEventJSON struct {
	ID                    int64     `json:"id"`
	DistributorID         int64     `json:"distributor_id"`
	PreviousDistributorID *int64    `json:"previous_distributor_id"`
	VisitID               int64     `json:"visit_id"`
	Outcome               string    `json:"outcome"`
	Reason                string    `json:"reason"`
	At                    time.Time `json:"at"`
}

func bindingEventOut(e *store.BindingEvent) *bindingEventJSON {
	if e == nil {
		return nil
	}
	out := &bindingEventJSON{ID: e.ID, DistributorID: e.DistributorID, VisitID: e.VisitID, Outcome: string(e.Outcome), Reason: e.Reason, At: e.At}
	if e.PreviousDistributorID != 0 {
		p := e.PreviousDistributorID
		out.PreviousDistributorID = &p
	}
	return out
}

type customerBindingJSON struct {
	CustomerAccountID int64              `json:"customer_account_id"`
	DistributorID     *int64             `json:"distributor_id"`
	VisitID           *int64             `json:"visit_id"`
	Mode              *string            `json:"mode"`
	BoundAt           *time.Time         `json:"bound_at"`
	LockedUntil       *time.Time         `json:"locked_until"`
	Events            []bindingEventJSON `json:"events"`
}

func bindingOut(b *store.CustomerBinding) customerBindingJSON {
	out := customerBindingJSON{CustomerAccountID: b.CustomerAccountID, BoundAt: b.BoundAt, LockedUntil: b.LockedUntil,
		Events: make([]bindingEventJSON, len(b.Events))}
	if b.DistributorID != 0 {
		d, m := b.DistributorID, string(b.Mode)
		out.DistributorID, out.Mode = &d, &m
	}
	if b.VisitID != 0 {
		v := b.VisitID
		out.VisitID = &v
	}
	for i := range b.Events {
		out.Events[i] = *bindingEventOut(&b.Events[i])
	}
	return out
}

func (s *Server) myBinding(w http.ResponseWriter, r *http.Request) error {
	actor := actorOf(r)
	b, err := s.db.Binding(r.Context(), actor, actor.AccountID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bindingOut(b))
	return nil
}

func (s *Server) customerBinding(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Require(account.Operator); err != nil {
		return err
	}
	id, err := pathID(r, "account_id")
	if err != nil {
		return err
	}
	b, err := s.db.Binding(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bindingOut(b))
	return nil
}

// claimVisits takes the visitor token from the body ({"visitor": …}) or,
// without a body, from the visitor cookie.
func (s *Server) claimVisits(w http.ResponseWriter, r *http.Request) error {
	visitor, err := s.claimedVisitor(w, r)
	if err != nil {
		return err
	}
	res, err := s.db.ClaimVisits(r.Context(), actorOf(r), visitor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Claimed int               `json:"claimed"`
		Event   *bindingEventJSON `json:"event"`
	}{res.Claimed, bindingEventOut(res.Event)})
	return nil
}

// claimedVisitor is the anonymous browser a signed-in caller claims (its
// visits, its cart): the body's {"visitor": …}, or without a body the
// visitor cookie.
func (s *Server) claimedVisitor(w http.ResponseWriter, r *http.Request) (string, error) {
	if actorOf(r).Anonymous() {
		return "", errs.E(errs.Unauthorized, "", "sign in first")
	}
	var req struct {
		Visitor string `json:"visitor"`
	}
	if r.ContentLength != 0 {
		if err := decode(w, r, &req); err != nil {
			return "", err
		}
	} else if c, err := r.Cookie(VisitorCookie); err == nil {
		req.Visitor = c.Value
	}
	return req.Visitor, nil
}
