package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// A visitor opens Sam's invite link, in English: it names Sam and his
// shop and says joining is free; she signs up from it, comes back to it,
// joins, and lands in the distributor centre. Sam, on his own phone, finds
// her in his team at level 1.
func TestJoinByInviteLink(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		w := newWorld(t, app, "Longjing green tea")
		sam, _ := w.distributor("sam@example.com", "Sam", "Sam's Tea House", "")
		invite := "/join/" + sam.ReferralCode

		u := app.Visitor("en")
		seeInvite(t, u, invite)
		signUpFromInvite(t, u, invite, "Ann Lee")

		if got := u.Value(Label(T("en", "centre.join.display_name"))); got != "Ann Lee" {
			t.Errorf("the name distributors see starts as %q, want the account's", got)
		}
		u.Click(Button("Join for free"))
		if p := u.Path(); p != "/centre" {
			t.Fatalf("after joining she is on %s, not the centre", p)
		}
		u.WaitFor(Test("centre-head"))

		sponsor := app.SignedIn("en", "sam@example.com", password)
		sponsor.Open("/centre")
		sponsor.Click(Link("Team"))
		if n := sponsor.Text(Test("level-count-1")); n != "1" {
			t.Errorf("level 1 counts %s members, want 1", n)
		}
		if got := sponsor.Texts(Test("member-name")); len(got) != 1 || got[0] != "Ann Lee" {
			t.Errorf("Sam's team at level 1: %v, want [Ann Lee]", got)
		}
	})
}

// seeInvite opens the invite link as a visitor: who invites, and the terms.
func seeInvite(t *testing.T, u *Tab, invite string) {
	t.Helper()
	if status := u.Open(invite); status != http.StatusOK {
		t.Fatalf("the invite link: status %d", status)
	}
	if got := u.Text(Test("sponsor-name")); got != "Sam" {
		t.Errorf("the link is from %q, want Sam", got)
	}
	if got := u.Text(Test("sponsor-shop")); got != "Shop: Sam's Tea House" {
		t.Errorf("the sponsor's shop: %q", got)
	}
	terms := u.Text(Test("terms"))
	for _, want := range []string{T("en", "centre.join.term_free"), T("en", "centre.join.term_sales"), "Tier 1", "10%", "Tier 2", "5%"} {
		if !strings.Contains(terms, want) {
			t.Errorf("the terms do not say %q: %s", want, terms)
		}
	}
}

// signUpFromInvite signs up from the invite link's button and comes back
// to the link, signed in.
func signUpFromInvite(t *testing.T, u *Tab, invite, name string) {
	t.Helper()
	u.Click(Link("Sign up to join, free"))
	u.Fill(Label("Phone"), "139 0013 9000")
	u.Fill(Label("Your name"), name)
	u.Fill(Label("Password"), password)
	if status := u.Click(Button("Create my account")); status != http.StatusOK {
		t.Errorf("sign up: status %d", status)
	}
	if p := u.Path(); p != invite {
		t.Fatalf("after signing up she is on %s, not back on the invite %s", p, invite)
	}
	if got := u.Text(Test("sponsor-name")); got != "Sam" {
		t.Errorf("back on the link, it is from %q", got)
	}
}
