package producer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/project"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/schemas"
)

// DefaultReferencePrefix starts every ID and licence the reference makes
// when ReferenceConfig gives no prefix.
const DefaultReferencePrefix = "PRD-"

// MaxReferenceLatency bounds ReferenceConfig.Latency, so a typo cannot hang
// the emulator's handlers for long (they time out anyway).
const MaxReferenceLatency = time.Minute

// ReferenceConfig configures a reference producer.
type ReferenceConfig struct {
	// Prefix starts every generated ID (DefaultReferencePrefix when
	// empty); it must itself be a valid FNO ID (seed 003's characters).
	Prefix string
	// Latency is waited before each answer (at most MaxReferenceLatency),
	// or until the caller goes away.
	Latency time.Duration
	// MaxBody bounds a request body (0: DefaultMaxBody).
	MaxBody int64
}

// Reference is a producer's ID and licence generator answering both
// contracts on any path: a bare document/literal request is dispatched on
// its payload element, which names the operation. It checks each request
// against the contract (the same structural check the emulator applies to
// answers) and answers a SOAP fault, HTTP 500, for one that does not
// match; otherwise it answers deterministic values — IDs
// <prefix><kind>-<n>, n counting per kind from 1, and a licence text naming
// its own ID — so two runs in the same order see the same values.
type Reference struct {
	cfg      ReferenceConfig
	services []*project.Projector
	counters map[string]*atomic.Int64 // by operation; fixed after NewReference
}

// Kind tags of the reference's IDs, by operation.
var referenceTags = map[string]string{
	"generateEntitlementID":         "ENT",
	"generateLineItemID":            "AID",
	"generateWebRegKey":             "WRK",
	"generateMaintenanceItemID":     "MNT",
	"generateFulfillmentID":         "FID",
	"generateConsolidatedLicenseID": "CLID",
	"generateLicense":               "LIC",
	"consolidateFulfillments":       "CLIC",
	"generateCustomHostIdentifier":  "HOST",
}

// NewReference makes a reference producer.
func NewReference(cfg ReferenceConfig) (*Reference, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultReferencePrefix
	}
	if err := state.ValidateID("prefix", cfg.Prefix); err != nil {
		return nil, fmt.Errorf("reference producer: %w", err)
	}
	if cfg.Latency < 0 || cfg.Latency > MaxReferenceLatency {
		return nil, fmt.Errorf("reference producer: latency must be between 0 and %s", MaxReferenceLatency)
	}
	if cfg.MaxBody < 0 {
		return nil, errors.New("reference producer: the body size limit cannot be negative")
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	r := &Reference{cfg: cfg, counters: map[string]*atomic.Int64{}}
	for _, name := range []string{IDGenerator, LicenseGenerator} {
		p, err := project.For(name, contract.Base)
		if err != nil {
			return nil, fmt.Errorf("reference producer: %w", err)
		}
		r.services = append(r.services, p)
	}
	for op := range referenceTags {
		r.counters[op] = new(atomic.Int64)
	}
	return r, nil
}

// Count is how many values the reference has made for operation.
func (r *Reference) Count(operation string) int64 {
	if c, ok := r.counters[operation]; ok {
		return c.Load()
	}
	return 0
}

func (r *Reference) next(operation string) string {
	return r.cfg.Prefix + referenceTags[operation] + "-" + strconv.FormatInt(r.counters[operation].Add(1), 10)
}

