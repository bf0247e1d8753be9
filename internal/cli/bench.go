package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fnokit/fnokit/internal/atomicfile"
	"github.com/fnokit/fnokit/internal/bench"
	"github.com/fnokit/fnokit/internal/callout"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/calloutclient"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/loopback"
)

const benchSynopsis = "bench <scenario> [flags] | bench merge [flags] SUMMARY POINTS [SUMMARY POINTS …] | bench compare [flags] BASELINE SUMMARY"

// Devices of the emulator's data set for the device-search load profiles:
// the million the scenario is meant for.
const benchLargeDevices = 1_000_000

// Default bounds of one k6 run, by profile: the profile's own duration
// plus setup, teardown and a margin. --timeout replaces them.
var benchTimeouts = map[string]time.Duration{
	"smoke": 3 * time.Minute, "load": 4 * time.Minute, "stress": 4 * time.Minute, "soak": 40 * time.Minute,
}

// Environment variables passed from fnokit's environment to the scenario:
// its tuning (BENCH_*, FG_*, DS_*, CL_*) and the FNO_* settings of a live
// target (FNO_USER, FNO_PASSWORD, FNO_TOKEN, FNO_AUTH, …). Nothing else
// reaches the script.
var benchPassEnv = []string{"BENCH_", "FG_", "DS_", "CL_", "FNO_"}

// runBench is `fnokit bench`.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "merge":
			return runBenchMerge(ctx, args[1:], stdout, stderr)
		case "compare":
			return runBenchCompare(ctx, args[1:], stdout, stderr)
		}
	}
	fs := newFlags("bench", benchSynopsis, stderr)
	var (
		target      = fs.String("target", "", "base URL of the FNO to load (default: start the emulator in process on loopback); credentials come from $FNO_USER/$FNO_PASSWORD or $FNO_TOKEN, never flags")
		allowRemote = fs.Bool("allow-remote", false, "allow a --target that is not loopback (load goes only to this machine unless told)")
		profile     = fs.String("profile", "smoke", "load profile: "+strings.Join(bench.Profiles, ", "))
		baseline    = fs.String("baseline", "", "baseline summary to compare with; a missing file is written from this run")
		update      = fs.Bool("update-baseline", false, "write this run's summary to --baseline after the comparison")
		tolerance   = fs.String("tolerance", "10%", "how much worse than the baseline a figure may be (p95/p99 up, throughput down, error rate up)")
		devices     = fs.Int("devices", 0, "devices in the emulator's data set (0: 1000000 for device-search beyond smoke, else the default 10000)")
		seed        = fs.Int64("seed", 1, "seed of the emulator's data set")
		coLatency   = fs.Duration("callout-latency", 5*time.Millisecond, "callout-latency: the reference callout's latency")
		direct      = fs.Bool("direct", false, "callout-latency: load the callout itself (--target is the callout's base URL; default: the reference callout in process)")
		segments    = fs.Int("segments", 1, "split the test across this many k6 processes on this machine (--execution-segment) and merge their results")
		reports     = fs.String("reports", filepath.Join("reports", "bench"), "directory of the reports: <scenario>.json, <scenario>.html")
		k6Path      = fs.String("k6", "", "k6 binary with the fno extension (default: bin/k6, built with make k6 when missing or stale)")
		scenarios   = fs.String("scenarios", "scenarios", "directory of the scenario scripts")
		timeout     = fs.Duration("timeout", 0, "bound on the k6 run (default by profile: smoke 3m, load and stress 4m, soak 40m)")
	)
	// The scenario may come before or after the flags.
	rest, code, ok := parseInterspersed(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 1 {
		return usageError(stderr, fs, "bench takes one scenario (got %d): %s", len(rest), strings.Join(bench.Scenarios, ", "))
	}
	name := rest[0]
	if !bench.ValidName(name) {
		return usageError(stderr, fs, "a scenario name is lower-case letters, digits and dashes: %s", strings.Join(bench.Scenarios, ", "))
	}
	script := filepath.Join(*scenarios, name+".js")
	if _, err := os.Stat(script); err != nil {
		return usageError(stderr, fs, "no scenario %s: %s does not exist (scenarios: %s)", name, script, strings.Join(bench.Scenarios, ", "))
	}
	if !contains(bench.Profiles, *profile) {
		return usageError(stderr, fs, "--profile must be one of %s", strings.Join(bench.Profiles, ", "))
	}
	tol := bench.DefaultTolerance
	var err error
	if tol.Relative, err = bench.ParseTolerance(*tolerance); err != nil {
		return usageError(stderr, fs, "--tolerance: %v", err)
	}
	if *devices < 0 || *devices > 10_000_000 {
		return usageError(stderr, fs, "--devices must be 0 to 10000000")
	}
	if *segments < 1 || *segments > bench.MaxSegments {
		return usageError(stderr, fs, "--segments must be 1 to %d", bench.MaxSegments)
	}
	if *timeout < 0 {
		return usageError(stderr, fs, "--timeout cannot be negative")
	}
	if *coLatency < 0 || *coLatency > callout.MaxLatency {
		return usageError(stderr, fs, "--callout-latency must be 0 to %s", callout.MaxLatency)
	}
	if *direct && name != "callout-latency" {
		return usageError(stderr, fs, "--direct is a mode of callout-latency")
	}
	if *update && *baseline == "" {
		return usageError(stderr, fs, "--update-baseline needs --baseline FILE")
	}
	if *target != "" {
		if err := checkTarget(*target, *allowRemote); err != nil {
			return usageError(stderr, fs, "--target: %v", err)
		}
	}
	limit := benchTimeouts[*profile]
	if *timeout > 0 {
		limit = *timeout
	}

	report := name
	if *direct {
		report += "-direct" // the scenario names its report so too
	}
	r := &benchRun{
		name: name, report: report, script: script, profile: *profile, reports: *reports, segments: *segments,
		limit: limit, stdout: stdout, stderr: stderr, env: map[string]string{},
	}
	if r.k6, err = findK6(ctx, *k6Path, stderr); err != nil {
		return cannotRun(stderr, err, "build it with make k6 (needs Go, cgo and libxml2-dev), or give --k6 PATH")
	}
	stop, err := r.setTarget(ctx, targetChoice{
		url: *target, direct: *direct, devices: *devices, seed: *seed, calloutLatency: *coLatency,
	})
	if stop != nil {
		defer stop()
	}
	if err != nil {
		return cannotRun(stderr, err, "")
	}
	summary, code := r.run(ctx)
	if summary == nil {
		return code
	}
	return judgeAndReport(summary, code == ExitViolations, *baseline, *update, tol, stdout, stderr)
}

