// Package project moves payloads between the wire and the emulator's
// handlers for one service version: a request payload becomes plain values
// (internal/soap conventions), and a handler's plain values become the
// response payload that version's schema asks for.
//
// Handlers are written once for every version and may return a superset of
// what a version declares (siteName for every ManageDevice version, both
// soldToOrgId and soldToAcctId). Response keeps, at every level, only the
// keys the version's schema declares there, writes them in the schema's
// sequence order (an extension's base first), repeats list values for
// repeatable elements, and refuses a response that lacks a required element,
// naming its path, so a handler bug shows up in tests as an error rather
// than as an invalid message on the wire.
//
// Everything schema-derived is computed once per service version, on first
// use, into tables the per-request code only indexes: Response never looks
// at the xsdmodel.Model.
package project

import (
	"encoding/xml"
	"fmt"
	"sync"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsdmodel"
	"github.com/fnokit/fnokit/schemas"
)

// Projector converts payloads of one service version. It is read-only after
// For returns it and safe for concurrent use.
type Projector struct {
	version schemas.Version
	model   *xsdmodel.Model
	ops     map[string]*operation       // by operation name
	inputs  map[xmltree.Name]*operation // by request element
}

type operation struct {
	op      schemas.Operation
	in, out *elem // the request and response elements
}

// elem is one element declaration as the projection needs it.
type elem struct {
	name     xmltree.Name
	required bool // MinOccurs > 0 (a branch of a multi-branch choice is never required)
	repeated bool
	nillable bool
	// content is the element's complex content; nil for text-only (simple
	// or simpleContent) and open (anyType) elements.
	content *ctype
	open    bool
}

// ctype is a complex type's content: its child elements in the order the
// schema writes them, inherited ones first.
type ctype struct {
	kids []elem
	// required is true when some child is required, so an empty value is
	// not acceptable for the element.
	required bool
	// opaque marks content the contracts do not know (a type that is only
	// an xs:any wildcard): the handler's value is written as it is.
	opaque bool
}

type cacheKey struct {
	service string
	version contract.Version
}

type cacheEntry struct {
	once sync.Once
	p    *Projector
	err  error
}

var (
	cacheMu sync.Mutex
	cache   = map[cacheKey]*cacheEntry{}
)

// For returns the projector of a service version, building it on first use
// from the embedded WSDL. Concurrent callers of one version wait for a
// single build; different versions build independently.
func For(service string, version contract.Version) (*Projector, error) {
	k := cacheKey{service, version}
	cacheMu.Lock()
	e := cache[k]
	if e == nil {
		// Only versions that exist get an entry, so names from the
		// network cannot grow the cache.
		if _, err := schemas.Find(service, version.String()); err != nil {
			cacheMu.Unlock()
			return nil, fmt.Errorf("projection for %s %s: %w", service, version, err)
		}
		e = &cacheEntry{}
		cache[k] = e
	}
	cacheMu.Unlock()
	e.once.Do(func() { e.p, e.err = build(service, version) })
	return e.p, e.err
}

func build(service string, version contract.Version) (*Projector, error) {
	v, err := schemas.Find(service, version.String())
	if err != nil {
		return nil, fmt.Errorf("projection for %s %s: %w", service, version, err)
	}
	data, err := schemas.WSDL(service, version.String())
	if err != nil {
		return nil, fmt.Errorf("projection for %s %s: %w", service, version, err)
	}
	defs, err := wsdl.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("projection for %s %s: read the embedded WSDL: %w", service, version, err)
	}
	m, err := xsdmodel.LoadWSDL(defs)
	if err != nil {
		return nil, fmt.Errorf("projection for %s %s: load the WSDL's schemas: %w", service, version, err)
	}
	p := &Projector{
		version: v,
		model:   m,
		ops:     make(map[string]*operation, len(v.Operations)),
		inputs:  make(map[xmltree.Name]*operation, len(v.Operations)),
	}
	c := compiler{m: m, types: map[*xsdmodel.ComplexType]*ctype{}}
	for _, o := range v.Operations {
		po := &operation{op: o}
		for _, x := range []struct {
			name xml.Name
			to   **elem
		}{{o.Input, &po.in}, {o.Output, &po.out}} {
			d, ok := m.Element(x.name.Space, x.name.Local)
			if !ok {
				return nil, fmt.Errorf("projection for %s %s: operation %s: element %s is not declared by the WSDL's schemas", service, version, o.Name, x.name.Local)
			}
			e, err := c.elem(d)
			if err != nil {
				return nil, fmt.Errorf("projection for %s %s: operation %s: %w", service, version, o.Name, err)
			}
			*x.to = &e
		}
		p.ops[o.Name] = po
		p.inputs[xmltree.Name{Space: o.Input.Space, Local: o.Input.Local}] = po
	}
	return p, nil
}

