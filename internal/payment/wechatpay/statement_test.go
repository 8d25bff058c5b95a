package wechatpay_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
	"sharemall/internal/payment/wechatpay"
	"sharemall/internal/payment/wechatpay/wechatpayfake"
)

var beijing = time.FixedZone("CST", 8*3600)

func TestParseStatementGolden(t *testing.T) {
	b, err := os.ReadFile("testdata/tradebill_all.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines, err := wechatpay.ParseStatement(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		tm, _ := time.ParseInLocation(time.DateTime, s, beijing)
		return tm
	}
	want := []payment.StatementLine{
		{At: at("2026-12-01 09:15:02"), Kind: payment.LinePayment, Reference: "SM20261201A0001", ProviderRef: "4200002345202612010123456789", Amount: 12800, Fee: 77, Currency: "CNY"},
		{At: at("2026-12-01 11:02:40"), Kind: payment.LinePayment, Reference: "SM20261201A0002", ProviderRef: "4200002345202612010123456790", Amount: 999, Fee: 6, Currency: "CNY"},
		{At: at("2026-12-01 14:30:00"), Kind: payment.LinePayment, Reference: "SM20261201A0003", ProviderRef: "4200002345202612010123456791", Amount: 1, Fee: 0, Currency: "CNY"},
		{At: at("2026-12-01 18:20:45"), Kind: payment.LineRefund, Reference: "SM20261201A0001", ProviderRef: "4200002345202612010123456789", RefundKey: "RF-1001-1", Amount: 3000, Fee: -18, Currency: "CNY"},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d: %+v", len(lines), len(want), lines)
	}
	for i := range want {
		if !lines[i].At.Equal(want[i].At) {
			t.Errorf("line %d at %v, want %v", i, lines[i].At, want[i].At)
		}
		lines[i].At = want[i].At
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %+v\nwant %+v", i, lines[i], want[i])
		}
	}
	// With a UTF-8 BOM and CRLF line ends (as spreadsheets save it): the same.
	crlf := append([]byte("\xEF\xBB\xBF"), bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))...)
	again, err := wechatpay.ParseStatement(bytes.NewReader(crlf))
	if err != nil || len(again) != len(want) || again[3].RefundKey != "RF-1001-1" {
		t.Fatalf("%+v %v", again, err)
	}
}

func TestParseStatementRefusesBrokenFiles(t *testing.T) {
	b, _ := os.ReadFile("testdata/tradebill_all.csv")
	golden := string(b)
	cases := map[string]string{
		"cut short":        golden[:strings.Index(golden, "总交易单数")],
		"empty":            "",
		"not a trade bill": "a,b,c\n`1,`2,`3\n",
		"unknown state":    strings.Replace(golden, "`SUCCESS,`CMB_DEBIT", "`REVOKED,`CMB_DEBIT", 1),
		"bad amount":       strings.Replace(golden, ",`0.60%,`9.99,", ",`0.60%,`9.9x,", 1),
		"bad fee":          strings.Replace(golden, "`0.05994,", "`0,05994,", 1),
		"bad time":         strings.Replace(golden, "`2026-12-01 11:02:40", "`2026/12/01 11:02", 1),
		"short row":        strings.Replace(golden, ",`0.60%,`9.99,`0.00,`\n", "\n", 1),
	}
	for name, text := range cases {
		_, err := wechatpay.ParseStatement(strings.NewReader(text))
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "statement" {
			t.Errorf("%s: %v, want Invalid statement", name, err)
		}
	}
}

func TestDownloadStatementMatchesTheFakesLedger(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	ctx := context.Background()
	paid(t, f, c, "SMBILL0001", 12800)
	paid(t, f, c, "SMBILL0002", 999)
	if _, err := c.Refund(ctx, refundReq("SMBILL0001", "RF-B-1", 3000, 12800)); err != nil {
		t.Fatal(err)
	}
	today := time.Now()
	if today.In(beijing).Hour() == 23 && today.In(beijing).Minute() == 59 {
		t.Skip("the Beijing day is about to turn")
	}
	file, err := c.DownloadStatement(ctx, today)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := wechatpay.ParseStatement(bytes.NewReader(file))
	if err != nil {
		t.Fatalf("%v\n%s", err, file)
	}
	var pays, refunds, fees int64
	for _, l := range lines {
		switch l.Kind {
		case payment.LinePayment:
			pays += int64(l.Amount)
		case payment.LineRefund:
			refunds += int64(l.Amount)
			if l.RefundKey != "RF-B-1" || l.Reference != "SMBILL0001" {
				t.Fatalf("%+v", l)
			}
		}
		fees += int64(l.Fee)
	}
	if len(lines) != 3 || pays != 12800+999 || refunds != 3000 || fees != 77+6-18 {
		t.Fatalf("%d lines, paid %d refunded %d fees %d", len(lines), pays, refunds, fees)
	}
	// Altered on the way: the hash catches it, and the download may be tried again.
	f.CorruptNextBill()
	_, err = c.DownloadStatement(ctx, today)
	wantTemporary(t, err)
	if !strings.Contains(err.Error(), "SHA-1") {
		t.Fatalf("%v", err)
	}
	// A day without business has no bill.
	_, err = c.DownloadStatement(ctx, today.AddDate(0, 0, -3))
	wantCode(t, err, errs.Invalid)
}