// benchRun is one `fnokit bench <scenario>`.
type benchRun struct {
	name, report, script, profile, reports, k6 string
	segments                                   int
	limit                                      time.Duration
	env                                        map[string]string
	stdout, stderr                             io.Writer
}

type targetChoice struct {
	url            string
	direct         bool
	devices        int
	seed           int64
	calloutLatency time.Duration
}

// setTarget fills the scenario's environment for the target, starting the
// emulator (and the reference callout) in process when no target is
// given. stop ends what it started.
func (r *benchRun) setTarget(ctx context.Context, t targetChoice) (stop func(), err error) {
	// The scenario's tuning and a live target's settings pass through.
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		for _, p := range benchPassEnv {
			if strings.HasPrefix(k, p) {
				r.env[k] = v
			}
		}
	}
	if u, p := os.Getenv(envUser), os.Getenv(envPassword); u != "" && r.env["FNO_USER"] == "" {
		r.env["FNO_USER"], r.env["FNO_PASSWORD"] = u, p
	}
	r.env["PROFILE"] = r.profile
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}

	if r.name == "callout-latency" {
		r.env["CL_MODE"] = "emulator"
		r.env["CALLOUT_LATENCY_MS"] = strconv.FormatFloat(float64(t.calloutLatency)/float64(time.Millisecond), 'f', -1, 64)
		if t.direct {
			r.env["CL_MODE"] = "direct"
			if t.url != "" {
				r.env["CALLOUT_URL"] = t.url
				r.env["FNO_ALLOW_REMOTE"] = strconv.FormatBool(!loopback.Host(hostOf(t.url)))
				r.env["FNO_TARGET"] = "callout at " + hostOf(t.url)
				delete(r.env, "CALLOUT_LATENCY_MS") // unknown: a producer's callout
				return stop, nil
			}
			co, err := startCallout(ctx, t.calloutLatency)
			if err != nil {
				return stop, err
			}
			stops = append(stops, co.stop)
			r.env["CALLOUT_URL"], r.env["FNO_TARGET"] = co.url, "reference callout"
			fmt.Fprintf(r.stdout, "reference callout on %s (latency %s)\n", co.url, t.calloutLatency)
			return stop, nil
		}
	}
	if t.url != "" {
		r.env["FNO_BASE_URL"] = strings.TrimRight(t.url, "/")
		r.env["FNO_TARGET"] = hostOf(t.url)
		return stop, nil
	}

	sizes := state.DefaultSizes()
	switch {
	case t.devices > 0:
		sizes.Devices = t.devices
	case r.name == "device-search" && r.profile != "smoke":
		sizes.Devices = benchLargeDevices
	}
	cfg := emulator.Config{Seed: t.seed, Sizes: sizes, Logger: slog.New(slog.DiscardHandler)}
	if r.name == "callout-latency" {
		co, err := startCallout(ctx, t.calloutLatency)
		if err != nil {
			return stop, err
		}
		stops = append(stops, co.stop)
		cfg.Callout = calloutclient.Config{URL: co.url, Triggers: callout.TriggerPoints(), Failure: calloutclient.FailDeny}
		fmt.Fprintf(r.stdout, "reference callout on %s (latency %s), every trigger point on\n", co.url, t.calloutLatency)
	}
	began := time.Now()
	emu, err := emulator.Start(ctx, cfg)
	if err != nil {
		return stop, err
	}
	stops = append(stops, func() {
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = emu.Close(c)
	})
	fmt.Fprintf(r.stdout, "emulator on %s: %d devices, seed %d (started in %s)\n", emu.URL(), sizes.Devices, t.seed, time.Since(began).Round(time.Millisecond))
	r.env["FNO_BASE_URL"] = emu.URL()
	r.env["FNO_USER"], r.env["FNO_PASSWORD"] = emulator.DefaultUser, emulator.DefaultPassword
	delete(r.env, "FNO_TOKEN")
	delete(r.env, "FNO_AUTH")
	r.env["FNO_TARGET"] = "emulator"
	r.env["FNO_DEVICES"] = strconv.Itoa(sizes.Devices)
	r.env["FNO_ALLOW_WRITES"] = "true" // the run's own emulator
	return stop, nil
}

