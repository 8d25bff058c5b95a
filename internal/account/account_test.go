package account

import (
	"strings"
	"testing"

	"sharemall/internal/errs"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		in    SignUp
		field string // "" when valid
	}{
		{SignUp{Email: " Ann@Example.COM ", Password: "long enough 1"}, ""},
		{SignUp{Phone: "+86 138-0013-8000", Password: "long enough 1"}, ""},
		{SignUp{Password: "long enough 1"}, "email"},
		{SignUp{Email: "ann", Password: "long enough 1"}, "email"},
		{SignUp{Email: "Ann <ann@example.com>", Password: "long enough 1"}, "email"},
		{SignUp{Phone: "13800138000", Password: "long enough 1"}, ""}, // national, read in CN
		{SignUp{Phone: "12345", Password: "long enough 1"}, "phone"},
		{SignUp{Phone: "+0123456789", Password: "long enough 1"}, "phone"},
		{SignUp{Phone: "+86 (138) 0013", Password: "long enough 1"}, "phone"},
		{SignUp{Email: "a@example.com", Password: "short 1"}, "password"},
		{SignUp{Email: "a@example.com", Password: "1234567890123"}, "password"},
		{SignUp{Email: "a@example.com", Password: strings.Repeat("a1", 101)}, "password"},
		{SignUp{Email: "a@example.com", Password: "long enough 1", Name: strings.Repeat("名", 101)}, "name"},
	} {
		s := tc.in
		err := s.Normalize(DefaultPhoneRegion)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%+v: %v", tc.in, err)
			}
			continue
		}
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != tc.field {
			t.Errorf("%+v: got %v, want invalid %s", tc.in, err, tc.field)
		}
	}
	s := SignUp{Email: " Ann@Example.COM ", Phone: "+86 138-0013-8000", Password: "long enough 1"}
	if err := s.Normalize(DefaultPhoneRegion); err != nil || s.Email != "ann@example.com" || s.Phone != "+8613800138000" {
		t.Fatalf("normalized = %+v, %v", s, err)
	}
}

func TestIdentifier(t *testing.T) {
	if e, p, err := Identifier("login", "Bo@Example.com", "CN"); err != nil || e != "bo@example.com" || p != "" {
		t.Fatalf("email: %q %q %v", e, p, err)
	}
	if e, p, err := Identifier("login", "+44 20 7946 0958", "CN"); err != nil || e != "" || p != "+442079460958" {
		t.Fatalf("phone: %q %q %v", e, p, err)
	}
	if _, _, err := Identifier("login", "bob", "CN"); errs.FieldOf(err) != "login" {
		t.Fatalf("neither: %v", err)
	}
	if e, p, err := Identifier("login", "138 0013 8000", "CN"); err != nil || e != "" || p != "+8613800138000" {
		t.Fatalf("national phone: %q %q %v", e, p, err)
	}
}

func TestPasswordHash(t *testing.T) {
	p := HashParams{Memory: 64, Time: 1, Threads: 1}
	h, err := HashPassword(p, "correct horse 1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash = %s", h)
	}
	h2, _ := HashPassword(p, "correct horse 1")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	if ok, err := VerifyPassword(h, "correct horse 1"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, err := VerifyPassword(h, "correct horse 2"); ok || err != nil {
		t.Fatalf("wrong password: %v %v", ok, err)
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=18$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=x$c2FsdA$a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$a2V5"} {
		if _, err := VerifyPassword(bad, "x"); err == nil {
			t.Errorf("accepted hash %q", bad)
		}
	}
}

func TestTokens(t *testing.T) {
	tok, hash := NewToken(SessionPrefix)
	if !LooksLikeToken(tok) || HashToken(tok) != hash || len(hash) != 64 {
		t.Fatalf("token %q hash %q", tok, hash)
	}
	other, _ := NewToken(SessionPrefix)
	if other == tok {
		t.Fatal("tokens repeat")
	}
	for _, bad := range []string{"", "sms_short", "xyz_" + tok[4:], tok + "x"} {
		if LooksLikeToken(bad) {
			t.Errorf("LooksLikeToken(%q)", bad)
		}
	}
}

func TestActor(t *testing.T) {
	var anon Actor
	if errs.CodeOf(anon.Require(Customer)) != errs.Unauthorized {
		t.Fatal("anonymous passed Require")
	}
	cust := Actor{AccountID: 1, Roles: []Role{Customer}}
	if errs.CodeOf(cust.Require(Operator, Supplier)) != errs.Forbidden || cust.Require(Customer) != nil {
		t.Fatal("customer roles")
	}
	sup := Actor{AccountID: 2, Roles: []Role{Customer, Supplier, Operator}, SupplierID: 7}
	if !sup.OwnsSupplier(7) || !sup.OwnsSupplier(8) { // an operator acts for any supplier
		t.Fatal("operator-supplier ownership")
	}
	key := Actor{AccountID: 2, Roles: []Role{Supplier}, SupplierID: 7, APIKeyID: 3}
	if key.IsOperator() || key.Has(Customer) || !key.Has(Supplier) || !key.OwnsSupplier(7) || key.OwnsSupplier(8) {
		t.Fatal("an API key must act only as its supplier")
	}
	if _, err := ParseRole("role", "king"); errs.FieldOf(err) != "role" {
		t.Fatal("ParseRole accepted king")
	}
}
