package store_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/payout"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// Plaintexts of the payout details these tests record: none may show
// anywhere but the operator's export.
const (
	testCard   = "6222600260001072444"
	testHolder = "张三丰"
	testAlipay = "13800138000"
	testReal   = "李四光"
)

func payoutKeys(t testing.TB, ids ...string) (*payout.Keyring, string) {
	t.Helper()
	var file string
	for _, id := range ids {
		l, err := payout.NewKeyLine(id)
		if err != nil {
			t.Fatal(err)
		}
		file += l
	}
	k, err := payout.ParseKeys([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	return k, file
}

func bankCard() payout.Details {
	return payout.Details{Method: payout.BankCard, Bank: "中国工商银行", Branch: "上海分行", HolderName: testHolder, CardNumber: "6222 6002 6000 1072 444"}
}

func alipayAccount() payout.Details {
	return payout.Details{Method: payout.Alipay, AlipayAccount: testAlipay, RealName: testReal}
}

func TestPayoutDetailsRecordedMaskedAndGuarded(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		d1, a1 := f.distributor("Ann")
		_, a2 := f.distributor("Bob")
		owner := store.PayoutOwner{Kind: store.PayoutDistributor, ID: d1}

		// No keys configured: a clear Unavailable, nothing written.
		if _, err := db.SetPayoutDetails(f.ctx, a1, owner, bankCard()); !errs.Is(err, errs.Unavailable) {
			t.Fatalf("without keys: %v", err)
		}
		k, _ := payoutKeys(t, "k1")
		db.UsePayoutKeys(k)
		if _, err := db.PayoutDetails(f.ctx, a1, owner); !errs.Is(err, errs.NotFound) || errs.FieldOf(err) != "payout_details" {
			t.Fatalf("none recorded: %v", err)
		}
		bad := bankCard()
		bad.CardNumber = "6222600260001072445"
		if _, err := db.SetPayoutDetails(f.ctx, a1, owner, bad); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "card_number" {
			t.Fatalf("bad card: %v", err)
		}
		if _, err := db.PayoutDetails(f.ctx, a1, owner); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a refused change wrote something: %v", err)
		}
		// Nobody else records them: another distributor does not see the
		// owner exists; an operator is refused.
		if _, err := db.SetPayoutDetails(f.ctx, a2, owner, bankCard()); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another distributor: %v", err)
		}
		if _, err := db.SetPayoutDetails(f.ctx, f.op, owner, bankCard()); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("operator: %v", err)
		}
		v, err := db.SetPayoutDetails(f.ctx, a1, owner, bankCard())
		if err != nil {
			t.Fatal(err)
		}
		if v.Masked.CardLast4 != "2444" || v.Masked.HolderName != "张**" || v.Masked.Bank != "中国工商银行" {
			t.Fatalf("masked = %+v", v.Masked)
		}
		for _, who := range []string{"owner", "operator"} {
			actor := a1
			if who == "operator" {
				actor = f.op
			}
			got, err := db.PayoutDetails(f.ctx, actor, owner)
			if err != nil || got.Masked != v.Masked {
				t.Fatalf("%s reads %+v, %v", who, got, err)
			}
		}
		if _, err := db.PayoutDetails(f.ctx, a2, owner); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another distributor reads: %v", err)
		}
		// Replaced by an Alipay account; both changes audited, masked.
		if _, err := db.SetPayoutDetails(f.ctx, a1, owner, alipayAccount()); err != nil {
			t.Fatal(err)
		}
		lines, err := db.AuditLog(f.ctx, store.AuditFilter{Action: "payout_details.set"})
		if err != nil || len(lines) != 2 {
			t.Fatalf("audit = %d lines, %v", len(lines), err)
		}
		for _, l := range lines {
			noPlaintext(t, "audit "+string(l.Old)+string(l.New))
		}
		if !strings.Contains(string(lines[1].Old), "2444") || !strings.Contains(string(lines[1].New), "1*********0") {
			t.Fatalf("audit of the change = %s → %s", lines[1].Old, lines[1].New)
		}
	})
}

// noPlaintext fails when s holds any of the test's plaintexts.
func noPlaintext(t testing.TB, s string) {
	t.Helper()
	for _, p := range []string{testCard, "6222 6002", testHolder, testAlipay, testReal} {
		if strings.Contains(s, p) {
			t.Fatalf("plaintext %q shows in %s", p, s)
		}
	}
}

