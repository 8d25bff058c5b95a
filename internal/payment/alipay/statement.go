package alipay

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payment"
)

// Columns of the business detail (业务明细) that ParseStatement reads; the
// file has more, and columns are found by name, so that Alipay adding one
// breaks nothing.
const (
	colTradeNo    = "支付宝交易号"
	colOutTradeNo = "商户订单号"
	colType       = "业务类型"
	colFinished   = "完成时间"
	colAmount     = "订单金额（元）"
	colRequestNo  = "退款批次号/请求号"
	colFee        = "服务费（元）"
)

// Business types of a row.
const (
	typeTrade  = "交易"
	typeRefund = "退款"
)

const maxStatement = 64 << 20

// ParseStatement reads Alipay's trade bill (bill_type trade), as
// alipay.data.dataservice.bill.downloadurl.query serves it: a zip of GBK
// CSV files, of which the business detail (业务明细, not its 汇总
// summary) is read; a single CSV of it, in GBK or UTF-8, is read too.
// Lines starting with "#" (the header and footer comments) are skipped;
// the first other line names the columns. A trade row (业务类型 交易) is a
// payment; a refund row (退款) is a refund whose key is its 退款批次号/请求号
// (our out_request_no). Amounts are the order amount (订单金额) and the
// service fee (服务费), both as positive minor units: Alipay writes refunds
// and fees negative.
func ParseStatement(r io.Reader) ([]payment.StatementLine, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxStatement+1))
	if err != nil {
		return nil, fmt.Errorf("alipay statement: %w", err)
	}
	if len(data) > maxStatement {
		return nil, errs.Invalidf("statement", "is larger than %d MB", maxStatement>>20)
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		if data, err = detailFromZip(data); err != nil {
			return nil, err
		}
	}
	text, err := toUTF8(data)
	if err != nil {
		return nil, err
	}
	return parseDetail(text)
}

// detailFromZip is the business detail CSV inside the bill's zip.
func detailFromZip(data []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errs.Invalidf("statement", "is not a readable zip: %v", err)
	}
	var pick *zip.File
	var csvs []*zip.File
	for _, f := range zr.File {
		name := f.Name
		if f.NonUTF8 || !utf8.ValidString(name) {
			// The bill's names are GBK without the zip's UTF-8 flag.
			if s, err := simplifiedchinese.GBK.NewDecoder().String(name); err == nil {
				name = s
			}
		}
		if !strings.HasSuffix(strings.ToLower(name), ".csv") {
			continue
		}
		csvs = append(csvs, f)
		if strings.Contains(name, "业务明细") && !strings.Contains(name, "汇总") {
			pick = f
		}
	}
	if pick == nil && len(csvs) == 1 {
		pick = csvs[0]
	}
	if pick == nil {
		return nil, errs.Invalidf("statement", "the zip holds no business detail (业务明细) CSV")
	}
	rc, err := pick.Open()
	if err != nil {
		return nil, errs.Invalidf("statement", "cannot open %s in the zip: %v", pick.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxStatement+1))
	if err != nil {
		return nil, errs.Invalidf("statement", "cannot read the zip: %v", err)
	}
	if len(b) > maxStatement {
		return nil, errs.Invalidf("statement", "is larger than %d MB once unzipped", maxStatement>>20)
	}
	return b, nil
}

// toUTF8 decodes GBK, which Alipay's bills are in; a file already in UTF-8
// (someone opened and saved it) is taken as it is.
func toUTF8(b []byte) (string, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if utf8.Valid(b) {
		return string(b), nil
	}
	s, err := simplifiedchinese.GBK.NewDecoder().Bytes(b)
	if err != nil {
		return "", errs.Invalidf("statement", "is neither GBK nor UTF-8")
	}
	return string(s), nil
}

