// Package jsontree holds what walking a decoded JSON value (map[string]any,
// []any, json.Number …) needs in more than one place: the RFC 6901 JSON
// Pointer escaping of a member name, the JSON type of a value, and the
// sorted member names of two objects compared side by side. It is to
// decoded JSON what xmltree is to XML.
package jsontree

import (
	"encoding/json"
	"sort"
	"strings"
)

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// EscapePointer escapes one JSON Pointer reference token (RFC 6901).
func EscapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return pointerEscaper.Replace(s)
}

// Type names the JSON type of a decoded value: object, array, string,
// number, boolean, null (or "value" for anything else).
func Type(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "value"
}

// UnionKeys returns the member names of a and b, each once, sorted: the
// order a side-by-side comparison of two objects walks them in.
func UnionKeys(a, b map[string]any) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// Pointer joins reference tokens into a JSON Pointer ("/a/b~1c").
func Pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(EscapePointer(t))
	}
	return b.String()
}
