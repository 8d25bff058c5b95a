package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/session"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// checkoutFloor is the shop floor (tea at 19.99 from Tea Co, a cup at
// 5.00 from Cup Co, ten of each, each in its own warehouse serving the
// country) with the cart's helpers.
type checkoutFloor struct {
	*shopFloor
	teaProduct, cupProduct int64
}

func newCheckoutFloor(t *testing.T, db *store.DB) *checkoutFloor {
	t.Helper()
	f := &checkoutFloor{shopFloor: newShopFloor(t, db)}
	f.teaProduct, f.cupProduct = f.productOf(f.tea), f.productOf(f.cup)
	return f
}

// productOf is the product a SKU belongs to.
func (f *checkoutFloor) productOf(sku int64) int64 {
	f.t.Helper()
	for _, owner := range []account.Actor{f.a, f.b} {
		list, err := f.db.Products(f.ctx, owner, store.ProductFilter{SupplierID: owner.SupplierID, Limit: 10})
		if err != nil {
			f.t.Fatal(err)
		}
		for _, p := range list {
			for _, k := range p.SKUs {
				if k.ID == sku {
					return p.ID
				}
			}
		}
	}
	f.t.Fatalf("no product has SKU %d", sku)
	return 0
}

// anonymous forgets the browser's cookies: a new visitor.
func (f *checkoutFloor) anonymous() {
	f.jar, _ = cookiejar.New(nil)
}

// add posts the product page's form: quantity of sku, "buy now" when buy.
func (f *checkoutFloor) add(sku, product, quantity int64, buy bool) *page {
	f.t.Helper()
	form := url.Values{"sku_id": {strconv.FormatInt(sku, 10)}, "product_id": {strconv.FormatInt(product, 10)},
		"quantity": {strconv.FormatInt(quantity, 10)}}
	if buy {
		form.Set("buy", "1")
	}
	return f.post("/cart/add", form)
}

// stock sets a SKU's stock in every warehouse of its supplier.
func (f *checkoutFloor) stock(owner account.Actor, sku, n int64) {
	f.t.Helper()
	list, err := f.db.Warehouses(f.ctx, owner, owner.SupplierID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, w := range list {
		if _, err := f.db.SetStock(f.ctx, owner, w.ID, sku, n); err != nil {
			f.t.Fatal(err)
		}
	}
}

func (f *checkoutFloor) cartOf(who account.Actor) *store.Cart {
	f.t.Helper()
	c, err := f.db.Cart(f.ctx, who, store.CartOwner{AccountID: who.AccountID})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// quantities is a cart as SKU → quantity.
func cartQuantities(c *store.Cart) map[int64]int64 {
	m := map[int64]int64{}
	for _, l := range c.Lines {
		m[l.SKUID] = l.Quantity
	}
	return m
}

// saveAddress saves a Shenzhen Nanshan address through the form and returns its id.
func (f *checkoutFloor) saveAddress(who account.Actor, name string, isDefault bool) int64 {
	f.t.Helper()
	form := url.Values{"name": {name}, "phone": {"13800138000"}, "province": {"CN.44"}, "city": {"CN.44.03"},
		"district": {"CN.44.03.05"}, "address": {"1 Keyuan Road"}}
	if isDefault {
		form.Set("is_default", "1")
	}
	wantSeeOther(f.t, "save address", f.post("/addresses/new", form), "/addresses?saved=1")
	list, err := f.db.Addresses(f.ctx, who)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, a := range list {
		if a.Name == name {
			return a.ID
		}
	}
	f.t.Fatalf("no address named %s in %+v", name, list)
	return 0
}

func wantSeeOther(t *testing.T, what string, p *page, to string) {
	t.Helper()
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != to {
		t.Fatalf("%s: %d to %q, want 303 to %q; body %.400s", what, p.Status, p.Header.Get("Location"), to, p.Body)
	}
}

func wantPage(t *testing.T, what string, p *page, status int) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d; location %q; body %.600s", what, p.Status, status, p.Header.Get("Location"), p.Body)
	}
}

