package httpapi

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/unifiedgen/unifiedgen/internal/qs"
	"github.com/unifiedgen/unifiedgen/validation"
)

// canonicalQuery rewrites a query string in any of the encodings clients
// send (truto_exclude_fields[]=id, truto_exclude_fields[0]=id,
// collections[][id]=1, ...) into the one form oapi-codegen's parameter
// binding reads: repeated keys for arrays of strings (style form, explode)
// and indexed brackets for objects and arrays of objects (deepObject).
func canonicalQuery(raw string) (string, *validation.Failure) {
	if raw == "" {
		return "", nil
	}
	vals, err := qs.Parse(raw, qs.DefaultLimits)
	if err != nil {
		f := validation.Failure{Location: validation.Query, Rule: validation.RuleSyntax, Message: err.Error()}
		var qe *qs.Error
		if errors.As(err, &qe) {
			f.Field, f.Message = qe.Param, qe.Reason
		}
		return "", &f
	}
	var b strings.Builder
	for _, name := range vals.Names() {
		v, _ := vals.Get(name)
		if strs, ok := v.Strings(); ok {
			for _, s := range strs {
				pair(&b, name, s)
			}
			continue
		}
		deep(&b, name, v)
	}
	return b.String(), nil
}

func deep(b *strings.Builder, key string, v qs.Value) {
	switch v.Kind() {
	case qs.String:
		pair(b, key, v.Str())
	case qs.List:
		for i := range v.Len() {
			deep(b, key+"["+strconv.Itoa(i)+"]", v.Index(i))
		}
	case qs.Object:
		for i := range v.Len() {
			deep(b, key+"["+v.Key(i)+"]", v.Index(i))
		}
	}
}

func pair(b *strings.Builder, key, value string) {
	if b.Len() > 0 {
		b.WriteByte('&')
	}
	b.WriteString(url.QueryEscape(key))
	b.WriteByte('=')
	b.WriteString(url.QueryEscape(value))
}
