package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"sharemall/internal/store"
)

// The tea's supplier, in Chinese, ships two paid orders' parcels with a
// CSV file: the first row ships, the second (no tracking number) is
// refused with its line number and its parcel still waits. The customer
// then asks for a refund of the shipped tea; the supplier approves it
// after the confirmation and finds the case refunded.
func TestSupplierShipsByFileAndRefunds(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		const lang = "zh"
		w := newWorld(t, app, "西湖龙井")
		zhang := w.person("zhang@example.com", "张三")
		first := w.buy(zhang, w.tea.SKUs[0].ID, 1) // 100 g at ¥88.00
		second := w.buy(zhang, w.tea.SKUs[1].ID, 1)
		shipped, waiting := first.Fulfilments[0].ID, second.Fulfilments[0].ID

		u := app.SignedIn(lang, "sup@example.com", password)
		u.Open("/sup")
		if got := u.Text(Test("to-ship")); got != "2" {
			t.Errorf("the to-do counts %s parcels to ship", got)
		}
		u.Click(Test("todo-ship"))
		u.Click(Link(T(lang, "sup.upload.title")))
		file := filepath.Join(t.TempDir(), "发货.csv")
		csv := fmt.Sprintf("fulfilment_order_id,carrier,tracking_number\n#%d,顺丰速运,SF1234567890\n%d,顺丰速运,\n", shipped, waiting)
		w.must(os.WriteFile(file, []byte(csv), 0o644))
		attach(t, u, Label(T(lang, "sup.upload.file")), file)
		if status := u.Click(Button(T(lang, "sup.upload.button"))); status != http.StatusOK {
			t.Errorf("the upload: status %d", status)
		}
		if got := u.Text(Test("shipped-count")); got != T(lang, "sup.upload.shipped", 1, 2) {
			t.Errorf("the upload says %q", got)
		}
		if got := u.Texts(Test("row-error-2")); len(got) != 0 {
			t.Errorf("the good row is refused: %q", got)
		}
		if got := u.Text(Test("row-error-3")); !strings.HasPrefix(got, "3 ") || !strings.Contains(got, T(lang, "err.invalid.tracking_number")) {
			t.Errorf("the bad row's error reads %q", got)
		}

		u.Click(Link(T(lang, "sup.parcels.title")))
		if got := u.Text(Test(testID("status", waiting))); got != T(lang, "sup.parcel.status.released") {
			t.Errorf("the refused row's parcel is %q", got)
		}
		if u.Has(Test(testID("parcel", shipped))) {
			t.Error("the shipped parcel is still in the queue to ship")
		}
		u.Choose(Label(T(lang, "sup.filter.status")), T(lang, "sup.parcel.status.shipped"))
		u.Click(Button(T(lang, "sup.filter.apply")))
		row := Test(testID("parcel", shipped))
		if got := u.Text(Test(testID("status", shipped)).In(row)); got != T(lang, "sup.parcel.status.shipped") {
			t.Errorf("the shipped parcel is %q", got)
		}
		if got := u.Text(row); !strings.Contains(got, "顺丰速运 SF1234567890") {
			t.Errorf("the shipped parcel shows %q, want its carrier and number", got)
		}

		c, err := app.DB.OpenCase(w.ctx, zhang, first.Lines[0].ID, store.RefundOnly, 1, "茶叶受潮了")
		w.must(err)
		u.Open("/sup")
		u.Click(Test("todo-cases"))
		card := Test(testID("case", c.ID))
		if got := u.Text(card); !strings.Contains(got, "茶叶受潮了") || !strings.Contains(got, "¥88.00") {
			t.Errorf("the case shows %q, want the reason and ¥88.00", got)
		}
		asked := acceptDialogs(u)
		u.Click(Button(T(lang, "sup.case.approve")).In(card))
		if got := asked(); len(got) != 1 || got[0] != T(lang, "sup.case.approve_confirm", "¥88.00") {
			t.Errorf("approving asked %q", got)
		}
		u.WaitFor(Test("no-cases")) // back on the open cases, none left
		u.Choose(Label(T(lang, "sup.filter.status")), T(lang, "sup.case.status.refunded"))
		u.Click(Button(T(lang, "sup.filter.apply")))
		if got := u.Text(Test(testID("case-status", c.ID))); got != T(lang, "sup.case.status.refunded") {
			t.Errorf("the approved case is %q", got)
		}
		if got, err := app.DB.AfterSaleCase(w.ctx, zhang, c.ID); err != nil || got.Status != store.CaseRefunded {
			t.Errorf("the case in the store: %+v %v, want refunded", got, err)
		}
	})
}

// attach chooses files in the file field l finds, as a person picks them
// in the phone's file chooser.
func attach(t *testing.T, u *Tab, l Locator, files ...string) {
	t.Helper()
	u.WaitFor(l)
	ctx, cancel := context.WithTimeout(u.ctx, Patience)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		field, err := cdp.Call(ctx, target, runtime.Evaluate, runtime.EvaluateParams{Expression: l.first()})
		if err != nil {
			return err
		}
		if field.Result == nil || field.Result.ObjectID == "" {
			return fmt.Errorf("%s is gone", l)
		}
		_, err = cdp.Call(ctx, target, dom.SetFileInputFiles, dom.SetFileInputFilesParams{Files: files, ObjectID: field.Result.ObjectID})
		return err
	}))
	if err != nil {
		t.Fatalf("choose %v in %s: %v", files, l, err)
	}
	u.Check()
}
