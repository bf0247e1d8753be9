package callout

import (
	"testing"

	"github.com/fnokit/fnokit/internal/suite"
)

func TestCallout(t *testing.T) { suite.RunForTest(t) }
