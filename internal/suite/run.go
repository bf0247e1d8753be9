package suite

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/golden"
	"github.com/fnokit/fnokit/internal/report"
)

// Options are a run: the environment (Config) plus how Ginkgo runs the
// specs.
type Options struct {
	Config
	// LabelFilter selects specs (a Ginkgo label filter; see
	// Filter.LabelFilter for the convenience form).
	LabelFilter string
	// RandomSeed orders the specs (Ginkgo randomises the order of the
	// top-level containers, and every spec with RandomizeAll); 0 is
	// random.
	RandomSeed   int64
	RandomizeAll bool
	// Verbose makes Ginkgo print every spec; by default it prints
	// failures and a summary.
	Verbose bool
	// FailOnEmpty fails a run whose filter selects no spec.
	FailOnEmpty bool
	// GracePeriod is how long an interrupted spec may take to return (0:
	// 5 s).
	GracePeriod time.Duration
	// Tool and ToolVersion name the program in the report.
	Tool, ToolVersion string
}

// Outcome is what a run did.
type Outcome struct {
	// Report is the run as internal/report models it: one case per spec
	// that was selected, plus a case per cleanup that failed.
	Report *report.Report
	// Passed is Ginkgo's verdict (every selected spec passed or was
	// skipped, and no suite-level node failed).
	Passed bool
	// Interrupted is true when a signal stopped the run.
	Interrupted bool
	// Cleanups are the outcomes of the registered cleanups.
	Cleanups []CleanupResult
	// Ginkgo is the raw Ginkgo report.
	Ginkgo types.Report
}

// The Ginkgo report of the run, captured by the harness's
// ReportAfterSuite node (RunSpecs itself returns only a verdict).
var (
	lastMu     sync.Mutex
	lastReport *types.Report
)

var _ = ginkgo.ReportAfterSuite("fnokit report", func(r ginkgo.Report) {
	lastMu.Lock()
	lastReport = &r
	lastMu.Unlock()
})

// Against a live target without --allow-writes, every kind:write spec is
// skipped before it runs, whether or not it calls RequireWrites: a spec
// that forgets must not write to a tenant.
var _ = ginkgo.BeforeEach(func() {
	currentMu.RLock()
	e := current
	currentMu.RUnlock()
	if e == nil || e.WritesAllowed() {
		return
	}
	for _, l := range ginkgo.CurrentSpecReport().Labels() {
		if l == KeyKind+":"+string(Write) {
			ginkgo.Skip("writes to a live target need --allow-writes")
		}
	}
})

// didRun guards the one run a process may make: Ginkgo's RunSpecs refuses
// a second call by exiting the process, which would be a poor error.
var didRun sync.Mutex

// ErrAlreadyRun is returned by a second Run in one process: Ginkgo's spec
// tree runs once per process (run again in a new process).
var ErrAlreadyRun = errors.New("the suites already ran in this process (Ginkgo runs its spec tree once per process)")

// tt is the GinkgoTestingT of a run outside `go test`.
type tt struct{ failed bool }

func (t *tt) Fail() { t.failed = true }

// Run runs every registered spec that opts select against the configured
// target, runs the cleanups the specs registered (also when a SIGINT or
// SIGTERM interrupts the run, bounded by the cleanup timeout) and returns
// the report. The error says the run could not start (bad configuration,
// the emulator did not start); failing specs are in the Outcome. A
// process may Run once.
func Run(opts Options) (*Outcome, error) {
	return run(&tt{}, opts, nil)
}

