// Package producer is the emulator's side of the external SOAP services a
// producer hosts for FNO to call (seed 001 lines 5464-5474, 5520-5552): the
// ID generator (IdGeneratorService: entitlement IDs, line item IDs, web
// register keys, fulfilment IDs …, seed 001 5520-5543) and the licence
// generator (LicenseGeneratorService, seed 001 5545-5552). When the emulator
// is configured with their URLs, the entitlement and fulfilment handlers ask
// them for the IDs and licence text they would otherwise make up
// themselves.
//
// The messages are our contracts (schemas/soap/IdGeneratorService and
// LicenseGeneratorService, INFERRED from public sources, see
// schemas/EXTERNAL-NOTES.md): document/literal bare, one payload element per
// message, written in the contract's element order by internal/emulator/
// project. Every call is bounded in time (Config.Timeout) and in the size
// of the answer; the answer is checked structurally against the contract
// (conform, in check.go: the emulator never links libxml2, the tests check
// both directions with internal/xsd). A call that gives no usable answer
// follows Config.Failure: deny fails the emulator's record with a reason
// naming the generator and the kind of failure, fallback lets the emulator
// generate the value itself, as it does with no producer configured.
//
// INFERRED beyond the contracts: which ID kind answers which emulator
// record (the emulator's one WEBREGKEY item of a bulk entitlement takes a
// web register key), and that the emulator sends the open (content not
// known) FulfillmentRecord and GeneratorRequest empty rather than invent
// element names for them (EXTERNAL-NOTES C9) — a licence generator that
// needs the fulfilment's data cannot get it from the emulator until the
// contract says where it goes.
//
// Reference is a producer answering both services, for tests and
// scenarios.
package producer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/metrics"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/project"
	"github.com/fnokit/fnokit/internal/loopback"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsdmodel"
)

// Service names, as the contracts spell them.
const (
	IDGenerator      = "IdGeneratorService"
	LicenseGenerator = "LicenseGeneratorService"
)

// Operations the emulator calls (the contracts' names).
const (
	OpEntitlementID = "generateEntitlementID"
	OpLineItemID    = "generateLineItemID"
	OpWebRegKey     = "generateWebRegKey"
	OpFulfillmentID = "generateFulfillmentID"
	OpLicense       = "generateLicense"
)

// DefaultTimeout bounds one call when Config gives none.
const DefaultTimeout = 2 * time.Second

// DefaultMaxBody bounds an answer when Config gives none: an ID is a few
// bytes, a licence rarely more than a few kilobytes.
const DefaultMaxBody = 1 << 20

// TimingName is the Server-Timing metric name of the time spent in the
// producer's generators.
const TimingName = "producer"

// Failure is what the emulator does when a generator gives no usable
// answer.
type Failure string

const (
	// FailDeny fails the emulator's record (the default): a producer
	// relying on its own IDs must not see records stored with others.
	FailDeny Failure = "deny"
	// FailFallback lets the emulator generate the ID or licence itself.
	FailFallback Failure = "fallback"
)

// ParseFailure reads deny or fallback.
func ParseFailure(s string) (Failure, error) {
	switch Failure(s) {
	case FailDeny, FailFallback:
		return Failure(s), nil
	}
	return "", errors.New("producer failure mode is deny or fallback")
}

// Config configures the client.
type Config struct {
	// IDGeneratorURL is the endpoint of the producer's IdGeneratorService
	// (FNO's "ID Generator Classname" setting, seed 001 5540-5543); empty
	// means the emulator makes its IDs itself.
	IDGeneratorURL string
	// LicenseGeneratorURL is the endpoint of the producer's
	// LicenseGeneratorService (a license technology's "Generator Service
	// End Point"); empty means the emulator signs its own licences.
	LicenseGeneratorURL string
	// AllowRemote permits URLs whose host is not loopback.
	AllowRemote bool
	// Timeout bounds one call (0: DefaultTimeout).
	Timeout time.Duration
	// MaxBody bounds an answer in bytes (0: DefaultMaxBody).
	MaxBody int64
	// Failure is the failure mode ("": FailDeny).
	Failure Failure
	// Credentials, if set, authenticate the emulator to the producer
	// (HTTP Basic, Bearer, or the UserId/UserPassword SOAP header).
	Credentials soap.Credentials
	// Client is the HTTP client (nil: a dedicated one with keep-alive that
	// never follows redirects).
	Client *http.Client
	// Metrics, if set, receives the call durations.
	Metrics *metrics.Emulator
	// Logger receives failures (never payload values); nil discards.
	Logger *slog.Logger
}

