package fno

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/callout"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/calloutclient"
	"github.com/fnokit/fnokit/internal/emulator/server"
)

// createDevice is the JS of a createDevice call for a CLIENT device id.
// The keys are given out of schema order on purpose: the envelope must
// follow the schema's sequence whatever the object's order.
func createDevice(client, id string) string {
	return client + `.call('ManageDeviceService', 'createDevice', {device: {alias: 'made by k6', deviceIdentifier: {deviceIdType: 'STRING', deviceId: ` + jsString(id) + `, deviceType: 'CLIENT'}}})`
}

func searchDevice(client, id string) string {
	return client + `.call('ManageDeviceService', 'searchDevices', {batchSize: 10, pageNumber: 1, responseConfig: {status: true, name: true}, queryParams: {deviceId: {searchType: 'EQUALS', value: ` + jsString(id) + `}}})`
}

// The payload makes the round trip: a device created from a JS object is
// found by a second call, and the response's payload is a plain object
// whose repeatable elements are arrays.
func TestCallRoundTrip(t *testing.T) {
	t.Parallel()
	e := sharedEmulator(t)
	v := newVU(t, e.URL(), basicClient, vuConfig{})
	const id = "K6EXT-ROUNDTRIP-1"

	created := v.run(createDevice("client", id)).(map[string]any)
	if created["status"] != "SUCCESS" || num(created["httpStatus"]) != 200 || created["fault"] != nil || created["error"] != "" {
		t.Fatalf("createDevice = %v", created)
	}
	found := v.run(searchDevice("client", id)).(map[string]any)
	if found["status"] != "SUCCESS" {
		t.Fatalf("searchDevices = %v", found)
	}
	// What a script reads: payload.devices.device[0].deviceId.id.
	got := v.run(`(() => { const r = ` + searchDevice("client", id) + `;
		const d = r.payload.devices.device;
		return JSON.stringify({n: d.length, id: d[0].deviceId.id, name: d[0].name, isArray: Array.isArray(d), size: r.bodySize > 0}); })()`)
	var shape struct {
		N       int    `json:"n"`
		ID      string `json:"id"`
		Name    string `json:"name"`
		IsArray bool   `json:"isArray"`
		Size    bool   `json:"size"`
	}
	if err := json.Unmarshal([]byte(got.(string)), &shape); err != nil {
		t.Fatal(err)
	}
	if shape.N != 1 || shape.ID != id || shape.Name != "made by k6" || !shape.IsArray || !shape.Size {
		t.Errorf("device as the script sees it = %+v", shape)
	}

	samples := v.drain()
	ops := only(samples, MetricOperationDuration)
	if len(ops) != 3 {
		t.Fatalf("%d fno_operation_duration samples for 3 calls, want 3", len(ops))
	}
	for i, want := range []string{"createDevice", "searchDevices", "searchDevices"} {
		s := ops[i]
		if tag(s, TagService) != "ManageDeviceService" || tag(s, TagVersion) != "v7" || tag(s, TagOperation) != want {
			t.Errorf("fno_operation_duration[%d] tags = %v", i, s.Tags.Map())
		}
		if s.Value <= 0 {
			t.Errorf("fno_operation_duration[%d] = %v, want > 0", i, s.Value)
		}
	}
	// The requests went through k6: http_req_duration, http_reqs and
	// http_req_failed samples carry k6's system tags and ours.
	for _, name := range []string{"http_req_duration", "http_reqs", "http_req_failed"} {
		got := only(samples, name)
		if len(got) != 3 {
			t.Fatalf("%d %s samples, want 3", len(got), name)
		}
		s := got[0]
		if tag(s, "method") != "POST" || tag(s, "status") != "200" || tag(s, TagOperation) != "createDevice" ||
			tag(s, TagService) != "ManageDeviceService" || tag(s, TagVersion) != "v7" ||
			!strings.HasSuffix(tag(s, "url"), "/flexnet/services/v7/ManageDeviceService") {
			t.Errorf("%s tags = %v", name, s.Tags.Map())
		}
	}
	if n := sum(samples, "http_req_failed"); n != 0 {
		t.Errorf("http_req_failed = %v for successful calls", n)
	}
	for _, m := range []string{MetricSOAPFaults, MetricStatusFailures, MetricSchemaViolations} {
		if got := only(samples, m); len(got) != 0 {
			t.Errorf("%d %s samples for successful, unvalidated calls", len(got), m)
		}
	}
}

