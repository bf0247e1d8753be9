//go:build cgo

package fno

import (
	"fmt"
	"sync"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/schemas"
)

// validationAvailable is true in a cgo build, where libxml2 validates.
const validationAvailable = true

// validatorCache compiles the bundled WSDL of each service version once per
// process with libxml2; compiled schemas are safe for concurrent use, so
// every VU shares them. They live as long as the process.
type validatorCache struct {
	mu      sync.Mutex
	entries map[schemaKey]*validatorEntry
}

type validatorEntry struct {
	once sync.Once
	s    *xsd.Schema
	err  error
}

func newValidatorCache() *validatorCache {
	return &validatorCache{entries: map[schemaKey]*validatorEntry{}}
}

// get returns the compiled schema of a version that schemaCache already
// found in the bundle (callers pass only such versions).
func (c *validatorCache) get(service string, version contract.Version) (*xsd.Schema, error) {
	k := schemaKey{service, version}
	c.mu.Lock()
	e := c.entries[k]
	if e == nil {
		e = &validatorEntry{}
		c.entries[k] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		data, err := schemas.WSDL(service, version.String())
		if err != nil {
			e.err = fmt.Errorf("validate %s %s: %w", service, version, err)
			return
		}
		e.s, e.err = xsd.CompileWSDLBytes(service+" "+version.String(), data)
	})
	return e.s, e.err
}

// warm compiles a version's schema ahead of the first sampled response, so
// the compile (tens of milliseconds) happens in the init context rather
// than inside a measured iteration.
func (c *validatorCache) warm(service string, version contract.Version) error {
	_, err := c.get(service, version)
	return err
}

// validate checks a SOAP response envelope's payload against the version's
// schema and returns the findings (values never quoted).
func (c *validatorCache) validate(service string, version contract.Version, envelope []byte) (contract.Findings, error) {
	s, err := c.get(service, version)
	if err != nil {
		return nil, err
	}
	return s.ValidateEnvelope(envelope)
}
