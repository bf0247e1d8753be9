package entitlements

import (
	"strconv"
	"strings"
	"time"
)

// Reading request maps (internal/soap ToMap conventions): nested maps, lists
// for repeatable elements, leaves as strings, an empty element as "". The
// readers are lenient about shape (a single record where a list is
// expected, a map with "#text" where a leaf is): the schema already checked
// the request, and a handler must never panic on a request the server let
// through.

// get walks keys down nested maps; nil when any step is missing.
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

// obj is v as a map, nil if it is not one (an empty element is "").
func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// list is v as a list: a repeatable element is []any, anything else that is
// present is a list of one.
func list(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	default:
		return []any{x}
	}
}

// str is the text of a leaf, "" when absent.
func str(v any, keys ...string) string {
	v = get(v, keys...)
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case map[string]any:
		s, _ := x["#text"].(string)
		return strings.TrimSpace(s)
	case []any:
		// A repeatable leaf read as one value (v8 accountUnitName/value
		// with a single value): its first occurrence.
		if len(x) > 0 {
			return str(x[0])
		}
	}
	return ""
}

// has reports whether the element is present (even empty).
func has(v any, keys ...string) bool { return get(v, keys...) != nil }

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

// integer reads an xsd:integer; ok is false when absent or not a number.
func integer(v any, keys ...string) (int64, bool) {
	s := str(v, keys...)
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 64)
	return n, err == nil
}

// date reads an xsd:date (a time zone suffix is tolerated and ignored).
func date(v any, keys ...string) (time.Time, bool) {
	s := str(v, keys...)
	if len(s) < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", s[:10])
	return t, err == nil
}

// dateTime reads an xsd:dateTime.
func dateTime(v any, keys ...string) (time.Time, bool) {
	s := str(v, keys...)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
