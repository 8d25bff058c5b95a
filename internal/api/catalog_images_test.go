package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/media"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// testPNG is a w×h picture with some colour in it.
func testPNG(t *testing.T, w, h int) []byte {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, color.NRGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload posts content as the multipart field field, as a browser's form does.
func (ta *testAPI) upload(path, token, field, filename string, content []byte) *response {
	ta.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("note", "a field before the picture")
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		ta.t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, ta.http.URL+path, &body)
	if err != nil {
		ta.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := ta.http.Client().Do(req)
	if err != nil {
		ta.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	json.Unmarshal(raw, &out.Body)
	if res.StatusCode >= 500 {
		ta.t.Errorf("POST %s: server error %d: %s", path, res.StatusCode, raw)
	}
	req.Body = io.NopCloser(bytes.NewReader(nil))
	ta.validate(req, out)
	return out
}

func images(t *testing.T, res *response) []string {
	t.Helper()
	var out []string
	for _, v := range res.Body["images"].([]any) {
		out = append(out, v.(string))
	}
	return out
}

func TestProductImagesAPI(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		dir := t.TempDir()
		local, err := media.NewLocal(dir)
		if err != nil {
			t.Fatal(err)
		}
		const limit = 200 << 10
		ta := newTestAPI(t, db, func(c *Config) { c.Media, c.MediaMaxBytes = local, limit })
		w := newCatWorld(t, ta)
		files := func() []string {
			t.Helper()
			got, _ := filepath.Glob(filepath.Join(dir, "p", "*"))
			return got
		}
		pa := fmt.Sprintf("/api/v1/products/%d", w.prodA)

		res := ta.upload(pa+"/images", w.tok["a"], "image", "tea.png", testPNG(t, 1500, 500)).must(t, 201)
		imgs := images(t, res)
		want := regexp.MustCompile(fmt.Sprintf(`^/media/p/%d-[0-9a-f]{32}\.jpg$`, w.prodA))
		if len(imgs) != 1 || !want.MatchString(imgs[0]) {
			t.Fatalf("images %v", imgs)
		}
		if len(files()) != 2 {
			t.Fatalf("files %v, want the picture and its thumbnail", files())
		}
		large, err := os.ReadFile(filepath.Join(dir, strings.TrimPrefix(imgs[0], "/media/")))
		if err != nil {
			t.Fatal(err)
		}
		if cfg, format, err := image.DecodeConfig(bytes.NewReader(large)); err != nil || format != "jpeg" || cfg.Width != 1200 || cfg.Height != 400 {
			t.Fatalf("stored %s %dx%d, %v", format, cfg.Width, cfg.Height, err)
		}
		thumb, err := os.ReadFile(filepath.Join(dir, strings.TrimPrefix(media.ThumbURL(imgs[0]), "/media/")))
		if err != nil {
			t.Fatal(err)
		}
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(thumb)); err != nil || cfg.Width != 600 {
			t.Fatalf("thumbnail %dx%d, %v", cfg.Width, cfg.Height, err)
		}
		// The same file again changes nothing.
		if again := images(t, ta.upload(pa+"/images", w.tok["a"], "image", "again.png", testPNG(t, 1500, 500)).must(t, 201)); len(again) != 1 {
			t.Fatalf("after the same picture again: %v", again)
		}
		second := images(t, ta.upload(pa+"/images", w.tok["op"], "image", "b.png", testPNG(t, 300, 300)).must(t, 201))
		if len(second) != 2 {
			t.Fatalf("images %v", second)
		}

		before, nFiles := w.snapshot(t, pa), len(files())
		var gif bytes.Buffer
		gif.WriteString("GIF89a\x01\x00\x01\x00")
		noise := bytes.Repeat([]byte{0xff, 0xd8, 0xff, 0x01}, limit/4+1) // starts like a JPEG, over the limit
		for _, sc := range []struct {
			name, path, who, field, file string
			content                      []byte
			status                       int
			code                         errs.Code
			field2                       string
			message                      string
		}{
			{"GIF", pa + "/images", "a", "image", "x.gif", gif.Bytes(), 400, errs.Invalid, "image", "must be a JPEG, PNG or WebP picture"},
			{"text named .jpg", pa + "/images", "a", "image", "x.jpg", []byte("not a picture at all"), 400, errs.Invalid, "image", "must be a JPEG, PNG or WebP picture"},
			{"empty file", pa + "/images", "a", "image", "", nil, 400, errs.Invalid, "image", "is empty: choose a picture"},
			{"other field", pa + "/images", "a", "file", "a.png", testPNG(t, 10, 10), 400, errs.Invalid, "image", "choose a picture to upload"},
			{"over the limit", pa + "/images", "a", "image", "big.jpg", noise, 413, errs.TooLarge, "image", "must be at most 200 KB"},
			{"far over the limit", pa + "/images", "a", "image", "huge.jpg", bytes.Repeat(noise, 3), 413, errs.TooLarge, "image", "must be at most 200 KB"},
			{"another supplier's", pa + "/images", "b", "image", "a.png", testPNG(t, 10, 10), 403, errs.Forbidden, "", ""},
			{"another supplier's, off sale", fmt.Sprintf("/api/v1/products/%d/images", w.hiddenB), "a", "image", "a.png", testPNG(t, 10, 10), 404, errs.NotFound, "", ""},
			{"customer", pa + "/images", "cust", "image", "a.png", testPNG(t, 10, 10), 403, errs.Forbidden, "", ""},
			{"anonymous", pa + "/images", "anon", "image", "a.png", testPNG(t, 10, 10), 401, errs.Unauthorized, "", ""},
			{"no product", "/api/v1/products/99999/images", "a", "image", "a.png", testPNG(t, 10, 10), 404, errs.NotFound, "", ""},
		} {
			t.Run(sc.name, func(t *testing.T) {
				res := ta.upload(sc.path, w.tok[sc.who], sc.field, sc.file, sc.content)
				if res.Status != sc.status {
					t.Fatalf("status %d, want %d: %s", res.Status, sc.status, res.Raw)
				}
				res.wantErr(t, sc.code, sc.field2)
				if sc.message != "" && res.errMessage() != sc.message {
					t.Fatalf("message %q, want %q", res.errMessage(), sc.message)
				}
			})
		}
		ta.do("POST", pa+"/images", w.tok["a"], map[string]any{"image": "x"}).must(t, 400).wantErr(t, errs.Invalid, "image")
		if after := w.snapshot(t, pa); after != before || len(files()) != nFiles {
			t.Fatalf("refusals changed the product or left files: %d files, want %d\n%s\n%s", len(files()), nFiles, before, after)
		}

		// Cover, then remove: the removed picture's files go.
		got := images(t, ta.do("POST", pa+"/images/1/cover", w.tok["a"], nil).must(t, 200))
		if got[0] != second[1] || got[1] != second[0] {
			t.Fatalf("after cover %v, was %v", got, second)
		}
		ta.do("POST", pa+"/images/1/cover", w.tok["b"], nil).must(t, 403).wantErr(t, errs.Forbidden, "")
		ta.do("DELETE", pa+"/images/0", w.tok["b"], nil).must(t, 403).wantErr(t, errs.Forbidden, "")
		ta.do("DELETE", pa+"/images/5", w.tok["a"], nil).must(t, 404).wantErr(t, errs.NotFound, "")
		ta.do("DELETE", pa+"/images/x", w.tok["a"], nil).must(t, 400).wantErr(t, errs.Invalid, "n")
		got = images(t, ta.do("DELETE", pa+"/images/0", w.tok["a"], nil).must(t, 200))
		if len(got) != 1 || got[0] != second[0] {
			t.Fatalf("after remove %v", got)
		}
		if len(files()) != 2 {
			t.Fatalf("files after remove: %v", files())
		}

		// Full: refused before the picture is read.
		for i := len(got); i < catalog.MaxImages; i++ {
			ta.upload(pa+"/images", w.tok["a"], "image", "n.png", testPNG(t, 20+i, 20)).must(t, 201)
		}
		nFiles = len(files())
		ta.upload(pa+"/images", w.tok["a"], "image", "c.png", testPNG(t, 20, 20)).must(t, 409).wantErr(t, errs.Conflict, "image")
		if len(files()) != nFiles {
			t.Fatalf("a refused upload left files: %v", files())
		}
	})
}

