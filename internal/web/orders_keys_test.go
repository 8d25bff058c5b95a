package web

import (
	"testing"

	"sharemall/internal/store"
)

// TestOrdersKeys: the order pages build some keys from states and kinds
// ({{$.T (print "orders.state." .State)}}), which TestCatalogues cannot
// see; every one of them is in both languages.
func TestOrdersKeys(t *testing.T) {
	cat, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, s := range []string{"unpaid", "to_ship", "to_receive", "received", "completed", "cancelled"} {
		keys = append(keys, "orders.state."+s, "orders.state_hint."+s)
	}
	for _, s := range []store.FulfilmentStatus{store.FulfilmentPending, store.FulfilmentReleased, store.FulfilmentShipped,
		store.FulfilmentReceived, store.FulfilmentCancelled} {
		keys = append(keys, "orders.parcel."+string(s))
	}
	for _, tab := range myTabs {
		keys = append(keys, tab.Label)
		if tab.Status != "aftersale" {
			st := tab.Status
			if st == "" {
				st = "all"
			}
			keys = append(keys, "orders.empty."+st, "orders.empty_action."+st)
		}
	}
	for _, s := range []store.CaseStatus{store.CaseOpen, store.CaseApproved, store.CaseRefundDue, store.CaseRejected,
		store.CaseRefunded, store.CaseCancelled} {
		keys = append(keys, "aftersale.status."+string(s), "aftersale.status_hint."+string(s))
	}
	for _, k := range []store.CaseKind{store.RefundOnly, store.ReturnRefund} {
		keys = append(keys, "aftersale.kind."+string(k))
	}
	keys = append(keys, "aftersale.step.approved", "aftersale.step.rejected")
	for _, k := range keys {
		for _, lang := range Languages {
			if _, ok := cat[lang][k]; !ok {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
}
