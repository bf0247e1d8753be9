package xsdmodel

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/xmltree"
)

// describeSimple renders a simple type compactly: variety builtin
// [enumeration] facets.
func describeSimple(s *SimpleType) string {
	if s == nil {
		return "<nil>"
	}
	out := s.Variety.String() + " " + s.Builtin.Local
	if s.Variety == List && s.ItemType != nil {
		out += " of " + describeSimple(s.ItemType)
	}
	if s.Variety == Union {
		var ms []string
		for _, m := range s.MemberTypes {
			ms = append(ms, m.Builtin.Local)
		}
		out += " of " + strings.Join(ms, "|")
	}
	if s.Enumeration != nil {
		out += " [" + strings.Join(s.Enumeration, ",") + "]"
	}
	for _, f := range s.Facets {
		out += " " + f.Name + "=" + f.Value
	}
	return out
}

func TestSimpleTypes(t *testing.T) {
	t.Parallel()
	m := load(t, "types.xsd", "common.xsd")
	if u := m.Unresolved(); len(u) != 0 {
		t.Fatalf("unresolved: %v", u)
	}
	const T = "urn:test:types"
	cases := []struct{ name, want string }{
		{"code", "atomic token minLength=2 maxLength=10 pattern=[A-Z]+"},
		{"shortCode", "atomic token [AB,BCD] minLength=2 maxLength=4 pattern=[A-Z]+ pattern=A.*|B.*"},
		{"percent", "atomic decimal minInclusive=0 maxExclusive=100 totalDigits=5 fractionDigits=2"},
		{"codes", "list token of atomic token minLength=2 maxLength=10 pattern=[A-Z]+"},
		{"codeOrNumber", "union  of token|int"},
	}
	for _, c := range cases {
		st, ok := m.SimpleType(T, c.name)
		if !ok {
			t.Errorf("%s: not found", c.name)
			continue
		}
		if got := describeSimple(st); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
	sc, _ := m.SimpleType(T, "shortCode")
	if sc.Base != (xmltree.Name{Space: T, Local: "code"}) {
		t.Errorf("shortCode base = %v", sc.Base)
	}
	if v, ok := sc.Facet("maxLength"); !ok || v != "4" {
		t.Errorf("Facet(maxLength) = %q %v", v, ok)
	}
	if b, ok := m.SimpleType(NSXSD, "int"); !ok || !b.IsBuiltin() || b.Builtin.Local != "int" {
		t.Errorf("builtin int: %+v %v", b, ok)
	}
	if _, ok := m.SimpleType(T, "nope"); ok {
		t.Error("unknown simple type found")
	}
}

func TestComplexTypeStructure(t *testing.T) {
	t.Parallel()
	m := load(t, "types.xsd", "common.xsd")
	const T = "urn:test:types"
	top, ok := m.ComplexType(T, "top")
	if !ok {
		t.Fatal("top not found")
	}
	if top.Derivation != Extension || top.Base.Local != "middle" || top.BaseType == nil || top.BaseType.BaseType == nil {
		t.Fatalf("top derivation: %v %v", top.Derivation, top.Base)
	}
	if top.Inherited() != 2 || top.BaseType.Inherited() != 1 {
		t.Errorf("inherited: top %d, middle %d", top.Inherited(), top.BaseType.Inherited())
	}
	var got []string
	for _, d := range top.Children() {
		s := fmt.Sprintf("%s[%d,%d]%s", d.Name.Local, d.MinOccurs, d.MaxOccurs, d.Compositor)
		if d.Nillable {
			s += "!"
		}
		got = append(got, s)
	}
	want := "id[1,1]sequence name[1,1]sequence! code[0,1]choice number[0,1]choice p[1,1]all level[1,1]sequence amount[0,1]sequence codes[0,1]sequence any[0,1]sequence note[0,1]sequence"
	if strings.Join(got, " ") != want {
		t.Errorf("children:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	// The particle tree keeps the groups the flattened list loses.
	g := top.Content
	if g == nil || g.Compositor != Sequence || len(g.Particles) != 7 {
		t.Fatalf("content: %+v", g)
	}
	if ch := g.Particles[0].Group; ch == nil || ch.Compositor != Choice || ch.MinOccurs != 0 || len(ch.Particles) != 2 {
		t.Errorf("first particle should be the optional choice: %+v", g.Particles[0])
	}
	byName := map[string]*Decl{}
	for _, d := range top.Children() {
		byName[d.Name.Local] = d
	}
	checks := []struct {
		el, want string
	}{
		{"level", "atomic int minInclusive=1"},
		{"amount", "atomic decimal minInclusive=0 maxInclusive=10 maxExclusive=100 totalDigits=5 fractionDigits=2"},
		{"p", "atomic decimal minInclusive=0 maxExclusive=100 totalDigits=5 fractionDigits=2"},
		{"id", "atomic string"},
		{"note", "<nil>"},
	}
	for _, c := range checks {
		if got := describeSimple(byName[c.el].SimpleType()); got != c.want {
			t.Errorf("%s: got %s, want %s", c.el, got, c.want)
		}
	}
	if a := byName["amount"].ComplexType(); a == nil || !a.Simple() || a.Derivation != Restriction || a.BaseType == nil {
		t.Errorf("amount: %+v", a)
	}
	if n := byName["note"].ComplexType(); n == nil || n.Simple() || len(n.Children()) != 2 {
		t.Errorf("note: %+v", n)
	}
	if len(m.ComplexTypes()) != 6 || len(m.SimpleTypes()) != 5 {
		t.Errorf("ComplexTypes %v SimpleTypes %v", m.ComplexTypes(), m.SimpleTypes())
	}
}

func TestSchemasAndImports(t *testing.T) {
	t.Parallel()
	m := load(t, "types.xsd", "common.xsd")
	s := m.Schemas()
	if len(s) != 2 || s[0].TargetNamespace != "urn:test:types" || s[0].ElementFormDefault != "qualified" || s[1].ElementFormDefault != "unqualified" {
		t.Fatalf("schemas: %+v", s)
	}
	if len(s[0].Imports) != 1 || s[0].Imports[0] != (Import{Namespace: "urn:test:common", SchemaLocation: "common.xsd"}) {
		t.Errorf("imports: %+v", s[0].Imports)
	}
	if ns := m.Namespaces(); strings.Join(ns, " ") != "urn:test:common urn:test:types" {
		t.Errorf("namespaces: %v", ns)
	}
}

func TestSimpleTypeLoops(t *testing.T) {
	t.Parallel()
	const head = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t">`
	cases := []struct{ name, doc, want string }{
		{"self restriction", head + `<xs:simpleType name="a"><xs:restriction base="t:a"/></xs:simpleType></xs:schema>`, "derives from itself"},
		{"empty simple type", head + `<xs:simpleType name="a"/></xs:schema>`, "no restriction"},
		{"restriction without base", head + `<xs:simpleType name="a"><xs:restriction/></xs:simpleType></xs:schema>`, "without a base"},
	}
	for _, c := range cases {
		_, err := Load([]byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	// An unresolved simple base is listed, not fatal.
	m, err := Load([]byte(head + `<xs:simpleType name="a"><xs:restriction base="t:gone"/></xs:simpleType></xs:schema>`))
	if err != nil {
		t.Fatal(err)
	}
	if u := m.Unresolved(); len(u) != 1 || u[0].Local != "gone" {
		t.Errorf("unresolved: %v", u)
	}
}
