package accounts

import (
	"strconv"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Reading request maps (internal/soap ToMap conventions): nested maps, lists
// for repeatable elements, leaves as strings, an empty element as "" or an
// empty map. The readers are lenient about shape (one record where a list is
// expected, a map with "#text" where a leaf is): the server has checked the
// request against the schema already, and a handler must never panic on a
// request that got through.

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

// optBool is an xsd:boolean criterion: nil when not given.
func optBool(v any, keys ...string) *bool {
	b, ok := boolean(v, keys...)
	if !ok {
		return nil
	}
	return &b
}

// integer reads an xsd:integer; present is false when the element is absent
// or nil, ok is false when its text is not an integer.
func integer(v any, keys ...string) (n int64, present, ok bool) {
	s := str(v, keys...)
	if s == "" {
		return 0, false, true
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 64)
	return n, true, err == nil
}

// date reads an xsd:date (a time zone suffix is ignored).
func date(v any, keys ...string) (time.Time, bool) {
	s := str(v, keys...)
	if len(s) < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", s[:10])
	return t, err == nil
}

// dateTime reads an xsd:dateTime; a value without a zone is taken as UTC.
func dateTime(v any, keys ...string) (time.Time, bool) {
	s := str(v, keys...)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// match reads a SimpleQueryType (value, searchType); the zero Match when
// the criterion is absent.
func match(v any, keys ...string) state.Match {
	q := get(v, keys...)
	if q == nil {
		return state.Match{}
	}
	if _, ok := q.(map[string]any); !ok {
		return state.Match{} // nil (xsi:nil) or empty: no criterion
	}
	t := str(q, "searchType")
	if t == "" {
		return state.Match{}
	}
	return state.Match{Value: str(q, "value"), Type: state.SearchType(t)}
}

// dateMatch reads a DateQueryType or DateTimeQueryType (value, searchType);
// ok is false for a value that is neither a date nor a dateTime.
func dateMatch(v any, keys ...string) (m state.DateMatch, ok bool) {
	q := get(v, keys...)
	if _, isMap := q.(map[string]any); !isMap {
		return state.DateMatch{}, true
	}
	t := str(q, "searchType")
	if t == "" {
		return state.DateMatch{}, true
	}
	val, ok := dateTime(q, "value")
	if !ok {
		if val, ok = date(q, "value"); !ok {
			return state.DateMatch{}, false
		}
	}
	return state.DateMatch{Value: val, Type: state.DateSearchType(t)}, true
}

// page reads pageNumber and batchSize. Both are required by the schemas but
// nillable in the hierarchy services: a nil pageNumber is the first page, a
// nil batchSize the largest batch allowed. reason is a FAILURE reason.
func page(req map[string]any, cfg op.Settings) (p state.Page, reason string) {
	num, present, ok := integer(req, "pageNumber")
	switch {
	case !ok:
		return p, "pageNumber is not an integer"
	case !present:
		num = 1
	case num < 1:
		return p, "pageNumber must be 1 or more (pages count from 1)"
	}
	size, present, ok := integer(req, "batchSize")
	switch {
	case !ok:
		return p, "batchSize is not an integer"
	case !present:
		size = int64(cfg.MaxReadBatch)
	case size < 1:
		return p, "batchSize must be 1 or more"
	case cfg.MaxReadBatch > 0 && size > int64(cfg.MaxReadBatch):
		return p, "batchSize exceeds the maximum of " + strconv.Itoa(cfg.MaxReadBatch) + " records per batch"
	}
	if num > int64(^uint32(0)>>1) {
		num = int64(^uint32(0) >> 1) // far past the end: an empty page, not an overflow
	}
	return state.Page{Number: int(num), Size: int(size)}, ""
}

// failure is a statusInfo FAILURE response with reason.
func failure(reason string) map[string]any {
	return map[string]any{"statusInfo": op.Status("FAILURE", reason)}
}

// success is a statusInfo SUCCESS response with responseData (nil: none).
func success(data map[string]any) map[string]any {
	m := map[string]any{"statusInfo": op.Status("SUCCESS", "")}
	if data != nil {
		m["responseData"] = data
	}
	return m
}

// writeStatus is the statusInfo of a write of total records of which failed
// failed: SUCCESS, PARTIAL_FAILURE or FAILURE, with a reason that counts.
func writeStatus(total, failed int, what string) map[string]any {
	switch {
	case failed == 0:
		return op.Status("SUCCESS", "")
	case failed == total:
		return op.Status("FAILURE", "no "+what+" could be created; see failedData")
	default:
		return op.Status("PARTIAL_FAILURE", strconv.Itoa(failed)+" of "+strconv.Itoa(total)+" "+what+" could not be created; see failedData")
	}
}

// tooMany is the FAILURE reason of a write with more records than allowed.
func tooMany(n, max int, what string) string {
	return "the request has " + strconv.Itoa(n) + " " + what + "; at most " + strconv.Itoa(max) + " are accepted per request"
}

// nonEmpty is s, or nil when s is empty, so the element is omitted.
func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// dateTimeOrNil formats t, or omits it when zero.
func dateTimeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return op.DateTime(t)
}

// dateOrNil formats t as a date, or omits it when zero.
func dateOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return op.Date(t)
}
