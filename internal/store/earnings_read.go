package store

import (
	"context"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// Earning is what a distributor earned in one period of the program's
// calendar: its shares (tier, markup, agent: what Commissions lists for it)
// on the lines booked in the period, as they stand now, net of refunds.
// A refund lowers the period its line was booked in, so the periods add up
// to the commission lines.
type Earning struct {
	Start  time.Time // the period's first instant, in the program's time zone
	Amount money.Amount
}

// Earnings is a distributor's earnings per day and per month, oldest first,
// the current day and month last, with their totals.
type Earnings struct {
	Currency     string
	ByDay        []Earning
	ByMonth      []Earning
	DaysTotal    money.Amount
	MonthsTotal  money.Amount
	Today, Month money.Amount // the current day's and month's
}

// Limits of the Earnings periods.
const (
	MaxEarningDays   = 92
	MaxEarningMonths = 24
)

// Earnings returns distributor id's earnings for the last days days and the
// last months months (the current ones included), days and months counted
// midnight to midnight in the program's time zone: to the distributor itself
// and operators; another's is NotFound.
//
// Cost: one index range over the distributor's own shares
// (commission_shares_beneficiary), each joined to its line by primary key,
// per series: linear in the shares the distributor ever had, never in
// anyone else's.
func (db *DB) Earnings(ctx context.Context, actor account.Actor, id int64, days, months int) (*Earnings, error) {
	const op = "store.Earnings"
	if err := actor.Require(account.Distributor, account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	switch {
	case days < 1 || days > MaxEarningDays:
		return nil, errs.Wrap(op, errs.Invalidf("days", "must be from 1 to %d", MaxEarningDays))
	case months < 1 || months > MaxEarningMonths:
		return nil, errs.Wrap(op, errs.Invalidf("months", "must be from 1 to %d", MaxEarningMonths))
	case !ownsWallet(actor, id):
		return nil, errs.Wrap(op, errs.E(errs.NotFound, "", "distributor not found"))
	}
	out := &Earnings{}
	err := db.Read(ctx, func(tx *Tx) error {
		if _, err := tx.distributor(ctx, id); err != nil {
			return err
		}
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		out.Currency = s.CurrencyCode
		today, _ := s.Day(tx.Now())
		dayStarts := make([]time.Time, days+1)
		for i := range dayStarts {
			dayStarts[i] = today.AddDate(0, 0, i-days+1)
		}
		month := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, today.Location())
		monthStarts := make([]time.Time, months+1)
		for i := range monthStarts {
			monthStarts[i] = month.AddDate(0, i-months+1, 0)
		}
		if out.ByDay, out.DaysTotal, err = tx.earnings(ctx, id, dayStarts); err != nil {
			return err
		}
		out.ByMonth, out.MonthsTotal, err = tx.earnings(ctx, id, monthStarts)
		out.Today, out.Month = out.ByDay[days-1].Amount, out.ByMonth[months-1].Amount
		return err
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	return out, nil
}

// earnings sums distributor id's shares on the lines booked in each period
// [bounds[i], bounds[i+1]) in one grouped query.
func (tx *Tx) earnings(ctx context.Context, id int64, bounds []time.Time) ([]Earning, money.Amount, error) {
	n := len(bounds) - 1
	out := make([]Earning, n)
	for i := range out {
		out[i].Start = bounds[i]
	}
	// The period's index: the first bound after booked_at, less one.
	var when strings.Builder
	args := []any{}
	if n > 1 {
		when.WriteString("CASE")
		for i := 1; i < n; i++ {
			when.WriteString(" WHEN l.booked_at < ? THEN " + itoaID(int64(i-1)))
			args = append(args, ts(bounds[i]))
		}
		when.WriteString(" ELSE ")
	}
	when.WriteString(itoaID(int64(n - 1)))
	if n > 1 {
		when.WriteString(" END")
	}
	args = append(args, id, string(commission.KindTier), string(commission.KindMarkup), string(commission.KindAgent),
		ts(bounds[0]), ts(bounds[n]))
	var total money.Amount
	err := tx.Each(ctx, `SELECT k, SUM(amount) FROM (SELECT `+when.String()+` AS k, s.amount AS amount
			FROM commission_shares s JOIN commission_lines l ON l.line_id = s.line_id
			WHERE s.beneficiary_id = ? AND s.kind IN (?, ?, ?) AND l.booked_at >= ? AND l.booked_at < ?) p
		GROUP BY k`, args, func(scan func(...any) error) error {
		var k, sum int64
		if err := scan(&k, &sum); err != nil {
			return sqldb.MapErr(err)
		}
		if k >= 0 && k < int64(n) {
			out[k].Amount = money.Amount(sum)
			total += money.Amount(sum)
		}
		return nil
	})
	return out, total, err
}
