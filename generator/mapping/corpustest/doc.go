// Package corpustest runs the differential corpus of the mapping compiler:
// compiled.gen.go is testdata/corpus/expressions.json compiled by
// generator/mapping (TestCompileCorpus there keeps it current), and the
// tests here evaluate every expression on every input with the compiled
// function, with github.com/blues/jsonata-go, and against the results
// recorded from jsonata-js, the reference implementation.
package corpustest
