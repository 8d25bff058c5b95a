package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/session"
)

//go:embed templates
var templateFiles embed.FS

// Page is what every template gets: the request's language, who is signed
// in, the form being filled in and its errors, and the page's own data.
type Page struct {
	*Locale
	Title string
	Actor account.Actor
	Path  string // this request's path and query: where the language switch and sign-in come back to
	Tab   string // the bottom tab bar's current tab: home, categories, cart, me
	Back  string // the header's back link, if any
	// Console is the console section this page belongs to ("dashboard",
	// "products", …): the page is drawn in the operator's or supplier's
	// console frame (navigation at the side on a laptop, above on a phone)
	// instead of the shop's bottom tab bar.
	Console string
	Form    url.Values
	Errors  map[string]string // by form field; "" is the form's own error
	Notice  string
	OG      *OpenGraph
	// Scripts and Styles are extra static files (by name, "vendor/uPlot.iife.min.js")
	// that only this page loads, before app.js and app.css (which may override them).
	Scripts, Styles []string
	Data            any
	Unread          int // the signed-in person's unread notifications (notify_pages.go)
}

// OpenGraph is a chat app's preview card of a shared page.
type OpenGraph struct {
	Title, Description, Image, URL string
}

// Value is what the person typed in a field, kept when a form is refused.
func (p *Page) Value(field string) string { return p.Form.Get(field) }

// Err is the error shown by a field, in the page's language.
func (p *Page) Err(field string) string { return p.Errors[field] }

// ConsoleNav is the console's navigation for who is signed in: the
// operator's sections, or the supplier's.
func (p *Page) ConsoleNav() []NavItem {
	var out []NavItem
	for _, n := range consoleNav {
		if p.Actor.Has(n.role) {
			out = append(out, NavItem{Key: n.key, Href: n.href, Label: p.T("console.nav." + n.key), Current: n.key == p.Console})
		}
	}
	return out
}

// NavItem is one entry of the console's navigation.
type NavItem struct {
	Key, Href, Label string
	Current          bool
}

// consoleNav lists the console's sections in order, each for one role.
// A section's page adds its entry here.
var consoleNav = []struct {
	key, href string
	role      account.Role
}{
	{"ops-insight", "/ops/dashboard", account.Operator},
	{"ops-network", "/ops/insight/network", account.Operator},
	{"ops-fission", "/ops/insight/fission", account.Operator},
	{"dashboard", "/ops", account.Operator},
	{"suppliers", "/ops/suppliers", account.Operator},
	{"reviews", "/ops/reviews", account.Operator},
	{"product-review", "/ops/products/review", account.Operator},
	{"distributors", "/ops/distributors", account.Operator},
	{"customers", "/ops/customers", account.Operator},
	{"withdrawals", "/ops/withdrawals", account.Operator},
	{"cases", "/ops/cases", account.Operator},
	{"rankings", "/ops/rankings", account.Operator},
	{"journals", "/ops/journals", account.Operator},
	{"settings", "/ops/settings", account.Operator},
	{"simulator", "/ops/simulator", account.Operator},
	{"audit", "/ops/audit", account.Operator},
	{"fraud", "/ops/fraud", account.Operator},
	{"ops-withholding", "/ops/withholding", account.Operator},
	{"ops-supplier-payouts", "/ops/supplier-payouts", account.Operator},
	{"sup", "/sup", account.Supplier},
	{"sup-insight", "/sup/insight", account.Supplier},
	{"sup-fission", "/sup/insight/fission", account.Supplier},
	{"sup-products", "/sup/products", account.Supplier},
	{"sup-payouts", "/sup/payouts", account.Supplier},
	{"sup-warehouses", "/sup/warehouses", account.Supplier},
	{"sup-shipping", "/sup/shipping", account.Supplier},
	{"sup-parcels", "/sup/parcels", account.Supplier},
	{"sup-cases", "/sup/cases", account.Supplier},
	{"sup-keys", "/sup/keys", account.Supplier},
	{"ops-webhooks", "/ops/webhooks", account.Operator},
	{"notifications", "/notifications", account.Operator},
	{"sup-webhooks", "/sup/webhooks", account.Supplier},
	{"sup-notifications", "/notifications", account.Supplier},
	{"ops-campaigns", "/ops/campaigns", account.Operator},
	{"sup-campaigns", "/sup/campaigns", account.Supplier},
	{"ops-materials", "/ops/materials", account.Operator},
	{"sup-materials", "/sup/materials", account.Supplier},
	{"ops-audit-export", "/ops/audit/regulator", account.Operator},
}

