package project

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/internal/xsdmodel"
	"github.com/fnokit/fnokit/schemas"
)

// mustFor returns the projector of a version or stops the test.
func mustFor(t testing.TB, service string, v contract.Version) *Projector {
	t.Helper()
	p, err := For(service, v)
	if err != nil {
		t.Fatalf("For(%s, %s): %v", service, v, err)
	}
	return p
}

// schemaCache compiles each version's WSDL once for the whole test binary.
var schemaCache sync.Map // "service/version" -> func() (*xsd.Schema, error)

func validator(t testing.TB, service string, v contract.Version) *xsd.Schema {
	t.Helper()
	key := service + "/" + v.String()
	f, _ := schemaCache.LoadOrStore(key, sync.OnceValues(func() (*xsd.Schema, error) {
		data, err := schemas.WSDL(service, v.String())
		if err != nil {
			return nil, err
		}
		return xsd.CompileWSDLBytes(key, data)
	}))
	s, err := f.(func() (*xsd.Schema, error))()
	if err != nil {
		t.Fatalf("compile %s: %v", key, err)
	}
	return s
}

// validate checks a payload against its version's schema with libxml2, an
// oracle independent of the model the projection was built from.
func validate(t *testing.T, service string, v contract.Version, n *xmltree.Node) {
	t.Helper()
	fs, err := validator(t, service, v).ValidatePayload(n.Bytes(xmltree.EncodeOptions{}))
	if err != nil {
		t.Fatalf("validate: %v", err)
	}
	for _, f := range fs {
		t.Errorf("schema finding: %s", f)
	}
}

func childNames(n *xmltree.Node) []string {
	var out []string
	for _, c := range n.Children {
		out = append(out, c.Name.Local)
	}
	return out
}

// device is a handler-style superset of one searchDevices record: it has
// what every version may want, plus a key no version declares.
func device(id string) map[string]any {
	return map[string]any{
		"fnokitNeverDeclared": "x",
		"siteName":            "Site A",
		"hasUpdates":          "false",
		"status":              "ACTIVE",
		"name":                "dev " + id,
		"deviceId": map[string]any{
			"deviceClass":   "CLIENT",
			"publisherName": "demo",
			"idType":        "STRING",
			"id":            id,
			"notInAnyVersion": map[string]any{
				"deep": "x",
			},
		},
		"soldTo":       map[string]any{"id": "ACME", "name": "Acme Corp"},
		"lastModified": "2024-01-31T12:00:00.000Z",
		"addon":        []any{map[string]any{"activationId": "a-1", "consumedCopies": "1"}},
	}
}

func searchContent(n int) map[string]any {
	devs := make([]any, n)
	for i := range devs {
		devs[i] = device("DEV-" + string(rune('A'+i%26)))
	}
	return map[string]any{
		"devices":    map[string]any{"device": devs},
		"statusInfo": map[string]any{"status": "SUCCESS"},
		"failedData": map[string]any{"reason": "kept only where declared"},
	}
}

