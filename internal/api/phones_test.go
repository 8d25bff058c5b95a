package api

import (
	"testing"

	"sharemall/internal/errs"
)

// TestPhonesInNationalForm: a phone typed without its country code is read in
// the program's default region (CN unless the operator changes it) wherever
// phones are entered, and stored in E.164; an invalid one is refused naming
// its field.
func TestPhonesInNationalForm(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		op := ta.operator()
		if got := settingsBody(t, ta, op)["default_phone_region"]; got != "CN" {
			t.Fatalf("default_phone_region = %v, want CN", got)
		}
		res := ta.do("POST", "/api/v1/accounts", "", map[string]any{"phone": "13800138000", "password": "good password 1"}).must(t, 201)
		if p := res.Body["account"].(map[string]any)["phone"]; p != "+8613800138000" {
			t.Fatalf("stored phone %v, want +8613800138000", p)
		}
		for _, login := range []string{"13800138000", "138 0013 8000", "+86 138 0013 8000", "0086 13800138000"} {
			ta.do("POST", "/api/v1/sessions", "", map[string]any{"login": login, "password": "good password 1"}).must(t, 201)
		}
		ta.do("POST", "/api/v1/accounts", "", map[string]any{"phone": "1380013800", "password": "good password 1"}).wantErr(t, errs.Invalid, "phone")
		ta.do("POST", "/api/v1/sessions", "", map[string]any{"login": "1380013800", "password": "good password 1"}).wantErr(t, errs.Invalid, "login")

		_, owner := ta.newAccount("owner@example.com")
		sup := ta.do("POST", "/api/v1/suppliers", owner, map[string]any{"name": "Tea House", "contact_email": "tea@example.com", "contact_phone": "010 6552 9988"}).must(t, 201)
		if p := sup.Body["contact_phone"]; p != "+861065529988" {
			t.Fatalf("supplier contact phone %v, want +861065529988", p)
		}
		ta.do("PATCH", "/api/v1/suppliers/"+itoa(sup.id()), owner, map[string]any{"contact_phone": "12345"}).wantErr(t, errs.Invalid, "contact_phone")

		// The operator moves the program to Hong Kong: national numbers are read there.
		s := settingsBody(t, ta, op)
		s["default_phone_region"] = "hk"
		ta.do("PUT", "/api/v1/program/settings", op, s).wantErr(t, errs.Invalid, "default_phone_region")
		delete(s, "default_phone_region")
		ta.do("PUT", "/api/v1/program/settings", op, s).wantErr(t, errs.Invalid, "default_phone_region")
		s["default_phone_region"] = "HK"
		ta.do("PUT", "/api/v1/program/settings", op, s).must(t, 200)
		res = ta.do("POST", "/api/v1/accounts", "", map[string]any{"phone": "9123 4567", "password": "good password 1"}).must(t, 201)
		if p := res.Body["account"].(map[string]any)["phone"]; p != "+85291234567" {
			t.Fatalf("stored phone %v, want +85291234567", p)
		}
		ta.do("POST", "/api/v1/sessions", "", map[string]any{"login": "+86 138 0013 8000", "password": "good password 1"}).must(t, 201)
		ta.do("POST", "/api/v1/accounts", "", map[string]any{"phone": "13800138000", "password": "good password 1"}).wantErr(t, errs.Invalid, "phone")
	})
}
