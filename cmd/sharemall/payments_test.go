package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/demo"
	"sharemall/internal/payment"
	"sharemall/internal/store"
)

// TestPaymentsReconcileCommand: a statement listing exactly the demo's
// sandbox payments and refunds reconciles (exit 0); one with a line
// missing, an amount changed and a payment we never took lists each
// difference and exits 1; a bad file or provider is a clear error.
func TestPaymentsReconcileCommand(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db, demo.Options{HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1}}); err != nil {
		t.Fatal(err)
	}
	pays, refunds, err := db.ReconcileRecords(ctx, "sandbox", nil, nil, time.Unix(0, 0), time.Now().AddDate(10, 0, 0))
	if err != nil || len(pays) < 3 || len(refunds) < 1 {
		t.Fatalf("demo records: %d payments, %d refunds, %v", len(pays), len(refunds), err)
	}
	db.Close()
	var rows []string
	for _, p := range pays {
		rows = append(rows, fmt.Sprintf("%s,payment,%s,%s,,%d,%d,%s", p.PaidAt.UTC().Format(time.RFC3339), p.Reference, p.ProviderRef, p.Amount, p.Amount/100, p.Currency))
	}
	for _, f := range refunds {
		if f.Done {
			rows = append(rows, fmt.Sprintf("%s,refund,%s,,%s,%d,0,%s", f.DoneAt.UTC().Format(time.RFC3339), f.Reference, f.Key, f.Amount, f.Currency))
		}
	}
	slices.Sort(rows)
	head := strings.Join(payment.SandboxStatementHeader, ",")
	write := func(rows []string) string {
		path := filepath.Join(t.TempDir(), "statement.csv")
		if err := os.WriteFile(path, []byte(head+"\n"+strings.Join(rows, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	reconcile := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, "payments", append([]string{"reconcile", "--data", data, "--log-level", "error"}, args...), &out)
		return out.String(), err
	}

	out, err := reconcile("--provider", "sandbox", "--file", write(rows))
	if err != nil || !strings.Contains(out, "0 difference(s)") || !strings.Contains(out, "fees CNY") {
		t.Fatalf("a matching statement: %v\n%s", err, out)
	}

	var dropped string
	bad := slices.Clone(rows)
	for i, r := range bad {
		if strings.Contains(r, ",payment,") {
			dropped = strings.Split(r, ",")[2]
			bad = slices.Delete(bad, i, i+1)
			break
		}
	}
	for i, r := range bad {
		if strings.Contains(r, ",payment,") {
			f := strings.Split(r, ",")
			f[5] = "1"
			bad[i] = strings.Join(f, ",")
			break
		}
	}
	bad = append(bad, strings.Split(rows[0], ",")[0]+",payment,smNEVERx00,smNEVERx00,,500,0,CNY")
	out, err = reconcile("--provider", "sandbox", "--file", write(bad))
	if !errors.Is(err, errStatementDiffers) {
		t.Fatalf("a differing statement: %v\n%s", err, out)
	}
	for _, want := range []string{payment.MissingAtProvider + " ", dropped, payment.AmountDiffers, payment.MissingHere, "smNEVERx00", "3 difference(s)"} {
		if !strings.Contains(out, want) {
			t.Fatalf("no %q in\n%s", want, out)
		}
	}

	if _, err := reconcile("--provider", "paypal", "--file", write(rows)); err == nil || !strings.Contains(err.Error(), "--provider") {
		t.Fatalf("unknown provider: %v", err)
	}
	if _, err := reconcile("--provider", "sandbox", "--file", write([]string{"yesterday,payment,a,a,,1,0,CNY"})); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("bad line: %v", err)
	}
}

// TestGatewaysConfiguration: a provider with half a configuration stops the
// start with the provider's own message naming the missing setting; a
// provider on without --public-url stops it too (notifications go there);
// with it the provider is on and logged.
func TestGatewaysConfiguration(t *testing.T) {
	saved := providers
	t.Cleanup(func() { providers = saved })
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))

	providers = []providerConfig{{Name: "half", Load: func() (payment.Gateway, error) {
		return nil, errors.New("SHAREMALL_HALF_KEY_FILE is not set, but SHAREMALL_HALF_MCH_ID is")
	}}}
	if _, err := gateways(&Config{}, log); err == nil || !strings.Contains(err.Error(), "payment provider half: SHAREMALL_HALF_KEY_FILE") {
		t.Fatalf("half a configuration: %v", err)
	}
	providers = []providerConfig{{Name: "sandbox", Load: func() (payment.Gateway, error) { return &payment.Sandbox{}, nil }},
		{Name: "absent", Load: func() (payment.Gateway, error) { return nil, nil }}}
	if _, err := gateways(&Config{}, log); err == nil || !strings.Contains(err.Error(), "--public-url") {
		t.Fatalf("no public URL: %v", err)
	}
	gws, err := gateways(&Config{PublicURL: "https://shop.example.com"}, log)
	if err != nil || len(gws) != 1 || !strings.Contains(logs.String(), "payment providers on") || strings.Contains(logs.String(), "absent") {
		t.Fatalf("%v %v\n%s", gws, err, logs.String())
	}
	if rs := runnerRefunders(&Config{PublicURL: "https://shop.example.com"}, gws); len(rs) != 2 {
		t.Fatalf("refunders %v", rs)
	}
}
