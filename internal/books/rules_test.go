package books

import (
	"testing"

	"sharemall/internal/commission"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
)

// TestIsCommission: tiers and the area's agent are commission; the markup,
// the platform fee and the supplier's payable are not.
func TestIsCommission(t *testing.T) {
	for kind, want := range map[commission.PartyKind]bool{
		commission.KindTier: true, commission.KindAgent: true,
		commission.KindMarkup: false, commission.KindPlatform: false, commission.KindSupplier: false,
	} {
		if got := IsCommission(commission.Party{Kind: kind, ID: 7}); got != want {
			t.Errorf("IsCommission(%s) = %v, want %v", kind, got, want)
		}
	}
}

// TestShareStatus: every share has exactly one status, and Reversed says a
// refund took some of it whatever its status.
func TestShareStatus(t *testing.T) {
	for _, c := range []struct {
		line           LineStatus
		booked, amount money.Amount
		want           ShareStatus
		reversed       bool
	}{
		{LinePending, 500, 500, SharesPending, false},
		{LinePending, 500, 200, SharesPending, true},
		{LinePending, 500, 0, SharesReversed, true},
		{LineSettled, 500, 500, SharesAvailable, false},
		{LineSettled, 500, 1, SharesAvailable, true},
		{LineSettled, 500, 0, SharesReversed, true},
		{LineSettled, 0, 0, SharesReversed, false},
	} {
		s := ShareRecord{Status: c.line, Booked: c.booked, Amount: c.amount}
		if got := s.ShareStatus(); got != c.want {
			t.Errorf("%s line, booked %d, left %d: status %s, want %s", c.line, c.booked, c.amount, got, c.want)
		}
		if got := s.Reversed(); got != c.reversed {
			t.Errorf("%s line, booked %d, left %d: reversed %v, want %v", c.line, c.booked, c.amount, got, c.reversed)
		}
	}
}

// TestPostingAccounts: where a party's share waits and where it settles.
func TestPostingAccounts(t *testing.T) {
	for _, c := range []struct {
		party            commission.Party
		pending, settled string
		distributor      bool
	}{
		{commission.Party{Kind: commission.KindTier, Tier: 1, ID: 4}, "distributor_pending:4", "", true},
		{commission.Party{Kind: commission.KindMarkup, ID: 5}, "distributor_pending:5", "", true},
		{commission.Party{Kind: commission.KindAgent, ID: 6}, "distributor_pending:6", "", true},
		{commission.Party{Kind: commission.KindPlatform}, ledger.Code(ledger.PlatformPending, 0), ledger.Code(ledger.PlatformRevenue, 0), false},
		{commission.Party{Kind: commission.KindSupplier, ID: 9}, "supplier_pending:9", "supplier_payable:9", false},
	} {
		if got := PendingAccount(c.party); got != c.pending {
			t.Errorf("PendingAccount(%v) = %s, want %s", c.party, got, c.pending)
		}
		if got := IsDistributor(c.party); got != c.distributor {
			t.Errorf("IsDistributor(%v) = %v, want %v", c.party, got, c.distributor)
		}
		if !c.distributor {
			if got := SettledAccount(c.party); got != c.settled {
				t.Errorf("SettledAccount(%v) = %s, want %s", c.party, got, c.settled)
			}
		}
	}
}

// TestRefundPayload: a refund effect's payload names its payment; one that
// does not, or is not JSON, is refused.
func TestRefundPayload(t *testing.T) {
	var p RefundPayload
	if err := p.Decode(`{"provider_ref":"ref-1","payment_id":12,"case_id":3}`); err != nil || p != (RefundPayload{ProviderRef: "ref-1", PaymentID: 12, CaseID: 3}) {
		t.Fatalf("decode: %+v, %v", p, err)
	}
	for _, bad := range []string{``, `{}`, `{"provider_ref":"x"}`, `not json`} {
		var p RefundPayload
		if err := p.Decode(bad); err == nil {
			t.Errorf("payload %q was accepted: %+v", bad, p)
		}
	}
	if PaymentRefundKey(12) != "payment:12" || CaseRefundKey(3) != "case:3" {
		t.Errorf("keys: %s, %s", PaymentRefundKey(12), CaseRefundKey(3))
	}
}
