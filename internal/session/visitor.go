package session

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
)

// Visitor is the browser's visitor token (VisitorCookie) when it is one
// this server made (32 characters of base64url), else "": a forged cookie
// is replaced by a fresh token rather than refused.
func Visitor(r *http.Request) string {
	if c, err := r.Cookie(VisitorCookie); err == nil && len(c.Value) == 32 && validToken(c.Value) {
		return c.Value
	}
	return ""
}

func validToken(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// NewVisitor makes a visitor token.
func NewVisitor() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SetVisitorCookie keeps a visitor token in the browser for a year.
func SetVisitorCookie(w http.ResponseWriter, visitor string, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: VisitorCookie, Value: visitor, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

// EnsureVisitor is the browser's visitor token, made and set now when it
// has none (or a forged one): what a share link or a first cart write does.
func EnsureVisitor(w http.ResponseWriter, r *http.Request, secure bool) string {
	v := Visitor(r)
	if v == "" {
		v = NewVisitor()
		SetVisitorCookie(w, v, secure)
	}
	return v
}
