package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fnokit/fnokit/internal/bench"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

var scenariosDir = filepath.Join("..", "..", "scenarios")

func TestBenchUsage(t *testing.T) {
	t.Parallel()
	sc := []string{"--scenarios", scenariosDir}
	for _, tc := range []struct {
		args []string
		code int
		has  string
	}{
		{[]string{"bench"}, ExitUsage, "one scenario"},
		{[]string{"bench", "--help"}, ExitOK, ""},
		{[]string{"bench", "a", "b"}, ExitUsage, "one scenario"},
		{[]string{"bench", "../etc/passwd"}, ExitUsage, "lower-case"},
		{append([]string{"bench", "no-such-scenario"}, sc...), ExitUsage, "no scenario"},
		{append([]string{"bench", "device-search", "--profile", "huge"}, sc...), ExitUsage, "--profile"},
		{append([]string{"bench", "device-search", "--tolerance", "lots"}, sc...), ExitUsage, "--tolerance"},
		{append([]string{"bench", "device-search", "--devices", "-1"}, sc...), ExitUsage, "--devices"},
		{append([]string{"bench", "device-search", "--segments", "0"}, sc...), ExitUsage, "--segments"},
		{append([]string{"bench", "device-search", "--direct"}, sc...), ExitUsage, "--direct"},
		{append([]string{"bench", "device-search", "--update-baseline"}, sc...), ExitUsage, "--baseline"},
		{append([]string{"bench", "callout-latency", "--callout-latency", "2m"}, sc...), ExitUsage, "--callout-latency"},
		{append([]string{"bench", "device-search", "--target", "http://192.0.2.1:8080"}, sc...), ExitUsage, "--allow-remote"},
		{append([]string{"bench", "device-search", "--target", "http://u:p@127.0.0.1:8080"}, sc...), ExitUsage, "FNO_USER"},
		{append([]string{"bench", "device-search", "--target", "ftp://127.0.0.1"}, sc...), ExitUsage, "http"},
		{append([]string{"bench", "device-search", "--k6", filepath.Join(t.TempDir(), "none")}, sc...), ExitCannotRun, "--k6"},
		{[]string{"bench", "merge"}, ExitUsage, "pairs"},
		{[]string{"bench", "merge", "a.json"}, ExitUsage, "pairs"},
		{[]string{"bench", "compare", "a.json"}, ExitUsage, "baseline and a summary"},
		{[]string{"bench", "compare", "--tolerance", "x", "a", "b"}, ExitUsage, "--tolerance"},
	} {
		code, out, errs := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.has) {
			t.Errorf("%q: exit %d, want %d with %q\n%s%s", tc.args, code, tc.code, tc.has, out, errs)
		}
		if strings.Contains(out+errs, "u:p@") {
			t.Errorf("%q: the credentials of the URL were printed", tc.args)
		}
	}
}

// writeJSON writes v to dir/name and returns the path.
func writeJSONFile(t *testing.T, dir, name string, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func benchSummary(profile string, p95, rate float64) *bench.Summary {
	return &bench.Summary{
		Fnokit: bench.Meta{Scenario: "device-search", Profile: profile, Latency: []string{"lat"}, Throughput: "n", Errors: []string{"e"}},
		State:  bench.State{TestRunDurationMs: 1000},
		Metrics: map[string]bench.Metric{
			"lat": {Type: bench.Trend, Values: map[string]float64{"p(95)": p95, "p(99)": 2 * p95}},
			"n":   {Type: bench.Counter, Values: map[string]float64{"count": rate, "rate": rate}},
			"e":   {Type: bench.Rate, Values: map[string]float64{"rate": 0}},
		},
	}
}

func TestBenchCompare(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := writeJSONFile(t, dir, "base.json", benchSummary("load", 10, 1000))
	same := writeJSONFile(t, dir, "same.json", benchSummary("load", 10.5, 990))
	slower := writeJSONFile(t, dir, "slower.json", benchSummary("load", 15, 700))
	smoke := writeJSONFile(t, dir, "smoke.json", benchSummary("smoke", 10, 1000))
	for _, tc := range []struct {
		args []string
		code int
		has  string
	}{
		{[]string{"bench", "compare", base, same}, ExitOK, "ok"},
		{[]string{"bench", "compare", base, slower}, ExitViolations, "REGRESSION"},
		{[]string{"bench", "compare", "--tolerance", "60%", base, slower}, ExitOK, "ok"},
		{[]string{"bench", "compare", base, smoke}, ExitCannotRun, "like with like"},
		{[]string{"bench", "compare", base, filepath.Join(dir, "absent.json")}, ExitCannotRun, "absent.json"},
	} {
		code, out, errs := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.has) {
			t.Errorf("%q: exit %d, want %d with %q\n%s%s", tc.args[2:], code, tc.code, tc.has, out, errs)
		}
	}
}

func TestBenchMergeCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	point := func(v float64) string {
		return fmt.Sprintf(`{"type":"Point","metric":"lat","data":{"time":"2026-01-01T00:00:00Z","value":%g,"tags":{}}}`+"\n"+
			`{"type":"Point","metric":"n","data":{"time":"2026-01-01T00:00:00Z","value":1,"tags":{}}}`+"\n", v)
	}
	var a, b strings.Builder
	for i := range 100 {
		a.WriteString(point(float64(i)))
		b.WriteString(point(float64(1000 + i)))
	}
	pa, pb := filepath.Join(dir, "a.points.json"), filepath.Join(dir, "b.points.json")
	os.WriteFile(pa, []byte(a.String()), 0o644)
	os.WriteFile(pb, []byte(b.String()), 0o644)
	sa := writeJSONFile(t, dir, "a.json", benchSummary("load", 0, 0))
	sb := writeJSONFile(t, dir, "b.json", benchSummary("load", 0, 0))
	out := filepath.Join(dir, "merged.json")
	code, stdout, errs := runCLI("bench", "merge", "--out", out, sa, pa, sb, pb)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, errs)
	}
	m, err := bench.ReadSummary(out)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := m.Value("n", "count"); n != 200 {
		t.Errorf("count %v, want 200", n)
	}
	// 200 values 0..99 and 1000..1099: rank 0.95*199 = 189.05 lies in
	// the second process's values, which averaging p95s would not give.
	if p, _ := m.Value("lat", "p(95)"); p < 1000 {
		t.Errorf("p95 %v: not pooled", p)
	}
	if code, _, _ := runCLI("bench", "merge", sa, filepath.Join(dir, "absent"), sb, pb); code != ExitCannotRun {
		t.Errorf("a missing points file: exit %d", code)
	}
}

func TestCheckTarget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url    string
		remote bool
		ok     bool
	}{
		{"http://127.0.0.1:8080", false, true},
		{"http://localhost:8080/prefix", false, true},
		{"https://[::1]:8443", false, true},
		{"https://uat.flexnetoperations.com", false, false},
		{"https://uat.flexnetoperations.com", true, true},
		{"https://user:pw@uat.flexnetoperations.com", true, false},
		{"127.0.0.1:8080", false, false},
		{"", false, false},
	} {
		if err := checkTarget(tc.url, tc.remote); (err == nil) != tc.ok {
			t.Errorf("checkTarget(%q, %v) = %v", tc.url, tc.remote, err)
		}
	}
}

// k6ForCLITest is the k6 with the extension: $FNOKIT_K6 or bin/k6.
func k6ForCLITest(t *testing.T) string {
	t.Helper()
	p := os.Getenv("FNOKIT_K6")
	if p == "" {
		p = filepath.Join("..", "..", bench.K6Binary)
	}
	abs, _ := filepath.Abs(p)
	if _, err := os.Stat(abs); err != nil {
		t.Skipf("no k6 with the fno extension at %s (make k6 builds it; or set FNOKIT_K6)", p)
	}
	return abs
}

// TestBenchSegmentsSmoke runs device-search's smoke profile split across
// two k6 processes against the emulator in process, merges them, and
// writes the baseline; comparing the run with itself finds nothing.
func TestBenchSegmentsSmoke(t *testing.T) {
	k6 := k6ForCLITest(t)
	t.Setenv("BENCH_DURATION", "3s")
	dir := t.TempDir()
	baseline := filepath.Join(dir, "baselines", "device-search.smoke.json")
	code, out, errs := runCLI("bench", "device-search", "--k6", k6, "--scenarios", scenariosDir,
		"--reports", dir, "--segments", "2", "--baseline", baseline)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"2 processes (0,1/2,1)", "this run is now the baseline", "fno_searches"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	m, err := bench.ReadSummary(filepath.Join(dir, "device-search.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.Fnokit.Segments, " ") != "0:1/2 1/2:1" {
		t.Errorf("segments %v", m.Fnokit.Segments)
	}
	var sum float64
	for i := 1; i <= 2; i++ {
		s, err := bench.ReadSummary(filepath.Join(dir, "device-search.seg"+strconv.Itoa(i)+".json"))
		if err != nil {
			t.Fatal(err)
		}
		n, _ := s.Value("fno_searches", "count")
		sum += n
		if _, err := os.Stat(filepath.Join(dir, "device-search.seg"+strconv.Itoa(i)+".html")); err != nil {
			t.Errorf("no dashboard export of segment %d: %v", i, err)
		}
	}
	if n, _ := m.Value("fno_searches", "count"); n != sum || n == 0 {
		t.Errorf("merged searches %v, the segments' sum %v", n, sum)
	}
	if code, out, errs := runCLI("bench", "compare", baseline, filepath.Join(dir, "device-search.json")); code != ExitOK {
		t.Errorf("the run against itself: exit %d\n%s%s", code, out, errs)
	}
}

// TestBenchCatchesOversell runs fulfillment-generation against an
// emulator whose createLicense answers SUCCESS without taking a copy: the
// hot line items are oversold, and the bench says so and fails.
func TestBenchCatchesOversell(t *testing.T) {
	k6 := k6ForCLITest(t)
	ctx := context.Background()
	var n atomic.Int64
	emu, err := emulator.Start(ctx, emulator.Config{Seed: 1, Sizes: state.DefaultSizes(),
		Register: func(r *op.Registry, _ *state.Store, _ op.Settings) {
			r.Handle("LicenseService", "createLicense", func(context.Context, *op.Call) (map[string]any, error) {
				id := "FAKE-" + strconv.FormatInt(n.Add(1), 10)
				return map[string]any{"statusInfo": map[string]any{"status": "SUCCESS"},
					"responseData": map[string]any{"createdFulfillment": []any{
						map[string]any{"recordRefNo": "1", "uniqueId": id, "fulfillmentId": id}}}}, nil
			})
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close(ctx)
	t.Setenv("BENCH_DURATION", "3s")
	t.Setenv("FG_HOT_SHARE", "1")
	dir := t.TempDir()
	code, out, errs := runCLI("bench", "fulfillment-generation", "--k6", k6, "--scenarios", scenariosDir,
		"--reports", dir, "--target", emu.URL())
	if code != ExitViolations || !strings.Contains(out, "OVERSOLD") {
		t.Errorf("exit %d, want %d with OVERSOLD\n%s%s", code, ExitViolations, out, errs)
	}
	if n.Load() == 0 {
		t.Error("the planted createLicense was never called")
	}
}
