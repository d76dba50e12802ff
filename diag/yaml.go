package diag

import (
	"bytes"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

var yamlErrorRe = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// YAMLError locates a syntax error that parse (a parse of a YAML document
// with go.yaml.in/yaml/v3) returned for data: the line and column of the
// problem (1-based; column 0 when it cannot be told) and the library's
// message without its prefix.
//
// The library does not say where the problem is: its message carries the
// line where the enclosing block or flow collection began (numbered from 0
// for parser errors and from 1 for scanner errors), or no line at all. A
// stray "]" on line 4 of a list that starts on line 2 is reported at
// "line 1".
//
// So YAMLError parses again, prefixes of data cut at line ends: the
// problem's line is the first line L such that the first L lines fail with
// the same error. Every prefix that includes the problem fails that way; a
// prefix that ends before it parses, or fails differently: cut inside an
// unclosed "[" that a later line closes, it fails at that "["'s line, not
// the problem's enclosing collection's. The first such L is found by
// bisection: O(log lines) parses, each stopping at the error.
//
// The column comes from cutting line L after each of its characters, from
// its end back: it is where the stretch of cuts that fail as the whole
// file does begins, so the character whose reading makes the parse fail
// for good (a stray "]"; the "A" of "{id: a, name: A" that no "}" follows;
// the second ":" of "a: b: c"). Cutting earlier may fail too, only for
// another reason, or for the same one again: "{id: a" fails as the whole
// line does, but "{id: a," does not. Lines longer than maxColumnScan
// (a JSON document on one line) are searched by bisection instead beyond
// that. When the error cannot be reproduced on line boundaries, the
// library's own line is used, corrected to count from 1, with no column.
func YAMLError(data []byte, err error, parse func([]byte) error) (line, col int, msg string) {
	libLine, msg := splitYAMLError(err)
	ends := lineEnds(data)
	same := func(end int) bool { // does data[:end] fail the same way?
		e := parse(data[:end])
		return e != nil && e.Error() == err.Error()
	}
	n := len(ends)
	if n == 0 || !same(ends[n-1]) {
		if strings.HasPrefix(msg, "did not find expected") || strings.Contains(msg, "while parsing") {
			libLine++ // parser errors count from 0
		}
		return max(libLine, 1), 0, msg
	}
	// The first line L in [1, n] whose end fails the same way.
	line = 1 + sort.Search(n-1, func(i int) bool { return same(ends[i]) })
	// A prefix ending in blank or comment lines can fail as the whole
	// file does only because its end is where the parser meets the next
	// token; that token's line is the one to show.
	found := line
	for line < n && blank(lineAt(data, ends, line)) {
		line++
	}
	start, end := 0, ends[line-1]
	if line > 1 {
		start = ends[line-2]
	}
	if line != found && !same(end) { // the found line's end is known to fail so
		return line, 0, msg
	}
	cut := end
	for cut > start+1 && end-cut < maxColumnScan && same(cut-1) {
		cut--
	}
	if end-cut == maxColumnScan {
		from := start + 1
		cut = from + sort.Search(cut-from, func(i int) bool { return same(from + i) })
	}
	return line, utf8.RuneCount(data[start:cut]), msg
}

// maxColumnScan bounds the parses YAMLError spends on a column one cut at
// a time.
const maxColumnScan = 256

// splitYAMLError is the library's line and message in err, line 0 when it
// names none.
func splitYAMLError(err error) (int, string) {
	if m := yamlErrorRe.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return line, m[2]
	}
	return 0, strings.TrimPrefix(err.Error(), "yaml: ")
}

// lineAt is line l (1-based) of data, given its line ends.
func lineAt(data []byte, ends []int, l int) []byte {
	start := 0
	if l > 1 {
		start = ends[l-2]
	}
	return data[start:ends[l-1]]
}

// blank reports whether a line holds nothing but spaces or a comment.
func blank(line []byte) bool {
	t := bytes.TrimSpace(line)
	return len(t) == 0 || t[0] == '#'
}

// lineEnds returns, for each line of data, the offset just past its end
// (its newline, or the end of data for a last line without one).
func lineEnds(data []byte) []int {
	var ends []int
	for i, c := range data {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		ends = append(ends, len(data))
	}
	return ends
}