// TestSlowUploadOutlastsReadTimeout: a picture trickling in from a phone
// on a slow network is not cut off by the server's read timeout, which
// suits forms.
func TestSlowUploadOutlastsReadTimeout(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		local, err := media.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		ta := newTestAPI(t, db, func(c *Config) { c.Media = local })
		w := newCatWorld(t, ta)
		slow := httptest.NewUnstartedServer(ta.srv.Handler())
		slow.Config.ReadTimeout = 300 * time.Millisecond
		slow.Start()
		defer slow.Close()

		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("image", "slow.png")
		fw.Write(testPNG(t, 200, 200))
		mw.Close()
		pr, pw := io.Pipe()
		go func() {
			b := body.Bytes()
			for i := 0; i < len(b); i += len(b)/8 + 1 {
				pw.Write(b[i:min(len(b), i+len(b)/8+1)])
				time.Sleep(100 * time.Millisecond) // 0.9 s in all, three times the read timeout
			}
			pw.Close()
		}()
		req, _ := http.NewRequest(http.MethodPost, slow.URL+fmt.Sprintf("/api/v1/products/%d/images", w.prodA), pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+w.tok["a"])
		res, err := slow.Client().Do(req)
		if err != nil {
			t.Fatalf("the slow upload was cut off: %v", err)
		}
		defer res.Body.Close()
		if raw, _ := io.ReadAll(res.Body); res.StatusCode != http.StatusCreated {
			t.Fatalf("slow upload: %d %s", res.StatusCode, raw)
		}
	})
}
