package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/sharedref"
)

func TestAlign(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		keys      []string
		matchable []bool
		seq       []string
		want      []step
	}{
		{"same", []string{"a", "b"}, []bool{true, true}, []string{"a", "b"}, []step{{0, 0}, {1, 1}}},
		{"added in the middle", []string{"a", "c"}, []bool{true, true}, []string{"a", "b", "c"}, []step{{0, 0}, {-1, 1}, {1, 2}}},
		{"removed, old first", []string{"a", "b", "c"}, []bool{true, true, true}, []string{"a", "x", "c"}, []step{{0, 0}, {1, -1}, {-1, 1}, {2, 2}}},
		{"dead item does not come back", []string{"a", "b"}, []bool{true, false}, []string{"a", "b"}, []step{{0, 0}, {1, -1}, {-1, 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := align(tc.keys, tc.matchable, tc.seq); !slices.Equal(got, tc.want) {
				t.Errorf("align = %v, want %v", got, tc.want)
			}
		})
	}
}

// synthetic builds a small version: a request type with the given sequence,
// a status enumeration with the given values, and one or two operations.
func synthetic(name string, reqSeq []entry, values []string, withOp2 bool) *version {
	s := &schema{
		Complex:  map[string]*complexType{"reqType": {Name: "reqType", Seq: reqSeq}, "respType": {Name: "respType", Seq: []entry{{Name: "status", Type: "StatusType", Min: 1, Max: 1}}}},
		Simple:   map[string]*simpleType{"StatusType": {Name: "StatusType", Base: "NMTOKEN", Values: values}},
		Elements: map[string]string{"req": "reqType", "resp": "respType"},
		Order:    []string{"StatusType", "reqType", "respType"},
		ElemOrd:  []string{"req", "resp"},
		builtins: map[string]bool{"string": true, "int": true},
	}
	v := &version{Name: name, Ops: []operation{{Name: "op", Input: "req", Output: "resp"}}, Schema: s}
	if withOp2 {
		v.Ops = append(v.Ops, operation{Name: "op2", Input: "req", Output: "resp"})
	}
	return v
}

func TestMergeRoundTrip(t *testing.T) {
	t.Parallel()
	e := func(n, typ string, min, max int) entry { return entry{Name: n, Type: typ, Min: min, Max: max} }
	vs := []*version{
		synthetic("base", []entry{e("a", "string", 1, 1), e("b", "int", 0, 1), e("c", "string", 0, unbounded)}, []string{"OK", "FAIL", "ON"}, false),
		synthetic("v1", []entry{e("a", "string", 1, 1), e("c", "string", 0, unbounded)}, []string{"OK"}, false),
		// b comes back with another type; c becomes optional-single; a nillable one appears.
		synthetic("v2", []entry{e("a", "string", 1, 1), e("b", "string", 0, 1), e("c", "string", 0, 1), {Name: "d", Type: "int", Min: 2, Max: 5, Nillable: true}}, []string{"OK", "FAIL", "ON"}, true),
	}
	m, err := mergeVersions(vs)
	if err != nil {
		t.Fatal(err)
	}
	svc := &serviceSpec{Name: "TestService", Family: "operations", Doc: "test"}
	data := render(svc, m, map[string]string{"v1": "dropped b"})
	c, err := parseContract(data)
	if err != nil {
		t.Fatalf("parse rendered contract: %v\n%s", err, data)
	}
	for _, want := range vs {
		got, err := c.expand(want.Name)
		if err != nil {
			t.Fatal(err)
		}
		if d := compare(want, got); len(d) > 0 {
			t.Errorf("round trip differs:\n%s\n%s", strings.Join(d, "\n"), data)
		}
	}
	for _, frag := range []string{`"ON"`, `op2: {input: req, output: resp, since: v2}`, `d: {type: int, min: 2, max: 5, nillable: true, since: v2}`} {
		if !strings.Contains(string(data), frag) {
			t.Errorf("rendered contract lacks %q:\n%s", frag, data)
		}
	}
}

func TestCompareFindsDifferences(t *testing.T) {
	t.Parallel()
	e := func(n string, min int) entry { return entry{Name: n, Type: "string", Min: min, Max: 1} }
	want := synthetic("v1", []entry{e("a", 1)}, []string{"OK"}, false)
	tests := map[string]*version{
		"cardinality": synthetic("v1", []entry{e("a", 0)}, []string{"OK"}, false),
		"enum value":  synthetic("v1", []entry{e("a", 1)}, []string{"OK", "FAIL"}, false),
		"operation":   synthetic("v1", []entry{e("a", 1)}, []string{"OK"}, true),
		"element":     synthetic("v1", []entry{e("a", 1), e("b", 0)}, []string{"OK"}, false),
	}
	for name, got := range tests {
		if d := compare(want, got); len(d) == 0 {
			t.Errorf("%s: no difference reported", name)
		}
	}
}

// TestReferences re-verifies the committed contracts against the reference
// WSDLs, when ../shared is present.
func TestReferences(t *testing.T) {
	dir := sharedref.WSDLDir()
	if dir == "" {
		t.Skip("../shared/reference/fno-wsdl not present; set FNOKIT_SHARED to run this test")
	}
	root := filepath.Join("..", "..", "..", "schemas", "soap")
	if _, err := os.Stat(root); err != nil {
		t.Skip("schemas/soap not found")
	}
	for _, svc := range services {
		if _, err := os.Stat(filepath.Join(root, svc.Name, "contract.yaml")); err != nil {
			t.Errorf("%s: no contract.yaml", svc.Name)
			continue
		}
		if err := run(svc, dir, root, true, false); err != nil {
			t.Errorf("%s: %v", svc.Name, err)
		}
	}
}
