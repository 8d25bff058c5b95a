package demo

import (
	"context"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func TestSeedTwice(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		opt := Options{HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1}}
		r, err := Seed(ctx, db, opt)
		if err != nil {
			t.Fatal(err)
		}
		if r.Reused || r.Suppliers != 3 || r.Products != 30 || r.Distributors != 200 || r.Generations < 4 || r.Customers != 20 {
			t.Fatalf("demo = %+v", r)
		}
		problems, err := db.CheckNetwork(ctx)
		if err != nil || len(problems) > 0 {
			t.Fatalf("network check: %v %v", problems, err)
		}
		again, err := Seed(ctx, db, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Reused || again.Distributors != 200 || again.Products != 30 {
			t.Fatalf("second run = %+v", again)
		}
		// Every demo login works with the demo password.
		for _, l := range r.Logins {
			c, err := db.CredentialsFor(ctx, l.Login, "")
			if err != nil {
				t.Fatalf("%s: %v", l.Login, err)
			}
			if ok, err := account.VerifyPassword(c.PasswordHash, Password); !ok || err != nil {
				t.Fatalf("%s: password does not verify", l.Login)
			}
		}
	})
}
