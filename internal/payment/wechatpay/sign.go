package wechatpay

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The protocol's pieces, as WeChat Pay API v3 publishes them
// (https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-generation.html
// and .../signature-verification.html, .../certificate-callback-decryption.html).
// They are exported because the fake in wechatpayfake plays the other side
// of the same protocol.

// AuthSchema is the Authorization scheme of API v3.
const AuthSchema = "WECHATPAY2-SHA256-RSA2048"

// Response and notification headers.
const (
	HeaderTimestamp = "Wechatpay-Timestamp"
	HeaderNonce     = "Wechatpay-Nonce"
	HeaderSignature = "Wechatpay-Signature"
	HeaderSerial    = "Wechatpay-Serial"
)

// MaxSkew is how far a response's or notification's timestamp may be from
// our clock: the documentation asks to refuse anything more than 5 minutes off,
// which stops replays of old, validly signed messages.
const MaxSkew = 5 * time.Minute

// RequestMessage is what a merchant signs: method, the URL's path and
// query, the timestamp, the nonce and the body, each followed by "\n".
func RequestMessage(method, pathQuery string, timestamp int64, nonce string, body []byte) []byte {
	return []byte(method + "\n" + pathQuery + "\n" + strconv.FormatInt(timestamp, 10) + "\n" + nonce + "\n" + string(body) + "\n")
}

// ResponseMessage is what WeChat Pay signs on responses and notifications.
func ResponseMessage(timestamp, nonce string, body []byte) []byte {
	return []byte(timestamp + "\n" + nonce + "\n" + string(body) + "\n")
}

// Sign is the base64 RSA-SHA256 PKCS#1 v1.5 signature of msg.
func Sign(key *rsa.PrivateKey, msg []byte) (string, error) {
	sum := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// Verify checks a base64 RSA-SHA256 PKCS#1 v1.5 signature of msg.
func Verify(pub *rsa.PublicKey, msg []byte, signature string) error {
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return errors.New("signature is not base64")
	}
	sum := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return errors.New("signature does not verify")
	}
	return nil
}

// Authorization is the header value of a signed request.
func Authorization(mchID, serial string, key *rsa.PrivateKey, method, pathQuery string, body []byte, now time.Time) (string, error) {
	nonce := Nonce()
	ts := now.Unix()
	sig, err := Sign(key, RequestMessage(method, pathQuery, ts, nonce, body))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf(`%s mchid="%s",nonce_str="%s",signature="%s",timestamp="%d",serial_no="%s"`,
		AuthSchema, mchID, nonce, sig, ts, serial), nil
}

// ParseAuthorization reads the parameters of an Authorization header.
func ParseAuthorization(h string) (map[string]string, error) {
	rest, ok := strings.CutPrefix(h, AuthSchema+" ")
	if !ok {
		return nil, fmt.Errorf("authorization scheme is not %s", AuthSchema)
	}
	out := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("authorization parameter %q has no value", part)
		}
		out[k] = strings.Trim(v, `"`)
	}
	for _, k := range []string{"mchid", "nonce_str", "signature", "timestamp", "serial_no"} {
		if out[k] == "" {
			return nil, fmt.Errorf("authorization lacks %s", k)
		}
	}
	return out, nil
}

// Nonce is a random 32-character string.
func Nonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// Fresh reports whether a Unix-seconds timestamp is within MaxSkew of now.
func Fresh(timestamp string, now time.Time) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %q is not a number", timestamp)
	}
	d := now.Sub(time.Unix(ts, 0))
	if d > MaxSkew || d < -MaxSkew {
		return fmt.Errorf("timestamp is %s off our clock (more than %s)", d.Round(time.Second), MaxSkew)
	}
	return nil
}

// Decrypt opens an AEAD_AES_256_GCM resource (notifications, platform
// certificates) with the 32-byte APIv3 key: ciphertext is base64 of the
// sealed text followed by its 16-byte tag.
func Decrypt(apiV3Key []byte, nonce, associatedData, ciphertext string) ([]byte, error) {
	gcm, err := newGCM(apiV3Key)
	if err != nil {
		return nil, err
	}
	ct, err := base64.StdEncoding.DecodeString(ciphertext)
	if err != nil {
		return nil, errors.New("ciphertext is not base64")
	}
	if len(nonce) != gcm.NonceSize() {
		return nil, fmt.Errorf("nonce is %d bytes, want %d", len(nonce), gcm.NonceSize())
	}
	pt, err := gcm.Open(nil, []byte(nonce), ct, []byte(associatedData))
	if err != nil {
		return nil, errors.New("ciphertext does not decrypt with the APIv3 key (tampered, or the key is wrong)")
	}
	return pt, nil
}

// Encrypt seals plaintext as Decrypt expects it; nonce must be 12 bytes.
func Encrypt(apiV3Key []byte, nonce, associatedData string, plaintext []byte) (string, error) {
	gcm, err := newGCM(apiV3Key)
	if err != nil {
		return "", err
	}
	if len(nonce) != gcm.NonceSize() {
		return "", fmt.Errorf("nonce is %d bytes, want %d", len(nonce), gcm.NonceSize())
	}
	return base64.StdEncoding.EncodeToString(gcm.Seal(nil, []byte(nonce), plaintext, []byte(associatedData))), nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("APIv3 key is %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// ParsePrivateKey reads a merchant key in PEM, PKCS#8 ("PRIVATE KEY", what
// the merchant platform's tool writes to apiclient_key.pem) or PKCS#1
// ("RSA PRIVATE KEY").
func ParsePrivateKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PKCS#8: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("the key is not an RSA key")
		}
		return rk, nil
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block is %q, want PRIVATE KEY or RSA PRIVATE KEY", block.Type)
	}
}

// ParsePublicKey reads the WeChat Pay public key as downloaded
// (pub_key.pem: PEM "PUBLIC KEY", PKIX).
func ParsePublicKey(pemBytes []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("no PEM PUBLIC KEY block")
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("the key is not an RSA key")
	}
	return rk, nil
}

// ParseCertificate reads a PEM certificate holding an RSA key.
func ParseCertificate(pemBytes []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM CERTIFICATE block")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, err
	}
	if _, ok := c.PublicKey.(*rsa.PublicKey); !ok {
		return nil, errors.New("the certificate's key is not RSA")
	}
	return c, nil
}

// SerialOf is a certificate's serial as WeChat Pay writes it: upper-case hex.
func SerialOf(c *x509.Certificate) string { return strings.ToUpper(c.SerialNumber.Text(16)) }
