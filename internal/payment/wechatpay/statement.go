package wechatpay

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payment"
)

// The trade bill (交易账单), documented at
// https://pay.weixin.qq.com/docs/merchant/products/bill-download/format-trade.html:
// a header row of column names, detail rows whose every field starts with
// a backtick (so spreadsheets keep long numbers), then the summary header
// (总交易单数,…) and one summary row. Amounts are yuan with two decimals
// (fees with up to five); times are Beijing time. The columns are found by
// name, as the documentation asks, not by position.
const (
	colTime        = "交易时间"
	colTransaction = "微信订单号"
	colOutTradeNo  = "商户订单号"
	colState       = "交易状态"
	colCurrency    = "货币种类"
	colSettle      = "应结订单金额"
	colOrderAmount = "订单金额"
	colOutRefundNo = "商户退款单号"
	colRefund      = "退款金额"
	colRefundAsked = "申请退款金额"
	colFee         = "手续费"
	summaryFirst   = "总交易单数"
)

var _ payment.StatementReader = ParseStatement

// ParseStatement reads a trade bill of type ALL. Payment rows (交易状态
// SUCCESS) take 订单金额 (the payer's whole payment, before vouchers);
// refund rows (REFUND) take 申请退款金额, the amount asked for, which is
// what our ledger books. Fees (手续费) are rounded to the fen, half away
// from zero; on refund rows they are negative (the fee given back). A file
// without its summary rows is refused: it was cut short. Any other 交易状态
// (REVOKED, which Sharemall's products never cause) is refused rather than
// skipped, so reconciliation never silently drops a row.
func ParseStatement(r io.Reader) ([]payment.StatementLine, error) {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return nil, errs.Invalidf("statement", "no header row: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{colTime, colTransaction, colOutTradeNo, colState, colCurrency, colOutRefundNo, colFee} {
		if _, ok := col[need]; !ok {
			return nil, errs.Invalidf("statement", "the header has no column %s: not a WeChat Pay trade bill of type ALL", need)
		}
	}
	payCol, ok := col[colOrderAmount]
	if !ok {
		if payCol, ok = col[colSettle]; !ok {
			return nil, errs.Invalidf("statement", "the header has neither %s nor %s", colOrderAmount, colSettle)
		}
	}
	refundCol, ok := col[colRefundAsked]
	if !ok {
		if refundCol, ok = col[colRefund]; !ok {
			return nil, errs.Invalidf("statement", "the header has neither %s nor %s", colRefundAsked, colRefund)
		}
	}
	var lines []payment.StatementLine
	summary := false
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errs.Invalidf("statement", "row %d: %v", row, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if strings.TrimSpace(rec[0]) == summaryFirst {
			summary = true
			break
		}
		if len(rec) < len(header) {
			return nil, errs.Invalidf("statement", "row %d has %d fields, the header %d", row, len(rec), len(header))
		}
		f := func(i int) string { return strings.TrimSpace(strings.TrimPrefix(rec[i], "`")) }
		at, err := time.ParseInLocation(time.DateTime, f(col[colTime]), beijing)
		if err != nil {
			return nil, errs.Invalidf("statement", "row %d: %s %q is not yyyy-MM-dd HH:mm:ss", row, colTime, f(col[colTime]))
		}
		l := payment.StatementLine{At: at, Reference: f(col[colOutTradeNo]), ProviderRef: f(col[colTransaction]), Currency: f(col[colCurrency])}
		amountCol := payCol
		switch st := f(col[colState]); st {
		case "SUCCESS":
			l.Kind = payment.LinePayment
		case "REFUND":
			l.Kind = payment.LineRefund
			l.RefundKey = f(col[colOutRefundNo])
			amountCol = refundCol
		default:
			return nil, errs.Invalidf("statement", "row %d: %s %q is neither SUCCESS nor REFUND", row, colState, st)
		}
		if l.Amount, err = yuanToFen(f(amountCol)); err != nil {
			return nil, errs.Invalidf("statement", "row %d: %s: %v", row, header[amountCol], err)
		}
		if l.Fee, err = yuanToFen(f(col[colFee])); err != nil {
			return nil, errs.Invalidf("statement", "row %d: %s: %v", row, colFee, err)
		}
		lines = append(lines, l)
	}
	if !summary {
		return nil, errs.Invalidf("statement", "no summary rows (%s…): the file is cut short", summaryFirst)
	}
	return lines, nil
}

// yuanToFen reads "12.34" (or "-0.00600", fees) as fen, rounding half
// away from zero past the second decimal, as WeChat Pay rounds fees.
func yuanToFen(s string) (money.Amount, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || !digitsOnly(whole) || !digitsOnly(frac) || len(whole) > 12 {
		return 0, fmt.Errorf("%q is not an amount in yuan", s)
	}
	var fen int64
	for _, ch := range whole {
		fen = fen*10 + int64(ch-'0')
	}
	frac += "00"
	fen = fen*100 + int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	if len(frac) > 2 && frac[2] >= '5' {
		fen++
	}
	if neg {
		fen = -fen
	}
	return money.Amount(fen), nil
}

func digitsOnly(s string) bool {
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return false
		}
	}
	return true
}

// BillResponse is the answer of GET /v3/bill/tradebill.
type BillResponse struct {
	HashType    string `json:"hash_type"`
	HashValue   string `json:"hash_value"`
	DownloadURL string `json:"download_url"`
}

// DownloadStatement fetches the ALL trade bill of date (its Beijing day):
// GET /v3/bill/tradebill for the download URL and the file's SHA-1, then
// the file itself (a signed GET; its answer is not signed, so the hash is
// what vouches for it). It returns the file as WeChat Pay wrote it, for
// ParseStatement and for keeping.
func (c *Client) DownloadStatement(ctx context.Context, date time.Time) ([]byte, error) {
	day := date.In(beijing).Format(time.DateOnly)
	var bill BillResponse
	if _, err := c.call(ctx, http.MethodGet, "/v3/bill/tradebill?bill_date="+day+"&bill_type=ALL", nil, &bill); err != nil {
		return nil, wrap("wechatpay.DownloadStatement", err)
	}
	if bill.HashType != "SHA1" {
		return nil, errs.E(errs.Invalid, "hash_type", "WeChat Pay sent hash %q, want SHA1", bill.HashType)
	}
	u, err := url.Parse(bill.DownloadURL)
	if err != nil || u.Host == "" {
		return nil, errs.E(errs.Invalid, "download_url", "WeChat Pay sent %q, not a URL", bill.DownloadURL)
	}
	resp, err := c.sendURL(ctx, http.MethodGet, bill.DownloadURL, u.RequestURI(), nil)
	if err != nil {
		return nil, wrap("wechatpay.DownloadStatement", err)
	}
	if resp.status != http.StatusOK {
		return nil, wrap("wechatpay.DownloadStatement", resp.err())
	}
	sum := sha1.Sum(resp.body)
	if !strings.EqualFold(hex.EncodeToString(sum[:]), bill.HashValue) {
		// Cut short or altered on the way: try again.
		return nil, fmt.Errorf("wechatpay.DownloadStatement: the file's SHA-1 is %x, WeChat Pay said %s", sum, bill.HashValue)
	}
	return resp.body, nil
}
