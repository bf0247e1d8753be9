// Package compare is fnokit's differential run: it sends the same read
// requests to two FNO targets — a baseline and a candidate, say production
// and the upgraded UAT tenant, or two emulator configurations — and reports
// every difference between their answers (PRODUCT.md, "run a differential
// check"; issue #6, "Differential runs").
//
// The requests are those of the conformance sweep (internal/conformance):
// every read operation of every selected service version, built from its
// request sample in schemas/testdata with real records of the baseline
// filled in, plus the read routes of the application REST API
// (schemas/rest/application.yaml, seed 001 lines 4107-5410) built from the
// same records. Both sides get byte-for-byte the same requests, so every
// difference is the targets'.
//
// A difference is found at three levels:
//   - outcome: the HTTP status, statusInfo/status or SOAP fault differs
//     (status-changed, fault-changed);
//   - schema: a contract finding — XSD through libxml2 against the version's
//     WSDL, or OpenAPI through kin-openapi — on one side and not the other
//     (only-in-baseline, only-in-candidate);
//   - value: the answers differ after redaction (internal/redact) and
//     normalisation (the rules of golden/normalize.yaml, internal/golden),
//     compared as XML trees by local-name paths or as JSON values by JSON
//     Pointer (only-in-baseline, only-in-candidate, value-changed).
//
// Each difference names the call (Service/version/operation, or
// rest/application/<operationId>/<case>), a location (an XPath-like path
// from the payload element, or a JSON Pointer) and its kind. Messages never
// quote values; the Baseline and Candidate fields do, after redaction, so a
// password or token can never reach a report.
//
// Which operations are reads is an inference from their names (get*,
// search*, count*): the seed marks no operation read-only, but every read
// it documents is named so and no write is. getUserToken and getSecureToken
// are left out although their names say get: they mint a credential on the
// target, and their answer is nothing but that secret. A differential run
// never writes, so it is safe against production.
package compare

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/golden"
	"github.com/fnokit/fnokit/internal/redact"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/schemas"
)

// Kind is the kind of a difference.
type Kind string

// Kinds of difference.
const (
	// OnlyInBaseline: the baseline's answer has an element, member or
	// finding the candidate's lacks.
	OnlyInBaseline Kind = "only-in-baseline"
	// OnlyInCandidate: the candidate's answer has one the baseline's lacks.
	OnlyInCandidate Kind = "only-in-candidate"
	// ValueChanged: both have it, with different values.
	ValueChanged Kind = "value-changed"
	// StatusChanged: the HTTP status or statusInfo/status differs.
	StatusChanged Kind = "status-changed"
	// FaultChanged: one side answers with a SOAP fault and the other not,
	// or with another fault.
	FaultChanged Kind = "fault-changed"
)

// Rule is the contract rule ID a report files the difference under.
func (k Kind) Rule() string { return "compare-" + string(k) }

// Level says what was compared to find a difference.
type Level string

// Levels of difference.
const (
	Outcome Level = "outcome" // HTTP status, statusInfo/status, SOAP fault
	Schema  Level = "schema"  // contract findings of each side
	Value   Level = "value"   // normalised content
)

// Difference is one way the two answers to the same request differ.
type Difference struct {
	Kind  Kind  `json:"kind"`
	Level Level `json:"level"`
	// Location is an XPath-like path from the payload element
	// (/searchDevicesResponse/devices/device[2]/deviceId/id), a JSON
	// Pointer into a REST body (/responseData/count), or "HTTP status".
	Location string `json:"location"`
	// Rule is, at schema level, the contract rule of the finding that is
	// on one side only.
	Rule string `json:"rule,omitempty"`
	// Message says what differs, without quoting a value.
	Message string `json:"message"`
	// Baseline and Candidate are the values on each side, redacted and cut
	// to MaxValue characters; "" when a side has none.
	Baseline  string `json:"baseline,omitempty"`
	Candidate string `json:"candidate,omitempty"`
}

// Answer summarises one side's answer to a call, without quoting it.
type Answer struct {
	HTTPStatus int    `json:"httpStatus,omitempty"`
	Status     string `json:"status,omitempty"` // statusInfo/status
	Fault      string `json:"fault,omitempty"`  // the fault's code (and the emulator's problem)
	Findings   int    `json:"findings"`         // contract findings of the answer
	Err        string `json:"error,omitempty"`  // why there is no answer
}

