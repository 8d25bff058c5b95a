package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/session"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// shopWorld: a supplier's products in categories Tea > Green, two
// distributors' shops (Leaf & Co marks prices up, Pine sells at retail)
// and their share links.
type shopWorld struct {
	t          *testing.T
	s          *testSite
	db         *store.DB
	ctx        context.Context
	op, sup    account.Actor
	tea, green *catalog.Category
	oolong     *catalog.Product // SKUs: O-100 (22.00 at Leaf), O-250 (3 left; 45.00 at Leaf), O-500 (sold out)
	script     *catalog.Product // a title with markup in it
	giftBox    *catalog.Product // sold out
	d1, d2     *network.Distributor
	d1Login    string
	link       string // Leaf's link to the oolong
	shopLink   string // Leaf's shop link
	pineLink   string // Pine's shop link
}

const shopPassword = "correct horse 1"

func newShopWorld(t *testing.T, db *store.DB) *shopWorld {
	t.Helper()
	w := &shopWorld{t: t, s: newTestSite(t, db), db: db, ctx: context.Background()}
	hash, err := account.HashPassword(account.HashParams{Memory: 64, Time: 1, Threads: 1}, shopPassword)
	if err != nil {
		t.Fatal(err)
	}
	person := func(email string, roles ...account.Role) account.Actor {
		a, err := db.CreateAccount(w.ctx, account.SignUp{Email: email, Name: email}, hash, append([]account.Role{account.Customer}, roles...)...)
		if err != nil {
			t.Fatal(err)
		}
		return w.actor(a.ID)
	}
	w.op = person("op@example.com", account.Operator)
	w.sup = person("sup@example.com")
	sup, err := db.ApplySupplier(w.ctx, w.sup, catalog.SupplierApplication{Name: "Tea Co", ContactEmail: "t@example.com", AllowMarkup: true})
	w.must(err)
	_, err = db.SetSupplierStatus(w.ctx, w.op, sup.ID, catalog.Approved, "")
	w.must(err)
	w.sup = w.actor(w.sup.AccountID)
	w.tea, err = db.CreateCategory(w.ctx, w.op, catalog.Category{Name: "Tea", Slug: "tea"})
	w.must(err)
	w.green, err = db.CreateCategory(w.ctx, w.op, catalog.Category{Name: "Green", Slug: "green", ParentID: w.tea.ID})
	w.must(err)
	ceiling := func(a money.Amount) *money.Amount { return &a }
	w.oolong = w.product(&catalog.Product{Title: "Oolong", CategoryID: w.green.ID, Description: "Rolled leaves.\nSecond line.",
		Images: []string{"/media/demo/v1/p-0-0-1.svg", "https://img.example/o2.jpg"}, SKUs: []catalog.SKU{
			{Code: "O-100", RetailPrice: 1999, PriceCeiling: ceiling(2499), Options: map[string]string{"size": "100g"}, OnSale: true},
			{Code: "O-250", RetailPrice: 3999, PriceCeiling: ceiling(4999), Options: map[string]string{"size": "250g"}, OnSale: true},
			{Code: "O-500", RetailPrice: 5999, Options: map[string]string{"size": "500g"}, OnSale: true}}})
	w.script = w.product(&catalog.Product{Title: `<script>alert(1)</script> Tea`, SKUs: []catalog.SKU{{Code: "S", RetailPrice: 1000, OnSale: true}}})
	w.giftBox = w.product(&catalog.Product{Title: "Gift box", SKUs: []catalog.SKU{{Code: "G", RetailPrice: 9900, OnSale: true}}})
	wh, err := db.CreateWarehouse(w.ctx, w.sup, &catalog.Warehouse{Name: "W", RegionCode: "CN", Active: true, Areas: []string{"CN"}})
	w.must(err)
	for _, st := range []struct {
		sku int64
		n   int64
	}{{w.oolong.SKUs[0].ID, 100}, {w.oolong.SKUs[1].ID, 3}, {w.oolong.SKUs[2].ID, 0}, {w.script.SKUs[0].ID, 10}} {
		_, err := db.SetStock(w.ctx, w.sup, wh.ID, st.sku, st.n)
		w.must(err)
	}
	var a1, a2 account.Actor
	w.d1Login = "leaf@example.com"
	w.d1, a1 = w.join(person(w.d1Login))
	w.d2, a2 = w.join(person("pine@example.com"))
	_, err = db.OpenShop(w.ctx, a1, store.ShopInput{Name: "Leaf & Co", AvatarURL: "/media/demo/v1/shop-1.svg"})
	w.must(err)
	_, err = db.OpenShop(w.ctx, a2, store.ShopInput{Name: "Pine"})
	w.must(err)
	for _, p := range []*catalog.Product{w.oolong, w.script, w.giftBox} {
		_, err := db.AddShopItem(w.ctx, a1, p.ID)
		w.must(err)
	}
	_, err = db.AddShopItem(w.ctx, a2, w.oolong.ID)
	w.must(err)
	_, err = db.SetShopPrice(w.ctx, a1, w.oolong.SKUs[0].ID, 2200)
	w.must(err)
	_, err = db.SetShopPrice(w.ctx, a1, w.oolong.SKUs[1].ID, 4500)
	w.must(err)
	link := func(a account.Actor, product int64) string {
		l, err := db.ShareLink(w.ctx, a, product, store.ChannelLink)
		w.must(err)
		return l.Code
	}
	w.link, w.shopLink, w.pineLink = link(a1, w.oolong.ID), link(a1, 0), link(a2, 0)
	return w
}

