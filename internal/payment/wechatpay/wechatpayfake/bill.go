package wechatpayfake

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"sharemall/internal/payment/wechatpay"
)

// The columns of the ALL trade bill, in the documented order.
var billHeader = []string{"交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号", "商户订单号", "用户标识", "交易类型", "交易状态", "付款银行", "货币种类", "应结订单金额", "代金券金额", "微信退款单号", "商户退款单号", "退款金额", "充值券退款金额", "退款类型", "退款状态", "商品名称", "商户数据包", "手续费", "费率", "订单金额", "申请退款金额", "费率备注"}

func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// feeUnits is the 0.6% fee in units of 0.00001 yuan (1 fen = 1000 units).
func feeUnits(fen int64) int64 { return fen * 6 }

func feeText(units int64) string {
	sign := ""
	if units < 0 {
		sign, units = "-", -units
	}
	return fmt.Sprintf("%s%d.%05d", sign, units/100000, units%100000)
}

// Bill is the ALL trade bill of the Beijing day date ("2006-01-02") as the
// fake's orders and refunds make it, in the documented format.
func (s *Server) Bill(date string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bill(date)
}

func (s *Server) bill(date string) []byte {
	type row struct {
		at   time.Time
		cols []string
	}
	var rows []row
	var settle, refunds, fees, orders, asked int64
	tradeType := map[string]string{"jsapi": "JSAPI", "h5": "MWEB", "native": "NATIVE"}
	for _, o := range s.orders {
		if o.txID == "" || o.successTime.In(beijing).Format(time.DateOnly) != date {
			continue
		}
		t := o.req.Amount.Total
		settle, orders, fees = settle+t, orders+t, fees+feeUnits(t)
		rows = append(rows, row{o.successTime, []string{o.successTime.In(beijing).Format(time.DateTime), o.req.AppID, o.req.MchID, "0", "", o.txID, o.req.OutTradeNo, o.openid, tradeType[o.kind], "SUCCESS", "OTHERS", "CNY", yuan(t), "0.00", "0", "0", "0.00", "0.00", "", "", o.req.Description, o.req.Attach, feeText(feeUnits(t)), "0.60%", yuan(t), "0.00", ""}})
	}
	for _, rf := range s.refunds {
		if rf.created.In(beijing).Format(time.DateOnly) != date {
			continue
		}
		o, r := rf.order, rf.req.Amount.Refund
		refunds, asked, fees = refunds+r, asked+r, fees-feeUnits(r)
		rows = append(rows, row{rf.created, []string{rf.created.In(beijing).Format(time.DateTime), o.req.AppID, o.req.MchID, "0", "", o.txID, o.req.OutTradeNo, o.openid, tradeType[o.kind], "REFUND", "OTHERS", "CNY", "0.00", "0.00", rf.id, rf.req.OutRefundNo, yuan(r), "0.00", "ORIGINAL", rf.status, o.req.Description, o.req.Attach, feeText(-feeUnits(r)), "0.60%", "0.00", yuan(r), ""}})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].at.Before(rows[j].at) })
	var b strings.Builder
	b.WriteString(strings.Join(billHeader, ",") + "\r\n")
	for _, r := range rows {
		b.WriteString("`" + strings.Join(r.cols, ",`") + "\r\n")
	}
	b.WriteString("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n")
	b.WriteString("`" + strings.Join([]string{fmt.Sprint(len(rows)), yuan(settle), yuan(refunds), "0.00", feeText(fees), yuan(orders), yuan(asked)}, ",`") + "\r\n")
	if len(rows) == 0 {
		return nil
	}
	return []byte(b.String())
}

func (s *Server) tradeBill(date, kind string) answer {
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return fail(http.StatusBadRequest, "PARAM_ERROR", "bill_date: 格式yyyy-MM-DD")
	}
	if kind != "" && kind != "ALL" && kind != "SUCCESS" && kind != "REFUND" {
		return fail(http.StatusBadRequest, "PARAM_ERROR", "bill_type: ALL, SUCCESS or REFUND")
	}
	if kind != "" && kind != "ALL" {
		return fail(http.StatusBadRequest, "PARAM_ERROR", "bill_type %s: this fake makes ALL bills only", kind)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	file := s.bill(date)
	if file == nil {
		return fail(http.StatusBadRequest, "NO_STATEMENT_EXIST", "账单文件不存在")
	}
	sum := sha1.Sum(file)
	if s.corruptBill {
		s.corruptBill = false
		file = append([]byte(nil), file...)
		file[len(file)-3] ^= 1 // the last digit of the summary, off by one
	}
	token := wechatpay.Nonce()
	s.bills[token] = file
	return jsonAnswer(http.StatusOK, wechatpay.BillResponse{HashType: "SHA1", HashValue: hex.EncodeToString(sum[:]), DownloadURL: s.URL + "/v3/billdownload/file?token=" + token})
}

func (s *Server) billFile(token string) answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	file, ok := s.bills[token]
	if !ok {
		return fail(http.StatusBadRequest, "PARAM_ERROR", "token: 无效的token")
	}
	return answer{status: http.StatusOK, body: file, raw: true}
}