// run runs k6 (once, or once per segment side by side) and returns the
// run's summary, written to reports/<scenario>.json, and ExitViolations
// when k6 said thresholds were crossed. A nil summary comes with the exit
// code to return.
func (r *benchRun) run(ctx context.Context) (*bench.Summary, int) {
	if err := os.MkdirAll(r.reports, 0o755); err != nil {
		return nil, cannotRun(r.stderr, err, "")
	}
	final := filepath.Join(r.reports, r.report+".json")
	r.env["K6_WEB_DASHBOARD"] = "true"
	r.env["K6_WEB_DASHBOARD_PORT"] = "-1" // export only: no dashboard server
	r.env["K6_WEB_DASHBOARD_HOST"] = "127.0.0.1"
	// A point a second: a smoke run of ten seconds still draws a chart.
	r.env["K6_WEB_DASHBOARD_PERIOD"] = "1s"
	r.env["FNO_SUMMARY_STDOUT"] = "false" // the headline below says it

	if r.segments == 1 {
		tmp := filepath.Join(r.reports, "."+r.report+".json.k6")
		defer os.Remove(tmp)
		env := clone(r.env)
		env["FNO_REPORT"] = tmp
		env["K6_WEB_DASHBOARD_EXPORT"] = filepath.Join(r.reports, r.report+".html")
		res, err := bench.RunK6(ctx, bench.RunConfig{
			K6: r.k6, Script: r.script, Env: env, Args: []string{"--quiet"},
			Timeout: r.limit, Stdout: r.stdout, Stderr: r.stderr,
		})
		thresholds, code := r.k6Outcome(res, err, "")
		if code != ExitOK {
			return nil, code
		}
		s, err := bench.ReadSummary(tmp)
		if err != nil {
			return nil, cannotRun(r.stderr, err, "the scenario wrote no summary; see k6's output above")
		}
		// k6 writes in place; the report is replaced atomically here.
		if err := os.Rename(tmp, final); err != nil {
			return nil, cannotRun(r.stderr, err, "")
		}
		fmt.Fprintf(r.stdout, "k6 ran %s in %s; reports: %s, %s\n", r.report, res.Elapsed.Round(100*time.Millisecond), final, env["K6_WEB_DASHBOARD_EXPORT"])
		return s, pick(thresholds, ExitViolations, ExitOK)
	}

	segs, seq, err := bench.Segments(r.segments)
	if err != nil {
		return nil, cannotRun(r.stderr, err, "")
	}
	type result struct {
		res bench.RunResult
		err error
	}
	results := make([]result, len(segs))
	var wg sync.WaitGroup
	var mu sync.Mutex
	began := time.Now()
	for i, seg := range segs {
		env := clone(r.env)
		base := filepath.Join(r.reports, fmt.Sprintf("%s.seg%d", r.report, i+1))
		env["FNO_REPORT"] = base + ".json"
		env["FNO_SEGMENT"] = seg
		env["K6_WEB_DASHBOARD_EXPORT"] = base + ".html"
		out := &bench.PrefixWriter{W: r.stdout, Prefix: fmt.Sprintf("[%d/%d] ", i+1, len(segs)), Mu: &mu}
		errw := &bench.PrefixWriter{W: r.stderr, Prefix: fmt.Sprintf("[%d/%d] ", i+1, len(segs)), Mu: &mu}
		wg.Go(func() {
			res, err := bench.RunK6(ctx, bench.RunConfig{
				K6: r.k6, Script: r.script, Env: env, Timeout: r.limit, Stdout: out, Stderr: errw,
				Args: []string{"--quiet", "--execution-segment", seg, "--execution-segment-sequence", seq,
					"--out", "json=" + base + ".points.json"},
			})
			out.Flush()
			errw.Flush()
			results[i] = result{res, err}
		})
	}
	wg.Wait()
	var parts []bench.Segment
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for i, rr := range results {
		if _, code := r.k6Outcome(rr.res, rr.err, fmt.Sprintf("segment %s: ", segs[i])); code != ExitOK {
			return nil, code
		}
		base := filepath.Join(r.reports, fmt.Sprintf("%s.seg%d", r.report, i+1))
		s, err := bench.ReadSummary(base + ".json")
		if err != nil {
			return nil, cannotRun(r.stderr, err, "")
		}
		f, err := os.Open(base + ".points.json")
		if err != nil {
			return nil, cannotRun(r.stderr, err, "")
		}
		files = append(files, f)
		parts = append(parts, bench.Segment{Summary: s, Points: f, Name: f.Name()})
	}
	merged, err := bench.Merge(parts)
	if err != nil {
		return nil, cannotRun(r.stderr, err, "")
	}
	if err := writeSummary(final, merged); err != nil {
		return nil, cannotRun(r.stderr, err, "")
	}
	fmt.Fprintf(r.stdout, "k6 ran %s in %d processes (%s) in %s; merged into %s\n", r.report, len(segs), seq,
		time.Since(began).Round(100*time.Millisecond), final)
	return merged, ExitOK // the merged thresholds are judged from the summary
}

