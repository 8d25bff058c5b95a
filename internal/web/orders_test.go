package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// as is another browser on the same site, signed in as email ("" for
// nobody).
func (f *shopFloor) as(email string) *shopFloor {
	f.t.Helper()
	g := *f
	ts := *f.testSite
	ts.jar, _ = cookiejar.New(nil)
	g.testSite = &ts
	if email != "" {
		g.signIn(email)
	}
	return &g
}

func mustLack(t *testing.T, body string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(body, u) {
			t.Errorf("page has %q", u)
		}
	}
}

func card(o *order.Order) string { return `data-test="order-` + strconv.FormatInt(o.ID, 10) + `"` }

func TestOrdersList(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		p := f.get("/orders")
		mustContain(t, p.Body, `data-test="empty"`, "No orders yet.", `href="/orders?status=unpaid"`)

		unpaid := f.checkout([2]int64{f.tea, 1})
		paid := f.checkout([2]int64{f.tea, 2}, [2]int64{f.cup, 1})
		f.pay(paid)
		p = f.get("/orders")
		mustContain(t, p.Body, card(unpaid), card(paid), "¥19.99", "¥44.98", "Oolong tea", "Tea cup", `aria-current="page" data-test="tab-all"`)
		if strings.Index(p.Body, card(paid)) > strings.Index(p.Body, card(unpaid)) {
			t.Error("the newer order is not first")
		}
		tab := func(status string) string {
			t.Helper()
			p := f.get("/orders?status=" + status)
			if p.Status != http.StatusOK {
				t.Fatalf("%s: %d", status, p.Status)
			}
			return p.Body
		}
		body := tab("unpaid") // the Me page's links
		mustContain(t, body, card(unpaid), `action="/orders/`+strconv.FormatInt(unpaid.ID, 10)+`/pay"`, `data-confirm=`, "Pay by")
		mustLack(t, body, card(paid))
		body = tab("to_ship")
		mustContain(t, body, card(paid), "To ship")
		mustLack(t, body, card(unpaid))
		mustContain(t, tab("to_receive"), `data-test="empty"`, "No parcels on their way.")

		// One parcel leaves: the order is both to ship and to receive.
		f.ship(paid, f.a, "SF1234567")
		mustContain(t, tab("to_ship"), card(paid))
		mustContain(t, tab("to_receive"), card(paid))
		f.ship(paid, f.b, "YT7654321")
		mustLack(t, tab("to_ship"), card(paid))
		body = tab("to_receive")
		mustContain(t, body, card(paid), "On its way", `href="/orders/`+strconv.FormatInt(paid.ID, 10)+`#parcels" data-test="receive"`)
		mustContain(t, tab("done"), `data-test="empty"`)
		mustContain(t, tab("aftersale"), `data-test="empty"`, "No after-sale requests.")
		if p := f.get("/orders?status=lost"); p.Status != http.StatusBadRequest {
			t.Errorf("unknown tab: %d", p.Status)
		}

		// Pages of 20, newest first: the 21st order is on the next page.
		for range 20 {
			o := f.checkout([2]int64{f.cup, 1})
			if _, err := db.CancelOrder(f.ctx, f.cust, o.ID); err != nil {
				t.Fatal(err)
			}
		}
		p = f.get("/orders")
		mustLack(t, p.Body, card(unpaid), card(paid))
		i := strings.Index(p.Body, `data-test="more"`)
		if i < 0 {
			t.Fatal("no link to older orders")
		}
		next := p.Body[strings.LastIndex(p.Body[:i], `href="`)+6 : i-2]
		p = f.get(strings.ReplaceAll(next, "&amp;", "&"))
		mustContain(t, p.Body, card(paid), card(unpaid))

		// Someone else's list is empty; nobody's is the sign-in page.
		f.account("stranger@example.com")
		mustContain(t, f.as("stranger@example.com").get("/orders").Body, `data-test="empty"`)
		if p := f.as("").get("/orders?status=unpaid"); p.Status != http.StatusSeeOther ||
			p.Header.Get("Location") != "/signin?next="+url.QueryEscape("/orders?status=unpaid") {
			t.Errorf("anonymous: %d %q", p.Status, p.Header.Get("Location"))
		}
	})
}

