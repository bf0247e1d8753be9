package producer_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/metrics"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/entitlements"
	"github.com/fnokit/fnokit/internal/emulator/ops/opstest"
	"github.com/fnokit/fnokit/internal/emulator/producer"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/schemas"
)

// The client is what the entitlement handlers take.
var _ entitlements.Producer = (*producer.Client)(nil)

// schema returns the libxml2 schema of a generator's WSDL, compiled once
// per test binary.
var schema = func() func(t testing.TB, service string) *xsd.Schema {
	var mu sync.Mutex
	compiled := map[string]*xsd.Schema{}
	return func(t testing.TB, service string) *xsd.Schema {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		if s, ok := compiled[service]; ok {
			return s
		}
		data, err := schemas.WSDL(service, "base")
		if err != nil {
			t.Fatal(err)
		}
		s, err := xsd.CompileWSDLBytes(service+".wsdl", data)
		if err != nil {
			t.Fatal(err)
		}
		compiled[service] = s
		return s
	}
}()

// exchange is one request and answer seen by a recording server.
type exchange struct {
	request, response []byte
	status            int
	header            http.Header
}

// recorder wraps a handler and keeps every exchange.
type recorder struct {
	h  http.Handler
	mu sync.Mutex
	ex []exchange
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
	r.mu.Lock()
	r.ex = append(r.ex, exchange{request: body, response: rec.Body.Bytes(), status: rec.Code, header: req.Header.Clone()})
	r.mu.Unlock()
}

func (r *recorder) exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.ex...)
}

// reference starts a recorded reference producer on loopback.
func reference(t testing.TB, cfg producer.ReferenceConfig) (*producer.Reference, *recorder, string) {
	t.Helper()
	ref, err := producer.NewReference(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{h: ref}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return ref, rec, srv.URL
}

func client(t testing.TB, cfg producer.Config) *producer.Client {
	t.Helper()
	c, err := producer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// validEnvelope fails t unless body is a SOAP envelope whose payload is
// valid against service's WSDL (libxml2).
func validEnvelope(t testing.TB, service, what string, body []byte) {
	t.Helper()
	findings, err := schema(t, service).ValidateEnvelope(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) > 0 {
		t.Errorf("%s is not valid against %s: %v\n%s", what, service, findings, body)
	}
}

var (
	testEnt  = state.Entitlement{SoldTo: "ACCT-1", ShipToEmail: "buyer@example.com", State: state.Deployed, Description: "demo"}
	testItem = state.LineItem{OrderID: "ORD-1", OrderLineNumber: "1", Copies: 5, Type: state.LineUpgrade, StartDateOption: "DEFINE_NOW"}
	testBulk = state.Entitlement{Bulk: true, State: state.Draft}
	testKey  = state.LineItem{Copies: 10, Expiration: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), Activatable: "WEBREGKEY"}
	testFul  = state.Fulfillment{ActivationID: "AID-1", HostID: "HOST-1", Count: 1}
)

// Every value comes from the producer, tagged by kind; every request the
// emulator sends and every answer the reference gives is valid against our
// WSDLs; each call is one observation and one Server-Timing entry.
func TestClientAgainstReference(t *testing.T) {
	t.Parallel()
	_, rec, url := reference(t, producer.ReferenceConfig{Prefix: "ACME-"})
	mets := metrics.NewEmulator()
	c := client(t, producer.Config{IDGeneratorURL: url + "/ids", LicenseGeneratorURL: url + "/lics", Metrics: mets,
		Credentials: soap.Basic("fno", "s3cret")})
	ctx, timings := op.WithTimings(context.Background())

	calls := []struct {
		name, service, operation, want string
		call                           func() (string, error)
	}{
		{"entitlement", producer.IDGenerator, producer.OpEntitlementID, "ACME-ENT-1", func() (string, error) { return c.EntitlementID(ctx, testEnt) }},
		{"bulk entitlement", producer.IDGenerator, producer.OpEntitlementID, "ACME-ENT-2", func() (string, error) { return c.EntitlementID(ctx, testBulk) }},
		{"line item", producer.IDGenerator, producer.OpLineItemID, "ACME-AID-1", func() (string, error) {
			e := testEnt
			e.ID = "ENT-1"
			return c.LineItemID(ctx, e, testItem)
		}},
		{"web register key", producer.IDGenerator, producer.OpWebRegKey, "ACME-WRK-1", func() (string, error) { return c.WebRegKey(ctx, testBulk, testKey) }},
		{"fulfillment", producer.IDGenerator, producer.OpFulfillmentID, "ACME-FID-1", func() (string, error) { return c.FulfillmentID(ctx, testFul) }},
		{"licence", producer.LicenseGenerator, producer.OpLicense, "LICENSE ACME-LIC-1", func() (string, error) { return c.LicenseText(ctx, testFul) }},
	}
	for i, tc := range calls {
		got, err := tc.call()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: got %q, want it to hold %q", tc.name, got, tc.want)
		}
		ex := rec.exchanges()
		if len(ex) != i+1 {
			t.Fatalf("%s: %d exchanges, want %d", tc.name, len(ex), i+1)
		}
		last := ex[i]
		validEnvelope(t, tc.service, tc.name+" request", last.request)
		validEnvelope(t, tc.service, tc.name+" answer", last.response)
		if user, pass, ok := (&http.Request{Header: last.header}).BasicAuth(); !ok || user != "fno" || pass != "s3cret" {
			t.Errorf("%s: the request carries no Basic credentials", tc.name)
		}
		if got := last.header.Get("SOAPAction"); got != `""` {
			t.Errorf("%s: SOAPAction %q, want \"\"", tc.name, got)
		}
	}
	for _, tc := range calls {
		if n := mets.Producer.Count(tc.service, tc.operation, "ok"); n == 0 {
			t.Errorf("no ok observation of %s %s", tc.service, tc.operation)
		}
	}
	n := 0
	timings.Each(func(name string, _ time.Duration) {
		if name == producer.TimingName {
			n++
		}
	})
	if n != 1 {
		t.Errorf("%d Server-Timing entries named %s, want 1", n, producer.TimingName)
	}
}

