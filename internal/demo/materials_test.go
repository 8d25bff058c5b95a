package demo

import (
	"context"
	"testing"

	"sharemall/internal/store"
)

// checkDemoMaterials: the demo publishes its materials, and visits (and
// orders of their customers) are counted for them.
func checkDemoMaterials(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	pub, err := db.PublishedMaterials(ctx, store.MaterialFilter{})
	if err != nil || len(pub) != len(demoMaterials) {
		t.Fatalf("published materials: %d %v", len(pub), err)
	}
	c, err := db.CredentialsFor(ctx, operatorLogin, "")
	if err != nil {
		t.Fatal(err)
	}
	op, err := db.ActorFor(ctx, c.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	list, err := db.Materials(ctx, op, store.MaterialFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var visits, orders int64
	for _, m := range list {
		visits, orders = visits+m.Stats.Visits, orders+m.Stats.Orders
	}
	if visits != 26 || orders == 0 {
		t.Fatalf("material visits %d, orders %d", visits, orders)
	}
}
