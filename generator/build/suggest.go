package build

import (
	"strconv"

	"github.com/unifiedgen/unifiedgen/internal/nearest"
)

// suggest returns `; did you mean "x"?` for the candidate nearest to s, or
// "" when none is a plausible typo.
func suggest(s string, candidates []string) string {
	if m := nearest.Match(s, candidates); m != "" {
		return "; did you mean " + strconv.Quote(m) + "?"
	}
	return ""
}