// The reference answers every operation of both contracts with a valid
// message, whatever the sample request, and refuses what is not a request
// of the contracts with a SOAP fault.
func TestReferenceAnswersEveryOperation(t *testing.T) {
	t.Parallel()
	root := opstest.RepoRoot(t)
	_, _, url := reference(t, producer.ReferenceConfig{})
	for _, service := range []string{producer.IDGenerator, producer.LicenseGenerator} {
		v, err := schemas.Find(service, "base")
		if err != nil {
			t.Fatal(err)
		}
		answered := map[string]bool{}
		// Samples of both folders: the valid ones are answered, the invalid
		// requests refused.
		for _, dir := range []string{"valid", "invalid"} {
			files, _ := filepath.Glob(filepath.Join(root, "schemas", "soap", "*", "testdata", dir, "*-request*.xml"))
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				n, err := xmltree.Parse(bytes.NewReader(data), xmltree.Limits{})
				if err != nil {
					t.Fatal(err)
				}
				var opName string
				for _, o := range v.Operations {
					if o.Input.Local == n.Name.Local && o.Input.Space == n.Name.Space {
						opName = o.Name
					}
				}
				if opName == "" {
					continue // another service's request (RenewalService)
				}
				status, body := post(t, url, wrap(data))
				if dir == "invalid" {
					if status != http.StatusInternalServerError || !bytes.Contains(body, []byte("Fault")) {
						t.Errorf("%s: invalid request answered %d, want a fault", filepath.Base(f), status)
					}
					continue
				}
				if status != http.StatusOK {
					t.Fatalf("%s: status %d\n%s", filepath.Base(f), status, body)
				}
				// ping and PingRequest are shared by the two contracts:
				// validate against the service that declares the answer.
				validEnvelope(t, service, filepath.Base(f)+" answer", body)
				answered[opName] = true
			}
		}
		for _, o := range v.Operations {
			if !answered[o.Name] {
				t.Errorf("%s %s: no sample request answered", service, o.Name)
			}
		}
	}
	for name, tc := range map[string]struct {
		method, body string
		status       int
	}{
		"GET":          {http.MethodGet, "", http.StatusMethodNotAllowed},
		"not XML":      {http.MethodPost, "hello", http.StatusInternalServerError},
		"no envelope":  {http.MethodPost, `<Entitlement xmlns="urn:com.flexnet.external.type"/>`, http.StatusInternalServerError},
		"unknown":      {http.MethodPost, string(wrap([]byte(`<Nope xmlns="urn:com.flexnet.external.type"/>`))), http.StatusInternalServerError},
		"wrong ns":     {http.MethodPost, string(wrap([]byte(`<PingRequest xmlns="urn:other"><str>x</str></PingRequest>`))), http.StatusInternalServerError},
		"too large":    {http.MethodPost, string(wrap([]byte(`<PingRequest xmlns="urn:com.flexnet.external.type"><str>` + strings.Repeat("x", producer.DefaultMaxBody) + `</str></PingRequest>`))), http.StatusInternalServerError},
		"DTD refused":  {http.MethodPost, `<!DOCTYPE x [<!ENTITY e "e">]><x/>`, http.StatusInternalServerError},
		"empty body":   {http.MethodPost, "", http.StatusInternalServerError},
		"invalid item": {http.MethodPost, string(wrap([]byte(`<Id xmlns="urn:com.flexnet.external.type"><id>x</id></Id>`))), http.StatusInternalServerError},
	} {
		req, _ := http.NewRequest(tc.method, url, strings.NewReader(tc.body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", name, res.StatusCode, tc.status)
		}
		if tc.status == http.StatusInternalServerError && !bytes.Contains(body, []byte("faultcode")) {
			t.Errorf("%s: no SOAP fault in the answer", name)
		}
	}
}

