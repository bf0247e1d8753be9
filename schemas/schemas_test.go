package schemas

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/contractgen"
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/internal/xsdmodel"
)

// TestGeneratedWSDLsAreUpToDate fails when a contract.yaml was edited and
// the WSDLs were not regenerated (or a generated WSDL was edited by hand).
func TestGeneratedWSDLsAreUpToDate(t *testing.T) {
	t.Parallel()
	changes, err := contractgen.Plan("soap")
	var es contractgen.Errors
	if errors.As(err, &es) {
		for _, e := range es {
			t.Error(e)
		}
		t.Fatal("fix the contract sources above (format: schemas/soap/README.md)")
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range changes {
		t.Errorf("%s: %s", filepath.ToSlash(ch.Path), ch.Action)
	}
	if len(changes) > 0 {
		t.Error("run `go run ./cmd/fnokit schemas generate` and commit the result")
	}
}

// TestEveryWSDLCompilesAndResolves: libxml2 compiles every WSDL in soap/,
// each operation's message elements are declared, no type reference dangles,
// and a generated WSDL has exactly the operations its contract gives that
// version, under the names FNO's Axis publishes.
func TestEveryWSDLCompilesAndResolves(t *testing.T) {
	t.Parallel()
	paths, _ := filepath.Glob(filepath.Join("soap", "*", "*", "*.wsdl"))
	if len(paths) == 0 {
		t.Fatal("no WSDLs under soap/")
	}
	contracts, err := contractgen.Contracts("soap")
	if err != nil {
		t.Fatal(err)
	}
	byService := map[string]*contractgen.Contract{}
	for _, c := range contracts {
		byService[c.Service] = c
	}
	for _, p := range paths {
		t.Run(filepath.ToSlash(p), func(t *testing.T) {
			t.Parallel()
			s, err := xsd.CompileFile(p)
			if err != nil {
				t.Fatalf("libxml2: %v", err)
			}
			s.Close()
			defs, err := wsdl.ParseFile(p)
			if err != nil {
				t.Fatal(err)
			}
			model, err := xsdmodel.LoadWSDL(defs)
			if err != nil {
				t.Fatal(err)
			}
			if u := model.Unresolved(); len(u) > 0 {
				t.Errorf("unresolved type references: %v", u)
			}
			if len(defs.Operations) == 0 {
				t.Error("no operations")
			}
			for _, op := range defs.Operations {
				for _, el := range []struct{ Space, Local string }{{op.Input.Space, op.Input.Local}, {op.Output.Space, op.Output.Local}} {
					if _, ok := model.Element(el.Space, el.Local); !ok {
						t.Errorf("%s: message element {%s}%s is not declared", op.Name, el.Space, el.Local)
					}
				}
			}
			data, _ := os.ReadFile(p)
			if !contractgen.IsGenerated(data) {
				return // hand-written: no contract to compare with
			}
			service := filepath.Base(filepath.Dir(filepath.Dir(p)))
			c := byService[service]
			if c == nil {
				t.Fatalf("generated, but %s has no contract.yaml", service)
			}
			v, _ := contract.ParseVersion(filepath.Base(filepath.Dir(p)))
			i := c.VersionIndex(v)
			if i < 0 {
				t.Fatalf("contract does not list %s", v)
			}
			var want, got []string
			for _, op := range c.Operations {
				if op.Span.Has(i) {
					want = append(want, op.Name)
				}
			}
			for _, op := range defs.Operations {
				got = append(got, op.Name)
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("operations %v, contract says %v", got, want)
			}
			n := c.Names(v)
			if len(defs.Services) != 1 || len(defs.Services[0].Ports) != 1 {
				t.Fatalf("want one service with one port")
			}
			port := defs.Services[0].Ports[0]
			if defs.Services[0].Name != n.Service || port.Name != n.Port || port.Binding != n.Binding || port.Address != n.Address {
				t.Errorf("service %s port %+v, want %+v", defs.Services[0].Name, port, n)
			}
			if defs.TargetNamespace != c.TargetNamespace(v) {
				t.Errorf("namespace %s, want %s", defs.TargetNamespace, c.TargetNamespace(v))
			}
		})
	}
}

// TestIndexMatchesFiles: the index lists exactly the WSDLs on disk, with
// the namespace, endpoint and operations each declares, and WSDL returns
// the file's bytes.
func TestIndexMatchesFiles(t *testing.T) {
	t.Parallel()
	services, err := Services()
	if err != nil {
		t.Fatal(err)
	}
	onDisk, _ := filepath.Glob(filepath.Join("soap", "*", "*", "*.wsdl"))
	seen := 0
	for _, s := range services {
		if len(s.Versions) == 0 {
			t.Errorf("%s has no versions", s.Name)
		}
		for k, v := range s.Versions {
			seen++
			if k > 0 && v.Version.Number() <= s.Versions[k-1].Version.Number() {
				t.Errorf("%s: versions not oldest first", s.Name)
			}
			if v.Service != s.Name || v.Endpoint != contract.Endpoint(s.Name, v.Version) {
				t.Errorf("%s %s: service %s endpoint %s", s.Name, v.Version, v.Service, v.Endpoint)
			}
			disk, err := os.ReadFile(filepath.FromSlash(v.Path))
			if err != nil {
				t.Fatal(err)
			}
			got, err := WSDL(s.Name, v.Version.String())
			if err != nil || !bytes.Equal(got, disk) {
				t.Errorf("WSDL(%s, %s) differs from %s (err %v): rebuild", s.Name, v.Version, v.Path, err)
			}
			defs, err := wsdl.Parse(disk)
			if err != nil {
				t.Fatal(err)
			}
			if v.Namespace != defs.TargetNamespace || len(v.Operations) != len(defs.Operations) {
				t.Errorf("%s %s: index says %s with %d operations, file %s with %d",
					s.Name, v.Version, v.Namespace, len(v.Operations), defs.TargetNamespace, len(defs.Operations))
				continue
			}
			for j, op := range v.Operations {
				d := defs.Operations[j]
				if op.Name != d.Name || op.Input.Local != d.Input.Local || op.Input.Space != d.Input.Space ||
					op.Output.Local != d.Output.Local || op.Output.Space != d.Output.Space {
					t.Errorf("%s %s: operation %d is %+v, file says %+v", s.Name, v.Version, j, op, d)
				}
				if found, ok := v.Operation(op.Name); !ok || found != op {
					t.Errorf("Operation(%s) = %+v, %v", op.Name, found, ok)
				}
			}
		}
	}
	var services2 int
	for _, p := range onDisk {
		if filepath.Base(p) == filepath.Base(filepath.Dir(filepath.Dir(p)))+".wsdl" {
			services2++
		}
	}
	if seen != services2 {
		t.Errorf("index has %d service versions, soap/ has %d <Service>.wsdl files", seen, services2)
	}
}

// TestFNONamespaces: the FNO services' namespaces follow internal/contract.
func TestFNONamespaces(t *testing.T) {
	t.Parallel()
	services, err := Services()
	if err != nil {
		t.Fatal(err)
	}
	fno := map[string]bool{"ManageDeviceService": true, "LicenseService": true, "EntitlementOrderService": true,
		"UserAcctHierarchyService": true, "UserOrgHierarchyService": true, "ProductPackagingService": true, "FlexnetAuthentication": true}
	checked := 0
	for _, s := range services {
		if !fno[s.Name] {
			continue
		}
		for _, v := range s.Versions {
			checked++
			if want := contract.Namespace(s.Name, v.Version); v.Namespace != want {
				t.Errorf("%s %s: namespace %s, want %s", s.Name, v.Version, v.Namespace, want)
			}
			for _, op := range v.Operations {
				if op.Input.Space != v.Namespace || op.Output.Space != v.Namespace {
					t.Errorf("%s %s %s: elements outside the target namespace", s.Name, v.Version, op.Name)
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no FNO service in the index")
	}
}

func TestFindAndWSDLErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ service, version, want string }{
		{"NoSuchService", "base", "no contract for service NoSuchService"},
		{"ManageDeviceService", "v99", "its versions are"},
		{"ManageDeviceService", "seven", "bad service version"},
	}
	for _, tc := range cases {
		if _, err := WSDL(tc.service, tc.version); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("WSDL(%s, %s): %v, want %q", tc.service, tc.version, err, tc.want)
		}
	}
	v, err := Find("ManageDeviceService", "V3")
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != "v3" || v.Path != "soap/ManageDeviceService/v3/ManageDeviceService.wsdl" {
		t.Errorf("Find gave %+v", v)
	}
	if _, ok := v.Operation("getDeviceCount"); !ok {
		t.Error("v3 has no getDeviceCount")
	}
}

// TestServicesIsACopy: callers cannot change the shared index.
func TestServicesIsACopy(t *testing.T) {
	t.Parallel()
	a, err := Services()
	if err != nil {
		t.Fatal(err)
	}
	a[0].Versions[0].Operations[0].Name = "changed"
	a[0].Versions[0].Namespace = "changed"
	b, _ := Services()
	if b[0].Versions[0].Operations[0].Name == "changed" || b[0].Versions[0].Namespace == "changed" {
		t.Error("Services returned the shared index")
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := Services(); err != nil {
				t.Error(err)
			}
			if _, err := WSDL("ManageDeviceService", "base"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// TestFSCarriesTheContracts: the binary holds every kind of contract file.
func TestFSCarriesTheContracts(t *testing.T) {
	t.Parallel()
	for _, pattern := range []string{"soap/*/contract.yaml", "soap/*/*/*.wsdl", "rest/*.yaml", "callout/*.json", "pubservices/*.xsd"} {
		m, err := fs.Glob(FS(), pattern)
		if err != nil || len(m) == 0 {
			t.Errorf("FS has nothing for %s (%v)", pattern, err)
		}
		disk, _ := filepath.Glob(filepath.FromSlash(pattern))
		if len(m) != len(disk) {
			t.Errorf("%s: %d embedded, %d on disk: rebuild", pattern, len(m), len(disk))
		}
	}
	if m, _ := fs.Glob(FS(), "*/*_test.go"); len(m) > 0 {
		t.Errorf("test files embedded: %v", m)
	}
}

func TestBuildIndexRejects(t *testing.T) {
	t.Parallel()
	good, err := fs.ReadFile(FS(), "soap/ManageDeviceService/base/ManageDeviceService.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"bad version folder", fstest.MapFS{"soap/S/latest/S.wsdl": {Data: good}}, "not a version name"},
		{"not a WSDL", fstest.MapFS{"soap/S/v1/S.wsdl": {Data: []byte("<schema/>")}}, "not wsdl:definitions"},
	}
	for _, tc := range cases {
		if _, err := buildIndex(tc.fsys); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	idx, err := buildIndex(fstest.MapFS{
		"soap/S/v2/S.wsdl":     {Data: good},
		"soap/S/base/S.wsdl":   {Data: good},
		"soap/S/v1/other.wsdl": {Data: []byte("ignored: not <Service>.wsdl")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(idx) != 1 || len(idx[0].Versions) != 2 || idx[0].Versions[0].Version != contract.Base || idx[0].Versions[1].Endpoint != "/flexnet/services/v2/S" {
		t.Errorf("index %+v", idx)
	}
}