func (w *shopWorld) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *shopWorld) actor(id int64) account.Actor {
	w.t.Helper()
	a, err := w.db.ActorFor(w.ctx, id)
	w.must(err)
	return a
}

func (w *shopWorld) product(p *catalog.Product) *catalog.Product {
	w.t.Helper()
	p.OnSale = true
	p, err := w.db.CreateProduct(w.ctx, w.sup, p)
	w.must(err)
	return p
}

func (w *shopWorld) join(a account.Actor) (*network.Distributor, account.Actor) {
	w.t.Helper()
	d, err := w.db.JoinNetwork(w.ctx, a, network.Join{DisplayName: "d"})
	w.must(err)
	return d, w.actor(a.AccountID)
}

// newBrowser forgets the site's cookies: another person on another phone.
func (w *shopWorld) newBrowser() {
	w.s.jar, _ = cookiejar.New(nil)
}

// signUp makes an account by email through the sign-up page (which claims
// the browser's visits) and returns its actor.
func (w *shopWorld) signUp(email string) account.Actor {
	w.t.Helper()
	p := w.s.post("/signup", url.Values{"name": {"Lin"}, "email": {email}, "password": {shopPassword}, "next": {"/"}})
	if p.Status != http.StatusSeeOther {
		w.t.Fatalf("sign up: %d %s", p.Status, p.Body)
	}
	c, err := w.db.CredentialsFor(w.ctx, email, "")
	w.must(err)
	return w.actor(c.AccountID)
}

func (w *shopWorld) signIn(login string) {
	w.t.Helper()
	if p := w.s.post("/signin", url.Values{"login": {login}, "password": {shopPassword}}); p.Status != http.StatusSeeOther {
		w.t.Fatalf("sign in: %d", p.Status)
	}
}

func (w *shopWorld) visitor() string {
	u, _ := url.Parse(w.s.url)
	for _, c := range w.s.jar.Cookies(u) {
		if c.Name == session.VisitorCookie {
			return c.Value
		}
	}
	return ""
}

func (w *shopWorld) boundTo(customer account.Actor) int64 {
	w.t.Helper()
	b, err := w.db.Binding(w.ctx, w.op, customer.AccountID)
	w.must(err)
	return b.DistributorID
}

