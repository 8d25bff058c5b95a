package store

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/wallet"
)

// The tax withheld from distributors' withdrawals, reported per distributor
// and month (docs/payouts.md, "Withholding"). A withdrawal counts in the
// month it was paid, in the program's time zone: tax is withheld when
// money is paid, so the month it was paid is the month it is declared.

// WithholdingRow is one distributor's paid withdrawals in one month.
type WithholdingRow struct {
	Month         string // yyyy-mm
	DistributorID int64
	DisplayName   string
	Currency      string
	Withdrawals   int
	Gross         money.Amount // taken from the wallet
	Fee           money.Amount
	Withheld      money.Amount
	Paid          money.Amount // what the bank paid: gross − fee − withheld
}

// WithholdingHeader is the header row of the report's CSV.
var WithholdingHeader = []string{"month", "distributor_id", "display_name", "currency", "withdrawals", "gross", "fee", "withheld", "paid"}

// WithholdingReport lists month's paid withdrawals per distributor
// (month "yyyy-mm"): an operator's for everyone or one distributor, a
// distributor's for itself only.
func (db *DB) WithholdingReport(ctx context.Context, actor account.Actor, month string, distributorID int64) ([]WithholdingRow, error) {
	const op = "store.WithholdingReport"
	if !actor.IsOperator() {
		if distributorID == 0 {
			distributorID = actor.DistributorID
		}
		if err := mayRequest(actor, distributorID); err != nil {
			return nil, errs.Wrap(op, err)
		}
	}
	m, err := time.Parse("2006-01", strings.TrimSpace(month))
	if err != nil {
		return nil, errs.Wrap(op, errs.Invalidf("month", "must be a month as yyyy-mm, e.g. 2026-01"))
	}
	var out []WithholdingRow
	err = db.Read(ctx, func(tx *Tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		loc := s.Location()
		from := time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, loc)
		to := from.AddDate(0, 1, 0)
		q := `SELECT w.distributor_id, d.display_name, w.currency, COUNT(*), SUM(w.amount), SUM(w.fee), SUM(w.withheld), SUM(w.net - w.withheld)
			FROM withdrawals w JOIN distributors d ON d.id = w.distributor_id
			WHERE w.status = ? AND w.paid_at >= ? AND w.paid_at < ?`
		args := []any{string(wallet.Paid), ts(from), ts(to)}
		if distributorID != 0 {
			q += ` AND w.distributor_id = ?`
			args = append(args, distributorID)
		}
		return tx.Each(ctx, q+` GROUP BY w.distributor_id, d.display_name, w.currency ORDER BY w.distributor_id, w.currency`, args,
			func(scan func(...any) error) error {
				r := WithholdingRow{Month: from.Format("2006-01")}
				if err := scan(&r.DistributorID, &r.DisplayName, &r.Currency, &r.Withdrawals, &r.Gross, &r.Fee, &r.Withheld, &r.Paid); err != nil {
					return err
				}
				out = append(out, r)
				return nil
			})
	})
	return out, errs.Wrap(op, err)
}

// WithholdingCSV writes the report as CSV (UTF-8, LF, amounts in major
// units, header WithholdingHeader).
func WithholdingCSV(w io.Writer, rows []WithholdingRow) error {
	cw := csv.NewWriter(w)
	cw.Write(WithholdingHeader)
	for _, r := range rows {
		c := money.CurrencyOf(r.Currency)
		cw.Write([]string{r.Month, strconv.FormatInt(r.DistributorID, 10), cell(r.DisplayName), r.Currency, strconv.Itoa(r.Withdrawals),
			c.Format(r.Gross), c.Format(r.Fee), c.Format(r.Withheld), c.Format(r.Paid)})
	}
	cw.Flush()
	return cw.Error()
}