func TestOrderDetail(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		f.account("stranger@example.com")
		o := f.checkout([2]int64{f.tea, 2}, [2]int64{f.cup, 1})
		f.pay(o)
		f.ship(o, f.a, "SF1234567")
		p := f.get(orderPath(o, ""))
		if p.Status != http.StatusOK {
			t.Fatalf("detail: %d", p.Status)
		}
		mustContain(t, p.Body, `data-state="to_ship"`, "Li Lei", "138 0013 8000", "1 Test Road",
			"Parcel 1 of 2", "Parcel 2 of 2", `data-test="tracking">SF1234567<`, "SF Express", "On its way", "Being prepared",
			`data-test="subtotal">¥44.98<`, `data-test="total">¥44.98<`, "Oolong tea", "× 2", "¥19.99", "¥5.00",
			`class="done"><span class="step">Placed`, `class="done"><span class="step">Paid`, `class="done"><span class="step">Shipped`,
			`<li><span class="step">Received`, `data-test="receive"`)
		mustLack(t, p.Body, `data-test="pay"`, `data-test="refunded"`)

		// Only its customer sees it here: not another customer, not the
		// supplier who ships part of it.
		for _, who := range []string{"stranger@example.com", "a@example.com"} {
			g := f.as(who)
			for _, path := range []string{orderPath(o, ""), orderPath(o, "/aftersale?line="+strconv.FormatInt(o.Lines[0].ID, 10))} {
				if p := g.get(path); p.Status != http.StatusNotFound {
					t.Errorf("%s GET %s: %d", who, path, p.Status)
				}
			}
			for _, path := range []string{orderPath(o, "/pay"), orderPath(o, "/cancel"),
				orderPath(o, "/parcels/"+strconv.FormatInt(o.Fulfilments[0].ID, 10)+"/receive")} {
				if p := g.post(path, nil); p.Status != http.StatusNotFound {
					t.Errorf("%s POST %s: %d", who, path, p.Status)
				}
			}
		}
		for _, path := range []string{"/orders/999999", "/orders/abc", "/orders/0"} {
			if p := f.get(path); p.Status != http.StatusNotFound {
				t.Errorf("%s: %d", path, p.Status)
			}
		}
		if p := f.as("").get(orderPath(o, "")); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/signin?next=") {
			t.Errorf("anonymous: %d %q", p.Status, p.Header.Get("Location"))
		}

		// In Chinese, with the times in the program's zone.
		f.lang = "zh-CN"
		p = f.get(orderPath(o, ""))
		mustContain(t, p.Body, "待发货", "包裹 1 / 2", "运输中", "商品总额", "年")
	})
}

func TestOrderCancel(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		o := f.checkout([2]int64{f.tea, 10})
		p := f.get(orderPath(o, ""))
		mustContain(t, p.Body, `data-state="unpaid"`, `action="`+orderPath(o, "/cancel")+`" data-confirm="Cancel this order?`, `data-test="pay"`)
		p = f.post(orderPath(o, "/cancel"), nil)
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != orderPath(o, "?cancelled=1") {
			t.Fatalf("cancel: %d %q", p.Status, p.Header.Get("Location"))
		}
		p = f.get(orderPath(o, "?cancelled=1"))
		mustContain(t, p.Body, "The order is cancelled.", `data-state="cancelled"`, `class="done"><span class="step">Cancelled`)
		mustLack(t, p.Body, `data-test="pay"`, `data-test="cancel"`)
		// The ten units it held can be ordered again; paying the cancelled one cannot.
		again := f.checkout([2]int64{f.tea, 10})
		if p := f.post(orderPath(o, "/pay"), nil); p.Status != http.StatusConflict || !strings.Contains(p.Body, `data-test="form-error"`) {
			t.Errorf("pay a cancelled order: %d", p.Status)
		}
		// A paid order cannot be cancelled: the page says why.
		f.pay(again)
		p = f.post(orderPath(again, "/cancel"), nil)
		if p.Status != http.StatusConflict {
			t.Fatalf("cancel a paid order: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="form-error"`, "only an unpaid order can be cancelled", `data-state="to_ship"`)
		f.lang = "zh-CN"
		mustContain(t, f.post(orderPath(again, "/cancel"), nil).Body, "订单状态已变化")
	})
}

