package metrics

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The sample line grammar of the text format 0.0.4, as far as we write it:
// name, optional {label="value",...}, a space, a float.
var sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (\S+)$`)

// parse reads an exposition back: samples by their full series text, and
// the TYPE of each family; it fails the test on any line outside the format.
func parse(t *testing.T, text []byte) (map[string]float64, map[string]string) {
	t.Helper()
	samples, types := map[string]float64{}, map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# HELP "):
		case strings.HasPrefix(line, "# TYPE "):
			f := strings.Fields(line)
			if len(f) != 4 || (f[3] != "counter" && f[3] != "histogram") {
				t.Fatalf("bad TYPE line %q", line)
			}
			types[f[2]] = f[3]
		default:
			m := sampleLine.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("line outside the text format: %q", line)
			}
			v, err := strconv.ParseFloat(strings.Replace(m[3], "+Inf", "Inf", 1), 64)
			if err != nil {
				t.Fatalf("bad value in %q", line)
			}
			samples[m[1]+m[2]] = v
		}
	}
	return samples, types
}

func TestExpositionParsesBackAndCounts(t *testing.T) {
	t.Parallel()
	r := New()
	c := r.Counter("demo_total", "Demo counter\nwith a newline.", "kind")
	h := r.Histogram("demo_seconds", "Demo histogram.", []float64{0.01, 0.1}, "op")
	c.Inc(`quo"te`)
	c.Add(2, "plain")
	h.ObserveDuration(5*time.Millisecond, "a")
	h.ObserveDuration(50*time.Millisecond, "a")
	h.ObserveDuration(time.Second, "a")

	var buf bytes.Buffer
	if _, err := r.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	s, types := parse(t, buf.Bytes())
	if types["demo_total"] != "counter" || types["demo_seconds"] != "histogram" {
		t.Errorf("types %v", types)
	}
	for series, want := range map[string]float64{
		`demo_total{kind="quo\"te"}`:            1,
		`demo_total{kind="plain"}`:              2,
		`demo_seconds_bucket{op="a",le="0.01"}`: 1,
		`demo_seconds_bucket{op="a",le="0.1"}`:  2,
		`demo_seconds_bucket{op="a",le="+Inf"}`: 3,
		`demo_seconds_count{op="a"}`:            3,
	} {
		if got, ok := s[series]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", series, got, ok, want)
		}
	}
	if sum := s[`demo_seconds_sum{op="a"}`]; sum < 1.05 || sum > 1.06 {
		t.Errorf("sum %v, want 1.055", sum)
	}

	// Counts move.
	c.Inc("plain")
	buf.Reset()
	r.WriteTo(&buf)
	if s, _ = parse(t, buf.Bytes()); s[`demo_total{kind="plain"}`] != 3 {
		t.Errorf("counter did not move: %v", s[`demo_total{kind="plain"}`])
	}
}

func TestEmulatorFamiliesServe(t *testing.T) {
	t.Parallel()
	m := NewEmulator()
	m.Requests.Inc("ManageDeviceService", "v7", "searchDevices", "ok")
	m.Faults.Inc("latency")
	for _, tc := range []struct {
		method string
		status int
	}{{http.MethodGet, 200}, {http.MethodHead, 200}, {http.MethodPost, 405}} {
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, httptest.NewRequest(tc.method, "/metrics", nil))
		if rec.Code != tc.status {
			t.Errorf("%s: %d, want %d", tc.method, rec.Code, tc.status)
		}
		if tc.method == http.MethodGet {
			if ct := rec.Header().Get("Content-Type"); ct != ContentType {
				t.Errorf("content type %q", ct)
			}
			s, _ := parse(t, rec.Body.Bytes())
			if s[`fnokit_emulator_injected_faults_total{kind="latency"}`] != 1 {
				t.Error("injected fault not counted")
			}
		}
	}
}
