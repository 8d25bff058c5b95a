package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// loadedImage waits for the picture css finds to load (scrolled into
// view, for a lazy one) and returns its natural width and its src; width
// 0 is a picture that failed to load.
func loadedImage(u *Tab, css string) (int, string) {
	var out struct {
		Width int
		Src   string
	}
	u.Eval(`new Promise(done => {
		const img = document.querySelector(`+jsString(css)+`);
		if (!img) { done({width: -1, src: ""}); return; }
		img.scrollIntoView();
		const report = () => done({width: img.naturalWidth, src: img.getAttribute("src")});
		if (img.complete) { report(); return; }
		img.addEventListener("load", report);
		img.addEventListener("error", report);
	})`, &out)
	return out.Width, out.Src
}

// A supplier, in Chinese on a phone, adds a picture it made (a PNG) to its
// tea from the product's page: a file over the limit is refused as soon as
// it is chosen, and a file that is not a picture by the server, both by
// the field. The page then shows the picture as the cover, and a
// customer opening the tea sees it, 1200 px wide; the shop's grid shows
// the 600 px thumbnail.
func TestSupplierUploadsImage(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		const lang = "zh"
		w := newWorld(t, app, "西湖龙井")
		dir := t.TempDir()
		m := image.NewNRGBA(image.Rect(0, 0, 1800, 1200))
		for y := 0; y < 1200; y++ {
			for x := 0; x < 1800; x++ {
				m.Set(x, y, color.NRGBA{uint8(40 + x/20), uint8(120 + y/12), 60, 255})
			}
		}
		var b bytes.Buffer
		w.must(png.Encode(&b, m))
		picture := filepath.Join(dir, "龙井.png")
		w.must(os.WriteFile(picture, b.Bytes(), 0o644))
		notPicture := filepath.Join(dir, "说明.png")
		w.must(os.WriteFile(notPicture, []byte("这不是图片，只是改了文件名。"), 0o644))

		u := app.SignedIn(lang, "sup@example.com", password)
		u.Open(fmt.Sprintf("/sup/products/%d", w.tea.ID))
		u.WaitFor(Test("no-pictures"))

		// Over the limit: refused as soon as it is chosen, and not sent.
		big := filepath.Join(dir, "大图.jpg")
		w.must(os.WriteFile(big, append([]byte{0xff, 0xd8, 0xff}, make([]byte, 9<<20)...), 0o644))
		attach(t, u, Label(T(lang, "img.choose")), big)
		if got := u.Text(Test("error-image-size")); got != T(lang, "img.too_large", 8) {
			t.Errorf("a 9 MB file: the field says %q", got)
		}
		u.ClickInPlace(Button(T(lang, "img.upload")))
		time.Sleep(500 * time.Millisecond) // time for a page to come back, had the form been sent
		if u.Has(Test("error-image")) || u.Text(Test("error-image-size")) == "" {
			t.Error("the 9 MB file was sent: the server's answer replaced the page")
		}
		if got, err := app.DB.Product(w.ctx, w.sup, w.tea.ID); err != nil || len(got.Images) != 0 {
			t.Fatalf("the 9 MB file was stored: %v %v", got.Images, err)
		}

		attach(t, u, Label(T(lang, "img.choose")), notPicture)
		if u.Has(Test("error-image-size")) && u.Text(Test("error-image-size")) != "" {
			t.Errorf("a small file still shows %q", u.Text(Test("error-image-size")))
		}
		u.Click(Button(T(lang, "img.upload")))
		if got := u.Text(Test("error-image")); got != T(lang, "err.invalid.image") {
			t.Errorf("a text file named .png: the field says %q", got)
		}
		if u.Has(Test("picture-0")) {
			t.Error("the refused file shows as a picture")
		}

		attach(t, u, Label(T(lang, "img.choose")), picture)
		u.Click(Button(T(lang, "img.upload")))
		u.WaitFor(Test("picture-0"))
		if u.Has(Test("error-image")) {
			t.Errorf("the picture is refused: %q", u.Text(Test("error-image")))
		}
		if got := u.Text(Test("cover").In(Test("picture-0"))); got != T(lang, "img.cover") {
			t.Errorf("the first picture is marked %q, want the cover", got)
		}
		width, thumb := loadedImage(u, `[data-test="picture-0"] img`)
		if width != 600 || !strings.HasSuffix(thumb, "-t.jpg") {
			t.Errorf("the console shows %s, %d px wide; want the 600 px thumbnail", thumb, width)
		}
		got, err := app.DB.Product(w.ctx, w.sup, w.tea.ID)
		w.must(err)
		if len(got.Images) != 1 || strings.TrimSuffix(got.Images[0], ".jpg")+"-t.jpg" != thumb {
			t.Fatalf("the product's pictures: %v", got.Images)
		}

		c := app.Visitor(lang)
		c.Open(fmt.Sprintf("/p/%d", w.tea.ID))
		width, src := loadedImage(c, `[data-slides] img`)
		if width != 1200 || src != got.Images[0] {
			t.Errorf("the customer's product page shows %s, %d px wide; want %s, 1200 px", src, width, got.Images[0])
		}
		c.Open("/")
		if width, src := loadedImage(c, `img[src="`+thumb+`"]`); width != 600 {
			t.Errorf("the catalogue shows %s, %d px wide; want the thumbnail", src, width)
		}
	})
}
