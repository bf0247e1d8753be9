package conformance

import (
	"testing"

	"github.com/fnokit/fnokit/internal/suite"
)

// TestConformance runs the suite against the in-process emulator (or
// -target); flags after -args: -update-golden, -target, -allow-writes,
// -seed, -drift, -reports.
func TestConformance(t *testing.T) { suite.RunForTest(t) }
