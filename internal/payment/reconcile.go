package payment

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"sharemall/internal/money"
)

// RecordedPayment is a payment as this server recorded it, for
// reconciliation.
type RecordedPayment struct {
	Reference, ProviderRef string
	Amount                 money.Amount
	Currency               string
	Paid                   bool      // money arrived (paid, or owed back, or given back)
	PaidAt                 time.Time // when Paid
	Status                 string    // the store's status, for the report
}

// RecordedRefund is a refund as this server recorded it.
type RecordedRefund struct {
	Key, Reference string
	Amount         money.Amount
	Currency       string
	Done           bool
	DoneAt         time.Time // when Done
	Status         string    // the store's status, for the report
}

// Difference kinds.
const (
	MissingHere       = "missing_here"        // on the statement, not recorded here
	MissingAtProvider = "missing_at_provider" // recorded here in the statement's period, not on it
	AmountDiffers     = "amount_differs"
	StatusDiffers     = "status_differs" // on the statement (money moved) but not paid or done here
)

// Difference is one line of a reconciliation report.
type Difference struct {
	Kind      string
	Line      string // LinePayment or LineRefund
	Reference string
	RefundKey string
	Detail    string
}

func (d Difference) String() string {
	id := d.Reference
	if d.RefundKey != "" {
		id += " refund " + d.RefundKey
	}
	return fmt.Sprintf("%-20s %-8s %s: %s", d.Kind, d.Line, id, d.Detail)
}

// Reconciliation is what comparing a statement with the records found.
type Reconciliation struct {
	Differences []Difference
	Fees        map[string]money.Amount // the statement's fee total by currency
	Lines       int
}

// Reconcile compares a provider's statement lines with what this server
// recorded: every statement line must be a payment paid (or a refund done)
// here of the same amount and currency, and every payment paid (refund
// done) here within [from, to) must be on the statement. Pure: the caller
// reads the records.
func Reconcile(lines []StatementLine, payments map[string]RecordedPayment, refunds map[string]RecordedRefund, from, to time.Time) Reconciliation {
	r := Reconciliation{Fees: map[string]money.Amount{}, Lines: len(lines)}
	seenPay, seenRefund := map[string]bool{}, map[string]bool{}
	for _, l := range lines {
		r.Fees[l.Currency] += l.Fee
		d := Difference{Line: l.Kind, Reference: l.Reference, RefundKey: l.RefundKey}
		switch l.Kind {
		case LinePayment:
			seenPay[l.Reference] = true
			p, ok := payments[l.Reference]
			switch {
			case !ok:
				d.Kind, d.Detail = MissingHere, fmt.Sprintf("%d %s at the provider, no such payment here", l.Amount, l.Currency)
			case p.Amount != l.Amount || p.Currency != l.Currency:
				d.Kind, d.Detail = AmountDiffers, fmt.Sprintf("%d %s at the provider, %d %s here", l.Amount, l.Currency, p.Amount, p.Currency)
			case !p.Paid:
				d.Kind, d.Detail = StatusDiffers, fmt.Sprintf("paid at the provider, %s here", p.Status)
			}
		case LineRefund:
			seenRefund[l.RefundKey] = true
			f, ok := refunds[l.RefundKey]
			switch {
			case !ok:
				d.Kind, d.Detail = MissingHere, fmt.Sprintf("refund of %d %s at the provider, no such refund here", l.Amount, l.Currency)
			case f.Amount != l.Amount || f.Currency != l.Currency:
				d.Kind, d.Detail = AmountDiffers, fmt.Sprintf("refund of %d %s at the provider, %d %s here", l.Amount, l.Currency, f.Amount, f.Currency)
			case !f.Done:
				d.Kind, d.Detail = StatusDiffers, fmt.Sprintf("refunded at the provider, %s here", f.Status)
			}
		}
		if d.Kind != "" {
			r.Differences = append(r.Differences, d)
		}
	}
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	for ref, p := range payments {
		if p.Paid && in(p.PaidAt) && !seenPay[ref] {
			r.Differences = append(r.Differences, Difference{Kind: MissingAtProvider, Line: LinePayment, Reference: ref,
				Detail: fmt.Sprintf("paid %d %s here at %s, not on the statement", p.Amount, p.Currency, p.PaidAt.UTC().Format(time.RFC3339))})
		}
	}
	for key, f := range refunds {
		if f.Done && in(f.DoneAt) && !seenRefund[key] {
			r.Differences = append(r.Differences, Difference{Kind: MissingAtProvider, Line: LineRefund, Reference: f.Reference, RefundKey: key,
				Detail: fmt.Sprintf("refunded %d %s here at %s, not on the statement", f.Amount, f.Currency, f.DoneAt.UTC().Format(time.RFC3339))})
		}
	}
	slices.SortStableFunc(r.Differences, func(a, b Difference) int {
		if c := cmp.Compare(a.Reference, b.Reference); c != 0 {
			return c
		}
		return cmp.Compare(a.RefundKey, b.RefundKey)
	})
	return r
}