// An anonymous visitor fills a cart from two suppliers, signs up, and the
// cart is the account's: both lines, grouped by supplier.
func TestCartAnonymousThenSignUp(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCheckoutFloor(t, db)
		f.anonymous()
		mustContain(t, f.get("/cart").Body, `data-test="cart-empty"`, "Your cart is empty", `data-test="go-shopping"`)

		wantSeeOther(t, "add tea", f.add(f.tea, f.teaProduct, 2, false), "/cart?added=1")
		u, _ := url.Parse(f.url)
		var visitor string
		for _, c := range f.jar.Cookies(u) {
			if c.Name == session.VisitorCookie {
				visitor = c.Value
			}
		}
		if len(visitor) != 32 {
			t.Fatalf("no visitor cookie after adding: %q", visitor)
		}
		wantSeeOther(t, "add cup", f.add(f.cup, f.cupProduct, 1, false), "/cart?added=1")
		wantSeeOther(t, "add another tea", f.add(f.tea, f.teaProduct, 1, false), "/cart?added=1")
		p := f.get("/cart?added=1")
		wantPage(t, "cart", p, http.StatusOK)
		mustContain(t, p.Body, "Added to your cart.", `<h2 class="cart-supplier">`, "Tea Co", "Cup Co",
			`data-test="qty-`+strconv.FormatInt(f.tea, 10)+`">`, `value="3"`, `data-test="total">¥64.97<`, // 3 × 19.99 + 5.00
			`data-test="signin-hint"`, `aria-current="page">`)
		if strings.Index(p.Body, "Tea Co") > strings.Index(p.Body, "Cup Co") {
			t.Errorf("suppliers out of the cart's order")
		}

		// Checkout asks to sign in and comes back.
		next := "/checkout?sku=" + strconv.FormatInt(f.tea, 10)
		if p := f.get(next); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/signin?next="+url.QueryEscape(next) {
			t.Fatalf("anonymous checkout: %d to %q", p.Status, p.Header.Get("Location"))
		}
		su := f.post("/signup", url.Values{"name": {"Han Mei"}, "phone": {"13700137000"}, "password": {"correct horse 1"}, "next": {next}})
		wantSeeOther(t, "sign up", su, next)
		cred, err := db.CredentialsFor(f.ctx, "", "+8613700137000")
		if err != nil {
			t.Fatal(err)
		}
		me := f.actor(cred.AccountID)
		if q := cartQuantities(f.cartOf(me)); len(q) != 2 || q[f.tea] != 3 || q[f.cup] != 1 {
			t.Fatalf("claimed cart %v", q)
		}
		if c, err := db.Cart(f.ctx, account.Actor{}, store.CartOwner{Visitor: visitor}); err != nil || len(c.Lines) != 0 {
			t.Fatalf("the visitor's cart is still there: %+v %v", c, err)
		}
		p = f.get("/cart")
		mustContain(t, p.Body, "Tea Co", "Cup Co", `data-test="total">¥64.97<`)
		mustLack(t, p.Body, `data-test="signin-hint"`)
		// Checkout, back from sign-up, has the line and asks for an address.
		p = f.get(next)
		wantPage(t, "checkout", p, http.StatusOK)
		mustContain(t, p.Body, `data-test="add-address"`, `href="/addresses/new?next=`+url.QueryEscape(next)+`"`, "Oolong tea",
			`data-test="place" disabled`)
		mustLack(t, p.Body, "Tea cup")
	})
}

// Buying now goes from the product page to checkout with that line; a
// refusal goes back to the product page with the reason.
func TestCartBuyNowAndRefusals(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCheckoutFloor(t, db)
		wantSeeOther(t, "buy now", f.add(f.cup, f.cupProduct, 2, true), "/checkout?sku="+strconv.FormatInt(f.cup, 10))

		f.stock(f.a, f.tea, 0)
		p := f.add(f.tea, f.teaProduct, 1, false)
		wantPage(t, "sold out", p, http.StatusConflict)
		mustContain(t, p.Body, `data-test="form-error">This option is sold out; choose another.<`, `data-test="product-title">Oolong tea<`)
		f.stock(f.a, f.tea, 3)
		p = f.add(f.tea, f.teaProduct, 5, false)
		wantPage(t, "too many", p, http.StatusConflict)
		mustContain(t, p.Body, "Only 3 left of this option")
		wantPage(t, "quantity 0", f.add(f.tea, f.teaProduct, 0, false), http.StatusBadRequest)
		f.lang = "zh"
		mustContain(t, f.add(f.tea, f.teaProduct, 4, false).Body, "该规格仅剩 3 件，请减少数量。")
		f.lang = "en"

		off := false
		if _, err := db.UpdateProduct(f.ctx, f.b, f.cupProduct, catalog.ProductUpdate{OnSale: &off}); err != nil {
			t.Fatal(err)
		}
		p = f.add(f.cup, f.cupProduct, 1, false)
		wantPage(t, "not for sale", p, http.StatusBadRequest)
		mustContain(t, p.Body, "is not for sale")
		if q := cartQuantities(f.cartOf(f.cust)); len(q) != 1 || q[f.cup] != 2 {
			t.Fatalf("refusals changed the cart: %v", q)
		}
		// The line that went off sale stays, marked, without a price or a way to select it.
		p = f.get("/cart")
		cup := strconv.FormatInt(f.cup, 10)
		mustContain(t, p.Body, `data-stock="not_for_sale"`, `data-test="state-`+cup+`">No longer for sale<`, `data-test="remove-`+cup+`"`,
			`value="`+cup+`" form="cart-form" disabled`)
		if p := f.post("/cart/add", url.Values{"quantity": {"1"}}); p.Status != http.StatusBadRequest {
			t.Errorf("no SKU: %d", p.Status)
		}
	})
}