// Signed reports whether someone is signed in.
func (p *Page) Signed() bool { return !p.Actor.Anonymous() }

// Field is one labelled form input, drawn by the "field" template:
// {{template "field" (field . "phone" "tel" "signup.phone" "tel")}}.
type Field struct {
	P                               *Page
	Name, Type, Label, Autocomplete string
}

func field(p *Page, name, typ, label, autocomplete string) Field {
	return Field{P: p, Name: name, Type: typ, Label: label, Autocomplete: autocomplete}
}

// parseTemplates parses the layout and partials once, then each page on a
// clone of them, so a page's blocks never leak into another's. A broken
// template fails the start.
func parseTemplates(funcs template.FuncMap) (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	pages, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if t, err = t.ParseFS(templateFiles, p); err != nil {
			return nil, fmt.Errorf("web: %s: %w", p, err)
		}
		out[strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	return out, nil
}

// page starts a request's Page.
func (s *Server) page(r *http.Request, title string) *Page {
	p := &Page{Locale: s.locale(r), Title: title, Actor: session.ActorOf(r.Context()), Path: r.URL.RequestURI(),
		Form: url.Values{}, Errors: map[string]string{}}
	p.Unread = s.unread(r, p)
	return p
}

// render writes page name with status, rendered into a buffer first so a
// template error never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *Page) {
	t, ok := s.pages[name]
	if !ok {
		s.internal(w, r, fmt.Errorf("web: no page template %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.internal(w, r, fmt.Errorf("web: render %s: %w", name, err))
		return
	}
	h := w.Header()
	h.Set("Content-Language", p.Lang)
	if h.Get("Cache-Control") == "" { // a handler may ask for less (no-store)
		h.Set("Cache-Control", "private, no-cache")
	}
	var gz []byte
	if buf.Len() > 1024 && acceptsGzip(r) {
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		zw.Write(buf.Bytes())
		zw.Close()
		gz = zb.Bytes()
	}
	if status == http.StatusOK {
		writeBody(w, r, "text/html; charset=utf-8", buf.Bytes(), gz)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Add("Vary", "Accept-Encoding")
	body := buf.Bytes()
	if gz != nil {
		h.Set("Content-Encoding", "gzip")
		body = gz
	}
	w.WriteHeader(status)
	w.Write(body)
}

// errText is an error as a person reads it in its language: English shows
// the API's own message; Chinese the catalogue's message for the code and
// field ("err.invalid.password"), else for the code.
func (p *Page) errText(err error) string {
	code, field := errs.CodeOf(err), errs.FieldOf(err)
	if p.Lang == "en" {
		if m := errs.MessageOf(err); m != "" && code != errs.Internal {
			return m
		}
	}
	if field != "" {
		if m, ok := p.msgs["err."+string(code)+"."+field]; ok {
			return m
		}
	}
	return p.T("err." + string(code))
}

// formError puts a refused request's error by the field it names and
// reports true; false for an error that is no fault of the person's.
func (p *Page) formError(err error) bool {
	switch errs.CodeOf(err) {
	case errs.Invalid, errs.Conflict, errs.NotFound, errs.Forbidden, errs.TooMany, errs.TooLarge, errs.Unauthorized:
		p.Errors[errs.FieldOf(err)] = p.errText(err)
		return true
	}
	return false
}

// fail answers a request that cannot go on: a page in the person's
// language for its error, or to the sign-in page when it needs a session.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := errs.CodeOf(err)
	if code == errs.Unauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	status := statusOf(err)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
	}
	p := s.page(r, "")
	p.Title = p.T("error.title")
	p.Data = struct {
		Status  int
		Message string
	}{status, p.errText(err)}
	s.render(w, r, status, "error", p)
}

// internal answers a fault of ours without trying templates again.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
	http.Error(w, "Internal error / 内部错误", http.StatusInternalServerError)
}

// localPath is next if it is a path on this site, else "/": a sign-in's
// next never sends anyone to another site.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// initial is the first letter of a name, for an avatar without a picture.
func initial(name string) string {
	for _, r := range name {
		return strings.ToUpper(string(r))
	}
	return "?"
}
