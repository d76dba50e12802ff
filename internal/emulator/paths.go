package emulator

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Paths such as "error.msg", "errors[0].message" or "result.elements" say
// where something sits in a JSON body (a message, a record, a list); ""
// is the body itself. Bodies are the values encoding/json decodes to.

// step is a key, or an index when key is "".
type step struct {
	key   string
	index int
}

func parsePath(p string) ([]step, error) {
	if p == "" {
		return nil, nil
	}
	var steps []step
	for part := range strings.SplitSeq(p, ".") {
		key, rest, hasIndex := strings.Cut(part, "[")
		if key == "" {
			return nil, fmt.Errorf("path %q has an empty key", p)
		}
		steps = append(steps, step{key: key})
		for hasIndex {
			num, after, ok := strings.Cut(rest, "]")
			i, err := strconv.Atoi(num)
			if !ok || err != nil || i < 0 || (after != "" && after[0] != '[') {
				return nil, fmt.Errorf("path %q has a malformed index", p)
			}
			steps = append(steps, step{index: i})
			rest, hasIndex = strings.CutPrefix(after, "[")
		}
	}
	return steps, nil
}

// getPath returns the value at p in v. p must be valid (checked by Load).
func getPath(v any, p string) (any, bool) {
	steps, _ := parsePath(p)
	return walk(v, steps)
}

func walk(v any, steps []step) (any, bool) {
	for _, s := range steps {
		switch t := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = t[s.key]; !ok || s.key == "" {
				return nil, false
			}
		case []any:
			if s.key != "" || s.index >= len(t) {
				return nil, false
			}
			v = t[s.index]
		default:
			return nil, false
		}
	}
	return v, true
}

// setPath sets the value at p in root, creating what is missing on the
// way, and returns the new root.
func setPath(root any, p string, val any) any {
	steps, _ := parsePath(p)
	return set(root, steps, val)
}

func set(v any, steps []step, val any) any {
	if len(steps) == 0 {
		return val
	}
	s := steps[0]
	if s.key != "" {
		m, ok := v.(map[string]any)
		if !ok {
			m = map[string]any{}
		}
		m[s.key] = set(m[s.key], steps[1:], val)
		return m
	}
	a, _ := v.([]any)
	for len(a) <= s.index {
		a = append(a, nil)
	}
	a[s.index] = set(a[s.index], steps[1:], val)
	return a
}

// deletePath removes the key at p, if there is one.
func deletePath(root any, p string) {
	steps, _ := parsePath(p)
	if len(steps) == 0 || steps[len(steps)-1].key == "" {
		return
	}
	parent, _ := walk(root, steps[:len(steps)-1])
	if m, ok := parent.(map[string]any); ok {
		delete(m, steps[len(steps)-1].key)
	}
}

// deepCopy copies a JSON value, so that examples are never modified.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, e := range t {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