// The stepper and the number set a line's quantity; a wrong one is shown
// by its line with what was typed; remove takes the line out.
func TestCartQuantityAndRemove(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCheckoutFloor(t, db)
		f.add(f.tea, f.teaProduct, 1, false)
		f.add(f.cup, f.cupProduct, 1, false)
		tea := strconv.FormatInt(f.tea, 10)
		path := "/cart/items/" + tea
		wantSeeOther(t, "+", f.post(path, url.Values{"quantity": {"1"}, "step": {"1"}, "back": {"/cart"}}), "/cart#l"+tea)
		wantSeeOther(t, "+", f.post(path, url.Values{"quantity": {"2"}, "step": {"1"}, "back": {"/cart?sel=1&sku=" + tea}}),
			"/cart?sel=1&sku="+tea+"#l"+tea)
		wantSeeOther(t, "−", f.post(path, url.Values{"quantity": {"3"}, "step": {"-1"}}), "/cart#l"+tea)
		if q := cartQuantities(f.cartOf(f.cust)); q[f.tea] != 2 {
			t.Fatalf("after + + −: %v", q)
		}
		wantSeeOther(t, "typed", f.post(path, url.Values{"quantity": {"7"}, "back": {"https://evil.example/"}}), "/cart#l"+tea)
		p := f.post(path, url.Values{"quantity": {"0"}})
		wantPage(t, "zero", p, http.StatusBadRequest)
		mustContain(t, p.Body, `value="0" aria-invalid="true"`, `data-test="error-quantity">must be from 1 to`)
		p = f.post(path, url.Values{"quantity": {"many"}})
		wantPage(t, "not a number", p, http.StatusBadRequest)
		mustContain(t, p.Body, `value="many" aria-invalid="true"`, `data-test="error-quantity"`)
		if q := cartQuantities(f.cartOf(f.cust)); q[f.tea] != 7 || q[f.cup] != 1 {
			t.Fatalf("a refused change changed the cart: %v", q)
		}
		// The selection: one line chosen, the total is its own.
		p = f.get("/cart?sel=1&sku=" + tea)
		mustContain(t, p.Body, `data-test="total">¥139.93<`, `data-count>1<`, `name="back" value="/cart?sel=1&amp;sku=`+tea+`"`)
		mustContain(t, f.get("/cart?sel=1").Body, `data-test="total">¥0.00<`, `data-test="checkout" disabled`)
		mustContain(t, f.get("/cart").Body, `data-test="total">¥144.93<`, `data-count>2<`)

		wantSeeOther(t, "remove", f.post(path+"/remove", nil), "/cart")
		wantSeeOther(t, "remove again", f.post(path+"/remove", nil), "/cart")
		if q := cartQuantities(f.cartOf(f.cust)); len(q) != 1 || q[f.cup] != 1 {
			t.Fatalf("after removing: %v", q)
		}
		if p := f.post("/cart/items/x", url.Values{"quantity": {"1"}}); p.Status != http.StatusNotFound {
			t.Errorf("bad SKU in the path: %d", p.Status)
		}
	})
}