// compiler turns model declarations into elems, sharing one ctype per
// complex type so recursive and widely used types are compiled once.
type compiler struct {
	m     *xsdmodel.Model
	types map[*xsdmodel.ComplexType]*ctype
}

func (c *compiler) elem(d *xsdmodel.Decl) (elem, error) {
	e := elem{
		name:     d.Name,
		required: d.MinOccurs > 0,
		repeated: d.Repeated(),
		nillable: d.Nillable,
		open:     d.Open(),
	}
	if d.Unresolved() {
		return e, fmt.Errorf("element %s has type %s, which the WSDL does not define", d.Name.Local, d.Type.Local)
	}
	ct := d.ComplexType()
	if ct == nil || d.Simple {
		return e, nil
	}
	if t, ok := c.types[ct]; ok {
		e.content = t
		return e, nil
	}
	t := &ctype{}
	c.types[ct] = t // before the children: a type may contain itself
	e.content = t
	kids, err := c.m.ChildrenOf(d)
	if err != nil {
		return e, err
	}
	seen := make(map[string]bool, len(kids))
	wildcard := false
	for _, k := range kids {
		if k.Wildcard {
			// Our contracts write a wildcard only as the whole content of
			// a type whose content is not known; beside declared elements
			// it would take the superset keys meant for other versions,
			// so there it takes nothing.
			wildcard = true
			continue
		}
		if seen[k.Name.Local] {
			continue // a name declared twice in one type: the first place wins
		}
		seen[k.Name.Local] = true
		ke, err := c.elem(k)
		if err != nil {
			return e, fmt.Errorf("%s/%w", d.Name.Local, err)
		}
		t.kids = append(t.kids, ke)
		t.required = t.required || ke.required
	}
	t.opaque = wildcard && len(t.kids) == 0
	return e, nil
}

// Version returns the service version this projector serves.
func (p *Projector) Version() schemas.Version { return p.version }

// Model returns the schema model of the version (read-only).
func (p *Projector) Model() *xsdmodel.Model { return p.model }

// Operation returns the operation whose request element is name, which is
// how the server routes a payload; ok is false for an element that is no
// request of this version (wrong namespace or unknown operation).
func (p *Projector) Operation(name xmltree.Name) (schemas.Operation, bool) {
	o, ok := p.inputs[name]
	if !ok {
		return schemas.Operation{}, false
	}
	return o.op, true
}

// Request returns the content of a request payload as plain values: nested
// maps keyed by local name, leaves as strings, and the elements the schema
// declares repeatable always as []any. The payload's root must be the
// request element of one of the version's operations.
func (p *Projector) Request(payload *xmltree.Node) (map[string]any, error) {
	if payload == nil {
		return nil, fmt.Errorf("%s %s: no request payload", p.version.Service, p.version.Version)
	}
	if _, ok := p.inputs[payload.Name]; !ok {
		return nil, fmt.Errorf("%s %s: element %s in namespace %s is not a request of this version; check the namespace (%s) and the operation name",
			p.version.Service, p.version.Version, payload.Name.Local, payload.Name.Space, p.version.Namespace)
	}
	return soap.ToMap(payload, p.model), nil
}
