package alipay_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
	"sharemall/internal/payment/alipay"
)

// golden is a business detail (业务明细) in the documented format: GBK,
// CRLF, comment lines above and below, values padded with tabs, refunds
// and fees negative.
const golden = "testdata/20881234567890120156_20261201_trade_detail_gbk.csv"

var cst = time.FixedZone("CST", 8*3600)

var goldenLines = []payment.StatementLine{
	{At: time.Date(2026, 12, 1, 10, 1, 30, 0, cst), Kind: payment.LinePayment, Reference: "SM20261201A001", ProviderRef: "2026120122001489871405550001", Amount: 19900, Fee: 119, Currency: "CNY"},
	{At: time.Date(2026, 12, 1, 11, 16, 5, 0, cst), Kind: payment.LinePayment, Reference: "SM20261201A002", ProviderRef: "2026120122001489871405550002", Amount: 5000, Fee: 30, Currency: "CNY"},
	{At: time.Date(2026, 12, 1, 15, 30, 0, 0, cst), Kind: payment.LineRefund, Reference: "SM20261201A001", ProviderRef: "2026120122001489871405550001", RefundKey: "RF1001-1", Amount: 9900, Fee: 59, Currency: "CNY"},
	{At: time.Date(2026, 12, 1, 23, 59, 59, 0, cst), Kind: payment.LineRefund, Reference: "SM20261130Z999", ProviderRef: "2026113022001489871405549999", RefundKey: "RF999-1", Amount: 1230, Fee: 7, Currency: "CNY"},
}

func sameLines(t *testing.T, got, want []payment.StatementLine) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.At.Equal(w.At) || g.Kind != w.Kind || g.Reference != w.Reference || g.ProviderRef != w.ProviderRef ||
			g.RefundKey != w.RefundKey || g.Amount != w.Amount || g.Fee != w.Fee || g.Currency != w.Currency {
			t.Errorf("line %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func billZip(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, b := range files {
		gbkName, _ := simplifiedchinese.GBK.NewEncoder().String(name)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: gbkName, NonUTF8: true, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

func TestParseStatementGolden(t *testing.T) {
	raw, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("csv in GBK", func(t *testing.T) {
		lines, err := alipay.ParseStatement(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		sameLines(t, lines, goldenLines)
	})
	t.Run("zip with its summary", func(t *testing.T) {
		summary, _ := simplifiedchinese.GBK.NewEncoder().String("#支付宝业务汇总查询\r\n门店编号,门店名称,交易订单总笔数\r\n,,2\r\n")
		z := billZip(t, map[string][]byte{
			"20881234567890120156_20261201_业务明细(汇总).csv": []byte(summary),
			"20881234567890120156_20261201_业务明细.csv":     raw,
		})
		lines, err := alipay.ParseStatement(bytes.NewReader(z))
		if err != nil {
			t.Fatal(err)
		}
		sameLines(t, lines, goldenLines)
	})
	t.Run("csv saved as UTF-8", func(t *testing.T) {
		u, _ := simplifiedchinese.GBK.NewDecoder().Bytes(raw)
		lines, err := alipay.ParseStatement(bytes.NewReader(append([]byte("\xef\xbb\xbf"), u...)))
		if err != nil {
			t.Fatal(err)
		}
		sameLines(t, lines, goldenLines)
	})
}

func TestParseStatementBadInput(t *testing.T) {
	raw, _ := os.ReadFile(golden)
	text, _ := simplifiedchinese.GBK.NewDecoder().String(string(raw))
	cases := map[string]string{
		"empty":              "",
		"only comments":      "#支付宝业务明细查询\r\n#导出时间：[2026年12月02日 09:12:33]\r\n",
		"not the detail":     "交易时间,交易分类,交易对方\r\n2026-12-01,餐饮,某店\r\n",
		"an unknown type":    strings.Replace(text, ",交易,Sharemall 订单 1002", ",冻结,Sharemall 订单 1002", 1),
		"a bad amount":       strings.Replace(text, ",199.00,199.00,", ",1.999,199.00,", 1),
		"a bad time":         strings.Replace(text, "2026-12-01 11:16:05", "2026/12/01 11:16", 1),
		"a refund no key":    strings.Replace(text, "RF1001-1\t", "", 1),
		"a zip without one":  string(billZip(t, map[string][]byte{"readme.txt": []byte("x")})),
		"a zip cut in parts": string(billZip(t, map[string][]byte{"a.csv": raw}))[:60],
	}
	for name, in := range cases {
		_, err := alipay.ParseStatement(strings.NewReader(in))
		if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "statement" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestDownloadStatement(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, cst)
	now := day.Add(10 * time.Hour)
	e.fake.SetClock(func() time.Time { return now })
	e.startPaid(t, "SMbill001", 19900)
	now = now.Add(time.Hour)
	e.startPaid(t, "SMbill002", 5000)
	now = now.Add(time.Hour)
	if _, err := e.client.Refund(ctx, refund("SMbill001", "RFbill1", 9900)); err != nil {
		t.Fatal(err)
	}
	// The day's bill is not made before 09:00 the next day.
	if _, err := e.client.DownloadStatement(ctx, day); !errs.Is(err, errs.NotFound) {
		t.Fatalf("before it is made: %v", err)
	}
	now = day.AddDate(0, 0, 1).Add(10 * time.Hour)
	file, err := e.client.DownloadStatement(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(file, []byte("PK")) {
		t.Fatalf("not the zip as Alipay serves it: %.20q", file)
	}
	lines, err := alipay.ParseStatement(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	t1, _ := e.fake.Trade("SMbill001")
	t2, _ := e.fake.Trade("SMbill002")
	sameLines(t, lines, []payment.StatementLine{
		{At: day.Add(10 * time.Hour), Kind: payment.LinePayment, Reference: "SMbill001", ProviderRef: t1.TradeNo, Amount: 19900, Fee: 119, Currency: "CNY"},
		{At: day.Add(11 * time.Hour), Kind: payment.LinePayment, Reference: "SMbill002", ProviderRef: t2.TradeNo, Amount: 5000, Fee: 30, Currency: "CNY"},
		{At: day.Add(12 * time.Hour), Kind: payment.LineRefund, Reference: "SMbill001", ProviderRef: t1.TradeNo, RefundKey: "RFbill1", Amount: 9900, Fee: 59, Currency: "CNY"},
	})
	// Another day has nothing.
	file, err = e.client.DownloadStatement(ctx, day.AddDate(0, 0, -1))
	if err != nil {
		t.Fatal(err)
	}
	if lines, err = alipay.ParseStatement(bytes.NewReader(file)); err != nil || len(lines) != 0 {
		t.Fatalf("the day before: %v %v", lines, err)
	}
}
