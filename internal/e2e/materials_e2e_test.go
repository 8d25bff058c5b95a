package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The supplier makes a material for its tea on its phone in Chinese: copy,
// a picture through the picture upload, published. A distributor opens
// Materials: the card shows the Chinese copy; one tap on Share makes her
// link, which carries the material, and draws the poster. A friend opens
// the link, and the supplier's list counts the visit for the material.
func TestMaterialShared(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		const lang = "zh"
		w := newWorld(t, app, "Longjing green tea")
		w.distributor("leaf@example.com", "Lee", "Leaf & Co", "")
		m := image.NewNRGBA(image.Rect(0, 0, 600, 400))
		for y := range 400 {
			for x := range 600 {
				m.Set(x, y, color.NRGBA{uint8(40 + x/10), uint8(120 + y/8), 60, 255})
			}
		}
		var b bytes.Buffer
		w.must(png.Encode(&b, m))
		picture := filepath.Join(t.TempDir(), "龙井.png")
		w.must(os.WriteFile(picture, b.Bytes(), 0o644))

		sup := app.SignedIn(lang, "sup@example.com", password)
		sup.Open("/sup/materials")
		sup.Choose(Label(T(lang, "materials.product")), "Longjing green tea")
		sup.Fill(Label(T(lang, "materials.copy_zh")), "明前龙井，今年第一批。")
		sup.Click(Button(T(lang, "materials.console.create")))
		attach(t, sup, Label(T(lang, "img.choose")), picture)
		sup.Click(Button(T(lang, "img.upload")))
		sup.WaitFor(Test("picture-0"))
		sup.ClickInPlace(Test("published"))
		sup.Click(Button(T(lang, "materials.edit.save")))
		sup.WaitFor(Test("published"))

		u := app.SignedIn(lang, "leaf@example.com", password)
		u.Open("/centre")
		u.Click(Test("entry-materials"))
		if got := u.Text(Test("material-copy")); got != "明前龙井，今年第一批。" {
			t.Errorf("the card's copy is %q", got)
		}
		u.Click(Button(T(lang, "materials.centre.share")))
		u.WaitFor(Test("poster-img"))
		link := u.Text(Test("link"))
		if !regexp.MustCompile(`/s/[0-9A-Z]+\?m=\d+$`).MatchString(link) {
			t.Fatalf("the shared link %q does not carry the material", link)
		}
		if got := u.Attr(Test("copy-material"), "data-copy"); got != "明前龙井，今年第一批。\n"+link {
			t.Errorf("one tap copies %q", got)
		}

		friend := app.Visitor(lang)
		if status := friend.Open(strings.TrimPrefix(link, app.URL)); status != http.StatusOK {
			t.Fatalf("the friend opens the link: %d", status)
		}
		sup.Open("/sup/materials")
		if got := sup.Text(Test("visits")); got != "1" {
			t.Errorf("the supplier's list counts %q visits, want 1", got)
		}
	})
}