// Call is one request sent to both targets and what their answers differ in.
type Call struct {
	Protocol  string `json:"protocol"` // "soap" or "rest"
	Service   string `json:"service"`  // SOAP service, or the REST API ("application")
	Version   string `json:"version"`  // base, v1 …; "v1" for the REST API
	Operation string `json:"operation"`
	// Case names the REST request among those of one route.
	Case string `json:"case,omitempty"`

	Baseline  Answer `json:"baseline"`
	Candidate Answer `json:"candidate"`

	Differences []Difference `json:"differences,omitempty"`
	// Omitted counts the differences beyond Options.MaxDifferences.
	Omitted int `json:"omitted,omitempty"`
	// Diff is a unified diff of the two answers, redacted and normalised
	// in canonical form, baseline first; "" when they do not differ.
	Diff string `json:"diff,omitempty"`
	// Skipped says why the call was not compared on purpose (neither side
	// could be asked, e.g. no request sample); Err why it could not be.
	Skipped string `json:"skipped,omitempty"`
	Err     string `json:"error,omitempty"`

	Duration time.Duration `json:"durationNs"`
}

// ID names the call: Service/version/operation for SOAP,
// rest/<api>/<operation>/<case> for REST.
func (c Call) ID() string {
	if c.Protocol == "rest" {
		return "rest/" + c.Service + "/" + c.Operation + "/" + c.Case
	}
	return c.Service + "/" + c.Version + "/" + c.Operation
}

// Differs reports whether the answers differ.
func (c Call) Differs() bool { return len(c.Differences) > 0 || c.Omitted > 0 }

// Result is a whole differential run.
type Result struct {
	// Baseline and Candidate name the targets (their URLs, redacted).
	Baseline  string        `json:"baseline"`
	Candidate string        `json:"candidate"`
	StartedAt time.Time     `json:"startedAt"`
	Duration  time.Duration `json:"durationNs"`
	Calls     []Call        `json:"calls"`
}

// Totals counts a result's calls and differences.
type Totals struct {
	Calls       int `json:"calls"`
	SOAP        int `json:"soap"`
	REST        int `json:"rest"`
	Same        int `json:"same"`
	Differing   int `json:"differing"`
	Differences int `json:"differences"` // Omitted ones included
	Skipped     int `json:"skipped"`
	Errors      int `json:"errors"`
}

// Totals counts the calls by outcome.
func (r *Result) Totals() Totals {
	var t Totals
	for _, c := range r.Calls {
		t.Calls++
		if c.Protocol == "rest" {
			t.REST++
		} else {
			t.SOAP++
		}
		switch {
		case c.Err != "":
			t.Errors++
		case c.Skipped != "":
			t.Skipped++
		case c.Differs():
			t.Differing++
		default:
			t.Same++
		}
		t.Differences += len(c.Differences) + c.Omitted
	}
	return t
}

// Endpoint is one target: its base URL (scheme, host, port and any path
// prefix; SOAP services are below it at /flexnet/services/…, REST at
// /flexnet/operations/…) and the credentials every call carries.
type Endpoint struct {
	URL         string
	Credentials soap.Credentials
}

// Defaults of Options.
const (
	DefaultMaxDifferences = 100
	DefaultTimeout        = conformance.DefaultTimeout
	// MaxValue bounds a value shown in a difference, in characters.
	MaxValue = 200
)

// Options select and shape a run.
type Options struct {
	// Samples is the request samples folder (schemas/testdata).
	Samples string
	// Services and Versions keep only the SOAP service versions they name
	// (conformance.Options rules: a name that selects nothing is an
	// error). The REST API is compared when neither is set, or when
	// Services names it: RESTAPI ("application").
	Services []string
	Versions []string
	// Rules normalise both answers before their values are compared; nil
	// is golden.DefaultRules (load golden/normalize.yaml with
	// golden.LoadRules).
	Rules *golden.Rules
	// Records are the records the requests name; nil finds them on the
	// baseline with read operations (conformance.FindRecords).
	Records *conformance.Records
	// MaxDifferences bounds the differences listed per call (the rest are
	// counted in Omitted); 0 is DefaultMaxDifferences.
	MaxDifferences int
	// Timeout bounds each HTTP call; 0 is DefaultTimeout.
	Timeout time.Duration
	// Context is the number of context lines of Call.Diff; 0 is 3.
	Context int
	// Parallel is how many service versions each side sweeps at once (see
	// conformance.Options); 0 is its default.
	Parallel int
}

// RESTAPI is the name of the application REST API in Services and in calls.
const RESTAPI = "application"

// IsRead reports whether a SOAP operation only reads: its name starts with
// get, search or count, and it does not mint a token.
func IsRead(operation string) bool {
	switch operation {
	case "getUserToken", "getSecureToken":
		return false
	}
	for _, p := range []string{"get", "search", "count"} {
		if strings.HasPrefix(operation, p) {
			return true
		}
	}
	return false
}

// ErrNoSamples is wrapped by Run when the request samples folder is not
// there.
var ErrNoSamples = errors.New("request samples folder not found")

// OptionsError is the error of Run for options it cannot use: a filter
// that selects nothing, a URL that is not one. The command line reports it
// as a usage error.
type OptionsError struct{ Err error }

