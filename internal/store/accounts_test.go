package store_test

import (
	"context"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func TestAccounts(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := testutil.NewClock()
		db.Now = clock.Now
		a, err := db.CreateAccount(ctx, account.SignUp{Email: "ann@example.com", Name: "Ann"}, "hash", account.Customer)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.CreateAccount(ctx, account.SignUp{Email: "ann@example.com"}, "hash")
		if errs.CodeOf(err) != errs.Conflict || errs.FieldOf(err) != "email" {
			t.Fatalf("duplicate email: got %v, want conflict on email", err)
		}
		b, err := db.CreateAccount(ctx, account.SignUp{Phone: "+8613800138000"}, "hash")
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.CreateAccount(ctx, account.SignUp{Phone: "+8613800138000"}, "hash")
		if errs.CodeOf(err) != errs.Conflict || errs.FieldOf(err) != "phone" {
			t.Fatalf("duplicate phone: got %v", err)
		}

		// Sessions resolve to actors until they expire.
		tok, hash := account.NewToken(account.SessionPrefix)
		if !account.LooksLikeToken(tok) {
			t.Fatalf("token %q does not look like a token", tok)
		}
		if _, err := db.CreateSession(ctx, a.ID, hash, time.Hour); err != nil {
			t.Fatal(err)
		}
		actor, err := db.ActorBySession(ctx, hash)
		if err != nil || actor.AccountID != a.ID || !actor.Has(account.Customer) || actor.Has(account.Operator) {
			t.Fatalf("actor = %+v, %v", actor, err)
		}
		clock.Advance(2 * time.Hour)
		if _, err := db.ActorBySession(ctx, hash); errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("expired session: %v", err)
		}
		if _, err := db.ActorBySession(ctx, "nope"); errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("unknown session: %v", err)
		}

		// Only operators grant roles; grants are audited.
		if err := db.GrantRole(ctx, actor, b.ID, account.Operator); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("customer granted a role: %v", err)
		}
		op := account.Actor{AccountID: a.ID, Roles: []account.Role{account.Operator}}
		if err := db.GrantRole(ctx, op, b.ID, account.Operator); err != nil {
			t.Fatal(err)
		}
		if err := db.GrantRole(ctx, op, 9999, account.Operator); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("grant to missing account: %v", err)
		}
		got, _ := db.Account(ctx, b.ID)
		if !got.Has(account.Operator) {
			t.Fatalf("roles = %v", got.Roles)
		}
		log, err := db.AuditLog(ctx, store.AuditFilter{})
		if err != nil || len(log) != 1 || log[0].Action != "account.role.grant" || log[0].ActorAccountID != a.ID {
			t.Fatalf("audit = %+v, %v", log, err)
		}
		if err := db.RevokeRole(ctx, op, a.ID, account.Operator); errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("self-revoke: %v", err)
		}
	})
}
