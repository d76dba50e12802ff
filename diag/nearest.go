package diag

import (
	"strconv"
	"strings"
)

// Nearest returns the candidate nearest to s, or "" when none is near enough
// to be a plausible typo. Case is ignored; a candidate counts as near when
// its edit distance is small for the length of s, or, failing that, when
// it is the only candidate s is a prefix of ("pivotal" for
// "pivotal_tracker").
func Nearest(s string, candidates []string) string {
	ls := strings.ToLower(s)
	best, bestDist := "", len(s)/3+2
	for _, c := range candidates {
		if d := distance(ls, strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best != "" || len(s) < 3 {
		return best
	}
	for _, c := range candidates {
		if strings.HasPrefix(strings.ToLower(c), ls) {
			if best != "" {
				return "" // ambiguous
			}
			best = c
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, by bytes (names
// here are ASCII).
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Suggest returns `; did you mean "x"?` for the candidate nearest to s, or
// "" when none is a plausible typo.
func Suggest(s string, candidates []string) string {
	if m := Nearest(s, candidates); m != "" {
		return "; did you mean " + strconv.Quote(m) + "?"
	}
	return ""
}

// WithArticle is phrase after "a", or "an" when it starts with a vowel:
// "an array of integer", "a string enum".
func WithArticle(phrase string) string {
	if phrase != "" && strings.ContainsRune("aeiou", rune(phrase[0])) {
		return "an " + phrase
	}
	return "a " + phrase
}
