package program

import (
	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// Fraud holds the thresholds of the fraud signals (docs/fraud.md defines
// each signal with them) and which kinds hold a distributor's settlement
// while a signal of theirs is open.
type Fraud struct {
	// Cluster: at least ClusterSize distributors share one payout account,
	// one device (visitor token) or one shipping address.
	ClusterSize int `json:"cluster_size"`
	// Refund rate: over the last RefundWindowDays, the refunded share of a
	// distributor's settled sales exceeds RefundRate, with at least
	// RefundMinOrders settled orders.
	RefundWindowDays int        `json:"refund_window_days"`
	RefundRate       money.Rate `json:"refund_rate_bp"`
	RefundMinOrders  int        `json:"refund_min_orders"`
	// Click spam: at least ClickSpamVisits visits on one distributor's links
	// from one address in one day (program time zone), none of them by a buyer.
	ClickSpamVisits int `json:"click_spam_visits"`
	// Empty team growth: at least EmptyTeamMembers new direct team members
	// joined within EmptyTeamDays, and none of them has paid for an order.
	EmptyTeamMembers int `json:"empty_team_members"`
	EmptyTeamDays    int `json:"empty_team_days"`
	// Hold: the kinds whose open signals hold settlement.
	HoldSelfPurchase bool `json:"hold_self_purchase"`
	HoldCluster      bool `json:"hold_cluster"`
	HoldRefundRate   bool `json:"hold_refund_rate"`
	HoldClickSpam    bool `json:"hold_click_spam"`
	HoldEmptyTeam    bool `json:"hold_empty_team"`
}

// DefaultFraud are the defaults: holds on for self-purchase and clusters.
func DefaultFraud() Fraud {
	return Fraud{ClusterSize: 3, RefundWindowDays: 30, RefundRate: 3000, RefundMinOrders: 10, ClickSpamVisits: 50,
		EmptyTeamMembers: 10, EmptyTeamDays: 7, HoldSelfPurchase: true, HoldCluster: true}
}

// Validate names the first threshold out of range.
func (f Fraud) Validate() error {
	for _, c := range []struct {
		field    string
		v, lo, h int
	}{
		{"fraud.cluster_size", f.ClusterSize, 2, 1000},
		{"fraud.refund_window_days", f.RefundWindowDays, 1, 365},
		{"fraud.refund_rate_bp", int(f.RefundRate), 1, 10000},
		{"fraud.refund_min_orders", f.RefundMinOrders, 1, 100000},
		{"fraud.click_spam_visits", f.ClickSpamVisits, 2, 1000000},
		{"fraud.empty_team_members", f.EmptyTeamMembers, 2, 100000},
		{"fraud.empty_team_days", f.EmptyTeamDays, 1, 365},
	} {
		if c.v < c.lo || c.v > c.h {
			return errs.Invalidf(c.field, "must be from %d to %d", c.lo, c.h)
		}
	}
	return nil
}
