package store_test

import (
	"context"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func TestFindAccount(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		opAcc, err := db.CreateAccount(ctx, account.SignUp{Email: "op@example.com"}, "hash", account.Operator)
		if err != nil {
			t.Fatal(err)
		}
		op, err := db.ActorFor(ctx, opAcc.ID)
		if err != nil {
			t.Fatal(err)
		}
		ann, err := db.CreateAccount(ctx, account.SignUp{Email: "ann@example.com", Name: "Ann"}, "hash", account.Customer)
		if err != nil {
			t.Fatal(err)
		}
		bob, err := db.CreateAccount(ctx, account.SignUp{Phone: "+8613800138000", Name: "Bob"}, "hash", account.Customer)
		if err != nil {
			t.Fatal(err)
		}
		for login, want := range map[string]int64{
			"2": ann.ID, " ANN@example.com ": ann.ID, "13800138000": bob.ID, "+86 138 0013 8000": bob.ID, "3": bob.ID,
		} {
			a, err := db.FindAccount(ctx, op, "q", login)
			if err != nil || a.ID != want {
				t.Errorf("%q: %v %v, want %d", login, a, err, want)
			}
		}
		for login, code := range map[string]errs.Code{
			"": errs.Invalid, "0": errs.Invalid, "99": errs.NotFound, "zed@example.com": errs.NotFound,
			"13900139000": errs.NotFound, "not an email@": errs.Invalid, "12ab": errs.Invalid,
		} {
			if _, err := db.FindAccount(ctx, op, "q", login); errs.CodeOf(err) != code || errs.FieldOf(err) != "q" {
				t.Errorf("%q: %v, want %s on q", login, err, code)
			}
		}
		annActor, err := db.ActorFor(ctx, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindAccount(ctx, annActor, "q", "3"); errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("a customer finds accounts: %v", err)
		}
	})
}
