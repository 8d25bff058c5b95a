package api

import (
	"fmt"
	"testing"

	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/store"
)

func TestCommissionsAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		ctx := t.Context()
		op := ta.operator()
		_, tokSeller := ta.newAccount("seller@example.com")
		_, tokSponsor := ta.newAccount("sponsor@example.com")
		_, tokCust := ta.newAccount("cust@example.com")
		_, tokSup := ta.newAccount("sup@example.com")
		sponsor := ta.do("POST", "/api/v1/distributors", tokSponsor, map[string]any{"display_name": "Sam"}).must(t, 201)
		seller := ta.do("POST", "/api/v1/distributors", tokSeller, map[string]any{"display_name": "Sue",
			"invite_code": sponsor.Body["referral_code"]}).must(t, 201).id()
		sponsorID := sponsor.id()
		supplier := ta.do("POST", "/api/v1/suppliers", tokSup, map[string]any{"name": "Tea Co", "contact_email": "sup@example.com"}).must(t, 201).id()
		ta.do("POST", fmt.Sprintf("/api/v1/suppliers/%d/status", supplier), op, map[string]any{"status": "approved"}).must(t, 200)

		snap := commission.Snapshot{Currency: "CNY", SupplierID: supplier, SellerID: seller, Upline: []int64{sponsorID},
			Rules: []commission.TierRule{commission.Rate(1000), commission.Rate(500)}, PlatformRate: 200, Cap: 3000}
		for i, l := range []commission.Line{{Base: 5997, Quantity: 3}, {Base: 1000, Markup: 150, Quantity: 1}} {
			if _, _, err := ta.db.BookLine(ctx, store.LineBooking{LineID: int64(i + 1), OrderID: int64(i + 1), Snapshot: snap, Line: l}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := ta.db.RefundLine(ctx, 1, "rma-1", commission.Line{Base: 3998, Quantity: 2}); err != nil {
			t.Fatal(err)
		}
		if _, err := ta.db.SettleLine(ctx, 1); err != nil {
			t.Fatal(err)
		}

		wallet := fmt.Sprintf("/api/v1/distributors/%d/wallet", seller)
		w := ta.do("GET", wallet, tokSeller, nil).must(t, 200).Body
		for k, v := range map[string]any{"currency": "CNY", "pending": "2.50", "available": "3.99", "withdrawing": "0.00",
			"withdrawn": "0.00", "debt": "0.00", "distributor_id": float64(seller)} {
			if w[k] != v {
				t.Errorf("wallet %s = %v, want %v", k, w[k], v)
			}
		}
		ta.do("GET", wallet, op, nil).must(t, 200)

		list := func(path, tok string) []map[string]any {
			t.Helper()
			res := ta.do("GET", path, tok, nil).must(t, 200)
			var out []map[string]any
			for _, it := range res.Body["items"].([]any) {
				out = append(out, it.(map[string]any))
			}
			return out
		}
		mine := list("/api/v1/commissions", tokSeller)
		// Line 1: tier 1; line 2: tier 1 and the markup.
		if len(mine) != 3 || mine[0]["amount"] != "3.99" || mine[0]["booked_amount"] != "5.99" || mine[0]["status"] != "available" ||
			mine[0]["reversed"] != true || mine[0]["tier"] != float64(1) || mine[2]["kind"] != "markup" || mine[2]["amount"] != "1.50" {
			t.Fatalf("seller's commissions: %v", mine)
		}
		// Partly refunded: still available, marked reversed; nothing was reversed whole.
		if got := list("/api/v1/commissions?status=available", tokSponsor); len(got) != 1 || got[0]["amount"] != "1.99" ||
			got[0]["reversed"] != true || got[0]["status"] != "available" {
			t.Fatalf("sponsor's available commissions: %v", got)
		}
		if got := list("/api/v1/commissions?status=reversed", tokSponsor); len(got) != 0 {
			t.Fatalf("sponsor's reversed commissions: %v", got)
		}
		if got := list("/api/v1/commissions?status=pending", tokSup); len(got) != 1 || got[0]["supplier_id"] != float64(supplier) ||
			got[0]["distributor_id"] != nil || got[0]["amount"] != "8.30" {
			t.Fatalf("supplier's pending payables: %v", got)
		}
		if got := list("/api/v1/commissions?order_id=1", op); len(got) != 4 {
			t.Fatalf("operator sees %d shares of order 1, want 4", len(got))
		}
		page := ta.do("GET", "/api/v1/commissions?limit=2", tokSeller, nil).must(t, 200).Body
		if next, _ := page["next_after"].(float64); next == 0 || len(page["items"].([]any)) != 2 {
			t.Fatalf("first page: %v", page)
		}

		for _, sc := range []struct {
			path, tok string
			status    int
			code      errs.Code
			field     string
		}{
			{wallet, "", 401, errs.Unauthorized, ""},
			{wallet, tokCust, 403, errs.Forbidden, ""},
			{wallet, tokSponsor, 404, errs.NotFound, ""},
			{"/api/v1/distributors/x/wallet", tokSeller, 400, errs.Invalid, "id"},
			{"/api/v1/distributors/999999/wallet", op, 404, errs.NotFound, ""},
			{"/api/v1/commissions", "", 401, errs.Unauthorized, ""},
			{"/api/v1/commissions", tokCust, 403, errs.Forbidden, ""},
			{"/api/v1/commissions?status=paid", tokSeller, 400, errs.Invalid, "status"},
			{"/api/v1/commissions?order_id=0", tokSeller, 400, errs.Invalid, "order_id"},
			{"/api/v1/commissions?limit=500", tokSeller, 400, errs.Invalid, "limit"},
			{fmt.Sprintf("/api/v1/commissions?distributor_id=%d", sponsorID), tokSeller, 404, errs.NotFound, "distributor_id"},
			{fmt.Sprintf("/api/v1/commissions?supplier_id=%d", supplier+1), tokSup, 404, errs.NotFound, "supplier_id"},
			{fmt.Sprintf("/api/v1/commissions?distributor_id=%d&supplier_id=%d", seller, supplier), op, 400, errs.Invalid, "supplier_id"},
		} {
			res := ta.do("GET", sc.path, sc.tok, nil)
			if res.Status != sc.status {
				t.Fatalf("GET %s: %d, want %d: %s", sc.path, res.Status, sc.status, res.Raw)
			}
			res.wantErr(t, sc.code, sc.field)
		}
	})
}