// A sold-out or short line is shown as such and cannot be selected; the
// total and checkout leave it out.
func TestCartSoldOutNotSelectable(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCheckoutFloor(t, db)
		f.add(f.tea, f.teaProduct, 2, false)
		f.add(f.cup, f.cupProduct, 1, false)
		f.stock(f.b, f.cup, 0)
		tea, cup := strconv.FormatInt(f.tea, 10), strconv.FormatInt(f.cup, 10)
		p := f.get("/cart")
		mustContain(t, p.Body, `data-stock="sold_out"`, `data-test="state-`+cup+`">Sold out<`,
			`value="`+cup+`" form="cart-form" disabled data-pick`, `value="`+tea+`" form="cart-form" checked data-pick`,
			`data-test="total">¥39.98<`, `data-count>1<`)
		// Selecting it by hand changes nothing.
		mustContain(t, f.get("/cart?sel=1&sku="+cup).Body, `data-test="total">¥0.00<`, `value="`+cup+`" form="cart-form" disabled`)
		f.stock(f.a, f.tea, 1)
		p = f.get("/cart")
		mustContain(t, p.Body, `data-test="state-`+tea+`">Only 1 left<`, `data-test="fit-`+tea+`">Change to 1<`,
			`value="`+tea+`" form="cart-form" disabled`, `data-test="checkout" disabled`)
		// Nothing can be ordered: checkout sends back to the cart.
		wantSeeOther(t, "checkout", f.get("/checkout"), "/cart")
		wantSeeOther(t, "checkout", f.get("/checkout?sku="+cup), "/cart")
		f.post("/cart/items/"+tea, url.Values{"quantity": {"1"}})
		p = f.get("/checkout?sku=" + tea + "&sku=" + cup)
		wantPage(t, "checkout of one of two", p, http.StatusOK)
		mustContain(t, p.Body, `data-test="left-out">1 item(s) in your selection cannot be ordered now`, `data-test="co-line-`+tea+`"`)
		mustLack(t, p.Body, `data-test="co-line-`+cup+`"`)
	})
}

