package fno

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/lib"

	"github.com/fnokit/fnokit/internal/contract"
)

var errInitContext = common.NewInitContextError("FNO requests cannot be made in the init context; make them in the default function, setup or teardown")

// client is one `new fno.Client(...)`. It belongs to one VU, whose JS runs
// on one goroutine at a time, so it needs no locking.
type client struct {
	mi     *ModuleInstance
	opts   clientOptions
	latest map[string]contract.Version
	rnd    *rand.Rand // validation sampling
	data   dataSession
}

// newClient is the JS constructor `new fno.Client(options)`.
func (mi *ModuleInstance) newClient(call sobek.ConstructorCall) *sobek.Object {
	rt := mi.vu.Runtime()
	latest, err := mi.root.schemas.latest()
	if err != nil {
		common.Throw(rt, err)
	}
	opts, err := parseClientOptions(exportValue(call.Argument(0)), latest)
	if err != nil {
		common.Throw(rt, err)
	}
	// A version the bundle lacks fails here, at start, rather than in the
	// first iteration; validators compile now so no iteration pays for it.
	for svc, ver := range opts.versions {
		if _, err := mi.root.schemas.get(svc, ver); err != nil {
			common.Throw(rt, fmt.Errorf("options.versions.%s: %w", svc, err))
		}
		if opts.sample > 0 {
			if err := mi.root.valid.warm(svc, ver); err != nil {
				common.Throw(rt, fmt.Errorf("options.validate: %w", err))
			}
		}
	}
	c := &client{
		mi:     mi,
		opts:   opts,
		latest: latest,
		rnd:    rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
	return c.object(rt)
}

// object is the client as scripts see it: call, rest.* and data.*.
func (c *client) object(rt *sobek.Runtime) *sobek.Object {
	o := rt.NewObject()
	set := func(o *sobek.Object, name string, v any) {
		if err := o.Set(name, v); err != nil {
			common.Throw(rt, err)
		}
	}
	set(o, "call", c.jsCall)
	rest := rt.NewObject()
	for _, r := range restRoutes {
		set(rest, r.method, c.jsREST(r))
	}
	set(o, "rest", rest)
	data := rt.NewObject()
	set(data, "authenticate", c.jsDataAuthenticate)
	set(data, "report", c.jsDataReport)
	set(o, "data", data)
	return o
}

// state returns the VU state, which exists only outside the init context.
func (c *client) state() (*lib.State, error) {
	s := c.mi.vu.State()
	if s == nil {
		return nil, errInitContext
	}
	return s, nil
}

// exportValue turns a JS argument into Go values; undefined and null are
// nil.
func exportValue(v sobek.Value) any {
	if common.IsNullish(v) {
		return nil
	}
	return v.Export()
}

// callParams are the optional last argument of call() and the REST
// helpers: {tags, timeout, version, validate}.
type callParams struct {
	tags    map[string]string
	timeout time.Duration
	version contract.Version
	hasVer  bool
	// validate forces (+1) or skips (-1) validation of this response; 0
	// leaves it to the client's sample rate.
	validate int
}

func parseCallParams(v sobek.Value, allowed ...string) (callParams, error) {
	var p callParams
	raw := exportValue(v)
	if raw == nil {
		return p, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return p, errors.New("params must be an object such as {tags: {...}, timeout: '10s'}")
	}
	if err := knownKeys("params", m, allowed...); err != nil {
		return p, err
	}
	var err error
	if p.tags, err = parseTags("params.tags", m["tags"]); err != nil {
		return p, err
	}
	if t, ok := m["timeout"]; ok && t != nil {
		if p.timeout, err = parseTimeout("params.timeout", t); err != nil {
			return p, err
		}
	}
	if ver, ok := m["version"]; ok && ver != nil {
		s, ok := ver.(string)
		if !ok {
			return p, errors.New("params.version must be a string such as 'v7' or 'base'")
		}
		if p.version, err = contract.ParseVersion(s); err != nil {
			return p, fmt.Errorf("params.version: %w", err)
		}
		p.hasVer = true
	}
	if val, ok := m["validate"]; ok && val != nil {
		b, ok := val.(bool)
		if !ok {
			return p, errors.New("params.validate must be true (validate this response) or false (do not)")
		}
		if p.validate = -1; b {
			if !validationAvailable {
				return p, errNoValidation
			}
			p.validate = 1
		}
	}
	return p, nil
}
