package payout

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Fingerprint is a keyed fingerprint of where d pays: HMAC-SHA256 of the
// method and the normalised account (a card's digits; an Alipay account or
// a WeChat id lower-cased; an openid as it is), truncated to 128 bits. Two
// owners paid to the same account have the same fingerprint, and the
// fingerprint tells nothing of the account to whoever lacks the key. The
// key is derived from the first key of the key file, which rotation keeps
// (rotation appends keys), so fingerprints stay comparable across
// rotations. d must be validated (Validate); "" when it names no account.
func (k *Keyring) Fingerprint(d Details) string {
	acct := accountOf(d)
	if acct == "" {
		return ""
	}
	m := hmac.New(sha256.New, k.fpKey)
	m.Write([]byte(string(d.Method) + "\x00" + acct))
	return "fp1:" + hex.EncodeToString(m.Sum(nil)[:16])
}

// accountOf is the account d pays to, normalised.
func accountOf(d Details) string {
	switch d.Method {
	case BankCard:
		var b strings.Builder
		for _, r := range d.CardNumber {
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		return b.String()
	case Alipay:
		return strings.ToLower(strings.TrimSpace(d.AlipayAccount))
	case WeChat:
		if d.OpenID != "" {
			return "openid:" + strings.TrimSpace(d.OpenID)
		}
		if d.WeChatID != "" {
			return "id:" + strings.ToLower(strings.TrimSpace(d.WeChatID))
		}
	}
	return ""
}

// fingerprintKey derives the fingerprint key from a sealing key, so the
// same bytes never serve as both an AES key and an HMAC key.
func fingerprintKey(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("sharemall payout fingerprint v1"))
	return m.Sum(nil)
}
