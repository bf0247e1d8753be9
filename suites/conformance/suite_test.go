package conformance

import (
	"testing"

	"github.com/fnokit/fnokit/internal/suite"
)

func TestConformance(t *testing.T) { suite.RunForTest(t) }
