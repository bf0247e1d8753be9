package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/golden"
	"github.com/fnokit/fnokit/internal/openapi"
	"github.com/fnokit/fnokit/internal/report"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/suite"
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsd"

	_ "github.com/fnokit/fnokit/suites/all" // every suite's specs
)

const checkSynopsis = `check [flags]

The main job: runs the contract suites (suites/…: conformance of every
operation × version, SOAP behaviour per service, REST per API, public
services, callout) against the in-process emulator — fixed seed, fixed
clock, loopback — or a live tenant, and writes reports/junit.xml,
report.json and report.html. Before the suites, every bundled schema is
linted and every golden file validated against its contract.

  fnokit check                                   # everything, on the emulator
  fnokit check --services ManageDevice --versions v6,v7 --tier smoke
  fnokit check --label-filter 'kind:read && !service:LicenseService'
  FNOKIT_USER=… FNOKIT_PASSWORD=… fnokit check --target https://uat.example.com --kind read

Against a live target, golden comparisons are skipped unless --golden DIR
names files recorded from it (fnokit golden record --target … --golden DIR).
  fnokit check --drift ManageDeviceService/v7/searchDevices=drop-required   # must exit 2

Live targets: credentials come from FNOKIT_USER/FNOKIT_PASSWORD or
FNOKIT_TOKEN and never reach the reports; only kind:read specs run unless
--allow-writes, and records a spec creates carry the run's prefix and are
removed at the end, also on Ctrl-C.

Exit codes: 0 all passed, 1 usage, 2 contract violations (a spec failed),
3 a check could not run (or the run was interrupted).`

// Report suites of the pre-steps (golden cases group by service version).
const suiteSchemas = "schemas"

// suiteFlags are the flags `check` and `golden record` share: what to run
// and against what.
type suiteFlags struct {
	target, services, versions, ops, tier, kind, labelFilter, drift, samples string
	allowWrites, verbose                                                     bool
	seed                                                                     int64
	// goldenLive: --golden was given with --target, so the golden files
	// were recorded from that target and are compared there too.
	goldenLive bool
}

// explicitGolden marks goldenLive when --golden was set on the command line.
func (f *suiteFlags) explicitGolden(fs *flag.FlagSet) {
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "golden" && f.target != "" {
			f.goldenLive = true
		}
	})
}

func (f *suiteFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.target, "target", "", "a live tenant's base `URL`; empty runs the in-process emulator (credentials: FNOKIT_USER/FNOKIT_PASSWORD or FNOKIT_TOKEN)")
	fs.BoolVar(&f.allowWrites, "allow-writes", false, "let kind:write specs run against the live --target (their records are run-prefixed and removed)")
	fs.StringVar(&f.services, "services", "", "only these services, a comma `list` (ManageDevice or ManageDeviceService; REST API names)")
	fs.StringVar(&f.versions, "versions", "", "only these versions, a comma `list` (base,v6,v7)")
	fs.StringVar(&f.ops, "ops", "", "only these operations, a comma `list` (searchDevices,getDeviceCount)")
	fs.StringVar(&f.tier, "tier", "", "only this tier: smoke (newest version of each service) or full")
	fs.StringVar(&f.kind, "kind", "", "only this kind: read or write")
	fs.StringVar(&f.labelFilter, "label-filter", "", "a Ginkgo label filter `expression`, ANDed with the flags above")
	fs.Int64Var(&f.seed, "seed", 0, "the emulator's seed (0: the default, which the golden files were recorded with)")
	fs.StringVar(&f.drift, "drift", "", "make the emulator break the responses of `scope=mode[,…]`, scope Service[/version[/operation]] (modes: "+strings.Join(driftNames(), ", ")+"), to prove the suites catch drift: check must then exit 2")
	fs.StringVar(&f.samples, "samples", "", "the request samples `folder` of the conformance sweep (default <schemas>/testdata)")
	fs.BoolVar(&f.verbose, "verbose", false, "print every spec as it runs")
}