// ServeHTTP answers one SOAP request.
func (r *Reference) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "fnokit reference producer: POST a SOAP 1.1 request", http.StatusMethodNotAllowed)
		return
	}
	data, err := io.ReadAll(io.LimitReader(req.Body, r.cfg.MaxBody+1))
	if err != nil {
		return // the client went away
	}
	if int64(len(data)) > r.cfg.MaxBody {
		writeFault(w, "soapenv:Client", "the request is larger than the reference producer accepts")
		return
	}
	env, err := soap.Parse(bytes.NewReader(data), xmltree.Limits{MaxBytes: r.cfg.MaxBody})
	if err != nil || env.Payload == nil {
		writeFault(w, "soapenv:Client", "the request is not a SOAP 1.1 envelope with a payload")
		return
	}
	p, o, ok := r.operation(env.Payload.Name)
	if !ok {
		writeFault(w, "soapenv:Client", "no operation of IdGeneratorService or LicenseGeneratorService takes element "+env.Payload.Name.Local)
		return
	}
	if d, ok := p.Model().Element(o.Input.Space, o.Input.Local); !ok {
		writeFault(w, "soapenv:Server", "the contract of "+o.Name+" is not loaded")
		return
	} else if why := conform(p.Model(), d, env.Payload); why != "" {
		writeFault(w, "soapenv:Client", "the request does not match the contract: "+why)
		return
	}
	if !r.wait(req.Context()) {
		return
	}
	out, err := p.Response(o.Name, r.answer(o.Name, env.Payload))
	if err != nil {
		writeFault(w, "soapenv:Server", "the reference producer could not build its answer")
		return
	}
	body, err := encode(soap.Envelope(out, soap.Credentials{}), p.Version().Namespace)
	if err != nil {
		writeFault(w, "soapenv:Server", "the reference producer could not encode its answer")
		return
	}
	w.Header().Set("Content-Type", soap.ContentType)
	_, _ = w.Write(body)
}

// operation finds the operation whose input element is name.
func (r *Reference) operation(name xmltree.Name) (*project.Projector, schemas.Operation, bool) {
	for _, p := range r.services {
		if o, ok := p.Operation(name); ok {
			return p, o, true
		}
	}
	return nil, schemas.Operation{}, false
}

// wait sleeps the configured latency; false when the caller went away.
func (r *Reference) wait(ctx context.Context) bool {
	if r.cfg.Latency <= 0 {
		return true
	}
	t := time.NewTimer(r.cfg.Latency)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// answer is the content of operation's response.
func (r *Reference) answer(operation string, req *xmltree.Node) map[string]any {
	switch operation {
	case "ping":
		// The echo is the protocol ([J]: str comes back), not an error message.
		return map[string]any{"str": orNil(req.TextOf("str")), "processedTime": time.Now().UTC().Format(time.RFC3339), "info": "fnokit reference producer"}
	case "validateProduct", "validateLicenseModel":
		return map[string]any{"code": "0", "message": "valid"}
	case "generateLicense":
		id := r.next(operation)
		text := "# fnokit reference licence generator\nLICENSE " + id + "\n"
		return map[string]any{"binaryLicense": nil, "complete": true, "licenseFileName": id + ".lic", "licenseText": text, "message": nil}
	case "consolidateFulfillments":
		id := r.next(operation)
		return map[string]any{"licenseText": "# fnokit reference consolidated licence\nLICENSE " + id + "\n", "criteria": "ALL",
			"licenseFileName": id + ".lic", "binaryLicense": ""}
	case "generateLicenseFilenames", "generateConsolidatedLicenseFilenames":
		return map[string]any{}
	case "generateCustomHostIdentifier":
		return map[string]any{"#text": r.next(operation)}
	}
	return map[string]any{"id": r.next(operation)} // every generate*ID
}

// writeFault answers a SOAP 1.1 fault with HTTP 500, as JAX-WS does. msg
// names elements and paths, never values.
func writeFault(w http.ResponseWriter, code, msg string) {
	f := &xmltree.Node{Name: xmltree.Name{Space: soap.NSEnvelope, Local: "Fault"}, Children: []*xmltree.Node{
		{Name: xmltree.Name{Local: "faultcode"}, Text: code},
		{Name: xmltree.Name{Local: "faultstring"}, Text: msg},
	}}
	body, _ := encode(soap.Envelope(f, soap.Credentials{}), "")
	w.Header().Set("Content-Type", soap.ContentType)
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(body)
}
