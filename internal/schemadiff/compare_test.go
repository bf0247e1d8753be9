package schemadiff

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/xsdmodel"
)

var update = flag.Bool("update", false, "rewrite the golden text renderings in testdata")

// loadFixture loads testdata/<name>.xsd and returns it with its only global
// element as the root.
func loadFixture(t *testing.T, name string) Side {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".xsd"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := xsdmodel.Load(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	els := m.Elements()
	if len(els) != 1 {
		t.Fatalf("%s: want one global element, have %v", name, els)
	}
	return Side{Model: m, Root: els[0]}
}

func render(ds []Difference) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s %s | %s | %s | %s", d.Kind, d.Path, d.Old, d.New, d.Change))
	}
	return out
}

// TestFixturePairs compares each <case>_base.xsd with <case>_revision.xsd
// (the two sides have different target namespaces, which must not matter).
func TestFixturePairs(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"refactored": nil,
		"element_added": {
			"element-added /root/opt | absent | simple content (int), 0..1 | widens",
			"element-added /root/req | absent | simple content (date), 1..1 | incompatible",
		},
		"element_removed": {
			"element-removed /root/opt | simple content (int), 0..1 | absent | narrows",
			"element-removed /root/req | simple content (date), 1..1 | absent | incompatible",
		},
		"order_changed": {
			"order-changed /root/b | after a | after d | incompatible",
		},
		"min_occurs_changed": {
			"min-occurs-changed /root/a | 1 | 0 | widens",
			"min-occurs-changed /root/b | 0 | 1 | narrows",
		},
		"max_occurs_changed": {
			"max-occurs-changed /root/a | 1 | unbounded | widens",
			"max-occurs-changed /root/b | 5 | 2 | narrows",
			"max-occurs-changed /root/c | 1 | unbounded | widens",
		},
		"nillable_changed": {
			"nillable-changed /root/a | not nillable | nillable | widens",
			"nillable-changed /root/b | nillable | not nillable | narrows",
		},
		"compositor_changed": {
			"compositor-changed /root/a | sequence | all | incompatible",
			"compositor-changed /root/b | sequence | all | incompatible",
		},
		"content_changed": {
			"content-changed /root/a | simple content (string) | complex content (2 child elements) | incompatible",
			"content-changed /root/b | complex content (1 child elements) | simple content (string) | incompatible",
		},
		"builtin_type_changed": {
			"builtin-type-changed /root/a | string | int | incompatible",
			"builtin-type-changed /root/b | int | long | incompatible",
			"builtin-type-changed /root/c | list of date | date | incompatible",
		},
		"enum_value_added": {
			"enum-value-added /root/kind | absent | CONTAINER | widens",
		},
		"enum_value_removed": {
			"enum-value-removed /root/kind | SERVED_CLIENT | absent | narrows",
		},
		"facet_changed": {
			"facet-changed /root/name | maxLength=10 | maxLength=20 | widens",
			"facet-changed /root/qty | minInclusive=0 | minInclusive=1 | narrows",
			"facet-changed /root/code | pattern: none | pattern=[A-Z]+ | narrows",
			"facet-changed /root/kind | enumeration of 1 values | enumeration: none | widens",
		},
		"extension_base_changed": {
			"extension-base-changed /root | no extension base | inherits a, b; adds c | neutral",
		},
		"recursive": {
			"element-added /root/note | absent | simple content (string), 0..1 | widens",
		},
		"root_element_changed": {
			"root-element-changed / | root | top | incompatible",
		},
	}
	bases, _ := filepath.Glob(filepath.Join("testdata", "*_base.xsd"))
	if len(bases) != len(cases) {
		t.Errorf("%d fixture pairs in testdata, %d cases in the table: keep them in step", len(bases), len(cases))
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			old, new := loadFixture(t, name+"_base"), loadFixture(t, name+"_revision")
			ds, err := Compare(old, new, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := render(ds)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("differences:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
			}
			// Reversed, the same places differ (the walk is symmetric).
			back, err := Compare(new, old, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(back) != len(ds) {
				t.Errorf("reversed comparison: %d differences, want %d: %v", len(back), len(ds), render(back))
			}
		})
	}
}

