package validation

import "testing"

// step is one JSONPath operation for table tests: a key, an index (key ""
// and index >= 0), or a pop (pop true).
type step struct {
	key   string
	index int
	pop   bool
}

func key(k string) step { return step{key: k, index: -1} }
func idx(i int) step    { return step{index: i} }

var pop = step{pop: true}

func buildPath(steps ...step) *JSONPath {
	var p JSONPath
	for _, s := range steps {
		switch {
		case s.pop:
			p.Pop()
		case s.index >= 0:
			p.Index(s.index)
		default:
			p.Key(s.key)
		}
	}
	return &p
}

func TestJSONPath(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		want  string
		depth int
	}{
		{"root", nil, "", 0},
		{"key", []step{key("name")}, "name", 1},
		{"nested keys", []step{key("remote_data"), key("x"), key("y")}, "remote_data.x.y", 3},
		{"key index key", []step{key("emails"), idx(0), key("type")}, "emails[0].type", 3},
		{"index at root", []step{idx(3)}, "[3]", 1},
		{"index then key at root", []step{idx(0), key("a")}, "[0].a", 2},
		{"nested indexes", []step{key("a"), idx(1), idx(22)}, "a[1][22]", 3},
		{"large index", []step{key("team_ids"), idx(123456789)}, "team_ids[123456789]", 2},
		{"pop key", []step{key("emails"), idx(0), key("type"), pop}, "emails[0]", 2},
		{"pop index", []step{key("emails"), idx(0), pop}, "emails", 1},
		{"pop and enter again", []step{key("emails"), idx(0), pop, idx(1), key("email")}, "emails[1].email", 3},
		{"pop to root", []step{key("a"), pop}, "", 0},
		{"long key", []step{key("custom_fields"), key("a_rather_long_member_name_that_exceeds_the_guess")},
			"custom_fields.a_rather_long_member_name_that_exceeds_the_guess", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := buildPath(tt.steps...)
			if got := p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if got := p.Depth(); got != tt.depth {
				t.Errorf("Depth() = %d, want %d", got, tt.depth)
			}
		})
	}
}

func TestJSONPathWith(t *testing.T) {
	tests := []struct {
		steps []step
		key   string
		want  string
	}{
		{nil, "email", "email"},
		{[]step{key("emails"), idx(0)}, "email", "emails[0].email"},
		{[]step{key("remote_data")}, "a", "remote_data.a"},
		{[]step{idx(2)}, "k", "[2].k"},
	}
	for _, tt := range tests {
		p := buildPath(tt.steps...)
		before, depth := p.String(), p.Depth()
		if got := p.With(tt.key); got != tt.want {
			t.Errorf("%q.With(%q) = %q, want %q", before, tt.key, got, tt.want)
		}
		if p.String() != before || p.Depth() != depth {
			t.Errorf("With changed the path: %q (depth %d), was %q (depth %d)", p.String(), p.Depth(), before, depth)
		}
		// With is the path with the key entered.
		p.Key(tt.key)
		if got := p.String(); got != tt.want {
			t.Errorf("Key(%q) then String() = %q, With gave %q", tt.key, got, tt.want)
		}
	}
}

func TestJSONPathReset(t *testing.T) {
	p := buildPath(key("a"), idx(0), key("b"))
	c := cap(p.segs)
	p.Reset()
	if p.Depth() != 0 || p.String() != "" {
		t.Fatalf("after Reset: depth %d, %q", p.Depth(), p.String())
	}
	if cap(p.segs) != c {
		t.Errorf("Reset dropped storage: cap %d, was %d", cap(p.segs), c)
	}
	p.Key("x")
	if p.String() != "x" {
		t.Errorf("after Reset and Key: %q", p.String())
	}
}

func TestJSONPathPopOnEmptyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Pop on the empty path did not panic")
		}
	}()
	var p JSONPath
	p.Pop()
}

// TestJSONPathOddKeysAreUnambiguous: member names come from clients
// (unknown members, members of remote_data and custom_fields), and may hold
// '.', '[', ']' or be empty. The field a failure names must say which
// member is meant: two different paths never render alike, and a member
// is never rendered as the body itself ("").
func TestJSONPathOddKeysAreUnambiguous(t *testing.T) {
	pairs := []struct {
		name string
		a, b []step
	}{
		{"dot in a key vs nested keys", []step{key("a.b")}, []step{key("a"), key("b")}},
		{"dot in a nested key", []step{key("remote_data"), key("x.y")}, []step{key("remote_data"), key("x"), key("y")}},
		{"brackets in a key vs an index", []step{key("x[0]")}, []step{key("x"), idx(0)}},
		{"key that looks like an index", []step{key("[0]")}, []step{idx(0)}},
		{"nested key that looks like an index", []step{key("remote_data"), key("[1]")}, []step{key("remote_data"), idx(1)}},
		{"empty key vs the body", []step{key("")}, nil},
		{"empty nested key vs trailing dot key", []step{key("a"), key(""), key("b")}, []step{key("a."), key("b")}},
	}
	for _, tt := range pairs {
		t.Run(tt.name, func(t *testing.T) {
			a, b := buildPath(tt.a...).String(), buildPath(tt.b...).String()
			if a == b {
				t.Errorf("paths %v and %v both render as %q", tt.a, tt.b, a)
			}
		})
	}
	// The same through With, which Unknown, Duplicate and MissingMember use.
	if a, b := buildPath().With("a.b"), buildPath(key("a")).With("b"); a == b {
		t.Errorf(`With("a.b") at the root and With("b") under "a" both render as %q`, a)
	}
	if got := buildPath().With(""); got == "" {
		t.Error(`With("") at the root renders as "", the body itself`)
	}
	// Plain names are written as they are.
	if got := buildPath(key("custom_fields"), key("Department_2"), idx(0), key("x_y")).String(); got != "custom_fields.Department_2[0].x_y" {
		t.Errorf("plain keys rendered as %q", got)
	}
}
