package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// A visitor signs up: the first try is refused (a weak password) and the
// form keeps what was typed; the second succeeds and /me shows the name.
// Then the visitor switches to Chinese, which is remembered, and signs out.
func TestSignUpAndLanguage(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		u := app.Visitor("en")
		u.Open("/me")
		u.See("Sign in to see your orders")
		u.Click(Link("Sign up"))
		if p := u.Path(); p != "/signup?next=%2Fme" && p != "/signup?next=/me" {
			t.Fatalf("the sign-up link leads to %s", p)
		}

		u.Fill(Label("Phone"), "138 0013 8000")
		u.Fill(Label("Your name"), "Ann Lee")
		u.Fill(Label("Password"), "short")
		if status := u.Click(Button("Create my account")); status != http.StatusBadRequest {
			t.Errorf("a weak password: status %d, want 400", status)
		}
		if msg := u.Text(Test("error-password")); !strings.Contains(msg, "10 characters") {
			t.Errorf("the password's error says %q", msg)
		}
		if got := u.Attr(Label("Password"), "aria-invalid"); got != "true" {
			t.Errorf("the refused password field is not marked invalid (aria-invalid=%q)", got)
		}
		if got := u.Value(Label("Phone")); got != "138 0013 8000" {
			t.Errorf("the refused form lost the phone: %q", got)
		}
		if got := u.Value(Label("Your name")); got != "Ann Lee" {
			t.Errorf("the refused form lost the name: %q", got)
		}
		if u.Has(Test("error-phone")) || u.Has(Test("error-name")) {
			t.Error("fields that were right show an error")
		}

		u.Fill(Label("Password"), "correct horse 1")
		if status := u.Click(Button("Create my account")); status != http.StatusOK {
			t.Errorf("signed up: status %d", status)
		}
		if p := u.Path(); p != "/me" {
			t.Fatalf("after signing up the visitor is on %s, not /me", p)
		}
		if name := u.Text(Test("me-name")); name != "Ann Lee" {
			t.Errorf("/me shows %q, not the name", name)
		}

		u.Click(Link("中文"))
		if p, lang := u.Path(), u.PageLang(); p != "/me" || lang != "zh-CN" {
			t.Errorf("after 中文: %s in %q, want /me in zh-CN", p, lang)
		}
		u.See("全部订单", "退出登录")
		u.Open("/signin") // another page: the choice is remembered, though the browser asks for English
		if lang := u.PageLang(); lang != "zh-CN" {
			t.Errorf("the language was not remembered: /signin is in %q", lang)
		}
		u.See("手机号或邮箱")

		u.Open("/me")
		u.Click(Button("退出登录"))
		u.Open("/me")
		u.See("登录后查看订单、地址和收益。")
		if u.Has(Test("me-name")) {
			t.Error("signed out, /me still shows the account")
		}
	})
}

// A returning customer signs in, in Chinese: a wrong password is refused
// by the password field in Chinese, the login kept; the right one opens /me.
func TestSignInChinese(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		signUp := app.Visitor("en")
		signUp.Open("/signup?next=/me")
		signUp.Fill(Label("Email"), "li@example.com")
		signUp.Fill(Label("Your name"), "李雷")
		signUp.Fill(Label("Password"), "correct horse 1")
		signUp.Click(Button("Create my account"))
		signUp.See("李雷")

		u := app.Visitor("zh")
		u.Open("/me")
		u.Click(Link("登录"))
		u.Fill(Label("手机号或邮箱"), "li@example.com")
		u.Fill(Label("密码"), "wrong horse 1")
		if status := u.Click(Button("登录")); status != http.StatusUnauthorized {
			t.Errorf("a wrong password: status %d, want 401", status)
		}
		if msg := u.Text(Test("error-password")); msg != "账号或密码错误。" {
			t.Errorf("the password's error says %q", msg)
		}
		if got := u.Value(Label("手机号或邮箱")); got != "li@example.com" {
			t.Errorf("the refused form lost the login: %q", got)
		}
		if got := u.Value(Label("密码")); got != "" {
			t.Error("the refused form shows the password again")
		}
		u.Fill(Label("密码"), "correct horse 1")
		u.Click(Button("登录"))
		if p := u.Path(); p != "/me" {
			t.Fatalf("signed in, the customer is on %s", p)
		}
		if name := u.Text(Test("me-name")); name != "李雷" {
			t.Errorf("/me shows %q", name)
		}
		if lang := u.PageLang(); lang != "zh-CN" {
			t.Errorf("/me is in %q for a Chinese browser", lang)
		}

		again := app.SignedIn("en", "li@example.com", "correct horse 1") // the harness's shortcut, checked
		again.Open("/me")
		if name := again.Text(Test("me-name")); name != "李雷" {
			t.Errorf("signed in through the API, /me shows %q", name)
		}
	})
}

// Keyboard: the first Tab reaches the skip link, then the header, then
// the form's fields in order and its button; Enter on the button submits.
func TestKeyboard(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		u := app.Visitor("en")
		u.Open("/signup?next=/me")
		if n := u.TabTo(Link("Skip to content"), 1); n != 1 {
			t.Errorf("the skip link is not the first stop")
		}
		if n := u.TabTo(Label("Phone"), 3); n > 3 {
			t.Errorf("the first field took %d more Tabs", n)
		}
		for _, next := range []Locator{Label("Email"), Label("Your name"), Label("Password"), Button("Create my account")} {
			u.TabTo(next, 1)
		}
		if status := u.Navigates(func() { u.Press("\r") }); status != http.StatusBadRequest {
			t.Errorf("Enter on the button of an empty form: status %d, want 400", status)
		}
	})
}

// The error page: an unknown address answers 404 with a page in the
// person's language and a way back.
func TestErrorPage(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		u := app.Visitor("zh")
		if status := u.Open("/no/such/page"); status != http.StatusNotFound {
			t.Errorf("an unknown page: status %d", status)
		}
		u.WaitFor(Test("error-page"))
		u.See("404", "未找到。")
		if u.Attr(Link("返回商城"), "href") != "/" {
			t.Error("the error page has no way back to the shop")
		}
		if status := u.Open("/lang/fr?next=/me"); status != http.StatusBadRequest {
			t.Errorf("an unknown language: status %d", status)
		}
		u.WaitFor(Test("error-page"))
	})
}
