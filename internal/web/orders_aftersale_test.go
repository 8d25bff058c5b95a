package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"sharemall/internal/order"
	"sharemall/internal/payment"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// received is a paid order of three teas, shipped and received.
func (f *shopFloor) received() *order.Order {
	f.t.Helper()
	o := f.checkout([2]int64{f.tea, 3})
	f.pay(o)
	f.ship(o, f.a, "SF1234567")
	if _, err := f.db.ConfirmReceipt(f.ctx, f.cust, f.parcels(o)[0].ID); err != nil {
		f.t.Fatal(err)
	}
	return o
}

// openCase sends the after-sale form and returns the new case's id.
func (f *shopFloor) openCase(o *order.Order, form url.Values) int64 {
	f.t.Helper()
	p := f.post(orderPath(o, "/aftersale"), form)
	loc := p.Header.Get("Location")
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(loc, "/aftersale/") || !strings.HasSuffix(loc, "?opened=1") {
		f.t.Fatalf("open case: %d %q", p.Status, loc)
	}
	id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(loc, "/aftersale/"), "?opened=1"), 10, 64)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func casePath(id int64, rest string) string { return "/aftersale/" + strconv.FormatInt(id, 10) + rest }

func TestAfterSaleRequest(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		f.account("stranger@example.com")
		o := f.received()
		line := strconv.FormatInt(o.Lines[0].ID, 10)
		form := orderPath(o, "/aftersale?line="+line)
		mustContain(t, f.get(orderPath(o, "")).Body, `href="`+form+`" data-test="ask-aftersale"`)
		p := f.get(form)
		if p.Status != http.StatusOK {
			t.Fatalf("form: %d", p.Status)
		}
		mustContain(t, p.Body, "Oolong tea", `name="line" value="`+line+`"`, `max="3"`, `value="3"`, "From 1 to 3.",
			`value="refund_only" checked`, `value="return_refund" data-test`)
		if p := f.get(orderPath(o, "/aftersale?line=999999")); p.Status != http.StatusNotFound {
			t.Errorf("a line of no order: %d", p.Status)
		}

		// Too many units: the message by the quantity, everything typed kept.
		typed := url.Values{"line": {line}, "kind": {"return_refund"}, "quantity": {"5"}, "reason": {"cracked lid <b>"}}
		p = f.post(orderPath(o, "/aftersale"), typed)
		if p.Status != http.StatusBadRequest {
			t.Fatalf("too many: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-quantity">must be at most 3`, `aria-invalid="true"`, `value="5"`,
			`>cracked lid &lt;b&gt;</textarea>`, `value="return_refund" checked`)
		for _, q := range []string{"", "two", "0"} {
			typed.Set("quantity", q)
			if p := f.post(orderPath(o, "/aftersale"), typed); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-quantity"`) {
				t.Errorf("quantity %q: %d", q, p.Status)
			}
		}
		typed.Set("quantity", "1")
		typed.Set("reason", " ")
		mustContain(t, f.post(orderPath(o, "/aftersale"), typed).Body, `data-test="error-reason"`)
		typed.Set("reason", "cracked lid")
		typed.Set("kind", "swap")
		mustContain(t, f.post(orderPath(o, "/aftersale"), typed).Body, `data-test="error-kind"`)
		f.lang = "zh-CN"
		typed.Set("kind", "return_refund")
		typed.Set("quantity", "4")
		p = f.post(orderPath(o, "/aftersale"), typed)
		mustContain(t, p.Body, `data-test="error-quantity">数量须为`, `>cracked lid</textarea>`, "申请售后")
		f.lang = "en"
		if p := f.as("stranger@example.com").post(orderPath(o, "/aftersale"), typed); p.Status != http.StatusNotFound {
			t.Errorf("another customer: %d", p.Status)
		}
		if list, _ := db.Cases(f.ctx, f.op, store.CaseFilter{}); len(list) != 0 {
			t.Fatalf("refusals opened %d cases", len(list))
		}

		// Asked: the case page says where it stands.
		typed.Set("quantity", "1")
		id := f.openCase(o, typed)
		p = f.get(casePath(id, "?opened=1"))
		mustContain(t, p.Body, "Request sent.", `data-status="open"`, "Waiting for the supplier", `data-test="case-amount">¥19.99<`,
			`data-test="case-reason">cracked lid<`, "Return and refund", `data-test="case-cancel"`, `class="done"><span class="step">Requested`)
		mustLack(t, p.Body, `data-test="return-form"`)
		p = f.get(orderPath(o, ""))
		mustContain(t, p.Body, `href="`+casePath(id, "")+`" data-test="line-case"`)
		mustLack(t, p.Body, `data-test="ask-aftersale"`)
		for _, path := range []string{"/aftersale", "/orders?status=aftersale"} {
			mustContain(t, f.get(path).Body, `data-test="case-`+strconv.FormatInt(id, 10)+`"`, "Oolong tea", "¥19.99", "Waiting for the supplier")
		}
		// A second request on the line while this one is open: said at the top.
		p = f.post(orderPath(o, "/aftersale"), typed)
		if p.Status != http.StatusConflict || !strings.Contains(p.Body, `data-test="form-error"`) {
			t.Errorf("second case: %d", p.Status)
		}
		for _, who := range []string{"stranger@example.com", "a@example.com"} {
			if p := f.as(who).get(casePath(id, "")); p.Status != http.StatusNotFound {
				t.Errorf("%s sees the case page: %d", who, p.Status)
			}
			if p := f.as(who).post(casePath(id, "/cancel"), nil); p.Status != http.StatusNotFound {
				t.Errorf("%s cancels the case: %d", who, p.Status)
			}
		}

		// Withdrawn while open.
		p = f.post(casePath(id, "/cancel"), nil)
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != casePath(id, "?cancelled=1") {
			t.Fatalf("cancel: %d %q", p.Status, p.Header.Get("Location"))
		}
		p = f.get(casePath(id, "?cancelled=1"))
		mustContain(t, p.Body, "Request withdrawn.", `data-status="cancelled"`, `class="done"><span class="step">Withdrawn`)
		mustLack(t, p.Body, `data-test="case-cancel"`)
	})
}

