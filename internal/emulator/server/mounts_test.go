package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/metrics"
)

// named answers its own name, so a test sees which mount served it.
func named(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Mount", name)
		w.WriteHeader(http.StatusAccepted)
	})
}

func restServer(t *testing.T, mets *metrics.Emulator) *testServer {
	return newTestServer(t, nil, func(c *Config) {
		c.Metrics = mets
		// Listed short prefix first: routing must not depend on the order.
		c.Mounts = []Mount{
			{Prefix: "/flexnet/operations/", API: "application", Handler: named("application")},
			{Prefix: "/flexnet/operations/extracts", API: "extracts", Handler: named("extracts")},
			{Prefix: "/data/api/", API: "data-access", Handler: named("data-access")},
		}
	})
}

func (ts *testServer) get(t *testing.T, path string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := do(t, req)
	return resp
}

func TestMountsLongestPrefixWins(t *testing.T) {
	t.Parallel()
	mets := metrics.NewEmulator()
	ts := restServer(t, mets)
	cases := map[string]string{
		"/flexnet/operations/manageDevice/devices": "application",
		"/flexnet/operations/extracts":             "extracts",
		"/flexnet/operations/extracts/17/file":     "extracts",
		"/data/api/v1/report/device":               "data-access",
	}
	for path, want := range cases {
		for range 3 { // map order used to decide; ask more than once
			if got := ts.get(t, path).Header.Get("X-Mount"); got != want {
				t.Errorf("%s served by %q, want %q", path, got, want)
			}
		}
	}
	if got := mets.RESTRequests.Value("extracts", "GET", "202"); got != 6 {
		t.Errorf("extracts GET 202 counted %v times, want 6", got)
	}
	if got := mets.RESTLatency.Count("data-access"); got != 3 {
		t.Errorf("data-access latency observed %d times, want 3", got)
	}
}

func TestMountsRejectBadConfig(t *testing.T) {
	t.Parallel()
	h := named("x")
	for name, ms := range map[string][]Mount{
		"no slash":  {{Prefix: "data/", API: "a", Handler: h}},
		"no name":   {{Prefix: "/data/", Handler: h}},
		"star name": {{Prefix: "/data/", API: "*", Handler: h}},
		"twice":     {{Prefix: "/d/", API: "a", Handler: h}, {Prefix: "/d/", API: "b", Handler: h}},
		"nil":       {{Prefix: "/d/", API: "a"}},
	} {
		if _, err := sortMounts(ms); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestRESTFaults(t *testing.T) {
	t.Parallel()
	mets := metrics.NewEmulator()
	ts := restServer(t, mets)

	ts.putFaults(t, Faults{Rules: []FaultRule{{API: "extracts", Path: "/flexnet/operations/extracts/", ErrorRate: 1}}})
	if resp := ts.get(t, "/flexnet/operations/extracts/1"); resp.StatusCode != 500 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("injected REST error: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp := ts.get(t, "/flexnet/operations/extracts"); resp.StatusCode != 202 {
		t.Errorf("path outside the rule's prefix got %d", resp.StatusCode)
	}
	if resp := ts.get(t, "/data/api/v1/x"); resp.StatusCode != 202 {
		t.Errorf("other API got %d", resp.StatusCode)
	}
	if resp, _ := ts.count(t, v7); resp.StatusCode != 200 {
		t.Errorf("a REST rule touched SOAP: %d", resp.StatusCode)
	}
	if got := mets.Faults.Value("http-500"); got != 1 {
		t.Errorf("injected http-500 counted %v, want 1", got)
	}
	if got := mets.RESTRequests.Value("extracts", "GET", "500"); got != 1 {
		t.Errorf("REST 500 counted %v, want 1", got)
	}

	ts.putFaults(t, Faults{Rules: []FaultRule{{API: "*", Latency: Duration(time.Millisecond)}}})
	ts.get(t, "/data/api/v1/x")
	if got := mets.Faults.Value("latency"); got != 1 {
		t.Errorf("injected latency counted %v, want 1", got)
	}
	// A SOAP rule (no api) leaves REST alone.
	ts.putFaults(t, Faults{Rules: []FaultRule{{ErrorRate: 1}}})
	if resp := ts.get(t, "/data/api/v1/x"); resp.StatusCode != 202 {
		t.Errorf("a SOAP rule touched REST: %d", resp.StatusCode)
	}
}

func TestRESTFaultRulesValidated(t *testing.T) {
	t.Parallel()
	ts := restServer(t, nil)
	for name, r := range map[string]FaultRule{
		"unknown api":     {API: "nope", ErrorRate: 1},
		"drift on rest":   {API: "extracts", Drift: DriftRename},
		"soap-fault":      {API: "extracts", ErrorRate: 1, Error: ErrorSOAPFault},
		"service on rest": {API: "extracts", Service: "ManageDeviceService"},
		"path alone":      {Path: "/data/", ErrorRate: 1},
	} {
		err := ts.SetFaults(Faults{Rules: []FaultRule{r}})
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if name == "unknown api" && !strings.Contains(err.Error(), "data-access") {
			t.Errorf("unknown api: %v does not list the APIs served", err)
		}
	}
}

func TestOverloadCountedPerAPI(t *testing.T) {
	t.Parallel()
	mets := metrics.NewEmulator()
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	ts := newTestServer(t, nil, func(c *Config) {
		c.Metrics, c.MaxInFlight = mets, 1
		c.Mounts = []Mount{{Prefix: "/data/api/", API: "data-access", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			started <- struct{}{}
			<-release
		})}}
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequest(http.MethodGet, ts.http.URL+"/data/api/slow", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	if resp := ts.get(t, "/data/api/v1/x"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("over the cap: %d", resp.StatusCode)
	}
	if resp, _ := ts.count(t, v7); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("SOAP over the cap: %d", resp.StatusCode)
	}
	close(release)
	<-done
	if got := mets.RESTRequests.Value("data-access", "GET", "503"); got != 1 {
		t.Errorf("REST 503 counted %v, want 1", got)
	}
	if got := mets.Requests.Value("ManageDeviceService", "v7", "unknown", "rejected"); got != 1 {
		t.Errorf("SOAP 503 counted %v, want 1", got)
	}
}

func TestAdminHandlersNeedCredentials(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil, func(c *Config) {
		c.Admin = map[string]http.Handler{"tokens": named("tokens")}
	})
	if resp := ts.get(t, AdminPrefix+"tokens"); resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("X-Mount") != "" {
		t.Errorf("anonymous admin call: %d %q", resp.StatusCode, resp.Header.Get("X-Mount"))
	}
	req, _ := http.NewRequest(http.MethodGet, ts.http.URL+AdminPrefix+"tokens", nil)
	req.SetBasicAuth(testUser, testPassword)
	if resp, _ := do(t, req); resp.Header.Get("X-Mount") != "tokens" {
		t.Errorf("admin call with credentials: %d", resp.StatusCode)
	}
	if resp := ts.get(t, AdminPrefix+"nothing"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown admin path: %d", resp.StatusCode)
	}
}
