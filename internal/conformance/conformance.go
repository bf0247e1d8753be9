// Package conformance sweeps a SOAP target — the in-process emulator today,
// a live FNO tenant later — over every operation of every service version
// it serves: it sends each operation's valid request sample (from
// schemas/testdata, with real record identifiers of the target filled in),
// and checks that the answer is the operation's response element, not a
// SOAP fault, and valid against that version's WSDL (libxml2).
//
// A statusInfo FAILURE is a valid answer: Result carries the status so
// callers can see how many calls did something, but only contract
// violations (Findings) and checks that could not run (Err) fail a
// combination.
//
//	results, err := conformance.Run(ctx, conformance.Emulators(conformance.EmulatorConfig()),
//		conformance.Options{Samples: "schemas/testdata"})
//
// The emulator's test harness and `fnokit check` are thin layers over Run.
package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/project"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/schemas"
)

// External lists the services FNO calls (ID generator, licence generator,
// renewal) rather than serves: they are in the contracts, but neither FNO
// nor the emulator answers them, so a sweep leaves them out.
var External = map[string]bool{
	"IdGeneratorService":      true,
	"LicenseGeneratorService": true,
	"RenewalService":          true,
}

// DefaultTimeout bounds one call when Options.Client is nil.
const DefaultTimeout = 30 * time.Second

// maxResponse bounds a response body: the parsers' own default limit.
const maxResponse = 64 << 20

// Options select and shape a sweep.
type Options struct {
	// Samples is the folder of request samples, laid out as
	// schemas/testdata: <Service>/<version>/<operation>.request.valid.xml.
	Samples string
	// Services, Versions and Operations keep only the combinations they
	// name; empty keeps all. Versions are written "base", "v7" (or "7").
	// A name that selects nothing is an error, so a typo never reads as a
	// clean sweep.
	Services   []string
	Versions   []string
	Operations []string
	// Parallel is how many service versions are swept at once; 0 is
	// max(2, GOMAXPROCS). Each version's operations run in order.
	Parallel int
	// Client sends the calls; nil is a client with DefaultTimeout.
	Client *http.Client
}

// Result is the outcome of one operation of one service version.
type Result struct {
	Service   string
	Version   contract.Version
	Operation string
	// HTTPStatus is the status code of the answer; 0 when there was none.
	HTTPStatus int
	// Status is the answer's statusInfo/status (FlexnetAuthentication:
	// SUCCESS or FAILURE from Success, else its statusCode); "" without
	// one. Reason is statusInfo/reason plus each failedData record's
	// reason, when Status is not SUCCESS. Both are the target's text:
	// callers that print them must not put them in reports.
	Status string
	Reason string
	// FailedRecords counts the records of failedData.
	FailedRecords int
	// Fault is the SOAP fault the target answered with, or nil.
	Fault *Fault
	// Findings are the contract violations: schema findings of the
	// response payload, a fault, a wrong payload element, an answer that
	// is not SOAP. Their target is "<Service>/<version>/<operation>
	// response".
	Findings contract.Findings
	// Err says why the combination could not be checked (no sample, the
	// target did not start or answer, a schema that does not compile).
	Err error
	// Duration is the time from reading the sample to the end of the
	// validation.
	Duration time.Duration
	// Request and Response are the bodies sent and received (nil when
	// there was none), for golden files. The request may carry the
	// session's credentials (SOAP header style): redact before storing.
	Request, Response []byte
}

// Fault is a SOAP fault: its code, faultstring, and the problem the
// emulator names in its detail ("" from other targets).
type Fault struct {
	Code    string
	String  string
	Problem string
}

// Key is "<Service>/<version>/<operation>", e.g.
// "ManageDeviceService/v7/searchDevices".
func (r Result) Key() string { return key(r.Service, r.Version, r.Operation) }

func key(service string, v contract.Version, op string) string {
	return service + "/" + v.String() + "/" + op
}

// Passed reports whether the combination was checked and answered its
// contract.
func (r Result) Passed() bool { return r.Err == nil && !r.Findings.HasErrors() }

// Problem says in one line why the combination fails; "" when it passes.
// It names rules, locations and the findings' messages, which never quote
// payload values, so equal problems in several versions read alike.
func (r Result) Problem() string {
	if r.Err != nil {
		return r.Err.Error()
	}
	var parts []string
	for _, f := range r.Findings {
		if f.Severity < contract.Error {
			continue
		}
		p := f.Rule
		if f.Location != "" {
			p += " at " + f.Location
		}
		parts = append(parts, p+": "+f.Message)
	}
	return strings.Join(parts, "; ")
}

