package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sharemall/internal/fraud"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestOpsFraudQueue: share-link visits over HTTP keep the client address
// as a hash; three from one address with no buyer (threshold 3) are click
// spam, listed in the queue with the evidence in both languages. A
// dismissal without a reason is refused next to the field; with one it
// leaves the open list, shows under dismissed, and is audited.
func TestOpsFraudQueue(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		st, err := db.Settings(w.ctx)
		w.must(err)
		st.Fraud.ClickSpamVisits = 3
		_, err = db.UpdateSettings(w.ctx, w.op, st, st.Version)
		w.must(err)
		anon := newTestSite(t, db)
		for range 3 {
			if p := anon.get("/s/" + w.link); p.Status != http.StatusOK {
				t.Fatalf("share link: %d", p.Status)
			}
		}
		_, err = db.SweepFraud(w.ctx, 500)
		w.must(err)
		list, err := db.FraudSignals(w.ctx, w.op, store.FraudFilter{Status: fraud.Open})
		w.must(err)
		if len(list) != 1 || list[0].Kind != fraud.ClickSpam || list[0].DistributorID != w.sellerID {
			t.Fatalf("signals %+v", list)
		}
		id := list[0].ID
		p := w.s.get("/ops/fraud")
		mustContain(t, p.Body, `href="/ops/fraud"`, fmt.Sprintf(`data-test="signal-%d"`, id), "Click spam", "Count: 3", fmt.Sprintf(`data-test="dismiss-%d"`, id))
		mustContain(t, w.s.get(fmt.Sprintf("/ops/fraud?distributor_id=%d", w.sellerID)).Body, fmt.Sprintf(`data-test="signal-%d"`, id), `data-test="all-distributors"`)
		mustContain(t, w.s.get(fmt.Sprintf("/ops/fraud?distributor_id=%d", w.sellerID+1000)).Body, `data-test="empty"`)
		mustContain(t, w.s.get(fmt.Sprintf("/ops/distributors/%d", w.sellerID)).Body, fmt.Sprintf(`href="/ops/fraud?distributor_id=%d"`, w.sellerID))
		w.s.lang = "zh-CN"
		mustContain(t, w.s.get("/ops/fraud").Body, "风控信号", "刷点击")
		w.s.lang = "en"
		path := fmt.Sprintf("/ops/fraud/%d/decision", id)
		p = w.s.post(path, url.Values{"decision": {"dismissed"}, "reason": {" "}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("dismiss without a reason: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-reason"`)
		if p := w.s.post(path, url.Values{"decision": {"dismissed"}, "reason": {"a shop assistant testing the link"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("dismiss: %d %s", p.Status, p.Body)
		}
		if strings.Contains(w.s.get("/ops/fraud").Body, fmt.Sprintf(`data-test="signal-%d"`, id)) {
			t.Error("a dismissed signal is still open")
		}
		mustContain(t, w.s.get("/ops/fraud?status=dismissed").Body, fmt.Sprintf(`data-test="signal-%d"`, id), "a shop assistant testing the link")
		mustContain(t, w.s.get("/ops/audit").Body, "fraud_signal.dismiss")
		w.signIn("lin@example.com")
		if p := w.s.get("/ops/fraud"); p.Status != http.StatusForbidden {
			t.Errorf("a distributor sees the queue: %d", p.Status)
		}
	})
}

// TestOpsFraudSettings: the settings page shows the fraud thresholds with
// their defaults; one out of range is refused next to its field and
// nothing is saved; a valid change and an unticked hold are saved.
func TestOpsFraudSettings(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		page := w.s.get("/ops/settings").Body
		form := settingsValues(t, page)
		if form.Get("fraud.cluster_size") != "3" || form.Get("fraud.refund_rate_bp") != "3000" {
			t.Fatalf("form %v", form)
		}
		mustContain(t, page, `name="fraud.hold_self_purchase" checked`, `name="fraud.hold_cluster" checked`)
		if strings.Contains(page, `name="fraud.hold_refund_rate" checked`) {
			t.Error("refund rate holds by default")
		}
		form.Set("fraud.hold_self_purchase", "on") // ticked boxes, as a browser sends them
		form.Set("action", "save")
		bad := cloneValues(form)
		bad.Set("fraud.cluster_size", "1")
		if p := w.s.post("/ops/settings", bad); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-fraud.cluster_size"`) {
			t.Fatalf("cluster size 1: %d", p.Status)
		}
		form.Set("fraud.click_spam_visits", "80")
		form.Del("fraud.hold_cluster")
		if p := w.s.post("/ops/settings", form); p.Status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", p.Status, p.Body)
		}
		st, err := db.Settings(w.ctx)
		w.must(err)
		if st.Fraud.ClickSpamVisits != 80 || st.Fraud.HoldCluster || !st.Fraud.HoldSelfPurchase || st.Fraud.ClusterSize != 3 {
			t.Fatalf("saved %+v", st.Fraud)
		}
	})
}
