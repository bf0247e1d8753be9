package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// putFaults replaces the rules through the admin endpoint, as a user would.
func (ts *testServer) putFaults(t *testing.T, f Faults) {
	t.Helper()
	b, _ := json.Marshal(f)
	req, _ := http.NewRequest(http.MethodPut, ts.http.URL+AdminFaults, bytes.NewReader(b))
	req.SetBasicAuth(testUser, testPassword)
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT faults: %d %s", resp.StatusCode, body)
	}
}

func (ts *testServer) count(t *testing.T, o contract.Operation) (*http.Response, []byte) {
	t.Helper()
	return ts.post(t, o.Endpoint(), envelope(t, o, `<urn:countDevicesRequest/>`, soap.Credentials{}), true)
}

// Each drift mode turns a response that validates into one that does not,
// and says so in X-Fnokit-Fault; a rule scoped to another operation or
// version leaves the response alone.
func TestDriftBreaksTheSchema(t *testing.T) {
	t.Parallel()
	for _, mode := range DriftModes {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, nil, nil)
			schema := schemaOf(t, "ManageDeviceService", "v7")

			_, clean := ts.count(t, v7)
			if fs, err := schema.ValidateEnvelope(clean); err != nil || len(fs) != 0 {
				t.Fatalf("the clean response does not validate: %v %v\n%s", err, fs, clean)
			}

			ts.putFaults(t, Faults{Rules: []FaultRule{
				{Service: "ManageDeviceService", Version: "v6", Operation: "countDevices", Drift: mode},
				{Service: "ManageDeviceService", Version: "v7", Operation: "searchDevices", Drift: mode},
			}})
			resp, body := ts.count(t, v7)
			if h := resp.Header.Get(HeaderFault); h != "" {
				t.Errorf("out-of-scope rule applied: %s", h)
			}
			if !bytes.Equal(body, clean) {
				t.Errorf("out-of-scope rule changed the response:\n%s", body)
			}

			ts.putFaults(t, Faults{Rules: []FaultRule{{Service: "ManageDeviceService", Version: "v7", Operation: "countDevices", Drift: mode}}})
			resp, drifted := ts.count(t, v7)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if got := resp.Header.Get(HeaderFault); got != "drift="+string(mode) {
				t.Errorf("%s = %q", HeaderFault, got)
			}
			if _, err := soap.Parse(bytes.NewReader(drifted), xmltree.Limits{}); err != nil {
				t.Fatalf("drifted response is no longer an envelope: %v", err)
			}
			fs, err := schema.ValidateEnvelope(drifted)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) == 0 {
				t.Errorf("drift %s left a valid response:\n%s", mode, drifted)
			}
		})
	}
}

// Drift applies to any operation: the modes that need something specific
// (an enum, a typed leaf) fall back or say they could not apply.
func TestDriftOnMinimalResponse(t *testing.T) {
	t.Parallel()
	m, err := testModel("ManageDeviceService", "v7")
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range DriftModes {
		root := &xmltree.Node{Name: xmltree.Name{Space: v7.Namespace(), Local: "countDevicesResponse"}, Children: []*xmltree.Node{
			{Name: xmltree.Name{Space: v7.Namespace(), Local: "statusInfo"}, Children: []*xmltree.Node{
				{Name: xmltree.Name{Space: v7.Namespace(), Local: "status"}, Text: "SUCCESS"}}}}}
		before := xmltree.Canonical(root)
		applied := applyDrift(mode, root, m, "urn:v6.fne.webservices.operations.flexnet.com")
		if !applied {
			t.Errorf("%s did not apply", mode)
			continue
		}
		if bytes.Equal(before, xmltree.Canonical(root)) {
			t.Errorf("%s applied but changed nothing", mode)
		}
		fs, err := schemaOf(t, "ManageDeviceService", "v7").ValidatePayload(root.Bytes(xmltree.EncodeOptions{}))
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) == 0 {
			t.Errorf("%s left the minimal response valid", mode)
		}
	}
}

func TestInjectedErrors(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil, nil)

	ts.putFaults(t, Faults{Rules: []FaultRule{{Service: "ManageDeviceService", ErrorRate: 1}}})
	resp, body := ts.count(t, v7)
	if resp.StatusCode != 500 || resp.Header.Get(HeaderFault) != "error=soap-fault" {
		t.Fatalf("soap-fault: %d %q", resp.StatusCode, resp.Header.Get(HeaderFault))
	}
	if f, problem, _ := parseFault(t, body); problem != ProblemInjected || f.Code != "soapenv:Server" {
		t.Errorf("injected fault: %s %s", f.Code, problem)
	}

	ts.putFaults(t, Faults{Rules: []FaultRule{{ErrorRate: 1, Error: ErrorHTTP500}}})
	resp, body = ts.count(t, v7)
	if resp.StatusCode != 500 || bytes.Contains(body, []byte("Envelope")) {
		t.Errorf("http-500: %d %s", resp.StatusCode, body)
	}

	// A seeded rate gives the same sequence each time the rules are set,
	// and a mix of answers.
	run := func() []int {
		ts.putFaults(t, Faults{Seed: 42, Rules: []FaultRule{{ErrorRate: 0.5}}})
		var out []int
		for range 24 {
			resp, _ := ts.count(t, v7)
			out = append(out, resp.StatusCode)
		}
		return out
	}
	first, second := run(), run()
	if !slices.Equal(first, second) {
		t.Errorf("same seed, different faults:\n%v\n%v", first, second)
	}
	if !slices.Contains(first, 200) || !slices.Contains(first, 500) {
		t.Errorf("rate 0.5 gave only one kind of answer: %v", first)
	}
}

