package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/session"
	"sharemall/internal/store"
)

// The customer's browsing pages: the share-link landing, the shop home,
// categories and the product page. Every price shown is the one checkout
// charges the person looking: the prices of the shop it is buying in (see
// buyingIn), read through the same store calls the API uses.

func (s *Server) routesShop() {
	s.handle("GET /s/{code}", s.landing)
	s.handle("GET /{$}", s.home)
	s.handle("GET /shop/{distributor_id}", s.shopHome)
	s.handle("GET /categories", s.categories)
	s.handle("GET /shop/{distributor_id}/p/{product_id}", s.shopProduct)
	s.handle("GET /p/{product_id}", s.retailProduct)
}

// shopPageSize is how many products a grid shows before its "more" link.
const shopPageSize = 20

// buyingIn is the distributor whose prices checkout will charge the
// person, 0 for none (the catalog at retail): for someone signed in, the
// seller its binding attributes orders to (as checkout decides); for an
// anonymous browser, the distributor its share-link visits will bind it
// to when it signs in.
func (s *Server) buyingIn(r *http.Request) (int64, error) {
	actor := session.ActorOf(r.Context())
	if !actor.Anonymous() {
		return s.db.AttributedSeller(r.Context(), actor)
	}
	if c, err := r.Cookie(session.VisitorCookie); err == nil {
		return s.db.VisitorSeller(r.Context(), c.Value)
	}
	return 0, nil
}

// storefront is the shop a page shows: Seller's (0: the catalog at
// retail), with its shop when it has one open. Preview: the person is the
// shop's own distributor, seeing what its customers see.
type storefront struct {
	Seller  int64
	Shop    *store.Shop
	Preview bool
}

// Home is the storefront's home page.
func (f storefront) Home() string {
	if f.Seller == 0 {
		return "/"
	}
	return "/shop/" + strconv.FormatInt(f.Seller, 10)
}

// ProductURL is a product's page in the storefront.
func (f storefront) ProductURL(productID int64) string {
	id := strconv.FormatInt(productID, 10)
	if f.Seller == 0 {
		return "/p/" + id
	}
	return f.Home() + "/p/" + id
}

// storefrontOf resolves distributor d's storefront for the person asking;
// moved is the page to send it to when it buys elsewhere, so that no page
// shows a price other than the one it will be charged.
func (s *Server) storefrontOf(r *http.Request, d int64) (f storefront, moved bool, err error) {
	seller, err := s.buyingIn(r)
	if err != nil {
		return f, false, err
	}
	preview := d != 0 && session.ActorOf(r.Context()).DistributorID == d
	if d != seller && !preview {
		return storefront{Seller: seller}, true, nil
	}
	f = storefront{Seller: d, Preview: preview && d != seller}
	f.Shop, err = s.shopOf(r, d) // none open: its customers buy from the catalog
	return f, false, err
}

// moveTo sends the person to the same page in the storefront it buys in.
func moveTo(w http.ResponseWriter, r *http.Request, to string) error {
	if q := r.URL.Query().Encode(); q != "" {
		to += "?" + q
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusFound)
	return nil
}

// queryInt is an optional positive query parameter (0 when absent).
func queryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errs.Invalidf(name, "must be a positive whole number")
	}
	return n, nil
}

// shopCard is a product in a grid.
type shopCard struct {
	URL, Title, Image string
	Price             money.Amount // the lowest price of its SKUs
	From              bool         // its SKUs differ in price: "from ¥…"
	SoldOut           bool
}

// grid is a product grid with its page's locale (the "shop-grid" template).
type grid struct {
	P     *Page
	Cards []shopCard
	More  string // the next page's URL, if any
	Empty string // what to say when there are no cards
}

// cards makes the grid of items, in the storefront f, with their stock.
func (s *Server) cards(r *http.Request, f storefront, items []store.ShopItem) ([]shopCard, error) {
	var skus []int64
	for _, it := range items {
		for _, k := range it.SKUs {
			skus = append(skus, k.ID)
		}
	}
	avail, err := s.db.SKUAvailability(r.Context(), skus)
	if err != nil {
		return nil, err
	}
	out := make([]shopCard, 0, len(items))
	for _, it := range items {
		c := shopCard{URL: f.ProductURL(it.ProductID), Title: it.Title, SoldOut: true}
		if len(it.Images) > 0 {
			c.Image = it.Images[0]
		}
		for i, k := range it.SKUs {
			if i == 0 || k.Price < c.Price {
				c.Price = k.Price
			}
			c.From = c.From || k.Price != it.SKUs[0].Price
			c.SoldOut = c.SoldOut && avail[k.ID] <= 0
		}
		out = append(out, c)
	}
	return out, nil
}