func (e *OptionsError) Error() string { return e.Err.Error() }
func (e *OptionsError) Unwrap() error { return e.Err }

// scope is what a run covers, from Options.
type scope struct {
	soap    conformance.Options // nil Operations when SOAP is out of scope
	useSOAP bool
	useREST bool
}

func newScope(opts Options) (scope, error) {
	var sc scope
	services := slices.DeleteFunc(slices.Clone(opts.Services), func(s string) bool { return strings.TrimSpace(s) == "" })
	rest := slices.Contains(services, RESTAPI)
	services = slices.DeleteFunc(services, func(s string) bool { return s == RESTAPI })
	sc.useREST = rest || (len(services) == 0 && len(opts.Versions) == 0)
	sc.useSOAP = len(services) > 0 || !rest
	if !sc.useSOAP {
		return sc, nil
	}
	sel := conformance.Options{Services: services, Versions: opts.Versions}
	versions, err := conformance.Selection(sel)
	if err != nil {
		return sc, err
	}
	seen := map[string]bool{}
	var reads []string
	for _, v := range versions {
		for _, o := range v.Operations {
			if IsRead(o.Name) && !seen[o.Name] {
				seen[o.Name] = true
				reads = append(reads, o.Name)
			}
		}
	}
	if len(reads) == 0 {
		return sc, errors.New("the selected service versions have no read operation")
	}
	sel.Operations = reads
	sel.Samples = opts.Samples
	sel.Parallel = opts.Parallel
	sc.soap = sel
	return sc, nil
}

// Run sends the selected read requests to both targets and compares the
// answers. The error says the run could not start (bad options, no
// samples folder, the baseline refused the credentials) or ctx ended;
// a call that could not be made on one side is a Call with Err.
func Run(ctx context.Context, baseline, candidate Endpoint, opts Options) (*Result, error) {
	start := time.Now()
	sc, err := newScope(opts)
	if err != nil {
		return nil, &OptionsError{err}
	}
	for _, side := range []struct {
		name string
		ep   Endpoint
	}{{"baseline", baseline}, {"candidate", candidate}} {
		if err := checkURL(side.ep.URL); err != nil {
			return nil, &OptionsError{fmt.Errorf("%s: %w", side.name, err)}
		}
	}
	if sc.useSOAP {
		if st, err := os.Stat(opts.Samples); opts.Samples == "" || err != nil || !st.IsDir() {
			return nil, fmt.Errorf("%w: %q (want the layout of schemas/testdata)", ErrNoSamples, opts.Samples)
		}
	}
	if opts.MaxDifferences <= 0 {
		opts.MaxDifferences = DefaultMaxDifferences
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Context <= 0 {
		opts.Context = 3
	}
	if opts.Rules == nil {
		opts.Rules = golden.DefaultRules()
	}

	sides := [2]*side{newSide("baseline", baseline, opts.Timeout), newSide("candidate", candidate, opts.Timeout)}
	defer sides[0].close()
	defer sides[1].close()

	var rec conformance.Records
	if opts.Records != nil {
		rec = *opts.Records
	} else {
		rec, err = conformance.FindRecords(ctx, sides[0].plain, baseline.URL, baseline.Credentials)
		if err != nil {
			return nil, fmt.Errorf("find records on the baseline: %w", err)
		}
	}

	res := &Result{Baseline: redact.URL(baseline.URL), Candidate: redact.URL(candidate.URL), StartedAt: start}
	var (
		soapCalls, restCalls []Call
		soapErr              error
		wg                   sync.WaitGroup
	)
	if sc.useSOAP {
		wg.Go(func() { soapCalls, soapErr = compareSOAP(ctx, sides, rec, sc.soap, opts) })
	}
	if sc.useREST {
		wg.Go(func() { restCalls = compareREST(ctx, sides, rec, opts) })
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if soapErr != nil {
		return nil, soapErr
	}
	res.Calls = append(soapCalls, restCalls...)
	res.Duration = time.Since(start)
	return res, nil
}

// side is one target with the clients that call it: plain for finding
// records, capturing for the compared calls (it keeps every answer).
type side struct {
	name      string
	ep        Endpoint
	plain     *http.Client
	capturing *http.Client
	cap       *capture
}

func newSide(name string, ep Endpoint, timeout time.Duration) *side {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	c := &capture{base: tr}
	return &side{
		name:      name,
		ep:        ep,
		plain:     &http.Client{Timeout: timeout, Transport: tr},
		capturing: &http.Client{Timeout: timeout, Transport: c},
		cap:       c,
	}
}

func (s *side) close() { s.plain.CloseIdleConnections() }

// endpointOf returns the endpoint path of a service version, for matching
// captured calls.
func endpointOf(service, version string) string {
	v, err := schemas.Find(service, version)
	if err != nil {
		return ""
	}
	return v.Endpoint
}
