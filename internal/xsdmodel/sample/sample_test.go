package sample

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/internal/xsdmodel"
)

const shopNS = "urn:test:shop"

func shop(t *testing.T) (*xsdmodel.Model, *xsd.Schema) {
	t.Helper()
	path := filepath.Join("testdata", "shop.xsd")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := xsdmodel.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	s, err := xsd.CompileFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

func TestValidAndInvalid(t *testing.T) {
	t.Parallel()
	m, schema := shop(t)
	cases := []struct {
		root      string
		valid     string // canonical-ish rendering of the valid sample
		wantNote  string
		wantFound string // a word of the libxml2 finding on the invalid one
	}{
		{"order",
			`<order xmlns="urn:test:shop"><id>samplexx</id><customer>sample</customer><line><qty>5</qty><price>1.5</price></line><line><qty>5</qty><price>1.5</price></line><state>OPEN</state></order>`,
			"invalid: /order/state holds a value outside its enumeration", "state"},
		{"typed",
			`<typed xmlns="urn:test:shop"><name>sample</name><when>2024-01-31T12:00:00Z</when></typed>`,
			"invalid: /typed/when holds a value that is not an xs:dateTime", "when"},
		{"strings",
			`<strings xmlns="urn:test:shop"><b>sample</b></strings>`,
			"invalid: required element /strings/b removed", "strings"},
		{"chain",
			`<chain xmlns="urn:test:shop" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><id>sample</id><parent xsi:nil="true"/></chain>`,
			"invalid: required element /chain/id removed", "chain"},
		{"optional",
			`<optional xmlns="urn:test:shop"/>`,
			"invalid: undeclared element /optional/fnokitUndeclared appended", "fnokitUndeclared"},
		{"open",
			`<open xmlns="urn:test:shop"/>`,
			"invalid: /open holds text, but its content (an xs:any wildcard) is element-only", "open"},
		{"openExt",
			`<openExt xmlns="urn:test:shop"/>`,
			"invalid: /openExt holds text, but its content (an xs:any wildcard) is element-only", "openExt"},
		{"other",
			`<other xmlns="urn:test:shop"/>`,
			"invalid: undeclared element /other/fnokitUndeclared appended", "fnokitUndeclared"},
	}
	for _, c := range cases {
		root := xmltree.Name{Space: shopNS, Local: c.root}
		v, err := Valid(m, root)
		if err != nil {
			t.Errorf("%s: Valid: %v", c.root, err)
			continue
		}
		if got := string(v.Root.Bytes(xmltree.EncodeOptions{Prefixes: map[string]string{shopNS: "", nsXSI: "xsi"}})); got != c.valid {
			t.Errorf("%s valid:\n got %s\nwant %s", c.root, got, c.valid)
		}
		doc := Document(v, "test:")
		if f, err := schema.ValidatePayload(doc); err != nil || len(f) != 0 {
			t.Errorf("%s: valid sample does not validate: %v %v\n%s", c.root, f, err, doc)
		}
		inv, err := Invalid(m, root)
		if err != nil {
			t.Errorf("%s: Invalid: %v", c.root, err)
			continue
		}
		if inv.Note != c.wantNote {
			t.Errorf("%s: note %q, want %q", c.root, inv.Note, c.wantNote)
		}
		doc = Document(inv, "test:")
		if !strings.Contains(string(doc), "<!-- test: "+c.wantNote+" -->") {
			t.Errorf("%s: the invalid document does not say how it is invalid:\n%s", c.root, doc)
		}
		f, err := schema.ValidatePayload(doc)
		if err != nil {
			t.Fatal(err)
		}
		if !hasRule(f, contract.RuleXSDInvalid) || !strings.Contains(f[0].Location+f[0].Message, c.wantFound) {
			t.Errorf("%s: invalid sample: findings %v, want an %s finding about %s", c.root, f, contract.RuleXSDInvalid, c.wantFound)
		}
	}
}

func hasRule(fs contract.Findings, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

func TestGeneratorErrors(t *testing.T) {
	t.Parallel()
	m, _ := shop(t)
	if _, err := Valid(m, xmltree.Name{Space: shopNS, Local: "loop"}); err == nil || !strings.Contains(err.Error(), "deeper") {
		t.Errorf("a required recursive chain: %v", err)
	}
	if _, err := Invalid(m, xmltree.Name{Space: shopNS, Local: "nope"}); err == nil {
		t.Error("an undeclared root must fail")
	}
	pm, err := xsdmodel.Load([]byte(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:p">
		<xs:element name="p"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="[0-9]{3}"/></xs:restriction></xs:simpleType></xs:element></xs:schema>`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Valid(pm, xmltree.Name{Space: "urn:p", Local: "p"}); err == nil || !strings.Contains(err.Error(), "pattern") {
		t.Errorf("an unsatisfiable pattern must be reported: %v", err)
	}
	mm, err := xsdmodel.Load([]byte(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:p">
		<xs:element name="m"><xs:complexType mixed="true"><xs:sequence><xs:any processContents="lax" minOccurs="0"/></xs:sequence></xs:complexType></xs:element></xs:schema>`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Invalid(mm, xmltree.Name{Space: "urn:p", Local: "m"}); err == nil || !strings.Contains(err.Error(), "no place to break") {
		t.Errorf("mixed content with a wildcard has no invalid instance: %v", err)
	}
}
