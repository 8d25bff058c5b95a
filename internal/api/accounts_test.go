package api

import (
	"net/http"
	"strings"
	"testing"

	"sharemall/internal/errs"
)

func countAccounts(t *testing.T, ta *testAPI, op string) int {
	t.Helper()
	res := ta.do("GET", "/api/v1/accounts?limit=200", op, nil).must(t, 200)
	return len(res.Body["items"].([]any))
}

func TestSignUpValidation(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		op := ta.operator()
		ta.do("POST", "/api/v1/accounts", "", map[string]any{"email": "taken@example.com", "password": "good password 1"}).must(t, 201)
		before := countAccounts(t, ta, op)
		for _, tc := range []struct {
			name   string
			body   any
			status int
			code   errs.Code
			field  string
		}{
			{"neither email nor phone", map[string]any{"password": "good password 1"}, 400, errs.Invalid, "email"},
			{"bad email", map[string]any{"email": "not-an-email", "password": "good password 1"}, 400, errs.Invalid, "email"},
			{"email without domain dot", map[string]any{"email": "a@localhost", "password": "good password 1"}, 400, errs.Invalid, "email"},
			{"bad phone", map[string]any{"phone": "12345", "password": "good password 1"}, 400, errs.Invalid, "phone"},
			{"phone with letters", map[string]any{"phone": "+86 138 abc", "password": "good password 1"}, 400, errs.Invalid, "phone"},
			{"short password", map[string]any{"email": "a@example.com", "password": "short1"}, 400, errs.Invalid, "password"},
			{"letters only password", map[string]any{"email": "a@example.com", "password": "onlylettershere"}, 400, errs.Invalid, "password"},
			{"long name", map[string]any{"email": "a@example.com", "password": "good password 1", "name": strings.Repeat("x", 101)}, 400, errs.Invalid, "name"},
			{"taken email (case-insensitive)", map[string]any{"email": "TAKEN@example.com", "password": "good password 1"}, 409, errs.Conflict, "email"},
			{"unknown field", map[string]any{"email": "a@example.com", "password": "good password 1", "role": "operator"}, 400, errs.Invalid, "role"},
			{"wrong type", map[string]any{"email": 42, "password": "good password 1"}, 400, errs.Invalid, "email"},
			{"malformed JSON", `{"email": "a@example.com",`, 400, errs.Invalid, "body"},
			{"not JSON", `email=a@example.com`, 400, errs.Invalid, "body"},
			{"two values", `{"email":"a@example.com","password":"good password 1"} {}`, 400, errs.Invalid, "body"},
			{"array", `[]`, 400, errs.Invalid, "body"},
			{"oversized body", `{"name":"` + strings.Repeat("x", 2<<20) + `"}`, 413, errs.TooLarge, "body"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := ta.do("POST", "/api/v1/accounts", "", tc.body)
				if res.Status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Raw)
				}
				res.wantErr(t, tc.code, tc.field)
			})
		}
		if n := countAccounts(t, ta, op); n != before {
			t.Fatalf("refused sign-ups changed the accounts: %d → %d", before, n)
		}
	})
}

func TestSignUpLoginLogout(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		res := ta.do("POST", "/api/v1/accounts", "", map[string]any{"phone": "+86 138-0013-8000", "name": "Bo", "password": "good password 1"}).must(t, 201)
		acct := res.Body["account"].(map[string]any)
		if acct["phone"] != "+8613800138000" || acct["roles"].([]any)[0] != "customer" {
			t.Fatalf("account = %v", acct)
		}
		tok := res.Body["token"].(string)
		me := ta.do("GET", "/api/v1/me", tok, nil).must(t, 200)
		if me.Body["name"] != "Bo" {
			t.Fatalf("me = %s", me.Raw)
		}

		// Login by phone in another spelling.
		login := ta.do("POST", "/api/v1/sessions", "", map[string]any{"login": "+8613800138000", "password": "good password 1"}).must(t, 201)
		tok2 := login.Body["token"].(string)
		if c := login.Header.Get("Set-Cookie"); !strings.Contains(c, SessionCookie+"=") || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "Secure") || !strings.Contains(c, "SameSite=Lax") {
			t.Fatalf("cookie = %q", c)
		}
		ta.do("POST", "/api/v1/sessions", "", map[string]any{"login": "+8613800138000", "password": "wrong password 1"}).wantErr(t, errs.Unauthorized, "password")
		ta.do("POST", "/api/v1/sessions", "", map[string]any{"login": "nobody@example.com", "password": "good password 1"}).wantErr(t, errs.Unauthorized, "password")
		ta.do("POST", "/api/v1/sessions", "", map[string]any{"login": "", "password": "x"}).wantErr(t, errs.Invalid, "login")
		ta.do("POST", "/api/v1/sessions", "", map[string]any{"login": "+8613800138000"}).wantErr(t, errs.Invalid, "password")

		// Logout ends only that session.
		ta.do("DELETE", "/api/v1/sessions/current", tok2, nil).must(t, 204)
		ta.do("GET", "/api/v1/me", tok2, nil).wantErr(t, errs.Unauthorized, "")
		ta.do("GET", "/api/v1/me", tok, nil).must(t, 200)
		ta.do("DELETE", "/api/v1/sessions/current", "", nil).wantErr(t, errs.Unauthorized, "")

		// Malformed bearer headers are refused before any look-up.
		ta.do("GET", "/api/v1/me", "garbage", nil).wantErr(t, errs.Unauthorized, "Authorization")
		ta.do("GET", "/api/v1/me", "", nil).wantErr(t, errs.Unauthorized, "")

		// Changing the password ends every session.
		ta.do("PUT", "/api/v1/me/password", tok, map[string]any{"current_password": "nope nope 1", "new_password": "new password 22"}).wantErr(t, errs.Forbidden, "current_password")
		ta.do("PUT", "/api/v1/me/password", tok, map[string]any{"current_password": "good password 1", "new_password": "short"}).wantErr(t, errs.Invalid, "new_password")
		ta.do("PUT", "/api/v1/me/password", tok, map[string]any{"current_password": "good password 1", "new_password": "new password 22"}).must(t, 204)
		ta.do("GET", "/api/v1/me", tok, nil).wantErr(t, errs.Unauthorized, "")
		ta.do("POST", "/api/v1/sessions", "", map[string]any{"login": "+8613800138000", "password": "new password 22"}).must(t, 201)
	})
}

