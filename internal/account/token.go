package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Token prefixes tell a session token from a supplier API key at a glance
// (and to secret scanners).
const (
	SessionPrefix = "sms_"
	APIKeyPrefix  = "smk_"
)

// NewToken returns a random token with prefix and the hash to store. Only
// the hash is ever stored; the token is shown once.
func NewToken(prefix string) (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// LooksLikeToken rejects obviously malformed tokens before any look-up.
func LooksLikeToken(token string) bool {
	return (strings.HasPrefix(token, SessionPrefix) || strings.HasPrefix(token, APIKeyPrefix)) && len(token) == 4+43
}
