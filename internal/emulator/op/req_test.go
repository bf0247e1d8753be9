package op

import (
	"reflect"
	"testing"
	"time"
)

// req is a request map in the ToMap shapes the readers must tolerate.
var req = map[string]any{
	"leaf":      "  text  ",
	"empty":     "",
	"nil":       nil,
	"textMap":   map[string]any{"#text": " inner ", "attr": "x"},
	"list":      []any{" first ", "second"},
	"emptyList": []any{},
	"record":    map[string]any{"id": "R1", "inner": map[string]any{"deep": "D"}},
	"records":   []any{map[string]any{"id": "A"}, "", map[string]any{"id": "B"}},
	"yes":       "true", "one": "1", "no": "false", "zero": "0", "maybe": "yes",
	"n": "+42", "neg": "-7", "big": "9223372036854775808", "notNum": "4x",
	"date": "2025-03-14", "dateZ": "2025-03-14Z", "dateTZ": "2025-03-14+05:30", "badDate": "2025-13-01", "short": "2025",
	"dt": "2025-03-14T09:26:53.250+01:00", "dtNoZone": "2025-03-14T09:26:53", "dtFrac": "2025-03-14T09:26:53.5",
}

func TestGetWalksNestedMaps(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		v    any
		keys []string
		want any
	}{
		{"no keys is the value", "x", nil, "x"},
		{"one step", req, []string{"leaf"}, "  text  "},
		{"two steps", req, []string{"record", "id"}, "R1"},
		{"missing key", req, []string{"absent"}, nil},
		{"through a leaf", req, []string{"leaf", "x"}, nil},
		{"through a list", req, []string{"records", "id"}, nil},
		{"through nil", req, []string{"nil", "x"}, nil},
		{"nil value", nil, []string{"x"}, nil},
	} {
		if got := Get(tt.v, tt.keys...); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Get = %#v, want %#v", tt.name, got, tt.want)
		}
	}
}

func TestObjIsAMapOrNil(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		keys []string
		want map[string]any
	}{
		{"a record", []string{"record", "inner"}, map[string]any{"deep": "D"}},
		{"an empty element", []string{"empty"}, nil},
		{"nil", []string{"nil"}, nil},
		{"a leaf", []string{"leaf"}, nil},
		{"a list", []string{"records"}, nil},
		{"absent", []string{"absent"}, nil},
	} {
		if got := Obj(req, tt.keys...); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Obj = %#v, want %#v", tt.name, got, tt.want)
		}
	}
}

func TestListTakesOneRecordAsAListOfOne(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		v    any
		keys []string
		want []any
	}{
		{"a list", req, []string{"records"}, req["records"].([]any)},
		{"one record", req, []string{"record"}, []any{req["record"]}},
		{"one leaf", req, []string{"leaf"}, []any{"  text  "}},
		{"an empty element", req, []string{"empty"}, []any{""}},
		{"an empty list", req, []string{"emptyList"}, []any{}},
		{"nil", req, []string{"nil"}, nil},
		{"absent", req, []string{"absent"}, nil},
		{"no keys", []any{"a"}, nil, []any{"a"}},
	} {
		if got := List(tt.v, tt.keys...); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: List = %#v, want %#v", tt.name, got, tt.want)
		}
	}
}

func TestObjsKeepsPositionsOfEmptyRecords(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		keys []string
		want []map[string]any
	}{
		{"list with an empty element", []string{"records"}, []map[string]any{{"id": "A"}, {}, {"id": "B"}}},
		{"one record", []string{"record", "inner"}, []map[string]any{{"deep": "D"}}},
		{"one empty element", []string{"empty"}, []map[string]any{{}}},
		{"absent", []string{"absent"}, []map[string]any{}},
	} {
		if got := Objs(req, tt.keys...); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Objs = %#v, want %#v", tt.name, got, tt.want)
		}
	}
}

