package contractgen

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/internal/xsdmodel"
)

var update = flag.Bool("update", false, "rewrite the golden WSDLs in testdata/ok")

const okDir = "testdata/ok"

// TestGolden regenerates the testdata contracts and compares with the
// committed WSDLs, which are reviewed by reading them.
func TestGolden(t *testing.T) {
	changes, err := Plan(okDir)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := Apply(changes); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, ch := range changes {
		t.Errorf("%s is %s: run go test ./internal/contractgen -run TestGolden -update and review the diff", ch.Path, ch.Action)
	}
}

func mustParse(t *testing.T, path string) *Contract {
	t.Helper()
	c, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGeneratedCompileAndResolve: every version of every testdata contract
// compiles with libxml2 and every operation's messages name global elements
// of the schema.
func TestGeneratedCompileAndResolve(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join(okDir, "*", SourceName))
	if len(files) < 2 {
		t.Fatalf("want the testdata contracts, found %v", files)
	}
	for _, f := range files {
		c := mustParse(t, f)
		for _, v := range c.Versions {
			t.Run(c.Service+"/"+v.String(), func(t *testing.T) {
				t.Parallel()
				data, err := c.WSDL(v)
				if err != nil {
					t.Fatal(err)
				}
				CheckWSDL(t, data, c, v)
			})
		}
	}
}

