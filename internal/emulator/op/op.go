// Package op is the contract between the emulator's SOAP server and the
// handlers that implement FNO operations: what a handler receives, what it
// returns, and how handlers are registered. It is a leaf: the server and the
// ops packages import it, it imports neither.
package op

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
)

// Call is one authenticated, parsed SOAP request.
type Call struct {
	// Op is the service, version and operation called.
	Op contract.Operation
	// Request is the request payload's content as plain values: nested
	// maps keyed by local name, repeated elements as []any, leaves as
	// strings (internal/soap ToMap conventions, with the version's model).
	Request map[string]any
	// User is the authenticated user name.
	User string
	// Now is the emulator's clock at the start of the call.
	Now time.Time
}

// Handler answers one call with the content of the response payload element
// (its children, e.g. statusInfo and responseData). It may return keys the
// called version's schema does not declare: the server drops them and orders
// the rest by the schema. Business failures are a FAILURE or PARTIAL_FAILURE
// status in the result, as FNO answers them; an error is for what FNO
// answers with a SOAP fault.
type Handler func(ctx context.Context, c *Call) (map[string]any, error)

// Fault is an error the server turns into a SOAP fault. String must never
// carry a secret or a payload value.
type Fault struct {
	Code   string // "soapenv:Client" for the caller's mistakes, "soapenv:Server" otherwise
	String string
}

func (f *Fault) Error() string { return f.Code + ": " + f.String }

// ClientFault reports a problem with the request.
func ClientFault(format string, args ...any) *Fault {
	return &Fault{Code: "soapenv:Client", String: fmt.Sprintf(format, args...)}
}

// ServerFault reports a problem on the emulator's side.
func ServerFault(format string, args ...any) *Fault {
	return &Fault{Code: "soapenv:Server", String: fmt.Sprintf(format, args...)}
}

// Settings are the behaviour switches of the version rules and
// limits; the zero value is not useful, start from DefaultSettings.
type Settings struct {
	MaxReadBatch  int // reads return at most this many records per batch (FNO: 2000)
	MaxWriteBatch int // writes accept at most this many records per call (FNO: 25)
	// AllowZeroCountMapping enables ManageDevice v7 zeroCountAddonLineItems.
	AllowZeroCountMapping bool
	// MaxAccountUnitNames caps EntitlementOrder v8 accountUnitName values.
	MaxAccountUnitNames int
	// MaxUserAccountIDs caps UserAcctHierarchy v6 account IDs; -1 is unlimited.
	MaxUserAccountIDs int
}

// DefaultSettings are FNO's documented defaults.
func DefaultSettings() Settings {
	return Settings{MaxReadBatch: 2000, MaxWriteBatch: 25, AllowZeroCountMapping: true, MaxAccountUnitNames: 5, MaxUserAccountIDs: 10}
}

// Registry maps service and operation names to handlers, optionally from a
// first version on. It is filled once at start and read concurrently after.
type Registry struct {
	mu       sync.RWMutex
	handlers map[string]map[string][]versioned
}

type versioned struct {
	from int // first version number (0 = base)
	h    Handler
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{handlers: map[string]map[string][]versioned{}}
}

// Handle registers h for every version of service's operation.
func (r *Registry) Handle(service, operation string, h Handler) {
	r.HandleFrom(service, operation, contract.Base, h)
}

// HandleFrom registers h for service's operation from version from on; a
// later registration with a higher from takes over from its version.
func (r *Registry) HandleFrom(service, operation string, from contract.Version, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops := r.handlers[service]
	if ops == nil {
		ops = map[string][]versioned{}
		r.handlers[service] = ops
	}
	ops[operation] = append(ops[operation], versioned{from: from.Number(), h: h})
}

// Lookup finds the handler for an operation of a service version.
func (r *Registry) Lookup(o contract.Operation) (Handler, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var best Handler
	bestFrom := -1
	for _, v := range r.handlers[o.Service][o.Name] {
		if v.from <= o.Version.Number() && v.from > bestFrom {
			best, bestFrom = v.h, v.from
		}
	}
	return best, best != nil
}

// Leaf formatting, as XSD writes it.

// Date formats an xsd:date.
func Date(t time.Time) string { return t.UTC().Format("2006-01-02") }

// DateTime formats an xsd:dateTime in UTC.
func DateTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Bool formats an xsd:boolean.
func Bool(b bool) string { return strconv.FormatBool(b) }

// Int formats an xsd:integer.
func Int(n int64) string { return strconv.FormatInt(n, 10) }

// Status builds a statusInfo value.
func Status(status, reason string) map[string]any {
	m := map[string]any{"status": status}
	if reason != "" {
		m["reason"] = reason
	}
	return m
}