// options turns the flags into a suite run; the error is a usage error.
func (f *suiteFlags) options(schemasDir, goldenDir string, update bool) (suite.Options, error) {
	// A dry run registers the labels the specs use, so the filter can
	// refuse a name no spec has instead of running nothing.
	if _, _, err := suite.Preview(""); err != nil {
		return suite.Options{}, err
	}
	filter := suite.Filter{Services: commaList(f.services), Versions: commaList(f.versions), Ops: commaList(f.ops),
		Tier: suite.Tier(f.tier), Kind: suite.Kind(f.kind), Expr: f.labelFilter}
	expr, err := filter.LabelFilter()
	if err != nil {
		return suite.Options{}, err
	}
	if expr != "" {
		if _, n, err := suite.Preview(expr); err != nil {
			return suite.Options{}, err
		} else if n == 0 {
			return suite.Options{}, fmt.Errorf("the filters select no spec (label filter %s)", expr)
		}
	}
	cfg := suite.ConfigFromEnv(suite.Config{Target: f.target, AllowWrites: f.allowWrites, Seed: f.seed,
		UpdateGolden: update, GoldenDir: goldenDir, GoldenLive: f.goldenLive, Samples: f.samples})
	if cfg.Samples == "" {
		cfg.Samples = filepath.Join(schemasDir, "testdata")
	}
	if f.drift != "" {
		faults, err := suite.ParseDrift(f.drift)
		if err != nil {
			return suite.Options{}, fmt.Errorf("--drift: %w", err)
		}
		if err := driftTargetsExist(faults); err != nil {
			return suite.Options{}, fmt.Errorf("--drift: %w", err)
		}
		cfg.Faults = faults
	}
	if f.seed != 0 && f.target != "" {
		return suite.Options{}, errors.New("--seed shapes the emulator's data: it needs no --target")
	}
	if err := cfg.Check(); err != nil {
		return suite.Options{}, err
	}
	return suite.Options{Config: cfg, LabelFilter: expr, Verbose: f.verbose, FailOnEmpty: expr != "",
		Tool: "fnokit", ToolVersion: Version}, nil
}