// wrap puts a payload sample (with or without an XML declaration) into a
// SOAP 1.1 envelope.
func wrap(payload []byte) []byte {
	if i := bytes.Index(payload, []byte("?>")); bytes.HasPrefix(bytes.TrimSpace(payload), []byte("<?xml")) && i >= 0 {
		payload = payload[i+2:]
	}
	return []byte(`<soapenv:Envelope xmlns:soapenv="` + soap.NSEnvelope + `"><soapenv:Body>` + string(bytes.TrimSpace(payload)) + `</soapenv:Body></soapenv:Envelope>`)
}

func post(t testing.TB, url string, body []byte) (int, []byte) {
	t.Helper()
	res, err := http.Post(url, soap.ContentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// broken producers, each failing one way; the kind is what the client
// must report.
var broken = []struct {
	kind    string
	handler http.HandlerFunc
}{
	{"timeout", func(w http.ResponseWriter, r *http.Request) {
		// Read the body, so the server notices the client leaving; the
		// bound keeps a test bug from hanging the run.
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}},
	{"fault", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", soap.ContentType)
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `<soapenv:Envelope xmlns:soapenv="`+soap.NSEnvelope+`"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>IdGeneratorException SECRET-VALUE</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`)
	}},
	{"status", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom SECRET-VALUE", http.StatusInternalServerError)
	}},
	{"wrong-element", func(w http.ResponseWriter, r *http.Request) {
		answer(w, `<PingResponse xmlns="urn:com.flexnet.external.type"><str>SECRET-VALUE</str><processedTime/><info/></PingResponse>`)
	}},
	{"too-large", func(w http.ResponseWriter, r *http.Request) {
		answer(w, `<Id xmlns="urn:com.flexnet.external.type"><id>`+strings.Repeat("A", producer.DefaultMaxBody)+`</id></Id>`)
	}},
	{"malformed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", soap.ContentType)
		io.WriteString(w, `<soapenv:Envelope xmlns:soapenv="`+soap.NSEnvelope+`"><soapenv:Body><Id>SECRET-VALUE`)
	}},
	{"content-type", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"SECRET-VALUE"}`)
	}},
	{"invalid", func(w http.ResponseWriter, r *http.Request) {
		answer(w, `<Id xmlns="urn:com.flexnet.external.type"><id>SECRET-VALUE</id><id>again</id></Id>`)
	}},
	{"empty", func(w http.ResponseWriter, r *http.Request) {
		answer(w, `<Id xmlns="urn:com.flexnet.external.type" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><id xsi:nil="true"/></Id>`)
	}},
	{"invalid-id", func(w http.ResponseWriter, r *http.Request) {
		answer(w, `<Id xmlns="urn:com.flexnet.external.type"><id>SECRET/VALUE</id></Id>`)
	}},
}

// answer writes a SOAP 1.1 answer with payload.
func answer(w http.ResponseWriter, payload string) {
	w.Header().Set("Content-Type", soap.ContentType)
	w.Write(wrap([]byte(payload)))
}

// Every broken producer is a failure of its kind: deny gives an *Error
// whose message names the generator and the kind and quotes nothing from
// the answer; fallback gives "" (the emulator generates). Both are counted
// under the kind.
func TestFailureModes(t *testing.T) {
	t.Parallel()
	for _, b := range broken {
		srv := httptest.NewServer(b.handler)
		t.Cleanup(srv.Close)
		for _, mode := range []producer.Failure{producer.FailDeny, producer.FailFallback} {
			t.Run(b.kind+"/"+string(mode), func(t *testing.T) {
				t.Parallel()
				mets := metrics.NewEmulator()
				c := client(t, producer.Config{IDGeneratorURL: srv.URL, Failure: mode, Timeout: 100 * time.Millisecond, Metrics: mets})
				id, err := c.EntitlementID(context.Background(), testEnt)
				if id != "" {
					t.Fatalf("a broken producer gave an ID")
				}
				if mode == producer.FailFallback {
					if err != nil {
						t.Fatalf("fallback: %v", err)
					}
				} else {
					var pe *producer.Error
					if !errors.As(err, &pe) || pe.Kind != b.kind || pe.Service != producer.IDGenerator || pe.Operation != producer.OpEntitlementID {
						t.Fatalf("deny: %#v, want kind %s", err, b.kind)
					}
					msg := err.Error()
					if !strings.Contains(msg, "ID generator") || !strings.Contains(msg, b.kind) {
						t.Errorf("the message does not name the generator and the kind: %s", msg)
					}
					if strings.Contains(msg, "SECRET") {
						t.Errorf("the message quotes the answer: %s", msg)
					}
				}
				if mets.Producer.Count(producer.IDGenerator, producer.OpEntitlementID, b.kind) != 1 {
					t.Errorf("not counted under %s", b.kind)
				}
			})
		}
	}
}

// The licence generator's own ways of giving no licence.
func TestLicenseFailures(t *testing.T) {
	t.Parallel()
	for kind, payload := range map[string]string{
		"incomplete": `<GeneratorResponse xmlns="urn:com.flexnet.external.type" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><binaryLicense xsi:nil="true"/><complete>false</complete><licenseFileName xsi:nil="true"/><licenseText>x</licenseText><message>later</message></GeneratorResponse>`,
		"empty":      `<GeneratorResponse xmlns="urn:com.flexnet.external.type" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><binaryLicense>AAEC</binaryLicense><complete>true</complete><licenseFileName xsi:nil="true"/><licenseText xsi:nil="true"/><message xsi:nil="true"/></GeneratorResponse>`,
		"invalid":    `<GeneratorResponse xmlns="urn:com.flexnet.external.type"><complete>true</complete><licenseText>x</licenseText></GeneratorResponse>`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { answer(w, payload) }))
		t.Cleanup(srv.Close)
		c := client(t, producer.Config{LicenseGeneratorURL: srv.URL})
		var pe *producer.Error
		if _, err := c.LicenseText(context.Background(), testFul); !errors.As(err, &pe) || pe.Kind != kind || !strings.Contains(err.Error(), "licence generator") {
			t.Errorf("%s: %v", kind, err)
		}
		// The ID generator is not configured: the emulator makes IDs.
		if id, err := c.FulfillmentID(context.Background(), testFul); id != "" || err != nil {
			t.Errorf("unconfigured ID generator: %q, %v", id, err)
		}
	}
}

// A slow reference (latency above the client's timeout) is a timeout; the
// caller's own context ending is its error, whatever the mode.
func TestLatencyAndCancel(t *testing.T) {
	t.Parallel()
	_, _, url := reference(t, producer.ReferenceConfig{Latency: 5 * time.Second})
	c := client(t, producer.Config{IDGeneratorURL: url, Timeout: 50 * time.Millisecond, Failure: producer.FailFallback})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.EntitlementID(ctx, testEnt); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled caller: %v", err)
	}
	d := client(t, producer.Config{IDGeneratorURL: url, Timeout: 50 * time.Millisecond})
	var pe *producer.Error
	if _, err := d.EntitlementID(context.Background(), testEnt); !errors.As(err, &pe) || pe.Kind != "timeout" {
		t.Fatalf("slow producer: %v", err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]producer.Config{
		"no URL":          {},
		"relative":        {IDGeneratorURL: "/ids"},
		"ftp":             {LicenseGeneratorURL: "ftp://127.0.0.1/x"},
		"remote":          {IDGeneratorURL: "http://producer.example.com/ids"},
		"remote licences": {IDGeneratorURL: "http://127.0.0.1/ids", LicenseGeneratorURL: "https://10.0.0.1/lic"},
		"negative":        {IDGeneratorURL: "http://127.0.0.1/ids", Timeout: -1},
		"negative size":   {IDGeneratorURL: "http://127.0.0.1/ids", MaxBody: -1},
		"mode":            {IDGeneratorURL: "http://127.0.0.1/ids", Failure: "allow"},
	} {
		if _, err := producer.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "producer.example.com") {
			t.Errorf("%s: the error echoes the URL: %v", name, err)
		}
	}
	for name, cfg := range map[string]producer.Config{
		"localhost":    {IDGeneratorURL: "http://localhost:1/ids"},
		"ipv6":         {LicenseGeneratorURL: "http://[::1]:1/lic"},
		"allow remote": {IDGeneratorURL: "https://producer.example.com/ids", AllowRemote: true},
	} {
		if _, err := producer.New(cfg); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, s := range []string{"deny", "fallback"} {
		if _, err := producer.ParseFailure(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	if _, err := producer.ParseFailure("allow"); err == nil {
		t.Error("allow accepted as a failure mode")
	}
	for name, cfg := range map[string]producer.ReferenceConfig{
		"bad prefix": {Prefix: "A/B"},
		"latency":    {Latency: time.Hour},
		"negative":   {Latency: -1},
	} {
		if _, err := producer.NewReference(cfg); err == nil {
			t.Errorf("reference %s: accepted", name)
		}
	}
}

// A nil client is "no producer": the handlers can hold it in their
// interface unconditionally.
func TestNilClient(t *testing.T) {
	t.Parallel()
	var c *producer.Client
	var p entitlements.Producer = c
	ctx := context.Background()
	for name, call := range map[string]func() (string, error){
		"entitlement": func() (string, error) { return p.EntitlementID(ctx, testEnt) },
		"line item":   func() (string, error) { return p.LineItemID(ctx, testEnt, testItem) },
		"key":         func() (string, error) { return p.WebRegKey(ctx, testBulk, testKey) },
		"fulfillment": func() (string, error) { return p.FulfillmentID(ctx, testFul) },
		"licence":     func() (string, error) { return p.LicenseText(ctx, testFul) },
	} {
		if v, err := call(); v != "" || err != nil {
			t.Errorf("%s: %q, %v", name, v, err)
		}
	}
}

// The SOAP header credential style puts UserId in the envelope, and the
// payload stays valid.
func TestHeaderCredentials(t *testing.T) {
	t.Parallel()
	_, rec, url := reference(t, producer.ReferenceConfig{})
	c := client(t, producer.Config{IDGeneratorURL: url, Credentials: soap.SOAPHeader("fno", "s3cret")})
	if _, err := c.FulfillmentID(context.Background(), testFul); err != nil {
		t.Fatal(err)
	}
	ex := rec.exchanges()[0]
	if !bytes.Contains(ex.request, []byte("UserId")) || ex.header.Get("Authorization") != "" {
		t.Errorf("header credentials not in the envelope:\n%s", ex.request)
	}
	validEnvelope(t, producer.IDGenerator, "request with header credentials", ex.request)
}
