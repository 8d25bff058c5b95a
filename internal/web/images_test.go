package web_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"sharemall/internal/catalog"
	"sharemall/internal/media"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func pngPicture(t *testing.T, w, h int) []byte {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, color.NRGBA{uint8(x), 160, uint8(y), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// uploadPicture sends a file in the field image, as the pictures form does.
func (s *testSite) uploadPicture(path, name string, content []byte) *page {
	s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("image", name)
	if err != nil {
		s.t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, s.url+path, &body)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", s.url)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return s.do(req)
}

func TestSupProductPictures(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		ps, err := db.Products(f.ctx, f.a, store.ProductFilter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var tea catalog.Product
		for _, p := range ps {
			if p.Title == "Oolong tea" {
				tea = p
			}
		}
		loc := "/sup/products/" + id(tea.ID)
		f.signIn("a@example.com")
		p := f.get(loc)
		mustContain(t, p.Body, `data-test="no-pictures"`, `enctype="multipart/form-data"`, `name="image"`, `accept="image/jpeg,image/png,image/webp"`, "up to 8 MB")
		mustLack(t, p.Body, `name="images"`) // the list is managed one picture at a time here

		// Refusals by the field, nothing stored.
		p = f.uploadPicture(loc+"/images", "notes.png", []byte("GIF89a, not what the name says"))
		if p.Status != http.StatusBadRequest {
			t.Fatalf("GIF: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-image"`, "must be a JPEG, PNG or WebP picture", `aria-invalid="true"`)
		p = f.uploadPicture(loc+"/images", "huge.jpg", append([]byte{0xff, 0xd8, 0xff}, make([]byte, media.DefaultMaxBytes)...))
		if p.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("too large: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-image"`, "must be at most 8 MB")
		f.lang = "zh"
		p = f.uploadPicture(loc+"/images", "notes.png", []byte("not a picture"))
		mustContain(t, p.Body, "请选择 JPEG、PNG 或 WebP 格式")
		f.lang = "en"
		if got, _ := db.Product(f.ctx, f.a, tea.ID); len(got.Images) != 0 {
			t.Fatalf("refusals stored %v", got.Images)
		}

		// A form on another site cannot upload in the supplier's name.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("image", "x.png")
		fw.Write(pngPicture(t, 10, 10))
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, f.url+loc+"/images", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if p := f.do(req); p.Status != http.StatusForbidden {
			t.Fatalf("a cross-site upload: %d", p.Status)
		}
		if got, _ := db.Product(f.ctx, f.a, tea.ID); len(got.Images) != 0 {
			t.Fatalf("a cross-site upload stored %v", got.Images)
		}

		// Two pictures: the first is the cover.
		for _, size := range [][2]int{{1600, 1000}, {400, 400}} {
			p = f.uploadPicture(loc+"/images", "tea.png", pngPicture(t, size[0], size[1]))
			if p.Status != http.StatusSeeOther || p.Header.Get("Location") != loc+"#pictures" {
				t.Fatalf("upload: %d %s", p.Status, p.Header.Get("Location"))
			}
		}
		got, _ := db.Product(f.ctx, f.a, tea.ID)
		if len(got.Images) != 2 {
			t.Fatalf("images %v", got.Images)
		}
		first, second := got.Images[0], got.Images[1]
		p = f.get(loc)
		mustContain(t, p.Body, `data-test="picture-0"`, `data-test="picture-1"`, `data-test="cover"`, `src="`+media.ThumbURL(first)+`"`, "2 of 10")

		mustContain(t, f.get("/sup/products").Body, `<img src="`+media.ThumbURL(first)+`"`) // the cover in the list

		// The files are served, immutable, as JPEG.
		for _, u := range []string{first, media.ThumbURL(first)} {
			img := f.get(u)
			if img.Status != http.StatusOK || img.Header.Get("Content-Type") != "image/jpeg" || !strings.Contains(img.Header.Get("Cache-Control"), "immutable") {
				t.Fatalf("GET %s: %d %v", u, img.Status, img.Header)
			}
			if cfg, format, err := image.DecodeConfig(strings.NewReader(img.Body)); err != nil || format != "jpeg" ||
				(u == first && cfg.Width != 1200) || (u != first && cfg.Width != 600) {
				t.Fatalf("%s: %s %dx%d %v", u, format, cfg.Width, cfg.Height, err)
			}
		}

		// Customers: the product page shows the large picture, lists the thumbnail.
		f.signIn("buyer@example.com")
		mustContain(t, f.get("/p/"+id(tea.ID)).Body, `src="`+first+`"`, `src="`+second+`"`)
		mustContain(t, f.get("/").Body, `src="`+media.ThumbURL(first)+`"`)

		// Another supplier can do nothing to them.
		f.signIn("b@example.com")
		if p := f.uploadPicture(loc+"/images", "x.png", pngPicture(t, 10, 10)); p.Status != http.StatusNotFound {
			t.Errorf("B uploads to A's product: %d", p.Status)
		}
		for _, path := range []string{loc + "/images/0/remove", loc + "/images/1/cover"} {
			if p := f.post(path, nil); p.Status != http.StatusNotFound && p.Status != http.StatusForbidden {
				t.Errorf("B posts %s: %d", path, p.Status)
			}
		}

		// Cover, then remove: the removed picture's files go.
		f.signIn("a@example.com")
		if p := f.post(loc+"/images/1/cover", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("cover: %d %s", p.Status, p.Body)
		}
		if got, _ = db.Product(f.ctx, f.a, tea.ID); got.Images[0] != second {
			t.Fatalf("after cover %v", got.Images)
		}
		if p := f.post(loc+"/images/1/remove", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("remove: %d %s", p.Status, p.Body)
		}
		if got, _ = db.Product(f.ctx, f.a, tea.ID); len(got.Images) != 1 || got.Images[0] != second {
			t.Fatalf("after remove %v", got.Images)
		}
		if img := f.get(first); img.Status != http.StatusNotFound {
			t.Fatalf("removed picture still served: %d", img.Status)
		}
		if p := f.post(loc+"/images/7/remove", nil); p.Status != http.StatusNotFound {
			t.Fatalf("remove a picture it does not have: %d", p.Status)
		}
		// Saving the details keeps the pictures (the form has no images field).
		if p := f.post(loc, map[string][]string{"title": {"Oolong tea"}, "on_sale": {"on"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", p.Status, p.Body)
		}
		if got, _ = db.Product(f.ctx, f.a, tea.ID); len(got.Images) != 1 {
			t.Fatalf("saving the details dropped the pictures: %v", got.Images)
		}
		if !regexp.MustCompile(`^/media/p/[0-9]+-[0-9a-f]{32}\.jpg$`).MatchString(second) {
			t.Fatalf("picture URL %q", second)
		}
	})
}
