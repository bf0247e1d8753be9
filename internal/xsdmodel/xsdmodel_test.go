package xsdmodel

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/sharedref"
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xmltree"
)

func load(t testing.TB, files ...string) *Model {
	t.Helper()
	var docs [][]byte
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, b)
	}
	m, err := Load(docs...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return m
}

// describe renders a declaration list compactly so a table can state the
// whole expected shape: name{ns}[min,max] with s for simple, c for choice,
// w for wildcard, o for open content.
func describe(ds []*Decl) string {
	var parts []string
	for _, d := range ds {
		max := fmt.Sprint(d.MaxOccurs)
		if d.MaxOccurs == Unbounded {
			max = "*"
		}
		s := fmt.Sprintf("%s{%s}[%d,%s]", d.Name.Local, d.Name.Space, d.MinOccurs, max)
		if d.Simple {
			s += "s"
		}
		if d.InChoice {
			s += "c"
		}
		if d.Wildcard {
			s += "w"
		}
		if d.Open() {
			s += "o"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestOrderOfOwnSchema(t *testing.T) {
	t.Parallel()
	m := load(t, "orders.xsd", "common.xsd")
	if u := m.Unresolved(); len(u) != 0 {
		t.Fatalf("unresolved types: %v", u)
	}
	order, ok := m.Element("urn:test:orders", "order")
	if !ok {
		t.Fatal("global element order not found")
	}
	const O = "urn:test:orders"
	cases := []struct {
		name string
		decl func() (*Decl, error)
		want string
	}{
		{"order", func() (*Decl, error) { return order, nil },
			"ref{" + O + "}[0,1]s state{" + O + "}[1,1]s customer{" + O + "}[0,1]sc account{" + O + "}[0,1]sc " +
				"item{" + O + "}[1,*] createdBy{" + O + "}[0,1]s createdAt{" + O + "}[0,1]s x{" + O + "}[1,1]s y{" + O + "}[1,1]s " +
				"category{" + O + "}[0,1] local{}[1,1] extra{" + O + "}[0,1]o *{##other}[0,*]w"},
		{"item: base first, then extension; money is simpleContent; note from another schema", func() (*Decl, error) { return child(m, order, "item") },
			"id{" + O + "}[1,1]s qty{" + O + "}[0,1]s price{" + O + "}[1,1]s note{" + O + "}[0,3]"},
		{"note: unqualified locals of a schema without elementFormDefault", func() (*Decl, error) {
			it, err := child(m, order, "item")
			if err != nil {
				return nil, err
			}
			return child(m, it, "note")
		}, "text{}[1,1]s author{}[0,1]s"},
		{"recursive type resolves one level at a time", func() (*Decl, error) {
			c, err := child(m, order, "category")
			if err != nil {
				return nil, err
			}
			return child(m, c, "category")
		}, "name{" + O + "}[1,1]s category{" + O + "}[0,*]"},
		{"anonymous type of an unqualified local", func() (*Decl, error) { return child(m, order, "local") },
			"inner{" + O + "}[1,1]s"},
	}
	for _, c := range cases {
		d, err := c.decl()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		kids, err := m.ChildrenOf(d)
		if err != nil {
			t.Errorf("%s: ChildrenOf: %v", c.name, err)
			continue
		}
		if got := describe(kids); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
	if kids, _ := m.TypeChildren(O, "item"); len(kids) != 4 || kids[0].Name.Local != "id" {
		t.Errorf("TypeChildren(item) = %s", describe(kids))
	}
	if _, err := m.TypeChildren(O, "nope"); err == nil {
		t.Error("TypeChildren of an unknown type must fail")
	}
	ref, _ := m.Element(O, "ref")
	if kids, err := m.ChildrenOf(ref); err != nil || kids != nil || !ref.Simple {
		t.Errorf("a simple global element has no children: %v %v", kids, err)
	}
}

// child finds a child declaration by local name.
func child(m *Model, d *Decl, local string) (*Decl, error) {
	kids, err := m.ChildrenOf(d)
	if err != nil {
		return nil, err
	}
	for _, k := range kids {
		if k.Name.Local == local {
			return k, nil
		}
	}
	return nil, fmt.Errorf("%s has no child %s", d.Name.Local, local)
}

func TestUnresolvedTypeIsReportedNotFatal(t *testing.T) {
	t.Parallel()
	m, err := Load([]byte(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t">
		<xs:element name="a" type="t:missing"/></xs:schema>`))
	if err != nil {
		t.Fatal(err)
	}
	if u := m.Unresolved(); len(u) != 1 || u[0] != (xmltree.Name{Space: "urn:t", Local: "missing"}) {
		t.Errorf("Unresolved = %v", u)
	}
	a, _ := m.Element("urn:t", "a")
	if _, err := m.ChildrenOf(a); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("ChildrenOf an unresolved type: %v", err)
	}
}

func TestLoadRefusesBadSchemas(t *testing.T) {
	t.Parallel()
	const head = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t">`
	cases := []struct{ name, doc, want string }{
		{"not xml", `<xs:schema`, "well-formed"},
		{"mismatched tags", head + `<xs:element name="a"></xs:elemnt></xs:schema>`, "end tag"},
		{"not a schema", `<definitions/>`, "want xs:schema"},
		{"dtd", `<!DOCTYPE x [<!ENTITY e "x">]>` + head + `</xs:schema>`, "DTD"},
		{"self extension", head + `<xs:complexType name="a"><xs:complexContent><xs:extension base="t:a"/></xs:complexContent></xs:complexType></xs:schema>`, "derives from itself"},
		{"mutual extension", head + `<xs:complexType name="a"><xs:complexContent><xs:extension base="t:b"/></xs:complexContent></xs:complexType>` +
			`<xs:complexType name="b"><xs:complexContent><xs:extension base="t:a"/></xs:complexContent></xs:complexType></xs:schema>`, "derives from itself"},
		{"group loop", head + `<xs:group name="g"><xs:sequence><xs:group ref="t:g"/></xs:sequence></xs:group>` +
			`<xs:complexType name="a"><xs:group ref="t:g"/></xs:complexType></xs:schema>`, "nest deeper"},
		{"undeclared prefix", head + `<xs:element name="a" type="zz:x"/></xs:schema>`, `prefix "zz"`},
		{"unknown element ref", head + `<xs:complexType name="a"><xs:sequence><xs:element ref="t:nope"/></xs:sequence></xs:complexType></xs:schema>`, "names no global element"},
		{"bad maxOccurs", head + `<xs:complexType name="a"><xs:sequence><xs:element name="x" maxOccurs="lots"/></xs:sequence></xs:complexType></xs:schema>`, "maxOccurs"},
		{"too deep", strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300), "deeper than"},
	}
	for _, c := range cases {
		_, err := Load([]byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

// TestReferenceWSDLs loads the inline schemas of every vendor WSDL and walks
// every global element's declaration tree, proving every reference resolves.
func TestReferenceWSDLs(t *testing.T) {
	t.Parallel()
	for _, path := range sharedref.WSDLs(t) {
		name := filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
		defs, err := wsdl.ParseFile(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		m, err := LoadWSDL(defs)
		if err != nil {
			t.Errorf("%s: Load: %v", name, err)
			continue
		}
		if u := m.Unresolved(); len(u) != 0 {
			t.Errorf("%s: unresolved types %v", name, u)
		}
		n := 0
		for _, el := range m.Elements() {
			d, _ := m.Element(el.Space, el.Local)
			n += walkAll(t, m, d, 0, map[*ComplexType]bool{})
		}
		if n == 0 && len(defs.Schemas) > 0 {
			t.Errorf("%s: no declarations walked", name)
		}
		// Every operation's input and output element must be declared.
		for _, op := range defs.Operations {
			for _, el := range []xmltree.Name{op.Input, op.Output} {
				if el.Local == "" {
					continue
				}
				if _, ok := m.Element(el.Space, el.Local); !ok {
					t.Errorf("%s: %s: element %s not in the model", name, op.Name, el)
				}
			}
		}
	}
}

func walkAll(t *testing.T, m *Model, d *Decl, depth int, seen map[*ComplexType]bool) int {
	if d.content != nil {
		if seen[d.content] {
			return 0
		}
		seen[d.content] = true
	}
	kids, err := m.ChildrenOf(d)
	if err != nil {
		t.Errorf("%s: %v", d.Name, err)
		return 0
	}
	n := 1
	for _, k := range kids {
		if k.Name.Local == "" {
			t.Errorf("%s: child without a name", d.Name)
		}
		if !k.Wildcard && k.Name.Space == "" {
			t.Errorf("%s/%s: FNO schemas are qualified, got no namespace", d.Name.Local, k.Name.Local)
		}
		n += walkAll(t, m, k, depth+1, seen)
	}
	return n
}

func TestSearchDevicesV3Order(t *testing.T) {
	t.Parallel()
	defs, err := wsdl.ParseFile(sharedref.WSDL(t, "v3", "ManageDeviceService"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := LoadWSDL(defs)
	if err != nil {
		t.Fatal(err)
	}
	const ns = "urn:v3.fne.webservices.operations.flexnet.com"
	req, ok := m.Element(ns, "searchDevicesRequest")
	if !ok {
		t.Fatal("searchDevicesRequest not declared")
	}
	kids, err := m.ChildrenOf(req)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range kids {
		names = append(names, k.Name.Local)
	}
	if got := strings.Join(names, ","); got != "queryParams,responseConfig,sortBys,pageNumber,batchSize" {
		t.Errorf("searchDevicesRequest children: %s", got)
	}
	sb, err := child(m, req, "sortBys")
	if err != nil {
		t.Fatal(err)
	}
	by, err := child(m, sb, "sortBy")
	if err != nil || !by.Repeated() || by.Simple {
		t.Errorf("sortBys/sortBy should be a repeated complex element: %+v %v", by, err)
	}
}

func BenchmarkLoadManageDeviceV3(b *testing.B) {
	defs, err := wsdl.ParseFile(sharedref.WSDL(b, "v3", "ManageDeviceService"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := LoadWSDL(defs); err != nil {
			b.Fatal(err)
		}
	}
}
