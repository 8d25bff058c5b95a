package web

import (
	"net/http"

	"sharemall/internal/errs"
	"sharemall/internal/session"
	"sharemall/internal/store"
)

// landingData is the share-link landing: the shop the person buys in, the
// shared product first, then the shop's other products.
type landingData struct {
	Head    head
	Front   storefront
	Product *productView // nil: a shop link, or the product is off sale
	Gone    bool         // the shared product is no longer on sale
	Grid    grid
}

// landingOthers is how many other products the landing shows.
const landingOthers = 10

// landing records the visit of a share link (binding a signed-in
// customer at once; an anonymous browser keeps a visitor cookie so its
// visits are claimed when it signs in) and shows what was shared at the
// price checkout will charge: in the shop the person is buying in
// (buyingIn), which for a newcomer is the link's.
func (s *Server) landing(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), session.ActorOf(r.Context())
	visitor := session.Visitor(r)
	if visitor == "" {
		visitor = session.NewVisitor()
	}
	material := materialParam(r) // a link shared from a marketing material (materials_centre.go)
	v, _, err := s.db.RecordMaterialVisit(ctx, actor, r.PathValue("code"), visitor, material)
	if errs.Is(err, errs.Invalid) && errs.FieldOf(err) == "visitor" {
		visitor = session.NewVisitor() // a forged cookie: count the visit under a fresh token instead
		v, _, err = s.db.RecordMaterialVisit(ctx, actor, r.PathValue("code"), visitor, material)
	}
	if errs.Is(err, errs.NotFound) {
		return s.linkGone(w, r)
	}
	if err != nil {
		return err
	}
	session.SetVisitorCookie(w, visitor, s.cfg.Sessions.CookieSecure)
	w.Header().Set("Cache-Control", "no-store") // every scan counts

	var f storefront
	if actor.Anonymous() {
		f.Seller, err = s.db.VisitorSeller(ctx, visitor)
	} else {
		f.Seller, err = s.db.AttributedSeller(ctx, actor)
	}
	if err != nil {
		return err
	}
	if actor.DistributorID == v.DistributorID && f.Seller != v.DistributorID {
		f = storefront{Seller: v.DistributorID, Preview: true} // its own link: what its customers see
	}
	if f.Shop, err = s.shopOf(r, f.Seller); err != nil {
		return err
	}
	p := s.page(r, "")
	d := landingData{Front: f, Head: head{P: p, Front: f}}
	if v.DistributorID != f.Seller {
		if sh, err := s.shopOf(r, v.DistributorID); err != nil {
			return err
		} else if sh != nil {
			d.Head.SharedBy = sh.Name
		}
	}
	if v.ProductID != 0 {
		if d.Product, err = s.sharedProduct(r, f, v.ProductID); err != nil {
			return err
		}
		d.Gone = d.Product == nil
	}
	items, _, err := s.listing(r, f, 0, "", 0, landingOthers+1)
	if err != nil {
		return err
	}
	others := items[:0:0]
	for _, it := range items {
		if it.ProductID != v.ProductID && len(others) < landingOthers {
			others = append(others, it)
		}
	}
	cards, err := s.cards(r, f, others)
	if err != nil {
		return err
	}
	d.Grid = grid{P: p, Cards: cards, Empty: p.T("shop.empty")}
	p.Title, p.Tab, p.Data = p.T("app.name"), "home", d
	if f.Shop != nil {
		p.Title = f.Shop.Name
	}
	p.OG = s.landingCard(r, p, d, v)
	s.render(w, r, http.StatusOK, "shop_landing", p)
	return nil
}

// sharedProduct is the shared product as storefront f sells it; nil when
// it is no longer on sale.
func (s *Server) sharedProduct(r *http.Request, f storefront, productID int64) (*productView, error) {
	var it *store.ShopItem
	var err error
	if f.Seller != 0 {
		it, _, err = s.db.ShopProduct(r.Context(), f.Seller, productID)
	} else {
		it, err = s.db.RetailProduct(r.Context(), productID)
	}
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.productOf(r, f, it)
}

// landingCard is the link's preview card in chat apps: the product with
// its price and shop, or the shop; absolute URLs, as the apps fetch them.
func (s *Server) landingCard(r *http.Request, p *Page, d landingData, v *store.Visit) *OpenGraph {
	shopName := p.T("app.name")
	og := &OpenGraph{Title: shopName, Description: p.T("shop.og.shop", shopName), URL: s.PublicBase(r) + "/s/" + v.LinkCode,
		Image: s.absolute(r, s.static.URL("icon-512.png"))}
	if d.Front.Shop != nil {
		shopName = d.Front.Shop.Name
		og.Title, og.Description = shopName, p.T("shop.og.shop", shopName)
		if d.Front.Shop.AvatarURL != "" {
			og.Image = s.absolute(r, d.Front.Shop.AvatarURL)
		}
	}
	if pr := d.Product; pr != nil {
		price := p.Money(pr.Price)
		if pr.From {
			price = p.T("shop.from", price)
		}
		og.Title, og.Description = pr.Title, p.T("shop.og.product", price, shopName)
		if len(pr.Images) > 0 {
			og.Image = s.absolute(r, pr.Images[0])
		}
	}
	return og
}

// linkGone answers a share link that binds nobody: a link of a suspended
// distributor is a shop that has closed (200: the link is real and the
// page is the answer; no visit is recorded and nobody is bound), any other
// is not found.
func (s *Server) linkGone(w http.ResponseWriter, r *http.Request) error {
	closed, err := s.db.ShareLinkClosed(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	p := s.page(r, "")
	p.Title, p.Tab, p.Data = p.T("shop.gone.title"), "home", closed
	status := http.StatusNotFound
	if closed {
		p.Title, status = p.T("shop.closed.title"), http.StatusOK
	}
	w.Header().Set("Cache-Control", "no-store") // the shop may open again
	s.render(w, r, status, "shop_gone", p)
	return nil
}
