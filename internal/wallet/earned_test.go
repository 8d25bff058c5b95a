package wallet

import "testing"

func TestEarned(t *testing.T) {
	for _, tc := range []struct {
		w    Wallet
		want int64
	}{
		{Wallet{}, 0},
		{Wallet{Pending: 500}, 0},
		{Wallet{Pending: 500, Available: 300, Withdrawing: 200, Withdrawn: 1000}, 1500},
		{Wallet{Withdrawn: 1000, Debt: 150}, 850},
	} {
		if got := tc.w.Earned(); int64(got) != tc.want {
			t.Errorf("%+v: earned %d, want %d", tc.w, got, tc.want)
		}
	}
}
