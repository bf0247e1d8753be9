// Package server is the emulator's HTTP face: it routes
// /flexnet/services/[vN/]<Service> for every service version fnokit has a
// contract for, serves the WSDLs at ?wsdl and the Axis-style listing at
// /flexnet/services, authenticates every call, bounds what a request may
// cost (body size, nesting depth, requests in flight), dispatches the payload
// to the operation handler registered in an op.Registry, and writes the
// handler's answer back as a SOAP 1.1 envelope valid for the version asked.
// It also injects faults on demand (latency, errors, contract drift) so
// clients and suites can be tested against a misbehaving FNO.
//
// The server knows nothing about the domain: handlers (internal/emulator/ops)
// do, and the conversion between payload trees and plain values is the
// Projection the caller supplies (internal/emulator/project).
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/metrics"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsdmodel"
	"github.com/fnokit/fnokit/schemas"
)

// Projection converts between one service version's payload trees and the
// plain values handlers work with.
type Projection interface {
	// Request turns a request payload into the op.Call Request map.
	Request(payload *xmltree.Node) (map[string]any, error)
	// Response builds the response payload of operation opName from a
	// handler's result, keeping and ordering what the version declares.
	Response(opName string, content map[string]any) (*xmltree.Node, error)
}

// Projector returns the projection of a service version. It is called once
// per version, on that version's first request, and its result is kept.
type Projector func(service string, version contract.Version) (Projection, error)

// Secret is a password. It never prints: every fmt verb, slog and text
// encodings show a placeholder.
type Secret string

const redacted = "[REDACTED]"

func (Secret) String() string               { return redacted }
func (Secret) GoString() string             { return redacted }
func (Secret) Format(f fmt.State, _ rune)   { fmt.Fprint(f, redacted) }
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
func (Secret) LogValue() slog.Value         { return slog.StringValue(redacted) }

// Defaults of Config's limits.
const (
	DefaultMaxBody     = 8 << 20
	DefaultMaxDepth    = 128
	DefaultMaxInFlight = 256
	DefaultRetryAfter  = time.Second
	DefaultRealm       = restkit.DefaultRealm
)

// Handlers finds the handler of an operation; *op.Registry is one, and the
// emulator layers its overrides over the built-in handlers with another.
type Handlers interface {
	Lookup(o contract.Operation) (op.Handler, bool)
}

// Config configures a Server. Registry, Project and User are required.
type Config struct {
	Registry Handlers
	Project  Projector
	// User and Password are the one web-services user the emulator knows.
	User     string
	Password Secret
	// Realm is the HTTP Basic realm announced with a 401.
	Realm string
	// MaxBody bounds a request body in bytes; larger ones get 413.
	MaxBody int64
	// MaxDepth bounds element nesting in a request.
	MaxDepth int
	// MaxInFlight caps the requests served at once; beyond it the server
	// answers 503 with Retry-After rather than queueing without bound.
	MaxInFlight int
	// RetryAfter is what a 503 tells the client to wait (whole seconds).
	RetryAfter time.Duration
	// Faults are the fault injection rules in force at start.
	Faults Faults
	// Logger receives one line per request at Debug and problems at Warn;
	// never payloads or secrets. Nil discards.
	Logger *slog.Logger
	// Now is the emulator's clock (tests fix it); nil is time.Now.
	Now func() time.Time
	// Admin serves emulator controls beside the fault rules, keyed by path
	// below AdminPrefix (e.g. "tokens" for /fnokit/admin/tokens). Like the
	// fault endpoint they are outside the in-flight cap and take the
	// web-services credentials, checked here, by HTTP Basic.
	Admin map[string]http.Handler
	// Mounts serves other APIs beside SOAP (the REST services), inside the
	// in-flight cap, the request log, the metrics and fault injection.
	Mounts []Mount
	// Metrics, if set, counts SOAP and REST requests, their latency and
	// injected faults, and is served at MetricsPath.
	Metrics *metrics.Emulator
}

