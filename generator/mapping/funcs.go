package mapping

import (
	"slices"
	"strings"
)

// argKind is what a function parameter accepts, for the checker.
type argKind uint8

const (
	argAny     argKind = iota
	argString          // a string (undefined passes through)
	argNumber          // a number
	argStrings         // an array of strings, or one string ($join)
	argObjects         // an object or an array of objects ($merge)
	argScalar          // a string, number or boolean ($number)
	argLambda          // function($v[, $i]) { ... } ($map)
)

// function describes one function of the subset: its parameters, the kind
// of its result for the checker, and the runtime helper it compiles to.
type function struct {
	params   []argKind
	optional int    // how many trailing params may be left out
	result   tkind  // tAny when it depends on the arguments
	helper   string // in runtime/mapping
	sig      string // for messages
}

var functions = map[string]function{
	"string":          {sig: "$string(value)", params: []argKind{argAny}, result: tString, helper: "String"},
	"number":          {sig: "$number(value)", params: []argKind{argScalar}, result: tNumber, helper: "Number"},
	"boolean":         {sig: "$boolean(value)", params: []argKind{argAny}, result: tBoolean, helper: "Boolean"},
	"not":             {sig: "$not(value)", params: []argKind{argAny}, result: tBoolean, helper: "Not"},
	"exists":          {sig: "$exists(value)", params: []argKind{argAny}, result: tBoolean, helper: "Exists"},
	"count":           {sig: "$count(array)", params: []argKind{argAny}, result: tNumber, helper: "Count"},
	"lowercase":       {sig: "$lowercase(str)", params: []argKind{argString}, result: tString, helper: "Lowercase"},
	"uppercase":       {sig: "$uppercase(str)", params: []argKind{argString}, result: tString, helper: "Uppercase"},
	"trim":            {sig: "$trim(str)", params: []argKind{argString}, result: tString, helper: "Trim"},
	"join":            {sig: "$join(array[, separator])", params: []argKind{argStrings, argString}, optional: 1, result: tString, helper: "Join"},
	"split":           {sig: "$split(str, separator)", params: []argKind{argString, argString}, result: tArray, helper: "Split"},
	"substring":       {sig: "$substring(str, start[, length])", params: []argKind{argString, argNumber, argNumber}, optional: 1, result: tString, helper: "Substring"},
	"substringBefore": {sig: "$substringBefore(str, chars)", params: []argKind{argString, argString}, result: tString, helper: "SubstringBefore"},
	"substringAfter":  {sig: "$substringAfter(str, chars)", params: []argKind{argString, argString}, result: tString, helper: "SubstringAfter"},
	"contains":        {sig: "$contains(str, pattern)", params: []argKind{argString, argString}, result: tBoolean, helper: "Contains"},
	"append":          {sig: "$append(array1, array2)", params: []argKind{argAny, argAny}, result: tArray, helper: "Append"},
	"merge":           {sig: "$merge(array_of_objects)", params: []argKind{argObjects}, result: tObject, helper: "Merge"},
	"map":             {sig: "$map(array, function($v[, $i]) { ... })", params: []argKind{argAny, argLambda}, result: tAny, helper: "Map"},
}

// functionNames lists the supported functions for messages.
func functionNames() string {
	names := make([]string, 0, len(functions))
	for n := range functions {
		names = append(names, "$"+n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