// The address form: a province alone is refused by the picker with what
// was typed kept; without the script, "next" shows the level below; a
// district is saved; the default moves as the book says.
func TestAddressForm(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCheckoutFloor(t, db)
		mustContain(t, f.get("/addresses").Body, `data-test="addresses-empty"`, `href="/addresses/new"`)
		p := f.get("/addresses/new")
		wantPage(t, "new", p, http.StatusOK)
		mustContain(t, p.Body, `name="province"`, `<option value="CN.44">Guangdong</option>`, `data-test="choose-province"`,
			"Your first address is your default.")

		typed := url.Values{"name": {"Li Lei"}, "phone": {"13800138000"}, "address": {"1 Keyuan Road"}, "province": {"CN.44"}}
		p = f.post("/addresses/new", typed)
		wantPage(t, "province only", p, http.StatusBadRequest)
		mustContain(t, p.Body, `data-test="error-region_code">Choose a province, a city and a district or county.<`,
			`value="Li Lei"`, `value="13800138000"`, `value="1 Keyuan Road"`, `<option value="CN.44" selected>`,
			`<option value="CN.44.03">Shenzhen</option>`)

		// Without the script: choose the province, then the city.
		step := url.Values{"name": {"Li Lei"}, "phone": {"13800138000"}, "address": {"1 Keyuan Road"}, "province": {"CN.44"}, "action": {"region"}}
		p = f.post("/addresses/new", step)
		wantPage(t, "choose province", p, http.StatusOK)
		mustContain(t, p.Body, `<option value="CN.44.03">Shenzhen</option>`, `value="Li Lei"`)
		mustLack(t, p.Body, `data-test="error-region_code"`, `<option value="CN.44.03.05">`)
		step.Set("city", "CN.44.03")
		p = f.post("/addresses/new", step)
		mustContain(t, p.Body, `<option value="CN.44.03" selected>`, `<option value="CN.44.03.05">Nanshan</option>`)
		// A new province drops the old city.
		step.Set("province", "CN.33")
		p = f.post("/addresses/new", step)
		mustContain(t, p.Body, `<option value="CN.33" selected>`, `<option value="CN.33.01">Hangzhou</option>`)
		mustLack(t, p.Body, `value="CN.44.03" selected`, `<option value="CN.44.03.05">`)
		if list, _ := db.Addresses(f.ctx, f.cust); len(list) != 0 {
			t.Fatalf("choosing a region saved %+v", list)
		}

		// In Chinese, the names and the message are Chinese.
		f.lang = "zh"
		mustContain(t, f.post("/addresses/new", typed).Body, `<option value="CN.44" selected>广东省</option>`, "请选择省份、城市和区/县。")
		bad := url.Values{"name": {""}, "phone": {"12"}, "address": {"x"}, "province": {"CN.44"}, "city": {"CN.44.03"}, "district": {"CN.44.03.05"}}
		mustContain(t, f.post("/addresses/new", bad).Body, `data-test="error-name">请填写收货人姓名`)
		f.lang = "en"

		// A district is saved, the first address the default.
		typed.Set("city", "CN.44.03")
		typed.Set("district", "CN.44.03.05")
		wantSeeOther(t, "save", f.post("/addresses/new", typed), "/addresses?saved=1")
		list, err := db.Addresses(f.ctx, f.cust)
		if err != nil || len(list) != 1 || list[0].RegionCode != "CN.44.03.05" || !list[0].IsDefault || list[0].Phone != "+8613800138000" {
			t.Fatalf("saved %+v %v", list, err)
		}
		first := list[0].ID
		// A city with no districts (Dongguan) is a whole region.
		dg := url.Values{"name": {"Wang Fang"}, "phone": {"13900139000"}, "address": {"8 Dongcheng Road"}, "province": {"CN.44"}, "city": {"CN.44.19"}}
		wantSeeOther(t, "Dongguan", f.post("/addresses/new", dg), "/addresses?saved=1")
		second := f.saveAddress(f.cust, "Han Mei", true) // the new default
		list, _ = db.Addresses(f.ctx, f.cust)
		if len(list) != 3 || list[0].ID != second || !list[0].IsDefault || list[1].IsDefault || list[2].IsDefault {
			t.Fatalf("book %+v", list)
		}
		p = f.get("/addresses")
		mustContain(t, p.Body, "My addresses", "Han Mei", "Guangdong", "Shenzhen", "Nanshan", "Dongguan",
			`data-test="address-`+strconv.FormatInt(second, 10)+`"`, `data-test="default-badge">Default<`,
			`action="/addresses/`+strconv.FormatInt(first, 10)+`/delete" data-confirm="Delete this address?"`,
			`data-test="make-default-`+strconv.FormatInt(first, 10)+`"`)
		mustLack(t, p.Body, `data-test="make-default-`+strconv.FormatInt(second, 10)+`"`)
		wantSeeOther(t, "make default", f.post("/addresses/"+strconv.FormatInt(first, 10)+"/default", nil), "/addresses")
		wantSeeOther(t, "delete the default", f.post("/addresses/"+strconv.FormatInt(first, 10)+"/delete", nil), "/addresses")
		list, _ = db.Addresses(f.ctx, f.cust)
		if len(list) != 2 || list[0].ID != second || !list[0].IsDefault { // the newest left
			t.Fatalf("after deleting the default %+v", list)
		}

		// Editing shows the region chosen; the default stays ticked.
		p = f.get("/addresses/" + strconv.FormatInt(second, 10) + "/edit")
		wantPage(t, "edit", p, http.StatusOK)
		mustContain(t, p.Body, `value="Han Mei"`, `<option value="CN.44" selected>`, `<option value="CN.44.03" selected>`,
			`<option value="CN.44.03.05" selected>`, `<input type="hidden" name="is_default" value="1">`, "This is your default address.")
		edit := url.Values{"name": {"Han Meimei"}, "phone": {"13800138000"}, "address": {"2 Keyuan Road"}, "province": {"CN.44"},
			"city": {"CN.44.03"}, "district": {"CN.44.03.05"}, "is_default": {"1"}}
		wantSeeOther(t, "edit", f.post("/addresses/"+strconv.FormatInt(second, 10)+"/edit", edit), "/addresses?saved=1")
		if a, err := db.Address(f.ctx, f.cust, second); err != nil || a.Name != "Han Meimei" || !a.IsDefault {
			t.Fatalf("edited %+v %v", a, err)
		}

		// Another person's address is not found; signed out, sign in first.
		other := f.account("other@example.com")
		theirs, err := db.SaveAddress(f.ctx, other, store.Address{Name: "X", Phone: "13800138000", RegionCode: "CN.44.19", Address: "y"})
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(theirs.ID, 10)
		wantPage(t, "their edit", f.get("/addresses/"+id+"/edit"), http.StatusNotFound)
		wantPage(t, "their save", f.post("/addresses/"+id+"/edit", edit), http.StatusNotFound)
		wantPage(t, "their delete", f.post("/addresses/"+id+"/delete", nil), http.StatusNotFound)
		if _, err := db.Address(f.ctx, other, theirs.ID); err != nil {
			t.Fatalf("their address: %v", err)
		}
		f.anonymous()
		if p := f.get("/addresses"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/signin?next=") {
			t.Errorf("anonymous book: %d %q", p.Status, p.Header.Get("Location"))
		}
	})
}

