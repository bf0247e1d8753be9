package xsd

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/sharedref"
	"github.com/fnokit/fnokit/internal/wsdl"
)

func TestCompileFails(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file string
		want []string // substrings of the error
	}{
		{"testdata/remote-import.xsd", []string{"testdata/remote-import.xsd", "refused to read http://127.0.0.1:9/remote.xsd", "hint:", "local files"}},
		{"testdata/sub/escape.xsd", []string{"testdata/sub/escape.xsd", "refused to read", "devices/common.xsd"}},
		{"testdata/dtd.xsd", []string{"testdata/dtd.xsd", "DOCTYPE", "hint: remove the DOCTYPE"}},
		{"testdata/broken.xsd", []string{"testdata/broken.xsd:6:", "Missing", "does not resolve", "hint: fix the schema"}},
		{"testdata/does-not-exist.xsd", []string{"does-not-exist.xsd", "check the path"}},
		{"testdata/devices/../../doc.go", []string{"doc.go", "hint:"}},
	}
	for _, c := range cases {
		s, err := CompileFile(c.file)
		if err == nil {
			s.Close()
			t.Errorf("%s compiled, want an error", c.file)
			continue
		}
		msg := err.Error()
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: error %q does not mention %q", c.file, msg, w)
			}
		}
		// Name what to fix; do not dump the file.
		if strings.Contains(msg, "<xs:") || strings.Contains(msg, "<!ENTITY") || len(msg) > 2000 {
			t.Errorf("%s: error dumps the file: %q", c.file, msg)
		}
	}
}

func TestCompileErrorIsTyped(t *testing.T) {
	t.Parallel()
	_, err := CompileFile("testdata/broken.xsd")
	var ce *CompileError
	if !errors.As(err, &ce) || ce.File != "testdata/broken.xsd" || len(ce.Problems) == 0 || ce.Hint == "" {
		t.Fatalf("want a *CompileError naming the file with problems and a hint, got %#v", err)
	}
}

// A file outside the schema's directory becomes readable when allowed.
func TestCompileAllowedDir(t *testing.T) {
	t.Parallel()
	s := mustCompile(t, "testdata/sub/escape.xsd", WithAllowedDir("testdata/devices"))
	doc := `<e:thing xmlns:e="urn:fnokit:test:escape" xmlns:c="urn:fnokit:test:common"><c:status>SUCCESS</c:status></e:thing>`
	fs, err := s.ValidatePayload([]byte(doc))
	if err != nil || len(fs) != 0 {
		t.Fatalf("valid doc: findings %v, err %v", fs, err)
	}
}

// Inline WSDL schemas that import each other by namespace only, with
// prefixes declared on wsdl:definitions, compile and validate.
func TestCompileWSDLInlineSchemas(t *testing.T) {
	t.Parallel()
	s := mustCompile(t, "testdata/two-schemas.wsdl")
	ok := `<m:getDeviceResponse xmlns:m="urn:fnokit:test:wsdl:messages" xmlns:t="urn:fnokit:test:wsdl:types">
  <m:statusInfo><m:status>SUCCESS</m:status></m:statusInfo>
  <m:device><t:deviceId>A</t:deviceId><m:note>n</m:note></m:device>
  <m:device><t:deviceId>B</t:deviceId></m:device>
</m:getDeviceResponse>`
	bad := strings.Replace(ok, "<t:deviceId>B</t:deviceId>", "<t:nope/>", 1)
	cases := []struct {
		name string
		doc  string
		want []string
	}{
		{"valid", ok, nil},
		{"invalid", bad, []string{contract.RuleXSDInvalid + "@/getDeviceResponse/device[2]/nope"}},
		{"request", `<m:getDeviceRequest xmlns:m="urn:fnokit:test:wsdl:messages"><m:deviceId>x</m:deviceId></m:getDeviceRequest>`, nil},
		{"unknown", `<t:DeviceType xmlns:t="urn:fnokit:test:wsdl:types"/>`, []string{contract.RuleXSDUnknownElement + "@/DeviceType"}},
	}
	for _, c := range cases {
		fs, err := s.ValidatePayload([]byte(c.doc))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := ruleLocs(fs); !equalStrings(got, c.want) {
			t.Errorf("%s: findings %v, want %v (%v)", c.name, got, c.want, fs)
		}
	}
}