func TestResponsePrunesPerVersion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		version     contract.Version
		wantSite    bool
		wantOrderOf []string // device children expected, in order
	}{
		{"v3", false, []string{"deviceId", "name", "status", "soldTo", "lastModified", "addon", "hasUpdates"}},
		{"v5", false, []string{"deviceId", "name", "status", "soldTo", "lastModified", "addon", "hasUpdates"}},
		{"v6", true, []string{"deviceId", "name", "status", "soldTo", "lastModified", "addon", "hasUpdates", "siteName"}},
		{"v7", true, []string{"deviceId", "name", "status", "soldTo", "lastModified", "addon", "hasUpdates", "siteName"}},
	}
	for _, tc := range cases {
		t.Run(tc.version.String(), func(t *testing.T) {
			t.Parallel()
			p := mustFor(t, "ManageDeviceService", tc.version)
			root, err := p.Response("searchDevices", searchContent(3))
			if err != nil {
				t.Fatalf("Response: %v", err)
			}
			if got, want := root.Name, (xmltree.Name{Space: contract.Namespace("ManageDeviceService", tc.version), Local: "searchDevicesResponse"}); got != want {
				t.Fatalf("root %v, want %v", got, want)
			}
			if got := childNames(root); !slices.Equal(got, []string{"statusInfo", "devices"}) {
				t.Errorf("payload children %v, want [statusInfo devices] (failedData is not declared, failed is absent)", got)
			}
			devs := root.Child("devices").ChildrenNamed("device")
			if len(devs) != 3 {
				t.Fatalf("%d devices, want 3", len(devs))
			}
			if got := childNames(devs[1]); !slices.Equal(got, tc.wantOrderOf) {
				t.Errorf("device children %v, want %v", got, tc.wantOrderOf)
			}
			if got := childNames(devs[0].Child("deviceId")); !slices.Equal(got, []string{"id", "idType", "publisherName", "deviceClass"}) {
				t.Errorf("deviceId children %v, want schema order", got)
			}
			if (devs[2].Child("siteName") != nil) != tc.wantSite {
				t.Errorf("siteName present = %v, want %v", !tc.wantSite, tc.wantSite)
			}
			validate(t, "ManageDeviceService", tc.version, root)
		})
	}
}

func TestResponseGetDeviceV3AndV7(t *testing.T) {
	t.Parallel()
	content := map[string]any{
		"statusInfo": map[string]any{"status": "SUCCESS"},
		"device": map[string]any{
			"siteName":  "Site A",
			"createdOn": "2024-01-31T12:00:00Z",
			"deviceId":  map[string]any{"id": "D1", "idType": "STRING", "publisherName": "demo", "deviceClass": "CLIENT"},
			"name":      "d1",
		},
	}
	for _, tc := range []struct {
		v    contract.Version
		want []string
	}{
		{"v3", []string{"deviceId", "name"}},
		{"v7", []string{"deviceId", "name", "createdOn", "siteName"}},
	} {
		p := mustFor(t, "ManageDeviceService", tc.v)
		root, err := p.Response("getDevice", content)
		if err != nil {
			t.Fatalf("%s: %v", tc.v, err)
		}
		rd := root.Child("device")
		if rd == nil {
			t.Fatalf("%s: no device in %v", tc.v, childNames(root))
		}
		if got := childNames(rd); !slices.Equal(got, tc.want) {
			t.Errorf("%s: device children %v, want %v", tc.v, got, tc.want)
		}
		validate(t, "ManageDeviceService", tc.v, root)
	}
}

func TestResponseErrors(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-value-never-echoed"
	badDevice := device("D2")
	badDevice["deviceId"] = map[string]any{"idType": "STRING", "publisherName": secret, "deviceClass": "CLIENT"}
	cases := []struct {
		name    string
		service string
		version contract.Version
		op      string
		content map[string]any
		want    string
	}{
		{"missing top-level required", "ManageDeviceService", "v7", "searchDevices",
			map[string]any{"devices": map[string]any{}}, "/searchDevicesResponse: required element statusInfo is missing"},
		{"missing nested required with index", "ManageDeviceService", "v7", "searchDevices",
			map[string]any{"statusInfo": map[string]any{"status": "SUCCESS"}, "devices": map[string]any{"device": []any{device("D1"), badDevice}}},
			"/searchDevicesResponse/devices/device[2]/deviceId: required element id is missing"},
		{"nil required", "ManageDeviceService", "v3", "searchDevices",
			map[string]any{"statusInfo": map[string]any{"status": nil}}, "/searchDevicesResponse/statusInfo: required element status is missing"},
		{"list for a single element", "ManageDeviceService", "v7", "searchDevices",
			map[string]any{"statusInfo": []any{map[string]any{"status": secret}, map[string]any{"status": secret}}},
			"/searchDevicesResponse/statusInfo: occurs at most once in the schema, got a list of 2"},
		{"text for a complex element", "ManageDeviceService", "v7", "searchDevices",
			map[string]any{"statusInfo": secret}, "/searchDevicesResponse/statusInfo: the schema gives this element child elements, got a value of type string"},
		{"object for a text element", "ManageDeviceService", "v7", "searchDevices",
			map[string]any{"statusInfo": map[string]any{"status": map[string]any{"x": secret}}}, "/searchDevicesResponse/statusInfo/status: the schema gives this element text content, got a value of type map[string]interface {}"},
		{"unsupported leaf type", "ManageDeviceService", "v7", "searchDevices",
			map[string]any{"statusInfo": map[string]any{"status": 1.5}}, "/searchDevicesResponse/statusInfo/status: the schema gives this element text content, got a value of type float64"},
		{"unknown operation", "ManageDeviceService", "v2", "zeroCountAddonLineItems",
			map[string]any{}, "ManageDeviceService v2 has no operation zeroCountAddonLineItems"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := mustFor(t, tc.service, tc.version)
			_, err := p.Response(tc.op, tc.content)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q echoes a payload value", err)
			}
		})
	}
}