// Summary describes the answer without quoting it: HTTP status, statusInfo
// status and the number of failed records, or the fault's code and
// problem. For report messages.
func (r Result) Summary() string {
	var parts []string
	if r.HTTPStatus != 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", r.HTTPStatus))
	}
	switch {
	case r.Fault != nil:
		s := "SOAP fault " + r.Fault.Code
		if r.Fault.Problem != "" {
			s += " (" + r.Fault.Problem + ")"
		}
		parts = append(parts, s)
	case r.Status != "":
		s := "status " + r.Status
		if r.FailedRecords > 0 {
			s += fmt.Sprintf(" with %d failed record(s)", r.FailedRecords)
		}
		parts = append(parts, s)
	}
	if r.Err != nil {
		parts = append(parts, "not checked: "+r.Err.Error())
	}
	return strings.Join(parts, ", ")
}

// Selection lists the served service versions the options select, each
// with only the selected operations, oldest version first per service.
func Selection(opts Options) ([]schemas.Version, error) {
	all, err := schemas.Services()
	if err != nil {
		return nil, fmt.Errorf("read the bundled contracts: %w", err)
	}
	want := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range list {
			if s = strings.TrimSpace(s); s != "" {
				m[s] = true
			}
		}
		return m
	}
	services, operations := want(opts.Services), want(opts.Operations)
	versions := map[string]bool{}
	for v := range want(opts.Versions) {
		pv, err := contract.ParseVersion(v)
		if err != nil {
			return nil, fmt.Errorf("version %q: %w", v, err)
		}
		versions[pv.String()] = true
	}
	served := map[string]bool{}
	for _, s := range all {
		if !External[s.Name] {
			served[s.Name] = true
		}
	}
	for s := range services {
		switch {
		case External[s]:
			return nil, fmt.Errorf("service %s is one FNO calls, not one it serves: no target answers it", s)
		case !served[s]:
			return nil, fmt.Errorf("unknown service %q: the served ones are %s", s, strings.Join(sortedKeys(served), ", "))
		}
	}
	seenV, seenO := map[string]bool{}, map[string]bool{}
	var out []schemas.Version
	for _, s := range all {
		if !served[s.Name] || (len(services) > 0 && !services[s.Name]) {
			continue
		}
		for _, v := range s.Versions {
			if len(versions) > 0 && !versions[v.Version.String()] {
				continue
			}
			seenV[v.Version.String()] = true
			var ops []schemas.Operation
			for _, o := range v.Operations {
				if len(operations) == 0 || operations[o.Name] {
					seenO[o.Name] = true
					ops = append(ops, o)
				}
			}
			if len(ops) > 0 {
				v.Operations = ops
				out = append(out, v)
			}
		}
	}
	for v := range versions {
		if !seenV[v] {
			return nil, fmt.Errorf("version %s: no selected service has it", v)
		}
	}
	for o := range operations {
		if !seenO[o] {
			return nil, fmt.Errorf("operation %s: no selected service version has it", o)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the filters select no operation")
	}
	return out, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Run sweeps target over the selected operations of every selected
// service version and returns one Result per combination, ordered by
// service, version and the operations' order in the WSDL. The error says
// the sweep could not start (bad filters, no samples folder) or ctx ended;
// a version that could not be checked gives Results with Err instead.
func Run(ctx context.Context, target Target, opts Options) ([]Result, error) {
	versions, err := Selection(opts)
	if err != nil {
		return nil, err
	}
	if opts.Samples == "" {
		return nil, errors.New("no request samples folder (schemas/testdata)")
	}
	if st, err := os.Stat(opts.Samples); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("request samples folder %s not found (want the layout of schemas/testdata)", opts.Samples)
	}
	s := &sweep{opts: opts, client: opts.Client}
	if s.client == nil {
		s.client = &http.Client{Timeout: DefaultTimeout}
		defer s.client.CloseIdleConnections()
	}
	par := opts.Parallel
	if par <= 0 {
		par = max(2, runtime.GOMAXPROCS(0))
	}

	var (
		mu      sync.Mutex
		results []Result
		wg      sync.WaitGroup
		sem     = make(chan struct{}, par)
	)
	for _, v := range versions {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			rs := s.version(ctx, target, v)
			mu.Lock()
			results = append(results, rs...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sortResults(results, versions)
	return results, nil
}

// sortResults orders results by service, version number, then the
// operation's place in its version's WSDL.
func sortResults(rs []Result, versions []schemas.Version) {
	place := map[string]int{}
	for _, v := range versions {
		for i, o := range v.Operations {
			place[key(v.Service, v.Version, o.Name)] = i
		}
	}
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.Version != b.Version {
			return a.Version.Number() < b.Version.Number()
		}
		return place[a.Key()] < place[b.Key()]
	})
}

