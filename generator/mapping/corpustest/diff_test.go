package corpustest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	jsonata "github.com/blues/jsonata-go"
	"github.com/unifiedgen/unifiedgen/runtime/mapping"
)

const corpusDir = "../testdata/corpus"

// outcome is what one evaluation gave, comparable across implementations:
// a value normalised through encoding/json (numbers as float64), undefined,
// or an error (messages differ between implementations and are not
// compared).
type outcome struct {
	Undefined bool   `json:"undefined,omitempty"`
	Error     string `json:"error,omitempty"`
	Value     any    `json:"value,omitempty"`
}

func (o outcome) String() string {
	switch {
	case o.Undefined:
		return "undefined"
	case o.Error != "":
		return "error (" + o.Error + ")"
	}
	b, _ := json.Marshal(o.Value)
	return string(b)
}

func (o outcome) equal(p outcome) bool {
	if o.Error != "" || p.Error != "" {
		return o.Error != "" && p.Error != ""
	}
	return o.Undefined == p.Undefined && reflect.DeepEqual(o.Value, p.Value)
}

func normalise(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("result does not encode: %v", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

type corpusCase struct {
	Name string `json:"name"`
	Expr string `json:"expr"`
}

// divergence is a case where jsonata-go departs from jsonata-js, the
// reference; the compiled code follows the reference there.
type divergence struct {
	Case  string `json:"case"`
	Input string `json:"input"`
	Why   string `json:"why"`
}

type corpus struct {
	cases       []corpusCase
	inputs      map[string][]byte // by name without .json
	reference   map[string]outcome
	divergences map[string]divergence // by case/input
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func loadCorpus(t *testing.T) *corpus {
	t.Helper()
	c := &corpus{inputs: map[string][]byte{}, divergences: map[string]divergence{}}
	readJSON(t, "expressions.json", &c.cases)
	var ref struct {
		Results map[string]outcome `json:"results"`
	}
	readJSON(t, "jsonata-js.json", &ref)
	c.reference = ref.Results
	var divs []divergence
	readJSON(t, "divergences.json", &divs)
	for _, d := range divs {
		c.divergences[d.Case+"/"+d.Input] = d
	}
	files, err := filepath.Glob(filepath.Join(corpusDir, "inputs", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c.inputs[strings.TrimSuffix(filepath.Base(f), ".json")] = data
	}
	return c
}

func (c *corpus) inputNames() []string {
	var names []string
	for n := range c.inputs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// compiled runs the generated function on doc decoded as the service
// decodes bodies: numbers as json.Number.
func compiled(t *testing.T, f func(any) (any, error), doc []byte) outcome {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var in any
	if err := dec.Decode(&in); err != nil {
		t.Fatal(err)
	}
	v, err := f(in)
	switch {
	case err != nil:
		var me *mapping.Error
		if !errors.As(err, &me) {
			t.Errorf("error of type %T, want *mapping.Error: %v", err, err)
		}
		return outcome{Error: err.Error()}
	case mapping.IsUndefined(v):
		return outcome{Undefined: true}
	}
	return outcome{Value: normalise(t, v)}
}

// jsonataGo evaluates expr with jsonata-go on doc decoded with float64
// numbers, the only kind it understands.
func jsonataGo(t *testing.T, expr string, doc []byte) (o outcome) {
	t.Helper()
	var in any
	if err := json.Unmarshal(doc, &in); err != nil {
		t.Fatal(err)
	}
	e, err := jsonata.Compile(expr)
	if err != nil {
		return outcome{Error: "jsonata-go cannot compile it: " + err.Error()}
	}
	defer func() {
		if r := recover(); r != nil {
			o = outcome{Error: fmt.Sprint("panic: ", r)}
		}
	}()
	v, err := e.Eval(in)
	switch {
	case errors.Is(err, jsonata.ErrUndefined):
		return outcome{Undefined: true}
	case err != nil:
		return outcome{Error: err.Error()}
	}
	return outcome{Value: normalise(t, v)}
}

func TestEveryCaseIsCompiled(t *testing.T) {
	c := loadCorpus(t)
	if len(c.cases) != len(Compiled) {
		t.Fatalf("%d expressions, %d compiled functions: regenerate compiled.gen.go", len(c.cases), len(Compiled))
	}
	for _, cc := range c.cases {
		if Compiled[cc.Name] == nil {
			t.Errorf("%s is not compiled: regenerate compiled.gen.go", cc.Name)
		}
	}
}

// TestDifferential requires every compiled expression to give, on every
// input, what jsonata-js gave (recorded in jsonata-js.json) and what
// jsonata-go gives, except where divergences.json says jsonata-go departs
// from the reference.
func TestDifferential(t *testing.T) {
	c := loadCorpus(t)
	pairs, diverging := 0, 0
	for _, cc := range c.cases {
		for _, in := range c.inputNames() {
			key := cc.Name + "/" + in
			t.Run(key, func(t *testing.T) {
				got := compiled(t, Compiled[cc.Name], c.inputs[in])
				ref, ok := c.reference[key]
				if !ok {
					t.Fatalf("no recorded jsonata-js result: run testdata/corpus/record.js")
				}
				if !got.equal(ref) {
					t.Errorf("%s\ncompiled:   %v\njsonata-js: %v", cc.Expr, got, ref)
				}
				goRes := jsonataGo(t, cc.Expr, c.inputs[in])
				d, listed := c.divergences[key]
				switch {
				case listed && got.equal(goRes):
					t.Errorf("listed as a jsonata-go divergence (%s) but jsonata-go agrees: remove it from divergences.json", d.Why)
				case !listed && !got.equal(goRes):
					t.Errorf("%s\ncompiled:   %v\njsonata-go: %v", cc.Expr, got, goRes)
				}
			})
			pairs++
			if _, ok := c.divergences[key]; ok {
				diverging++
			}
		}
	}
	for key := range c.divergences {
		name, in, _ := strings.Cut(key, "/")
		if _, ok := c.inputs[in]; !ok || !slices.ContainsFunc(c.cases, func(cc corpusCase) bool { return cc.Name == name }) {
			t.Errorf("divergences.json lists %s, which is not in the corpus", key)
		}
	}
	t.Logf("%d expressions x %d inputs = %d evaluations, %d where jsonata-go departs from jsonata-js", len(c.cases), len(c.inputs), pairs, diverging)
}