// Client calls the producer's generators. Safe for concurrent use. A nil
// *Client is a valid "no producer": every method answers "" (the emulator
// generates), so it can be passed through an interface unconditionally.
type Client struct {
	cfg  Config
	http *http.Client
	log  *slog.Logger
	ids  *service // nil when IDGeneratorURL is empty
	lics *service // nil when LicenseGeneratorURL is empty
}

// service is one generator: its endpoint and its contract.
type service struct {
	name string
	url  string
	proj *project.Projector
}

// New checks cfg and makes the client. At least one URL must be set.
func New(cfg Config) (*Client, error) {
	if cfg.IDGeneratorURL == "" && cfg.LicenseGeneratorURL == "" {
		return nil, errors.New("producer: give the ID generator URL, the licence generator URL or both")
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("producer: the timeout cannot be negative")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBody < 0 {
		return nil, errors.New("producer: the answer size limit cannot be negative")
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Failure == "" {
		cfg.Failure = FailDeny
	}
	if _, err := ParseFailure(string(cfg.Failure)); err != nil {
		return nil, fmt.Errorf("producer: %w", err)
	}
	c := &Client{cfg: cfg, http: cfg.Client, log: cfg.Logger}
	var err error
	if c.ids, err = newService(IDGenerator, cfg.IDGeneratorURL, cfg.AllowRemote); err != nil {
		return nil, err
	}
	if c.lics, err = newService(LicenseGenerator, cfg.LicenseGeneratorURL, cfg.AllowRemote); err != nil {
		return nil, err
	}
	if c.http == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		// A generator never redirects: following one could leave loopback.
		c.http = &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

func newService(name, raw string, allowRemote bool) (*service, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The URL may hold credentials: do not echo it.
		return nil, fmt.Errorf("producer: the %s URL must be an absolute http or https URL", name)
	}
	if !allowRemote && !loopback.Host(u.Hostname()) {
		return nil, fmt.Errorf("producer: the %s URL is not a loopback address; allow remote producers explicitly to call another host", name)
	}
	p, err := project.For(name, contract.Base)
	if err != nil {
		return nil, fmt.Errorf("producer: %w", err)
	}
	return &service{name: name, url: raw, proj: p}, nil
}

// IDs reports whether the ID generator is configured.
func (c *Client) IDs() bool { return c != nil && c.ids != nil }

// Licenses reports whether the licence generator is configured.
func (c *Client) Licenses() bool { return c != nil && c.lics != nil }

// Error is a generator that gave no usable answer, with the failure mode
// FailDeny. Its message is fit to be a record's reason: it names the
// generator, the operation and the kind of failure, never a value.
type Error struct {
	Service   string // IdGeneratorService or LicenseGeneratorService
	Operation string
	// Kind is one of timeout, unreachable, status (not 200), too-large,
	// content-type, malformed (not a SOAP 1.1 envelope), fault,
	// wrong-element, invalid (does not match the contract), empty (no ID
	// or licence text), invalid-id (breaks FNO's ID rules), incomplete
	// (complete is false), invalid-request (an emulator bug).
	Kind string
}

func (e *Error) Error() string {
	what := "ID generator"
	if e.Service == LicenseGenerator {
		what = "licence generator"
	}
	return fmt.Sprintf("the producer's %s (%s %s) gave no usable answer (%s); the emulator fails the record (producer failure mode deny)", what, e.Service, e.Operation, e.Kind)
}

// call sends one request and returns the value that pick takes from the
// answer's payload (checked against the operation's output element first);
// pick returns a failure kind when the payload holds no usable value. One
// call is one observation in the metrics, under "ok" or its failure kind.
func (c *Client) call(ctx context.Context, s *service, operation string, content map[string]any, pick func(*xmltree.Node) (string, string)) (string, error) {
	payload, d, kind := c.exchange(ctx, s, operation, content)
	var v string
	if kind == "" {
		v, kind = pick(payload)
	}
	op.AddTiming(ctx, TimingName, d)
	outcome := kind
	if outcome == "" {
		outcome = "ok"
	}
	if c.cfg.Metrics != nil {
		c.cfg.Metrics.Producer.ObserveDuration(d, s.name, operation, outcome)
	}
	if kind == "" {
		return v, nil
	}
	return "", c.failed(ctx, s.name, operation, kind)
}

// failed applies the failure mode: nil (fall back) or an *Error; the
// request's own context ending wins whatever the mode.
func (c *Client) failed(ctx context.Context, service, operation, kind string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.log.Warn("producer generator failed", "service", service, "operation", operation, "kind", kind, "mode", string(c.cfg.Failure))
	if c.cfg.Failure == FailFallback {
		return nil
	}
	return &Error{Service: service, Operation: operation, Kind: kind}
}

// exchange is one POST. d is the time spent in the producer: from sending
// the request to having read the answer (building the request and checking
// the answer are the emulator's time).
func (c *Client) exchange(ctx context.Context, s *service, operation string, content map[string]any) (payload *xmltree.Node, d time.Duration, kind string) {
	body, err := c.envelope(s, operation, content)
	if err != nil {
		// An emulator bug (a content the contract refuses); say so once.
		c.log.Error("producer request not built", "service", s.name, "operation", operation, "err", err)
		return nil, 0, "invalid-request"
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	timedOut := func() bool { return errors.Is(ctx.Err(), context.DeadlineExceeded) }
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return nil, 0, "unreachable"
	}
	hr.Header.Set("Content-Type", soap.ContentType)
	hr.Header.Set("SOAPAction", soap.SOAPAction)
	c.cfg.Credentials.Apply(hr)
	res, err := c.http.Do(hr)
	if err != nil {
		if timedOut() {
			return nil, time.Since(start), "timeout"
		}
		return nil, time.Since(start), "unreachable"
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, c.cfg.MaxBody+1))
	d = time.Since(start)
	switch {
	case err != nil && timedOut():
		return nil, d, "timeout"
	case err != nil:
		return nil, d, "unreachable"
	case int64(len(data)) > c.cfg.MaxBody:
		return nil, d, "too-large"
	}
	resp, err := soap.Parse(bytes.NewReader(data), xmltree.Limits{MaxBytes: c.cfg.MaxBody})
	switch {
	case err == nil && resp.Fault != nil:
		// JAX-WS answers a fault with 500; any status carrying a fault is one.
		return nil, d, "fault"
	case res.StatusCode != http.StatusOK:
		return nil, d, "status"
	case !soapMediaType(res.Header.Get("Content-Type")):
		return nil, d, "content-type"
	case err != nil:
		return nil, d, "malformed"
	}
	o, _ := s.proj.Version().Operation(operation)
	decl, ok := s.proj.Model().Element(o.Output.Space, o.Output.Local)
	if !ok {
		return nil, d, "invalid"
	}
	if resp.Payload.Name.Local != o.Output.Local || resp.Payload.Name.Space != o.Output.Space {
		return nil, d, "wrong-element"
	}
	if why := conform(s.proj.Model(), decl, resp.Payload); why != "" {
		c.log.Warn("producer answer does not match the contract", "service", s.name, "operation", operation, "at", why)
		return nil, d, "invalid"
	}
	return resp.Payload, d, ""
}

// soapMediaType accepts the SOAP 1.1 media type (text/xml) and the generic
// XML one some stacks answer with.
func soapMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "text/xml" || mt == "application/xml")
}

