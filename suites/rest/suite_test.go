package rest

import (
	"testing"

	"github.com/fnokit/fnokit/internal/suite"
)

func TestREST(t *testing.T) { suite.RunForTest(t) }
