package demo

import (
	"context"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/campaign"
	"sharemall/internal/testutil"
)

// TestDemoCampaigns: the demo has one running and one coming campaign.
func TestDemoCampaigns(t *testing.T) {
	db := testutil.OpenSQLite(t)
	ctx := context.Background()
	if _, err := Seed(ctx, db, Options{Distributors: 30, Customers: 20, HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1}}); err != nil {
		t.Fatal(err)
	}
	cred, err := db.CredentialsFor(ctx, operatorLogin, "")
	if err != nil {
		t.Fatal(err)
	}
	op, err := db.ActorFor(ctx, cred.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := db.Campaigns(ctx, op, false)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[campaign.Status]int{}
	for _, c := range cs {
		seen[c.StatusAt(db.Now())]++
	}
	if len(cs) != 2 || seen[campaign.Running] != 1 || seen[campaign.Coming] != 1 {
		t.Fatalf("campaigns %v", seen)
	}
}