// listing is one page of the storefront's products under a filter, as
// store items priced for the storefront's customers, and the cursor of
// the next page (0: none).
func (s *Server) listing(r *http.Request, f storefront, category int64, q string, after int64, limit int) ([]store.ShopItem, int64, error) {
	items, next, err := s.listed(r, f, category, q, after, limit)
	if err == nil {
		err = s.db.CampaignPrices(r.Context(), items) // the price checkout charges (docs/campaigns.md)
	}
	return items, next, err
}

func (s *Server) listed(r *http.Request, f storefront, category int64, q string, after int64, limit int) ([]store.ShopItem, int64, error) {
	if f.Shop != nil {
		items, err := s.db.SearchShopItems(r.Context(), f.Seller, store.ShopItemFilter{CategoryID: category, Query: q, After: after, Limit: limit})
		if err != nil || len(items) <= limit {
			return items, 0, err
		}
		return items[:limit], items[limit-1].Position, nil
	}
	items, err := s.db.RetailItems(r.Context(), store.ProductFilter{CategoryID: category, Query: q, After: after, Limit: limit})
	if err != nil || len(items) <= limit {
		return items, 0, err
	}
	return items[:limit], items[limit-1].Position, nil
}

// absolute makes a site path ("/media/…") a URL chat apps can fetch.
func (s *Server) absolute(r *http.Request, u string) string {
	if strings.HasPrefix(u, "/") {
		return s.PublicBase(r) + u
	}
	return u
}

// optionText is a SKU's choices as a person reads them ("250g · red"), in
// the order of their names.
func optionText(opts map[string]string) string {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = opts[k]
	}
	return strings.Join(vals, " · ")
}

// withQuery is path with the query parameters that are set.
func withQuery(path string, kv ...string) string {
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

// head is the storefront's card at the top of a page (the "shop-head" template).
type head struct {
	P        *Page
	Front    storefront
	SharedBy string // the shop whose link was opened, when the person buys in another
}

// productView is a product as its page and the landing show it.
type productView struct {
	ID                 int64
	URL                string
	Title, Description string
	Images             []string
	SKUs               []skuView
	Price              money.Amount // the lowest price of its SKUs
	From               bool         // its SKUs differ in price
	SoldOut            bool
	MaxQuantity        int64
}

// skuView is a SKU with its stock state: "in", "low" (Left units) or "out".
type skuView struct {
	ID      int64
	Options string
	Price   money.Amount
	State   string
	Left    int64
	Checked bool // the choice made for the person: the first in stock
}

// maxQuantity bounds the quantity field; the cart refuses what stock cannot cover.
const maxQuantity = 99

// productOf makes an item's view in storefront f, with its stock.
func (s *Server) productOf(r *http.Request, f storefront, it *store.ShopItem) (*productView, error) {
	ids := make([]int64, len(it.SKUs))
	for i, k := range it.SKUs {
		ids[i] = k.ID
	}
	avail, err := s.db.SKUAvailability(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	v := &productView{ID: it.ProductID, URL: f.ProductURL(it.ProductID), Title: it.Title, Description: it.Description,
		Images: it.Images, SoldOut: true}
	for i, k := range it.SKUs {
		sv := skuView{ID: k.ID, Options: optionText(k.Options), Price: k.Price, State: "in", Left: avail[k.ID]}
		switch {
		case sv.Left <= 0:
			sv.State, sv.Left = "out", 0
		case sv.Left <= store.LowStock:
			sv.State = "low"
		}
		if sv.State != "out" && v.SoldOut {
			sv.Checked, v.SoldOut = true, false
		}
		if i == 0 || k.Price < v.Price {
			v.Price = k.Price
		}
		v.From = v.From || k.Price != it.SKUs[0].Price
		v.MaxQuantity = max(v.MaxQuantity, min(sv.Left, maxQuantity))
		v.SKUs = append(v.SKUs, sv)
	}
	return v, nil
}

// shopOf is distributor d's open shop, nil when it has none.
func (s *Server) shopOf(r *http.Request, d int64) (*store.Shop, error) {
	if d == 0 {
		return nil, nil
	}
	sh, err := s.db.Shop(r.Context(), d)
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	}
	return sh, err
}