// CheckWSDL compiles a generated WSDL and checks its operations resolve;
// the schemas package runs the same checks over the repository's files.
func CheckWSDL(t *testing.T, data []byte, c *Contract, v contract.Version) {
	t.Helper()
	s, err := xsd.CompileWSDLBytes(c.Service+".wsdl", data)
	if err != nil {
		t.Fatalf("libxml2 does not compile it: %v", err)
	}
	s.Close()
	defs, err := wsdl.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if defs.TargetNamespace != c.TargetNamespace(v) {
		t.Errorf("targetNamespace %s, want %s", defs.TargetNamespace, c.TargetNamespace(v))
	}
	model, err := xsdmodel.LoadWSDL(defs)
	if err != nil {
		t.Fatal(err)
	}
	if u := model.Unresolved(); len(u) > 0 {
		t.Errorf("unresolved types %v", u)
	}
	i := c.VersionIndex(v)
	var want []string
	for _, op := range c.Operations {
		if op.Span.Has(i) {
			want = append(want, op.Name)
		}
	}
	var got []string
	for _, op := range defs.Operations {
		got = append(got, op.Name)
		if op.SOAPAction != "" {
			t.Errorf("%s: soapAction %q, FNO uses empty", op.Name, op.SOAPAction)
		}
		for _, el := range [][2]string{{op.Input.Space, op.Input.Local}, {op.Output.Space, op.Output.Local}} {
			if el[1] == "" {
				t.Errorf("%s: a message has no element part", op.Name)
				continue
			}
			if _, ok := model.Element(el[0], el[1]); !ok {
				t.Errorf("%s: message element {%s}%s is not declared", op.Name, el[0], el[1])
			}
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("operations %v, want %v", got, want)
	}
	if len(defs.Services) != 1 || len(defs.Services[0].Ports) != 1 {
		t.Fatalf("want one service with one port, got %+v", defs.Services)
	}
	n := c.Names(v)
	port := defs.Services[0].Ports[0]
	if defs.Services[0].Name != n.Service || port.Name != n.Port || port.Binding != n.Binding || port.Address != n.Address {
		t.Errorf("service %s port %+v, want %+v", defs.Services[0].Name, port, n)
	}
}

// TestVersionContent checks what since/until put into each version.
func TestVersionContent(t *testing.T) {
	t.Parallel()
	c := mustParse(t, filepath.Join(okDir, "DemoService", SourceName))
	cases := []struct {
		version    contract.Version
		has, lacks []string
	}{
		{contract.Base, []string{`value="LEGACY"`, `name="organization"`, `name="getDevice"`},
			[]string{`value="SERVED_CLIENT"`, `name="owner"`, `name="accountId"`, `countDevices`, `UnusedType`, `unusedElement`}},
		{"v1", []string{`value="SERVED_CLIENT"`, `name="owner"`, "<!-- v1 only: renamed accountId in v2 -->"},
			[]string{`value="LEGACY"`, `name="accountId"`, `countDevices`, "pattern value=\"[A-Za-z0-9_\\-]+\"x"}},
		{"v2", []string{`name="accountId"`, `name="organization"`, `<wsdl:operation name="countDevices" parameterOrder="countDevicesRequest">`,
			`<xsd:sequence/>`, `<xsd:minInclusive value="0"/>`, "<!-- since v2: how many devices match -->", "* v2    countDevices operation"},
			[]string{`name="owner"`, "* v1"}},
		{"v3", []string{`name="accountId"`, "* v3    organization dropped", "  v2    countDevices operation"},
			[]string{`name="organization"`}},
	}
	for _, tc := range cases {
		t.Run(tc.version.String(), func(t *testing.T) {
			t.Parallel()
			data, err := c.WSDL(tc.version)
			if err != nil {
				t.Fatal(err)
			}
			s := string(data)
			for _, h := range tc.has {
				if !strings.Contains(s, h) {
					t.Errorf("missing %s", h)
				}
			}
			for _, l := range tc.lacks {
				if strings.Contains(s, l) {
					t.Errorf("should not contain %s", l)
				}
			}
			if !IsGenerated(data) {
				t.Error("no generated marker in the header")
			}
		})
	}
	if _, err := c.WSDL("v9"); err == nil {
		t.Error("WSDL of an unlisted version should fail")
	}
}

func TestUnused(t *testing.T) {
	t.Parallel()
	c := mustParse(t, filepath.Join(okDir, "DemoService", SourceName))
	if got, want := strings.Join(c.Unused(), ", "), "simple type UnusedType, element unusedElement"; got != want {
		t.Errorf("Unused() = %q, want %q", got, want)
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	path := filepath.Join(okDir, "DemoService", SourceName)
	var first []byte
	for range 5 {
		data, err := mustParse(t, path).WSDL("v2")
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = data
		} else if !bytes.Equal(first, data) {
			t.Fatal("two runs gave different bytes")
		}
	}
}

func TestNamespaces(t *testing.T) {
	t.Parallel()
	cases := []struct {
		family, template string
		v                contract.Version
		want             string
	}{
		{FamilyOperations, "", contract.Base, contract.NSOperations},
		{FamilyOperations, "", "v8", "urn:v8.webservices.operations.flexnet.com"},
		{FamilyFNE, "", contract.Base, contract.NSEmbedded},
		{FamilyFNE, "", "v7", "urn:v7.fne.webservices.operations.flexnet.com"},
		{FamilyPlatform, "", contract.Base, contract.NSPlatform},
		{FamilyPlatform, "", "v1", "urn:v1.webservices.platform.flexnet.com"},
		{FamilyCustom, "urn:x:{v}", contract.Base, "urn:x:base"},
		{FamilyCustom, "urn:x:{n}", "v12", "urn:x:12"},
		{FamilyCustom, "urn:x:{n}", contract.Base, "urn:x:0"},
	}
	for _, tc := range cases {
		c := &Contract{Family: tc.family, Namespace: tc.template}
		if got := c.TargetNamespace(tc.v); got != tc.want {
			t.Errorf("%s %q %s: got %s, want %s", tc.family, tc.template, tc.v, got, tc.want)
		}
	}
}

// TestQuotedOptionalInFlowMapping: the format's own example
// {type: X?, since: v2} parses even though the YAML library trips on "?,".
func TestQuotedOptionalInFlowMapping(t *testing.T) {
	t.Parallel()
	src := `service: S
versions: [base, v2]
complexTypes:
  T:
    sequence:
      - a: {type: string?, since: v2, doc: "is it: ok?, yes"}
      - b: {type: int?}
      - c: {nillable: true, type: string?}
elements: {e: T}
operations:
  op: {input: e, output: e}
`
	c, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	seq := c.ComplexTypes[0].Sequence
	if len(seq) != 3 || seq[0].Min != 0 || seq[1].Min != 0 || seq[0].Doc != "is it: ok?, yes" {
		t.Errorf("got %+v %+v", seq[0], seq[1])
	}
}

// minimal is a valid contract that each error case breaks in one place.
const minimal = `service: S
versions: [base, v1, v2]
simpleTypes:
  K:
    values: [A, B]
complexTypes:
  T:
    sequence:
      - a: string
      - k: K?
elements:
  e: T
operations:
  op: {input: e, output: e}
`

func TestErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		src  string
		line int
		want string
	}{
		{"empty", "", 0, "empty"},
		{"not yaml", "service: [a\n", 1, "not valid YAML"},
		{"two documents", minimal + "---\nservice: X\n", 15, "more than one YAML document"},
		{"top-level typo", strings.Replace(minimal, "elements:", "element:", 1), 11, `unknown key "element" (did you mean "elements"?)`},
		{"complex type key typo", strings.Replace(minimal, "    sequence:", "    sequnce:", 1), 8, `unknown key "sequnce" (did you mean "sequence"?)`},
		{"entry key typo", strings.Replace(minimal, "- a: string", "- a: {typ: string}", 1), 9, `unknown key "typ"`},
		{"missing service", strings.Replace(minimal, "service: S\n", "", 1), 1, "service is missing"},
		{"missing versions", strings.Replace(minimal, "versions: [base, v1, v2]\n", "", 1), 1, "versions is missing"},
		{"bad version name", strings.Replace(minimal, "v1, v2", "V1, v2", 1), 2, `version "V1" is not a version name`},
		{"versions out of order", strings.Replace(minimal, "base, v1, v2", "base, v2, v1", 1), 2, "oldest first"},
		{"since not listed", strings.Replace(minimal, "- a: string", "- a: {type: string, since: v5}", 1), 9, "complex type T element a: since v5 is not one of the versions"},
		{"since after until", strings.Replace(minimal, "- a: string", "- a: {type: string, since: v2, until: v1}", 1), 9, "since v2 is after until v1"},
		{"bad since name", strings.Replace(minimal, "- a: string", "- a: {type: string, since: 2}", 1), 9, `since "2" is not a version name`},
		{"unknown type", strings.Replace(minimal, "- a: string", "- a: strng", 1), 9, `unknown type "strng" (did you mean "string"?)`},
		{"prefixed type", strings.Replace(minimal, "- a: string", "- a: xsd:string", 1), 9, "without a prefix"},
		{"bad suffix", strings.Replace(minimal, "- a: string", "- a: string!", 1), 9, "not a type name"},
		{"suffix and min", strings.Replace(minimal, "- a: string", "- a: {type: string?, min: 0}", 1), 9, "not both"},
		{"min above max", strings.Replace(minimal, "- a: string", "- a: {type: string, min: 3, max: 2}", 1), 9, "min 3 is larger than max 2"},
		{"bad max", strings.Replace(minimal, "- a: string", "- a: {type: string, max: lots}", 1), 9, "unbounded"},
		{"bad nillable", strings.Replace(minimal, "- a: string", "- a: {type: string, nillable: yes}", 1), 9, "nillable must be true or false"},
		{"bare entry", strings.Replace(minimal, "- a: string", "- a", 1), 9, "each entry is one element written - name: Type"},
		{"entry with two keys", strings.Replace(minimal, "- a: string", "- a: string\n        b: int", 1), 9, "has 2 keys"},
		{"duplicate entry", strings.Replace(minimal, "- k: K?", "- a: int", 1), 10, "element a twice in base, v1, v2"},
		{"duplicate entry overlapping", strings.Replace(minimal, "- k: K?", "- a: {type: int, since: v1}", 1), 10, "element a twice in v1, v2"},
		{"duplicate enum value", strings.Replace(minimal, "[A, B]", "[A, B, {value: A, since: v2}]", 1), 5, `value "A" twice in v2`},
		{"type missing in a version", strings.Replace(minimal, "  K:\n", "  K:\n    since: v1\n", 1), 11, "refers to type K, which does not exist in base (it exists in v1 and later)"},
		{"element missing in a version", strings.Replace(minimal, "  e: T", "  e: {type: T, since: v2}", 1), 14, "input element e does not exist in base, v1 (it exists in v2 only)"},
		{"element undefined", strings.Replace(minimal, "{input: e, output: e}", "{input: e, output: f}", 1), 14, `output element "f" is not defined`},
		{"operation missing output", strings.Replace(minimal, "{input: e, output: e}", "{input: e}", 1), 14, "output is missing"},
		{"extends a simple type", strings.Replace(minimal, "  T:\n", "  T:\n    extends: K\n", 1), 7, "which is not a complex type"},
		{"extends unknown", strings.Replace(minimal, "  T:\n", "  T:\n    extends: Base\n", 1), 7, `extends unknown type "Base"`},
		{"extends itself", strings.Replace(minimal, "  T:\n", "  U:\n    extends: T\n  T:\n    extends: U\n", 1), 9, "extends itself through T → U → T"},
		{"simple and complex share a name", strings.Replace(minimal, "  T:\n", "  K:\n    sequence: []\n  T:\n", 1), 7, "K is both a simple type"},
		{"builtin name", strings.Replace(minimal, "  K:\n", "  string:\n    base: token\n  K:\n", 1), 4, "name of an XSD builtin"},
		{"simple base not builtin", strings.Replace(minimal, "    values: [A, B]", "    base: K2\n    values: [A, B]", 1), 5, `base "K2" is not an XSD builtin`},
		{"bad facet", strings.Replace(minimal, "    values: [A, B]", "    values: [A, B]\n    maxLength: -1", 1), 6, "maxLength must be a whole number"},
		{"unknown family", strings.Replace(minimal, "service: S\n", "service: S\nfamily: fnee\n", 1), 2, `family "fnee" is unknown (did you mean "fne"?)`},
		{"namespace without custom", strings.Replace(minimal, "service: S\n", "service: S\nnamespace: urn:x\n", 1), 2, "only for family: custom"},
		{"custom without namespace", strings.Replace(minimal, "service: S\n", "service: S\nfamily: custom\n", 1), 1, "family: custom needs namespace"},
		{"custom namespace without placeholder", strings.Replace(minimal, "service: S\n", "service: S\nfamily: custom\nnamespace: urn:x\n", 1), 3, "neither {v} nor {n}"},
		{"wrong family for ManageDevice", strings.Replace(minimal, "service: S\n", "service: ManageDeviceService\n", 1), 1, "set family: fne"},
		{"bad name", strings.Replace(minimal, "  e: T", "  9e: T", 1), 12, `element name "9e" is not an XML name`},
		{"duplicate key", strings.Replace(minimal, "  e: T", "  e: T\n  e: T", 1), 13, `"e" is given twice (first at line 12)`},
		{"changes for unlisted version", strings.Replace(minimal, "simpleTypes:", "changes:\n  v4: x\nsimpleTypes:", 1), 4, "changes key v4 is not one of the versions"},
		{"not a mapping", strings.Replace(minimal, "  e: T", "  e: [T]", 1), 12, "must be a single value"},
		{"no operations", strings.Replace(minimal, "operations:\n  op: {input: e, output: e}\n", "", 1), 1, "no operations"},
		{"no-slash on base", strings.Replace(minimal, "service: S\n", "service: S\nnamesWithoutSlashSince: base\n", 1), 2, "base names have no version prefix"},
		{"merge key", strings.Replace(minimal, "  e: T", "  <<: {e: T}", 1), 12, "merge keys"},
		{"open not a boolean", strings.Replace(minimal, "  T:\n", "  T:\n    open: yes\n", 1), 8, "complex type T: open must be true or false"},
		{"open with a sequence", strings.Replace(minimal, "  T:\n", "  T:\n    doc: x\n    open: true\n", 1), 9, "complex type T is open (any elements accepted), so its sequence must be empty"},
		{"open extends a type with elements", strings.Replace(minimal, "complexTypes:\n", "complexTypes:\n  O:\n    extends: T\n    open: true\n", 1), 9, "complex type O is open but extends T, which declares elements"},
		{"extends an open type and adds elements", strings.Replace(minimal, "  T:\n", "  O:\n    open: true\n  T:\n    extends: O\n", 1), 9, "complex type T extends O, which is open (any elements accepted), and adds elements"},
		{"extends an open type through another", strings.Replace(minimal, "  T:\n", "  O:\n    open: true\n  M:\n    extends: O\n  T:\n    extends: M\n", 1), 11, "complex type T extends O, which is open"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("x/contract.yaml", []byte(tc.src))
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("want Errors, got %v", err)
			}
			for _, e := range es {
				if strings.Contains(e.Msg, tc.want) {
					if e.Line != tc.line {
						t.Errorf("line %d, want %d: %s", e.Line, tc.line, e)
					}
					if e.File != "x/contract.yaml" || !strings.HasPrefix(e.Error(), "x/contract.yaml:") {
						t.Errorf("error does not name the file: %s", e)
					}
					return
				}
			}
			t.Errorf("no error says %q; got:\n%v", tc.want, err)
		})
	}
}