// charged is the unit price checkout charges customer for a unit of sku.
func (w *shopWorld) charged(customer account.Actor, sku int64) money.Amount {
	w.t.Helper()
	o, err := w.db.Checkout(w.ctx, customer, order.CheckoutInput{Items: []order.Item{{SKUID: sku, Quantity: 1}},
		ShipTo: order.ShipTo{RegionCode: "CN.44.03.05", Name: "Li", Phone: "13800138000", Address: "1 Road"}}, "")
	w.must(err)
	return o.Lines[0].UnitPrice
}

func (w *shopWorld) get(path string, status int) *page {
	w.t.Helper()
	p := w.s.get(path)
	if p.Status != status {
		w.t.Fatalf("GET %s: %d, want %d\n%s", path, p.Status, status, p.Body)
	}
	if len(p.Body) > 100*1024 {
		w.t.Errorf("GET %s: %d bytes, over 100 KB", path, len(p.Body))
	}
	return p
}

func ids(id int64) string { return fmt.Sprint(id) }

// TestLandingRecordsVisit: opening a share link records the visit under
// the browser's visitor cookie (kept, or replaced when forged), renders
// the shop with its avatar and the product at its price with a preview
// card for chat apps, and signing up afterwards binds by that visit. A
// signed-in customer is bound at once; a distributor opening its own link
// is refused the binding and sees its shop as its customers do.
func TestLandingRecordsVisit(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.get("/s/"+w.link+"?from=singlemessage&isappinstalled=0", http.StatusOK) // chat apps add their own parameters
		visitor := w.visitor()
		if len(visitor) != 32 || p.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("visitor cookie %q, Cache-Control %q", visitor, p.Header.Get("Cache-Control"))
		}
		mustContain(t, p.Body, "You are shopping in", `data-test="shop-name">Leaf &amp; Co<`, `src="/media/demo/v1/shop-1.svg"`,
			`data-test="shared-product"`, `data-test="price">from ¥22.00<`, fmt.Sprintf(`href="/shop/%d/p/%d" data-test="buy"`, w.d1.ID, w.oolong.ID),
			`<meta property="og:title" content="Oolong">`, `<meta property="og:description" content="from ¥22.00 in Leaf &amp; Co. Tap to buy.">`,
			`<meta property="og:image" content="`+w.s.url+`/media/demo/v1/p-0-0-1.svg">`, `<meta property="og:url" content="`+w.s.url+"/s/"+w.link+`">`,
			`data-test="product"`, "Gift box")
		if strings.Contains(p.Body, `href="/signin`) {
			t.Error("the landing asks to sign in")
		}
		w.get("/s/"+w.shopLink, http.StatusOK)
		if v := w.visitor(); v != visitor {
			t.Fatalf("the visitor cookie changed from %q to %q", visitor, v)
		}
		cust := w.signUp("lin@example.com") // claims both visits
		if d := w.boundTo(cust); d != w.d1.ID {
			t.Fatalf("after sign-up bound to %d, want %d", d, w.d1.ID)
		}

		// A forged cookie: the visit counts under a fresh token.
		w.newBrowser()
		u, _ := url.Parse(w.s.url)
		w.s.jar.SetCookies(u, []*http.Cookie{{Name: session.VisitorCookie, Value: strings.Repeat("!", 32)}})
		w.get("/s/"+w.pineLink, http.StatusOK)
		if v := w.visitor(); len(v) != 32 || strings.Contains(v, "!") {
			t.Fatalf("forged cookie kept: %q", v)
		}
		if seller, err := db.VisitorSeller(w.ctx, w.visitor()); err != nil || seller != w.d2.ID {
			t.Fatalf("the forged browser's visit: seller %d, %v", seller, err)
		}

		// Signed in: bound at once.
		w.newBrowser()
		other := w.signUp("other@example.com")
		mustContain(t, w.get("/s/"+w.link, http.StatusOK).Body, `data-test="shop-name">Leaf &amp; Co<`)
		if d := w.boundTo(other); d != w.d1.ID {
			t.Fatalf("signed-in visitor bound to %d, want %d", d, w.d1.ID)
		}

		// Its own link: refused, explained, and shown as its customers see it.
		w.newBrowser()
		w.signIn(w.d1Login)
		p = w.get("/s/"+w.link, http.StatusOK)
		mustContain(t, p.Body, `data-test="preview"`, `data-test="price">from ¥22.00<`)
		b, err := db.Binding(w.ctx, w.op, w.actor(w.d1.AccountID).AccountID)
		w.must(err)
		if b.DistributorID != 0 || len(b.Events) != 1 || b.Events[0].Outcome != "refused_self" {
			t.Fatalf("own link: %+v", b)
		}

		// An unknown code: a 404 page in the person's language.
		w.newBrowser()
		mustContain(t, w.get("/s/NOSUCHCODE?from=singlemessage", http.StatusNotFound).Body, `data-test="link-gone"`, "does not exist")
		w.s.lang = "zh-CN"
		mustContain(t, w.get("/s/23456789AB", http.StatusNotFound).Body, `data-test="link-gone"`, "此分享链接不存在")
		if w.visitor() != "" {
			t.Error("an unknown link set a visitor cookie")
		}
	})
}