func TestCookieSessionAndCrossOrigin(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		ta.do("POST", "/api/v1/accounts", "", map[string]any{"email": "di@example.com", "password": "good password 1"}).must(t, 201)
		res := ta.do("POST", "/api/v1/sessions", "", map[string]any{"login": "di@example.com", "password": "good password 1"}).must(t, 201)
		cookie := &http.Cookie{Name: SessionCookie, Value: res.Body["token"].(string)}

		req, _ := http.NewRequest("GET", ta.http.URL+"/api/v1/me", nil)
		req.AddCookie(cookie)
		got, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got.Body.Close()
		if got.StatusCode != 200 {
			t.Fatalf("cookie session: %d", got.StatusCode)
		}
		// A cross-site form post riding on the cookie is refused.
		req, _ = http.NewRequest("DELETE", ta.http.URL+"/api/v1/sessions/current", nil)
		req.AddCookie(cookie)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		got, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got.Body.Close()
		if got.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site write: %d, want 403", got.StatusCode)
		}
	})
}

func TestAccountAdministration(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		op := ta.operator()
		opID := ta.do("GET", "/api/v1/me", op, nil).must(t, 200).id()
		annID, ann := ta.newAccount("ann@example.com")
		bobID, bob := ta.newAccount("bob@example.com")
		path := func(id int64, role string) string {
			return "/api/v1/accounts/" + itoa(id) + "/roles/" + role
		}
		for _, tc := range []struct {
			name, method, path, token string
			status                    int
			code                      errs.Code
			field                     string
		}{
			{"customer grants", "PUT", path(bobID, "operator"), ann, 403, errs.Forbidden, ""},
			{"anonymous grants", "PUT", path(bobID, "operator"), "", 401, errs.Unauthorized, ""},
			{"unknown role", "PUT", path(bobID, "king"), op, 400, errs.Invalid, "role"},
			{"supplier role is not granted here", "PUT", path(bobID, "supplier"), op, 400, errs.Invalid, "role"},
			{"bad id", "PUT", "/api/v1/accounts/abc/roles/operator", op, 400, errs.Invalid, "id"},
			{"zero id", "PUT", "/api/v1/accounts/0/roles/operator", op, 400, errs.Invalid, "id"},
			{"missing account", "PUT", path(99999, "operator"), op, 404, errs.NotFound, ""},
			{"self revoke", "DELETE", path(opID, "operator"), op, 409, errs.Conflict, "role"},
			{"customer lists accounts", "GET", "/api/v1/accounts", ann, 403, errs.Forbidden, ""},
			{"customer reads another", "GET", "/api/v1/accounts/" + itoa(bobID), ann, 404, errs.NotFound, ""},
			{"bad limit", "GET", "/api/v1/accounts?limit=0", op, 400, errs.Invalid, "limit"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := ta.do(tc.method, tc.path, tc.token, nil)
				if res.Status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Raw)
				}
				res.wantErr(t, tc.code, tc.field)
			})
		}
		ta.do("GET", "/api/v1/accounts/"+itoa(annID), ann, nil).must(t, 200)
		res := ta.do("PUT", path(bobID, "operator"), op, nil).must(t, 200)
		if !strings.Contains(string(res.Raw), `"operator"`) {
			t.Fatalf("grant: %s", res.Raw)
		}
		ta.do("GET", "/api/v1/accounts", bob, nil).must(t, 200) // bob is an operator now
		ta.do("DELETE", path(bobID, "operator"), op, nil).must(t, 200)
		ta.do("GET", "/api/v1/accounts", bob, nil).wantErr(t, errs.Forbidden, "")
		log := ta.do("GET", "/api/v1/audit-log?action=account.role.grant", op, nil).must(t, 200)
		if n := len(log.Body["items"].([]any)); n != 1 {
			t.Fatalf("audit lines = %d: %s", n, log.Raw)
		}
	})
}
