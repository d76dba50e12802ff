package build

import "github.com/unifiedgen/unifiedgen/diag"

// suggest returns `; did you mean "x"?` for the candidate nearest to s, or
// "" when none is a plausible typo.
func suggest(s string, candidates []string) string { return diag.Suggest(s, candidates) }