// A FAILURE status is counted, tagged with the status, and its failedData
// records reach the script.
func TestStatusFailureTagged(t *testing.T) {
	t.Parallel()
	e := sharedEmulator(t)
	v := newVU(t, e.URL(), basicClient, vuConfig{})
	const id = "K6EXT-TWICE-1"
	if r := v.run(createDevice("client", id)).(map[string]any); r["status"] != "SUCCESS" {
		t.Fatalf("first createDevice = %v", r)
	}
	v.drain()
	r := v.run(createDevice("client", id)).(map[string]any)
	if r["status"] != "FAILURE" || r["reason"] == "" || num(r["httpStatus"]) != 200 {
		t.Fatalf("second createDevice = %v", r)
	}
	fd, _ := r["failedData"].([]any)
	if len(fd) != 1 {
		t.Fatalf("failedData = %v, want one record", r["failedData"])
	}
	rec := fd[0].(map[string]any)
	if rec["element"] != "failedDevice" || rec["reason"] == "" || rec["path"] == "" {
		t.Errorf("failedData[0] = %v", rec)
	}
	dev, _ := rec["record"].(map[string]any)["device"].(map[string]any)
	if ident, _ := dev["deviceIdentifier"].(map[string]any); ident["deviceId"] != id {
		t.Errorf("failedData[0].record = %v, want the device that failed", rec["record"])
	}

	samples := v.drain()
	fails := only(samples, MetricStatusFailures)
	if len(fails) != 1 || fails[0].Value != 1 {
		t.Fatalf("fno_status_failures = %v, want one sample of 1", fails)
	}
	if tag(fails[0], TagStatus) != "FAILURE" || tag(fails[0], TagOperation) != "createDevice" || tag(fails[0], TagService) != "ManageDeviceService" {
		t.Errorf("fno_status_failures tags = %v", fails[0].Tags.Map())
	}
	// The FNO status tag is only on fno_status_failures: k6's own status
	// tag on http_req_* keeps the HTTP code.
	if st := tag(only(samples, "http_req_duration")[0], "status"); st != "200" {
		t.Errorf("http_req_duration status tag = %q, want the HTTP code", st)
	}
	if len(only(samples, MetricSOAPFaults)) != 0 {
		t.Error("a FAILURE status was counted as a SOAP fault")
	}
}

// SOAP faults are counted: an injected fault, and the emulator's answer to
// a request element the version does not have (sent as a raw string).
func TestSOAPFaultsCounted(t *testing.T) {
	t.Parallel()
	e := ownEmulator(t, emulator.Config{Faults: server.Faults{Rules: []server.FaultRule{
		{Service: "ManageDeviceService", Version: "v7", Operation: "countDevices", ErrorRate: 1, Error: server.ErrorSOAPFault},
	}}})
	v := newVU(t, e.URL(), basicClient, vuConfig{})
	for _, js := range []string{
		`client.call('ManageDeviceService', 'countDevices', {queryParams: {deviceId: {value: 'X', searchType: 'STARTS_WITH'}}})`,
		`client.call('ManageDeviceService', 'searchDevices', '<urn:noSuchRequest/>')`,
	} {
		r := v.run(js).(map[string]any)
		f, _ := r["fault"].(map[string]any)
		if f == nil || f["code"] == "" || num(r["httpStatus"]) != 500 || r["payload"] != nil || r["status"] != "" {
			t.Errorf("%s = %v, want a fault", js, r)
		}
	}
	samples := v.drain()
	if n := sum(samples, MetricSOAPFaults); n != 2 {
		t.Errorf("fno_soap_faults = %v, want 2", n)
	}
	for _, s := range only(samples, MetricSOAPFaults) {
		if tag(s, TagService) != "ManageDeviceService" || tag(s, TagVersion) != "v7" || tag(s, TagOperation) == "" {
			t.Errorf("fno_soap_faults tags = %v", s.Tags.Map())
		}
	}
	// k6 counts the HTTP 500s as failed requests, as k6/http would.
	if n := sum(samples, "http_req_failed"); n != 2 {
		t.Errorf("http_req_failed = %v, want 2", n)
	}
}