// k6Outcome reads how k6 ended: thresholds crossed is a finding (the
// summary still counts); anything else but success is a run that could
// not be judged.
func (r *benchRun) k6Outcome(res bench.RunResult, err error, what string) (thresholds bool, code int) {
	switch {
	case err != nil:
		return false, cannotRun(r.stderr, fmt.Errorf("%s%w", what, err), "")
	case res.TimedOut:
		return false, cannotRun(r.stderr, fmt.Errorf("%sk6 did not finish within %s", what, r.limit), "raise --timeout, or shorten the profile (BENCH_DURATION, BENCH_ITERATIONS)")
	case res.ExitCode == bench.K6ThresholdsFailed:
		return true, ExitOK
	case res.ExitCode != 0:
		return false, cannotRun(r.stderr, fmt.Errorf("%sk6 exited with code %d", what, res.ExitCode), "see k6's output above (107: the script threw, 104: invalid options)")
	}
	return false, ExitOK
}

// judgeAndReport prints the summary's headline, its failures and the
// comparison with the baseline, writes the baseline when asked (or when it
// is missing), and returns the exit code.
func judgeAndReport(s *bench.Summary, k6Thresholds bool, baselinePath string, update bool, tol bench.Tolerance, stdout, stderr io.Writer) int {
	for _, l := range bench.Headline(s) {
		fmt.Fprintln(stdout, l)
	}
	var base *bench.Summary
	wrote := false
	if baselinePath != "" {
		b, err := bench.ReadSummary(baselinePath)
		switch {
		case errors.Is(err, os.ErrNotExist):
			if err := writeSummary(baselinePath, s); err != nil {
				return cannotRun(stderr, err, "")
			}
			fmt.Fprintf(stdout, "no baseline at %s yet: this run is now the baseline\n", baselinePath)
			wrote = true
		case err != nil:
			return cannotRun(stderr, err, "pass a summary written by fnokit bench, or remove the file to start a new baseline")
		default:
			base = b
		}
	}
	v, err := bench.Judge(s, base, tol)
	if err != nil {
		return cannotRun(stderr, err, "keep one baseline per scenario and profile")
	}
	if v.Comparison != nil {
		if err := v.Comparison.WriteTable(stdout); err != nil {
			return cannotRun(stderr, err, "")
		}
	}
	for _, t := range v.FailedThresholds {
		fmt.Fprintf(stdout, "threshold crossed: %s\n", t)
	}
	if k6Thresholds && len(v.FailedThresholds) == 0 {
		fmt.Fprintln(stdout, "threshold crossed: k6 reported one (see its output above)")
	}
	for _, o := range v.Oversold {
		fmt.Fprintf(stdout, "OVERSOLD: %s\n", o)
	}
	if update && !wrote {
		if err := writeSummary(baselinePath, s); err != nil {
			return cannotRun(stderr, err, "")
		}
		fmt.Fprintf(stdout, "baseline %s updated from this run\n", baselinePath)
	}
	if v.Failed() || k6Thresholds {
		n := 0
		if v.Comparison != nil {
			n = v.Comparison.Regressions()
		}
		fmt.Fprintf(stdout, "FAILED: %d threshold(s) crossed, %d line item(s) oversold, %d regression(s) beyond %s\n",
			max(len(v.FailedThresholds), b2i(k6Thresholds)), len(v.Oversold), n, strconv.FormatFloat(tol.Relative*100, 'f', -1, 64)+"%")
		return ExitViolations
	}
	fmt.Fprintln(stdout, "ok")
	return ExitOK
}

