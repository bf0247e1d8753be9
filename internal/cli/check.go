package cli

import (
	"bytes"
	"context"
	"errors"
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
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/schemas"
)

const checkSynopsis = `check [flags]

Runs the contract checks and writes reports (junit.xml, report.json,
report.html):
  schemas   lint every bundled schema;
  golden    validate every golden request and response against the contract
            of its service version (schemas/soap/<Service>/<version>/*.wsdl,
            schemas/rest/<api>.yaml);
  emulator  start the FNO emulator in process (fixed seed, small data set,
            loopback, a free port), send every served operation of every
            version its valid request sample (--samples) with real record
            IDs, and validate each response against that version's WSDL.
            --services and --versions narrow this sweep; --no-emulator skips
            it; --drift makes the emulator break a response on purpose, to
            prove the sweep catches contract drift:
              fnokit check --drift ManageDeviceService/v7/searchDevices=drop-required`

// Report suites of the check's areas (golden cases group by service
// version instead).
const (
	suiteSchemas  = "schemas"
	suiteEmulator = "emulator"
)

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", checkSynopsis, stderr)
	schemasDir := fs.String("schemas", "schemas", "the contracts `folder`")
	goldenDir := fs.String("golden", "golden", "the golden files `folder`")
	reportsDir := fs.String("reports", "reports", "where to write the reports")
	samplesDir := fs.String("samples", "", "the request samples `folder` of the emulator sweep (default <schemas>/testdata)")
	services := fs.String("services", "", "emulator sweep: only these services, a comma `list` (e.g. ManageDeviceService,LicenseService)")
	versions := fs.String("versions", "", "emulator sweep: only these versions, a comma `list` (e.g. base,v6,v7)")
	noEmulator := fs.Bool("no-emulator", false, "skip the emulator sweep")
	var drifts driftFlag
	fs.Var(&drifts, "drift", "emulator sweep: make the emulator break the responses of `scope=mode`, scope Service[/version[/operation]] (repeatable; modes: "+strings.Join(driftNames(), ", ")+"), to prove the sweep catches drift: check must then exit 2")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "check takes no arguments, only flags")
	}
	if *noEmulator && (*services != "" || *versions != "" || len(drifts.rules) > 0 || *samplesDir != "") {
		return usageError(stderr, fs, "--services, --versions, --drift and --samples shape the emulator sweep, which --no-emulator skips")
	}
	sweep := conformance.Options{Services: commaList(*services), Versions: commaList(*versions), Samples: *samplesDir}
	if sweep.Samples == "" {
		sweep.Samples = filepath.Join(*schemasDir, "testdata")
	}
	faults := server.Faults{Rules: drifts.rules}
	if !*noEmulator {
		selected, err := conformance.Selection(sweep)
		if err != nil {
			return usageError(stderr, fs, "%v", err)
		}
		if err := server.CheckFaults(faults); err != nil {
			return usageError(stderr, fs, "--drift: %v", err)
		}
		for _, r := range faults.Rules {
			if !sweepCalls(selected, r) {
				return usageError(stderr, fs, "--drift %s: the sweep does not call it (widen --services or --versions)", (&driftFlag{rules: []server.FaultRule{r}}).String())
			}
		}
	}
	for _, d := range []string{*schemasDir, *goldenDir} {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return cannotRun(stderr, fmt.Errorf("folder %s not found", d), "run fnokit from the repository root, or pass --schemas and --golden")
		}
	}
	if !*noEmulator {
		if st, err := os.Stat(sweep.Samples); err != nil || !st.IsDir() {
			return cannotRun(stderr, fmt.Errorf("request samples folder %s not found", sweep.Samples), "pass --samples (the layout of schemas/testdata), or --no-emulator")
		}
	}

	c := &checker{schemas: *schemasDir, compiled: map[string]*compiledWSDL{}, openapi: map[string]*openapi.Validator{}}
	defer c.close()
	rep := &report.Report{Tool: "fnokit", ToolVersion: Version, StartedAt: time.Now(), Target: "bundled contracts and golden samples"}
	if !*noEmulator {
		rep.Target = "bundled contracts, golden samples and the in-process emulator"
	}
	var areas []area

	start, from := time.Now(), len(rep.Cases)
	files, err := schemaFiles([]string{*schemasDir})
	if err != nil {
		return cannotRun(stderr, err, "")
	}
	for _, f := range files {
		rep.Cases = append(rep.Cases, timed(func() report.Case {
			return caseFromFindings(report.Case{Suite: suiteSchemas, Name: filepath.ToSlash(f)}, lintFile(f))
		}))
	}
	areas = append(areas, area{"schemas", "schema files linted", rep.Cases[from:], time.Since(start)})

	store, err := golden.Open(*goldenDir)
	if err != nil {
		return cannotRun(stderr, err, "fix the normalisation rules file in "+*goldenDir)
	}
	keys, err := store.Keys()
	if err != nil {
		return cannotRun(stderr, err, "")
	}
	start, from = time.Now(), len(rep.Cases)
	for _, k := range keys {
		if ctx.Err() != nil {
			return cannotRun(stderr, ctx.Err(), "")
		}
		rep.Cases = append(rep.Cases, timed(func() report.Case { return c.sample(store, k) }))
	}
	areas = append(areas, area{"golden", "golden samples validated", rep.Cases[from:], time.Since(start)})

	if !*noEmulator {
		start, from = time.Now(), len(rep.Cases)
		cfg := conformance.EmulatorConfig()
		cfg.Faults = faults
		results, err := conformance.Run(ctx, conformance.Emulators(cfg), sweep)
		if err != nil {
			return cannotRun(stderr, fmt.Errorf("emulator sweep: %w", err), "")
		}
		for _, r := range results {
			rep.Cases = append(rep.Cases, conformanceCase(r))
		}
		what := "operations × versions sent to the emulator"
		if len(faults.Rules) > 0 {
			what += fmt.Sprintf(" (%d drift rule(s) injected)", len(faults.Rules))
		}
		areas = append(areas, area{"emulator", what, rep.Cases[from:], time.Since(start)})
	}
	rep.Duration = time.Since(rep.StartedAt)

	if err := report.WriteAll(*reportsDir, rep); err != nil {
		return cannotRun(stderr, err, "check that "+*reportsDir+" is writable")
	}
	t := rep.Totals()
	for _, cs := range rep.Cases {
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
		fmt.Fprintf(stdout, "%-9s %d %s: %d passed, %d failed, %d skipped, %d errors (%s)\n",
			a.name, at.Cases, a.what, at.Passed, at.Failed, at.Skipped, at.Errors, a.took.Round(time.Millisecond))
	}
	fmt.Fprintf(stdout, "%d checks: %d passed, %d failed, %d skipped, %d errors (%s)\n",
		t.Cases, t.Passed, t.Failed, t.Skipped, t.Errors, rep.Duration.Round(time.Millisecond))
	fmt.Fprintf(stdout, "reports: %s\n", filepath.Join(*reportsDir, report.HTMLFile))
	switch {
	case t.Errors > 0:
		return ExitCannotRun
	case t.Failed > 0:
		return ExitViolations
	}
	return ExitOK
}

