package web_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/auditexport"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestMaterialsPages: the operator makes a material (a refusal shows by
// its field), uploads its picture through the picture pipeline and
// publishes it; a distributor sees it in its language and shares it with
// one tap, which makes its link carrying the material; a visit through
// that link is counted on the operator's list, a plain visit is not.
func TestMaterialsPages(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCentreWorld(t, db)
		hash, err := account.HashPassword(account.HashParams{Memory: 64, Time: 1, Threads: 1}, "correct horse 1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateAccount(w.ctx, account.SignUp{Email: "boss@example.com"}, hash, account.Operator); err != nil {
			t.Fatal(err)
		}
		ops := w.browser()
		if p := ops.post("/signin", url.Values{"login": {"boss@example.com"}, "password": {"correct horse 1"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("operator signs in: %d", p.Status)
		}
		wantStatus(t, "a distributor in the materials console", w.s.get("/ops/materials"), http.StatusForbidden)
		p := ops.get("/ops/materials")
		wantStatus(t, "materials", p, http.StatusOK)
		mustContain(t, p.Body, `data-test="empty"`, "Oolong 乌龙")

		pid := fmt.Sprint(w.prod.ID)
		p = ops.post("/ops/materials", url.Values{"product_id": {pid}, "copy_zh": {" "}, "copy_en": {""}})
		wantStatus(t, "no copy", p, http.StatusBadRequest)
		mustContain(t, p.Body, `data-test="error-copy_zh"`)
		p = ops.post("/ops/materials", url.Values{"product_id": {pid}, "copy_zh": {"春茶上新"}, "campaign_id": {"x"}})
		wantStatus(t, "bad campaign", p, http.StatusBadRequest)
		mustContain(t, p.Body, `data-test="error-campaign_id"`, "春茶上新")
		p = ops.post("/ops/materials", url.Values{"product_id": {pid}, "copy_zh": {"春茶上新"}, "copy_en": {"New spring tea"}})
		if p.Status != http.StatusSeeOther || !regexp.MustCompile(`^/ops/materials/\d+$`).MatchString(p.Header.Get("Location")) {
			t.Fatalf("create: %d %s", p.Status, p.Header.Get("Location"))
		}
		edit := p.Header.Get("Location")
		id := strings.TrimPrefix(edit, "/ops/materials/")

		p = ops.post(edit, url.Values{"copy_zh": {"春茶上新"}, "published": {"1"}})
		wantStatus(t, "publish without a picture", p, http.StatusConflict)
		mustContain(t, p.Body, `data-test="error-images"`)
		if up := ops.uploadPicture(edit+"/images", "tea.png", pngPicture(t, 400, 300)); up.Status != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", up.Status, up.Body)
		}
		wantRedirect(t, "publish", ops.post(edit, url.Values{"copy_zh": {"春茶上新"}, "copy_en": {"New spring tea"}, "published": {"1"}}), "/ops/materials?saved=1")
		mustContain(t, ops.get(edit).Body, `data-test="picture-0"`, `checked`)

		// The distributor, in Chinese and in English.
		w.s.lang = "zh"
		p = w.s.get("/centre/materials")
		wantStatus(t, "centre materials", p, http.StatusOK)
		mustContain(t, p.Body, `data-test="material-`+id+`"`, "春茶上新", `data-test="share-`+id+`"`)
		w.s.lang = "en"
		mustContain(t, w.s.get("/centre/materials").Body, "New spring tea")
		wantRedirect(t, "share", w.s.post("/centre/materials/"+id+"/share", nil), "/centre/materials/"+id)
		p = w.s.get("/centre/materials/" + id)
		link := regexp.MustCompile(`href="([^"]*/s/[0-9A-Z]+\?m=` + id + `)" data-test="link"`).FindStringSubmatch(p.Body)
		if link == nil {
			t.Fatalf("no link with the material on its share page:\n%s", p.Body)
		}
		mustContain(t, p.Body, `data-copy="New spring tea`+"\n"+link[1]+`"`, `data-qr="/centre/materials/`+id+`/qr.png"`, `data-poster`)
		if png := w.s.get("/centre/materials/" + id + "/qr.png"); png.Status != http.StatusOK || png.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("material QR: %d", png.Status)
		}
		mustContain(t, w.s.get("/centre/materials").Body, `data-test="copy-material"`)

		// Two friends open the material's link, one the plain link.
		friend := w.browser()
		wantStatus(t, "landing via material", friend.get(strings.TrimPrefix(link[1], w.s.url)), http.StatusOK)
		wantStatus(t, "again", w.browser().get(strings.TrimPrefix(link[1], w.s.url)), http.StatusOK)
		plain := strings.TrimPrefix(strings.SplitN(link[1], "?", 2)[0], w.s.url)
		wantStatus(t, "plain landing", w.browser().get(plain), http.StatusOK)
		wantStatus(t, "junk material", w.browser().get(plain+"?m=abc"), http.StatusOK)
		p = ops.get("/ops/materials")
		if m := regexp.MustCompile(`data-test="visits">(\d+)<`).FindStringSubmatch(p.Body); m == nil || m[1] != "2" {
			t.Fatalf("material visits on the list: %v", m)
		}
		p = ops.get("/ops/insight/fission")
		wantStatus(t, "share funnel", p, http.StatusOK)
		if m := regexp.MustCompile(`data-test="material-row-` + id + `">.*?data-test="visits">(\d+)<`).FindStringSubmatch(p.Body); m == nil || m[1] != "2" {
			t.Fatalf("the share funnel's material row: %v", m)
		}
		wantStatus(t, "unpublished or unknown material", w.s.get("/centre/materials/999999"), http.StatusNotFound)
	})
}

