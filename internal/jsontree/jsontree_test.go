package jsontree

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestEscapePointer(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"a": "a", "a/b": "a~1b", "m~n": "m~0n", "~/": "~0~1"} {
		if got := EscapePointer(in); got != want {
			t.Errorf("EscapePointer(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestType(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    any
		want string
	}{{map[string]any{}, "object"}, {[]any{}, "array"}, {"s", "string"}, {json.Number("1"), "number"},
		{true, "boolean"}, {nil, "null"}, {struct{}{}, "value"}} {
		if got := Type(c.v); got != c.want {
			t.Errorf("Type(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestUnionKeys(t *testing.T) {
	t.Parallel()
	got := UnionKeys(map[string]any{"b": 1, "a": 1}, map[string]any{"c": 1, "a": 2})
	if want := []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("UnionKeys = %v, want %v", got, want)
	}
}

func TestPointer(t *testing.T) {
	t.Parallel()
	if got := Pointer([]string{"a", "b/c", "0"}); got != "/a/b~1c/0" {
		t.Errorf("Pointer = %q", got)
	}
	if got := Pointer(nil); got != "" {
		t.Errorf("Pointer(nil) = %q, want the whole document", got)
	}
}
