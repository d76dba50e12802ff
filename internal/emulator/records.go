package emulator

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// collection holds one resource's records. A record keeps the documented
// request fields it was given, and its id under idKey; answers show it
// through each endpoint's documented example (see respond).
type collection struct {
	idKey     string // "id", "_id", or "" when no example shows an id
	idExample any    // the documented id that new ids imitate
	records   map[string]map[string]any
	order     []string // ids, in creation order
	issued    int      // ids generated so far
}

func newCollection(c *Contract, resource string) *collection {
	col := &collection{records: map[string]map[string]any{}}
	// The create example is the best evidence of what an id looks like;
	// other examples stand in for contracts without one.
	for _, verb := range []string{"create", "get", "list", "update", "delete"} {
		for _, ep := range c.Endpoints {
			if ep.resource != resource || ep.verb != verb {
				continue
			}
			for _, key := range []string{"id", "_id"} {
				if v := template(ep)[key]; v != nil && col.idKey == "" {
					col.idKey, col.idExample = key, v
				}
			}
		}
	}
	return col
}

// template is the record in ep's example: the object at the wrapper, or a
// list's first element. It is nil when the example shows none.
func template(ep *Endpoint) map[string]any {
	v, _ := getPath(ep.Response.Example, ep.Response.Wrapper)
	if list, ok := v.([]any); ok && ep.verb == "list" {
		if len(list) == 0 {
			return nil
		}
		v = list[0]
	}
	m, _ := v.(map[string]any)
	return m
}

// put stores rec and returns its id: a new one when assign is set or rec
// has none, else the one it carries.
func (col *collection) put(rec map[string]any, assign bool) string {
	var id any
	if col.idKey != "" && !assign {
		id = rec[col.idKey]
	}
	if id == nil {
		id = col.newID()
	}
	if col.idKey != "" {
		rec[col.idKey] = id
	}
	key := idString(id)
	if _, dup := col.records[key]; !dup {
		col.order = append(col.order, key)
	}
	col.records[key] = rec
	return key
}

func (col *collection) remove(id string) {
	delete(col.records, id)
	col.order = slices.DeleteFunc(col.order, func(k string) bool { return k == id })
}

func (col *collection) all() []map[string]any {
	out := make([]map[string]any, len(col.order))
	for i, k := range col.order {
		out[i] = col.records[k]
	}
	return out
}

// newID makes an id of the documented type and shape that is neither
// taken nor the example's own, so a test cannot pass by reading the
// example where it should read the record.
func (col *collection) newID() any {
	for {
		col.issued++
		n := col.issued
		var id any = json.Number(strconv.Itoa(n))
		switch x := col.idExample.(type) {
		case json.Number:
			if i, err := x.Int64(); err == nil {
				id = json.Number(strconv.FormatInt(i+int64(n), 10))
			}
		case string:
			id = imitate(x, n)
		}
		if _, taken := col.records[idString(id)]; !taken && idString(id) != idString(col.idExample) {
			return id
		}
	}
}

// imitate makes the n-th id shaped like the example: a number in a string
// counts on from it; any other string keeps its length, its separators, its
// prefix up to the last "_" (Qualtrics' "UR_") and the class of each
// character (digit, hex letter, other letter, case), so that a UUID stays
// a UUID and a hex ObjectId stays hex.
func imitate(example string, n int) string {
	if i, err := strconv.ParseUint(example, 10, 63); err == nil {
		return strconv.FormatUint(i+uint64(n), 10)
	}
	rng := rand.New(rand.NewPCG(uint64(n), 0))
	b := []byte(example)
	for i := strings.LastIndexByte(example, '_') + 1; i < len(b); i++ {
		c := b[i]
		for _, class := range []string{"0123456789", "abcdef", "ghijklmnopqrstuvwxyz", "ABCDEF", "GHIJKLMNOPQRSTUVWXYZ"} {
			if strings.IndexByte(class, c) >= 0 {
				b[i] = class[rng.IntN(len(class))]
				break
			}
		}
	}
	return string(b)
}

// idString is an id as it appears in a path.
func idString(id any) string {
	if s, ok := id.(string); ok {
		return s
	}
	return fmt.Sprint(id)
}

// respond builds ep's success body from its example: a record's keys that
// the example shows take the record's value, the others keep the example's
// (server-set fields such as createdAt); keys the example does not show
// stay out, so that answers have the documented shape. A delete answers
// its example as is.
func (col *collection) respond(ep *Endpoint, recs ...map[string]any) any {
	body := deepCopy(ep.Response.Example)
	tmpl := template(ep)
	switch {
	case body == nil || ep.verb == "delete":
		return body
	case ep.verb == "list":
		list := make([]any, len(recs))
		for i, r := range recs {
			list[i] = col.render(tmpl, r)
		}
		return setPath(body, ep.Response.Wrapper, list)
	case tmpl != nil:
		return setPath(body, ep.Response.Wrapper, col.render(tmpl, recs[0]))
	}
	return body
}

func (col *collection) render(tmpl, rec map[string]any) any {
	if tmpl == nil { // an empty list example: the record as stored
		return deepCopy(rec)
	}
	out := deepCopy(tmpl).(map[string]any)
	for k := range out {
		if v, ok := rec[k]; ok {
			out[k] = deepCopy(v)
		}
	}
	// Ids are written as each example writes them: Teamwork's create
	// answers "id": "12345", its get "id": 12345.
	if x, ok := tmpl[col.idKey]; ok && col.idKey != "" {
		s := idString(rec[col.idKey])
		_, isNum := x.(json.Number)
		if _, err := strconv.ParseInt(s, 10, 64); isNum && err == nil {
			out[col.idKey] = json.Number(s)
		} else if _, isStr := x.(string); isStr {
			out[col.idKey] = s
		}
	}
	return out
}