// runBenchMerge is `fnokit bench merge`: the results of a test split
// across k6 processes (on one machine or several), merged.
func runBenchMerge(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("bench merge", "bench merge [flags] SUMMARY POINTS [SUMMARY POINTS …]", stderr)
	out := fs.String("out", "", "write the merged summary here (default: only print it)")
	baseline := fs.String("baseline", "", "baseline summary to compare the merged result with")
	tolerance := fs.String("tolerance", "10%", "how much worse than the baseline a figure may be")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() < 2 || fs.NArg()%2 != 0 {
		return usageError(stderr, fs, "give pairs of a segment's summary (FNO_REPORT) and its points (--out json=), got %d files", fs.NArg())
	}
	tol, code := parseTol(fs, *tolerance, stderr)
	if code != ExitOK {
		return code
	}
	var parts []bench.Segment
	for i := 0; i < fs.NArg(); i += 2 {
		s, err := bench.ReadSummary(fs.Arg(i))
		if err != nil {
			return cannotRun(stderr, err, "")
		}
		f, err := os.Open(fs.Arg(i + 1))
		if err != nil {
			return cannotRun(stderr, err, "")
		}
		defer f.Close()
		parts = append(parts, bench.Segment{Summary: s, Points: f, Name: fs.Arg(i + 1)})
	}
	merged, err := bench.Merge(parts)
	if err != nil {
		return cannotRun(stderr, err, "merge the segments of one test: the same scenario and profile, each with its own --execution-segment")
	}
	if *out != "" {
		if err := writeSummary(*out, merged); err != nil {
			return cannotRun(stderr, err, "")
		}
		fmt.Fprintf(stdout, "merged %d segments into %s\n", len(parts), *out)
	}
	return judgeAndReport(merged, false, *baseline, false, tol, stdout, stderr)
}

