package secrets

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, keySize) }

func TestSealOpen(t *testing.T) {
	kr, err := New(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	s, err := kr.Seal("acct-1", []byte("s3cret-api-key"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s, "s3cret") {
		t.Fatalf("sealed value shows the plaintext: %s", s)
	}
	if !strings.HasPrefix(s, "v1."+KeyID(testKey(1))+".") {
		t.Fatalf("sealed value %q lacks version and key id", s)
	}
	pt, err := kr.Open("acct-1", s)
	if err != nil || string(pt) != "s3cret-api-key" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	// Two seals of one plaintext differ (random nonce).
	s2, _ := kr.Seal("acct-1", []byte("s3cret-api-key"))
	if s2 == s {
		t.Fatal("two seals are equal: the nonce is not random")
	}
}

func TestAccountIsAssociatedData(t *testing.T) {
	kr, _ := New(testKey(1))
	s, _ := kr.Seal("acct-1", []byte("k"))
	if _, err := kr.Open("acct-2", s); !errors.Is(err, ErrOpen) {
		t.Fatalf("opened for another account: %v", err)
	}
}

func TestTampering(t *testing.T) {
	kr, _ := New(testKey(1))
	s, _ := kr.Seal("a", []byte("credentials"))
	id, data, _ := split(s)
	for i := range data {
		d := bytes.Clone(data)
		d[i] ^= 1
		bad := "v1." + id + "." + base64.RawURLEncoding.EncodeToString(d)
		if _, err := kr.Open("a", bad); !errors.Is(err, ErrOpen) {
			t.Fatalf("byte %d flipped: %v", i, err)
		}
	}
	for _, bad := range []string{"", "v1", "v1.x.y", "v2." + id + ".AAAA", "v1." + id + ".!!", "v1." + id + ".AAAA", s[:len(s)-4]} {
		if _, err := kr.Open("a", bad); !errors.Is(err, ErrOpen) {
			t.Errorf("Open(%q) = %v, want ErrOpen", bad, err)
		}
	}
}

func TestRotation(t *testing.T) {
	old, _ := New(testKey(1))
	s, _ := old.Seal("a", []byte("v"))
	kr, err := New(testKey(2), testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	pt, err := kr.Open("a", s)
	if err != nil || string(pt) != "v" {
		t.Fatalf("old value does not open after rotation: %v", err)
	}
	// Sealed again (as apply does), it is under the new key.
	s2, err := kr.Seal("a", pt)
	if err != nil || !strings.Contains(s2, KeyID(testKey(2))) {
		t.Fatalf("sealed again: %q, %v; want the new key's id", s2, err)
	}
	// Once the old key is gone, the value sealed again still opens; the
	// old one says which key it needs.
	only, _ := New(testKey(2))
	if _, err := only.Open("a", s2); err != nil {
		t.Fatal(err)
	}
	_, err = only.Open("a", s)
	if !errors.Is(err, ErrOpen) || !strings.Contains(err.Error(), KeyID(testKey(1))) {
		t.Fatalf("Open with a removed key: %v", err)
	}
}

func TestParse(t *testing.T) {
	k1, k2 := testKey(7), testKey(9)
	text := "# keys\n" + hex.EncodeToString(k1) + "\n\n" + base64.StdEncoding.EncodeToString(k2) + "\n"
	kr, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	if kr.keys[0].id != KeyID(k1) || len(kr.keys) != 2 {
		t.Fatalf("parsed %d keys, primary %s", len(kr.keys), kr.keys[0].id)
	}
	if _, err := Parse(hex.EncodeToString(k1) + "," + base64.RawURLEncoding.EncodeToString(k2)); err != nil {
		t.Fatal(err)
	}
	secret := "not-a-key-but-a-secret-value-that-must-not-be-echoed"
	_, err = Parse(hex.EncodeToString(k1) + "," + secret)
	if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "key 2") {
		t.Fatalf("bad key: %v", err)
	}
	if _, err := Parse(""); !errors.Is(err, ErrNoKey) {
		t.Fatalf("no key: %v", err)
	}
	if _, err := Parse(hex.EncodeToString(k1) + "\n" + hex.EncodeToString(k1)); err == nil {
		t.Fatal("duplicate key accepted")
	}
	if _, err := New(make([]byte, 16)); err == nil {
		t.Fatal("a 16-byte key accepted")
	}
}

func TestFromEnv(t *testing.T) {
	k := testKey(3)
	t.Setenv(EnvKey, hex.EncodeToString(k))
	kr, err := FromEnv("")
	if err != nil || kr.keys[0].id != KeyID(k) {
		t.Fatalf("env: %v", err)
	}
	t.Setenv(EnvKey, "")
	if _, err := FromEnv(""); !errors.Is(err, ErrNoKey) {
		t.Fatalf("no env, no file: %v", err)
	}
	file := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(file, []byte(hex.EncodeToString(k)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := FromEnv(file); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key file: %v", err)
	}
	if err := os.Chmod(file, 0o600); err != nil {
		t.Fatal(err)
	}
	if kr, err := FromEnv(file); err != nil || kr.keys[0].id != KeyID(k) {
		t.Fatalf("key file: %v", err)
	}
}

func TestMap(t *testing.T) {
	kr, _ := New(testKey(4))
	m := map[string]string{"api_key": "k-123", "subdomain": "acme"}
	s, err := kr.SealMap("a", m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := kr.OpenMap("a", s)
	if err != nil || got["api_key"] != "k-123" || got["subdomain"] != "acme" || len(got) != 2 {
		t.Fatalf("OpenMap = %v, %v", got, err)
	}
	notMap, _ := kr.Seal("a", []byte("[1]"))
	if _, err := kr.OpenMap("a", notMap); err == nil {
		t.Fatal("a non-map opened as a map")
	}
}
