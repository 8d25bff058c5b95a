package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/money"
)

// Languages the pages speak; the first is the fallback.
var Languages = []string{"en", "zh"}

// LangCookie remembers the language a person chose.
const LangCookie = "sharemall_lang"

//go:embed translations
var translationFiles embed.FS

// catalogues maps a language to its messages by key. Each language is a
// directory of JSON files (one per group of pages, so they can grow
// apart); a key may appear in one file only.
type catalogues map[string]map[string]string

func loadCatalogues() (catalogues, error) {
	out := catalogues{}
	for _, lang := range Languages {
		msgs := map[string]string{}
		dir := path.Join("translations", lang)
		files, err := fs.Glob(translationFiles, dir+"/*.json")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			b, err := translationFiles.ReadFile(f)
			if err != nil {
				return nil, err
			}
			var m map[string]string
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("web: %s: %w", f, err)
			}
			for k, v := range m {
				if _, dup := msgs[k]; dup {
					return nil, fmt.Errorf("web: %s: key %q is already in another file of %s", f, k, lang)
				}
				msgs[k] = v
			}
		}
		out[lang] = msgs
	}
	return out, nil
}

// missing lists, per language, the keys another language has and it lacks.
func (c catalogues) missing() map[string][]string {
	out := map[string][]string{}
	for _, a := range Languages {
		for k := range c[a] {
			for _, b := range Languages {
				if _, ok := c[b][k]; !ok {
					out[b] = append(out[b], k)
				}
			}
		}
	}
	for _, l := range out {
		sort.Strings(l)
	}
	return out
}

// Locale is one request's language: its messages and how it writes money
// and time.
type Locale struct {
	Lang string
	msgs map[string]string
	loc  *time.Location
	cur  money.Currency
	// phoneRegion is the program's default phone region: its numbers show
	// as dialled at home.
	phoneRegion string
}

// Phone writes a stored phone number as people read it (account.DisplayPhone).
func (l *Locale) Phone(e164 string) string {
	if e164 == "" {
		return ""
	}
	return account.DisplayPhone(e164, l.phoneRegion)
}

// T looks a message up and fills its %-verbs with args (fmt). A key
// missing from the catalogue shows as itself, and a test keeps that from
// shipping.
func (l *Locale) T(key string, args ...any) string {
	m, ok := l.msgs[key]
	if !ok {
		m = key
	}
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}

// Money writes an amount of the program's currency with its symbol: ¥19.99.
func (l *Locale) Money(a money.Amount) string {
	return currencySymbol(l.cur.Code) + l.cur.Format(a)
}

// MoneyIn writes an amount of another currency (an order's own).
func (l *Locale) MoneyIn(a money.Amount, code string) string {
	c := money.CurrencyOf(code)
	return currencySymbol(c.Code) + c.Format(a)
}

func currencySymbol(code string) string {
	switch code {
	case "CNY", "JPY":
		return "¥"
	case "USD":
		return "$"
	case "EUR":
		return "€"
	case "GBP":
		return "£"
	case "HKD":
		return "HK$"
	case "SGD":
		return "S$"
	case "KRW":
		return "₩"
	}
	return code + " "
}

// Date writes a day in the program's time zone: "2026年12月2日" or "2 Dec 2026".
func (l *Locale) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(l.loc)
	if l.Lang == "zh" {
		return t.Format("2006年1月2日")
	}
	return t.Format("2 Jan 2006")
}

// Time writes a moment in the program's time zone: "2026年12月2日 15:04".
func (l *Locale) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return l.Date(t) + " " + t.In(l.loc).Format("15:04")
}

// chooseLang picks the language: the remembered choice, else the first
// language of Accept-Language we speak, else English.
func chooseLang(r *http.Request) string {
	if c, err := r.Cookie(LangCookie); err == nil && knownLang(c.Value) {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return Languages[0]
}

func knownLang(s string) bool {
	for _, l := range Languages {
		if l == s {
			return true
		}
	}
	return false
}