var keyField = regexp.MustCompile(`name="key" value="([0-9a-f]{32})"`)

// Checkout ships the cart's lines from two suppliers' warehouses in two
// parcels, with the coupon's discount as the placed order records it; the
// same form sent twice places one order, which the sandbox pays.
func TestCheckoutTwoParcelsCouponAndPay(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCheckoutFloor(t, db)
		dist := f.account("dist@example.com")
		if _, err := db.JoinNetwork(f.ctx, dist, network.Join{DisplayName: "Mei"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateCoupon(f.ctx, f.actor(dist.AccountID), store.CouponInput{Code: "SAVE3", Kind: store.CouponAmount, Value: 300}); err != nil {
			t.Fatal(err)
		}
		f.add(f.tea, f.teaProduct, 2, false)
		f.add(f.cup, f.cupProduct, 1, false)

		// No address yet: add one from checkout and come back to it.
		p := f.get("/checkout")
		wantPage(t, "checkout without an address", p, http.StatusOK)
		mustContain(t, p.Body, `href="/addresses/new?next=%2Fcheckout"`, `data-test="place" disabled`)
		form := url.Values{"name": {"Li Lei"}, "phone": {"13800138000"}, "province": {"CN.44"}, "city": {"CN.44.03"},
			"district": {"CN.44.03.05"}, "address": {"1 Keyuan Road"}, "next": {"/checkout"}}
		saved := f.post("/addresses/new", form)
		if saved.Status != http.StatusSeeOther || !strings.HasPrefix(saved.Header.Get("Location"), "/checkout?address_id=") {
			t.Fatalf("save from checkout: %d %q", saved.Status, saved.Header.Get("Location"))
		}
		p = f.get(saved.Header.Get("Location"))
		wantPage(t, "checkout", p, http.StatusOK)
		if n := strings.Count(p.Body, `data-test="parcel"`); n != 2 {
			t.Fatalf("%d parcels, want 2", n)
		}
		mustContain(t, p.Body, "Parcel 1 of 2", "Parcel 2 of 2", `data-test="parcel-supplier">Tea Co<`, `data-test="parcel-supplier">Cup Co<`,
			"Ships from Oolong tea store", "Ships from Tea cup store", `data-test="ship-name">Li Lei<`, "Guangdong Shenzhen Nanshan 1 Keyuan Road",
			`data-test="goods-total">¥44.98<`, `data-test="discount">¥0.00<`, `data-test="to-pay">¥44.98<`,
			`href="/addresses?next=%2Fcheckout"`, "Place order and pay")

		// Changing the address: the book in choosing mode, the current one marked, each a link back.
		addr := strings.TrimPrefix(saved.Header.Get("Location"), "/checkout?address_id=")
		p = f.get("/addresses?next=" + url.QueryEscape("/checkout?sku="+strconv.FormatInt(f.tea, 10)))
		mustContain(t, p.Body, "Ship to", `href="/checkout?address_id=`+addr+`&amp;sku=`+strconv.FormatInt(f.tea, 10)+`" aria-current="true"`,
			`data-test="chosen"`, `href="/addresses/new?next=%2Fcheckout%3Fsku%3D`)
		mustLack(t, p.Body, `data-test="delete-`)

		// A coupon that does not exist: said by the field, the code kept, nothing off.
		p = f.get("/checkout?coupon_code=nope1")
		mustContain(t, p.Body, `data-test="error-coupon_code">no such coupon<`, `value="nope1"`, `data-test="to-pay">¥44.98<`,
			`name="coupon_code" value="">`)
		f.lang = "zh"
		mustContain(t, f.get("/checkout?coupon_code=nope1").Body, `data-test="error-coupon_code">该优惠码不可用。<`, "包裹 1/2")
		f.lang = "en"

		p = f.get("/checkout?coupon_code=save3")
		mustContain(t, p.Body, `data-test="coupon-applied">Coupon SAVE3 applied.<`, `data-test="discount" class="saving">−¥3.00<`,
			`data-test="to-pay">¥41.98<`, `name="coupon_code" value="SAVE3">`)
		m := keyField.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatal("no key in the form")
		}
		if m2 := keyField.FindStringSubmatch(f.get("/checkout").Body); m2 == nil || m2[1] == m[1] {
			t.Fatal("a render's key is used again")
		}
		list, _ := db.Addresses(f.ctx, f.cust)
		place := url.Values{"sku": {strconv.FormatInt(f.tea, 10), strconv.FormatInt(f.cup, 10)},
			"address_id": {strconv.FormatInt(list[0].ID, 10)}, "coupon_code": {"SAVE3"}, "key": {m[1]}}
		first := f.post("/checkout", place)
		second := f.post("/checkout", place) // the same form sent again
		for _, r := range []*page{first, second} {
			if r.Status != http.StatusSeeOther || !strings.HasPrefix(strings.TrimPrefix(r.Header.Get("Location"), f.url), "/sandbox/pay/") {
				t.Fatalf("place: %d to %q; %.500s", r.Status, r.Header.Get("Location"), r.Body)
			}
		}
		orders, err := db.CustomerOrders(f.ctx, f.cust, store.CustomerOrderFilter{})
		if err != nil || len(orders) != 1 {
			t.Fatalf("orders %d %v, want one", len(orders), err)
		}
		o := orders[0]
		if o.Discount != 300 || o.GoodsTotal != 4498 || o.Total != 4198 || o.CouponID == 0 {
			t.Fatalf("order %+v", o)
		}
		if c := f.cartOf(f.cust); len(c.Lines) != 0 {
			t.Fatalf("ordered lines still in the cart: %+v", c.Lines)
		}

		// Pay on the sandbox's page as the browser does.
		id := strconv.FormatInt(o.ID, 10)
		sandbox := strings.TrimPrefix(second.Header.Get("Location"), f.url)
		if page := f.get(sandbox); page.Status != http.StatusOK || !strings.Contains(page.Body, `href="/orders/`+id+`"`) {
			t.Fatalf("sandbox page: %d %.300s", page.Status, page.Body)
		}
		wantSeeOther(t, "sandbox pay", f.post(sandbox, nil), "/orders/"+id+"?paid=1")
		got, err := db.Order(f.ctx, f.cust, o.ID)
		if err != nil || got.Status != order.Paid || len(got.Fulfilments) != 2 {
			t.Fatalf("after paying: %+v %v", got, err)
		}
		mustContain(t, f.get("/orders/"+id+"?paid=1").Body, `data-state="to_ship"`)
		// The first send's payment page stays unpaid; the order is paid once.
		if n := strings.Count(f.get("/orders/"+id).Body, `data-test="parcel-status"`); n != 2 {
			t.Errorf("order page shows %d parcels", n)
		}
	})
}