func TestResponseNilAndEmpty(t *testing.T) {
	t.Parallel()
	p := mustFor(t, "ManageDeviceService", "v7")
	root, err := p.Response("searchDevices", map[string]any{
		"statusInfo": map[string]any{"status": "SUCCESS", "reason": nil},
		"failed":     nil,
		"devices":    map[string]any{"device": []any{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := childNames(root); !slices.Equal(got, []string{"statusInfo", "devices"}) {
		t.Errorf("children %v, want [statusInfo devices]", got)
	}
	if got := childNames(root.Child("statusInfo")); !slices.Equal(got, []string{"status"}) {
		t.Errorf("statusInfo children %v, want [status] (nil omits)", got)
	}
	if n := len(root.Child("devices").Children); n != 0 {
		t.Errorf("devices has %d children, want none for an empty list", n)
	}
	validate(t, "ManageDeviceService", "v7", root)
}

// TestResponseExtensionBaseFirst uses a type that extends another: the
// base's elements come first whatever order the map has.
func TestResponseExtensionBaseFirst(t *testing.T) {
	t.Parallel()
	p := mustFor(t, "EntitlementOrderService", "v8")
	m := p.Model()
	ct, ok := m.ComplexType(p.Version().Namespace, "entitlementLineItemDataType")
	if !ok || ct.Derivation != xsdmodel.Extension || ct.Inherited() == 0 {
		t.Fatal("entitlementLineItemDataType is no longer an extension; pick another type for this test")
	}
	// Find an operation whose response reaches the type, and build its
	// maximal value: validation proves base-first order.
	found := false
	for _, o := range p.Version().Operations {
		d, _ := m.Element(o.Output.Space, o.Output.Local)
		if !reaches(m, d, ct, map[*xsdmodel.ComplexType]bool{}) {
			continue
		}
		found = true
		root, err := p.Response(o.Name, full(m, d, map[*xsdmodel.ComplexType]bool{}).(map[string]any))
		if err != nil {
			t.Fatalf("%s: %v", o.Name, err)
		}
		validate(t, "EntitlementOrderService", "v8", root)
	}
	if !found {
		t.Fatal("no response reaches entitlementLineItemDataType")
	}
}

func reaches(m *xsdmodel.Model, d *xsdmodel.Decl, target *xsdmodel.ComplexType, seen map[*xsdmodel.ComplexType]bool) bool {
	ct := d.ComplexType()
	if ct == nil || seen[ct] {
		return false
	}
	if ct == target {
		return true
	}
	seen[ct] = true
	kids, _ := m.ChildrenOf(d)
	for _, k := range kids {
		if reaches(m, k, target, seen) {
			return true
		}
	}
	return false
}

// leafValues are valid lexical values of the builtin types FNO uses.
var leafValues = map[string]string{
	"boolean": "true", "date": "2024-01-31", "dateTime": "2024-01-31T12:00:00.000Z",
	"int": "7", "integer": "7", "long": "7", "positiveInteger": "7", "base64Binary": "c2FtcGxl",
}

// full builds a maximal superset value of an element: every declared child
// (repeatable ones twice) plus an undeclared key at every level. Recursive
// types stop at their second occurrence on a path.
func full(m *xsdmodel.Model, d *xsdmodel.Decl, onPath map[*xsdmodel.ComplexType]bool) any {
	if st := d.SimpleType(); d.Simple || st != nil {
		if st != nil && len(st.Enumeration) > 0 {
			return st.Enumeration[0]
		}
		if st != nil {
			if v, ok := leafValues[st.Builtin.Local]; ok {
				return v
			}
		}
		return "text"
	}
	ct := d.ComplexType()
	out := map[string]any{"fnokitUndeclared": map[string]any{"x": "y"}}
	if ct == nil || onPath[ct] {
		return out
	}
	onPath[ct] = true
	defer delete(onPath, ct)
	kids, _ := m.ChildrenOf(d)
	for _, k := range kids {
		if k.Wildcard || (k.InChoice && k.MinOccurs == 0 && len(kids) > 1) {
			continue
		}
		if kc := k.ComplexType(); kc != nil && onPath[kc] && k.MinOccurs == 0 {
			continue
		}
		v := full(m, k, onPath)
		if k.Repeated() {
			out[k.Name.Local] = []any{v, v}
		} else {
			out[k.Name.Local] = v
		}
	}
	return out
}

// served lists the service versions the emulator serves (FNO calls the
// external ones, it does not serve them).
func served(t *testing.T) []schemas.Version {
	t.Helper()
	all, err := schemas.Services()
	if err != nil {
		t.Fatal(err)
	}
	var out []schemas.Version
	for _, s := range all {
		out = append(out, s.Versions...)
	}
	return out
}

// TestEveryResponseProjectsValid builds, for every operation of every
// version, the maximal superset value of its response and checks that the
// projection is valid against the version's WSDL (libxml2).
func TestEveryResponseProjectsValid(t *testing.T) {
	t.Parallel()
	for _, v := range served(t) {
		t.Run(v.Service+"/"+v.Version.String(), func(t *testing.T) {
			t.Parallel()
			p := mustFor(t, v.Service, v.Version)
			m := p.Model()
			for _, o := range v.Operations {
				d, ok := m.Element(o.Output.Space, o.Output.Local)
				if !ok {
					t.Fatalf("%s: no response element", o.Name)
				}
				content, _ := full(m, d, map[*xsdmodel.ComplexType]bool{}).(map[string]any)
				root, err := p.Response(o.Name, content)
				if err != nil {
					t.Errorf("%s: %v", o.Name, err)
					continue
				}
				if root.Child("fnokitUndeclared") != nil {
					t.Errorf("%s: undeclared key kept", o.Name)
				}
				validate(t, v.Service, v.Version, root)
			}
		})
	}
}

// TestSamplesRoundTrip reads each valid request and response sample: each,
// turned into plain values and projected back, is the sample again.
func TestSamplesRoundTrip(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "..", "schemas", "testdata")
	for _, v := range served(t) {
		t.Run(v.Service+"/"+v.Version.String(), func(t *testing.T) {
			t.Parallel()
			p := mustFor(t, v.Service, v.Version)
			for _, o := range v.Operations {
				dir := filepath.Join(root, v.Service, v.Version.String())
				req := readSample(t, filepath.Join(dir, o.Name+".request.valid.xml"))
				if name, ok := p.Operation(req.Name); !ok || name.Name != o.Name {
					t.Errorf("%s: Operation(%s) = %q, %v", o.Name, req.Name.Local, name.Name, ok)
				}
				values, err := p.Request(req)
				if err != nil {
					t.Errorf("%s: Request: %v", o.Name, err)
					continue
				}
				back, err := p.RequestPayload(o.Name, values)
				if err != nil {
					t.Errorf("%s: RequestPayload: %v", o.Name, err)
				} else if !xmltree.Equal(back, req) {
					t.Errorf("%s: request sample does not survive Request and RequestPayload:\n got %s\nwant %s", o.Name, xmltree.Canonical(back), xmltree.Canonical(req))
				}
				resp := readSample(t, filepath.Join(dir, o.Name+".response.valid.xml"))
				got, err := p.Response(o.Name, soap.ToMap(resp, p.Model()))
				if err != nil {
					t.Errorf("%s: Response: %v", o.Name, err)
					continue
				}
				if !xmltree.Equal(got, resp) {
					t.Errorf("%s: projected sample differs:\n got %s\nwant %s", o.Name, xmltree.Canonical(got), xmltree.Canonical(resp))
				}
			}
		})
	}
}

func readSample(t *testing.T, path string) *xmltree.Node {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read sample: %v", err)
	}
	n, err := xmltree.ParseBytes(data, xmltree.Limits{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return n
}

func TestRequest(t *testing.T) {
	t.Parallel()
	p := mustFor(t, "ManageDeviceService", "v7")
	ns := p.Version().Namespace
	q := func(local string, kids ...*xmltree.Node) *xmltree.Node {
		return &xmltree.Node{Name: xmltree.Name{Space: ns, Local: local}, Children: kids}
	}
	leaf := func(local, text string) *xmltree.Node {
		return &xmltree.Node{Name: xmltree.Name{Space: ns, Local: local}, Text: text}
	}
	// deviceResponseConfig-like lists: a device identifier list with one
	// entry must still be a list.
	payload := q("getDeviceRequest", q("deviceId", leaf("id", "D1"), leaf("idType", "STRING"), leaf("publisherName", "demo"), leaf("deviceClass", "CLIENT")))
	got, err := p.Request(payload)
	if err != nil {
		t.Fatal(err)
	}
	did, ok := got["deviceId"].(map[string]any)
	if !ok || did["id"] != "D1" || did["deviceClass"] != "CLIENT" {
		t.Errorf("Request = %v", got)
	}

	// A repeatable element occurring once is a list.
	search := q("searchDevicesRequest", q("queryParams", q("deviceId", leaf("value", "D"), leaf("searchType", "STARTS_WITH"))), leaf("batchSize", "10"))
	got, err = p.Request(search)
	if err != nil {
		t.Fatal(err)
	}
	if got["batchSize"] != "10" {
		t.Errorf("batchSize = %v", got["batchSize"])
	}
	del := q("deleteDeviceRequest", q("deviceIdentifier", leaf("deviceType", "CLIENT"), leaf("deviceId", "D1")))
	if _, ok := p.Operation(del.Name); ok {
		got, err = p.Request(del)
		if err != nil {
			t.Fatal(err)
		}
		if _, isList := got["deviceIdentifier"].([]any); !isList {
			t.Errorf("deleteDevice deviceIdentifier is %T, want []any (repeatable)", got["deviceIdentifier"])
		}
	}

	// The v6 namespace is no request of v7.
	wrong := &xmltree.Node{Name: xmltree.Name{Space: contract.Namespace("ManageDeviceService", "v6"), Local: "getDeviceRequest"}}
	if _, err := p.Request(wrong); err == nil || !strings.Contains(err.Error(), "not a request of this version") {
		t.Errorf("wrong namespace: err = %v", err)
	}
	if _, err := p.Request(nil); err == nil {
		t.Error("nil payload: no error")
	}
}

func TestForIsCachedAndConcurrent(t *testing.T) {
	t.Parallel()
	const n = 16
	got := make([]*Projector, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p, err := For("UserOrgHierarchyService", "v1")
			if err != nil {
				t.Error(err)
			}
			got[i] = p
			if _, err := p.Response("getOrganizationsQuery", map[string]any{"statusInfo": map[string]any{"status": "SUCCESS"}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, p := range got[1:] {
		if p != got[0] {
			t.Fatal("For built the same version twice")
		}
	}
	if _, err := For("NoSuchService", "v1"); err == nil {
		t.Error("unknown service: no error")
	}
	if _, err := For("ManageDeviceService", "v42"); err == nil {
		t.Error("unknown version: no error")
	}
}

// TestResponseOpaqueContent: a type the contracts declare only as a wildcard
// (content not known) takes the handler's value as it is.
func TestResponseOpaqueContent(t *testing.T) {
	t.Parallel()
	all, err := schemas.Services()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		for _, v := range s.Versions {
			p := mustFor(t, v.Service, v.Version)
			for _, o := range v.Operations {
				out := p.ops[o.Name].out
				path, ok := findOpaque(out, map[*ctype]bool{})
				if !ok {
					continue
				}
				// Build content that reaches the opaque element, with
				// what the required elements on the way need.
				m := p.Model()
				d, _ := m.Element(o.Output.Space, o.Output.Local)
				content := full(m, d, map[*xsdmodel.ComplexType]bool{}).(map[string]any)
				at := content
				for _, name := range path[:len(path)-1] {
					next, ok := at[name].(map[string]any)
					if !ok {
						l, _ := at[name].([]any)
						next, _ = l[0].(map[string]any)
						at[name] = next
					}
					at = next
				}
				last := path[len(path)-1]
				at[last] = map[string]any{"custom": map[string]any{"k": "v"}}
				root, err := p.Response(o.Name, content)
				if err != nil {
					t.Fatalf("%s %s %s: %v", v.Service, v.Version, o.Name, err)
				}
				n := root
				for _, name := range path {
					n = n.Child(name)
					if n == nil {
						t.Fatalf("%s: %s lost on the way", o.Name, name)
					}
				}
				if n.TextOf("custom", "k") != "v" {
					t.Errorf("%s: opaque content not written: %s", o.Name, xmltree.Canonical(n))
				}
				validate(t, v.Service, v.Version, root)
				return
			}
		}
	}
	t.Skip("no response reaches an opaque type in the current contracts")
}

// findOpaque returns the path of local names from e's children to the
// first element with opaque content.
func findOpaque(e *elem, seen map[*ctype]bool) ([]string, bool) {
	if e.content == nil || seen[e.content] {
		return nil, false
	}
	seen[e.content] = true
	for i := range e.content.kids {
		k := &e.content.kids[i]
		if k.content != nil && k.content.opaque {
			return []string{k.name.Local}, true
		}
		if p, ok := findOpaque(k, seen); ok {
			return append([]string{k.name.Local}, p...), true
		}
	}
	return nil, false
}

func TestUndeclared(t *testing.T) {
	t.Parallel()
	content := searchContent(2)
	devs := content["devices"].(map[string]any)["device"].([]any)
	devs[1].(map[string]any)["sitename"] = "typo"
	got, err := Undeclared("ManageDeviceService", "searchDevices", content)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/devices/device/deviceId/notInAnyVersion",
		"/devices/device/fnokitNeverDeclared",
		"/devices/device/sitename",
		"/failedData", // searchDevices names it "failed"
	}
	if !slices.Equal(got, want) {
		t.Errorf("Undeclared = %q\nwant %q", got, want)
	}
	// siteName is declared from v6 on: not reported.
	if _, err := Undeclared("ManageDeviceService", "noSuchOperation", content); err == nil {
		t.Error("unknown operation: no error")
	}
	if _, err := Undeclared("NoSuchService", "searchDevices", content); err == nil {
		t.Error("unknown service: no error")
	}
}