// Mount is an API served beside SOAP: a request whose path starts with
// Prefix goes to Handler, the longest matching prefix winning (the
// application REST API at /flexnet/operations/ and the data extracts at
// /flexnet/operations/extracts share a stem). The handler authenticates
// itself.
type Mount struct {
	Prefix string
	// API names the mount in metrics and in fault rules ("application",
	// "data-access", …).
	API     string
	Handler http.Handler
}

// Server is the emulator's http.Handler. It is safe for concurrent use.
type Server struct {
	cfg       Config
	log       *slog.Logger
	endpoints map[string]*endpoint // by path
	mounts    []Mount              // longest prefix first
	services  []schemas.Service
	inFlight  atomic.Int64
	faults    *injector
	creds     credentials
}

// endpoint is one service version: what routing, ?wsdl and dispatch need,
// computed at start, plus its projection and schema model, made on first use.
type endpoint struct {
	v      schemas.Version
	ops    map[xmltree.Name]schemas.Operation // by input element
	byName map[string]schemas.Operation
	wsdl   wsdlTemplate
	// siblings maps the namespaces of the service's other versions to their
	// endpoint, for the wrong-namespace hint.
	siblings map[string]string
	// driftNS is the namespace the wrong-namespace drift answers in: the
	// previous version's (what a server deployed with the wrong stubs
	// speaks), else the next one's, else NSDrift.
	driftNS string

	projOnce sync.Once
	proj     Projection
	projErr  error

	modelOnce sync.Once
	model     *xsdmodel.Model
	modelErr  error
}

// New builds a server over every service version of schemas.Services().
func New(cfg Config) (*Server, error) {
	if cfg.Registry == nil {
		return nil, errors.New("emulator server: no handler registry")
	}
	if cfg.Project == nil {
		return nil, errors.New("emulator server: no projection")
	}
	if cfg.User == "" || cfg.Password == "" {
		return nil, errors.New("emulator server: a user and a password are required (--user, --password)")
	}
	if cfg.Realm == "" {
		cfg.Realm = DefaultRealm
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxDepth <= 0 {
		cfg.MaxDepth = DefaultMaxDepth
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = DefaultRetryAfter
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	services, err := schemas.Services()
	if err != nil {
		return nil, fmt.Errorf("emulator server: read the embedded contracts: %w", err)
	}
	s := &Server{cfg: cfg, log: log, endpoints: map[string]*endpoint{}, services: services,
		creds: newCredentials(cfg.User, cfg.Password)}
	for _, svc := range services {
		nsToPath := map[string]string{}
		for _, v := range svc.Versions {
			nsToPath[v.Namespace] = v.Endpoint
		}
		for i, v := range svc.Versions {
			doc, err := schemas.WSDL(svc.Name, v.Version.String())
			if err != nil {
				return nil, fmt.Errorf("emulator server: WSDL of %s %s: %w", svc.Name, v.Version, err)
			}
			ep := &endpoint{v: v, ops: map[xmltree.Name]schemas.Operation{}, byName: map[string]schemas.Operation{},
				wsdl: newWSDLTemplate(doc), siblings: nsToPath, driftNS: NSDrift}
			switch {
			case i > 0:
				ep.driftNS = svc.Versions[i-1].Namespace
			case len(svc.Versions) > 1:
				ep.driftNS = svc.Versions[1].Namespace
			}
			for _, o := range v.Operations {
				ep.ops[xmltree.Name{Space: o.Input.Space, Local: o.Input.Local}] = o
				ep.byName[o.Name] = o
			}
			s.endpoints[v.Endpoint] = ep
		}
	}
	if s.mounts, err = sortMounts(cfg.Mounts); err != nil {
		return nil, fmt.Errorf("emulator server: %w", err)
	}
	if s.faults, err = newInjector(Faults{}); err != nil {
		return nil, err
	}
	if err := s.SetFaults(cfg.Faults); err != nil {
		return nil, fmt.Errorf("emulator server: %w", err)
	}
	return s, nil
}

// Endpoints lists the service endpoint paths the server routes, sorted.
func (s *Server) Endpoints() []string {
	out := make([]string, 0, len(s.endpoints))
	for p := range s.endpoints {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Paths the server answers besides the service endpoints.
const (
	ListingPath = "/flexnet/services"
	AdminPrefix = "/fnokit/admin/"
	AdminFaults = AdminPrefix + "faults"
)

// ServeHTTP routes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if path == AdminFaults {
		// The admin endpoint is outside the in-flight cap, so an operator
		// can still switch faults off on an overloaded emulator.
		s.serveAdmin(w, r)
		return
	}
	if name, ok := strings.CutPrefix(path, AdminPrefix); ok {
		if h := s.cfg.Admin[name]; h != nil {
			if out, _ := s.basicAuth(r); out != authOK {
				s.challenge(w)
				return
			}
			h.ServeHTTP(w, r)
			return
		}
	}
	if path == MetricsPath && s.cfg.Metrics != nil {
		// Outside the cap too: a scrape must still see an overloaded emulator.
		s.cfg.Metrics.ServeHTTP(w, r)
		return
	}
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		defer func() {
			// Method, path and status only: never the query (it could be
			// anything), headers (credentials) or bodies.
			s.log.Debug("request", "method", r.Method, "path", path, "status", rec.status, "took", time.Since(start))
		}()
		w = rec
	}
	ep := s.endpoints[path]
	var mnt *Mount
	if ep == nil {
		mnt = s.mountFor(path)
	}
	if n := s.inFlight.Add(1); n > int64(s.cfg.MaxInFlight) {
		s.inFlight.Add(-1)
		s.countOverloaded(r, ep, mnt)
		s.overloaded(w)
		return
	}
	defer s.inFlight.Add(-1)

	if ep != nil {
		s.serveEndpoint(w, r, ep)
		return
	}
	if mnt != nil {
		s.serveMount(w, r, mnt)
		return
	}
	if path == ListingPath || path == ListingPath+"/" {
		s.serveListing(w, r)
		return
	}
	http.Error(w, "fnokit emulator: no service at this path; the listing is at "+ListingPath, http.StatusNotFound)
}

func (s *Server) serveEndpoint(w http.ResponseWriter, r *http.Request, ep *endpoint) {
	switch r.Method {
	case http.MethodPost:
		if s.cfg.Metrics != nil {
			s.serveMeasured(w, r, ep)
			return
		}
		s.serveSOAP(w, r, ep)
	case http.MethodGet, http.MethodHead:
		if wantsWSDL(r) {
			s.serveWSDL(w, r, ep)
			return
		}
		s.serveServicePage(w, r, ep)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "fnokit emulator: POST a SOAP envelope, or GET ?wsdl", http.StatusMethodNotAllowed)
	}
}