// TestEveryKindHasAFixture keeps the explicit kind list, the constants and
// the fixtures in step: every kind but the operation ones (tested on
// WSDLs) must come out of some fixture pair.
func TestEveryKindHasAFixture(t *testing.T) {
	t.Parallel()
	seen := map[Kind]bool{OperationAdded: true, OperationRemoved: true}
	bases, _ := filepath.Glob(filepath.Join("testdata", "*_base.xsd"))
	for _, b := range bases {
		name := strings.TrimSuffix(filepath.Base(b), "_base.xsd")
		ds, err := Compare(loadFixture(t, name+"_base"), loadFixture(t, name+"_revision"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			seen[d.Kind] = true
		}
	}
	ids := map[Kind]bool{}
	for _, k := range Kinds {
		if ids[k.Kind] {
			t.Errorf("kind %s listed twice", k.Kind)
		}
		ids[k.Kind] = true
		if !seen[k.Kind] {
			t.Errorf("kind %s has no fixture pair producing it", k.Kind)
		}
		if k.Summary == "" || strings.ToLower(string(k.Kind)) != string(k.Kind) || strings.ContainsAny(string(k.Kind), " _") {
			t.Errorf("kind %q: want a kebab-case ID and a summary", k.Kind)
		}
	}
	for k := range seen {
		if !ids[k] {
			t.Errorf("kind %s produced but not listed in Kinds", k)
		}
	}
}

func TestBreaking(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind      Kind
		change    Change
		req, resp bool
	}{
		{ElementAdded, Widens, false, false},           // new optional element
		{ElementAdded, Incompatible, true, true},       // new required element
		{ElementRemoved, Narrows, true, true},          // optional removed: clients sending it, parsers reading it
		{ElementRemoved, Incompatible, true, true},     // required removed
		{EnumValueAdded, Widens, false, true},          // parsers meet an unknown value
		{EnumValueRemoved, Narrows, true, false},       // clients may send it
		{MinOccursChanged, Widens, false, true},        // now optional: parsers may miss it
		{MinOccursChanged, Narrows, true, false},       // now required: clients may omit it
		{MaxOccursChanged, Widens, false, true},        // cardinality widening
		{MaxOccursChanged, Narrows, true, false},       //
		{NillableChanged, Widens, false, true},         //
		{FacetChanged, Narrows, true, false},           //
		{OrderChanged, Incompatible, true, true},       //
		{ExtensionBaseChanged, Neutral, false, false},  // the same instances
		{OperationRemoved, Neutral, true, true},        //
		{OperationAdded, Neutral, false, false},        //
		{BuiltinTypeChanged, Incompatible, true, true}, //
	}
	for _, c := range cases {
		for _, m := range []struct {
			msg  Message
			want bool
		}{{Request, c.req}, {Response, c.resp}} {
			d := Difference{Kind: c.kind, Change: c.change, Message: m.msg}
			if got := Breaking(d); got != m.want {
				t.Errorf("%s %s %s: breaking %v, want %v", m.msg, c.kind, c.change, got, m.want)
			}
		}
	}
}

// TestCompareWSDLFixtures compares two small WSDLs of our own: operations
// added and removed, a response element added through refactored types,
// and the golden text rendering.
func TestCompareWSDLFixtures(t *testing.T) {
	t.Parallel()
	ours, ref := filepath.Join("testdata", "operations_revision.wsdl"), filepath.Join("testdata", "operations_base.wsdl")
	r, err := CompareWSDL(ours, ref, []string{"getThing", "putThing", "deleteThing"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range r.Operations {
		for _, d := range op.Differences {
			got = append(got, fmt.Sprintf("%s %s %s %s breaking=%v", op.Name, d.Message, d.Kind, d.Path, d.Breaking))
		}
	}
	sort.Strings(got)
	want := []string{
		"deleteThing request operation-removed / breaking=true",
		"getThing response element-added /getThingResponse/createdOn breaking=false",
		"putThing request operation-added / breaking=false",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "operations.golden.txt")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wantText, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestCompareWSDLFixtures -update)", err)
	}
	if !bytes.Equal(buf.Bytes(), wantText) {
		t.Errorf("text rendering differs from %s (if intended, rerun with -update):\n%s", golden, buf.String())
	}
	// Every operation of ours when no list is given.
	r, err = CompareWSDL(ours, ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Operations) != 2 || r.Operations[0].Name != "getThing" || r.Operations[1].Name != "putThing" {
		t.Errorf("default operations: %+v", r.Operations)
	}
	if _, err := CompareWSDL(ours, ref, []string{"nope"}); err == nil {
		t.Error("an operation neither side defines must be an error")
	}
	if _, err := CompareWSDL(filepath.Join("testdata", "absent.wsdl"), ref, nil); err == nil {
		t.Error("a missing WSDL must be an error")
	}
}
