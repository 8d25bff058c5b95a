package demo

import (
	"context"
	"fmt"

	"sharemall/internal/errs"
	"sharemall/internal/payout"
	"sharemall/internal/store"
)

// demoWithholdingRate is the tax the demo program withholds from what
// distributors withdraw (3%), so a paid withdrawal shows it.
const demoWithholdingRate = 300

// demoPayoutDetails are where the first demo shops are paid, by index of
// demoShops: a bank card (its withdrawal is paid), an Alipay account (its
// withdrawal waits for the operator's batch) and WeChat.
var demoPayoutDetails = []payout.Details{
	{Method: payout.BankCard, Bank: "中国工商银行", Branch: "杭州西湖支行", HolderName: "王小明", CardNumber: "6222021001123456789"},
	{Method: payout.Alipay, AlipayAccount: "13800138002", RealName: "李娜"},
	{Method: payout.WeChat, WeChatID: "demo_zhang_wei", RealName: "张伟"},
	{Method: payout.BankCard, Bank: "中国建设银行", HolderName: "陈静", CardNumber: "6217000000123456786"},
}

// payouts sets the withholding rate and records the shops' payout details
// before they withdraw. Details are sealed with the database's payout keys
// (serve and demo load payout.keys from the data folder first); a database
// without keys (the tests, the screenshots) gets a key made for this
// process, so the demo shows the same pages there.
func (o *orderSeeder) payouts(ctx context.Context) error {
	st, err := o.db.Settings(ctx)
	if err != nil {
		return err
	}
	st.Withdrawal.WithholdingRate = demoWithholdingRate
	if _, err := o.db.UpdateSettings(ctx, o.op, st, st.Version); err != nil {
		return fmt.Errorf("withholding rate: %w", err)
	}
	for i, d := range demoPayoutDetails {
		sh := o.shops[i]
		owner := store.PayoutOwner{Kind: store.PayoutDistributor, ID: sh.DistributorID}
		_, err := o.db.SetPayoutDetails(ctx, sh, owner, d)
		if errs.Is(err, errs.Unavailable) {
			if err = o.processKey(); err == nil {
				_, err = o.db.SetPayoutDetails(ctx, sh, owner, d)
			}
		}
		if err != nil {
			return fmt.Errorf("payout details of %s: %w", demoShops[i].login, err)
		}
	}
	return nil
}

// processKey gives the database a payout key that lives as long as the process.
func (o *orderSeeder) processKey() error {
	line, err := payout.NewKeyLine("demo")
	if err != nil {
		return err
	}
	k, err := payout.ParseKeys([]byte(line))
	if err != nil {
		return err
	}
	o.db.UsePayoutKeys(k)
	return nil
}