// TestErrorsListEverything: one run reports every problem, in line order.
func TestErrorsListEverything(t *testing.T) {
	t.Parallel()
	src := strings.NewReplacer("- a: string", "- a: strng", "  e: T", "  e: T\n  f: Tx").Replace(minimal)
	_, err := Parse("c.yaml", []byte(src))
	var es Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("want 2 errors, got %v", err)
	}
	if es[0].Line > es[1].Line {
		t.Errorf("errors not in line order: %v", err)
	}
}

func TestParseValidMinimal(t *testing.T) {
	t.Parallel()
	c, err := Parse("c.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if c.Family != FamilyOperations || len(c.Versions) != 3 || c.Versions[0] != contract.Base {
		t.Errorf("got %+v", c)
	}
	e := c.ComplexTypes[0].Sequence[1]
	if e.Name != "k" || e.Type != "K" || e.Min != 0 || e.Max != 1 {
		t.Errorf("k: %+v", e)
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	cases := []struct {
		c    Contract
		v    contract.Version
		want Names
	}{
		{Contract{Service: "ManageDeviceService"}, contract.Base, Names{"ManageDeviceServiceInterface", "ManageDeviceServiceSoapBinding",
			"ManageDeviceService", "ManageDeviceService", "http://localhost/flexnet/services/ManageDeviceService"}},
		{Contract{Service: "ManageDeviceService"}, "v4", Names{"ManageDeviceServiceInterfaceV4", "v4/ManageDeviceServiceSoapBinding",
			"v4/ManageDeviceService", "v4/ManageDeviceService", "http://localhost/flexnet/services/v4/ManageDeviceService"}},
		{Contract{Service: "ManageDeviceService"}, "v7", Names{"ManageDeviceServiceInterfaceV7", "v7ManageDeviceServiceSoapBinding",
			"v7ManageDeviceService", "v7ManageDeviceService", "http://localhost/flexnet/services/v7/ManageDeviceService"}},
		{Contract{Service: "LicenseService"}, "v1", Names{"LicenseFulfillmentServiceInterfaceV1", "v1/LicenseServiceSoapBinding",
			"v1/LicenseService", "v1/LicenseService", "http://localhost/flexnet/services/v1/LicenseService"}},
		{Contract{Service: "LicenseService"}, "v2", Names{"LicenseFulfillmentServiceInterfaceV2", "v2LicenseServiceSoapBinding",
			"v2LicenseService", "v2LicenseService", "http://localhost/flexnet/services/v2/LicenseService"}},
		{Contract{Service: "FlexnetAuthentication"}, contract.Base, Names{"FlexnetAuthentication", "FlexnetAuthenticationSoapBinding",
			"FlexnetAuthenticationService", "FlexnetAuthentication", "http://localhost/flexnet/services/FlexnetAuthentication"}},
		{Contract{Service: "X", PortType: "P", ServiceName: "XS"}, "v3", Names{"PV3", "v3/XSoapBinding",
			"v3/XS", "v3/X", "http://localhost/flexnet/services/v3/X"}},
		{Contract{Service: "EntitlementOrderService"}, "v4", Names{"EntitlementOrderServiceInterfaceV4", "v4/EntitlementOrderServiceSoapBinding",
			"v4/EntitlementOrderService", "v4/EntitlementOrderService", "http://localhost/flexnet/services/v4/EntitlementOrderService"}},
		{Contract{Service: "EntitlementOrderService"}, "v5", Names{"EntitlementOrderServiceInterfaceV5", "v5EntitlementOrderServiceSoapBinding",
			"v5EntitlementOrderService", "v5EntitlementOrderService", "http://localhost/flexnet/services/v5/EntitlementOrderService"}},
		{Contract{Service: "UserAcctHierarchyService"}, "v4", Names{"UserAcctHierarchyServiceInterfaceV4", "v4UserAcctHierarchyServiceSoapBinding",
			"v4UserAcctHierarchyService", "v4UserAcctHierarchyService", "http://localhost/flexnet/services/v4/UserAcctHierarchyService"}},
		{Contract{Service: "X", NoSlashSince: "v2"}, "v2", Names{"XInterfaceV2", "v2XSoapBinding",
			"v2X", "v2X", "http://localhost/flexnet/services/v2/X"}},
		{Contract{Service: "ManageDeviceService", NoSlashSince: "v6"}, "v5", Names{"ManageDeviceServiceInterfaceV5", "v5/ManageDeviceServiceSoapBinding",
			"v5/ManageDeviceService", "v5/ManageDeviceService", "http://localhost/flexnet/services/v5/ManageDeviceService"}},
	}
	for _, tc := range cases {
		if got := tc.c.Names(tc.v); got != tc.want {
			t.Errorf("%s %s:\n got %+v\nwant %+v", tc.c.Service, tc.v, got, tc.want)
		}
	}
}

// TestPlanAndApply: create, check clean, update, and removal of stale
// generated files that leaves hand-written files alone.
func TestPlanAndApply(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plan := func() []FileChange {
		t.Helper()
		ch, err := Plan(dir)
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	actions := func(ch []FileChange) string {
		var s []string
		for _, c := range ch {
			rel, _ := filepath.Rel(dir, c.Path)
			s = append(s, c.Action.String()+" "+filepath.ToSlash(rel))
		}
		return strings.Join(s, "; ")
	}
	write("S/contract.yaml", minimal)
	write("S/v1/handwritten.wsdl", "<!-- written by hand -->")
	if got, want := actions(plan()), "new S/base/S.wsdl; new S/v1/S.wsdl; new S/v2/S.wsdl"; got != want {
		t.Fatalf("plan %q, want %q", got, want)
	}
	if err := Apply(plan()); err != nil {
		t.Fatal(err)
	}
	if got := plan(); len(got) != 0 {
		t.Fatalf("after apply, plan is %s", actions(got))
	}
	v2, _ := os.ReadFile(filepath.Join(dir, "S/v2/S.wsdl"))
	write("S/v2/S.wsdl", string(v2)+"<!-- edited -->")
	if got, want := actions(plan()), "out of date S/v2/S.wsdl"; got != want {
		t.Fatalf("plan %q, want %q", got, want)
	}
	write("S/contract.yaml", strings.Replace(minimal, "[base, v1, v2]", "[base]", 1))
	if err := Apply(plan()); err != nil {
		t.Fatal(err)
	}
	if got := plan(); len(got) != 0 {
		t.Fatalf("after apply, plan is %s", actions(got))
	}
	for rel, want := range map[string]bool{"S/base/S.wsdl": true, "S/v1/S.wsdl": false, "S/v1/handwritten.wsdl": true, "S/v2": false} {
		if _, err := os.Stat(filepath.Join(dir, rel)); (err == nil) != want {
			t.Errorf("%s exists=%v, want %v", rel, err == nil, want)
		}
	}
}

func TestPlanErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := Plan(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing folder should be an error")
	}
	for _, f := range []struct{ rel, src string }{
		{"Other/contract.yaml", minimal},
		{"Bad/contract.yaml", "service: Bad\n"},
	} {
		p := filepath.Join(dir, f.rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(f.src), 0o644)
	}
	_, err := Plan(dir)
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("want Errors, got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"Bad/contract.yaml:1: versions is missing", "service S does not match its folder Other"} {
		if !strings.Contains(msg, want) {
			t.Errorf("errors lack %q:\n%s", want, msg)
		}
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	got := wrap("one two\nthree four five\n\n- item one two three\n- b", 10)
	want := []string{"one two", "three four", "five", "", "- item one", "  two", "  three", "- b"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q", got)
	}
	if c := comment("a--b-"); strings.Contains(c, "--") || strings.HasSuffix(c, "-") {
		t.Errorf("comment %q is not safe in <!-- -->", c)
	}
}

// TestOpenContent: an open type accepts whatever elements FNO sends (and
// validates, lax, those the schema declares globally), stays optional, and
// still rejects text, since its content is element-only.
func TestOpenContent(t *testing.T) {
	t.Parallel()
	c := mustParse(t, filepath.Join(okDir, "CustomService", SourceName))
	data, err := c.WSDL("v2")
	if err != nil {
		t.Fatal(err)
	}
	s, err := xsd.CompileWSDLBytes("CustomService.wsdl", data)
	if err != nil {
		t.Fatalf("libxml2 does not compile an open type: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	const head = `<pong xmlns="urn:example:custom:v2:2"><echo><message>m</message></echo>`
	cases := []struct {
		name, payload string
		valid         bool
	}{
		{"open elements left out", head + `</pong>`, true},
		{"open element empty", head + `<extra/></pong>`, true},
		{"unknown children, any namespace, nested", head + `<extra><a>1</a><b xmlns="urn:other"><c/></b><a/></extra></pong>`, true},
		{"pretty-printed", head + "<extra>\n  <a>1</a>\n</extra></pong>", true},
		{"extension of an open type", head + `<details><x/></details><details/></pong>`, true},
		{"lax: a child the schema declares is validated", head + `<extra><ping><wrong/></ping></extra></pong>`, false},
		{"text in element-only content", head + `<extra>text</extra></pong>`, false},
		{"order outside the open type still checked", `<pong xmlns="urn:example:custom:v2:2"><extra/><echo><message>m</message></echo></pong>`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fs, err := s.ValidatePayload([]byte(tc.payload))
			if err != nil {
				t.Fatal(err)
			}
			if got := len(fs) == 0; got != tc.valid {
				t.Errorf("valid = %v, want %v; findings %v", got, tc.valid, fs)
			}
		})
	}
}
