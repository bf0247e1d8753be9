package callout

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/loopback"
)

func TestCheckPassesTheReference(t *testing.T) {
	t.Parallel()
	srv, err := NewServer(Config{Rules: exampleRules(t), Latency: time.Microsecond, Jitter: time.Microsecond})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	rep, err := Check(context.Background(), CheckConfig{URL: ts.URL + "/callout/", Requests: 6})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) > 0 {
		t.Errorf("findings against the reference: %v", rep.Findings)
	}
	if len(rep.Stats) != 3 {
		t.Fatalf("stats %+v, want one per trigger point", rep.Stats)
	}
	for _, st := range rep.Stats {
		if st.Sent != 6 || st.Answered != 6 || st.P50 <= 0 || st.P50 > st.P90 || st.P90 > st.P99 {
			t.Errorf("stats %+v", st)
		}
	}
}

// broken answers a forbidden action at checkAccess, malformed JSON at
// finalizeHost, and too late at finalizeResponse.
func broken(w http.ResponseWriter, r *http.Request) {
	// Reading the body lets the server notice the caller leaving.
	io.Copy(io.Discard, r.Body)
	switch path.Base(r.URL.Path) {
	case "checkAccess":
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"hostActions":{"denyCreate":true,"denyAccess":false}}`))
	case "finalizeHost":
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"hostActions":{"denyCreate":tru`))
	case "finalizeResponse":
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
}

func TestCheckFindsViolations(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(broken))
	defer ts.Close()
	rep, err := Check(context.Background(), CheckConfig{URL: ts.URL, Requests: 4, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]bool{}
	for _, f := range rep.Findings {
		rules[strings.SplitN(f.Target, "/", 2)[0]+" "+f.Rule+" "+f.Location] = true
	}
	var got []string
	for k := range rules {
		got = append(got, k)
	}
	sort.Strings(got)
	want := []string{
		"checkAccess callout-action-not-allowed /hostActions/denyCreate",
		"finalizeHost json-malformed ",
		"finalizeResponse callout-timeout ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q\nwant %q", got, want)
	}
	if !rep.Findings.HasErrors() {
		t.Error("violations are not errors")
	}
	// Each sample's finding once, however many times it recurred.
	if n := len(rep.Findings); n != 12 {
		t.Errorf("%d findings, want 4 samples × 3 trigger points", n)
	}
	for _, st := range rep.Stats {
		if st.Trigger == FinalizeResponse && st.Answered != 0 {
			t.Errorf("timed-out requests counted as answered: %+v", st)
		}
	}
}

func TestCheckStatusAndContentType(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if path.Base(r.URL.Path) == "checkAccess" {
			http.Error(w, "nope", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(`{}`))
	}))
	defer ts.Close()
	rep, err := Check(context.Background(), CheckConfig{URL: ts.URL, Requests: 1})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Target+" "+f.Rule)
	}
	want := []string{"checkAccess/no-details callout-status", "finalizeHost/no-details callout-content-type", "finalizeResponse/no-details callout-content-type"}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}

func TestCheckCannotRun(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	for _, tc := range []struct {
		name string
		cfg  CheckConfig
	}{
		{"remote host", CheckConfig{URL: "http://192.0.2.1:8090/"}},
		{"remote name", CheckConfig{URL: "https://callout.example.com/x"}},
		{"not a URL", CheckConfig{URL: "127.0.0.1:8090"}},
		{"query", CheckConfig{URL: "http://127.0.0.1:1/?a=b"}},
		{"nothing listening", CheckConfig{URL: closed}},
		{"too many requests", CheckConfig{URL: closed, Requests: MaxRequests + 1}},
		{"negative timeout", CheckConfig{URL: closed, Timeout: -time.Second}},
	} {
		if _, err := Check(context.Background(), tc.cfg); err == nil {
			t.Errorf("%s: the check ran", tc.name)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.1.2.3": true, "::1": true, "localhost": true, "LOCALHOST": true,
		"10.0.0.1": false, "example.com": false, "0.0.0.0": false, "localhost.example.com": false,
	} {
		if got := loopback.Host(host); got != want {
			t.Errorf("loopback.Host(%q) = %v", host, got)
		}
	}
}

// BenchmarkServerLoopback measures the reference callout at 0 ms configured
// latency over a loopback connection: one client at a time (latency, as
// FNO calls it per request) and parallel clients (throughput).
func BenchmarkServerLoopback(b *testing.B) {
	srv, err := NewServer(Config{Rules: exampleRules(b)})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	body := Samples()[len(Samples())-1].Body // finalizeResponse, all details
	url := ts.URL + "/finalizeResponse"
	call := func(c *http.Client) {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			b.Error(err)
			return
		}
		var buf [4096]byte
		for {
			if _, err := resp.Body.Read(buf[:]); err != nil {
				break
			}
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Errorf("status %d", resp.StatusCode)
		}
	}
	b.Run("serial", func(b *testing.B) {
		c := ts.Client()
		took := make([]time.Duration, 0, b.N)
		for b.Loop() {
			start := time.Now()
			call(c)
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		b.ReportMetric(float64(percentile(took, 50).Microseconds()), "p50-µs")
		b.ReportMetric(float64(percentile(took, 99).Microseconds()), "p99-µs")
	})
	b.Run("parallel", func(b *testing.B) {
		c := ts.Client()
		c.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				call(c)
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	})
}
