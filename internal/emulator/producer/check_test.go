package producer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/ops/opstest"
	"github.com/fnokit/fnokit/internal/emulator/project"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/schemas"
)

// compile returns the libxml2 schema of a generator's WSDL.
func compile(t testing.TB, service string) *xsd.Schema {
	t.Helper()
	data, err := schemas.WSDL(service, "base")
	if err != nil {
		t.Fatal(err)
	}
	s, err := xsd.CompileWSDLBytes(service+".wsdl", data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// conform is the emulator's stand-in for libxml2: on every sample of the
// two contracts (valid and invalid, requests and responses) it must say
// what libxml2 says.
func TestConformAgreesWithXSD(t *testing.T) {
	t.Parallel()
	root := opstest.RepoRoot(t)
	checked := 0
	for _, service := range []string{IDGenerator, LicenseGenerator} {
		schema := compile(t, service)
		p, err := project.For(service, contract.Base)
		if err != nil {
			t.Fatal(err)
		}
		for _, dir := range []string{"valid", "invalid"} {
			files, err := filepath.Glob(filepath.Join(root, "schemas", "soap", service, "testdata", dir, "*.xml"))
			if err != nil || len(files) == 0 {
				t.Fatalf("%s %s: no samples (%v)", service, dir, err)
			}
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				findings, err := schema.ValidatePayload(data)
				if err != nil {
					t.Fatal(err)
				}
				if xsdValid := len(findings) == 0; xsdValid != (dir == "valid") {
					t.Fatalf("%s: libxml2 says valid=%v, the folder says %s", f, xsdValid, dir)
				}
				n, err := xmltree.Parse(strings.NewReader(string(data)), xmltree.Limits{})
				if err != nil {
					t.Fatal(err)
				}
				d, ok := p.Model().Element(n.Name.Space, n.Name.Local)
				if !ok {
					t.Fatalf("%s: root %s is not a global element", f, n.Name.Local)
				}
				why := conform(p.Model(), d, n)
				if (why == "") != (dir == "valid") {
					t.Errorf("%s: conform says %q, libxml2 says %v", filepath.Base(f), why, findings)
				}
				checked++
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d samples checked", checked)
	}
}

// Departures conform must catch that the samples do not show.
func TestConformRefuses(t *testing.T) {
	t.Parallel()
	p, err := project.For(LicenseGenerator, contract.Base)
	if err != nil {
		t.Fatal(err)
	}
	schema := compile(t, LicenseGenerator)
	const ns = `xmlns="urn:com.flexnet.external.type" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`
	for name, doc := range map[string]string{
		"nil not nillable":   `<GeneratorResponse ` + ns + `><binaryLicense xsi:nil="true"/><complete xsi:nil="true"/><licenseFileName/><licenseText/><message/></GeneratorResponse>`,
		"nil with content":   `<GeneratorResponse ` + ns + `><binaryLicense xsi:nil="true">AA==</binaryLicense><complete>true</complete><licenseFileName/><licenseText/><message/></GeneratorResponse>`,
		"extra element":      `<GeneratorResponse ` + ns + `><binaryLicense/><complete>true</complete><licenseFileName/><licenseText/><message/><extra/></GeneratorResponse>`,
		"repeated single":    `<GeneratorResponse ` + ns + `><binaryLicense/><complete>true</complete><complete>true</complete><licenseFileName/><licenseText/><message/></GeneratorResponse>`,
		"text in complex":    `<GeneratorResponse ` + ns + `>oops<binaryLicense/><complete>true</complete><licenseFileName/><licenseText/><message/></GeneratorResponse>`,
		"child in simple":    `<GeneratorResponse ` + ns + `><binaryLicense/><complete>true</complete><licenseFileName><x/></licenseFileName><licenseText/><message/></GeneratorResponse>`,
		"wrong namespace":    `<GeneratorResponse ` + ns + `><binaryLicense/><complete xmlns="urn:other">true</complete><licenseFileName/><licenseText/><message/></GeneratorResponse>`,
		"int out of range":   `<Status ` + ns + `><code>99999999999</code><message/></Status>`,
		"bad nil attribute":  `<Status ` + ns + `><code>0</code><message xsi:nil="maybe"/></Status>`,
		"missing last":       `<Status ` + ns + `><code>0</code></Status>`,
		"host id with child": `<HostIdResponse ` + ns + `><x/></HostIdResponse>`,
	} {
		findings, err := schema.ValidatePayload([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if len(findings) == 0 {
			t.Fatalf("%s: libxml2 accepts it; the case is wrong", name)
		}
		n, err := xmltree.Parse(strings.NewReader(doc), xmltree.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		d, _ := p.Model().Element(n.Name.Space, n.Name.Local)
		why := conform(p.Model(), d, n)
		if why == "" {
			t.Errorf("%s: conform accepts what libxml2 refuses (%v)", name, findings)
		}
		if strings.Contains(why, "99999999999") || strings.Contains(why, "maybe") || strings.Contains(why, "oops") {
			t.Errorf("%s: the reason quotes a value: %s", name, why)
		}
	}
}