// The plan's arithmetic: fixed latency plus jitter within bounds, summed
// over matching rules, and reproducible by seed. (No clock involved.)
func TestLatencyPlan(t *testing.T) {
	t.Parallel()
	f := Faults{Seed: 7, Rules: []FaultRule{
		{Latency: Duration(100 * time.Millisecond), Jitter: Duration(50 * time.Millisecond)},
		{Service: "ManageDeviceService", Operation: "searchDevices", Latency: Duration(time.Second)},
		{Service: "LicenseService", Latency: Duration(time.Minute)},
	}}
	in, err := newInjector(f)
	if err != nil {
		t.Fatal(err)
	}
	var delays []time.Duration
	distinct := map[time.Duration]bool{}
	for range 50 {
		d := in.plan("ManageDeviceService", "v7", "searchDevices").delay
		if d < 1100*time.Millisecond || d >= 1150*time.Millisecond {
			t.Fatalf("delay %s outside [1.1s, 1.15s)", d)
		}
		delays = append(delays, d)
		distinct[d] = true
	}
	if len(distinct) < 2 {
		t.Error("jitter never varied")
	}
	in.set(f)
	for i := range 50 {
		if d := in.plan("ManageDeviceService", "v7", "searchDevices").delay; d != delays[i] {
			t.Fatalf("reseeded plan %d: %s, want %s", i, d, delays[i])
		}
	}
	if d := in.plan("ManageDeviceService", "v7", "countDevices").delay; d < 100*time.Millisecond || d >= 150*time.Millisecond {
		t.Errorf("other operation: %s", d)
	}
}

// A latency rule delays the answer but does not change it.
func TestLatencyInjected(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil, func(c *Config) {
		c.Faults = Faults{Rules: []FaultRule{{Latency: Duration(time.Millisecond), Jitter: Duration(time.Millisecond)}}}
	})
	resp, body := ts.count(t, v7)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("SUCCESS")) {
		t.Errorf("with latency: %d\n%s", resp.StatusCode, body)
	}
}

func TestAdminEndpoint(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil, nil)
	call := func(method, body string, auth bool) (int, string) {
		req, _ := http.NewRequest(method, ts.http.URL+AdminFaults, strings.NewReader(body))
		if auth {
			req.SetBasicAuth(testUser, testPassword)
		}
		resp, b := do(t, req)
		return resp.StatusCode, string(b)
	}
	if code, _ := call(http.MethodGet, "", false); code != http.StatusUnauthorized {
		t.Errorf("GET without credentials: %d", code)
	}
	if code, _ := call(http.MethodPut, `{"rules":[]}`, false); code != http.StatusUnauthorized {
		t.Errorf("PUT without credentials: %d", code)
	}
	good := `{"seed":3,"rules":[{"service":"ManageDeviceService","version":"v7","operation":"searchDevices","latency":"20ms","jitter":"5ms","errorRate":0.1,"error":"http-500","drift":"rename","driftRate":0.5}]}`
	if code, body := call(http.MethodPut, good, true); code != http.StatusOK {
		t.Fatalf("PUT: %d %s", code, body)
	}
	code, body := call(http.MethodGet, "", true)
	var got Faults
	if err := json.Unmarshal([]byte(body), &got); err != nil || code != 200 {
		t.Fatalf("GET: %d %v", code, err)
	}
	want := FaultRule{Service: "ManageDeviceService", Version: "v7", Operation: "searchDevices", Latency: Duration(20 * time.Millisecond),
		Jitter: Duration(5 * time.Millisecond), ErrorRate: 0.1, Error: ErrorHTTP500, Drift: DriftRename, DriftRate: 0.5}
	if got.Seed != 3 || len(got.Rules) != 1 || got.Rules[0] != want {
		t.Errorf("GET after PUT: %+v", got)
	}
	if !strings.Contains(body, `"latency": "20ms"`) {
		t.Errorf("durations are not written as Go durations: %s", body)
	}

	bad := []struct{ body, mention string }{
		{`{"rules":[{"service":"NoSuchService"}]}`, "no service"},
		{`{"rules":[{"service":"ManageDeviceService","version":"v99"}]}`, "no version"},
		{`{"rules":[{"service":"ManageDeviceService","version":"base","operation":"zeroCountAddonLineItems"}]}`, "no operation"},
		{`{"rules":[{"operation":"searchDevices"}]}`, "needs its service"},
		{`{"rules":[{"drift":"sideways"}]}`, "rename"},
		{`{"rules":[{"error":"teapot"}]}`, "http-500"},
		{`{"rules":[{"errorRate":2}]}`, "between 0 and 1"},
		{`{"rules":[{"latency":"-1s"}]}`, "negative"},
		{`{"rules":[{"latency":"10h"}]}`, "limit"},
		{`{"rules":[{"latency":"soon"}]}`, "150ms"},
		{`{"rules":[{"latncy":"1s"}]}`, "unknown field"},
		{`{not json`, "not JSON"},
	}
	for _, c := range bad {
		code, body := call(http.MethodPut, c.body, true)
		if code != http.StatusBadRequest || !strings.Contains(body, c.mention) {
			t.Errorf("PUT %s: %d %s, want 400 mentioning %q", c.body, code, body, c.mention)
		}
	}
	// The bad PUTs left the good rules in force.
	if _, body := call(http.MethodGet, "", true); !strings.Contains(body, "searchDevices") {
		t.Errorf("a refused PUT changed the rules: %s", body)
	}
	if code, body := call(http.MethodDelete, "", true); code != 200 || strings.Contains(body, "searchDevices") {
		t.Errorf("DELETE: %d %s", code, body)
	}
	if code, _ := call(http.MethodPost, "{}", true); code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", code)
	}
}
