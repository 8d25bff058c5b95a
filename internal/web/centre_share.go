package web

import (
	"net"
	"net/http"
	"net/url"
	"strconv"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/store"
)

// centreShareView is what I can share: my shop and each product I sell,
// with its link and poster once made.
type centreShareView struct {
	Shop    *store.Shop // nil until opened
	Base    string      // the origin links are written for
	Local   bool        // Base names this machine only: a phone cannot open it
	Targets []*centreShareTarget
}

// centreShareTarget is the shop (ProductID 0) or one product of it.
type centreShareTarget struct {
	Key       string // "shop" or the product's id: the poster page's path
	ProductID int64
	Title     string
	Image     string
	Price     money.Amount // the lowest price of its SKUs in my shop
	From      bool         // the SKUs have different prices: "from" Price
	Link      *store.LinkVisits
	Poster    *store.LinkVisits
}

// URL is the link to send; "" until made.
func (t *centreShareTarget) URL(base string) string {
	if t.Link == nil {
		return ""
	}
	return base + "/s/" + t.Link.Code
}

// centreShare lists my shop and products, each with its link (copy, share)
// and the way to its poster.
func (s *Server) centreShare(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.centreDistributor(w, r)
	if !ok {
		return err
	}
	p := s.page(r, "")
	p.Title, p.Back = p.T("centre.share.title"), "/centre"
	v, err := s.centreShareTargets(r, p, d)
	if err != nil {
		return err
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "centre_share", p)
	return nil
}

// centreShareTargets reads my shop, its products and my links.
func (s *Server) centreShareTargets(r *http.Request, p *Page, d *network.Distributor) (*centreShareView, error) {
	v := &centreShareView{Base: s.PublicBase(r)}
	if u, err := url.Parse(v.Base); err == nil {
		host := u.Hostname()
		ip := net.ParseIP(host)
		v.Local = host == "localhost" || ip != nil && ip.IsLoopback()
	}
	var err error
	if v.Shop, err = s.centreShopOf(r, d); err != nil || v.Shop == nil {
		return v, err
	}
	items, err := s.db.ShopItems(r.Context(), d.ID, 0, store.MaxShopItems)
	if err != nil {
		return nil, err
	}
	links, err := s.db.ShareLinkVisits(r.Context(), p.Actor, d.ID)
	if err != nil {
		return nil, err
	}
	v.Targets = append(v.Targets, &centreShareTarget{Key: "shop", Title: v.Shop.Name, Image: v.Shop.AvatarURL})
	at := map[int64]*centreShareTarget{0: v.Targets[0]}
	for _, it := range items {
		t := &centreShareTarget{Key: strconv.FormatInt(it.ProductID, 10), ProductID: it.ProductID, Title: it.Title}
		if len(it.Images) > 0 {
			t.Image = it.Images[0]
		}
		for i, k := range it.SKUs {
			if i == 0 || k.Price < t.Price {
				t.Price = k.Price
			}
			t.From = t.From || i > 0 && k.Price != it.SKUs[0].Price
		}
		at[it.ProductID] = t
		v.Targets = append(v.Targets, t)
	}
	for i := range links {
		l := &links[i]
		if t, ok := at[l.ProductID]; ok {
			if l.Channel == store.ChannelPoster {
				t.Poster = l
			} else {
				t.Link = l
			}
		}
	}
	return v, nil
}

// centreMakeLinks makes the link and the poster of my shop or of a
// product (db.ShareLink, as POST /api/v1/share-links; asking again returns
// the same) and opens the poster.
func (s *Server) centreMakeLinks(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.centreDistributor(w, r)
	if !ok {
		return err
	}
	if err := centreForm(r); err != nil {
		return err
	}
	p := s.page(r, "")
	key := r.PostForm.Get("target")
	var product int64
	if key != "shop" {
		product, _ = strconv.ParseInt(key, 10, 64)
		if product <= 0 {
			product = -1 // refused by the store, by product_id
		}
	}
	for _, ch := range []string{store.ChannelLink, store.ChannelPoster} {
		if _, err = s.db.ShareLink(r.Context(), p.Actor, product, ch); err != nil {
			break
		}
	}
	if err != nil {
		if !p.formError(err) {
			return err
		}
		if f := errs.FieldOf(err); f != "" {
			p.Errors[""] = p.Errors[f]
			delete(p.Errors, f)
		}
		p.Title, p.Back = p.T("centre.share.title"), "/centre"
		v, verr := s.centreShareTargets(r, p, d)
		if verr != nil {
			return verr
		}
		p.Data = v
		s.render(w, r, statusOf(err), "centre_share", p)
		return nil
	}
	return seeOther(w, r, "/centre/share/"+key)
}
