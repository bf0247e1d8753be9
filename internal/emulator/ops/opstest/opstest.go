// Package opstest is test scaffolding shared by the ops packages' tests:
// calling a handler through a registry as the server does, and checking
// each response against the called version's schema with libxml2. Import it
// from _test.go files only: it links internal/xsd (libxml2), which the
// emulator itself never does.
package opstest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/project"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/schemas"
)

// Call runs the handler r has for service, version and operation with req,
// as the server does (authenticated as "admin", at now), and fails t when
// there is no handler or it returns an error.
func Call(t testing.TB, r *op.Registry, service, version, operation string, req map[string]any, now time.Time) map[string]any {
	t.Helper()
	v, err := contract.ParseVersion(version)
	if err != nil {
		t.Fatal(err)
	}
	o := contract.Operation{Service: service, Version: v, Name: operation}
	h, ok := r.Lookup(o)
	if !ok {
		t.Fatalf("no handler for %s", o)
	}
	out, err := h(context.Background(), &op.Call{Op: o, Request: req, User: "admin", Now: now})
	if err != nil {
		t.Fatalf("%s: %v", o, err)
	}
	return out
}

// Status is a response's statusInfo/status.
func Status(out map[string]any) string { return op.Str(out, "statusInfo", "status") }

// Simple is a SimpleQueryType request value.
func Simple(value, searchType string) map[string]any {
	return map[string]any{"value": value, "searchType": searchType}
}

// RepoRoot is the directory holding go.mod, found by walking up from the
// test's working directory (its package).
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package")
		}
		dir = parent
	}
}

// Schema checks handler responses of one service version: it projects them
// as the server does and validates the payload against that version's WSDL.
type Schema struct {
	Version  schemas.Version // service, version and operations
	proj     *project.Projector
	xsd      *xsd.Schema
	testdata string
	checked  *atomic.Int64
}

// EachVersion runs check, as a parallel subtest named service/version, for
// every version of each named service in the schemas index. It fails t when
// a service has no version or no response was checked at all, so a filter
// that matches nothing cannot pass.
func EachVersion(t *testing.T, check func(t *testing.T, s *Schema), services ...string) {
	t.Helper()
	all, err := schemas.Services()
	if err != nil {
		t.Fatal(err)
	}
	testdata := filepath.Join(RepoRoot(t), "schemas", "testdata")
	checked := new(atomic.Int64)
	for _, name := range services {
		found := false
		for _, svc := range all {
			if svc.Name != name {
				continue
			}
			for _, v := range svc.Versions {
				found = true
				t.Run(svc.Name+"/"+v.Version.String(), func(t *testing.T) {
					t.Parallel()
					check(t, open(t, v, testdata, checked))
				})
			}
		}
		if !found {
			t.Errorf("%s: no version in the schemas index", name)
		}
	}
	t.Cleanup(func() {
		if checked.Load() == 0 && !t.Failed() {
			t.Error("no response was checked")
		}
	})
}

func open(t *testing.T, v schemas.Version, testdata string, checked *atomic.Int64) *Schema {
	t.Helper()
	proj, err := project.For(v.Service, v.Version)
	if err != nil {
		t.Fatal(err)
	}
	wsdl, err := schemas.WSDL(v.Service, v.Version.String())
	if err != nil {
		t.Fatal(err)
	}
	schema, err := xsd.CompileWSDLBytes(v.Service+".wsdl", wsdl)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { schema.Close() })
	return &Schema{Version: v, proj: proj, xsd: schema, testdata: testdata, checked: checked}
}

// Sample is the valid request sample of operation in schemas/testdata, read
// into a map as the server reads a request.
func (s *Schema) Sample(t testing.TB, operation string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(s.testdata, s.Version.Service, s.Version.Version.String(), operation+".request.valid.xml"))
	if err != nil {
		t.Fatalf("%s: request sample: %v", operation, err)
	}
	payload, err := xmltree.ParseBytes(data, xmltree.DefaultLimits)
	if err != nil {
		t.Fatalf("%s: request sample: %v", operation, err)
	}
	req, err := s.proj.Request(payload)
	if err != nil {
		t.Fatalf("%s: request sample: %v", operation, err)
	}
	return req
}

// Check reports, as errors of t prefixed with label, every way out (the
// response of operation) breaks the called version's schema: a projection
// that fails, and each libxml2 finding on the projected payload.
func (s *Schema) Check(t testing.TB, label, operation string, out map[string]any) {
	t.Helper()
	tree, err := s.proj.Response(operation, out)
	if err != nil {
		t.Errorf("%s: projection: %v", label, err)
		return
	}
	findings, err := s.xsd.ValidatePayload(tree.Bytes(xmltree.EncodeOptions{}))
	if err != nil {
		t.Fatalf("%s: validate: %v", label, err)
	}
	for _, f := range findings {
		t.Errorf("%s (%s): %s %s: %s", label, Status(out), f.Rule, f.Location, f.Message)
	}
	s.checked.Add(1)
}

// Declared reports, as an error of t prefixed with label, the keys of out
// that no version of the service declares for operation: a misspelt
// superset key, which the projection would drop silently. (A package whose
// builders serve several services, such as accounts, cannot use it.)
func (s *Schema) Declared(t testing.TB, label, operation string, out map[string]any) {
	t.Helper()
	if bad, err := project.Undeclared(s.Version.Service, operation, out); err != nil || len(bad) > 0 {
		t.Errorf("%s: keys no version declares: %v %v", label, bad, err)
	}
}

// Label names one checked response in messages.
func Label(store int, operation string, request int) string {
	return fmt.Sprintf("store %d %s request %d", store, operation, request)
}
