package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sharemall/internal/store"
	"sharemall/internal/testutil"
	"sharemall/internal/wallet"
)

// The operator marks a payout batch paid on its page: the bank's reference
// is required (refused by its field, nothing changes), then every
// withdrawal in it is paid and the form is gone; another reference later
// is a conflict.
func TestOpsBatchPaid(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		ids := opsWithdrawals(t, w)
		if p := w.s.post(fmt.Sprintf("/ops/withdrawals/%d/approve", ids[0]), url.Values{"payout_ref": {""}}); p.Status != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", p.Status, p.Body)
		}
		p := w.s.post("/ops/payout-batches", nil)
		batch := p.Header.Get("Location")
		mustContain(t, w.s.get(batch).Body, `data-test="batch-paid-form"`, `data-test="withheld" data-label="Tax withheld">¥0.00<`)

		p = w.s.post(batch+"/paid", url.Values{"payout_ref": {"  "}})
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-payout_ref"`) {
			t.Errorf("no reference: %d", p.Status)
		}
		if wd, err := db.Withdrawal(w.ctx, w.op, ids[0]); err != nil || wd.Status != wallet.Approved {
			t.Fatalf("after the refusal: %+v %v", wd, err)
		}
		if p := w.s.post(batch+"/paid", url.Values{"payout_ref": {"BANK-7"}}); p.Status != http.StatusSeeOther || p.Header.Get("Location") != batch {
			t.Fatalf("paid: %d %s", p.Status, p.Header.Get("Location"))
		}
		p = w.s.get(batch)
		mustContain(t, p.Body, "BANK-7")
		if strings.Contains(p.Body, `data-test="batch-paid-form"`) {
			t.Error("a paid batch still offers to be marked paid")
		}
		if wd, err := db.Withdrawal(w.ctx, w.op, ids[0]); err != nil || wd.Status != wallet.Paid || wd.PayoutRef != "BANK-7" {
			t.Errorf("the withdrawal: %+v %v", wd, err)
		}
		if p := w.s.post(batch+"/paid", url.Values{"payout_ref": {"BANK-8"}}); p.Status != http.StatusConflict {
			t.Errorf("another reference: %d", p.Status)
		}
	})
}
