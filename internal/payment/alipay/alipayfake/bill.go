package alipayfake

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"sharemall/internal/money"
)

// billHeader is the column line of Alipay's business detail (业务明细).
const billHeader = "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注"

// feePermille is the fake's service fee: 0.6%, rounded half up to the fen, as
// Alipay's standard rate for mobile web payment.
const feePermille = 6

func fee(a money.Amount) money.Amount { return (a*feePermille + 500) / 1000 }

func (s *Server) billURL(billType, date string) (map[string]any, *apiErr) {
	if billType != "trade" && billType != "signcustomer" {
		return nil, invalidArgs("isv.invalid-parameter", "bill_type 无效")
	}
	day, err := time.ParseInLocation("2006-01-02", date, shanghai)
	if err != nil {
		return nil, invalidArgs("isv.invalid-parameter", "bill_date 格式错误")
	}
	s.mu.Lock()
	now := s.now()
	s.mu.Unlock()
	// A day's bill is made the next morning.
	if !now.In(shanghai).After(day.AddDate(0, 0, 1).Add(9 * time.Hour)) {
		return nil, &apiErr{"40004", "Business Failed", "isp.bill_not_exist", "账单不存在"}
	}
	return map[string]any{"bill_download_url": s.URL + "/bill/" + date + ".zip?downloadFileType=trade&sign=" + randHex(8)}, nil
}

// bill serves the zip of a day's trade bill: the business detail and its
// summary, GBK, with GBK file names.
func (s *Server) bill(w http.ResponseWriter, r *http.Request) {
	date := strings.TrimSuffix(r.PathValue("file"), ".zip")
	day, err := time.ParseInLocation("2006-01-02", date, shanghai)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	detail := s.BillDetail(day)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	base := s.SellerID + "0156_" + day.Format("20060102")
	for _, f := range []struct{ name, text string }{
		{base + "_业务明细.csv", detail},
		{base + "_业务明细(汇总).csv", "#支付宝业务汇总查询\r\n#-----------------------------------------业务汇总列表----------------------------------------\r\n门店编号,门店名称,交易订单总笔数\r\n"},
	} {
		name, _ := simplifiedchinese.GBK.NewEncoder().String(f.name)
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, NonUTF8: true, Method: zip.Deflate})
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		gbk, _ := simplifiedchinese.GBK.NewEncoder().String(f.text)
		fw.Write([]byte(gbk))
	}
	zw.Close()
	w.Header().Set("Content-Type", "application/zip")
	w.Write(buf.Bytes())
}

type billRow struct {
	at   time.Time
	line string
}

// BillDetail is the business detail CSV of day (in UTF-8; the download is
// GBK): a row per payment and per refund completed that day.
func (s *Server) BillDetail(day time.Time) string {
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, shanghai)
	to := from.AddDate(0, 0, 1)
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	s.mu.Lock()
	var rows []billRow
	var nTrade, nRefund int
	var sumTrade, sumRefund money.Amount
	row := func(t *trade, kind string, at time.Time, amount, fee money.Amount, key string) billRow {
		f := []string{t.tradeNo + "\t", t.outTradeNo + "\t", kind, t.subject, t.created.In(shanghai).Format(layout), at.In(shanghai).Format(layout),
			"", "", "", "", "159****5620", yuan(amount), yuan(amount), "0.00", "0.00", "0.00", "0.00", "0.00", "", "0.00", "0.00", key, yuan(fee), "0.00", ""}
		return billRow{at, strings.Join(f, ",")}
	}
	for _, t := range s.trades {
		if !t.paidAt.IsZero() && in(t.paidAt) {
			rows = append(rows, row(t, "交易", t.paidAt, t.total, -fee(t.total), ""))
			nTrade++
			sumTrade += t.total
		}
		for _, r := range t.refunds {
			if in(r.at) {
				rows = append(rows, row(t, "退款", r.at, -r.amount, fee(r.amount), r.key+"\t"))
				nRefund++
				sumRefund += r.amount
			}
		}
	}
	exported := s.now()
	s.mu.Unlock()
	sort.Slice(rows, func(i, j int) bool { return rows[i].at.Before(rows[j].at) })
	var b strings.Builder
	b.WriteString("#支付宝业务明细查询\r\n")
	fmt.Fprintf(&b, "#账号：[%s0156]\r\n", s.SellerID)
	fmt.Fprintf(&b, "#起始日期：[%s 00:00:00]   终止日期：[%s 00:00:00]\r\n", from.Format("2006年01月02日"), to.Format("2006年01月02日"))
	b.WriteString("#-----------------------------------------业务明细列表----------------------------------------\r\n")
	b.WriteString(billHeader + "\r\n")
	for _, r := range rows {
		b.WriteString(r.line + "\r\n")
	}
	b.WriteString("#-----------------------------------------业务明细列表结束------------------------------------\r\n")
	fmt.Fprintf(&b, "#交易合计：%d笔，商家实收共%s元，商家优惠共0.00元\r\n", nTrade, yuan(sumTrade))
	fmt.Fprintf(&b, "#退款合计：%d笔，商家实收退款共%s元，商家优惠退款共0.00元\r\n", nRefund, yuan(-sumRefund))
	fmt.Fprintf(&b, "#导出时间：[%s]\r\n", exported.In(shanghai).Format("2006年01月02日 15:04:05"))
	return b.String()
}