// TestAuditExportDownload: the operator's console downloads the period's
// zip, which verifies; a bad date re-renders the form by its field; only
// operators may.
func TestAuditExportDownload(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCentreWorld(t, db)
		hash, _ := account.HashPassword(account.HashParams{Memory: 64, Time: 1, Threads: 1}, "correct horse 1")
		if _, err := db.CreateAccount(w.ctx, account.SignUp{Email: "boss@example.com"}, hash, account.Operator); err != nil {
			t.Fatal(err)
		}
		ops := w.browser()
		if p := ops.post("/signin", url.Values{"login": {"boss@example.com"}, "password": {"correct horse 1"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("operator signs in: %d", p.Status)
		}
		wantStatus(t, "a distributor", w.s.get("/ops/audit/regulator"), http.StatusForbidden)
		mustContain(t, ops.get("/ops/audit/regulator").Body, `data-test="audit-export"`)
		p := ops.get("/ops/audit/regulator?download=1&from=2026-13-01&to=2026-01-31")
		wantStatus(t, "bad from", p, http.StatusBadRequest)
		mustContain(t, p.Body, `data-test="error-from"`)
		today := db.Now().Format("2006-01-02")
		p = ops.get("/ops/audit/regulator?download=1&from=2020-01-01&to=" + today)
		wantStatus(t, "too long", p, http.StatusBadRequest)
		mustContain(t, p.Body, `data-test="error-to"`)

		from := db.Now().AddDate(0, 0, -7).Format("2006-01-02")
		p = ops.get("/ops/audit/regulator?download=1&from=" + from + "&to=" + today)
		if p.Status != http.StatusOK || p.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("download: %d %s", p.Status, p.Header.Get("Content-Type"))
		}
		m, problems, err := auditexport.Verify(strings.NewReader(p.Body), int64(len(p.Body)))
		if err != nil || len(problems) != 0 || m.To != today {
			t.Fatalf("the download does not verify: %v %v %+v", problems, err, m)
		}
		zr, _ := zip.NewReader(bytes.NewReader([]byte(p.Body)), int64(len(p.Body)))
		if len(zr.File) != len(auditexport.Files)+1 {
			t.Fatalf("zip holds %d files", len(zr.File))
		}
	})
}
