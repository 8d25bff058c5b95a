package api

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/errs"
)

// TestMaterialsAPI: the supplier makes and publishes a material (bad input
// by field, changing nothing); another supplier cannot see it; a
// distributor lists it, shares it and gets its links carrying the
// material; a visit through the link shows in the material's funnel.
func TestMaterialsAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newShopAPIWorld(t, ta)
		base := map[string]any{"product_id": w.prod.ID, "copy_zh": "好茶", "copy_en": "Good tea", "images": []string{"/media/p/tea.jpg"}}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for a, b := range base {
				m[a] = b
			}
			m[k] = v
			return m
		}
		ta.do("POST", "/api/v1/materials", w.supplierTok, with("copy_zh", "")).must(t, 201) // English alone is enough
		ta.do("POST", "/api/v1/materials", w.supplierTok, map[string]any{"product_id": w.prod.ID}).wantErr(t, errs.Invalid, "copy_zh")
		ta.do("POST", "/api/v1/materials", w.supplierTok, with("campaign_id", 0)).wantErr(t, errs.Invalid, "campaign_id")
		ta.do("POST", "/api/v1/materials", w.supplierTok, with("images", []string{"ftp://x"})).wantErr(t, errs.Invalid, "images[0]")
		ta.do("POST", "/api/v1/materials", w.supplierTok, map[string]any{"product_id": w.prod.ID, "copy_zh": "x", "published": true}).
			wantErr(t, errs.Conflict, "images")
		ta.do("POST", "/api/v1/materials", w.tok1, base).wantErr(t, errs.Forbidden, "")
		ta.do("POST", "/api/v1/materials", "", base).wantErr(t, errs.Unauthorized, "")

		m := ta.do("POST", "/api/v1/materials", w.supplierTok, with("campaign_id", 7)).must(t, 201)
		id := m.id()
		if m.Body["campaign_id"] != float64(7) || m.Body["published"] != false || m.Body["supplier_id"] == nil {
			t.Fatalf("created %v", m.Body)
		}
		path := fmt.Sprintf("/api/v1/materials/%d", id)
		ta.do("PUT", path, w.supplierTok, map[string]any{"copy_zh": "好茶", "images": []string{}}).wantErr(t, errs.Invalid, "images")
		got := ta.do("PUT", path, w.supplierTok, map[string]any{"copy_zh": "明前好茶", "published": true}).must(t, 200)
		if got.Body["copy_zh"] != "明前好茶" || got.Body["published"] != true || got.Body["campaign_id"] != nil {
			t.Fatalf("updated %v", got.Body)
		}
		_, otherTok := ta.newAccount("other-sup@example.com", account.Supplier)
		ta.do("GET", path, otherTok, nil).wantErr(t, errs.NotFound, "")
		ta.do("GET", path, w.op, nil).must(t, 200)

		list := ta.do("GET", "/api/v1/materials", w.tok1, nil).must(t, 200)
		items := list.Body["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["link"] != nil {
			t.Fatalf("published list %v", list.Body)
		}
		ta.do("GET", "/api/v1/materials", w.supplierTok, nil).wantErr(t, errs.Forbidden, "")
		shared := ta.do("POST", path+"/share", w.tok1, nil).must(t, 200)
		link, _ := shared.Body["link"].(string)
		poster, _ := shared.Body["poster_link"].(string)
		if !strings.HasSuffix(link, fmt.Sprintf("?m=%d", id)) || !strings.HasSuffix(poster, fmt.Sprintf("?m=%d", id)) || link == poster {
			t.Fatalf("shared links %q %q", link, poster)
		}
		if again := ta.do("POST", path+"/share", w.tok1, nil).must(t, 200); again.Body["link"] != link {
			t.Fatalf("sharing again changed the link: %v", again.Body["link"])
		}
		ta.do("POST", "/api/v1/materials/999999/share", w.tok1, nil).wantErr(t, errs.NotFound, "")

		u, _ := url.Parse(link)
		code := strings.TrimPrefix(u.Path, "/s/")
		if _, _, err := ta.db.RecordMaterialVisit(context.Background(), account.Actor{}, code, "friend", id); err != nil {
			t.Fatal(err)
		}
		stats := ta.do("GET", path, w.supplierTok, nil).must(t, 200).Body["stats"].(map[string]any)
		if stats["visits"] != float64(1) || stats["orders"] != float64(0) || stats["paid_amount"] != "0.00" {
			t.Fatalf("stats %v", stats)
		}
	})
}