// TestLandingShowsChargedPrice: the landing and the product page it leads
// to show the price checkout then charges: the link's shop's marked-up
// price for a newcomer, and for a customer bound to another distributor
// that distributor's price (retail here), in that distributor's shop.
func TestLandingShowsChargedPrice(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		sku := w.oolong.SKUs[1] // 39.99 retail, 45.00 at Leaf
		row := regexp.MustCompile(`data-test="sku-` + ids(sku.ID) + `">(?s:.*?)<span class="price">(¥[0-9.]+)</span>`)
		shown := func(productPage string) string {
			t.Helper()
			m := row.FindStringSubmatch(w.get(productPage, http.StatusOK).Body)
			if m == nil {
				t.Fatalf("%s shows no SKU %d", productPage, sku.ID)
			}
			return m[1]
		}
		leafPage := fmt.Sprintf("/shop/%d/p/%d", w.d1.ID, w.oolong.ID)
		pinePage := fmt.Sprintf("/shop/%d/p/%d", w.d2.ID, w.oolong.ID)

		// A newcomer: the link's shop, marked up; after signing up the order pays it.
		w.get("/s/"+w.link, http.StatusOK)
		if got := shown(leafPage); got != "¥45.00" {
			t.Fatalf("newcomer sees %s, want ¥45.00", got)
		}
		cust := w.signUp("lin@example.com")
		if got := w.charged(cust, sku.ID); got != 4500 {
			t.Fatalf("charged %d, shown ¥45.00", got)
		}

		// Bound to Pine first (first touch, permanent): Leaf's link shows Pine's price.
		w.newBrowser()
		other := w.signUp("other@example.com")
		w.get("/s/"+w.pineLink, http.StatusOK)
		p := w.get("/s/"+w.link, http.StatusOK)
		mustContain(t, p.Body, `data-test="shop-name">Pine<`, `data-test="shared-by">Shared by Leaf &amp; Co<`,
			`data-test="price">from ¥19.99<`, `href="`+pinePage+`" data-test="buy"`)
		if got := shown(pinePage); got != "¥39.99" {
			t.Fatalf("customer of Pine sees %s, want ¥39.99", got)
		}
		if got := w.charged(other, sku.ID); got != 3999 {
			t.Fatalf("charged %d, shown ¥39.99", got)
		}
		// Leaf's page sends it to Pine's, where its price is.
		if p := w.s.get(leafPage); p.Status != http.StatusFound || p.Header.Get("Location") != pinePage {
			t.Fatalf("Leaf's page for Pine's customer: %d to %q", p.Status, p.Header.Get("Location"))
		}

		// Anonymous, Pine's link first: Pine's shop, as signing up will bind.
		w.newBrowser()
		w.get("/s/"+w.pineLink, http.StatusOK)
		mustContain(t, w.get("/s/"+w.link, http.StatusOK).Body, `data-test="shop-name">Pine<`, `data-test="price">from ¥19.99<`)
	})
}