// TestCommissionStatusFilter: every status value filters on the status the
// records show, and the three together list every record exactly once.
func TestCommissionStatusFilter(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		ctx := t.Context()
		op := ta.operator()
		_, tokSeller := ta.newAccount("seller@example.com")
		_, tokSup := ta.newAccount("sup@example.com")
		seller := ta.do("POST", "/api/v1/distributors", tokSeller, map[string]any{"display_name": "Sue"}).must(t, 201).id()
		supplier := ta.do("POST", "/api/v1/suppliers", tokSup, map[string]any{"name": "Tea Co", "contact_email": "sup@example.com"}).must(t, 201).id()
		snap := commission.Snapshot{Currency: "CNY", SupplierID: supplier, SellerID: seller,
			Rules: []commission.TierRule{commission.Rate(1000)}, PlatformRate: 200, Cap: 3000}
		// Lines: 1 pending; 2 pending, partly refunded; 3 pending, wholly
		// refunded; 4 settled; 5 settled, partly refunded; 6 settled, then
		// wholly refunded (a clawback).
		for id := int64(1); id <= 6; id++ {
			if _, _, err := ta.db.BookLine(ctx, store.LineBooking{LineID: id, OrderID: id, Snapshot: snap, Line: commission.Line{Base: 2000, Markup: 100, Quantity: 2}}); err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range []int64{4, 5, 6} {
			if _, err := ta.db.SettleLine(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range []struct {
			line int64
			left commission.Line
		}{{2, commission.Line{Base: 1000, Markup: 50, Quantity: 1}}, {3, commission.Line{}}, {5, commission.Line{Base: 1000, Markup: 50, Quantity: 1}}, {6, commission.Line{}}} {
			if _, _, err := ta.db.RefundLine(ctx, r.line, fmt.Sprintf("rma-%d", r.line), r.left); err != nil {
				t.Fatal(err)
			}
		}

		list := func(path string) map[float64]map[string]any {
			t.Helper()
			out := map[float64]map[string]any{}
			for _, it := range ta.do("GET", path, op, nil).must(t, 200).Body["items"].([]any) {
				rec := it.(map[string]any)
				out[rec["id"].(float64)] = rec
			}
			return out
		}
		all := list("/api/v1/commissions?limit=200")
		seen := map[float64]string{}
		count := map[string]int{}
		for _, status := range []string{"pending", "available", "reversed"} {
			for id, rec := range list("/api/v1/commissions?limit=200&status=" + status) {
				if rec["status"] != status {
					t.Errorf("?status=%s returned a record showing %v: %v", status, rec["status"], rec)
				}
				if was, ok := seen[id]; ok {
					t.Errorf("record %v under both %s and %s", id, was, status)
				}
				seen[id] = status
				count[status]++
			}
		}
		for id, rec := range all {
			if seen[id] != rec["status"] {
				t.Errorf("record %v shows %v but the filters gave %q", id, rec["status"], seen[id])
			}
			if want := rec["amount"] == "0.00"; (rec["status"] == "reversed") != want {
				t.Errorf("record %v: status %v with amount %v", id, rec["status"], rec["amount"])
			}
			if rec["amount"] != rec["booked_amount"] && rec["reversed"] != true {
				t.Errorf("record %v: taken back but not marked reversed: %v", id, rec)
			}
		}
		// Each line has 4 shares (tier 1, markup, platform, supplier).
		if len(seen) != len(all) || count["pending"] != 8 || count["available"] != 8 || count["reversed"] != 8 {
			t.Fatalf("statuses %v over %d records", count, len(all))
		}
	})
}
