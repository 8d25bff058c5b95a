package store_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"sharemall/internal/auditexport"
	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestAuditExport: an export of a period opens as a zip whose manifest's
// checksums and row counts verify, and whose rows are the database's:
// every settings version in force during the period with the guard's
// warnings, the commission overrides, the binding decisions, each share of
// each order line booked and the withdrawals of the period; nothing from
// outside it. A file changed after the export fails the verification.
func TestAuditExport(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		loc, err := db.AuditPeriodLocation(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		day := func() string { return w.clock.Now().In(loc).Format(time.DateOnly) }
		w.settings(func(s *program.Settings) { s.Tiers, s.TierRates = 3, []money.Rate{1000, 500, 200} })
		before := day()
		w.clock.Advance(48 * time.Hour)
		first := day()

		p := w.product(w.a, "Tea", [2]int64{1000, 0})
		w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{p.SKUs[0].ID: 10})
		ov := &catalog.Commission{Tiers: []*catalog.TierCommission{catalog.RateTier(800)}}
		if _, err := db.UpdateProduct(w.ctx, w.a, p.ID, catalog.ProductUpdate{Commission: &ov}); err != nil {
			t.Fatal(err)
		}
		link, err := db.ShareLink(w.ctx, w.sellerActor, p.ID, store.ChannelLink)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.RecordVisit(w.ctx, w.cust, link.Code, "v1"); err != nil {
			t.Fatal(err)
		}
		o := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: p.SKUs[0].ID, Quantity: 3}), "k1")
		w.payOrder(o)
		if _, ok, err := db.RefundLine(w.ctx, o.Lines[0].ID, "rma-1", commission.Line{Base: 2000, Quantity: 2}); err != nil || !ok {
			t.Fatalf("refund one of three: %v %v", ok, err)
		}
		for _, l := range o.Lines {
			if ok, err := db.SettleLine(w.ctx, l.ID); err != nil || !ok {
				t.Fatalf("settle %d: %v %v", l.ID, ok, err)
			}
		}
		if _, err := db.RequestWithdrawal(w.ctx, w.sellerActor, w.seller.ID, 100, "w1"); err != nil {
			t.Fatal(err)
		}
		w.settings(func(s *program.Settings) { s.Tiers, s.TierRates = 2, []money.Rate{1000, 500} })
		last := day()

		export := func(from, to string) ([]byte, *auditexport.Manifest) {
			t.Helper()
			per, err := auditexport.ParsePeriod(from, to, loc)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			zw := auditexport.NewWriter(&buf, per, w.clock.Now())
			if err := db.ExportAudit(w.ctx, per, zw); err != nil {
				t.Fatal(err)
			}
			m, err := zw.Close()
			if err != nil {
				t.Fatal(err)
			}
			return buf.Bytes(), m
		}
		zipped, m := export(first, last)
		got, problems, err := auditexport.Verify(bytes.NewReader(zipped), int64(len(zipped)))
		if err != nil || len(problems) != 0 {
			t.Fatalf("verify: %v %v", problems, err)
		}
		if got.From != first || got.To != last || len(got.Files) != len(auditexport.Files) {
			t.Fatalf("manifest %+v", got)
		}
		files := readZipCSV(t, zipped)
		for _, e := range m.Files {
			if int64(len(files[e.Name])) != e.Rows {
				t.Fatalf("%s: %d rows read, manifest %d", e.Name, len(files[e.Name]), e.Rows)
			}
		}

		// Settings: the 3-tier version (in force at the start) and the 2-tier one made on the last day.
		versions := w.int(`SELECT COUNT(*) FROM program_settings`)
		set := files[auditexport.SettingsFile]
		if len(set) != 2 || set[0]["version"] != fmt.Sprint(versions-1) || set[1]["version"] != fmt.Sprint(versions) ||
			set[0]["in_force_until"] != set[1]["changed_at"] || set[1]["in_force_until"] != "" {
			t.Fatalf("settings versions %v", set)
		}
		guard := files[auditexport.GuardFile]
		if guard[0]["tiers"] != "3" || !strings.Contains(guard[0]["warnings"], "3 tiers") || guard[1]["warnings"] != "" ||
			guard[0]["rate_sum_bp"] != "1700" || guard[0]["max_tiers"] != "3" || guard[0]["entry_fee"] != "0" {
			t.Fatalf("guard %v", guard)
		}
		ovr := files[auditexport.OverridesFile]
		if len(ovr) != 1 || ovr[0]["action"] != "catalog.commission" || ovr[0]["subject"] != fmt.Sprintf("product:%d", p.ID) ||
			!strings.Contains(ovr[0]["new_value"], "800") {
			t.Fatalf("overrides %v", ovr)
		}

		// Bindings: the decision the visit made.
		b := files[auditexport.BindingsFile]
		if len(b) != int(w.int(`SELECT COUNT(*) FROM binding_events`)) || len(b) != 1 ||
			b[0]["customer_account_id"] != fmt.Sprint(w.cust.AccountID) || b[0]["distributor_id"] != fmt.Sprint(w.seller.ID) {
			t.Fatalf("bindings %v", b)
		}

		// Commissions: each share row equals the database's, and they add up to what was paid.
		c := files[auditexport.CommissionsFile]
		if want := w.int(`SELECT COUNT(*) FROM commission_shares`); int64(len(c)) != want || want == 0 {
			t.Fatalf("commission rows %d, shares %d", len(c), want)
		}
		var sum int64
		for _, r := range c {
			var amount int64
			fmt.Sscan(r["amount"], &amount)
			if db := w.int(`SELECT amount FROM commission_shares WHERE line_id = ? AND party = ?`, r["line_id"], r["party"]); db != amount {
				t.Fatalf("share %s/%s: %d in the export, %d in the database", r["line_id"], r["party"], amount, db)
			}
			if r["status"] != "settled" || r["settings_version"] != fmt.Sprint(versions-1) {
				t.Fatalf("share row %v", r)
			}
			sum += amount
		}
		if paid := w.int(`SELECT SUM(base + markup) FROM commission_lines`); sum != paid || paid != 2000 {
			t.Fatalf("shares sum to %d, lines now %d (after the refund)", sum, paid)
		}
		rf := files[auditexport.RefundsFile]
		if len(rf) != 1 || rf[0]["line_id"] != fmt.Sprint(o.Lines[0].ID) || rf[0]["order_id"] != fmt.Sprint(o.ID) ||
			rf[0]["base_after"] != "2000" || rf[0]["quantity_after"] != "2" || rf[0]["refunded"] != "1000" || rf[0]["refund_key"] != "rma-1" {
			t.Fatalf("commission refunds %v", rf)
		}
		pay := files[auditexport.PayoutsFile]
		if len(pay) != 1 || pay[0]["kind"] != "withdrawal" || pay[0]["payee_id"] != fmt.Sprint(w.seller.ID) || pay[0]["amount"] != "100" {
			t.Fatalf("payouts %v", pay)
		}

		// A period before any of it: only the settings in force then.
		_, early := export(before, before)
		for _, e := range early.Files {
			want := int64(0)
			if e.Name == auditexport.SettingsFile || e.Name == auditexport.GuardFile {
				want = 1
			}
			if e.Rows != want {
				t.Fatalf("early period: %s has %d rows, want %d", e.Name, e.Rows, want)
			}
		}

		// Tampering: a row changed, the manifest kept.
		tampered := rezip(t, zipped, auditexport.PayoutsFile, func(s string) string { return strings.Replace(s, ",100,", ",900,", 1) })
		_, problems, err = auditexport.Verify(bytes.NewReader(tampered), int64(len(tampered)))
		if err != nil || len(problems) != 1 || !strings.Contains(problems[0], "payouts.csv: SHA-256") { // same length: only the checksum differs
			t.Fatalf("tampered export verified: %v %v", problems, err)
		}
	})
}

// readZipCSV reads every CSV file of an export as rows keyed by header.
func readZipCSV(t *testing.T, b []byte) map[string][]map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]map[string]string{}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".csv") {
			continue
		}
		rc, _ := f.Open()
		recs, err := csv.NewReader(rc).ReadAll()
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out[f.Name] = []map[string]string{}
		for _, rec := range recs[1:] {
			row := map[string]string{}
			for i, h := range recs[0] {
				row[h] = rec[i]
			}
			out[f.Name] = append(out[f.Name], row)
		}
	}
	return out
}

// rezip copies a zip, passing one file's text through change.
func rezip(t *testing.T, b []byte, name string, change func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			data = []byte(change(string(data)))
		}
		fw, _ := zw.Create(f.Name)
		fw.Write(data)
	}
	zw.Close()
	return out.Bytes()
}
