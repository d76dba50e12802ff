package diag

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// YAMLPathBefore is the path of keys (and sequence indexes, as decimal
// strings) of the block that line (1-based) of data belongs to, as the
// lines before it tell, and the line's own key when it starts with one:
// for a syntax error on that line, the key to name beside its position. The lines before parse on their own when the
// error is on this line; the last key they open that sits left of the
// line's indentation is the one the line continues. Nil when the line is
// the first or at the root, and when the lines before do not parse (the
// line continues a flow collection opened earlier, [ or {, whose keys
// cannot be told).
func YAMLPathBefore(data []byte, line int) []string {
	if line <= 1 {
		return nil
	}
	ends := lineEnds(data)
	if line > len(ends) {
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data[:ends[line-2]], &doc); err != nil || len(doc.Content) != 1 {
		return nil
	}
	text := lineAt(data, ends, line)
	rest := bytes.TrimLeft(text, " ")
	indent := len(text) - len(rest) + 1 // the column of its first character
	item := len(rest) > 0 && rest[0] == '-'
	path, in := enclosing(doc.Content[0], indent, item)
	// The line's own key, when it starts with a plain one ("summary:")
	// in a mapping: the error is in its value. (A key in a sequence is
	// misplaced; its name would point elsewhere.)
	// A key with no value yet ("post:" on the line before) opens the
	// mapping this line starts.
	opens := in.Kind == yaml.ScalarNode && in.Tag == "!!null" && in.Value == ""
	if m := lineKey.FindSubmatch(rest); m != nil && (in.Kind == yaml.MappingNode || opens) {
		path = append(path, string(m[1]))
	}
	return path
}

// lineKey is a line's leading plain key.
var lineKey = regexp.MustCompile(`^([A-Za-z0-9_$/.-]+):(?:\s|$)`)

// enclosing walks from n down the last key (or item) at each level while
// it sits left of indent, the column of a line after them: the line
// belongs to the innermost such block, returned with its path. item
// says the line starts with "-".
func enclosing(n *yaml.Node, indent int, item bool) ([]string, *yaml.Node) {
	var path []string
	for {
		switch n.Kind {
		case yaml.MappingNode:
			if len(n.Content) < 2 {
				return path, n
			}
			k, v := n.Content[len(n.Content)-2], n.Content[len(n.Content)-1]
			// A block sequence may sit at its key's own indentation
			// ("key:\n- a"): a "-" there continues it.
			inside := k.Column < indent || k.Column == indent && item && v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0
			if !inside {
				return path, n
			}
			path, n = append(path, k.Value), v
		case yaml.SequenceNode:
			if len(n.Content) == 0 {
				return path, n
			}
			// An item's column is past its "- ": a line indented to it
			// continues the item, one indented to the "-" starts another.
			last := n.Content[len(n.Content)-1]
			if last.Column > indent {
				return path, n
			}
			path, n = append(path, strconv.Itoa(len(n.Content)-1)), last
		default:
			return path, n
		}
	}
}

var (
	plainKey  = regexp.MustCompile(`^\$?[A-Za-z0-9_-]+$`)
	allDigits = regexp.MustCompile(`^[0-9]+$`)
)

// FormatPath renders a path for messages:
// paths["/unified/ticketing/users"].post.x-unified-support.request.name.
func FormatPath(path ...string) string {
	var b strings.Builder
	for i, seg := range path {
		switch {
		case allDigits.MatchString(seg):
			b.WriteString("[" + seg + "]")
		case plainKey.MatchString(seg):
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(seg)
		default:
			b.WriteString("[")
			b.WriteString(strconv.Quote(seg))
			b.WriteString("]")
		}
	}
	return b.String()
}