type sweep struct {
	opts   Options
	client *http.Client
}

// version opens a session and calls every selected operation of v once,
// reads before writes and retiring operations last.
func (s *sweep) version(ctx context.Context, target Target, v schemas.Version) []Result {
	fail := func(err error) []Result {
		out := make([]Result, 0, len(v.Operations))
		for _, o := range v.Operations {
			out = append(out, Result{Service: v.Service, Version: v.Version, Operation: o.Name, Err: err})
		}
		return out
	}
	sess, err := target.Open(ctx, v)
	if err != nil {
		return fail(fmt.Errorf("open %s: %w", target.Name(), err))
	}
	defer sess.Close(context.WithoutCancel(ctx))
	p, err := project.For(v.Service, v.Version)
	if err != nil {
		return fail(fmt.Errorf("no projection of %s %s: %w", v.Service, v.Version, err))
	}
	schema, err := compiled(v)
	if err != nil {
		return fail(fmt.Errorf("the WSDL of %s %s does not compile: %w", v.Service, v.Version, err))
	}
	recs, err := sess.Records(ctx)
	if err != nil {
		return fail(fmt.Errorf("find records to name in requests: %w", err))
	}
	fx := newFixtures(recs)
	ops := slices.Clone(v.Operations)
	sort.SliceStable(ops, func(i, j int) bool { return phase(ops[i].Name) < phase(ops[j].Name) })
	out := make([]Result, 0, len(ops))
	for _, o := range ops {
		if ctx.Err() != nil {
			break
		}
		out = append(out, s.call(ctx, sess, p, schema, fx, v, o))
	}
	return out
}

