package payment

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// SandboxStatementHeader is the first row of the sandbox's daily statement
// (docs/payments.md, "The sandbox's statement"): one row per payment or
// refund, amounts and fees in minor units.
var SandboxStatementHeader = []string{"time", "kind", "reference", "provider_ref", "refund_key", "amount", "fee", "currency"}

// ReadSandboxStatement reads the sandbox's statement: a CSV file with
// SandboxStatementHeader, times in RFC 3339, kind payment or refund. A row
// that does not read is an error naming its line and field.
func ReadSandboxStatement(r io.Reader) ([]StatementLine, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(SandboxStatementHeader)
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errs.Invalidf("file", "is empty: a statement starts with the header %s", strings.Join(SandboxStatementHeader, ","))
	} else if err != nil {
		return nil, errs.Invalidf("file", "line 1: %v", err)
	}
	for i, h := range SandboxStatementHeader {
		if strings.TrimSpace(strings.TrimPrefix(head[i], "\ufeff")) != h {
			return nil, errs.Invalidf("file", "line 1: column %d must be %q, not %q", i+1, h, head[i])
		}
	}
	var out []StatementLine
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, errs.Invalidf("file", "line %d: %v", line, err)
		}
		l, err := sandboxLine(rec)
		if err != nil {
			return nil, errs.Invalidf("file", "line %d: %v", line, err)
		}
		out = append(out, l)
	}
}

func sandboxLine(rec []string) (StatementLine, error) {
	var l StatementLine
	var err error
	if l.At, err = time.Parse(time.RFC3339, rec[0]); err != nil {
		return l, fmt.Errorf("time %q is not RFC 3339", rec[0])
	}
	l.Kind, l.Reference, l.ProviderRef, l.RefundKey, l.Currency = rec[1], rec[2], rec[3], rec[4], rec[7]
	switch {
	case l.Kind != LinePayment && l.Kind != LineRefund:
		return l, fmt.Errorf("kind must be payment or refund, not %q", l.Kind)
	case l.Reference == "":
		return l, errors.New("reference is empty")
	case l.Kind == LineRefund && l.RefundKey == "":
		return l, errors.New("refund_key is empty on a refund")
	case len(l.Currency) != 3:
		return l, fmt.Errorf("currency %q is not a three-letter code", l.Currency)
	}
	amount, err := strconv.ParseInt(rec[5], 10, 64)
	if err != nil || amount < 0 {
		return l, fmt.Errorf("amount %q is not a whole number of minor units", rec[5])
	}
	fee, err := strconv.ParseInt(rec[6], 10, 64)
	if err != nil || fee < 0 {
		return l, fmt.Errorf("fee %q is not a whole number of minor units", rec[6])
	}
	l.Amount, l.Fee = money.Amount(amount), money.Amount(fee)
	return l, nil
}
