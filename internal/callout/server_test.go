package callout

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
)

func exampleRules(t testing.TB) Rules {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "rules.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := LoadRules(f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// noSleep records the delays instead of waiting for them.
type noSleep struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (n *noSleep) sleep(ctx context.Context, d time.Duration) error {
	n.mu.Lock()
	n.delays = append(n.delays, d)
	n.mu.Unlock()
	return ctx.Err()
}

func post(t testing.TB, h http.Handler, path, contentType, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// Every trigger point answers every valid request, with and without host
// and add-on details, with a response valid at that trigger point — with
// no rules and with every rule of the example.
func TestServerAnswersValid(t *testing.T) {
	t.Parallel()
	var bodies []string
	for _, f := range restSamples(t, "*.request.valid*.json") {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, string(b))
	}
	for _, s := range Samples() {
		bodies = append(bodies, string(s.Body))
	}
	// Hosts and add-ons the example's prefixes catch.
	bodies = append(bodies,
		`{"requestInfo":{},"hostInfo":{"id":"BLOCKED-1","idType":"STRING","hostClass":"CLIENT","hostType":"T"},"addOnInfo":[{"activationId":"EXPIRED-1"}]}`,
		`{"requestInfo":{},"hostInfo":{"id":"REVOKED-1","idType":"STRING","hostClass":"CLIENT","hostType":"T"},"addOnInfo":null,"statusList":null}`)
	for _, rules := range []struct {
		name  string
		rules Rules
	}{{"no rules", Rules{}}, {"example rules", exampleRules(t)}} {
		srv, err := NewServer(Config{Rules: rules.rules, Sleep: (&noSleep{}).sleep})
		if err != nil {
			t.Fatal(err)
		}
		for _, tp := range TriggerPoints() {
			for i, body := range bodies {
				rec := post(t, srv, "/base/path/"+string(tp), "application/json; charset=utf-8", body)
				if rec.Code != http.StatusOK || !isJSON(rec.Header().Get("Content-Type")) {
					t.Fatalf("%s %s body %d: %d %s\n%s", rules.name, tp, i, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
				}
				fs, err := ValidateResponse(tp, rec.Body.Bytes())
				if err != nil || len(fs) > 0 {
					t.Errorf("%s %s body %d: invalid answer %s: %v %v", rules.name, tp, i, rec.Body, fs, err)
				}
			}
		}
	}
}

// The rules do what they say at their trigger point.
func TestServerAppliesRules(t *testing.T) {
	t.Parallel()
	srv, err := NewServer(Config{Rules: exampleRules(t), Sleep: (&noSleep{}).sleep})
	if err != nil {
		t.Fatal(err)
	}
	req := func(host string, addOns ...string) string {
		r := SampleRequest(FinalizeResponse, false, false)
		r.HostInfo.ID = host
		r.AddOnInfo = nil
		for _, a := range addOns {
			r.AddOnInfo = append(r.AddOnInfo, AddOnInfo{ActivationID: a})
		}
		b, _ := json.Marshal(r)
		return string(b)
	}
	answer := func(tp TriggerPoint, body string) Response {
		rec := post(t, srv, "/"+string(tp), "application/json", body)
		var resp Response
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || rec.Code != 200 {
			t.Fatalf("%s: %d %v", tp, rec.Code, err)
		}
		return resp
	}
	if r := answer(FinalizeHost, req("BLOCKED-9")); r.HostActions == nil || !r.HostActions.DenyCreate ||
		r.HostActions.HostType == nil || *r.HostActions.HostType != "FLX_CLIENT" || *r.HostActions.EnterpriseID != 20 {
		t.Errorf("finalizeHost for a blocked host: %+v", r.HostActions)
	}
	if r := answer(FinalizeHost, req("dev1")); r.HostActions.DenyCreate {
		t.Error("finalizeHost denied a host no prefix matches")
	}
	if r := answer(CheckAccess, req("REVOKED-1")); r.HostActions == nil || !r.HostActions.DenyAccess {
		t.Errorf("checkAccess for a revoked host: %+v", r.HostActions)
	}
	if r := answer(CheckAccess, req("dev1")); r.HostActions != nil {
		t.Errorf("checkAccess for an ordinary host: %+v", r.HostActions)
	}
	r := answer(FinalizeResponse, req("dev1", "a1", "EXPIRED-2"))
	if r.ResponseActions == nil || *r.ResponseActions.Lifetime != 30 || len(r.AddOnActions) != 2 ||
		r.AddOnActions[0].Denied || !r.AddOnActions[1].Denied || !r.AddOnActions[0].SkipConfirmation {
		t.Errorf("finalizeResponse: %+v %+v", r.ResponseActions, r.AddOnActions)
	}
}

func TestServerBadInput(t *testing.T) {
	t.Parallel()
	srv, err := NewServer(Config{MaxBody: 4096, Sleep: (&noSleep{}).sleep})
	if err != nil {
		t.Fatal(err)
	}
	valid := string(Samples()[0].Body)
	const secret = "SECRET-42"
	for _, tc := range []struct {
		name, method, path, ct, body string
		status                       int
		findings                     []string
	}{
		{"malformed JSON", "POST", "/finalizeHost", "application/json", `{"requestInfo":` + secret, 400, []string{"json-malformed "}},
		{"empty body", "POST", "/checkAccess", "application/json", ``, 400, []string{"json-malformed "}},
		{"schema violation", "POST", "/finalizeResponse", "application/json",
			`{"requestInfo":{"offline":"` + secret + `"},"hostInfo":{"id":"","idType":"STRING","hostClass":"CLIENT","hostType":"T"}}`, 400,
			[]string{"json-schema-invalid /hostInfo/id", "json-schema-invalid /requestInfo/offline"}},
		{"missing hostInfo", "POST", "/finalizeHost", "application/json", `{"requestInfo":{}}`, 400, []string{"json-schema-invalid "}},
		{"wrong content type", "POST", "/finalizeHost", "text/plain", valid, 415, nil},
		{"no content type", "POST", "/finalizeHost", "", valid, 415, nil},
		{"too large", "POST", "/finalizeHost", "application/json", `{"x":"` + strings.Repeat("a", 5000) + `"}`, 413, nil},
		{"GET", "GET", "/finalizeHost", "application/json", ``, 405, nil},
		{"unknown trigger point", "POST", "/finalize", "application/json", valid, 404, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if tc.ct != "" {
				req.Header.Set("Content-Type", tc.ct)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			var e struct {
				Error    string             `json:"error"`
				Findings []contract.Finding `json:"findings"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Fatalf("error body is not JSON with an error message: %v %s", err, rec.Body)
			}
			var got []string
			for _, f := range e.Findings {
				got = append(got, f.Rule+" "+f.Location)
			}
			slices.Sort(got)
			if strings.Join(got, "|") != strings.Join(tc.findings, "|") {
				t.Errorf("findings %q, want %q", got, tc.findings)
			}
			if strings.Contains(rec.Body.String(), secret) {
				t.Errorf("the error echoes the payload: %s", rec.Body)
			}
		})
	}
}

// Every delay lies in [Latency, Latency+Jitter), the same seed gives the
// same delays, and jitter does vary them.
func TestServerLatencyBounds(t *testing.T) {
	t.Parallel()
	const latency, jitter = 5 * time.Millisecond, 2 * time.Millisecond
	run := func(seed int64) []time.Duration {
		ns := &noSleep{}
		srv, err := NewServer(Config{Latency: latency, Jitter: jitter, Seed: seed, Sleep: ns.sleep})
		if err != nil {
			t.Fatal(err)
		}
		body := string(Samples()[0].Body)
		for range 200 {
			if rec := post(t, srv, "/finalizeHost", "application/json", body); rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
		}
		return ns.delays
	}
	a, b, c := run(7), run(7), run(8)
	if len(a) != 200 {
		t.Fatalf("%d delays for 200 answers", len(a))
	}
	for _, d := range a {
		if d < latency || d >= latency+jitter {
			t.Fatalf("delay %s outside [%s, %s)", d, latency, latency+jitter)
		}
	}
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different delays")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds gave the same delays")
	}
	if slices.Min(a) == slices.Max(a) {
		t.Error("jitter did not vary the delay")
	}
	// Without jitter the delay is the latency.
	ns := &noSleep{}
	srv, _ := NewServer(Config{Latency: latency, Sleep: ns.sleep})
	post(t, srv, "/checkAccess", "application/json", string(Samples()[0].Body))
	if len(ns.delays) != 1 || ns.delays[0] != latency {
		t.Errorf("delays %v, want [%s]", ns.delays, latency)
	}
}

// A caller that leaves (or a shutdown) ends the wait at once: with the
// real timer and the longest latency this would hang otherwise.
func TestServerLatencyHonoursContext(t *testing.T) {
	t.Parallel()
	srv, err := NewServer(Config{Latency: MaxLatency})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/finalizeHost", strings.NewReader(string(Samples()[0].Body)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Body.Len() != 0 {
		t.Errorf("answered a caller that left: %s", rec.Body)
	}
}

func TestNewServerRefuses(t *testing.T) {
	t.Parallel()
	neg := int64(-1)
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"negative latency", Config{Latency: -time.Millisecond}},
		{"negative jitter", Config{Jitter: -time.Millisecond}},
		{"beyond the bound", Config{Latency: MaxLatency, Jitter: time.Millisecond}},
		{"rules that answer invalid JSON", Config{Rules: Rules{FinalizeResponse: FinalizeResponseRules{Lifetime: &neg}}}},
		{"rules with a fractional dictionary value", Config{Rules: Rules{FinalizeHost: FinalizeHostRules{
			AddToVendorDictionary: VendorDictionary{"K": 1.5}}}}},
	} {
		if _, err := NewServer(tc.cfg); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}