func TestStrReadsLenientLeaves(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		v    any
		keys []string
		want string
	}{
		{"trimmed", req, []string{"leaf"}, "text"},
		{"#text of a map", req, []string{"textMap"}, "inner"},
		{"first of a list", req, []string{"list"}, "first"},
		{"empty list", req, []string{"emptyList"}, ""},
		{"list of records with #text", []any{map[string]any{"#text": "t"}}, nil, "t"},
		{"empty element", req, []string{"empty"}, ""},
		{"nil", req, []string{"nil"}, ""},
		{"absent", req, []string{"absent"}, ""},
		{"a map without text", req, []string{"record"}, ""},
		{"nested", req, []string{"record", "inner", "deep"}, "D"},
		{"not a string", 42, nil, ""},
	} {
		if got := Str(tt.v, tt.keys...); got != tt.want {
			t.Errorf("%s: Str = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestHasCountsNilAndEmptyAsPresent(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		v    any
		keys []string
		want bool
	}{
		{"a leaf", req, []string{"leaf"}, true},
		{"an empty element", req, []string{"empty"}, true},
		{"nil (xsi:nil)", req, []string{"nil"}, true},
		{"absent", req, []string{"absent"}, false},
		{"nested", req, []string{"record", "inner", "deep"}, true},
		{"nested absent", req, []string{"record", "inner", "x"}, false},
		{"below a leaf", req, []string{"leaf", "x"}, false},
		{"no keys, a value", req, nil, true},
		{"no keys, nil", nil, nil, false},
	} {
		if got := Has(tt.v, tt.keys...); got != tt.want {
			t.Errorf("%s: Has = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestGetBoolAndOptBool(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		key     string
		val, ok bool
	}{
		{"yes", true, true}, {"one", true, true}, {"no", false, true}, {"zero", false, true},
		{"maybe", false, false}, {"empty", false, false}, {"nil", false, false}, {"absent", false, false},
	} {
		val, ok := GetBool(req, tt.key)
		if val != tt.val || ok != tt.ok {
			t.Errorf("%s: GetBool = %v, %v; want %v, %v", tt.key, val, ok, tt.val, tt.ok)
		}
		p := OptBool(req, tt.key)
		if (p != nil) != tt.ok || (p != nil && *p != tt.val) {
			t.Errorf("%s: OptBool = %v, want set %v to %v", tt.key, p, tt.ok, tt.val)
		}
	}
}

func TestGetIntTellsAbsentFromInvalid(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		key         string
		n           int64
		present, ok bool
	}{
		{"n", 42, true, true},
		{"neg", -7, true, true},
		{"big", 0, true, false}, // past int64
		{"notNum", 0, true, false},
		{"empty", 0, false, true},
		{"nil", 0, false, true},
		{"absent", 0, false, true},
		{"list", 0, true, false}, // "first" is not a number
	} {
		n, present, ok := GetInt(req, tt.key)
		if present != tt.present || ok != tt.ok || (ok && n != tt.n) {
			t.Errorf("%s: GetInt = %d, %v, %v; want %d, %v, %v", tt.key, n, present, ok, tt.n, tt.present, tt.ok)
		}
	}
}

func TestGetDateIgnoresAZone(t *testing.T) {
	t.Parallel()
	day := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		key  string
		want time.Time
		ok   bool
	}{
		{"date", day, true}, {"dateZ", day, true}, {"dateTZ", day, true}, {"dt", day, true},
		{"badDate", time.Time{}, false}, {"short", time.Time{}, false}, {"empty", time.Time{}, false},
		{"nil", time.Time{}, false}, {"absent", time.Time{}, false},
	} {
		got, ok := GetDate(req, tt.key)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("%s: GetDate = %v, %v; want %v, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
}

func TestGetDateTimeIsUTC(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		key  string
		want time.Time
		ok   bool
	}{
		{"dt", time.Date(2025, 3, 14, 8, 26, 53, 250e6, time.UTC), true},
		{"dtNoZone", time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC), true},
		{"dtFrac", time.Date(2025, 3, 14, 9, 26, 53, 500e6, time.UTC), true},
		{"date", time.Time{}, false},
		{"empty", time.Time{}, false},
		{"nil", time.Time{}, false},
	} {
		got, ok := GetDateTime(req, tt.key)
		if ok != tt.ok || !got.Equal(tt.want) || (ok && got.Location() != time.UTC) {
			t.Errorf("%s: GetDateTime = %v, %v; want %v, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
}