func parseDetail(text string) ([]payment.StatementLine, error) {
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errs.Invalidf("statement", "has no column header line")
	}
	if err != nil {
		return nil, errs.Invalidf("statement", "%v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[clean(h)] = i
	}
	for _, name := range []string{colTradeNo, colOutTradeNo, colType, colFinished, colAmount, colRequestNo, colFee} {
		if _, ok := col[name]; !ok {
			return nil, errs.Invalidf("statement", "has no column %s: not Alipay's business detail", name)
		}
	}
	var lines []payment.StatementLine
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errs.Invalidf("statement", "%v", err)
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			if i := col[name]; i < len(rec) {
				return clean(rec[i])
			}
			return ""
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		l := payment.StatementLine{Reference: get(colOutTradeNo), ProviderRef: get(colTradeNo), Currency: "CNY"}
		switch t := get(colType); t {
		case typeTrade:
			l.Kind = payment.LinePayment
		case typeRefund:
			l.Kind = payment.LineRefund
			l.RefundKey = get(colRequestNo)
		default:
			return nil, errs.Invalidf("statement", "line %d: business type %q is neither %s nor %s", line, t, typeTrade, typeRefund)
		}
		if l.At, err = time.ParseInLocation(timeLayout, get(colFinished), shanghai); err != nil {
			return nil, errs.Invalidf("statement", "line %d: %s %q is not a time like 2006-01-02 15:04:05", line, colFinished, get(colFinished))
		}
		if l.Amount, err = absYuan(get(colAmount)); err != nil {
			return nil, errs.Invalidf("statement", "line %d: %s: %v", line, colAmount, err)
		}
		if l.Fee, err = absYuan(get(colFee)); err != nil {
			return nil, errs.Invalidf("statement", "line %d: %s: %v", line, colFee, err)
		}
		if l.Reference == "" || l.ProviderRef == "" || (l.Kind == payment.LineRefund && l.RefundKey == "") {
			return nil, errs.Invalidf("statement", "line %d: a %s without its trade numbers", line, l.Kind)
		}
		lines = append(lines, l)
	}
	return lines, nil
}

// clean drops the tabs Alipay pads values with (so spreadsheets keep long
// numbers as text) and the spaces around them.
func clean(s string) string { return strings.Trim(s, " \t\r\n") }

func absYuan(s string) (money.Amount, error) {
	if s == "" {
		return 0, nil
	}
	a, err := cny.Parse(s)
	if err != nil {
		return 0, err
	}
	if a < 0 {
		a = -a
	}
	return a, nil
}

// DownloadStatement fetches the trade bill of day (a day in Asia/Shanghai)
// through alipay.data.dataservice.bill.downloadurl.query and downloads it
// from the short-lived URL that answers. It returns the zip as Alipay
// wrote it, for ParseStatement and for keeping, once it has been read
// (a download that is not a readable bill is an error now, not at
// reconciliation). A day without a bill (not made yet: bills are ready
// after 09:00 the next day) is errs.NotFound.
func (c *Client) DownloadStatement(ctx context.Context, day time.Time) ([]byte, error) {
	var out struct {
		URL string `json:"bill_download_url"`
	}
	biz := map[string]any{"bill_type": "trade", "bill_date": day.In(shanghai).Format("2006-01-02")}
	if err := c.call(ctx, MethodBillURL, biz, nil, &out); err != nil {
		if sc := subCodeOf(err); sc == "isp.bill_not_exist" || sc == "isv.bill_not_exist" {
			e := errs.E(errs.NotFound, "bill_date", "Alipay has no bill of %s", biz["bill_date"])
			e.Err = err
			return nil, e
		}
		return nil, err
	}
	if err := checkURL("bill_download_url", out.URL, true); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, out.URL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("alipay: downloading the bill: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("alipay: downloading the bill: HTTP %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxStatement+1))
	if err != nil {
		return nil, fmt.Errorf("alipay: downloading the bill: %w", err)
	}
	if _, err := ParseStatement(bytes.NewReader(b)); err != nil {
		return nil, fmt.Errorf("alipay: the downloaded bill: %w", err)
	}
	return b, nil
}

var _ payment.StatementReader = ParseStatement
