package demo

import (
	"context"
	"fmt"
	"time"

	"sharemall/internal/account"

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
		if err := o.details(ctx, sh, store.PayoutOwner{Kind: store.PayoutDistributor, ID: sh.DistributorID}, d); err != nil {
			return fmt.Errorf("payout details of %s: %w", demoShops[i].login, err)
		}
	}
	return o.supplierPayouts(ctx)
}

// details records d as where owner is paid, as who.
func (o *orderSeeder) details(ctx context.Context, who account.Actor, owner store.PayoutOwner, d payout.Details) error {
	_, err := o.db.SetPayoutDetails(ctx, who, owner, d)
	if errs.Is(err, errs.Unavailable) {
		if err = o.processKey(); err == nil {
			_, err = o.db.SetPayoutDetails(ctx, who, owner, d)
		}
	}
	return err
}

// demoSupplierDetails are where the demo suppliers are paid, by index of demoSuppliers.
var demoSupplierDetails = []payout.Details{
	{Method: payout.BankCard, Bank: "中国银行", Branch: "杭州分行", HolderName: "杭州西湖茶业有限公司", CardNumber: "6217000000123456786"},
	{Method: payout.Alipay, AlipayAccount: "finance@pearlriver.example.com", RealName: "珠江食品有限公司"},
	{Method: payout.BankCard, Bank: "中国农业银行", HolderName: "成都家居有限公司", CardNumber: "6222021001123456789"},
}

// supplierPayouts records the suppliers' payout details; the operator pays
// the tea supplier half its available payable (batched and paid) and
// approves a payout of the foods supplier, left for the next batch.
func (o *orderSeeder) supplierPayouts(ctx context.Context) error {
	for i, sup := range o.suppliers {
		if err := o.details(ctx, sup, store.PayoutOwner{Kind: store.PayoutSupplier, ID: sup.SupplierID}, demoSupplierDetails[i]); err != nil {
			return fmt.Errorf("payout details of %s: %w", demoSuppliers[i].login, err)
		}
	}
	for i, sup := range o.suppliers[:2] {
		b, err := o.db.SupplierBalance(ctx, o.op, sup.SupplierID)
		if err != nil {
			return err
		}
		amount := b.Available / 2 / 100 * 100 // whole yuan
		if amount <= 0 {
			continue
		}
		o.at = o.at.Add(time.Hour)
		if _, err := o.db.CreateSupplierPayout(ctx, o.op, sup.SupplierID, amount, fmt.Sprintf("demo-supplier-%d", i)); err != nil {
			return fmt.Errorf("supplier payout of %s: %w", demoSuppliers[i].login, err)
		}
		if i > 0 {
			continue
		}
		batch, _, err := o.db.CreateSupplierPayoutBatch(ctx, o.op)
		if err == nil {
			o.at = o.at.Add(day)
			_, _, err = o.db.MarkSupplierPayoutBatchPaid(ctx, o.op, batch.ID, fmt.Sprintf("BANK-DEMO-S%d", batch.ID))
		}
		if err != nil {
			return fmt.Errorf("supplier payout batch: %w", err)
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