// driftTargetsExist refuses a drift rule whose scope names no served
// service, version or operation: a drift that cannot show would read as
// "the suites missed it".
func driftTargetsExist(f server.Faults) error {
	for _, r := range f.Rules {
		o := conformance.Options{Services: []string{r.Service}}
		if r.Version != "" {
			o.Versions = []string{r.Version}
		}
		if r.Operation != "" {
			o.Operations = []string{r.Operation}
		}
		if _, err := conformance.Selection(o); err != nil {
			return err
		}
	}
	return nil
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", checkSynopsis, stderr)
	schemasDir := fs.String("schemas", "schemas", "the contracts `folder` (linted before the suites run)")
	goldenDir := fs.String("golden", "golden", "the golden files `folder`")
	reportsDir := fs.String("reports", "reports", "where to write the reports")
	update := fs.Bool("update-golden", false, "rewrite the golden files from the target's answers instead of comparing (review git diff afterwards)")
	noSuites := fs.Bool("no-suites", false, "only lint the schemas and validate the golden files")
	var sf suiteFlags
	sf.register(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "check takes no arguments, only flags")
	}
	sf.explicitGolden(fs)
	opts, err := sf.options(*schemasDir, *goldenDir, *update)
	if err != nil {
		return usageError(stderr, fs, "%v", err)
	}
	for _, d := range []string{*schemasDir, *goldenDir} {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return cannotRun(stderr, fmt.Errorf("folder %s not found", d), "run fnokit from the repository root, or pass --schemas and --golden")
		}
	}
	if !*noSuites {
		if st, err := os.Stat(opts.Samples); err != nil || !st.IsDir() {
			return cannotRun(stderr, fmt.Errorf("request samples folder %s not found", opts.Samples), "pass --samples (the layout of schemas/testdata)")
		}
	}

	started := time.Now()
	pre, areas, code := preSteps(ctx, *schemasDir, *goldenDir, stderr)
	if code != ExitOK {
		return code
	}
	rep := &report.Report{Tool: "fnokit", ToolVersion: Version, StartedAt: started, Target: "bundled contracts and golden files"}
	var out *suite.Outcome
	if !*noSuites {
		start := time.Now()
		out, err = suite.Run(opts)
		if err != nil {
			return cannotRun(stderr, err, "")
		}
		rep = out.Report
		rep.StartedAt = started
		areas = append(areas, suitesArea(out.Report.Cases, time.Since(start), out.Report.Deselected))
	}
	rep.Cases = append(pre, rep.Cases...)
	rep.Duration = time.Since(started)

	if err := report.WriteAll(*reportsDir, rep); err != nil {
		return cannotRun(stderr, err, "check that "+*reportsDir+" is writable")
	}
	t := rep.Totals()
	fmt.Fprintln(stdout)
	for _, cs := range pre {
		if cs.Status == report.Failed || cs.Status == report.Error {
			fmt.Fprintf(stdout, "%-7s %s %s\n", cs.Status, cs.SuiteName(), cs.Name)
			for _, f := range cs.Findings {
				fmt.Fprintf(stdout, "        %s\n", f)
			}
			if cs.Message != "" {
				fmt.Fprintf(stdout, "        %s\n", cs.Message)
			}
		}
	}
	for _, a := range areas {
		at := (&report.Report{Cases: a.cases}).Totals()
		fmt.Fprintf(stdout, "%-9s %d %s: %d passed, %d failed, %d skipped, %d errors (%s)%s\n",
			a.name, at.Cases, a.what, at.Passed, at.Failed, at.Skipped, at.Errors, a.took.Round(time.Millisecond), a.extra)
	}
	fmt.Fprintf(stdout, "%d checks: %d passed, %d failed, %d skipped, %d errors (%s)\n",
		t.Cases, t.Passed, t.Failed, t.Skipped, t.Errors, rep.Duration.Round(time.Millisecond))
	fmt.Fprintf(stdout, "reports: %s\n", filepath.Join(*reportsDir, report.HTMLFile))
	switch {
	case out != nil && out.Interrupted:
		fmt.Fprintln(stderr, "fnokit: interrupted; the reports cover what ran")
		return ExitCannotRun
	case t.Errors > 0:
		return ExitCannotRun
	case t.Failed > 0 || (out != nil && !out.Passed):
		return ExitViolations
	}
	return ExitOK
}

// preSteps lints every schema and validates every golden file against its
// contract: the checks that need no target.
func preSteps(ctx context.Context, schemasDir, goldenDir string, stderr io.Writer) ([]report.Case, []area, int) {
	var cases []report.Case
	var areas []area
	c := &checker{schemas: schemasDir, compiled: map[string]*compiledWSDL{}, openapi: map[string]*openapi.Validator{}}
	defer c.close()

	start := time.Now()
	files, err := schemaFiles([]string{schemasDir})
	if err != nil {
		return nil, nil, cannotRun(stderr, err, "")
	}
	for _, f := range files {
		cases = append(cases, timed(func() report.Case {
			return caseFromFindings(report.Case{Suite: suiteSchemas, Name: filepath.ToSlash(f)}, lintFile(f))
		}))
	}
	areas = append(areas, area{name: "schemas", what: "schema files linted", cases: cases, took: time.Since(start)})

	store, err := golden.Open(goldenDir)
	if err != nil {
		return nil, nil, cannotRun(stderr, err, "fix the normalisation rules file in "+goldenDir)
	}
	keys, err := store.Keys()
	if err != nil {
		return nil, nil, cannotRun(stderr, err, "")
	}
	start, from := time.Now(), len(cases)
	for _, k := range keys {
		if ctx.Err() != nil {
			return nil, nil, cannotRun(stderr, ctx.Err(), "")
		}
		rc := timed(func() report.Case { return c.sample(store, k) })
		// Named by the golden key, and out of the operation matrix, which
		// is about the specs.
		rc.Suite, rc.Name, rc.Operation = "golden", k.String(), ""
		cases = append(cases, rc)
	}
	areas = append(areas, area{name: "golden", what: "golden files validated against their contracts", cases: cases[from:], took: time.Since(start)})
	return cases, areas, ExitOK
}

