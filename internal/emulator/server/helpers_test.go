package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/internal/xsdmodel"
	"github.com/fnokit/fnokit/schemas"
)

// The tests stand in for internal/emulator/project with the soap codec and
// the version's schema model: enough to carry values both ways in schema
// order, which is all the server needs from a projection.

const (
	testUser     = "admin"
	testPassword = "s3cret-P4ss"
)

type testProjection struct {
	v     schemas.Version
	model *xsdmodel.Model
}

func (p *testProjection) Request(payload *xmltree.Node) (map[string]any, error) {
	return soap.ToMap(payload, p.model), nil
}

func (p *testProjection) Response(opName string, content map[string]any) (*xmltree.Node, error) {
	o, ok := p.v.Operation(opName)
	if !ok {
		return nil, fmt.Errorf("no operation %s", opName)
	}
	return soap.FromValue(xmltree.Name{Space: o.Output.Space, Local: o.Output.Local}, content, p.model)
}

var (
	modelsMu sync.Mutex
	models   = map[string]*xsdmodel.Model{}
)

func testModel(service string, v contract.Version) (*xsdmodel.Model, error) {
	modelsMu.Lock()
	defer modelsMu.Unlock()
	key := service + "/" + v.String()
	if m, ok := models[key]; ok {
		return m, nil
	}
	doc, err := schemas.WSDL(service, v.String())
	if err != nil {
		return nil, err
	}
	defs, err := wsdl.Parse(doc)
	if err != nil {
		return nil, err
	}
	m, err := xsdmodel.LoadWSDL(defs)
	if err != nil {
		return nil, err
	}
	models[key] = m
	return m, nil
}

func testProjector(service string, version contract.Version) (Projection, error) {
	v, err := schemas.Find(service, version.String())
	if err != nil {
		return nil, err
	}
	m, err := testModel(service, version)
	if err != nil {
		return nil, err
	}
	return &testProjection{v: v, model: m}, nil
}

// countHandler answers countDevices with a count, a status enum and a typed
// leaf, so every drift mode has something to break.
func countHandler(_ context.Context, c *op.Call) (map[string]any, error) {
	return map[string]any{
		"statusInfo":   op.Status("SUCCESS", ""),
		"responseData": map[string]any{"count": op.Int(42)},
	}, nil
}

type testServer struct {
	*Server
	http *httptest.Server
}

// newTestServer starts a server with the given handlers registered (nil
// registers countDevices for every ManageDeviceService version) and cfg
// edited by edit.
func newTestServer(t testing.TB, register func(r *op.Registry), edit func(*Config)) *testServer {
	t.Helper()
	reg := op.NewRegistry()
	if register == nil {
		reg.Handle("ManageDeviceService", "countDevices", countHandler)
	} else {
		register(reg)
	}
	cfg := Config{Registry: reg, Project: testProjector, User: testUser, Password: testPassword}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return &testServer{Server: s, http: hs}
}

var v7 = contract.Operation{Service: "ManageDeviceService", Version: "v7", Name: "countDevices"}

// envelope wraps payload XML (as bytes, verbatim) for op.
func envelope(t *testing.T, o contract.Operation, payload string, creds soap.Credentials) []byte {
	t.Helper()
	b, err := soap.Marshal(o, payload, creds)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// post sends body to the endpoint of o with HTTP Basic credentials when
// basic is true.
func (ts *testServer) post(t *testing.T, path string, body []byte, basic bool) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.http.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", soap.ContentType)
	req.Header.Set("SOAPAction", soap.SOAPAction)
	if basic {
		req.SetBasicAuth(testUser, testPassword)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// parseFault reads a SOAP fault response and its problem detail.
func parseFault(t *testing.T, body []byte) (*soap.Fault, string, string) {
	t.Helper()
	r, err := soap.Parse(bytes.NewReader(body), xmltree.Limits{})
	if err != nil {
		t.Fatalf("response is not a SOAP envelope: %v\n%s", err, body)
	}
	if r.Fault == nil {
		t.Fatalf("response is not a fault:\n%s", body)
	}
	var problem, rule string
	if d := r.Fault.Detail; d != nil {
		problem = d.TextOf("problem")
		rule = d.TextOf("rule")
	}
	return r.Fault, problem, rule
}

var (
	schemaMu sync.Mutex
	compiled = map[string]*xsd.Schema{}
)

// schemaOf compiles a version's WSDL once per test binary.
func schemaOf(t *testing.T, service, version string) *xsd.Schema {
	t.Helper()
	schemaMu.Lock()
	defer schemaMu.Unlock()
	key := service + "/" + version
	if s, ok := compiled[key]; ok {
		return s
	}
	doc, err := schemas.WSDL(service, version)
	if err != nil {
		t.Fatal(err)
	}
	s, err := xsd.CompileWSDLBytes(key, doc)
	if err != nil {
		t.Fatal(err)
	}
	compiled[key] = s
	return s
}

func mustContain(t *testing.T, what, s, want string) {
	t.Helper()
	if !strings.Contains(s, want) {
		t.Errorf("%s lacks %q:\n%s", what, want, s)
	}
}