// A refused placement shows checkout again with the reason where it
// belongs: the address, or the lines whose stock went.
func TestCheckoutRefused(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCheckoutFloor(t, db)
		f.add(f.tea, f.teaProduct, 2, false)
		addr := f.saveAddress(f.cust, "Li Lei", false)
		p := f.get("/checkout")
		key := keyField.FindStringSubmatch(p.Body)[1]
		place := url.Values{"sku": {strconv.FormatInt(f.tea, 10)}, "address_id": {"999999"}, "key": {key}}
		p = f.post("/checkout", place)
		wantPage(t, "no such address", p, http.StatusBadRequest)
		mustContain(t, p.Body, `data-test="error-address_id">This address cannot be used`, `data-test="parcel"`)

		f.stock(f.a, f.tea, 1) // another customer took the rest
		place.Set("address_id", strconv.FormatInt(addr, 10))
		p = f.post("/checkout", place)
		wantPage(t, "stock gone", p, http.StatusConflict)
		mustContain(t, p.Body, `data-test="form-error">Some items are no longer in stock for this address.`, `data-test="left-out"`)
		if orders, _ := db.CustomerOrders(f.ctx, f.cust, store.CustomerOrderFilter{}); len(orders) != 0 {
			t.Fatalf("a refused checkout placed %d orders", len(orders))
		}
		if q := cartQuantities(f.cartOf(f.cust)); q[f.tea] != 2 {
			t.Fatalf("cart after refusal %v", q)
		}
		f.anonymous()
		if p := f.post("/checkout", place); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/signin?next=") {
			t.Errorf("anonymous place: %d %q", p.Status, p.Header.Get("Location"))
		}
	})
}