// suitesArea is the summary of the specs: how many ran, how fast, and how
// many operation × version pairs they covered.
func suitesArea(cases []report.Case, took time.Duration, deselected int) area {
	var specs []report.Case
	pairs := map[string]bool{}
	ran := 0
	for _, c := range cases {
		if c.Labels == nil && c.Suite == "cleanup" {
			specs = append(specs, c)
			continue
		}
		specs = append(specs, c)
		if c.Status == report.Skipped {
			continue
		}
		ran++
		if c.Service != "" && c.Version != "" && c.Operation != "" {
			pairs[c.Service+"/"+c.Version+"/"+c.Operation] = true
		}
	}
	extra := fmt.Sprintf("; %d operation × version pairs covered", len(pairs))
	if s := took.Seconds(); s > 0 && ran > 0 {
		extra += fmt.Sprintf(", %.0f specs/s", float64(ran)/s)
	}
	if deselected > 0 {
		extra += fmt.Sprintf(", %d specs not selected", deselected)
	}
	return area{name: "suites", what: "specs", cases: specs, took: took, extra: extra}
}

// area is one part of the main job, for its summary line.
type area struct {
	name, what string
	cases      []report.Case
	took       time.Duration
	extra      string
}

func timed(f func() report.Case) report.Case {
	start := time.Now()
	c := f()
	c.Duration = time.Since(start)
	return c
}

func caseFromFindings(c report.Case, found contract.Findings) report.Case {
	c.Findings = found
	c.Status = report.Passed
	if found.HasErrors() {
		c.Status = report.Failed
	}
	return c
}

// checker caches compiled contracts across the golden cases of a run.
type checker struct {
	schemas  string
	compiled map[string]*compiledWSDL
	openapi  map[string]*openapi.Validator
}

type compiledWSDL struct {
	schema *xsd.Schema
	defs   *wsdl.Definitions
	err    error
}

func (c *checker) close() {
	for _, w := range c.compiled {
		if w.schema != nil {
			w.schema.Close()
		}
	}
}

// sample validates one golden case against its contract.
func (c *checker) sample(store *golden.Store, k golden.Key) report.Case {
	rc := report.Case{Name: k.Operation + "/" + k.Case, Service: k.Service, Version: k.Version, Operation: k.Operation}
	ex, err := store.Load(k)
	if err != nil {
		rc.Status, rc.Message = report.Error, err.Error()
		return rc
	}
	switch k.Kind {
	case golden.SOAP:
		return c.soapSample(rc, k, ex)
	case golden.REST:
		return c.restSample(rc, k, ex)
	}
	rc.Status, rc.Message = report.Error, "unknown golden kind "+string(k.Kind)
	return rc
}

func (c *checker) wsdlFor(service, version string) (*compiledWSDL, string) {
	matches, _ := filepath.Glob(filepath.Join(c.schemas, "soap", service, version, "*.wsdl"))
	sort.Strings(matches)
	if len(matches) == 0 {
		return nil, ""
	}
	path := matches[0]
	if w, ok := c.compiled[path]; ok {
		return w, path
	}
	w := &compiledWSDL{}
	if w.defs, w.err = wsdl.ParseFile(path); w.err == nil {
		w.schema, w.err = xsd.CompileFile(path)
	}
	c.compiled[path] = w
	return w, path
}

