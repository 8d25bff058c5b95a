package store_test

import (
	"context"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/store"
)

// newActor creates an account with roles and returns it as an actor; the
// store fixtures of every test file build their people with it.
func newActor(tb testing.TB, db *store.DB, email, name string, roles ...account.Role) account.Actor {
	tb.Helper()
	a, err := db.CreateAccount(context.Background(), account.SignUp{Email: email, Name: name}, "hash", roles...)
	if err != nil {
		tb.Fatal(err)
	}
	return actorFor(tb, db, a.ID)
}

// actorFor resolves an account's current actor (roles, supplier, distributor).
func actorFor(tb testing.TB, db *store.DB, accountID int64) account.Actor {
	tb.Helper()
	a, err := db.ActorFor(context.Background(), accountID)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}
