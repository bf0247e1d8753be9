package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/schemas"
)

// Faults is the fault injection configuration: rules applied to the calls
// they match, in order, every matching rule adding its effect. Its JSON
// form is what /fnokit/admin/faults reads and writes.
type Faults struct {
	// Seed seeds the random choices (jitter, error and drift rates), so a
	// run with the same requests in the same order injects the same faults.
	Seed  uint64      `json:"seed"`
	Rules []FaultRule `json:"rules"`
}

// FaultRule injects faults into the calls of one scope. A rule without API
// applies to SOAP calls, an empty Service, Version or Operation matching
// every one. A rule with API applies to the REST requests of that mounted
// API ("*": every REST API) whose path starts with Path; it takes latency
// and http-500 errors (drift is defined over SOAP schemas only).
type FaultRule struct {
	Service   string `json:"service,omitempty"`
	Version   string `json:"version,omitempty"` // "base", "v7", …
	Operation string `json:"operation,omitempty"`

	API  string `json:"api,omitempty"`  // REST API name, or "*"
	Path string `json:"path,omitempty"` // REST path prefix within the API

	// Latency is added before the call is answered, plus a uniform random
	// part in [0, Jitter).
	Latency Duration `json:"latency,omitempty"`
	Jitter  Duration `json:"jitter,omitempty"`

	// ErrorRate is the share of calls (0 to 1) answered with Error instead.
	ErrorRate float64   `json:"errorRate,omitempty"`
	Error     ErrorKind `json:"error,omitempty"` // default soap-fault

	// Drift alters the response so it breaks the version's contract, on
	// the share DriftRate of calls (0 means every call).
	Drift     DriftMode `json:"drift,omitempty"`
	DriftRate float64   `json:"driftRate,omitempty"`
}

// ErrorKind is how an injected error is answered.
type ErrorKind string

// Injected errors.
const (
	ErrorSOAPFault ErrorKind = "soap-fault" // soapenv:Server fault, HTTP 500
	ErrorHTTP500   ErrorKind = "http-500"   // HTTP 500 with a text body, no SOAP at all
)

// DriftMode is one way a response can break its contract.
type DriftMode string

// Contract drift modes.
const (
	DriftDropRequired   DriftMode = "drop-required"   // remove an element the schema requires
	DriftRename         DriftMode = "rename"          // rename an element (statusInfo → StatusInfo)
	DriftWrongNamespace DriftMode = "wrong-namespace" // answer in another version's namespace
	DriftBadEnum        DriftMode = "bad-enum"        // an enumeration value the schema does not list
	DriftExtraElement   DriftMode = "extra-element"   // an element the schema does not declare
	DriftWrongType      DriftMode = "wrong-type"      // text that is not of the declared type
)

// DriftModes lists every drift mode.
var DriftModes = []DriftMode{DriftDropRequired, DriftRename, DriftWrongNamespace, DriftBadEnum, DriftExtraElement, DriftWrongType}

// MaxInjectedLatency bounds Latency+Jitter, so a typo cannot hang clients
// for hours.
const MaxInjectedLatency = 5 * time.Minute

// Duration is a time.Duration written as Go writes it ("150ms", "2s") in
// JSON.
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New(`a duration is a string such as "150ms" or "2s"`)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("a duration is written as 150ms, 2s or 1m")
	}
	*d = Duration(v)
	return nil
}

// Validate checks every rule; known says whether a service, version and
// operation exist (nil skips that check).
func (f Faults) Validate(known func(service, version, operation string) error) error {
	for i, r := range f.Rules {
		if err := r.validate(known); err != nil {
			return fmt.Errorf("fault rule %d: %w", i+1, err)
		}
	}
	return nil
}

func (r FaultRule) validate(known func(service, version, operation string) error) error {
	if r.API != "" {
		if r.Service != "" || r.Version != "" || r.Operation != "" || r.Drift != "" || r.Error == ErrorSOAPFault {
			return errRESTRule
		}
	} else if r.Path != "" {
		return errors.New("path scopes a REST rule: name its api too")
	}
	if r.Version != "" {
		if _, err := contract.ParseVersion(r.Version); err != nil {
			return fmt.Errorf("version: %w", err)
		}
	}
	if known != nil && r.API == "" {
		if err := known(r.Service, r.Version, r.Operation); err != nil {
			return err
		}
	}
	if r.Latency < 0 || r.Jitter < 0 {
		return errors.New("latency and jitter cannot be negative")
	}
	if time.Duration(r.Latency+r.Jitter) > MaxInjectedLatency {
		return fmt.Errorf("latency plus jitter is over the limit of %s", MaxInjectedLatency)
	}
	if r.ErrorRate < 0 || r.ErrorRate > 1 || r.DriftRate < 0 || r.DriftRate > 1 {
		return errors.New("errorRate and driftRate are shares between 0 and 1")
	}
	switch r.Error {
	case "", ErrorSOAPFault, ErrorHTTP500:
	default:
		return fmt.Errorf("error %q: use %s or %s", r.Error, ErrorSOAPFault, ErrorHTTP500)
	}
	if r.Drift != "" && !knownDrift(r.Drift) {
		return fmt.Errorf("drift %q: use one of %s", r.Drift, driftList())
	}
	return nil
}

func knownDrift(m DriftMode) bool {
	for _, k := range DriftModes {
		if k == m {
			return true
		}
	}
	return false
}

