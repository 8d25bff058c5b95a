package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"sharemall/internal/money"
	"sharemall/internal/payment"
	"sharemall/internal/payment/alipay"
	"sharemall/internal/payment/wechatpay"
	"sharemall/internal/store"
)

// statementReaders read each provider's daily statement in its documented
// format, by provider name: `payments reconcile --provider` chooses one.
var statementReaders = map[string]payment.StatementReader{
	payment.SandboxName: payment.ReadSandboxStatement,
	"wechatpay":         wechatpay.ParseStatement,
	"alipay":            alipay.ParseStatement,
}

// errStatementDiffers makes `sharemall payments reconcile` exit non-zero.
var errStatementDiffers = errors.New("the statement and the records differ")

// reconcileFlags are `payments reconcile`'s own flags.
type reconcileFlags struct {
	provider, file, from, to string
}

func (f *reconcileFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.provider, "provider", "", "the provider whose statement it is: "+strings.Join(readerNames(), ", "))
	fs.StringVar(&f.file, "file", "", "the statement file (the provider's documented CSV format)")
	fs.StringVar(&f.from, "from", "", "first day of the statement's period, YYYY-MM-DD in the program's time zone (default: its first line's day)")
	fs.StringVar(&f.to, "to", "", "last day of the period, YYYY-MM-DD (default: its last line's day)")
}

func readerNames() []string {
	out := make([]string, 0, len(statementReaders))
	for n := range statementReaders {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// reconcile compares a provider's statement with the payments and refunds
// recorded: every line must be a payment paid (a refund done) here with the
// same amount and currency, and every payment paid (refund done) here in
// the statement's period must be on it. It prints every difference and the
// fee total, and exits 1 when there is any difference.
func reconcile(ctx context.Context, db *store.DB, f reconcileFlags, stdout io.Writer) error {
	read := statementReaders[f.provider]
	if read == nil {
		return fmt.Errorf("--provider must be one of %s, not %q", strings.Join(readerNames(), ", "), f.provider)
	}
	if f.file == "" {
		return errors.New("--file is required: the provider's statement")
	}
	file, err := os.Open(f.file)
	if err != nil {
		return fmt.Errorf("--file: %w", err)
	}
	defer file.Close()
	lines, err := read(file)
	if err != nil {
		return fmt.Errorf("--file %s: %w", f.file, err)
	}
	s, err := db.Settings(ctx)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	from, to, err := statementPeriod(lines, f.from, f.to, loc)
	if err != nil {
		return err
	}
	var refs, keys []string
	for i, l := range lines {
		if l.Kind == payment.LineRefund {
			l.RefundKey = payment.RefundKeyFromProvider(l.RefundKey)
			lines[i] = l
			keys = append(keys, l.RefundKey)
		} else {
			refs = append(refs, l.Reference)
		}
	}
	pays, refunds, err := db.ReconcileRecords(ctx, f.provider, refs, keys, from, to)
	if err != nil {
		return err
	}
	r := payment.Reconcile(lines, pays, refunds, from, to)
	for _, d := range r.Differences {
		fmt.Fprintln(stdout, "DIFFERENCE", d)
	}
	for _, cur := range slices.Sorted(mapKeys(r.Fees)) {
		fmt.Fprintf(stdout, "fees %s %s\n", cur, money.CurrencyOf(cur).Format(r.Fees[cur]))
	}
	fmt.Fprintf(stdout, "reconcile %s %s to %s: %d line(s), %d difference(s)\n", f.provider,
		from.In(loc).Format(time.DateOnly), to.In(loc).AddDate(0, 0, -1).Format(time.DateOnly), r.Lines, len(r.Differences))
	if len(r.Differences) > 0 {
		return errStatementDiffers
	}
	return nil
}

// statementPeriod is [from, to): whole days in loc, from the flags or the
// days of the statement's first and last lines.
func statementPeriod(lines []payment.StatementLine, fromFlag, toFlag string, loc *time.Location) (time.Time, time.Time, error) {
	day := func(t time.Time) time.Time {
		t = t.In(loc)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
	var from, to time.Time
	for i, l := range lines {
		if d := day(l.At); i == 0 || d.Before(from) {
			from = d
		}
		if d := day(l.At).AddDate(0, 0, 1); i == 0 || d.After(to) {
			to = d
		}
	}
	if fromFlag != "" {
		d, err := time.ParseInLocation(time.DateOnly, fromFlag, loc)
		if err != nil {
			return from, to, fmt.Errorf("--from must be YYYY-MM-DD, not %q", fromFlag)
		}
		from = d
	}
	if toFlag != "" {
		d, err := time.ParseInLocation(time.DateOnly, toFlag, loc)
		if err != nil {
			return from, to, fmt.Errorf("--to must be YYYY-MM-DD, not %q", toFlag)
		}
		to = d.AddDate(0, 0, 1)
	}
	if from.IsZero() || to.IsZero() {
		return from, to, errors.New("the statement has no lines: give its period with --from and --to")
	}
	if !from.Before(to) {
		return from, to, errors.New("--from must not be after --to")
	}
	return from, to, nil
}

func mapKeys[V any](m map[string]V) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
