package alipay_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"sharemall/internal/payment"
	"sharemall/internal/payment/alipay"
	"sharemall/internal/payment/alipay/alipayfake"
)

// BenchmarkParseStatement reads a GBK business detail of 10,000 rows, a
// busy shop's day.
func BenchmarkParseStatement(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("#支付宝业务明细查询\r\n#-----------------------------------------业务明细列表----------------------------------------\r\n")
	sb.WriteString("支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注\r\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&sb, "2026120122001489871405%06d\t,SM2026120%06d\t,交易,Sharemall 订单 %d,2026-12-01 10:01:02,2026-12-01 10:01:30,,,,,159****5620,199.00,199.00,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,,-1.19,0.00,\r\n", i, i, i)
	}
	sb.WriteString("#-----------------------------------------业务明细列表结束------------------------------------\r\n")
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(sb.String())
	if err != nil {
		b.Fatal(err)
	}
	data := []byte(gbk)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lines, err := alipay.ParseStatement(bytes.NewReader(data))
		if err != nil || len(lines) != 10000 {
			b.Fatal(len(lines), err)
		}
	}
}

// BenchmarkParseNotification verifies and reads a payment notification
// (one RSA-2048 verification).
func BenchmarkParseNotification(b *testing.B) {
	fake := alipayfake.New(alipayfake.Options{})
	defer fake.Close()
	c, err := alipay.New(fake.Config(), nil)
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(fakeNotification(b, fake))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.ParseNotification(context.Background(), nil, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartRedirect makes the signed mobile web payment URL (one
// RSA-2048 signature, no call).
func BenchmarkStartRedirect(b *testing.B) {
	fake := alipayfake.New(alipayfake.Options{})
	defer fake.Close()
	c, err := alipay.New(fake.Config(), nil)
	if err != nil {
		b.Fatal(err)
	}
	r := payment.ChargeRequest{Reference: "SMbench02", Amount: 19900, Currency: "CNY", Method: payment.MethodRedirect,
		Subject: "bench", NotifyURL: "https://shop.example.com/n", ReturnURL: "https://shop.example.com/r"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Start(context.Background(), r); err != nil {
			b.Fatal(err)
		}
	}
}
