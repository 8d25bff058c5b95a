package payout

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Keyring holds the keys payout details are sealed with. The newest (the
// last in the key file) seals; every key opens, so a key file that gains a
// line keeps every row readable until `sharemall payout-keys rotate` seals
// them again under the newest.
//
// A sealed value is AES-256-GCM with a random 96-bit nonce of its own
// (nonce || ciphertext || tag, base64), stored beside the id of the key that
// sealed it. The owner ("distributor:7", "supplier:3") is the associated
// data: a sealed value copied onto another owner's row fails to open.
type Keyring struct {
	aeads  map[string]cipher.AEAD
	newest string
	fpKey  []byte // keys Fingerprint: derived from the first key of the file (fingerprint.go)
}

// KeySize is the size of a key: AES-256.
const KeySize = 32

// ParseKeys reads a key file: one key a line, newest last, each line
// "<id> <base64 of 32 random bytes>" or the base64 alone (its id is then
// the first 8 hex digits of the key's SHA-256). Blank lines and lines
// starting with # are skipped.
func ParseKeys(b []byte) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		var id, enc string
		switch len(f) {
		case 1:
			enc = f[0]
		case 2:
			id, enc = f[0], f[1]
		default:
			return nil, fmt.Errorf("payout keys: line %d: want \"<id> <base64 key>\" or the key alone", n)
		}
		key, err := base64.StdEncoding.DecodeString(enc)
		if err != nil || len(key) != KeySize {
			return nil, fmt.Errorf("payout keys: line %d: the key must be %d random bytes in base64 (openssl rand -base64 32)", n, KeySize)
		}
		if id == "" {
			sum := sha256.Sum256(key)
			id = hex.EncodeToString(sum[:4])
		}
		if strings.ContainsAny(id, ":") || len(id) > 40 {
			return nil, fmt.Errorf("payout keys: line %d: a key id is at most 40 characters, without ':'", n)
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("payout keys: line %d: key id %q is used twice", n, id)
		}
		block, _ := aes.NewCipher(key) // 32 bytes: cannot fail
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		k.aeads[id], k.newest = aead, id
		if k.fpKey == nil {
			k.fpKey = fingerprintKey(key)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("payout keys: %w", err)
	}
	if k.newest == "" {
		return nil, errors.New("payout keys: the key file holds no key")
	}
	return k, nil
}

// LoadKeys reads the key file at path.
func LoadKeys(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("payout keys: %w", err)
	}
	return ParseKeys(b)
}

// NewKeyLine is one line for a key file: an id and a fresh random key.
func NewKeyLine(id string) (string, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	return id + " " + base64.StdEncoding.EncodeToString(key) + "\n", nil
}

// EnsureKeyFile returns the keys at path, first writing a file with one
// new key (mode 0600) when there is none; created says whether it did.
func EnsureKeyFile(path string) (k *Keyring, created bool, err error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		line, err := NewKeyLine("k1")
		if err != nil {
			return nil, false, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, false, fmt.Errorf("payout keys: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, false, fmt.Errorf("payout keys: %w", err)
		}
		_, werr := f.WriteString("# Sharemall payout-details keys: one a line, newest last (docs/payouts.md)\n" + line)
		if err := errors.Join(werr, f.Close()); err != nil {
			return nil, false, fmt.Errorf("payout keys: %w", err)
		}
		created = true
	}
	k, err = LoadKeys(path)
	return k, created, err
}

// Newest is the id of the key that seals.
func (k *Keyring) Newest() string { return k.newest }

// Sealed is payout details at rest.
type Sealed struct {
	KeyID string // the key that sealed it
	Box   string // base64 of nonce || ciphertext || tag
}

// Seal encrypts d for owner under the newest key.
func (k *Keyring) Seal(owner string, d Details) (Sealed, error) {
	plain, err := json.Marshal(d)
	if err != nil {
		return Sealed{}, err
	}
	aead := k.aeads[k.newest]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return Sealed{}, err
	}
	box := aead.Seal(nonce, nonce, plain, []byte(owner))
	return Sealed{KeyID: k.newest, Box: base64.StdEncoding.EncodeToString(box)}, nil
}

// ErrUnknownKey is a sealed value whose key is not in the key file.
var ErrUnknownKey = errors.New("payout keys: the key that sealed these details is not in the key file")

// Open decrypts s, sealed for owner.
func (k *Keyring) Open(owner string, s Sealed) (Details, error) {
	aead, ok := k.aeads[s.KeyID]
	if !ok {
		return Details{}, fmt.Errorf("%w (key id %q)", ErrUnknownKey, s.KeyID)
	}
	box, err := base64.StdEncoding.DecodeString(s.Box)
	if err != nil || len(box) < aead.NonceSize()+aead.Overhead() {
		return Details{}, fmt.Errorf("payout keys: sealed details of %s are damaged", owner)
	}
	plain, err := aead.Open(nil, box[:aead.NonceSize()], box[aead.NonceSize():], []byte(owner))
	if err != nil {
		return Details{}, fmt.Errorf("payout keys: sealed details of %s do not open (wrong key or owner, or altered)", owner)
	}
	var d Details
	if err := json.Unmarshal(plain, &d); err != nil {
		return Details{}, fmt.Errorf("payout keys: sealed details of %s: %w", owner, err)
	}
	return d, nil
}

// Reseal opens s and seals it again under the newest key; a value already
// under the newest is returned unchanged.
func (k *Keyring) Reseal(owner string, s Sealed) (Sealed, bool, error) {
	if s.KeyID == k.newest {
		return s, false, nil
	}
	d, err := k.Open(owner, s)
	if err != nil {
		return Sealed{}, false, err
	}
	out, err := k.Seal(owner, d)
	return out, err == nil, err
}

// Owner names whose details a sealed value holds: the associated data.
func Owner(kind string, id int64) string { return fmt.Sprintf("%s:%d", kind, id) }
