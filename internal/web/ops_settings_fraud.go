package web

import (
	"net/url"
	"strconv"

	"sharemall/internal/money"
	"sharemall/internal/program"
)

// The fraud signals' thresholds and holds on the settings page
// (docs/fraud.md): fields named as the API's "fraud" object.

// fraudNumbers are the thresholds' fields, with where each lives.
func fraudNumbers(f *program.Fraud) []struct {
	name string
	v    *int
} {
	return []struct {
		name string
		v    *int
	}{
		{"fraud.cluster_size", &f.ClusterSize}, {"fraud.refund_window_days", &f.RefundWindowDays},
		{"fraud.refund_min_orders", &f.RefundMinOrders}, {"fraud.click_spam_visits", &f.ClickSpamVisits},
		{"fraud.empty_team_members", &f.EmptyTeamMembers}, {"fraud.empty_team_days", &f.EmptyTeamDays},
	}
}

// fraudHolds are the holds' checkboxes.
func fraudHolds(f *program.Fraud) map[string]*bool {
	return map[string]*bool{"fraud.hold_self_purchase": &f.HoldSelfPurchase, "fraud.hold_cluster": &f.HoldCluster,
		"fraud.hold_refund_rate": &f.HoldRefundRate, "fraud.hold_click_spam": &f.HoldClickSpam, "fraud.hold_empty_team": &f.HoldEmptyTeam}
}

// fraudForm writes f into the settings form.
func fraudForm(v url.Values, f program.Fraud) {
	for _, n := range fraudNumbers(&f) {
		v.Set(n.name, strconv.Itoa(*n.v))
	}
	v.Set("fraud.refund_rate_bp", strconv.FormatInt(int64(f.RefundRate), 10))
	for name, b := range fraudHolds(&f) {
		if *b {
			v.Set(name, "on")
		}
	}
}

// parseFraudForm reads the thresholds and holds; ok is false when the form
// has none of them (a form from before they were on the page): the caller
// keeps what is saved.
func parseFraudForm(form url.Values, num func(string) int64) (f program.Fraud, ok bool) {
	if !form.Has("fraud.cluster_size") {
		return f, false
	}
	for _, n := range fraudNumbers(&f) {
		*n.v = int(num(n.name))
	}
	f.RefundRate = money.Rate(num("fraud.refund_rate_bp"))
	for name, b := range fraudHolds(&f) {
		*b = form.Get(name) != ""
	}
	return f, true
}
