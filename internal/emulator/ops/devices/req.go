package devices

import (
	"strconv"
	"strings"
	"time"
)

// Readers of request maps (internal/soap ToMap conventions: nested maps,
// repeatable elements as []any, leaves as strings, an empty element as "",
// xsi:nil as nil). They are lenient about shape — a single record where a
// list is expected, "#text" where a leaf is — because the schema has
// already checked the request and a handler must never panic on a request
// the server let through.

// get walks keys down nested maps; nil when a step is missing.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// obj is the map at keys, nil if there is none (an empty element is "").
func obj(v any, keys ...string) map[string]any {
	m, _ := get(v, keys...).(map[string]any)
	return m
}

// list is the element at keys as a list: a repeatable element is []any,
// anything else that is present is a list of one.
func list(v any, keys ...string) []any {
	switch x := get(v, keys...).(type) {
	case nil:
		return nil
	case []any:
		return x
	default:
		return []any{x}
	}
}

// objs is list with the non-map items (empty elements) as empty maps, so
// records keep their positions.
func objs(v any, keys ...string) []map[string]any {
	items := list(v, keys...)
	out := make([]map[string]any, len(items))
	for i, it := range items {
		m, _ := it.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		out[i] = m
	}
	return out
}

// str is the trimmed text of a leaf, "" when absent.
func str(v any, keys ...string) string {
	switch x := get(v, keys...).(type) {
	case string:
		return strings.TrimSpace(x)
	case map[string]any:
		s, _ := x["#text"].(string)
		return strings.TrimSpace(s)
	}
	return ""
}

// has reports whether the element is present, even empty or nil.
func has(v any, keys ...string) bool {
	if len(keys) == 0 {
		return v != nil
	}
	m, ok := get(v, keys[:len(keys)-1]...).(map[string]any)
	if !ok {
		return false
	}
	_, ok = m[keys[len(keys)-1]]
	return ok
}

// boolean reads an xsd:boolean; ok is false when absent or not a boolean.
func boolean(v any, keys ...string) (val, ok bool) {
	switch str(v, keys...) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// flag is a response-config switch: true only when given as true.
func flag(cfg map[string]any, key string) bool {
	b, _ := boolean(cfg, key)
	return b
}

// integer reads an xsd:integer; ok is false when absent, nil or not a
// number that fits an int.
func integer(v any, keys ...string) (int, bool) {
	s := str(v, keys...)
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 32)
	return int(n), err == nil
}

// date reads an xsd:date; a time zone suffix is tolerated and ignored.
func date(v any, keys ...string) (time.Time, bool) {
	s := str(v, keys...)
	if len(s) < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", s[:10])
	return t, err == nil
}
