package emulator

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/callout"
	"github.com/fnokit/fnokit/internal/emulator/calloutclient"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// capabilityEnvelope asks for a capability response for a CLIENT host
// the data set does not have, so the emulator registers it (finalizeHost).
// deviceID may end in |<ID type> (default STRING).
func capabilityEnvelope(deviceID string) string {
	deviceID, idType, ok := strings.Cut(deviceID, "|")
	if !ok {
		idType = "STRING"
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<generateCapabilityResponseRequest xmlns="urn:v7.fne.webservices.operations.flexnet.com">
<device><deviceIdentifier><deviceType>CLIENT</deviceType><deviceId>` + deviceID + `</deviceId><deviceIdType>` + idType + `</deviceIdType></deviceIdentifier></device>
</generateCapabilityResponseRequest></soapenv:Body></soapenv:Envelope>`
}

// capabilityCall posts generateCapabilityResponse and returns the response,
// its body and the statusInfo status.
func capabilityCall(t testing.TB, e *Emulator, deviceID string) (*http.Response, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.URL()+"/flexnet/services/v7/ManageDeviceService", strings.NewReader(capabilityEnvelope(deviceID)))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(DefaultUser, DefaultPassword)
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`<(?:\w+:)?status>([A-Z_]+)</`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no statusInfo status in the answer (HTTP %d)", resp.StatusCode)
	}
	return resp, string(b), string(m[1])
}

// referenceCallout serves the reference callout with rules that deny
// creating hosts named BLOCKED-… and access to hosts named REVOKED-….
func referenceCallout(t testing.TB, latency time.Duration) string {
	t.Helper()
	s, err := callout.NewServer(callout.Config{Latency: latency, Rules: callout.Rules{
		FinalizeHost: callout.FinalizeHostRules{DenyCreateHostIDPrefixes: []string{"BLOCKED-"}, HostType: "FLX_CLIENT"},
		CheckAccess:  callout.CheckAccessRules{DenyAccessHostIDPrefixes: []string{"REVOKED-"}},
		FinalizeResponse: callout.FinalizeResponseRules{Lifetime: ptr(int64(3600)),
			VendorDictionary: callout.VendorDictionary{"SITE": "north"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts.URL
}

func ptr[T any](v T) *T { return &v }

var serverTiming = regexp.MustCompile(`^callout;dur=\d+\.\d{3}$`)

func TestCalloutDecides(t *testing.T) {
	t.Parallel()
	e := start(t, Config{Callout: calloutclient.Config{URL: referenceCallout(t, 0), HostDetails: true, AddOnDetails: true}})
	for _, tc := range []struct {
		device, status, reason string
	}{
		{"ALLOWED-1", "SUCCESS", ""},
		{"BLOCKED-1", "FAILURE", "denied creating this host"},
		{"REVOKED-1", "FAILURE", "denied this host access"},
	} {
		t.Run(tc.device, func(t *testing.T) {
			resp, body, status := capabilityCall(t, e, tc.device)
			if status != tc.status {
				t.Fatalf("status %s, want %s", status, tc.status)
			}
			if tc.reason != "" && !strings.Contains(body, tc.reason) {
				t.Errorf("the FAILURE does not say %q", tc.reason)
			}
			if st := resp.Header.Get("Server-Timing"); !serverTiming.MatchString(st) {
				t.Errorf("Server-Timing %q, want callout;dur=<ms with 3 decimals>", st)
			}
		})
	}
	// The denied host was not created; the allowed one was, with the
	// callout's lifetime and vendor dictionary in its capability response.
	_, body, _ := capabilityCall(t, e, "ALLOWED-1")
	if !strings.Contains(body, "addonLicense") {
		t.Error("no capability response for the allowed host")
	}
	if got := e.Metrics().Callout.Count(string(callout.FinalizeHost), "ok"); got < 4 {
		t.Errorf("finalizeHost callouts counted %d, want at least 4", got)
	}
}

func TestCalloutOffMeansNoTiming(t *testing.T) {
	t.Parallel()
	e := start(t, Config{})
	resp, _, status := capabilityCall(t, e, "ANY-1")
	if status != "SUCCESS" {
		t.Fatalf("status %s without a callout", status)
	}
	if st := resp.Header.Get("Server-Timing"); st != "" {
		t.Errorf("Server-Timing %q without a callout", st)
	}
}

// misbehaving answers every trigger point with body (or hangs until the
// caller leaves when body is "").
func misbehaving(t *testing.T, body string) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the server notices a caller leaving only once the body is read
		if body == "" {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second): // bound the hang if the caller's timeout failed
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestCalloutFailureModes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		kind       string
	}{
		{"timeout", "", "timeout"},
		{"not-json", "{not json", "invalid"},
		{"disallowed-action", `{"hostActions":{"denyAccess":true}}`, "not-allowed"}, // denyAccess is checkAccess only
		{"schema-invalid", `{"responseActions":{"lifetime":"soon"}}`, "invalid"},
	} {
		for _, mode := range []calloutclient.FailureMode{calloutclient.FailDeny, calloutclient.FailAllow} {
			t.Run(tc.name+"/"+string(mode), func(t *testing.T) {
				t.Parallel()
				url := misbehaving(t, tc.body)
				// Only the hanging callout should time out, even on a
				// loaded machine.
				timeout := 10 * time.Second
				if tc.body == "" {
					timeout = 50 * time.Millisecond
				}
				e := start(t, Config{Callout: calloutclient.Config{URL: url, Timeout: timeout, Failure: mode,
					Triggers: []callout.TriggerPoint{callout.FinalizeHost}}})
				resp, body, status := capabilityCall(t, e, "DEVICE-"+tc.name)
				want := "SUCCESS"
				if mode == calloutclient.FailDeny {
					want = "FAILURE"
					if !strings.Contains(body, "("+tc.kind+")") {
						t.Errorf("the FAILURE does not name the failure kind %s", tc.kind)
					}
				}
				if status != want {
					t.Fatalf("status %s, want %s", status, want)
				}
				if !serverTiming.MatchString(resp.Header.Get("Server-Timing")) {
					t.Error("no Server-Timing for a failed callout")
				}
				if got := e.Metrics().Callout.Count(string(callout.FinalizeHost), tc.kind); got != 1 {
					t.Errorf("callouts counted with outcome %s: %d, want 1", tc.kind, got)
				}
			})
		}
	}
}

func TestMetricsEndpoint(t *testing.T) {
	t.Parallel()
	e := start(t, Config{Callout: calloutclient.Config{URL: referenceCallout(t, 0)}})
	capabilityCall(t, e, "METRICS-1")
	resp, body := get(t, e.URL()+"/metrics")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`fnokit_emulator_requests_total{service="ManageDeviceService",version="v7",operation="generateCapabilityResponse",outcome="ok"} 1`,
		`fnokit_emulator_request_duration_seconds_count{service="ManageDeviceService",version="v7",operation="generateCapabilityResponse"} 1`,
		`fnokit_emulator_callout_duration_seconds_count{trigger="finalizeResponse",outcome="ok"} 1`,
	} {
		if !bytes.Contains(body, []byte(want+"\n")) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

}

// TestCalloutRequestsAreDocumented checks every request the emulator sends
// against the request schema and the detail settings.
func TestCalloutRequestsAreDocumented(t *testing.T) {
	t.Parallel()
	for _, d := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		t.Run(fmt.Sprintf("host=%v,addon=%v", d[0], d[1]), func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			seen := map[string]int{}
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				fs, err := callout.ValidateRequest(body)
				if err == nil && len(fs) == 0 {
					fs, err = callout.ValidateDetails(body, d[0], d[1])
				}
				if err != nil || len(fs) > 0 {
					t.Errorf("%s: request breaks the contract: %v %v", r.URL.Path, err, fs)
				}
				mu.Lock()
				seen[path.Base(r.URL.Path)]++
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, "{}")
			}))
			t.Cleanup(ts.Close)
			e := start(t, Config{Callout: calloutclient.Config{URL: ts.URL, HostDetails: d[0], AddOnDetails: d[1]}})
			// An existing device with add-ons, so addOnInfo is not empty.
			var id string
			devs, err := e.Store().Devices(state.DeviceQuery{}, state.Page{})
			if err != nil {
				t.Fatal(err)
			}
			for _, dev := range devs {
				if dev.Class == "CLIENT" && len(dev.AddOns) > 0 {
					id = dev.DeviceID + "|" + string(dev.IDType)
					break
				}
			}
			for _, dev := range []string{"NEW-HOST-1", id} {
				if dev == "" {
					continue
				}
				if _, _, status := capabilityCall(t, e, dev); status != "SUCCESS" {
					t.Errorf("%s: status %s", dev, status)
				}
			}
			for _, tp := range callout.TriggerPoints() {
				if seen[string(tp)] == 0 {
					t.Errorf("no call at %s", tp)
				}
			}
		})
	}
}

func TestCalloutConfigRefused(t *testing.T) {
	t.Parallel()
	for _, cfg := range []calloutclient.Config{
		{URL: "http://example.com:8090"},
		{URL: "ftp://127.0.0.1/"},
		{URL: "http://127.0.0.1:1", Failure: "maybe"},
		{URL: "http://127.0.0.1:1", Triggers: []callout.TriggerPoint{"sometimes"}},
	} {
		if _, err := Start(context.Background(), Config{Sizes: small, Callout: cfg}); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