// Several inline schemas may share a namespace; libxml2 would skip the
// second import of a namespace, so they are included through a wrapper.
func TestCompileWSDLSharedNamespace(t *testing.T) {
	t.Parallel()
	defs := &wsdl.Definitions{Schemas: []wsdl.Schema{
		{TargetNamespace: "urn:x", Source: []byte(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x"><xs:element name="a" type="xs:int"/></xs:schema>`)},
		{TargetNamespace: "urn:x", Source: []byte(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x"><xs:element name="b" type="xs:int"/></xs:schema>`)},
		{TargetNamespace: "", Source: []byte(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="c" type="xs:int"/></xs:schema>`)},
	}}
	s, err := CompileDefinitions("inline", "", defs)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, doc := range []string{`<a xmlns="urn:x">1</a>`, `<b xmlns="urn:x">2</b>`, `<c>3</c>`} {
		fs, err := s.ValidatePayload([]byte(doc))
		if err != nil || len(fs) != 0 {
			t.Errorf("%s: findings %v, err %v", doc, fs, err)
		}
	}
	fs, _ := s.ValidatePayload([]byte(`<b xmlns="urn:x">two</b>`))
	if got := ruleLocs(fs); !equalStrings(got, []string{contract.RuleXSDInvalid + "@/b"}) {
		t.Errorf("invalid b: %v", fs)
	}
}

// A broken inline schema is reported at its line in the WSDL.
func TestCompileWSDLErrorLine(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/two-schemas.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), `type="typ:DeviceType"`, `type="typ:NoSuchType"`, 1)
	_, err = CompileWSDLBytes("two.wsdl", []byte(broken))
	if err == nil {
		t.Fatal("compiled a WSDL referring to an undeclared type")
	}
	line := 0
	for i, l := range strings.Split(broken, "\n") {
		if strings.Contains(l, "typ:NoSuchType") {
			line = i + 1
		}
	}
	want := "two.wsdl:" + strconv.Itoa(line) + ":"
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "NoSuchType") {
		t.Errorf("error %q does not point at %s", err, want)
	}
	if strings.Contains(err.Error(), os.TempDir()) {
		t.Errorf("error leaks the temporary directory: %q", err)
	}
}

// A WSDL without types compiles to an empty schema set that declares no
// element at all.
func TestCompileWSDLWithoutTypes(t *testing.T) {
	t.Parallel()
	s := mustCompile(t, "testdata/no-types.wsdl")
	fs, err := s.Validate([]byte(envelope("soapenv", `<x:anything xmlns:x="urn:x"/>`)))
	if err != nil {
		t.Fatal(err)
	}
	if got := ruleLocs(fs); !equalStrings(got, []string{contract.RuleXSDUnknownElement + "@/anything"}) {
		t.Errorf("findings %v", fs)
	}
}

// The temporary schema files are gone after compile. Not parallel: it
// points TMPDIR at a directory of its own.
func TestCompileRemovesTemporaryFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s, err := CompileFile("testdata/two-schemas.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := CompileWSDLBytes("bad", []byte(`<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"><wsdl:types><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="nope"/></xs:schema></wsdl:types></wsdl:definitions>`)); err == nil {
		t.Error("compiled a broken inline schema")
	}
	left, _ := os.ReadDir(tmp)
	if len(left) != 0 {
		t.Errorf("compile left %d entries in TMPDIR, first %s", len(left), left[0].Name())
	}
}

// Every vendor WSDL compiles (when ../shared is present).
func TestCompileReferenceWSDLs(t *testing.T) {
	t.Parallel()
	for _, f := range sharedref.WSDLs(t) {
		name := filepath.Base(filepath.Dir(f)) + "/" + filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := CompileFile(f)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			defs, err := wsdl.ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(defs.Schemas) == 0 {
				// No types: nothing is declared.
				fs, err := s.ValidatePayload([]byte(`<x/>`))
				if err != nil || len(fs) != 1 || fs[0].Rule != contract.RuleXSDUnknownElement {
					t.Errorf("schema-less WSDL: findings %v, err %v", fs, err)
				}
				return
			}
			// Every operation's output element is declared: an empty
			// instance is invalid for its content, never an unknown root.
			for _, op := range defs.Operations {
				if op.Output.Local == "" {
					continue
				}
				doc := `<o:` + op.Output.Local + ` xmlns:o="` + op.Output.Space + `"/>`
				fs, err := s.ValidatePayload([]byte(doc))
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range fs {
					if f.Rule == contract.RuleXSDUnknownElement {
						t.Errorf("%s: output element %s not declared", op.Name, op.Output)
					}
				}
			}
		})
	}
}
