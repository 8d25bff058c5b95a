package store

import (
	"context"
	"errors"
	"testing"
)

// TestTallyCountsOnlyCommittedWrites: a write that fails counts nothing,
// even after it counted inside its transaction; one that commits counts once.
func TestTallyCountsOnlyCommittedWrites(t *testing.T) {
	db, err := Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	failed := errors.New("rolled back")
	if err := db.Write(ctx, func(tx *Tx) error {
		tx.tally().order()
		tx.tally().payment("CNY", 100)
		return failed
	}); !errors.Is(err, failed) {
		t.Fatal(err)
	}
	if got := db.Tally(); got.OrdersPlaced != 0 || len(got.PaymentsReceived) != 0 {
		t.Fatalf("a rolled back write was counted: %+v", got)
	}
	if err := db.Write(ctx, func(tx *Tx) error {
		tx.tally().order()
		tx.tally().payment("CNY", 100)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := db.Tally(); got.OrdersPlaced != 1 || got.PaymentsReceived["CNY"] != (Count{1, 100}) {
		t.Fatalf("a committed write: %+v", got)
	}
	if err := db.Read(ctx, func(tx *Tx) error { tx.tally().order(); return nil }); err != nil {
		t.Fatal(err)
	}
	if got := db.Tally(); got.OrdersPlaced != 1 {
		t.Fatalf("a read counted: %+v", got)
	}
}
