package store

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payout"
)

// The operator's payout batch exported for the transfer that pays it: the
// one place payout details are opened (docs/payouts.md, "Batch export").

// Payout export formats.
const (
	ExportBank   = "bank"   // a bank's batch transfer (批量转账): the batch's bank-card withdrawals
	ExportAlipay = "alipay" // Alipay's batch payment to Alipay accounts (批量付款到支付宝账户)
)

// PayoutExportOptions says what the export needs beyond the batch.
type PayoutExportOptions struct {
	Format string
	// Alipay's file names the paying account and its certified name in its
	// head rows; left empty, the cells are left for the operator to fill.
	PayerAccount, PayerName string
}

// BankExportHeader is the bank batch transfer file's one header row.
var BankExportHeader = []string{"序号", "收款账号", "收款户名", "收款银行", "开户支行", "金额", "币种", "用途"}

// Alipay batch payment file: its head row's labels, then the detail rows' labels.
var (
	AlipayExportHead   = []string{"批次号", "付款日期", "付款人email", "账户名称", "总金额（元）", "总笔数"}
	AlipayExportHeader = []string{"商户流水号", "收款人email", "收款人姓名", "付款金额（元）", "付款理由"}
)

// utf8BOM makes spreadsheet programs read the file as UTF-8, not the
// system's code page.
const utf8BOM = "\ufeff"

type exportRow struct {
	withdrawalID int64        // or the supplier payout's id
	ref          string       // what the transfer carries: PayoutReference or SupplierPayoutReference
	reason       string       // Alipay's 付款理由
	net          money.Amount // what the bank pays: net less tax withheld
	currency     string
	details      payout.Details
}

// PayoutBatchExport writes batch id's transfer file in format (operator;
// audited as payout_batch.export, naming the withdrawals exported, never
// their details). Each format holds the batch's withdrawals paid by its
// method; none is a Conflict. The file is UTF-8 with a byte-order mark, LF
// line ends, built whole before a byte is written.
func (db *DB) PayoutBatchExport(ctx context.Context, actor account.Actor, id int64, o PayoutExportOptions, w io.Writer) error {
	const op = "store.PayoutBatchExport"
	if err := actor.Require(account.Operator); err != nil {
		return errs.Wrap(op, err)
	}
	method, payer, payerName, err := o.check()
	if err != nil {
		return errs.Wrap(op, err)
	}
	k, err := db.keys()
	if err != nil {
		return errs.Wrap(op, err)
	}
	var buf bytes.Buffer
	err = db.Write(ctx, func(tx *Tx) error {
		buf.Reset()
		if _, err := tx.payoutBatch(ctx, id); err != nil {
			return err
		}
		settings, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		rows, err := tx.exportRows(ctx, k, id, method)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return errs.E(errs.Conflict, "format", "no withdrawal in payout batch %d is paid by %s", id, method)
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.withdrawalID
		}
		if err := writeTransferFile(&buf, method, rows, "SM", id, tx.Now().In(settings.Location()).Format("20060102"), payer, payerName); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "payout_batch.export", fmt.Sprintf("payout_batch:%d", id), nil,
			struct {
				Format      string  `json:"format"`
				Withdrawals []int64 `json:"withdrawals"`
			}{o.Format, ids})
	})
	if err != nil {
		return errs.Wrap(op, err)
	}
	_, err = w.Write(buf.Bytes())
	return errs.Wrap(op, err)
}

// check validates the options: the method the format pays, the payer cleaned.
func (o PayoutExportOptions) check() (method payout.Method, payer, payerName string, err error) {
	switch o.Format {
	case ExportBank:
		method = payout.BankCard
	case ExportAlipay:
		method = payout.Alipay
	case "":
		return "", "", "", errs.Invalidf("format", "is required: bank or alipay")
	default:
		return "", "", "", errs.Invalidf("format", "must be bank or alipay")
	}
	if payer, err = cleanText("payer_account", o.PayerAccount, payout.MaxAccount); err != nil {
		return "", "", "", err
	}
	if payerName, err = cleanText("payer_name", o.PayerName, payout.MaxName); err != nil {
		return "", "", "", err
	}
	return method, payer, payerName, nil
}

// writeTransferFile writes rows as method's transfer file into buf: a
// byte-order mark, then the bank or Alipay layout; prefix starts Alipay's
// batch number ("SM" for withdrawals, "SS" for supplier payouts).
func writeTransferFile(buf *bytes.Buffer, method payout.Method, rows []exportRow, prefix string, batchID int64, day, payer, payerName string) error {
	buf.WriteString(utf8BOM)
	cw := csv.NewWriter(buf)
	if method == payout.BankCard {
		writeBankFile(cw, rows)
	} else {
		// 批次号: 11 to 32 letters or digits, never reused: the day and the batch id.
		writeAlipayFile(cw, rows, fmt.Sprintf("%s%s%08d", prefix, day, batchID), day, payer, payerName)
	}
	cw.Flush()
	return cw.Error()
}

func (tx *Tx) exportRows(ctx context.Context, k *payout.Keyring, batchID int64, method payout.Method) ([]exportRow, error) {
	rs, err := tx.Query(ctx, `SELECT w.id, w.net - w.withheld, w.currency, p.owner_id, p.key_id, p.box
		FROM withdrawals w JOIN withdrawal_payout_details p ON p.withdrawal_id = w.id
		WHERE w.batch_id = ? AND p.method = ? ORDER BY w.id`, batchID, string(method))
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []exportRow
	for rs.Next() {
		var r exportRow
		var owner int64
		var s payout.Sealed
		if err := rs.Scan(&r.withdrawalID, &r.net, &r.currency, &owner, &s.KeyID, &s.Box); err != nil {
			return nil, err
		}
		if r.details, err = k.Open(payout.Owner(PayoutDistributor, owner), s); err != nil {
			return nil, fmt.Errorf("withdrawal %d: %w", r.withdrawalID, err)
		}
		r.ref, r.reason = PayoutReference(r.withdrawalID), fmt.Sprintf("Sharemall withdrawal %d", r.withdrawalID)
		out = append(out, r)
	}
	return out, rs.Err()
}

func writeBankFile(cw *csv.Writer, rows []exportRow) {
	cw.Write(BankExportHeader)
	for i, r := range rows {
		d := r.details
		cw.Write([]string{strconv.Itoa(i + 1), d.CardNumber, cell(d.HolderName), cell(d.Bank), cell(d.Branch),
			money.CurrencyOf(r.currency).Format(r.net), r.currency, r.ref})
	}
}

// writeAlipayFile writes Alipay's batch payment template: the head row's
// labels and values (batch number, date yyyymmdd, payer, total, count),
// then the detail labels and one row per withdrawal.
func writeAlipayFile(cw *csv.Writer, rows []exportRow, batchNo, day, payer, payerName string) {
	var total money.Amount
	cur := money.CurrencyOf(rows[0].currency)
	for _, r := range rows {
		total += r.net
	}
	cw.Write(AlipayExportHead)
	cw.Write([]string{batchNo, day, cell(payer), cell(payerName), cur.Format(total), strconv.Itoa(len(rows))})
	cw.Write(AlipayExportHeader)
	for _, r := range rows {
		cw.Write([]string{r.ref, cell(r.details.AlipayAccount), cell(r.details.RealName),
			money.CurrencyOf(r.currency).Format(r.net), r.reason})
	}
}

// cell keeps a spreadsheet from running text as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsAny(s[:1], "=+-@\t\r") {
		return "'" + s
	}
	return s
}
