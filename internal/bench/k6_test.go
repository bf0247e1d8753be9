package bench

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSegments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n    int
		segs string
		seq  string
	}{
		{1, "0:1", "0,1"},
		{2, "0:1/2 1/2:1", "0,1/2,1"},
		{3, "0:1/3 1/3:2/3 2/3:1", "0,1/3,2/3,1"},
	} {
		segs, seq, err := Segments(tc.n)
		if err != nil || strings.Join(segs, " ") != tc.segs || seq != tc.seq {
			t.Errorf("Segments(%d) = %v, %q, %v; want %s, %s", tc.n, segs, seq, err, tc.segs, tc.seq)
		}
	}
	for _, n := range []int{0, -1, MaxSegments + 1} {
		if _, _, err := Segments(n); err == nil {
			t.Errorf("Segments(%d) accepted", n)
		}
	}
}

func TestPrefixWriter(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	w := &PrefixWriter{W: &b, Prefix: "[1/2] "}
	for _, chunk := range []string{"one\ntw", "o\n", "", "three"} {
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := "[1/2] one\n[1/2] two\n[1/2] three\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	// A line without an end is not kept without bound.
	b.Reset()
	if _, err := w.Write(bytes.Repeat([]byte("x"), maxPartialLine+10)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "[1/2] xxx") || !strings.HasSuffix(b.String(), "x\n") {
		t.Errorf("a long unfinished line was kept: %d bytes written", b.Len())
	}
}

func TestStale(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "k6ext")
	if err := os.MkdirAll(filepath.Join(src, "testdata"), 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "k6")
	write := func(p string, at time.Time) {
		t.Helper()
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	if stale, err := Stale(bin, src); err != nil || !stale {
		t.Errorf("missing binary: stale=%v err=%v", stale, err)
	}
	write(filepath.Join(src, "fno.go"), now.Add(-2*time.Hour))
	write(bin, now.Add(-time.Hour))
	if stale, err := Stale(bin, src, filepath.Join(dir, "absent")); err != nil || stale {
		t.Errorf("binary newer than the sources: stale=%v err=%v", stale, err)
	}
	// Tests and test data do not go into the binary.
	write(filepath.Join(src, "fno_test.go"), now)
	write(filepath.Join(src, "testdata", "x.json"), now)
	if stale, _ := Stale(bin, src); stale {
		t.Error("a newer test file made the binary stale")
	}
	write(filepath.Join(src, "call.go"), now)
	if stale, _ := Stale(bin, src); !stale {
		t.Error("a newer source did not make the binary stale")
	}
}

func fakeK6(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "fake-k6.sh"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunK6(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode     string
		timeout  time.Duration
		code     int
		timedOut bool
	}{
		{"ok", time.Minute, 0, false},
		{"thresholds", time.Minute, K6ThresholdsFailed, false},
		{"other", time.Minute, 3, false},
		// At the deadline k6 gets SIGINT and stops by itself...
		{"hang", 300 * time.Millisecond, K6ExternalAbort, true},
		// ...or is killed after the grace period.
		{"stubborn", 300 * time.Millisecond, 128 + 9, true},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "run")
			var stdout, stderr bytes.Buffer
			res, err := RunK6(context.Background(), RunConfig{
				K6: fakeK6(t), Script: "scenarios/x.js", Args: []string{"--quiet"},
				Env:     map[string]string{"FAKE_MODE": tc.mode, "FAKE_OUT": out, "FNO_PASSWORD": "s3cret"},
				Timeout: tc.timeout, GraceAfterTimeout: 300 * time.Millisecond, Stdout: &stdout, Stderr: &stderr,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.ExitCode != tc.code || res.TimedOut != tc.timedOut {
				t.Errorf("exit %d timed out %v; want %d, %v", res.ExitCode, res.TimedOut, tc.code, tc.timedOut)
			}
			args, _ := os.ReadFile(out + ".args")
			for _, want := range []string{"run\n", "--address\n127.0.0.1:0\n", "--no-usage-report\n", "--quiet\nscenarios/x.js\n"} {
				if !strings.Contains(string(args), want) {
					t.Errorf("k6 arguments lack %q:\n%s", want, args)
				}
			}
			if strings.Contains(string(args), "s3cret") {
				t.Error("a secret reached k6's command line")
			}
			env, _ := os.ReadFile(out + ".env")
			if !strings.Contains(string(env), "FNO_PASSWORD=s3cret") {
				t.Error("the environment did not reach k6")
			}
		})
	}
}

// TestRunK6Environment: only the variables given (and PATH/HOME/TMPDIR/TZ)
// reach k6, so nothing of fnokit's environment leaks into a script.
func TestRunK6Environment(t *testing.T) {
	t.Setenv("FNOKIT_TEST_LEAK", "leaked")
	out := filepath.Join(t.TempDir(), "run")
	_, err := RunK6(context.Background(), RunConfig{K6: fakeK6(t), Script: "s.js", Timeout: time.Minute,
		Env: map[string]string{"FAKE_MODE": "ok", "FAKE_OUT": out}, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	env, _ := os.ReadFile(out + ".env")
	if strings.Contains(string(env), "FNOKIT_TEST_LEAK") {
		t.Error("fnokit's environment leaked into k6's")
	}
	if _, err := RunK6(context.Background(), RunConfig{K6: fakeK6(t), Script: "s.js"}); err == nil {
		t.Error("a run without a timeout was started")
	}
	if _, err := RunK6(context.Background(), RunConfig{K6: filepath.Join(t.TempDir(), "no-k6"), Script: "s.js", Timeout: time.Second}); err == nil {
		t.Error("a missing binary ran")
	}
}
