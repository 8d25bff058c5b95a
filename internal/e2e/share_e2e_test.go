package e2e

import (
	"fmt"
	"net/http"
	"testing"
)

// A visitor opens Leaf & Co's share link of a tea: the landing says whose
// shop she is in and shows the shop's price (above retail), not retail;
// she opens the product, the first tap on "Add to cart" slides the sizes
// up, she picks 250 g, and the form would add that size at the shop's
// price. (It is not sent: the cart is another journey's.)
func TestShareLinkToProduct(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		w := newWorld(t, app, "Longjing green tea")
		_, leaf := w.distributor("leaf@example.com", "Lee", "Leaf & Co", "")
		w.shopPrice(leaf, 9800, 17800) // retail 88.00 and 168.00
		link := w.shareLink(leaf, w.tea.ID)

		u := app.Visitor("en")
		if status := u.Open(link); status != http.StatusOK {
			t.Fatalf("the share link: status %d", status)
		}
		u.See("You are shopping in")
		if got := u.Text(Test("shop-name")); got != "Leaf & Co" {
			t.Errorf("shopping in %q, want Leaf & Co", got)
		}
		if got := u.Text(Test("price").In(Test("shared-product"))); got != T("en", "shop.from", "¥98.00") {
			t.Errorf("the shared tea costs %q, want the shop's from ¥98.00", got)
		}

		u.Click(Link("Buy now"))
		if got := u.Text(Test("product-title")); got != "Longjing green tea" {
			t.Fatalf("the product page shows %q", got)
		}
		chooseSize(t, u, w.tea.SKUs[1].ID)
	})
}

// chooseSize opens the sheet of sizes as the first tap on "Add to cart"
// does, picks the 250 g (sku) and checks what the form would send.
func chooseSize(t *testing.T, u *Tab, sku int64) {
	t.Helper()
	if got := u.Text(Test("price")); got != "¥98.00" {
		t.Errorf("the first size costs %q, want ¥98.00", got)
	}
	u.ClickInPlace(Button("Add to cart"))
	u.ClickInPlace(Test(fmt.Sprint("sku-", sku)))
	if got := u.Text(Test("price")); got != "¥178.00" {
		t.Errorf("250 g costs %q, want the shop's ¥178.00", got)
	}
	if got := u.Text(Test("stock-" + fmt.Sprint(sku))); got != "In stock" {
		t.Errorf("250 g is %q", got)
	}
	var form struct{ Action, SKU, Quantity string }
	u.Eval(`(f => ({Action: f.getAttribute("action"), SKU: new FormData(f).get("sku_id"), Quantity: new FormData(f).get("quantity")}))(`+
		Button("Add to cart").first()+`.form)`, &form)
	if form.Action != "/cart/add" || form.SKU != fmt.Sprint(sku) || form.Quantity != "1" {
		t.Errorf("the add-to-cart form would send %+v, want one of SKU %d to /cart/add", form, sku)
	}
}