// fno_callout_duration is read from Server-Timing: from the emulator with
// a capability request callout, and from a server whose header holds
// several metrics.
func TestCalloutDuration(t *testing.T) {
	t.Parallel()
	cs, err := callout.NewServer(callout.Config{Latency: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(cs)
	t.Cleanup(ts.Close)
	e := ownEmulator(t, emulator.Config{Callout: calloutclient.Config{URL: ts.URL}})
	v := newVU(t, e.URL(), basicClient, vuConfig{})
	r := v.run(`client.call('ManageDeviceService', 'generateCapabilityResponse', {device: {deviceIdentifier: {deviceType: 'CLIENT', deviceId: 'K6EXT-CALLOUT-1', deviceIdType: 'STRING'}}})`).(map[string]any)
	if r["status"] != "SUCCESS" {
		t.Fatalf("generateCapabilityResponse = %v", r)
	}
	d, ok := r["calloutDuration"].(float64)
	if !ok || d <= 0 {
		t.Fatalf("calloutDuration = %v, want the Server-Timing callout time", r["calloutDuration"])
	}
	got := only(v.drain(), MetricCalloutDuration)
	if len(got) != 1 || got[0].Value != d || tag(got[0], TagOperation) != "generateCapabilityResponse" {
		t.Errorf("fno_callout_duration samples = %v, want one of %v ms", got, d)
	}

	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server-Timing", `db;dur=3, callout;desc="capability";dur=12.5`)
		w.Header().Set("Content-Type", "text/xml")
		w.Write([]byte(okSearchResponse))
	}))
	t.Cleanup(fake.Close)
	v = newVU(t, fake.URL, basicClient, vuConfig{})
	r = v.run(searchDevice("client", "X")).(map[string]any)
	if r["calloutDuration"] != 12.5 {
		t.Errorf("calloutDuration = %v, want 12.5", r["calloutDuration"])
	}
	if got := only(v.drain(), MetricCalloutDuration); len(got) != 1 || got[0].Value != 12.5 {
		t.Errorf("fno_callout_duration = %v, want one sample of 12.5", got)
	}
}

// k6's blockHostnames/blacklistIPs options hold for FNO calls: the dialer
// refuses, the result says why, and with throw on the call throws.
func TestBlockedHostsObeyed(t *testing.T) {
	t.Parallel()
	e := sharedEmulator(t)
	v := newVU(t, e.URL(), basicClient, vuConfig{blocked: []string{"127.0.0.0/8"}})
	r := v.run(searchDevice("client", "X")).(map[string]any)
	if msg, _ := r["error"].(string); !strings.Contains(msg, "blacklisted") || num(r["httpStatus"]) != 0 || num(r["errorCode"]) == 0 {
		t.Fatalf("call to a blocked IP = %v, want k6's blacklist error", r)
	}
	samples := v.drain()
	reqs := only(samples, "http_reqs")
	if len(reqs) != 1 || tag(reqs[0], "error_code") == "" {
		t.Errorf("http_reqs = %v, want one with an error_code tag", reqs)
	}
	if len(only(samples, MetricSOAPFaults)) != 0 || len(only(samples, MetricStatusFailures)) != 0 {
		t.Error("a refused connection was counted as an FNO answer")
	}

	v = newVU(t, e.URL(), basicClient, vuConfig{blocked: []string{"127.0.0.0/8"}, throw: true})
	if msg := v.runErr(searchDevice("client", "X")); !strings.Contains(msg, "blacklisted") {
		t.Errorf("with throw on, the call threw %q, want the blacklist error", msg)
	}
}

// Credentials travel as the script chose: a SOAP-header client succeeds,
// a wrong password is reported as refused credentials, and no result or
// error carries the password.
func TestAuthStyles(t *testing.T) {
	t.Parallel()
	e := sharedEmulator(t)
	const secret = "not-the-password-8c1f"
	v := newVU(t, e.URL(), `
		const hdr = new fno.Client({baseURL: BASE, auth: {soapHeader: {user: 'admin', password: 'admin'}}});
		const wrong = new fno.Client({baseURL: BASE, auth: {basic: {user: 'admin', password: '`+secret+`'}}});
		const wrongHdr = new fno.Client({baseURL: BASE, auth: {soapHeader: {user: 'admin', password: '`+secret+`'}}});`, vuConfig{})
	if r := v.run(searchDevice("hdr", "X")).(map[string]any); r["status"] != "SUCCESS" {
		t.Errorf("SOAP header credentials: %v", r)
	}
	for _, c := range []string{"wrong", "wrongHdr"} {
		js := searchDevice(c, "X")
		r := v.run(js).(map[string]any)
		if r["status"] == "SUCCESS" || (r["error"] == "" && r["fault"] == nil) {
			t.Errorf("%s: a wrong password was not reported: %v", c, r)
		}
		if out := v.run(`JSON.stringify(` + js + `)`).(string); strings.Contains(out, secret) {
			t.Errorf("%s: the result quotes the password: %s", c, out)
		}
	}
}