// envelope encodes the request of operation: the payload built from
// content in the contract's order (missing required nillable elements as
// xsi:nil), wrapped in a SOAP 1.1 envelope with the credentials' header.
func (c *Client) envelope(s *service, operation string, content map[string]any) ([]byte, error) {
	o, _ := s.proj.Version().Operation(operation)
	if d, ok := s.proj.Model().Element(o.Input.Space, o.Input.Local); ok {
		nilMissing(s.proj.Model(), d, content, 0)
	}
	p, err := s.proj.RequestPayload(operation, content)
	if err != nil {
		return nil, err
	}
	return encode(soap.Envelope(p, c.cfg.Credentials), s.proj.Version().Namespace)
}

// nilMissing adds a nil (xsi:nil) for every required nillable element
// content lacks, at every level of nested objects: these contracts make
// every single-valued element required and nillable (EXTERNAL-NOTES C5),
// and the emulator knows few of them.
func nilMissing(m *xsdmodel.Model, d *xsdmodel.Decl, content map[string]any, depth int) {
	kids, err := m.ChildrenOf(d)
	if err != nil || depth > maxCheckDepth {
		return
	}
	for _, k := range kids {
		if k.Wildcard {
			continue
		}
		v, ok := content[k.Name.Local]
		switch {
		case !ok && k.MinOccurs > 0 && k.Nillable:
			content[k.Name.Local] = nil
		case ok:
			if sub, isMap := v.(map[string]any); isMap {
				nilMissing(m, k, sub, depth+1)
			}
		}
	}
}

// encode writes an envelope with the prefixes people expect to read.
func encode(env *xmltree.Node, ns string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	prefixes := map[string]string{soap.NSEnvelope: soap.PrefixEnvelope, contract.NSXSI: "xsi", soap.NSAuthHeader: soap.PrefixAuth}
	if ns != "" {
		prefixes[ns] = "ext"
	}
	err := env.Encode(&b, xmltree.EncodeOptions{Prefixes: prefixes})
	return b.Bytes(), err
}
