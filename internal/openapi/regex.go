package openapi

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dlclark/regexp2"
	"github.com/getkin/kin-openapi/openapi3"
)

// MatchTimeout bounds one pattern match. regexp2 backtracks, so a pattern
// like ^(a+)+$ can take exponential time on a hostile value; past the
// timeout the value is treated as not matching and reported. regexp2 checks
// its clock every 100ms, so a timed-out match returns within about twice
// this figure.
//
// It is a package constant, not an option, because kin-openapi caches
// compiled patterns process-wide by their source text: two validators could
// not hold different timeouts for the same pattern anyway.
const MatchTimeout = 100 * time.Millisecond

// ecmaRegexp is a compiled pattern as kin-openapi wants it (MatchString
// returning bool only), remembering whether it ever timed out so a finding
// can say so instead of calling a slow value a plain mismatch.
type ecmaRegexp struct {
	re       *regexp2.Regexp
	timeouts atomic.Int64
}

func (m *ecmaRegexp) MatchString(s string) bool {
	ok, err := m.match(s)
	if err != nil {
		m.timeouts.Add(1)
		return false
	}
	return ok
}

// match runs the pattern, retrying a timeout that was not one. regexp2
// measures its deadline on a coarse clock that a background goroutine
// advances every 100ms; when that goroutine is starved (a loaded CI box),
// the clock jumps and a match of a microsecond can report a timeout. The
// wall clock decides: only a match that really ran for MatchTimeout counts.
func (m *ecmaRegexp) match(s string) (bool, error) {
	start := time.Now()
	for tries := 0; ; tries++ {
		ok, err := m.re.MatchString(s)
		// The only error regexp2 returns from a match is its timeout.
		if err == nil || time.Since(start) >= MatchTimeout || tries == 3 {
			return ok, err
		}
	}
}

// matchTimedOut re-runs a match known to have failed, to tell a timeout from
// a mismatch. It only runs for patterns that have timed out before, so the
// common case costs nothing.
func (m *ecmaRegexp) matchTimedOut(s string) bool {
	if m.timeouts.Load() == 0 {
		return false
	}
	_, err := m.match(s)
	return err != nil
}

type compiled struct {
	m   *ecmaRegexp
	err error
}

// patterns caches compiled patterns (and compile errors) by source text:
// the same few patterns are checked for every item of every response, and
// kin-openapi calls the compiler again for each pattern it failed to cache.
var patterns sync.Map // string -> compiled

// CompileECMAScript compiles a JSON Schema pattern with ECMAScript semantics
// (as OpenAPI specifies) and the MatchTimeout. It is the regex compiler this
// package plugs into kin-openapi for document validation and for request
// and response validation; it is exported for callers that validate schemas
// by other routes and need the same semantics.
func CompileECMAScript(expr string) (openapi3.RegexMatcher, error) {
	m, err := compileECMAScript(expr)
	if err != nil {
		// A typed nil inside the interface would look non-nil to kin-openapi.
		return nil, err
	}
	return m, nil
}

func compileECMAScript(expr string) (*ecmaRegexp, error) {
	if c, ok := patterns.Load(expr); ok {
		c := c.(compiled)
		return c.m, c.err
	}
	re, err := regexp2.Compile(expr, regexp2.ECMAScript)
	var c compiled
	if err != nil {
		c.err = fmt.Errorf("pattern is not a valid ECMAScript regular expression: %w", err)
	} else {
		re.MatchTimeout = MatchTimeout
		c.m = &ecmaRegexp{re: re}
	}
	actual, _ := patterns.LoadOrStore(expr, c)
	c = actual.(compiled)
	return c.m, c.err
}
