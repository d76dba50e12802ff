// Package secrets seals small secrets (an integrated account's provider
// credentials) for storage: AES-256-GCM with a random 96-bit nonce, the
// account id as associated data, and the id of the key that sealed them, so
// that keys can be rotated.
//
// A sealed value is text, safe in any column:
//
//	v1.<key id>.<base64url(nonce || ciphertext || tag)>
//
// The key id is the first 8 bytes of SHA-256("unifiedgen secrets key id\x00"
// || key), in hex: it names a key without revealing anything usable about
// it, and operators never have to invent ids.
//
// Binding the ciphertext to the account id (GCM's associated data) means a
// sealed value copied to another account's row does not open there: a
// database writer cannot move one tenant's credentials to another account.
//
// Keys come from UNIFIED_SECRET_KEY or from a key file (see Parse): one or
// more 32-byte keys, hex or base64; the first seals, every one opens.
// Rotation: put the new key first and keep the old ones after it; values
// sealed with an old key still open, and applying the configuration again
// (unifiedapi apply) seals every account's credentials with the new one,
// after which the old key can go. Nothing here logs or formats a key or a
// plaintext into an error.
package secrets

import (
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
	"os"
	"strings"
)

// EnvKey is the environment variable holding the keys.
const EnvKey = "UNIFIED_SECRET_KEY"

const (
	version = "v1"
	keySize = 32
)

// ErrNoKey is returned when no key was given.
var ErrNoKey = errors.New("secrets: no key: set " + EnvKey + " (32 bytes, hex or base64; several comma-separated, the first seals) or give a key file")

// ErrOpen is returned when a sealed value does not open: unknown key id,
// wrong account, or tampered or truncated data. Which of these it was is
// not said beyond the key id, on purpose.
var ErrOpen = errors.New("secrets: the sealed value does not open with the given keys for this account")

type key struct {
	id   string
	aead cipher.AEAD
}

// Keyring holds the keys: the first seals, every one opens.
type Keyring struct {
	keys []key
}

// New returns a keyring of raw 32-byte keys; the first seals. Duplicates
// are an error (they would make the key order ambiguous).
func New(raw ...[]byte) (*Keyring, error) {
	if len(raw) == 0 {
		return nil, ErrNoKey
	}
	kr := &Keyring{}
	for i, k := range raw {
		if len(k) != keySize {
			return nil, fmt.Errorf("secrets: key %d has %d bytes; AES-256 needs exactly %d", i+1, len(k), keySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("secrets: key %d: %w", i+1, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("secrets: key %d: %w", i+1, err)
		}
		id := KeyID(k)
		for _, prev := range kr.keys {
			if prev.id == id {
				return nil, fmt.Errorf("secrets: key %d is given twice (key id %s)", i+1, id)
			}
		}
		kr.keys = append(kr.keys, key{id: id, aead: aead})
	}
	return kr, nil
}

// KeyID is the public id of a key.
func KeyID(k []byte) string {
	h := sha256.New()
	h.Write([]byte("unifiedgen secrets key id\x00"))
	h.Write(k)
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Parse reads keys written as text: separated by commas or newlines, each
// 64 hex digits or the standard or URL base64 of 32 bytes; blank lines and
// lines starting with # are skipped. A key that does not decode is an error
// naming its position, never its text.
func Parse(text string) (*Keyring, error) {
	var raw [][]byte
	n := 0
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, part := range strings.Split(line, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			n++
			k, err := decodeKey(part)
			if err != nil {
				return nil, fmt.Errorf("secrets: key %d: %v", n, err)
			}
			raw = append(raw, k)
		}
	}
	return New(raw...)
}

func decodeKey(s string) ([]byte, error) {
	if len(s) == 2*keySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == keySize {
			return k, nil
		}
	}
	return nil, fmt.Errorf("is neither 64 hex digits nor base64 of %d bytes (make one with: openssl rand -hex 32)", keySize)
}

// FromEnv reads the keys from UNIFIED_SECRET_KEY, or, when it is unset or
// empty, from file (skipped when ""). A key file readable by other users
// is refused: it would undo the encryption for every local user.
func FromEnv(file string) (*Keyring, error) {
	if v := os.Getenv(EnvKey); strings.TrimSpace(v) != "" {
		kr, err := Parse(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvKey, err)
		}
		return kr, nil
	}
	if file == "" {
		return nil, ErrNoKey
	}
	st, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("secrets: key file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secrets: key file %s is readable by other users (mode %#o); run chmod 600 %s", file, st.Mode().Perm(), file)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("secrets: key file: %w", err)
	}
	kr, err := Parse(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return kr, nil
}

// Seal encrypts plaintext for accountID with the first key.
func (kr *Keyring) Seal(accountID string, plaintext []byte) (string, error) {
	k := kr.keys[0]
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("secrets: no randomness: %w", err)
	}
	sealed := k.aead.Seal(nonce, nonce, plaintext, aad(accountID))
	return version + "." + k.id + "." + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Open decrypts a value Seal produced for accountID with any key of the
// ring.
func (kr *Keyring) Open(accountID, sealed string) ([]byte, error) {
	id, data, ok := split(sealed)
	if !ok {
		return nil, ErrOpen
	}
	for _, k := range kr.keys {
		if k.id != id {
			continue
		}
		ns := k.aead.NonceSize()
		if len(data) < ns+k.aead.Overhead() {
			return nil, ErrOpen
		}
		pt, err := k.aead.Open(nil, data[:ns], data[ns:], aad(accountID))
		if err != nil {
			return nil, ErrOpen
		}
		return pt, nil
	}
	return nil, fmt.Errorf("%w (sealed with key id %s, which is not among the keys given)", ErrOpen, id)
}

// SealMap seals a credentials map (as JSON, keys sorted).
func (kr *Keyring) SealMap(accountID string, m map[string]string) (string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	defer clear(b)
	return kr.Seal(accountID, b)
}

// OpenMap opens what SealMap sealed.
func (kr *Keyring) OpenMap(accountID, sealed string) (map[string]string, error) {
	b, err := kr.Open(accountID, sealed)
	if err != nil {
		return nil, err
	}
	defer clear(b)
	var m map[string]string
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&m); err != nil {
		return nil, errors.New("secrets: the sealed value opens but is not a credentials map")
	}
	return m, nil
}

// aad is the associated data: the format version and the account id, so
// a value opens only for the account it was sealed for.
func aad(accountID string) []byte { return []byte(version + "\x00" + accountID) }

func split(sealed string) (id string, data []byte, ok bool) {
	v, rest, ok1 := strings.Cut(sealed, ".")
	id, b64, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || v != version || len(id) != 16 {
		return "", nil, false
	}
	data, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		return "", nil, false
	}
	return id, data, true
}