// TestShopPages: home, categories, search and product pages in both
// languages, for a person buying in no shop (the catalog at retail) and
// for one buying in Leaf & Co; sold-out SKUs cannot be chosen; names are escaped.
func TestShopPages(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		for i := range 20 { // a second page in the catalog
			w.product(&catalog.Product{Title: fmt.Sprintf("Filler %02d", i), SKUs: []catalog.SKU{{Code: "F", RetailPrice: 500, OnSale: true}}})
		}
		oolong := ids(w.oolong.ID)

		// Nobody's customer: the whole catalog at retail.
		p := w.get("/", http.StatusOK)
		mustContain(t, p.Body, `data-test="catalog"`, `href="/p/`+oolong+`"`, `data-test="price">from ¥19.99<`, `data-test="search"`,
			`data-test="category"`, `>Tea<`, `data-test="more"`, `&lt;script&gt;alert(1)&lt;/script&gt; Tea`)
		if strings.Contains(p.Body, "<script>alert") || strings.Count(p.Body, `data-test="product"`) != 20 {
			t.Fatal("home: an unescaped name, or not a page of 20 products")
		}
		more := regexp.MustCompile(`href="(/\?after=[0-9]+)" data-test="more"`).FindStringSubmatch(p.Body)
		if more == nil {
			t.Fatal("no link to the next page")
		}
		if p := w.get(strings.ReplaceAll(more[1], "&amp;", "&"), http.StatusOK); strings.Count(p.Body, `data-test="product"`) != 3 || strings.Contains(p.Body, `data-test="more"`) {
			t.Fatalf("second page: %d products", strings.Count(p.Body, `data-test="product"`))
		}
		p = w.get("/?category="+ids(w.tea.ID), http.StatusOK) // Green is under Tea
		mustContain(t, p.Body, `href="/p/`+oolong+`"`, `aria-current="page">Tea<`)
		if strings.Contains(p.Body, "Gift box") {
			t.Error("the Tea category lists a product without a category")
		}
		p = w.get("/?q=OOLONG", http.StatusOK)
		if strings.Count(p.Body, `data-test="product"`) != 1 || !strings.Contains(p.Body, `value="OOLONG"`) {
			t.Errorf("search: %d products", strings.Count(p.Body, `data-test="product"`))
		}
		mustContain(t, w.get("/?q=nothing+like+it", http.StatusOK).Body, `data-test="empty"`)
		p = w.get("/?q="+strings.Repeat("x", 101), http.StatusBadRequest)
		mustContain(t, p.Body, `data-test="error-q"`, `value="`+strings.Repeat("x", 101)+`"`)
		w.get("/?category=999999", http.StatusBadRequest)
		w.get("/?category=tea", http.StatusBadRequest)
		w.get("/?after=-1", http.StatusBadRequest)
		mustContain(t, w.get("/categories", http.StatusOK).Body, `href="/?category=`+ids(w.tea.ID)+`"`, `href="/?category=`+ids(w.green.ID)+`"`)
		mustContain(t, w.get("/p/"+oolong, http.StatusOK).Body, `data-test="price" data-price>from ¥19.99<`)
		if p := w.s.get(fmt.Sprintf("/shop/%d?q=tea", w.d1.ID)); p.Status != http.StatusFound || p.Header.Get("Location") != "/?q=tea" {
			t.Fatalf("another's shop: %d to %q", p.Status, p.Header.Get("Location"))
		}
		w.get("/p/999999", http.StatusNotFound)
		w.get("/p/x", http.StatusNotFound)

		// Leaf's customer, in both languages.
		w.get("/s/"+w.shopLink, http.StatusOK)
		leaf := fmt.Sprintf("/shop/%d", w.d1.ID)
		if p := w.s.get("/p/" + oolong); p.Status != http.StatusFound || p.Header.Get("Location") != leaf+"/p/"+oolong {
			t.Fatalf("catalog page for Leaf's customer: %d to %q", p.Status, p.Header.Get("Location"))
		}
		if p := w.s.get(fmt.Sprintf("/shop/%d", w.d2.ID)); p.Status != http.StatusFound || p.Header.Get("Location") != leaf {
			t.Fatalf("Pine's shop for Leaf's customer: %d to %q", p.Status, p.Header.Get("Location"))
		}
		for _, lang := range []struct{ accept, inStock, low, soldOut, add, shopping string }{
			{"en", "In stock", "Only 3 left", "Sold out", "Add to cart", "You are shopping in"},
			{"zh-CN,zh;q=0.9", "有货", "仅剩 3 件", "已售罄", "加入购物车", "您正在逛"},
		} {
			w.s.lang = lang.accept
			for _, home := range []string{"/", leaf} {
				p := w.get(home, http.StatusOK)
				mustContain(t, p.Body, lang.shopping, `data-test="shop-name">Leaf &amp; Co<`, `href="`+leaf+`/p/`+oolong+`"`,
					`&lt;script&gt;alert(1)&lt;/script&gt; Tea`, `data-test="sold-out">`+lang.soldOut+`<`)
				if strings.Contains(p.Body, "<script>alert") {
					t.Fatalf("%s: the name is not escaped", home)
				}
			}
			mustContain(t, w.get("/categories", http.StatusOK).Body, `>Green<`)
			p := w.get(leaf+"/p/"+oolong, http.StatusOK)
			o100, o250, o500 := ids(w.oolong.SKUs[0].ID), ids(w.oolong.SKUs[1].ID), ids(w.oolong.SKUs[2].ID)
			mustContain(t, p.Body, `<form method="post" action="/cart/add"`, `name="quantity"`, `name="buy" value="1"`,
				`value="`+o100+`" required checked data-price="¥22.00"`, `value="`+o500+`" required disabled`,
				`data-test="stock-`+o100+`">`+lang.inStock+`<`, `data-test="stock-`+o250+`">`+lang.low+`<`,
				`data-test="stock-`+o500+`">`+lang.soldOut+`<`, `data-test="add-to-cart">`+lang.add+`<`, "Rolled leaves.\nSecond line.",
				`src="/media/demo/v1/p-0-0-1.svg"`, `src="https://img.example/o2.jpg"`)
			if strings.Contains(p.Body, `value="`+o250+`" required disabled`) {
				t.Error("a SKU running low cannot be chosen")
			}
			p = w.get(fmt.Sprintf("%s/p/%d", leaf, w.script.ID), http.StatusOK)
			mustContain(t, p.Body, `<title>&lt;script&gt;alert(1)&lt;/script&gt; Tea · `, `content="&lt;script&gt;alert(1)&lt;/script&gt; Tea"`)
			if strings.Contains(p.Body, "<script>alert") {
				t.Fatal("product page: the name is not escaped")
			}
			p = w.get(fmt.Sprintf("%s/p/%d", leaf, w.giftBox.ID), http.StatusOK)
			mustContain(t, p.Body, `required disabled`, `data-test="buy-now" disabled data-keep-disabled>`+lang.soldOut+`<`)
		}
		w.s.lang = "en"
		w.get(fmt.Sprintf("%s/p/999999", leaf), http.StatusNotFound)

		// Leaf itself sees its shop as its customers do, even buying nowhere.
		w.newBrowser()
		w.signIn(w.d1Login)
		mustContain(t, w.get(leaf, http.StatusOK).Body, `data-test="preview"`, `data-test="price">from ¥22.00<`)
		mustContain(t, w.get("/", http.StatusOK).Body, `data-test="catalog"`)
	})
}