func (c *checker) soapSample(rc report.Case, k golden.Key, ex golden.Exchange) report.Case {
	w, path := c.wsdlFor(k.Service, k.Version)
	if w == nil {
		rc.Status, rc.Message = report.Skipped, fmt.Sprintf("no contract for %s %s in %s", k.Service, k.Version, filepath.Join(c.schemas, "soap"))
		return rc
	}
	if w.err != nil {
		rc.Status, rc.Message = report.Error, fmt.Sprintf("contract %s does not compile: %v", path, w.err)
		return rc
	}
	op, ok := w.defs.Operation(k.Operation)
	if !ok {
		return caseFromFindings(rc, contract.Findings{contract.New(contract.RuleUnknownOperation, k.String(), "",
			fmt.Sprintf("%s does not define operation %s", filepath.ToSlash(path), k.Operation))})
	}
	var found contract.Findings
	for _, part := range []struct {
		name golden.Part
		data []byte
		want xmltree.Name
	}{{golden.PartRequest, ex.Request, op.Input}, {golden.PartResponse, ex.Response, op.Output}} {
		if part.data == nil {
			continue
		}
		target := k.File(part.name)
		fs, err := w.schema.Validate(part.data)
		if err != nil {
			rc.Status, rc.Message = report.Error, fmt.Sprintf("%s: %v", target, err)
			return rc
		}
		found = append(found, fs.WithTarget(target)...)
		found = append(found, payloadName(part.data, part.want, target)...)
	}
	return caseFromFindings(rc, found)
}

// payloadName checks that a message carries the element its operation's
// message declares: a valid getDeviceResponse filed as searchDevices is
// still wrong.
func payloadName(data []byte, want xmltree.Name, target string) contract.Findings {
	resp, err := soap.Parse(bytes.NewReader(data), xmltree.Limits{})
	if err != nil || resp.Payload == nil {
		return nil // the schema validation has reported it already
	}
	if resp.Payload.Name != want {
		return contract.Findings{contract.New(contract.RuleWrongPayload, target, "/"+resp.Payload.Name.Local,
			fmt.Sprintf("payload is %s, the operation's message carries %s", resp.Payload.Name, want))}
	}
	return nil
}

func (c *checker) restSample(rc report.Case, k golden.Key, ex golden.Exchange) report.Case {
	path := filepath.Join(c.schemas, "rest", k.Service+".yaml")
	if _, err := os.Stat(path); err != nil {
		rc.Status, rc.Message = report.Skipped, "no contract "+path
		return rc
	}
	v, ok := c.openapi[path]
	if !ok {
		var err error
		if v, err = openapi.Open(path, openapi.Options{}); err != nil {
			rc.Status, rc.Message = report.Error, err.Error()
			return rc
		}
		c.openapi[path] = v
	}
	if ex.Meta.Method == "" || ex.Meta.URL == "" {
		rc.Status, rc.Message = report.Error, k.File(golden.PartMeta)+" must give method and url"
		return rc
	}
	var body io.Reader
	if ex.Request != nil {
		body = bytes.NewReader(ex.Request)
	}
	req, err := http.NewRequest(ex.Meta.Method, "http://fnokit.invalid"+ex.Meta.URL, body)
	if err != nil {
		rc.Status, rc.Message = report.Error, "bad method or url in "+k.File(golden.PartMeta)
		return rc
	}
	for name, vals := range ex.Meta.RequestHeaders {
		req.Header[name] = vals
	}
	if ex.Request != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	var found contract.Findings
	fs, err := v.ValidateRequest(req)
	if err != nil {
		rc.Status, rc.Message = report.Error, err.Error()
		return rc
	}
	found = append(found, fs.WithTarget(k.File(golden.PartRequest))...)
	if ex.Response != nil {
		header := http.Header{}
		for name, vals := range ex.Meta.ResponseHeaders {
			header[name] = vals
		}
		if header.Get("Content-Type") == "" {
			header.Set("Content-Type", "application/json")
		}
		status := ex.Meta.Status
		if status == 0 {
			status = http.StatusOK
		}
		fs, err := v.ValidateResponse(req, status, header, ex.Response)
		if err != nil {
			rc.Status, rc.Message = report.Error, err.Error()
			return rc
		}
		found = append(found, fs.WithTarget(k.File(golden.PartResponse))...)
	}
	return caseFromFindings(rc, found)
}