// overloaded answers a request beyond the in-flight cap. Retry-After lets
// well-behaved clients back off instead of hammering a saturated server.
func (s *Server) overloaded(w http.ResponseWriter) {
	secs := int(s.cfg.RetryAfter.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	http.Error(w, "fnokit emulator: too many requests in flight; retry later", http.StatusServiceUnavailable)
}

// statusRecorder remembers the status written, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// InFlight is the number of requests being served now.
func (s *Server) InFlight() int { return int(s.inFlight.Load()) }

func (ep *endpoint) projection(p Projector) (Projection, error) {
	ep.projOnce.Do(func() {
		ep.proj, ep.projErr = p(ep.v.Service, ep.v.Version)
		if ep.projErr == nil && ep.proj == nil {
			ep.projErr = errors.New("no projection")
		}
	})
	return ep.proj, ep.projErr
}

// op names the operation for the handler contract.
func (ep *endpoint) op(name string) contract.Operation {
	return contract.Operation{Service: ep.v.Service, Version: ep.v.Version, Name: name}
}

// Warm builds every version's projection now rather than on its first
// request, so the first calls of a load test do not pay for it.
func (s *Server) Warm(ctx context.Context) error {
	for _, p := range s.Endpoints() {
		if err := ctx.Err(); err != nil {
			return err
		}
		ep := s.endpoints[p]
		if _, err := ep.projection(s.cfg.Project); err != nil {
			return fmt.Errorf("projection of %s %s: %w", ep.v.Service, ep.v.Version, err)
		}
	}
	return nil
}
