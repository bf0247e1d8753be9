package pubservices

import (
	"testing"

	"github.com/fnokit/fnokit/internal/suite"
)

// TestPublicServices runs the specs, then checks that each of the four
// APIs has a spec.
func TestPublicServices(t *testing.T) {
	suite.RunForTest(t)
	for _, api := range apis {
		if _, err := (suite.Filter{Services: []string{service}, Ops: []string{api}}).LabelFilter(); err != nil {
			t.Errorf("%s has no spec: %v", api, err)
		}
	}
}
