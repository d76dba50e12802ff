package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
)

// fieldError is one invalid field; Field is its path: email, role.name,
// groups[0].
type fieldError struct{ Field, Message string }

// invalid is the message of a validation error, naming every field.
func invalid(errs []fieldError) string {
	parts := make([]string, len(errs))
	for i, fe := range errs {
		parts[i] = fe.Field + " " + fe.Message
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

// readBody parses a request body and checks it against ep's documented
// request. It returns the object inside the wrapper, or a message (for a
// body that cannot be read as documented) or the invalid fields.
func readBody(r *http.Request, raw []byte, ep *Endpoint) (map[string]any, string, []fieldError) {
	req := &ep.Request
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != req.ContentType {
		return nil, fmt.Sprintf("Content-Type must be %s", req.ContentType), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var body any
	if err := dec.Decode(&body); err != nil {
		return nil, "the body is not valid JSON", nil
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "the body is not valid JSON: data after the value", nil
	}
	obj, ok := body.(map[string]any)
	if !ok {
		return nil, "the body must be a JSON object", nil
	}
	if req.Wrapper != "" {
		inner, _ := getPath(obj, req.Wrapper)
		if obj, ok = inner.(map[string]any); !ok {
			return nil, fmt.Sprintf("the body must be wrapped: {%q: {...}}", req.Wrapper), nil
		}
	}
	var errs []fieldError
	checkFields(obj, req.Fields, "", &errs)
	for _, name := range req.RejectedFields {
		if _, ok := obj[name]; ok {
			errs = append(errs, fieldError{name, "is not accepted"})
		}
	}
	// The id field names the record, so it is required even where the
	// docs do not say so.
	if f := req.IDField; f != "" && obj[f] == nil && !req.Fields[f].Required {
		errs = append(errs, fieldError{f, "is required"})
	}
	return obj, "", errs
}

// checkFields appends to errs the problems of obj against the documented
// fields. Undocumented keys are not its business (see rejected_fields).
func checkFields(obj map[string]any, fields map[string]*Field, prefix string, errs *[]fieldError) {
	for _, name := range sortedKeys(fields) {
		f := fields[name]
		v, present := obj[name]
		switch {
		case f.Required && (!present || v == nil):
			*errs = append(*errs, fieldError{prefix + name, "is required"})
		case present:
			checkValue(v, f, prefix+name, errs)
		}
	}
}

func checkValue(v any, f *Field, name string, errs *[]fieldError) {
	if v == nil {
		if !f.Nullable {
			*errs = append(*errs, fieldError{name, "must be " + article(f.Type) + ", not null"})
		}
		return
	}
	ok := true
	switch f.Type {
	case "string":
		_, ok = v.(string)
	case "integer":
		n, isNum := v.(json.Number)
		_, err := n.Int64()
		ok = isNum && err == nil
	case "number":
		_, ok = v.(json.Number)
	case "boolean":
		_, ok = v.(bool)
	case "array":
		var a []any
		if a, ok = v.([]any); ok && f.Items != nil {
			for i, e := range a {
				checkValue(e, f.Items, fmt.Sprintf("%s[%d]", name, i), errs)
			}
		}
	case "object":
		var m map[string]any
		if m, ok = v.(map[string]any); ok && f.Fields != nil {
			checkFields(m, f.Fields, name+".", errs)
		}
	}
	if !ok {
		*errs = append(*errs, fieldError{name, "must be " + article(f.Type)})
		return
	}
	checkEnum(v, f, name, errs)
}

func checkEnum(v any, f *Field, name string, errs *[]fieldError) {
	if len(f.Enum) == 0 {
		return
	}
	var allowed []string
	for _, e := range f.Enum {
		if reflect.DeepEqual(v, e) {
			return
		}
		allowed = append(allowed, fmt.Sprint(e))
	}
	*errs = append(*errs, fieldError{name, "must be one of " + strings.Join(allowed, ", ")})
}

func article(typ string) string {
	if typ == "integer" || typ == "array" || typ == "object" {
		return "an " + typ
	}
	return "a " + typ
}

// checkQuery checks the documented query parameters present in q.
func checkQuery(q url.Values, params map[string]*Field) []fieldError {
	var errs []fieldError
	for _, name := range sortedKeys(params) {
		f := params[name]
		values, present := q[name]
		if !present {
			if f.Required {
				errs = append(errs, fieldError{name, "is required"})
			}
			continue
		}
		item := f // a repeated parameter (roles=a&roles=b) is an array
		if f.Type == "array" && f.Items != nil {
			item = f.Items
		}
		for _, s := range values {
			var v any = s
			var err error
			switch item.Type {
			case "integer":
				_, err = strconv.ParseInt(s, 10, 64)
				v = json.Number(s)
			case "number":
				_, err = strconv.ParseFloat(s, 64)
				v = json.Number(s)
			case "boolean":
				v, err = strconv.ParseBool(s)
			}
			if err != nil {
				errs = append(errs, fieldError{name, "must be " + article(item.Type)})
				continue
			}
			checkEnum(v, item, name, &errs)
		}
	}
	return errs
}
