package bench

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// k6ForTest is the k6 with the extension the integration tests run:
// $FNOKIT_K6, else the repository's bin/k6. Tests skip without one (make
// k6 builds it).
func k6ForTest(t *testing.T) string {
	t.Helper()
	p := os.Getenv("FNOKIT_K6")
	if p == "" {
		p = filepath.Join("..", "..", K6Binary)
	}
	abs, err := filepath.Abs(p)
	if err == nil {
		if _, err = os.Stat(abs); err == nil {
			return abs
		}
	}
	t.Skipf("no k6 with the fno extension at %s (make k6 builds it; or set FNOKIT_K6)", p)
	return ""
}

// TestMergeMatchesK6 runs a short device-search smoke with k6 writing its
// raw samples, and checks that merging that one process's samples gives
// k6's own summary: the same percentile method, the same counts, rates
// and durations. A split test's merge is then exact (TestMergeIsPooling).
func TestMergeMatchesK6(t *testing.T) {
	k6 := k6ForTest(t)
	ctx := context.Background()
	emu, err := emulator.Start(ctx, emulator.Config{Seed: 1, Sizes: state.DefaultSizes()})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close(ctx)
	dir := t.TempDir()
	summary, points := filepath.Join(dir, "summary.json"), filepath.Join(dir, "points.json")
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	var out bytes.Buffer
	res, err := RunK6(ctx, RunConfig{
		K6: k6, Script: filepath.Join("scenarios", "device-search.js"), Dir: root,
		Args: []string{"--quiet", "--out", "json=" + points},
		Env: map[string]string{
			"PROFILE": "smoke", "BENCH_DURATION": "3s", "FNO_BASE_URL": emu.URL(),
			"FNO_USER": emulator.DefaultUser, "FNO_PASSWORD": emulator.DefaultPassword,
			"FNO_REPORT": summary, "FNO_SUMMARY_STDOUT": "false",
		},
		Timeout: 2 * time.Minute, Stdout: &out, Stderr: &out,
	})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("k6: exit %d, %v\n%s", res.ExitCode, err, out.String())
	}
	s, err := ReadSummary(summary)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(points)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := Merge([]Segment{{Summary: s, Points: f, Name: points}})
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for key, km := range s.Metrics {
		mm := m.Metrics[key]
		for stat, want := range km.Values {
			got, ok := mm.Values[stat]
			if !ok || math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Errorf("%s %s: merged %v, k6 %v", key, stat, got, want)
			}
			compared++
		}
		for expr, th := range km.Thresholds {
			if mm.Thresholds[expr].OK != th.OK {
				t.Errorf("%s %s: merged ok=%v, k6 ok=%v", key, expr, mm.Thresholds[expr].OK, th.OK)
			}
		}
	}
	if compared < 50 {
		t.Errorf("only %d values compared", compared)
	}
}
