package fno

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsdmodel"
	"github.com/fnokit/fnokit/schemas"
)

// serviceVersion is what call() needs of one bundled service version: its
// endpoint, its operations' request elements, and the schema model that
// orders a payload's children. Read-only once built, shared by every VU.
type serviceVersion struct {
	version schemas.Version
	model   *xsdmodel.Model
	inputs  map[string]xmltree.Name // request element by operation name
}

// op returns the contract operation and request element of name.
func (sv *serviceVersion) op(name string) (contract.Operation, xmltree.Name, error) {
	in, ok := sv.inputs[name]
	if !ok {
		return contract.Operation{}, xmltree.Name{}, fmt.Errorf(
			"%s %s has no operation %q; its operations are %s",
			sv.version.Service, sv.version.Version, name, strings.Join(sv.operationNames(), ", "))
	}
	return contract.Operation{Service: sv.version.Service, Version: sv.version.Version, Name: name}, in, nil
}

func (sv *serviceVersion) operationNames() []string {
	out := make([]string, 0, len(sv.inputs))
	for n := range sv.inputs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// schemaCache builds each service version once per process, on first use.
// Only versions the bundle has get an entry, so script typos cannot grow it.
type schemaCache struct {
	mu      sync.Mutex
	entries map[schemaKey]*schemaEntry

	latestOnce sync.Once
	latestMap  map[string]contract.Version
	latestErr  error
}

type schemaKey struct {
	service string
	version contract.Version
}

type schemaEntry struct {
	once sync.Once
	sv   *serviceVersion
	err  error
}

func newSchemaCache() *schemaCache {
	return &schemaCache{entries: map[schemaKey]*schemaEntry{}}
}

// get returns the bundled service version; version "" (or "base") is the
// unversioned base service.
func (c *schemaCache) get(service string, version contract.Version) (*serviceVersion, error) {
	k := schemaKey{service, version}
	c.mu.Lock()
	e := c.entries[k]
	if e == nil {
		if _, err := schemas.Find(service, version.String()); err != nil {
			c.mu.Unlock()
			return nil, fmt.Errorf("%s %s is not a bundled service version (%w); `fnokit schemas` lists them", service, version, err)
		}
		e = &schemaEntry{}
		c.entries[k] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.sv, e.err = buildServiceVersion(service, version) })
	return e.sv, e.err
}

func buildServiceVersion(service string, version contract.Version) (*serviceVersion, error) {
	v, err := schemas.Find(service, version.String())
	if err != nil {
		return nil, err
	}
	data, err := schemas.WSDL(service, version.String())
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", service, version, err)
	}
	defs, err := wsdl.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read the bundled WSDL: %w", service, version, err)
	}
	m, err := xsdmodel.LoadWSDL(defs)
	if err != nil {
		return nil, fmt.Errorf("%s %s: load the bundled WSDL's schemas: %w", service, version, err)
	}
	sv := &serviceVersion{version: v, model: m, inputs: make(map[string]xmltree.Name, len(v.Operations))}
	for _, o := range v.Operations {
		sv.inputs[o.Name] = xmltree.Name{Space: o.Input.Space, Local: o.Input.Local}
	}
	return sv, nil
}

// latest returns latestVersions, computed once; callers must not modify
// the map.
func (c *schemaCache) latest() (map[string]contract.Version, error) {
	c.latestOnce.Do(func() { c.latestMap, c.latestErr = latestVersions() })
	return c.latestMap, c.latestErr
}

// latestVersions maps every bundled service to its newest version: the
// version call() uses for a service the client's versions option leaves out.
func latestVersions() (map[string]contract.Version, error) {
	svcs, err := schemas.Services()
	if err != nil {
		return nil, fmt.Errorf("list the bundled services: %w", err)
	}
	out := make(map[string]contract.Version, len(svcs))
	for _, s := range svcs {
		if n := len(s.Versions); n > 0 {
			out[s.Name] = s.Versions[n-1].Version
		}
	}
	return out, nil
}