func TestOrderPayThroughSandbox(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		o := f.checkout([2]int64{f.tea, 1})
		// Back from the provider's page without paying: nothing changed.
		mustContain(t, f.get(orderPath(o, "?paid=1")).Body, "The payment has not arrived yet.", `data-state="unpaid"`)
		f.pay(o)
		p := f.get(orderPath(o, "?paid=1"))
		mustContain(t, p.Body, `role="status">Payment received, thank you!`, `data-state="to_ship"`, "Being prepared",
			`class="done"><span class="step">Paid`, `data-test="total">¥19.99<`)
		mustLack(t, p.Body, `data-test="pay"`)
		got, err := db.Order(f.ctx, f.cust, o.ID)
		if err != nil || got.Status != order.Paid {
			t.Fatalf("order %v %v", got.Status, err)
		}
		if p := f.post(orderPath(o, "/pay"), nil); p.Status != http.StatusConflict || !strings.Contains(p.Body, `data-test="form-error"`) {
			t.Errorf("pay twice: %d", p.Status)
		}
	})
}

func TestOrderConfirmReceipt(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		f.account("stranger@example.com")
		o := f.checkout([2]int64{f.tea, 1})
		f.pay(o)
		parcel := f.parcels(o)[0].ID
		receive := orderPath(o, "/parcels/"+strconv.FormatInt(parcel, 10)+"/receive")
		if p := f.post(receive, nil); p.Status != http.StatusConflict || !strings.Contains(p.Body, `data-test="form-error"`) {
			t.Fatalf("receive before shipping: %d", p.Status)
		}
		f.ship(o, f.a, "SF1234567")
		// One parcel on its way: the list's card confirms it at once.
		mustContain(t, f.get("/orders?status=to_receive").Body, `action="`+receive+`" data-confirm=`)
		p := f.get(orderPath(o, ""))
		mustContain(t, p.Body, `data-state="to_receive"`, "SF1234567", `action="`+receive+`"`)
		if p := f.as("stranger@example.com").post(receive, nil); p.Status != http.StatusNotFound {
			t.Errorf("another customer: %d", p.Status)
		}
		other := f.checkout([2]int64{f.cup, 1})
		if p := f.post(orderPath(other, "/parcels/"+strconv.FormatInt(parcel, 10)+"/receive"), nil); p.Status != http.StatusNotFound {
			t.Errorf("a parcel of another order: %d", p.Status)
		}
		p = f.post(receive, nil)
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != orderPath(o, "?received=1") {
			t.Fatalf("receive: %d %q", p.Status, p.Header.Get("Location"))
		}
		p = f.get(orderPath(o, "?received=1"))
		mustContain(t, p.Body, "Receipt confirmed", `data-state="received"`, `data-test="parcel-status">Received<`,
			`class="done"><span class="step">Received`, `data-test="ask-aftersale"`)
		mustLack(t, p.Body, `data-test="receive"`)
		mustContain(t, f.get("/orders?status=done").Body, card(o))
		if f.parcels(o)[0].Status != store.FulfilmentReceived {
			t.Error("the parcel is not received in the store")
		}
	})
}
