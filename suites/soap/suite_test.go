package soap

import (
	"testing"

	"github.com/fnokit/fnokit/internal/suite"
)

// TestSOAP runs the SOAP behaviour specs against the in-process emulator
// (or the target the harness flags name).
func TestSOAP(t *testing.T) { suite.RunForTest(t) }
