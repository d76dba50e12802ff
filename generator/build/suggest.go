package build

import (
	"strconv"
	"strings"
)

// suggest returns `; did you mean "x"?` for the candidate nearest to s, when
// one is near enough to be a plausible typo, and "" otherwise.
func suggest(s string, candidates []string) string {
	best, bestDist := "", len(s)/3+2
	for _, c := range candidates {
		if d := distance(s, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" && len(s) >= 3 {
		// A shortened id ("pivotal" for "pivotal_tracker") is too far by
		// edit distance but unambiguous by prefix.
		for _, c := range candidates {
			if strings.HasPrefix(c, s) {
				if best != "" {
					return "" // ambiguous
				}
				best = c
			}
		}
	}
	if best == "" {
		return ""
	}
	return "; did you mean " + strconv.Quote(best) + "?"
}

// distance is the Levenshtein distance between a and b.
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