// runBenchCompare is `fnokit bench compare`: a stored summary against a
// baseline, without running anything.
func runBenchCompare(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("bench compare", "bench compare [flags] BASELINE SUMMARY", stderr)
	tolerance := fs.String("tolerance", "10%", "how much worse than the baseline a figure may be")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 2 {
		return usageError(stderr, fs, "compare takes a baseline and a summary (got %d files)", fs.NArg())
	}
	tol, code := parseTol(fs, *tolerance, stderr)
	if code != ExitOK {
		return code
	}
	base, err := bench.ReadSummary(fs.Arg(0))
	if err != nil {
		return cannotRun(stderr, err, "")
	}
	s, err := bench.ReadSummary(fs.Arg(1))
	if err != nil {
		return cannotRun(stderr, err, "")
	}
	v, err := bench.Judge(s, base, tol)
	if err != nil {
		return cannotRun(stderr, err, "keep one baseline per scenario and profile")
	}
	if err := v.Comparison.WriteTable(stdout); err != nil {
		return cannotRun(stderr, err, "")
	}
	if v.Failed() {
		fmt.Fprintf(stdout, "FAILED: %d regression(s), %d threshold(s) crossed, %d line item(s) oversold\n",
			v.Comparison.Regressions(), len(v.FailedThresholds), len(v.Oversold))
		return ExitViolations
	}
	fmt.Fprintln(stdout, "ok")
	return ExitOK
}

func parseTol(fs *flag.FlagSet, s string, stderr io.Writer) (bench.Tolerance, int) {
	tol := bench.DefaultTolerance
	var err error
	if tol.Relative, err = bench.ParseTolerance(s); err != nil {
		return tol, usageError(stderr, fs, "--tolerance: %v", err)
	}
	return tol, ExitOK
}

// findK6 returns the k6 to run: the one given, else bin/k6, built or
// rebuilt with make k6 (which reuses an up-to-date binary) when the
// repository's Makefile has that target, else bin/k6 as it is.
func findK6(ctx context.Context, given string, log io.Writer) (string, error) {
	if given != "" {
		if _, err := os.Stat(given); err != nil {
			return "", fmt.Errorf("--k6: %w", err)
		}
		return given, nil
	}
	if mk, err := os.ReadFile("Makefile"); err == nil && strings.Contains("\n"+string(mk), "\nk6:") {
		return bench.EnsureK6(ctx, ".", log)
	}
	if _, err := os.Stat(bench.K6Binary); err != nil {
		return "", fmt.Errorf("%s is missing and there is no Makefile with a k6 target here", bench.K6Binary)
	}
	return bench.K6Binary, nil
}

// checkTarget refuses URLs that are not http(s), carry credentials, or
// point away from this machine without --allow-remote.
func checkTarget(raw string, allowRemote bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("want an absolute http or https URL")
	}
	if u.User != nil {
		return errors.New("the URL must not carry credentials: set FNO_USER and FNO_PASSWORD (or FNO_TOKEN) instead")
	}
	if !allowRemote && !loopback.Host(u.Hostname()) {
		return errors.New("the host is not loopback: pass --allow-remote to load another machine")
	}
	return nil
}

// hostOf is a URL's host (no credentials, path or query), for reports.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "target"
	}
	return u.Host
}

// calloutServer is the reference callout started in process.
type calloutServer struct {
	url  string
	stop func()
}

func startCallout(ctx context.Context, latency time.Duration) (*calloutServer, error) {
	srv, err := callout.NewServer(callout.Config{Latency: latency, Seed: 1})
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("reference callout: %w", err)
	}
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return base }}
	go func() { _ = hs.Serve(ln) }()
	return &calloutServer{url: "http://" + ln.Addr().String(), stop: func() {
		cancel()
		c, done := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer done()
		if hs.Shutdown(c) != nil {
			hs.Close()
		}
	}}, nil
}

// writeSummary writes a summary as indented JSON, atomically.
func writeSummary(path string, s *bench.Summary) error {
	b, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return atomicfile.WriteFile(path, append(b, '\n'), 0o644)
}

func clone(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+4)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func pick(c bool, a, b int) int {
	if c {
		return a
	}
	return b
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