func run(t ginkgo.GinkgoTestingT, opts Options, base *types.SuiteConfig) (*Outcome, error) {
	if opts.LabelFilter != "" {
		if err := checkExpr(opts.LabelFilter); err != nil {
			return nil, err
		}
	}
	if !didRun.TryLock() {
		return nil, ErrAlreadyRun
	}
	env, err := start(opts.Config)
	if err != nil {
		return nil, err
	}
	setCurrent(env)
	defer func() {
		setCurrent(nil)
		env.close()
	}()
	if err := env.loadRecords(); err != nil {
		return nil, fmt.Errorf("find the target's records: %w", err)
	}

	// Ginkgo aborts the running spec on SIGINT/SIGTERM and skips the rest;
	// this handler also cancels the calls in flight and undoes the run's
	// writes at once, so a hung spec cannot keep them on the target.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var interrupted sync.WaitGroup
	var wasInterrupted bool
	stop := make(chan struct{})
	interrupted.Add(1)
	go func() {
		defer interrupted.Done()
		select {
		case <-sigs:
			wasInterrupted = true
			env.cancel()
			env.finish()
		case <-stop:
		}
	}()

	// Gomega's failures pass through the same scrubbing as the harness's
	// own, so an assertion on a value that happens to hold a credential
	// does not print it.
	gomega.RegisterFailHandler(func(message string, callerSkip ...int) {
		skip := 1
		if len(callerSkip) > 0 {
			skip += callerSkip[0]
		}
		ginkgo.Fail(env.scrub(message), skip)
	})
	sc := types.NewDefaultSuiteConfig()
	if base != nil {
		sc = *base
	}
	if opts.LabelFilter != "" {
		if sc.LabelFilter != "" {
			sc.LabelFilter = "(" + sc.LabelFilter + ") && (" + opts.LabelFilter + ")"
		} else {
			sc.LabelFilter = opts.LabelFilter
		}
	}
	if opts.RandomSeed != 0 {
		sc.RandomSeed = opts.RandomSeed
	}
	sc.RandomizeAllSpecs = sc.RandomizeAllSpecs || opts.RandomizeAll
	sc.FailOnEmpty = sc.FailOnEmpty || opts.FailOnEmpty
	sc.GracePeriod = opts.GracePeriod
	if sc.GracePeriod <= 0 {
		sc.GracePeriod = 5 * time.Second
	}
	rc := types.ReporterConfig{NoColor: true, Succinct: !opts.Verbose, Verbose: opts.Verbose, SilenceSkips: !opts.Verbose}
	if base != nil {
		rc, _ = ginkgoReporterConfig()
	}
	started := time.Now()
	lastMu.Lock()
	lastReport = nil
	lastMu.Unlock()
	passed := ginkgo.RunSpecs(t, "fnokit suites", sc, rc)
	took := time.Since(started)

	signal.Stop(sigs)
	close(stop)
	interrupted.Wait()
	cleanups := env.finish()

	lastMu.Lock()
	gr := lastReport
	lastMu.Unlock()
	out := &Outcome{Passed: passed, Interrupted: wasInterrupted, Cleanups: cleanups}
	if gr != nil {
		out.Ginkgo = *gr
		out.Interrupted = out.Interrupted || strings.Contains(strings.Join(gr.SpecialSuiteFailureReasons, " "), "Interrupted")
	}
	out.Report = Convert(out.Ginkgo, env.TargetName(), sc.LabelFilter)
	env.scrubReport(out.Report)
	out.Report.Tool, out.Report.ToolVersion = opts.Tool, opts.ToolVersion
	if out.Report.StartedAt.IsZero() {
		out.Report.StartedAt = started
	}
	if out.Report.Duration == 0 {
		out.Report.Duration = took
	}
	for _, c := range cleanups {
		if c.Err == nil {
			continue
		}
		out.Passed = false
		out.Report.Cases = append(out.Report.Cases, report.Case{Suite: "cleanup", Name: "undo " + c.What,
			Status: report.Error, Duration: c.Duration,
			Message: "the record may remain on the target (its name carries the run ID " + env.runID + "): " + c.Err.Error()})
	}
	return out, nil
}

// finish runs the cleanups once; concurrent callers wait for the first.
func (e *Env) finish() []CleanupResult {
	e.finishOnce.Do(func() { e.finished = e.runCleanups() })
	return e.finished
}

// ginkgoReporterConfig is the reporter configuration `go test` flags set.
func ginkgoReporterConfig() (types.ReporterConfig, error) {
	_, rc := ginkgo.GinkgoConfiguration()
	return rc, nil
}

// Flags of `go test ./suites/...` (after -args), read by RunForTest.
var (
	flagUpdateGolden = boolFlag("update-golden", false, "rewrite the golden files from the target's answers (review git diff golden/ afterwards)")
	flagTarget       = stringFlag("target", "", "a live target's base URL (credentials from FNOKIT_USER/FNOKIT_PASSWORD or FNOKIT_TOKEN); empty runs the in-process emulator")
	flagAllowWrites  = boolFlag("allow-writes", false, "let kind:write specs run against the live --target")
	flagSeed         = int64Flag("seed", 0, "the emulator's seed (0: the default)")
	flagDrift        = stringFlag("drift", "", "emulator drift rules, Service[/version[/operation]]=mode, comma-separated")
	flagReports      = stringFlag("reports", "", "write junit.xml, report.json and report.html into this folder")
	flagGoldenDir    = stringFlag("golden-dir", "", "the golden files folder (default: the repository's golden/); with -target, the live target's answers are compared with it (otherwise golden comparisons are skipped there)")
	flagSamples      = stringFlag("samples", "", "the request samples folder of the conformance sweep (default: the repository's schemas/testdata)")
)

func boolFlag(name string, v bool, usage string) *bool {
	if f := flag.Lookup(name); f != nil {
		b := v
		return &b
	}
	return flag.Bool(name, v, usage)
}

func stringFlag(name, v, usage string) *string {
	if f := flag.Lookup(name); f != nil {
		return &v
	}
	return flag.String(name, v, usage)
}