// area is one part of the main job, for its summary line.
type area struct {
	name, what string
	cases      []report.Case
	took       time.Duration
}

// conformanceCase is the report case of one operation × version of the
// emulator sweep. Its message says how the emulator answered (HTTP status,
// statusInfo status or fault code) without quoting the answer.
func conformanceCase(r conformance.Result) report.Case {
	c := report.Case{Suite: suiteEmulator, Name: r.Key(), Service: r.Service, Version: r.Version.String(),
		Operation: r.Operation, Duration: r.Duration, Message: r.Summary()}
	if r.Err != nil {
		c.Status = report.Error
		return c
	}
	c = caseFromFindings(c, r.Findings)
	if c.Status == report.Failed {
		var errs contract.Findings
		for _, f := range r.Findings {
			if f.Severity >= contract.Error {
				errs = append(errs, f)
			}
		}
		first := errs[0].Rule
		if errs[0].Location != "" {
			first += " at " + errs[0].Location
		}
		c.Message += fmt.Sprintf("; %d finding(s), first %s", len(errs), first)
	}
	return c
}

// sweepCalls reports whether a drift rule's scope meets an operation the
// sweep calls, so a drift that could not show is refused rather than read
// as "the sweep missed it".
func sweepCalls(selected []schemas.Version, r server.FaultRule) bool {
	for _, v := range selected {
		if r.Service != "" && r.Service != v.Service {
			continue
		}
		if r.Version != "" {
			if rv, err := contract.ParseVersion(r.Version); err != nil || rv != v.Version {
				continue
			}
		}
		for _, o := range v.Operations {
			if r.Operation == "" || r.Operation == o.Name {
				return true
			}
		}
	}
	return false
}

// commaList splits a comma list, dropping empty items.
func commaList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// driftFlag collects --drift Service[/version[/operation]]=mode rules.
type driftFlag struct{ rules []server.FaultRule }

func (d *driftFlag) String() string {
	if d == nil {
		return ""
	}
	parts := make([]string, len(d.rules))
	for i, r := range d.rules {
		parts[i] = strings.TrimRight(r.Service+"/"+r.Version+"/"+r.Operation, "/") + "=" + string(r.Drift)
	}
	return strings.Join(parts, ",")
}

func (d *driftFlag) Set(s string) error {
	scope, mode, ok := strings.Cut(s, "=")
	if !ok || scope == "" || mode == "" {
		return errors.New("want Service[/version[/operation]]=mode, e.g. ManageDeviceService/v7/searchDevices=drop-required")
	}
	parts := strings.Split(scope, "/")
	if len(parts) > 3 {
		return errors.New("the scope is Service[/version[/operation]]")
	}
	r := server.FaultRule{Service: parts[0], Drift: server.DriftMode(mode)}
	if len(parts) > 1 {
		r.Version = parts[1]
	}
	if len(parts) > 2 {
		r.Operation = parts[2]
	}
	d.rules = append(d.rules, r)
	return nil
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
		doc, err := openapi.LoadFile(path)
		if err == nil {
			v, err = openapi.New(doc, openapi.Options{})
		}
		if err != nil {
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