func TestAfterSaleReturn(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		o := f.received()
		id := f.openCase(o, url.Values{"line": {strconv.FormatInt(o.Lines[0].ID, 10)}, "kind": {"return_refund"}, "quantity": {"2"}, "reason": {"too big"}})
		sandbox := &payment.Sandbox{}
		if _, err := db.DecideCase(f.ctx, f.a, id, true, "send them back", sandbox); err != nil {
			t.Fatal(err)
		}
		p := f.get(casePath(id, ""))
		mustContain(t, p.Body, `data-status="approved"`, `data-test="case-note">send them back<`, `data-test="return-form"`,
			`class="done"><span class="step">Approved`)
		mustLack(t, p.Body, `data-test="case-cancel"`)

		// A bad tracking number: said by the field, the carrier kept.
		p = f.post(casePath(id, "/return"), url.Values{"carrier": {"SF Express"}, "tracking_number": {"SF 98"}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("bad tracking: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-tracking_number"`, `value="SF Express"`, `value="SF 98"`)
		f.lang = "zh-CN"
		mustContain(t, f.post(casePath(id, "/return"), url.Values{"carrier": {""}, "tracking_number": {"SF9876"}}).Body,
			`data-test="error-carrier">请填写快递公司`, `value="SF9876"`)
		f.lang = "en"
		p = f.post(casePath(id, "/return"), url.Values{"carrier": {"SF Express"}, "tracking_number": {"SF9876"}})
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != casePath(id, "?returned=1") {
			t.Fatalf("return: %d %q", p.Status, p.Header.Get("Location"))
		}
		mustContain(t, f.get(casePath(id, "?returned=1")).Body, "Return details saved.", "Sent back: SF Express SF9876",
			`data-test="case-return">SF Express · SF9876<`)

		// The goods arrive: refunded, and the order shows it.
		if _, err := db.ReturnReceived(f.ctx, f.a, id, sandbox); err != nil {
			t.Fatal(err)
		}
		p = f.get(casePath(id, ""))
		mustContain(t, p.Body, `data-status="refunded"`, "Refunded ¥39.98")
		mustLack(t, p.Body, `data-test="return-form"`)
		p = f.get(orderPath(o, ""))
		mustContain(t, p.Body, `data-test="refunded">−¥39.98<`, `data-test="refunded-units">2 refunded<`, "Refunded ¥39.98",
			`data-test="ask-aftersale"`,                                                                                  // one unit left
			`data-test="payments"`, `data-test="refund" data-status="done"><span class="refund">−¥39.98</span> refunded`) // the payment shows its refund
		mustContain(t, f.get("/aftersale").Body, "Refunded")
	})
}