// Reads reports whether op only reads: a search, count or get, or a check
// that changes no record (authenticateUser, validateToken,
// verifyCreateLicense), so a sweep may send it to a live tenant. Anything
// else (create, update, link, generate, delete …) is a write.
func Reads(op string) bool {
	for _, p := range []string{"authenticate", "validate", "verify"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return phase(op) == 0
}

// phase orders operations so that the ones that remove or retire records
// run after those that read or change them (a decrement before the delete
// of the same mapping).
func phase(op string) int {
	if strings.HasPrefix(op, "decrement") {
		return 2
	}
	for _, p := range []string{"delete", "remove", "obsolete", "return", "unlink", "deactivate"} {
		if strings.HasPrefix(op, p) {
			return 3
		}
	}
	for _, p := range []string{"get", "search", "count"} {
		if strings.HasPrefix(op, p) {
			return 0
		}
	}
	return 1
}

// call checks one operation of v on an open session; fx carries records
// and what earlier calls of the same version taught (a token).
func (s *sweep) call(ctx context.Context, sess Session, p *project.Projector, schema *xsd.Schema, fx *fixtures, v schemas.Version, o schemas.Operation) (r Result) {
	r = Result{Service: v.Service, Version: v.Version, Operation: o.Name}
	start := time.Now()
	defer func() { r.Duration = time.Since(start) }()
	target := r.Key() + " response"

	sample := filepath.Join(s.opts.Samples, v.Service, v.Version.String(), o.Name+".request.valid.xml")
	data, err := os.ReadFile(sample)
	if err != nil {
		r.Err = fmt.Errorf("no valid request sample: %w", err)
		return r
	}
	node, err := xmltree.ParseBytes(data, xmltree.Limits{})
	if err != nil {
		r.Err = fmt.Errorf("request sample %s unreadable: %w", sample, err)
		return r
	}
	values, err := p.Request(node)
	if err != nil {
		r.Err = fmt.Errorf("request sample %s does not map to %s %s: %w", sample, v.Service, v.Version, err)
		return r
	}
	fx.fill(o.Name, values)
	payload, err := p.RequestPayload(o.Name, values)
	if err != nil {
		r.Err = fmt.Errorf("the records filled in broke the request: %w", err)
		return r
	}
	opn := contract.Operation{Service: v.Service, Version: v.Version, Name: o.Name}
	req, err := soap.NewRequest(ctx, sess.BaseURL(), opn, payload, sess.Credentials())
	if err != nil {
		r.Err = fmt.Errorf("build the request: %w", err)
		return r
	}
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			r.Request, _ = io.ReadAll(rc)
		}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		r.Err = fmt.Errorf("HTTP: %w", err)
		return r
	}
	defer resp.Body.Close()
	r.HTTPStatus = resp.StatusCode
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		r.Err = fmt.Errorf("read the response: %w", err)
		return r
	}
	if len(body) <= maxResponse {
		r.Response = body
	}
	if len(body) > maxResponse {
		r.Findings = contract.Findings{contract.New(contract.RuleXMLTooLarge, target, "",
			fmt.Sprintf("the response is larger than %d MiB", maxResponse>>20))}
		return r
	}

	parsed, err := soap.Parse(bytes.NewReader(body), xmltree.Limits{})
	if err != nil {
		if f, ok := soap.AsFinding(err, target); ok {
			r.Findings = contract.Findings{f}
			return r
		}
		r.Err = fmt.Errorf("read the response: %w", err)
		return r
	}
	if f := parsed.Fault; f != nil {
		r.Fault = &Fault{Code: f.Code, String: f.String}
		if f.Detail != nil {
			r.Fault.Problem = f.Detail.TextOf("problem")
		}
		msg := fmt.Sprintf("SOAP fault %s", f.Code)
		if r.Fault.Problem != "" {
			msg += " (" + r.Fault.Problem + ")"
		}
		if r.Fault.Problem == server.ProblemNotImplemented {
			msg = "no handler: " + msg
		}
		r.Findings = contract.Findings{contract.New(contract.RuleSOAPFault, target, "/Envelope/Body/Fault", msg+": "+f.String)}
		return r
	}
	if resp.StatusCode != http.StatusOK {
		r.Findings = contract.Findings{contract.New(contract.RuleSOAPFault, target, "",
			fmt.Sprintf("HTTP %d without a SOAP fault: a call that fails must answer with one", resp.StatusCode))}
		return r
	}
	want := xmltree.Name{Space: o.Output.Space, Local: o.Output.Local}
	if parsed.Payload == nil || parsed.Payload.Name != want {
		got, loc := "nothing", "/Envelope/Body"
		if parsed.Payload != nil {
			got, loc = parsed.Payload.Name.String(), "/"+parsed.Payload.Name.Local
		}
		r.Findings = contract.Findings{contract.New(contract.RuleWrongPayload, target, loc,
			fmt.Sprintf("the Body holds %s, the operation's output is %s", got, want))}
		return r
	}

	r.Status = statusOf(parsed.Payload)
	if st := parsed.Status; st != nil {
		r.Status = string(st.Status)
		r.FailedRecords = len(parsed.Failed)
		if st.Status != soap.StatusSuccess {
			r.Reason = st.Reason
			for _, f := range parsed.Failed {
				r.Reason += "; " + f.Element + ": " + f.Reason
			}
		}
	}
	fx.learn(o.Name, parsed.Payload)
	found, err := schema.ValidateEnvelope(body)
	if err != nil {
		r.Err = fmt.Errorf("validation could not run: %w", err)
		return r
	}
	r.Findings = found.WithTarget(target)
	return r
}

// statusOf reads the outcome of the responses without statusInfo
// (FlexnetAuthentication): Success or statusCode; "" when there is none.
func statusOf(payload *xmltree.Node) string {
	if c := payload.Child("Success"); c != nil {
		if c.Text == "true" {
			return "SUCCESS"
		}
		return "FAILURE"
	}
	if c := payload.Child("statusCode"); c != nil {
		return c.Text
	}
	return ""
}

// schemaCache holds each version's compiled WSDL for the life of the
// process: the contracts are embedded, so they cannot change, and a
// compile costs more than a whole version's calls.
var schemaCache sync.Map // "Service/version" → func() (*xsd.Schema, error)

// Schema returns the compiled WSDL of a service version, compiled once per
// process and shared with the sweeps; callers must not Close it.
func Schema(v schemas.Version) (*xsd.Schema, error) { return compiled(v) }

func compiled(v schemas.Version) (*xsd.Schema, error) {
	k := v.Service + "/" + v.Version.String()
	f, _ := schemaCache.LoadOrStore(k, sync.OnceValues(func() (*xsd.Schema, error) {
		data, err := schemas.WSDL(v.Service, v.Version.String())
		if err != nil {
			return nil, err
		}
		return xsd.CompileWSDLBytes(k, data)
	}))
	return f.(func() (*xsd.Schema, error))()
}
