package op

import (
	"strconv"
	"strings"
	"time"
)

// Readers of Call.Request (internal/soap ToMap conventions: nested maps keyed
// by local name, repeatable elements as []any, leaves as strings, an empty
// element as "" or an empty map, xsi:nil as nil). Each takes a value and a
// path of keys down nested maps.
//
// They are lenient about shape because the server has checked the request
// against the schema already and a handler must never panic on a request
// that got through:
//   - one record where a list is expected reads as a list of one (List, Objs);
//   - a map with "#text" where a leaf is expected reads as that text (Str);
//   - a list where one leaf is expected reads as its first value (Str; a
//     repeatable leaf sent once, such as EntitlementOrder v8
//     accountUnitName/value);
//   - a missing step, nil or a value of the wrong shape reads as absent.

// Get walks keys down nested maps; nil when a step is missing or is not a
// map. With no keys it is v.
func Get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// Obj is the map at keys, nil if there is none (an empty element is "", not
// a map).
func Obj(v any, keys ...string) map[string]any {
	m, _ := Get(v, keys...).(map[string]any)
	return m
}

// List is the element at keys as a list: a repeatable element is []any,
// anything else that is present (including "") is a list of one, nil is
// nil.
func List(v any, keys ...string) []any {
	switch x := Get(v, keys...).(type) {
	case nil:
		return nil
	case []any:
		return x
	default:
		return []any{x}
	}
}

// Objs is List with the items that are not maps (empty elements) as empty
// maps, so records keep their positions.
func Objs(v any, keys ...string) []map[string]any {
	items := List(v, keys...)
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

// Str is the trimmed text of a leaf, "" when absent or nil. A map's "#text"
// is its text; a list's is the text of its first item.
func Str(v any, keys ...string) string {
	switch x := Get(v, keys...).(type) {
	case string:
		return strings.TrimSpace(x)
	case map[string]any:
		s, _ := x["#text"].(string)
		return strings.TrimSpace(s)
	case []any:
		if len(x) > 0 {
			return Str(x[0])
		}
	}
	return ""
}

// Has reports whether the element at keys is present, even empty or nil
// (xsi:nil): its parent is a map holding the last key. With no keys it
// reports whether v is not nil. To treat a nil element as absent, test
// Get(v, keys...) != nil instead.
func Has(v any, keys ...string) bool {
	if len(keys) == 0 {
		return v != nil
	}
	m, ok := Get(v, keys[:len(keys)-1]...).(map[string]any)
	if !ok {
		return false
	}
	_, ok = m[keys[len(keys)-1]]
	return ok
}

// GetBool reads an xsd:boolean ("true", "false", "1", "0"); ok is false
// when the element is absent or not a boolean.
func GetBool(v any, keys ...string) (val, ok bool) {
	switch Str(v, keys...) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// OptBool is an optional xsd:boolean, such as a query criterion: nil when
// absent or not a boolean.
func OptBool(v any, keys ...string) *bool {
	b, ok := GetBool(v, keys...)
	if !ok {
		return nil
	}
	return &b
}

// GetInt reads an xsd:integer (an optional leading "+" is accepted) as an
// int64. present is false when the element is absent, nil or empty, and ok
// is then true; otherwise ok is false when the text is not an integer that
// fits 64 bits. A caller that treats absent and invalid alike tests
// present && ok.
func GetInt(v any, keys ...string) (n int64, present, ok bool) {
	s := Str(v, keys...)
	if s == "" {
		return 0, false, true
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 64)
	return n, true, err == nil
}

// GetDate reads an xsd:date; a time zone suffix is tolerated and ignored.
// ok is false when absent or not a date.
func GetDate(v any, keys ...string) (time.Time, bool) {
	s := Str(v, keys...)
	if len(s) < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", s[:10])
	return t, err == nil
}

// GetDateTime reads an xsd:dateTime as UTC; a value without a zone is taken
// as UTC, fractional seconds are optional. ok is false when absent or not a
// dateTime (a bare date is not one).
func GetDateTime(v any, keys ...string) (time.Time, bool) {
	s := Str(v, keys...)
	// The second layout also takes a value without fractional seconds: Go
	// treats a .999… fraction as optional when parsing.
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
