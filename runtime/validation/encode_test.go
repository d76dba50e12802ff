package validation

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestIsEmail(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"jane@example.com", true},
		{"jane.doe+tag@sub.example.co.uk", true},
		{"j_d-1@example-mail.org", true},
		{"JANE@EXAMPLE.COM", true},
		// Display names, angle brackets and comments are not a plain address.
		{"Jane Doe <jane@example.com>", false},
		{`"Jane" <jane@example.com>`, false},
		{"<jane@example.com>", false},
		{"jane@example.com (Jane)", false},
		// Garbage.
		{"", false},
		{"jane", false},
		{"jane@", false},
		{"@example.com", false},
		{"jane@@example.com", false},
		{"jane@example@com", false},
		{"jane doe@example.com", false},
		{"jane..doe@example.com", false},
		{"jane@example.com.", false},
		{" jane@example.com", false},
		{"jane@example.com ", false},
		{"jane@example.com\n", false},
		{"jane@example.com, joe@example.com", false},
		{"jane@example.com,joe@example.com", false},
		{"=?utf-8?q?J=C3=A4ne?= <jane@example.com>", false},
	}
	for _, tt := range tests {
		if got := IsEmail(tt.s); got != tt.want {
			t.Errorf("IsEmail(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

// compactSeeds are valid and invalid JSON values, with and without white
// space outside and inside their strings, and escapes that look like the
// end of a string.
var compactSeeds = []string{
	`{"a":1}`, `{ "a" : [1, 2.5e3, "<\u2028>"] , "b":null }`, `"a b"`, `"a\" b"`, `"a\\"`, `"a\\" `,
	"[1,\n2]", "\t\"x\"\r\n", `{"k":"v \"q\" w","n":[ ]}`, `""`, `"\\\\\" "`, `{"a":}`, `{"a": }`, `nul l`,
}

func TestAppendCompactIsJSONCompact(t *testing.T) {
	for _, s := range compactSeeds {
		checkCompact(t, s)
	}
}

func FuzzAppendCompact(f *testing.F) {
	for _, s := range compactSeeds {
		f.Add(s)
	}
	f.Fuzz(checkCompact)
}

// checkCompact: for valid JSON, AppendCompact writes what json.Compact
// does, after what dst held; for invalid JSON that needs compacting it
// reports an error and leaves dst as it was.
func checkCompact(t *testing.T, s string) {
	var want bytes.Buffer
	want.WriteString("pre")
	wantErr := json.Compact(&want, []byte(s))
	got, err := AppendCompact([]byte("pre"), []byte(s))
	switch {
	case json.Valid([]byte(s)):
		if err != nil || string(got) != want.String() {
			t.Fatalf("%q: got %q (%v), want %q", s, got, err, want.String())
		}
	case err != nil:
		if string(got) != "pre" {
			t.Fatalf("%q: error %v, but dst became %q", s, err, got)
		}
	case wantErr == nil:
		t.Fatalf("%q: json.Compact accepts it, json.Valid does not", s)
	case !isCompact([]byte(s)):
		t.Fatalf("%q: invalid, not compact, and no error", s)
	}
}