func int64Flag(name string, v int64, usage string) *int64 {
	if f := flag.Lookup(name); f != nil {
		return &v
	}
	return flag.Int64(name, v, usage)
}

// Environment variables of a live run.
const (
	EnvUser     = "FNOKIT_USER"
	EnvPassword = "FNOKIT_PASSWORD"
	EnvToken    = "FNOKIT_TOKEN"
)

// ConfigFromEnv fills the live credentials from FNOKIT_USER,
// FNOKIT_PASSWORD and FNOKIT_TOKEN when cfg names a target.
func ConfigFromEnv(cfg Config) Config {
	if cfg.Target != "" {
		cfg.User, cfg.Password, cfg.Token = os.Getenv(EnvUser), os.Getenv(EnvPassword), os.Getenv(EnvToken)
	}
	return cfg
}

// ParseDrift reads drift rules "Service[/version[/operation]]=mode",
// comma-separated.
func ParseDrift(s string) (server.Faults, error) {
	var f server.Faults
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		scope, mode, ok := strings.Cut(item, "=")
		if !ok || scope == "" || mode == "" {
			return f, errors.New("want Service[/version[/operation]]=mode, e.g. ManageDeviceService/v7/searchDevices=drop-required")
		}
		parts := strings.Split(scope, "/")
		if len(parts) > 3 {
			return f, errors.New("the scope is Service[/version[/operation]]")
		}
		r := server.FaultRule{Service: parts[0], Drift: server.DriftMode(mode)}
		if len(parts) > 1 {
			r.Version = parts[1]
		}
		if len(parts) > 2 {
			r.Operation = parts[2]
		}
		f.Rules = append(f.Rules, r)
	}
	return f, server.CheckFaults(f)
}

// RunForTest runs the specs of the test binary under `go test` against
// the in-process emulator (or -target), with Ginkgo's -ginkgo.* flags and
// the harness's flags (-update-golden, -target, -allow-writes, -seed,
// -drift, -reports, -golden-dir, -samples). Every suites package calls it
// from one TestXxx.
func RunForTest(t *testing.T) {
	t.Helper()
	cfg := ConfigFromEnv(Config{Target: *flagTarget, AllowWrites: *flagAllowWrites, Seed: *flagSeed,
		UpdateGolden: *flagUpdateGolden || golden.UpdateRequested(), GoldenDir: *flagGoldenDir, Samples: *flagSamples,
		GoldenLive: *flagGoldenDir != ""})
	if *flagDrift != "" {
		f, err := ParseDrift(*flagDrift)
		if err != nil {
			t.Fatalf("-drift: %v", err)
		}
		cfg.Faults = f
	}
	sc, _ := ginkgo.GinkgoConfiguration()
	out, err := run(t, Options{Config: cfg, Tool: "fnokit"}, &sc)
	if err != nil {
		t.Fatal(err)
	}
	if *flagReports != "" {
		if err := report.WriteAll(*flagReports, out.Report); err != nil {
			t.Error(err)
		}
	}
	for _, c := range out.Cleanups {
		if c.Err != nil {
			t.Errorf("cleanup %s: %v", c.What, c.Err)
		}
	}
}

var previewMu sync.Mutex

// Preview walks the spec tree without running anything (Ginkgo's dry
// run, which a process may do any number of times before its one Run) and
// counts the specs and those labelFilter selects. It also registers every
// label the specs use, so Filter.LabelFilter can refuse unknown names
// afterwards.
func Preview(labelFilter string) (total, selected int, err error) {
	// Ginkgo's dry run swaps global state: one at a time.
	previewMu.Lock()
	defer previewMu.Unlock()
	if labelFilter != "" {
		if err := checkExpr(labelFilter); err != nil {
			return 0, 0, err
		}
	}
	sc := types.NewDefaultSuiteConfig()
	sc.LabelFilter = labelFilter
	rc := types.ReporterConfig{NoColor: true, Succinct: true, SilenceSkips: true}
	gr := ginkgo.PreviewSpecs("fnokit suites", sc, rc)
	for _, s := range gr.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		total++
		if s.State == types.SpecStatePassed {
			selected++
		}
	}
	return total, selected, nil
}

// scrubReport removes the run's credentials from every free text of the
// report (spec code may have put them into a message by mistake; the
// writers redact again, but only what they can recognise).
func (e *Env) scrubReport(r *report.Report) {
	for i := range r.Cases {
		c := &r.Cases[i]
		c.Name, c.Message, c.Diff = e.scrub(c.Name), e.scrub(c.Message), e.scrub(c.Diff)
		for j := range c.Findings {
			f := &c.Findings[j]
			f.Target, f.Location, f.Message = e.scrub(f.Target), e.scrub(f.Location), e.scrub(f.Message)
		}
	}
}
