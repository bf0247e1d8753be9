package wsdl

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/sharedref"
	"github.com/fnokit/fnokit/internal/xmltree"
)

func TestParseOwnWSDL(t *testing.T) {
	t.Parallel()
	d, err := ParseFile("testdata/two-schemas.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	if d.TargetNamespace != "urn:test.fnokit/orders" {
		t.Errorf("targetNamespace %q", d.TargetNamespace)
	}
	if len(d.Schemas) != 2 {
		t.Fatalf("%d schemas, want 2", len(d.Schemas))
	}
	common := string(d.Schemas[0].Source)
	// The schema uses xsd: and cmn: declared only on wsdl:definitions.
	for _, want := range []string{`xmlns:xsd="http://www.w3.org/2001/XMLSchema"`, `xmlns:cmn="urn:test.fnokit/common"`, `xmlns:tns="urn:test.fnokit/orders"`} {
		if !strings.Contains(common, want) {
			t.Errorf("standalone schema lacks %s", want)
		}
	}
	// Its own default namespace declaration must not be duplicated.
	if n := strings.Count(common, `xmlns="http://www.w3.org/2001/XMLSchema"`); n != 1 {
		t.Errorf("default namespace declared %d times", n)
	}
	// Each standalone schema is well-formed XML rooted at xs:schema.
	for i, s := range d.Schemas {
		n, err := xmltree.ParseBytes(s.Source, xmltree.Limits{})
		if err != nil {
			t.Fatalf("schema %d not well-formed: %v", i, err)
		}
		if n.Name != (xmltree.Name{Space: NSXSD, Local: "schema"}) {
			t.Errorf("schema %d root %v", i, n.Name)
		}
	}
	if d.Schemas[1].TargetNamespace != "urn:test.fnokit/orders" {
		t.Errorf("second schema tns %q", d.Schemas[1].TargetNamespace)
	}
	op, ok := d.Operation("getOrderCount")
	if !ok {
		t.Fatal("operation getOrderCount missing")
	}
	want := Operation{
		Name: "getOrderCount", SOAPAction: "urn:getOrderCount",
		Input:  xmltree.Name{Space: "urn:test.fnokit/orders", Local: "getOrderCountRequest"},
		Output: xmltree.Name{Space: "urn:test.fnokit/orders", Local: "getOrderCountResponse"},
	}
	if op != want {
		t.Errorf("operation %+v, want %+v", op, want)
	}
	if len(d.Services) != 1 || d.Services[0].Ports[0].Address != "http://localhost/flexnet/services/OrderService" {
		t.Errorf("services %+v", d.Services)
	}
}

func TestParseRefusesBadInput(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"dtd":       `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">&x;</wsdl:definitions>`,
		"not wsdl":  `<schema xmlns="http://www.w3.org/2001/XMLSchema"/>`,
		"malformed": `<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"><wsdl:types>`,
		"empty":     ``,
		"deep":      `<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">` + strings.Repeat("<a>", 5000) + strings.Repeat("</a>", 5000) + `</wsdl:definitions>`,
	}
	for name, doc := range cases {
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "passwd") {
			t.Errorf("%s: error echoes input: %v", name, err)
		}
	}
	if IsWSDL([]byte(cases["not wsdl"])) {
		t.Error("an XSD was taken for a WSDL")
	}
}

// Every vendor WSDL parses, its schemas stand alone, and every operation's
// messages resolve to elements declared by one of its schemas.
func TestReferenceWSDLs(t *testing.T) {
	t.Parallel()
	for _, path := range sharedref.WSDLs(t) {
		name := filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !IsWSDL(data) {
			t.Errorf("%s: not recognised as WSDL", name)
		}
		d, err := Parse(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		declared := map[xmltree.Name]bool{}
		for _, s := range d.Schemas {
			n, err := xmltree.ParseBytes(s.Source, xmltree.Limits{})
			if err != nil {
				t.Errorf("%s: standalone schema not well-formed: %v", name, err)
				continue
			}
			for _, el := range n.ChildrenNamed("element") {
				v, _ := el.Attr("name")
				declared[xmltree.Name{Space: s.TargetNamespace, Local: v}] = true
			}
			// Prefixes used in type="p:x" must be declared on the standalone root.
			checkPrefixes(t, name, s.Source)
		}
		for _, op := range d.Operations {
			if !declared[op.Input] || !declared[op.Output] {
				t.Errorf("%s: operation %s messages %v/%v not declared", name, op.Name, op.Input, op.Output)
			}
		}
		if len(d.Schemas) > 0 && len(d.Operations) == 0 {
			t.Errorf("%s: schemas but no operations", name)
		}
	}
}

func checkPrefixes(t *testing.T, name string, src []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(src))
	declared := map[string]bool{}
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		for _, a := range se.Attr {
			if a.Name.Space == "xmlns" {
				declared[a.Name.Local] = true
			}
		}
		for _, a := range se.Attr {
			if a.Name.Local != "type" && a.Name.Local != "base" && a.Name.Local != "ref" {
				continue
			}
			if p, _, ok := strings.Cut(a.Value, ":"); ok && !declared[p] {
				t.Errorf("%s: prefix %q used but not declared in the standalone schema", name, p)
				return
			}
		}
	}
}