// call() outside a VU iteration, and mistakes in the script, throw with a
// message that names the mistake.
func TestCallScriptErrors(t *testing.T) {
	t.Parallel()
	e := sharedEmulator(t)
	v := newVU(t, e.URL(), basicClient+`
		let initErr = '';
		try { client.call('ManageDeviceService', 'searchDevices', {}); } catch (e) { initErr = String(e); }`, vuConfig{})
	if s := v.run(`initErr`).(string); !strings.Contains(s, "init context") {
		t.Errorf("call in the init context threw %q", s)
	}
	for _, c := range []struct{ js, want string }{
		{`client.call('NoSuchService', 'x', {})`, "unknown service"},
		{`client.call('ManageDeviceService', 'noSuchOperation', {})`, "has no operation"},
		{`client.call('ManageDeviceService', 'searchDevices', {noSuchElement: 1})`, "noSuchElement"},
		{`client.call('ManageDeviceService', 'searchDevices', [1, 2])`, "must be an object"},
		{`client.call('ManageDeviceService', 'searchDevices', {}, {version: 'v99'})`, "not a bundled service version"},
		{`client.call('ManageDeviceService', 'searchDevices', {}, {timeout: '-1s'})`, "params.timeout"},
		{`client.call('ManageDeviceService', 'searchDevices', {}, {colour: 'red'})`, "unknown key"},
	} {
		if msg := v.runErr(c.js); !strings.Contains(msg, c.want) {
			t.Errorf("%s threw %q, want it to mention %q", c.js, msg, c.want)
		}
	}
	if got := v.drain(); len(got) != 0 {
		t.Errorf("%d samples from calls that were never sent", len(got))
	}
}

// The version comes from params, then from the client's versions, then is
// the newest bundled one; tags from the client and the call reach k6.
func TestVersionsAndTags(t *testing.T) {
	t.Parallel()
	e := sharedEmulator(t)
	v := newVU(t, e.URL(), `
		const c = new fno.Client({baseURL: BASE, auth: {basic: {user: 'admin', password: 'admin'}}, versions: {ManageDeviceService: 'v6'}, tags: {team: 'perf'}});
		const latest = new fno.Client({baseURL: BASE, auth: {basic: {user: 'admin', password: 'admin'}}});`, vuConfig{})
	v.run(searchDevice("c", "X"))
	v.run(`c.call('ManageDeviceService', 'searchDevices', {batchSize: 1, pageNumber: 1}, {version: 'v7', tags: {scenario_step: 'probe'}})`)
	v.run(searchDevice("latest", "X"))
	reqs := only(v.drain(), "http_req_duration")
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	want := []struct{ version, url string }{{"v6", "/v6/"}, {"v7", "/v7/"}, {"v7", "/v7/"}}
	for i, w := range want {
		if tag(reqs[i], TagVersion) != w.version || !strings.Contains(tag(reqs[i], "url"), w.url) {
			t.Errorf("request %d: version %q url %q, want %s", i, tag(reqs[i], TagVersion), tag(reqs[i], "url"), w.version)
		}
	}
	if tag(reqs[0], "team") != "perf" || tag(reqs[1], "team") != "perf" || tag(reqs[1], "scenario_step") != "probe" || tag(reqs[2], "team") != "" {
		t.Errorf("custom tags: %v / %v / %v", reqs[0].Tags.Map(), reqs[1].Tags.Map(), reqs[2].Tags.Map())
	}
}

const okSearchResponse = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
	`<searchDevicesResponse xmlns="urn:v7.fne.webservices.operations.flexnet.com"><statusInfo><status>SUCCESS</status></statusInfo></searchDevicesResponse>` +
	`</soapenv:Body></soapenv:Envelope>`