// A withdrawal is paid where its distributor said when it asked, whatever
// the distributor records later; the batch export opens exactly those.
func TestWithdrawalSnapshotAndBatchExport(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		k, keyFile := payoutKeys(t, "k1")
		db.UsePayoutKeys(k)
		f.rules(100, 0, 5)
		dBank, aBank := f.distributor("Ann")
		dAli, aAli := f.distributor("Bob")
		dNone, aNone := f.distributor("Cat")
		for d, a := range map[int64]any{dBank: aBank, dAli: aAli, dNone: aNone} {
			_ = a
			f.fund(d, 10000)
		}
		set := func(id int64, d payout.Details) {
			t.Helper()
			actor := aBank
			if id == dAli {
				actor = aAli
			}
			if _, err := db.SetPayoutDetails(f.ctx, actor, store.PayoutOwner{Kind: store.PayoutDistributor, ID: id}, d); err != nil {
				t.Fatal(err)
			}
		}
		set(dBank, bankCard())
		set(dAli, alipayAccount())
		wBank, err := db.RequestWithdrawal(f.ctx, aBank, dBank, 1234, "")
		if err != nil {
			t.Fatal(err)
		}
		wAli, err := db.RequestWithdrawal(f.ctx, aAli, dAli, 5000, "")
		if err != nil {
			t.Fatal(err)
		}
		wNone, err := db.RequestWithdrawal(f.ctx, aNone, dNone, 700, "")
		if err != nil {
			t.Fatal(err)
		}
		if wBank.PayoutTo == nil || wBank.PayoutTo.CardLast4 != "2444" || wNone.PayoutTo != nil {
			t.Fatalf("snapshots: bank %+v, none %+v", wBank.PayoutTo, wNone.PayoutTo)
		}
		// Ann now records an Alipay account: her requested withdrawal is
		// still paid to the card.
		set(dBank, payout.Details{Method: payout.Alipay, AlipayAccount: "ann@example.com", RealName: "Ann"})
		if got, _ := db.Withdrawal(f.ctx, aBank, wBank.ID); got.PayoutTo == nil || got.PayoutTo.Method != payout.BankCard {
			t.Fatalf("after the change the withdrawal is paid to %+v", got.PayoutTo)
		}
		for _, w := range []int64{wBank.ID, wAli.ID, wNone.ID} {
			if _, err := db.ApproveWithdrawal(f.ctx, f.op, w, ""); err != nil {
				t.Fatal(err)
			}
		}
		b, _, err := db.CreatePayoutBatch(f.ctx, f.op)
		if err != nil {
			t.Fatal(err)
		}
		export := func(o store.PayoutExportOptions) ([][]string, error) {
			var buf bytes.Buffer
			if err := db.PayoutBatchExport(f.ctx, f.op, b.ID, o, &buf); err != nil {
				return nil, err
			}
			s := buf.String()
			if !strings.HasPrefix(s, "\ufeff") {
				t.Fatalf("no byte-order mark: %q", s)
			}
			r := csv.NewReader(strings.NewReader(strings.TrimPrefix(s, "\ufeff")))
			r.FieldsPerRecord = -1
			return r.ReadAll()
		}
		bank, err := export(store.PayoutExportOptions{Format: store.ExportBank})
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{store.BankExportHeader,
			{"1", testCard, testHolder, "中国工商银行", "上海分行", "12.34", "CNY", store.PayoutReference(wBank.ID)}}
		if !equalRows(bank, want) {
			t.Fatalf("bank file = %q, want %q", bank, want)
		}
		ali, err := export(store.PayoutExportOptions{Format: store.ExportAlipay, PayerAccount: "pay@shop.example", PayerName: "某某公司"})
		if err != nil {
			t.Fatal(err)
		}
		day := f.clock.Now().In(mustLocation(t, db)).Format("20060102")
		want = [][]string{store.AlipayExportHead,
			{"SM" + day + padID(b.ID), day, "pay@shop.example", "某某公司", "50.00", "1"},
			store.AlipayExportHeader,
			{store.PayoutReference(wAli.ID), testAlipay, testReal, "50.00", "Sharemall withdrawal " + itoa(wAli.ID)}}
		if !equalRows(ali, want) {
			t.Fatalf("alipay file = %q, want %q", ali, want)
		}
		for _, c := range []struct {
			o     store.PayoutExportOptions
			code  errs.Code
			field string
		}{
			{store.PayoutExportOptions{}, errs.Invalid, "format"},
			{store.PayoutExportOptions{Format: "swift"}, errs.Invalid, "format"},
			{store.PayoutExportOptions{Format: store.ExportAlipay, PayerName: strings.Repeat("x", 200)}, errs.Invalid, "payer_name"},
		} {
			if _, err := export(c.o); !errs.Is(err, c.code) || errs.FieldOf(err) != c.field {
				t.Fatalf("%+v: %v", c.o, err)
			}
		}
		if err := db.PayoutBatchExport(f.ctx, aBank, b.ID, store.PayoutExportOptions{Format: store.ExportBank}, &bytes.Buffer{}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a distributor exports: %v", err)
		}
		lines, err := db.AuditLog(f.ctx, store.AuditFilter{Action: "payout_batch.export"})
		if err != nil || len(lines) != 2 {
			t.Fatalf("export audit = %d, %v", len(lines), err)
		}
		noPlaintext(t, string(lines[0].New)+string(lines[1].New))

		// Rotation: a second key; everything is resealed under it, and the
		// export opens it with the new ring; the old key alone no longer can.
		more, err := payout.NewKeyLine("k2")
		if err != nil {
			t.Fatal(err)
		}
		k2, err := payout.ParseKeys([]byte(keyFile + more))
		if err != nil {
			t.Fatal(err)
		}
		db.UsePayoutKeys(k2)
		n, err := db.RotatePayoutKeys(f.ctx)
		if err != nil || n != 4 { // two recorded, two withdrawals' copies
			t.Fatalf("rotate = %d, %v", n, err)
		}
		if n, err := db.RotatePayoutKeys(f.ctx); err != nil || n != 0 {
			t.Fatalf("rotate again = %d, %v", n, err)
		}
		if again, err := export(store.PayoutExportOptions{Format: store.ExportBank}); err != nil || !equalRows(again, bank) {
			t.Fatalf("after rotation = %q, %v", again, err)
		}
		onlyNew, err := payout.ParseKeys([]byte(more))
		if err != nil {
			t.Fatal(err)
		}
		db.UsePayoutKeys(onlyNew)
		if _, err := export(store.PayoutExportOptions{Format: store.ExportBank}); err != nil {
			t.Fatalf("after rotation the old key is not needed: %v", err)
		}
		db.UsePayoutKeys(k)
		if _, err := export(store.PayoutExportOptions{Format: store.ExportBank}); err == nil {
			t.Fatal("the old key alone opened details resealed under the new one")
		}
		f.check()
	})
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}

func padID(id int64) string { return fmt.Sprintf("%08d", id) }

func mustLocation(t testing.TB, db *store.DB) *time.Location {
	t.Helper()
	s, err := db.Settings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s.Location()
}
