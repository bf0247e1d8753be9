package pubservices

import (
	"testing"

	"github.com/fnokit/fnokit/internal/suite"
)

func TestPublicServices(t *testing.T) { suite.RunForTest(t) }