func driftList() string {
	names := make([]string, len(DriftModes))
	for i, m := range DriftModes {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

// matches reports whether the rule applies to a SOAP operation.
func (r FaultRule) matches(service string, version contract.Version, operation string) bool {
	if r.API != "" {
		return false
	}
	if r.Service != "" && r.Service != service {
		return false
	}
	if r.Version != "" {
		v, err := contract.ParseVersion(r.Version)
		if err != nil || v != version {
			return false
		}
	}
	return r.Operation == "" || r.Operation == operation
}

// injector holds the rules in force and the random source behind them.
type injector struct {
	mu  sync.Mutex
	cfg Faults
	rng *rand.Rand
}

func newInjector(f Faults) (*injector, error) {
	if err := f.Validate(nil); err != nil {
		return nil, err
	}
	return &injector{cfg: f, rng: rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))}, nil
}

// plan is what to do to one call.
type plan struct {
	delay time.Duration
	err   ErrorKind
	drift []DriftMode
}

// plan decides a SOAP call's faults.
func (in *injector) plan(service string, version contract.Version, operation string) plan {
	return in.decide(func(r *FaultRule) bool { return r.matches(service, version, operation) })
}

// planREST decides a REST request's faults.
func (in *injector) planREST(api, path string) plan {
	return in.decide(func(r *FaultRule) bool {
		return r.API != "" && (r.API == "*" || r.API == api) && strings.HasPrefix(path, r.Path)
	})
}

// decide draws the faults of the rules that match, under the lock, so the
// random draws happen in request order and a seeded run is repeatable.
func (in *injector) decide(match func(*FaultRule) bool) plan {
	var p plan
	in.mu.Lock()
	defer in.mu.Unlock()
	for i := range in.cfg.Rules {
		r := &in.cfg.Rules[i]
		if !match(r) {
			continue
		}
		p.delay += time.Duration(r.Latency)
		if r.Jitter > 0 {
			p.delay += time.Duration(in.rng.Int64N(int64(r.Jitter)))
		}
		if r.ErrorRate > 0 && p.err == "" && in.rng.Float64() < r.ErrorRate {
			p.err = r.Error
			switch {
			case p.err != "":
			case r.API != "":
				p.err = ErrorHTTP500
			default:
				p.err = ErrorSOAPFault
			}
		}
		if r.Drift != "" && (r.DriftRate == 0 || in.rng.Float64() < r.DriftRate) {
			p.drift = append(p.drift, r.Drift)
		}
	}
	return p
}

func (in *injector) get() Faults {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := in.cfg
	out.Rules = append([]FaultRule(nil), in.cfg.Rules...)
	return out
}

// set replaces the rules and reseeds, so a test that sets faults then
// sends requests sees the same draws every run.
func (in *injector) set(f Faults) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.cfg = f
	in.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
}

// Faults returns the fault injection rules in force.
func (s *Server) Faults() Faults { return s.faults.get() }

// SetFaults replaces the fault injection rules (and reseeds their random
// source).
func (s *Server) SetFaults(f Faults) error {
	if err := f.Validate(s.known); err != nil {
		return err
	}
	for i, r := range f.Rules {
		if r.API == "" {
			continue
		}
		if err := s.knownAPI(r.API); err != nil {
			return fmt.Errorf("fault rule %d: %w", i+1, err)
		}
	}
	s.faults.set(f)
	return nil
}

// known checks a rule's scope against the routed services, so a typo in a
// service or operation name is an error rather than a rule that never fires.
func (s *Server) known(service, version, operation string) error {
	return knownIn(s.services, service, version, operation)
}

// CheckFaults validates fault rules, their scopes included, against the
// embedded contracts, without a server (the command line checks its flags
// with it).
func CheckFaults(f Faults) error {
	services, err := schemas.Services()
	if err != nil {
		return err
	}
	return f.Validate(func(service, version, operation string) error {
		return knownIn(services, service, version, operation)
	})
}

func knownIn(services []schemas.Service, service, version, operation string) error {
	if service == "" {
		if operation != "" {
			return errors.New("an operation needs its service")
		}
		return nil
	}
	var want contract.Version
	if version != "" {
		v, err := contract.ParseVersion(version)
		if err != nil {
			return err
		}
		want = v
	}
	svcFound, verFound := false, false
	for _, svc := range services {
		if svc.Name != service {
			continue
		}
		svcFound = true
		for _, v := range svc.Versions {
			if version != "" && v.Version != want {
				continue
			}
			verFound = true
			if operation == "" {
				return nil
			}
			if _, ok := v.Operation(operation); ok {
				return nil
			}
		}
	}
	switch {
	case !svcFound:
		return fmt.Errorf("no service %s; the listing at %s names them", service, ListingPath)
	case !verFound:
		return fmt.Errorf("%s has no version %s", service, version)
	}
	return fmt.Errorf("%s has no operation %s in the version(s) selected", service, operation)
}

// serveAdmin reads (GET) and replaces (PUT) the fault injection rules, and
// clears them (DELETE). It takes the same credentials as the services, by
// HTTP Basic.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if out, _ := s.basicAuth(r); out != authOK {
		s.challenge(w)
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, s.Faults())
	case http.MethodPut:
		var f Faults
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "read the fault rules: " + jsonProblem(err)})
			return
		}
		if err := s.SetFaults(f); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		s.log.Info("fault injection rules replaced", "rules", len(f.Rules))
		writeJSON(w, http.StatusOK, s.Faults())
	case http.MethodDelete:
		s.faults.set(Faults{})
		s.log.Info("fault injection rules cleared")
		writeJSON(w, http.StatusOK, s.Faults())
	default:
		w.Header().Set("Allow", "GET, PUT, DELETE")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET, PUT or DELETE"})
	}
}

// jsonProblem describes a JSON decoding error by its kind and position,
// without the offending text.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("not JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %s has the wrong type", typ.Field)
	case errors.As(err, &big):
		return "body over 1 MiB"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return err.Error() // names a field, which is ours to name
	}
	return err.Error()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
